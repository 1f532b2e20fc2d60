#version 460
// k-means assignment: for each vector, the nearest centroid (squared Euclidean distance,
// ties to the lower index) and that distance. The C++ twin is codec::assign_nearest.
// Centroids pass through shared memory a chunk at a time, every invocation of the
// workgroup reading the same centroid at once.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "shaderio.h"

layout(local_size_x = kKMeansAssignWorkgroupSize) in;

layout(std430, binding = kKMeansAssignBindingData) readonly buffer Data { float data[]; };
layout(std430, binding = kKMeansAssignBindingCentroids) readonly buffer Centroids { float centroids[]; };
layout(std430, binding = kKMeansAssignBindingAssignment) buffer Assignment { uint assignment[]; };
layout(std430, binding = kKMeansAssignBindingDistance) writeonly buffer Distance { float distance_out[]; };
layout(std430, binding = kKMeansAssignBindingControl) buffer Control { uint control[]; };

layout(push_constant) uniform Push { KMeansPush push; };

// Vectors and centroids as vec4 blocks padded with zeros: the loops over blocks unroll
// to constant indices, so a vector stays in registers instead of an indexed array.
const uint kMaxBlocks = kKMeansMaxDims / 4;
shared vec4 tile[kKMeansSharedFloats / 4];
shared uint changed;

// Block b of row `row` (dims floats from `src`'s index row * dims), zero past dims.
#define LOAD_BLOCK(src, row, b, dims, out_value)            \
  {                                                         \
    out_value = vec4(0.0);                                  \
    for (uint l = 0; l < 4; ++l) {                          \
      const uint j = 4 * (b) + l;                           \
      if (j < (dims)) out_value[l] = src[(row) * (dims) + j]; \
    }                                                       \
  }

void main() {
  const bool lloyd = push.iteration != kKMeansPlainAssign;
  if (lloyd && control[kKMeansControlStopped] != 0) return;  // uniform: converged earlier
  const uint tid = gl_LocalInvocationID.x;
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x;
  const uint i = group * kKMeansAssignWorkgroupSize + tid;
  const bool valid = i < push.count;
  const uint dims = push.dims;
  const uint blocks = (dims + 3) / 4;

  vec4 x[kMaxBlocks];
  [[unroll]] for (uint b = 0; b < kMaxBlocks; ++b) {
    x[b] = vec4(0.0);
    if (valid && b < blocks) LOAD_BLOCK(data, i, b, dims, x[b]);
  }
  if (tid == 0) changed = 0;

  float best = uintBitsToFloat(0x7F800000u);  // +infinity
  uint best_index = 0;
  const uint per_chunk = (kKMeansSharedFloats / 4) / blocks;
  for (uint base = 0; base < push.k; base += per_chunk) {
    const uint count = min(per_chunk, push.k - base);
    barrier();  // the previous chunk is no longer read
    for (uint f = tid; f < count * blocks; f += kKMeansAssignWorkgroupSize) {
      vec4 v;
      LOAD_BLOCK(centroids, base + f / blocks, f % blocks, dims, v);
      tile[f] = v;
    }
    barrier();
    if (valid) {
      for (uint c = 0; c < count; ++c) {
        // precise: no fused multiply-add, and the terms are added one by one in
        // coordinate order (padding adds exact zeros), so the sum rounds as the C++
        // reference's does and both pick the same centroid even between near-equal ones.
        precise float sum = 0.0;
        [[unroll]] for (uint b = 0; b < kMaxBlocks; ++b) {
          if (b < blocks) {
            const vec4 d = x[b] - tile[c * blocks + b];
            sum += d.x * d.x;
            sum += d.y * d.y;
            sum += d.z * d.z;
            sum += d.w * d.w;
          }
        }
        if (sum < best) {  // strict: the lower index keeps ties
          best = sum;
          best_index = base + c;
        }
      }
    }
  }
  if (valid) {
    if (lloyd && assignment[i] != best_index) changed = 1;  // benign race: all write 1
    assignment[i] = best_index;
    distance_out[i] = best;
  }
  if (lloyd) {
    barrier();
    if (tid == 0 && changed != 0) atomicOr(control[kKMeansControlChanged + push.iteration], 1u);
  }
}
