#!/usr/bin/env bash
# Keeps shaders/shaderio.h the one place where C++ and GLSL agree: no shader writes a
# binding number or workgroup size of its own, and every constant the header declares
# is used by a shader or by C++ (a constant nobody reads is a layout nobody checks).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if grep -nE '(binding|local_size_[xyz])[[:space:]]*=[[:space:]]*[0-9]' shaders/*.comp shaders/*.glsl; then
  echo "shaders above write a literal binding or workgroup size: take it from shaders/shaderio.h" >&2
  status=1
fi
for name in $(grep -oE 'SCZ_(CONST|CONST_FLOAT|FUNCTION)[[:space:]]+(uint[[:space:]]+)?k?[A-Za-z0-9_]+' shaders/shaderio.h |
              awk '{print $NF}'); do
  if ! grep -qw "$name" shaders/*.comp shaders/*.glsl engine/*/*.cpp engine/*/*.h viewer/*.cpp viewer/*.h; then
    echo "shaders/shaderio.h declares $name, which no shader or C++ file uses" >&2
    status=1
  fi
done
[ $status = 0 ] && echo "shaders take every binding and workgroup size from shaderio.h, and use all it declares"
exit $status
