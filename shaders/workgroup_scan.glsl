// Exclusive prefix sums over one workgroup of kRadixWorkgroupSize invocations, in
// invocation order, for the radix and emission kernels. Where subgroups cover the
// workgroup in invocation order (every GPU measured so far), subgroup scans and one
// barrier; elsewhere a shared-memory scan of log2(size) barrier pairs, which the
// 32-wide steps of the radix kernels used to pay every time (16 barriers a scan).
// Both give the same sums. Call everything here from uniform control flow.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

shared uvec2 scan_values[kRadixWorkgroupSize];          // the shared-memory scan
const uint kScanMaxSubgroups = kRadixWorkgroupSize / 4;  // subgroups of 4 or more invocations
shared uvec2 scan_subgroup_totals[kScanMaxSubgroups];
shared uint scan_in_order;

// Whether subgroup s holds invocations s * size .. s * size + size - 1, every subgroup
// full, with gl_SubgroupInvocationID counting along them: the same answer in every
// invocation.
bool subgroups_in_invocation_order() {
  if (gl_LocalInvocationIndex == 0) scan_in_order = 1u;
  barrier();
  if (gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID != gl_LocalInvocationIndex ||
      gl_NumSubgroups * gl_SubgroupSize != kRadixWorkgroupSize || gl_NumSubgroups > kScanMaxSubgroups) {
    scan_in_order = 0u;
  }
  barrier();
  return scan_in_order != 0u;
}

// Sums of `value` over the invocations before this one (both components at once), and
// over the whole workgroup in `total`. `in_order` is subgroups_in_invocation_order().
uvec2 workgroup_exclusive_scan(bool in_order, uvec2 value, out uvec2 total) {
  const uint tid = gl_LocalInvocationIndex;
  if (in_order) {
    const uvec2 inclusive = subgroupInclusiveAdd(value);
    if (gl_SubgroupInvocationID == gl_SubgroupSize - 1u) scan_subgroup_totals[gl_SubgroupID] = inclusive;
    barrier();
    uvec2 before = inclusive - value;
    total = uvec2(0u);
    for (uint s = 0; s < gl_NumSubgroups; ++s) {
      const uvec2 t = scan_subgroup_totals[s];
      if (s < gl_SubgroupID) before += t;
      total += t;
    }
    barrier();  // every total read before the next scan writes them
    return before;
  }
  scan_values[tid] = value;
  barrier();
  for (uint step = 1; step < kRadixWorkgroupSize; step <<= 1) {
    const uvec2 add = tid >= step ? scan_values[tid - step] : uvec2(0u);
    barrier();
    scan_values[tid] += add;
    barrier();
  }
  const uvec2 inclusive = scan_values[tid];
  total = scan_values[kRadixWorkgroupSize - 1];
  barrier();  // read before the next scan writes
  return inclusive - value;
}
