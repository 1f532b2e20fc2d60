#!/usr/bin/env bash
# Mesh codec comparison behind docs/BENCHMARKS.md: scenezip's presets against gltfpack
# (meshopt compression, -cc; -kv keeps vertex attributes no material uses, such as the
# constant colours the OBJ reader gives, which it would drop) and Draco (gltf-transform draco), each decoded back to a
# plain GLB and rendered against the original by `scenezip eval`.
#
# Usage: scripts/bench-mesh-codecs.sh SCENEZIP DATA_DIR OUT_DIR [MESH...]
#   MESH paths are relative to DATA_DIR (default: every mesh in DATA_DIR/meshes).
#   Writes OUT_DIR/mesh.csv and prints a markdown table. gltfpack 1.3.0 and
#   @gltf-transform/cli 4.5.1 are installed from the npm registry into OUT_DIR/tools
#   (never into the repository or the build). The peers need glTF: every input is
#   converted to GLB with `scenezip convert` first, and their outputs (Draco, meshopt,
#   quantized attributes) are decoded back to a plain float GLB by a small gltf-transform
#   script written to OUT_DIR/tools, so that scenezip's reader can render them.
#   EVAL_ARGS sets eval's views and size (default: --views 4 --width 256 --height 256).
set -euo pipefail
usage="usage: bench-mesh-codecs.sh SCENEZIP DATA_DIR OUT_DIR [MESH...]"
bin=${1:?$usage}
data=${2:?$usage}
out=${3:?$usage}
shift 3
meshes=("$@")
[ ${#meshes[@]} -gt 0 ] || meshes=(meshes/bunny.obj meshes/armadillo.obj meshes/bunny00.off meshes/ChineseDragon-10kv.off
                                  meshes/bunny_40k.ply meshes/xyzrgb_dragon_50k.ply meshes/DamagedHelmet/DamagedHelmet.gltf)
eval_args=${EVAL_ARGS:---views 4 --width 256 --height 256}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tools="$out/tools"
if [ ! -x "$tools/node_modules/.bin/gltfpack" ] || [ ! -x "$tools/node_modules/.bin/gltf-transform" ]; then
  echo "installing gltfpack 1.3.0 and @gltf-transform/cli 4.5.1 into $tools" >&2
  npm install --prefix "$tools" --silent --no-audit --no-fund gltfpack@1.3.0 @gltf-transform/cli@4.5.1 >&2
fi
gltfpack="$tools/node_modules/.bin/gltfpack"
gltf_transform="$tools/node_modules/.bin/gltf-transform"
# Decodes any glTF the peers write (Draco, meshopt, quantized attributes) to plain floats.
cat > "$tools/decode.mjs" <<'JS'
import { NodeIO } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { dequantize } from '@gltf-transform/functions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder } from 'meshoptimizer';
const [input, output] = process.argv.slice(2);
await MeshoptDecoder.ready;
const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
  'draco3d.decoder': await draco3d.createDecoderModule(),
  'meshopt.decoder': MeshoptDecoder,
});
const doc = await io.read(input);
for (const ext of doc.getRoot().listExtensionsUsed()) {
  if (['KHR_draco_mesh_compression', 'EXT_meshopt_compression', 'KHR_mesh_quantization'].includes(ext.extensionName)) {
    ext.dispose();
  }
}
await doc.transform(dequantize());
await io.write(output, doc);
JS

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l | xargs printf '%.2f'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
size() { stat -c %s "$1"; }

csv="$out/mesh.csv"
echo "mesh,codec,bytes,bytes_per_vertex,bytes_per_triangle,psnr,ssim,encode_s" > "$csv"
for mesh in "${meshes[@]}"; do
  src="$data/$mesh"
  name=$(basename "$mesh"); name=${name%.*}
  info=$("$bin" info --json "$src")
  vertices=$(echo "$info" | json "['vertices']")
  triangles=$(echo "$info" | json "['triangles']")
  glb="$out/$name.glb"
  "$bin" convert "$src" "$glb" > /dev/null
  row() {  # codec bytes decoded-file encode-seconds
    local e; e=$("$bin" eval "$src" "$3" $eval_args --json)
    printf '%s,%s,%s,%.2f,%.2f,%.2f,%.4f,%s\n' "$name" "$1" "$2" "$(echo "$2 / $vertices" | bc -l)" \
      "$(echo "$2 / $triangles" | bc -l)" "$(echo "$e" | json "['psnr']")" "$(echo "$e" | json "['ssim']")" \
      "$4" >> "$csv"
  }
  row "glb float32 (convert)" "$(size "$glb")" "$glb" "-"
  for preset in high balanced small; do
    t0=$(now)
    "$bin" compress "$src" "$out/$name-$preset.scz" --preset "$preset" > /dev/null
    row "scenezip-$preset" "$(size "$out/$name-$preset.scz")" "$out/$name-$preset.scz" "$(since "$t0")"
  done
  t0=$(now)
  "$gltfpack" -i "$glb" -o "$out/$name.gltfpack.glb" -cc -kv > "$out/$name.gltfpack.log" 2>&1 ||
    { echo "gltfpack failed on $glb (log: $out/$name.gltfpack.log)" >&2; exit 1; }
  seconds=$(since "$t0")
  node "$tools/decode.mjs" "$out/$name.gltfpack.glb" "$out/$name.gltfpack.decoded.glb"
  row "gltfpack -cc -kv" "$(size "$out/$name.gltfpack.glb")" "$out/$name.gltfpack.decoded.glb" "$seconds"
  t0=$(now)
  "$gltf_transform" draco "$glb" "$out/$name.draco.glb" > "$out/$name.draco.log" 2>&1 ||
    { echo "gltf-transform draco failed on $glb (log: $out/$name.draco.log)" >&2; exit 1; }
  seconds=$(since "$t0")
  node "$tools/decode.mjs" "$out/$name.draco.glb" "$out/$name.draco.decoded.glb"
  row "draco (gltf-transform)" "$(size "$out/$name.draco.glb")" "$out/$name.draco.decoded.glb" "$seconds"
done

echo "| mesh | codec | bytes | B/vertex | B/triangle | PSNR dB | SSIM | encode s |"
echo "|---|---|---|---|---|---|---|---|"
tail -n +2 "$csv" | while IFS=, read -r m c b bv bt p s e; do echo "| $m | $c | $b | $bv | $bt | $p | $s | $e |"; done
