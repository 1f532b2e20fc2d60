#version 460
// k-means assignment: for each vector, the nearest centroid (squared Euclidean distance,
// ties to the lower index) and that distance. The C++ twin is codec::assign_nearest.
// Centroids pass through shared memory a chunk at a time, every invocation of the
// workgroup reading the same centroid at once.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Data { float data[]; };
layout(std430, binding = 1) readonly buffer Centroids { float centroids[]; };
layout(std430, binding = 2) buffer Assignment { uint assignment[]; };
layout(std430, binding = 3) writeonly buffer Distance { float distance_out[]; };
layout(std430, binding = 4) buffer Control { uint control[]; };

layout(push_constant) uniform Push { KMeansPush push; };

shared float tile[kKMeansSharedFloats];
shared uint changed;

void main() {
  const bool lloyd = push.iteration != kKMeansPlainAssign;
  if (lloyd && control[kKMeansControlStopped] != 0) return;  // uniform: converged earlier
  const uint tid = gl_LocalInvocationID.x;
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x;
  const uint i = group * kKMeansAssignWorkgroupSize + tid;
  const bool valid = i < push.count;
  const uint dims = push.dims;

  float x[kKMeansMaxDims];
  for (uint j = 0; j < dims; ++j) x[j] = valid ? data[i * dims + j] : 0.0;
  if (tid == 0) changed = 0;

  float best = uintBitsToFloat(0x7F800000u);  // +infinity
  uint best_index = 0;
  const uint per_chunk = kKMeansSharedFloats / dims;
  for (uint base = 0; base < push.k; base += per_chunk) {
    const uint count = min(per_chunk, push.k - base);
    barrier();  // the previous chunk is no longer read
    for (uint f = tid; f < count * dims; f += kKMeansAssignWorkgroupSize) tile[f] = centroids[base * dims + f];
    barrier();
    if (valid) {
      for (uint c = 0; c < count; ++c) {
        // precise: no fused multiply-add, so the sum rounds as the C++ reference's does
        // and both pick the same centroid even between near-equal ones.
        precise float sum = 0.0;
        for (uint j = 0; j < dims; ++j) {
          const float d = x[j] - tile[c * dims + j];
          sum += d * d;
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
