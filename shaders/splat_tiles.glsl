// Tile-instance emission shared by splat_emit_count.comp and splat_emit.comp: both walk
// the depth-sorted visible Gaussians in blocks of kRadixBlockSize, each thread owning
// kRadixItemsPerThread consecutive entries, so their sums line up exactly.

uint tiles_of(Splat2D s) {
  const uvec2 lo = uvec2(s.rect_min & 0xFFFFu, s.rect_min >> 16);
  const uvec2 hi = uvec2(s.rect_max & 0xFFFFu, s.rect_max >> 16);
  return (hi.x - lo.x) * (hi.y - lo.y);
}

shared uint block_scan[kRadixWorkgroupSize];

// Inclusive prefix sum over the workgroup.
uint workgroup_inclusive_scan(uint value) {
  const uint tid = gl_LocalInvocationID.x;
  block_scan[tid] = value;
  barrier();
  for (uint step = 1; step < kRadixWorkgroupSize; step <<= 1) {
    const uint add = tid >= step ? block_scan[tid - step] : 0;
    barrier();
    block_scan[tid] += add;
    barrier();
  }
  const uint result = block_scan[tid];
  barrier();
  return result;
}
