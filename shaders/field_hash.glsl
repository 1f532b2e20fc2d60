// The hash grid's cell corners, shared by the field kernels and nerf_render.comp (twin
// of engine/field/hash_encoding.cpp: change both together).
// Level = (resolution, offset, size, dense). Corner c sits at offset
// (c & 1, c >> 1 & 1, c >> 2 & 1) of the cell holding p; products and sums in the
// reference's order.
// Written with whole-vector operations, no per-component indexing in loops: in a larger
// shader (nerf_render.comp) llvmpipe miscompiled that form and corrupted the caller.
void cell_corners(uvec4 level, vec3 position, out uint entry[8], out float weight[8]) {
  const float r = float(level.x);
  const vec3 p = clamp(position, vec3(0.0), vec3(1.0));
  const precise vec3 x = p * r;
  const vec3 cell = min(floor(x), vec3(r - 1.0));
  const uvec3 base = uvec3(cell);
  const vec3 frac_part = x - cell;
  const uint side = level.x + 1;
  for (uint c = 0; c < 8; ++c) {
    const uvec3 d = uvec3(c & 1u, (c >> 1) & 1u, (c >> 2) & 1u);
    precise float w = d.x != 0 ? frac_part.x : 1.0 - frac_part.x;
    w *= d.y != 0 ? frac_part.y : 1.0 - frac_part.y;
    w *= d.z != 0 ? frac_part.z : 1.0 - frac_part.z;
    weight[c] = w;
    const uvec3 v = base + d;
    const uint index = level.w != 0 ? v.x + side * (v.y + side * v.z)
                                    : ((v.x * kFieldHashPrime0) ^ (v.y * kFieldHashPrime1) ^ (v.z * kFieldHashPrime2)) &
                                          (level.z - 1u);
    entry[c] = level.y + index;
  }
}
