#version 460
// k-means, end of a Lloyd iteration (one workgroup): each empty cluster, in index order,
// takes the vector worst served by its centroid (largest weight * squared distance, ties
// to the lower index), as codec::train_kmeans does; then the iteration is counted, or,
// when its assignment repeated the previous one, the loop is marked converged and the
// kernels recorded for later iterations do nothing.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kKMeansRefillWorkgroupSize) in;

layout(std430, binding = kKMeansRefillBindingData) readonly buffer Data { float data[]; };
layout(std430, binding = kKMeansRefillBindingWeights) readonly buffer Weights { float weights[]; };
layout(std430, binding = kKMeansRefillBindingDistance) readonly buffer Distance { float distance_in[]; };
layout(std430, binding = kKMeansRefillBindingSizes) readonly buffer Sizes { uint sizes[]; };
layout(std430, binding = kKMeansRefillBindingCentroids) buffer Centroids { float centroids[]; };
layout(std430, binding = kKMeansRefillBindingControl) buffer Control { uint control[]; };

layout(push_constant) uniform Push { KMeansPush push; };

shared uint empty_flags[kKMeansRefillWorkgroupSize];
shared float best_score[kKMeansRefillWorkgroupSize];
shared uint best_vector[kKMeansRefillWorkgroupSize];

// (score, index) orders vectors by how badly they are served: higher score first, then
// lower index. True when a comes before b.
bool before(float score_a, uint a, float score_b, uint b) {
  return score_a > score_b || (score_a == score_b && a < b);
}

void main() {
  const uint tid = gl_LocalInvocationID.x;
  if (control[kKMeansControlStopped] != 0) return;
  if (control[kKMeansControlChanged + push.iteration] == 0) {
    if (tid == 0) {
      control[kKMeansControlStopped] = 1;
      control[kKMeansControlSortCount] = 0;
      control[kKMeansControlSortBlocks] = 0;
    }
    return;
  }

  // The last vector taken; the next one taken is the first after it in `before` order.
  float last_score = uintBitsToFloat(0x7F800000u);
  uint last_vector = 0xFFFFFFFFu;
  bool any_taken = false;
  const uint dims = push.dims;
  for (uint base = 0; base < push.k; base += kKMeansRefillWorkgroupSize) {
    const uint c = base + tid;
    empty_flags[tid] = c < push.k && sizes[c] == 0 ? 1u : 0u;
    barrier();
    for (uint e = 0; e < kKMeansRefillWorkgroupSize; ++e) {
      if (empty_flags[e] == 0) continue;  // uniform: shared value
      float score = -1.0;
      uint vector_index = 0xFFFFFFFFu;
      for (uint i = tid; i < push.count; i += kKMeansRefillWorkgroupSize) {
        const float s = weights[i] * distance_in[i];
        if (any_taken && !before(last_score, last_vector, s, i)) continue;  // taken already
        if (s > score) {  // strict: this invocation sees its vectors in rising index order
          score = s;
          vector_index = i;
        }
      }
      best_score[tid] = score;
      best_vector[tid] = vector_index;
      barrier();
      for (uint stride = kKMeansRefillWorkgroupSize / 2; stride > 0; stride >>= 1) {
        if (tid < stride && best_vector[tid + stride] != 0xFFFFFFFFu &&
            (best_vector[tid] == 0xFFFFFFFFu ||
             before(best_score[tid + stride], best_vector[tid + stride], best_score[tid], best_vector[tid]))) {
          best_score[tid] = best_score[tid + stride];
          best_vector[tid] = best_vector[tid + stride];
        }
        barrier();
      }
      const uint picked = best_vector[0];
      if (picked != 0xFFFFFFFFu) {  // uniform; none left only when empties outnumber vectors
        last_score = best_score[0];
        last_vector = picked;
        any_taken = true;
        for (uint j = tid; j < dims; j += kKMeansRefillWorkgroupSize) centroids[(base + e) * dims + j] = data[picked * dims + j];
      }
      barrier();
    }
    barrier();  // every invocation is done reading empty_flags before the next chunk's
  }
  if (tid == 0) control[kKMeansControlIterations] = push.iteration + 1;
}
