#version 460
// Every MLP layer's forward pass in one dispatch on the matrix units: each subgroup
// carries 16-row tiles of the encoded inputs through all layers in shared memory
// (float16 products, float32 sums, ReLU between layers) and writes each layer's output
// rows as float32 where field_linear.comp would, so the loss, the backward pass and
// the C++ twin (linear_forward in engine/field/field_model.cpp) see the same layout.
#include "field_mlp_fused_coop.glsl"

layout(std430, binding = kFieldBindingActivations) buffer Activations { float activations[]; };

void main() {
  stage_weights();
  const uint sg = gl_SubgroupID;
  const uint lane = gl_SubgroupInvocationID;
  for (uint t = sg; t < kFieldCoopRows / kFieldCoopTile; t += kSubgroups) {
    const uint row0 = group_index() * kFieldCoopRows + t * kFieldCoopTile;
    if (row0 >= push.batch) break;
    uint current = 0;
    const uint in_dims = layer_in(0), in_pad = padded(in_dims), in_base = activation_offset(0);
    for (uint e = lane; e < kFieldCoopTile * in_pad; e += gl_SubgroupSize) {
      const uint r = e / in_pad, k = e % in_pad, row = row0 + r;
      const float x = row < push.batch && k < in_dims ? activations[in_base + row * in_dims + k] : 0.0;
      slabs[sg][current][r * kFieldCoopMaxWidth + k] = float16_t(x);
    }
    subgroup_sync();
    for (uint l = 0; l < layer_count(); ++l) {
      const uint k_pad = padded(layer_in(l)), n_dims = layer_out(l);
      const uint w_base = shared_weight_offset(l), out_base = activation_offset(l + 1);
      const bool relu = l < push.hidden_layers;
      for (uint n0 = 0; n0 < n_dims; n0 += kFieldCoopTile) {
        FloatTile sum = FloatTile(0.0);
        for (uint k0 = 0; k0 < k_pad; k0 += kFieldCoopTile) {
          HalfTile x, w;
          coopMatLoadNV(x, slabs[sg][current], k0, kFieldCoopMaxWidth, false);
          // The weight tile transposed: element (k, n) is W[n0 + n][k0 + k].
          coopMatLoadNV(w, weights_half, w_base + n0 * k_pad + k0, k_pad, true);
          sum = coopMatMulAddNV(x, w, sum);
        }
        coopMatStoreNV(sum, tile_out[sg], 0, kFieldCoopTile, false);
        subgroup_sync();
        for (uint e = lane; e < kTileItems; e += gl_SubgroupSize) {
          const uint r = e / kFieldCoopTile, n = n0 + e % kFieldCoopTile, row = row0 + r;
          const float y = relu ? max(tile_out[sg][e], 0.0) : tile_out[sg][e];
          slabs[sg][1 - current][r * kFieldCoopMaxWidth + n] = float16_t(y);
          if (row < push.batch && n < n_dims) activations[out_base + row * n_dims + n] = y;
        }
        subgroup_sync();
      }
      current = 1 - current;
    }
  }
}
