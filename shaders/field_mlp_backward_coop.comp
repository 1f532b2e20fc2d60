#version 460
// Every MLP layer's backward pass to its input in one dispatch on the matrix units:
// each subgroup carries 16-row tiles of the output deltas back through all layers
// (d_in = d_out W, cut where the layer's input, a ReLU output, was 0) and writes each
// layer's input deltas as float32 where field_linear_backward.comp would (the first
// layer's only for the grad_dims hash columns). float16 cannot hold a loss gradient
// divided by the batch (it underflows), so each tile is scaled by a power of two that
// brings its largest output delta to [0.5, 1) and unscaled on the way out: exact in
// float32 and per tile, so one tile's tiny gradients do not vanish beside another's.
#include "field_mlp_fused_coop.glsl"

layout(std430, binding = kFieldBindingActivations) readonly buffer Activations { float activations[]; };
layout(std430, binding = kFieldBindingDeltas) buffer Deltas { float deltas[]; };

void main() {
  stage_weights();
  const uint sg = gl_SubgroupID;
  const uint lane = gl_SubgroupInvocationID;
  for (uint t = sg; t < kFieldCoopRows / kFieldCoopTile; t += kSubgroups) {
    const uint row0 = group_index() * kFieldCoopRows + t * kFieldCoopTile;
    if (row0 >= push.batch) break;
    uint current = 0;
    const uint last = layer_count() - 1;
    const uint out_dims = layer_out(last), out_pad = padded(out_dims), out_base = activation_offset(last + 1);
    float largest = 0.0;
    for (uint e = lane; e < kFieldCoopTile * out_pad; e += gl_SubgroupSize) {
      const uint r = e / out_pad, n = e % out_pad, row = row0 + r;
      if (row < push.batch && n < out_dims) largest = max(largest, abs(deltas[out_base + row * out_dims + n]));
    }
    largest = subgroupMax(largest);
    const float exponent = largest > 0.0 ? clamp(ceil(log2(largest)), -120.0, 120.0) : 0.0;
    const float scale = exp2(-exponent), unscale = exp2(exponent);
    for (uint e = lane; e < kFieldCoopTile * out_pad; e += gl_SubgroupSize) {
      const uint r = e / out_pad, n = e % out_pad, row = row0 + r;
      const float d = row < push.batch && n < out_dims ? deltas[out_base + row * out_dims + n] : 0.0;
      slabs[sg][current][r * kFieldCoopMaxWidth + n] = float16_t(d * scale);
    }
    subgroup_sync();
    for (uint l = last + 1; l-- > 0;) {
      const uint k_dims = layer_in(l), k_pad = padded(k_dims), n_pad = padded(layer_out(l));
      const uint wanted = l == 0 ? push.grad_dims : k_dims;
      const uint w_base = shared_weight_offset(l), in_base = activation_offset(l);
      for (uint k0 = 0; k0 < wanted; k0 += kFieldCoopTile) {
        FloatTile sum = FloatTile(0.0);
        for (uint n0 = 0; n0 < n_pad; n0 += kFieldCoopTile) {
          HalfTile d, w;
          coopMatLoadNV(d, slabs[sg][current], n0, kFieldCoopMaxWidth, false);
          coopMatLoadNV(w, weights_half, w_base + n0 * k_pad + k0, k_pad, false);
          sum = coopMatMulAddNV(d, w, sum);
        }
        coopMatStoreNV(sum, tile_out[sg], 0, kFieldCoopTile, false);
        subgroup_sync();
        for (uint e = lane; e < kTileItems; e += gl_SubgroupSize) {
          const uint r = e / kFieldCoopTile, k = k0 + e % kFieldCoopTile, row = row0 + r;
          const bool inside = row < push.batch && k < k_dims;
          float g = inside ? tile_out[sg][e] : 0.0;
          if (l > 0 && inside && !(activations[in_base + row * k_dims + k] > 0.0)) g = 0.0;
          slabs[sg][1 - current][r * kFieldCoopMaxWidth + k] = float16_t(g);
          if (inside && k < wanted) deltas[in_base + row * k_dims + k] = g * unscale;
        }
        subgroup_sync();
      }
      current = 1 - current;
    }
  }
}
