#!/usr/bin/env bash
# Codec comparison behind docs/BENCHMARKS.md: scenezip's presets against splat-transform's
# SOG, SPZ and compressed PLY, each decoded back by scenezip's readers and rendered
# against the original by `scenezip eval`.
#
# Usage: scripts/bench-codecs.sh SCENEZIP DATA_DIR OUT_DIR [SCENE...]
#   SCENE paths are relative to DATA_DIR (default: the raw PLY scenes).
#   Writes OUT_DIR/rd.csv, prints a markdown table, and OUT_DIR/rd.png when gnuplot exists.
#   splat-transform 2.7.1 is installed from the npm registry into OUT_DIR/tools (never into
#   the build or the tests); SPLAT_TRANSFORM=/path/to/splat-transform uses another copy.
#   Where DATA_DIR/peers holds a peer file made from the scene (peers/lego.sog for
#   splats/lego-3dgs.ply), it is used instead of encoding again (SOG's SH k-means wants a
#   GPU); its encode time is then reported as "-".
#   EVAL_ARGS sets eval's views and size (default: --views 4 --width 256 --height 256).
set -euo pipefail
bin=${1:?usage: bench-codecs.sh SCENEZIP DATA_DIR OUT_DIR [SCENE...]}
data=${2:?usage: bench-codecs.sh SCENEZIP DATA_DIR OUT_DIR [SCENE...]}
out=${3:?usage: bench-codecs.sh SCENEZIP DATA_DIR OUT_DIR [SCENE...]}
shift 3
scenes=("$@")
[ ${#scenes[@]} -gt 0 ] || scenes=(splats/small-sh3-9k.ply splats/tile-sh3-14k.ply splats/lego-3dgs.ply)
eval_args=${EVAL_ARGS:---views 4 --width 256 --height 256}
mkdir -p "$out"

st=${SPLAT_TRANSFORM:-}
if [ -z "$st" ]; then
  st="$out/tools/node_modules/.bin/splat-transform"
  if [ ! -x "$st" ]; then
    echo "installing splat-transform 2.7.1 into $out/tools" >&2
    npm install --prefix "$out/tools" --silent --no-audit --no-fund @playcanvas/splat-transform@2.7.1 >&2
  fi
fi

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l | xargs printf '%.2f'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }

csv="$out/rd.csv"
echo "scene,codec,bytes,bytes_per_gaussian,psnr,ssim,encode_s,decode_s" > "$csv"
for scene in "${scenes[@]}"; do
  src="$data/$scene"
  name=$(basename "$scene"); name=${name%%.*}
  count=$("$bin" info --json "$src" | json "['count']")
  row() {  # codec file encode_seconds
    local t0; t0=$(now)
    "$bin" info "$2" > /dev/null
    local decode; decode=$(since "$t0")
    local e; e=$("$bin" eval "$src" "$2" $eval_args --json)
    local bytes; bytes=$(echo "$e" | json "['candidate_bytes']")
    printf '%s,%s,%s,%.2f,%.2f,%.4f,%s,%s\n' "$name" "$1" "$bytes" "$(echo "$bytes / $count" | bc -l)" \
      "$(echo "$e" | json "['psnr']")" "$(echo "$e" | json "['ssim']")" "$3" "$decode" >> "$csv"
  }
  for preset in high balanced small; do
    t0=$(now)
    "$bin" compress "$src" "$out/$name-$preset.scz" --preset "$preset" > /dev/null
    row "scenezip-$preset" "$out/$name-$preset.scz" "$(since "$t0")"
  done
  for ext in sog spz compressed.ply; do
    peer="$data/peers/$name.$ext"
    [ "$name" = lego-3dgs ] && peer="$data/peers/lego.$ext"
    if [ -f "$peer" ]; then
      row "splat-transform-$ext" "$peer" "-"
    else
      t0=$(now)
      # -g cpu: SOG's SH k-means runs on the CPU where no GPU adapter is found (slow).
      "$st" -w -g cpu "$src" "$out/$name.$ext" > "$out/$name.$ext.log" 2>&1 ||
        { echo "splat-transform failed on $src -> .$ext (log: $out/$name.$ext.log)" >&2; exit 1; }
      row "splat-transform-$ext" "$out/$name.$ext" "$(since "$t0")"
    fi
  done
done

echo "| scene | codec | bytes | B/Gaussian | PSNR dB | SSIM | encode s | decode s |"
echo "|---|---|---|---|---|---|---|---|"
tail -n +2 "$csv" | while IFS=, read -r s c b bpg p ss e d; do echo "| $s | $c | $b | $bpg | $p | $ss | $e | $d |"; done

if command -v gnuplot > /dev/null; then
  plot=""
  colour=0
  for scene in "${scenes[@]}"; do
    colour=$((colour + 1))
    name=$(basename "$scene"); name=${name%%.*}
    grep "^$name,scenezip" "$csv" > "$out/$name-scenezip.dat" || true
    grep "^$name,splat-transform" "$csv" > "$out/$name-peers.dat" || true
    plot+="'$out/$name-scenezip.dat' using 4:5 with linespoints lc $colour title '$name scenezip', "
    plot+="'$out/$name-peers.dat' using 4:5:(sprintf('%s', strcol(2)[17:])) with labels point pt 7 lc $colour tc lt $colour offset 1,0 left title '$name splat-transform', "
  done
  gnuplot <<GP
set terminal pngcairo size 1000,700
set output '$out/rd.png'
set datafile separator ','
set xlabel 'bytes per Gaussian'
set ylabel 'PSNR against the original (dB)'
set grid
set key bottom right
plot ${plot%, }
GP
  echo "plot: $out/rd.png" >&2
fi
