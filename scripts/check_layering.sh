#!/usr/bin/env bash
# Checks that every #include between the project's folders follows the dependency table
# of docs/ARCHITECTURE.md, so an arrow pointing the wrong way fails the build's tests
# instead of waiting for a reader to notice.
set -euo pipefail
cd "$(dirname "$0")/.."

# folder: the folders its files may include (besides their own). Folders still being
# built elsewhere (viewer/, engine/field) are named as targets only.
declare -A allowed=(
  [engine/core]=""
  [engine/scene]="engine/core"
  [formats]="engine/core engine/scene"
  [engine/render]="engine/core engine/scene formats shaders"
  [engine/codec]="engine/core engine/scene formats engine/render"
  [engine/field]="engine/core engine/scene formats engine/render shaders"
  [engine/gpu]="engine/core engine/scene formats engine/render engine/codec engine/field shaders"
  [tools]="engine/core engine/scene formats engine/render engine/codec engine/field engine/gpu viewer"
  # The viewer draws through tools/render_support.h (SceneRenderer, the orbit rules), the
  # code render and eval use, so the window shows their pixels.
  [viewer]="engine/core engine/scene formats engine/render engine/gpu shaders tools"
)

folder_of() {
  case "$1" in
    engine/*) echo "$1" | cut -d/ -f1-2 ;;
    *) echo "$1" | cut -d/ -f1 ;;
  esac
}

status=0
for folder in "${!allowed[@]}"; do
  [ -d "$folder" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"${line#*:}")
    target_folder=$(folder_of "$target")
    [ "$target_folder" = "$folder" ] && continue
    # Generated SPIR-V arrays live under the build folder's shaders/.
    case "$target" in shaders/*.spv.inc) target_folder=shaders ;; esac
    ok=0
    for a in ${allowed[$folder]}; do [ "$a" = "$target_folder" ] && ok=1; done
    if [ $ok = 0 ]; then
      echo "$file includes $target: $folder may not depend on $target_folder" >&2
      status=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cpp' --include='*.hpp' '^#include "' "$folder" | cut -d: -f1,3-)
done
[ $status = 0 ] && echo "every include follows the dependency table"
exit $status
