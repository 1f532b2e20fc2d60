#version 460
// k-means update: one workgroup per centroid finds its run in the vector indices sorted
// by assignment (a stable sort, so the run lists its vectors in input order), sums the
// weighted vectors over it in a fixed order and moves the centroid to their mean. The
// C++ twin is the update step of codec::train_kmeans (which sums in double).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kKMeansUpdateWorkgroupSize) in;

layout(std430, binding = kKMeansUpdateBindingData) readonly buffer Data { float data[]; };
layout(std430, binding = kKMeansUpdateBindingWeights) readonly buffer Weights { float weights[]; };
layout(std430, binding = kKMeansUpdateBindingSortedKeys) readonly buffer SortedKeys { uint sorted_keys[]; };
layout(std430, binding = kKMeansUpdateBindingSortedIndex) readonly buffer SortedIndex { uint sorted_index[]; };
layout(std430, binding = kKMeansUpdateBindingCentroids) buffer Centroids { float centroids[]; };
layout(std430, binding = kKMeansUpdateBindingSizes) writeonly buffer Sizes { uint sizes[]; };
layout(std430, binding = kKMeansUpdateBindingControl) readonly buffer Control { uint control[]; };

layout(push_constant) uniform Push { KMeansPush push; };

shared float partial[kKMeansUpdateWorkgroupSize];
shared uint run[2];

// First sorted position whose key is >= `key`.
uint lower_bound(uint key) {
  uint lo = 0, hi = push.count;
  while (lo < hi) {
    const uint mid = (lo + hi) / 2;
    if (sorted_keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Sum of `value` over the workgroup by a fixed tree.
float workgroup_sum(float value) {
  const uint tid = gl_LocalInvocationID.x;
  partial[tid] = value;
  barrier();
  for (uint stride = kKMeansUpdateWorkgroupSize / 2; stride > 0; stride >>= 1) {
    if (tid < stride) partial[tid] += partial[tid + stride];
    barrier();
  }
  const float total = partial[0];
  barrier();
  return total;
}

void main() {
  // Uniform exits: converged earlier, or this iteration's assignment repeated the last.
  if (control[kKMeansControlStopped] != 0 || control[kKMeansControlChanged + push.iteration] == 0) return;
  const uint c = gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x;
  if (c >= push.k) return;
  const uint tid = gl_LocalInvocationID.x;
  if (tid == 0) {
    run[0] = lower_bound(c);
    run[1] = lower_bound(c + 1);
    sizes[c] = run[1] - run[0];
  }
  barrier();
  const uint begin = run[0], end = run[1];
  if (begin == end) return;  // empty: kmeans_refill's work

  float w = 0.0;
  for (uint p = begin + tid; p < end; p += kKMeansUpdateWorkgroupSize) w += weights[sorted_index[p]];
  const float total = workgroup_sum(w);
  if (!(total > 0.0)) return;  // a cluster of zero-weight vectors keeps its centroid

  const uint dims = push.dims;
  for (uint j = 0; j < dims; ++j) {
    float s = 0.0;
    for (uint p = begin + tid; p < end; p += kKMeansUpdateWorkgroupSize) {
      const uint v = sorted_index[p];
      s += weights[v] * data[v * dims + j];
    }
    const float sum = workgroup_sum(s);
    if (tid == 0) centroids[c * dims + j] = sum / total;
  }
}
