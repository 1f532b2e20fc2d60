// Block-wide scan for splat_emit_count.comp, which walks the depth-sorted visible
// Gaussians in blocks of kRadixBlockSize, each thread owning kRadixItemsPerThread
// consecutive entries.

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
