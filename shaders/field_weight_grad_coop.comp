#version 460
// A layer's weight gradient on the matrix units, first stage: one subgroup per (chunk
// of kFieldWeightGradChunk samples, 16 outputs, 16 inputs) tile sums d_out^T x over the
// chunk in 16-row steps into partials laid out as field_weight_grad.comp's, which
// field_weight_reduce.comp adds in order. The deltas are scaled (a power of two per
// chunk and output tile, as field_mlp_backward_coop.comp does per row tile) so that
// float16 holds them.
#include "field_mlp_coop.glsl"

layout(local_size_x = kFieldCoopSubgroupSize) in;

layout(std430, binding = kFieldBindingActivations) readonly buffer Activations { float activations[]; };
layout(std430, binding = kFieldBindingDeltas) readonly buffer Deltas { float deltas[]; };
layout(std430, binding = kFieldBindingPartials) writeonly buffer Partials { float partials[]; };

shared float16_t delta_tile[kTileItems];
shared float16_t input_tile[kTileItems];
shared float sum_tile[kTileItems];

void main() {
  const uint k_dims = push.in_dims, n_dims = push.out_dims;
  const uint k_tiles = padded(k_dims) / kFieldCoopTile, n_tiles = padded(n_dims) / kFieldCoopTile;
  const uint group = group_index();
  const uint c = group / (k_tiles * n_tiles);
  if (c >= push.count) return;
  const uint n0 = (group / k_tiles) % n_tiles * kFieldCoopTile;
  const uint k0 = group % k_tiles * kFieldCoopTile;
  const uint lane = gl_SubgroupInvocationID;
  const uint first = c * kFieldWeightGradChunk;
  const uint last = min(push.batch, first + kFieldWeightGradChunk);

  float largest = 0.0;
  for (uint e = lane; e < (last - first) * kFieldCoopTile; e += gl_SubgroupSize) {
    const uint b = first + e / kFieldCoopTile, n = n0 + e % kFieldCoopTile;
    if (n < n_dims) largest = max(largest, abs(deltas[push.out_offset + b * n_dims + n]));
  }
  largest = subgroupMax(largest);
  const float exponent = largest > 0.0 ? clamp(ceil(log2(largest)), -120.0, 120.0) : 0.0;
  const float scale = exp2(-exponent), unscale = exp2(exponent);

  FloatTile sum = FloatTile(0.0);
  for (uint b0 = first; b0 < last; b0 += kFieldCoopTile) {
    for (uint e = lane; e < kTileItems; e += gl_SubgroupSize) {
      const uint b = b0 + e / kFieldCoopTile, j = e % kFieldCoopTile;
      const bool row = b < last;
      const float d = row && n0 + j < n_dims ? deltas[push.out_offset + b * n_dims + n0 + j] : 0.0;
      const float x = row && k0 + j < k_dims ? activations[push.in_offset + b * k_dims + k0 + j] : 0.0;
      delta_tile[e] = float16_t(d * scale);
      input_tile[e] = float16_t(x);
    }
    subgroup_sync();
    HalfTile d, x;
    // Column-major: element (n, b) is the delta of sample b0 + b at output n0 + n.
    coopMatLoadNV(d, delta_tile, 0, kFieldCoopTile, true);
    coopMatLoadNV(x, input_tile, 0, kFieldCoopTile, false);
    sum = coopMatMulAddNV(d, x, sum);
    subgroup_sync();
  }
  coopMatStoreNV(sum, sum_tile, 0, kFieldCoopTile, false);
  subgroup_sync();
  const uint weights = k_dims * n_dims;
  for (uint e = lane; e < kTileItems; e += gl_SubgroupSize) {
    const uint n = n0 + e / kFieldCoopTile, k = k0 + e % kFieldCoopTile;
    if (n < n_dims && k < k_dims) partials[c * weights + n * k_dims + k] = sum_tile[e] * unscale;
  }
}
