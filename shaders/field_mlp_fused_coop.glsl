// The fused forward and backward kernels' common part: every layer's weights staged
// once per workgroup as float16, and per subgroup two row slabs (a layer's input and
// output, swapped from layer to layer) and a float tile for what leaves the matrix unit.
#include "field_mlp_coop.glsl"

layout(local_size_x = kFieldCoopWorkgroupSize) in;

layout(std430, binding = kFieldBindingParams) readonly buffer Params { float params[]; };

const uint kSubgroups = kFieldCoopWorkgroupSize / kFieldCoopSubgroupSize;
shared float16_t weights_half[kFieldCoopMaxWeights];
shared float16_t slabs[kSubgroups][2][kFieldCoopTile * kFieldCoopMaxWidth];
shared float tile_out[kSubgroups][kTileItems];

void stage_weights() {
  for (uint l = 0; l < layer_count(); ++l) {
    const uint k_dims = layer_in(l), n_dims = layer_out(l), k_pad = padded(k_dims);
    const uint base = shared_weight_offset(l), source = weight_offset(l);
    for (uint e = gl_LocalInvocationID.x; e < k_pad * padded(n_dims); e += kFieldCoopWorkgroupSize) {
      const uint n = e / k_pad, k = e % k_pad;
      weights_half[base + e] = float16_t(n < n_dims && k < k_dims ? params[source + n * k_dims + k] : 0.0);
    }
  }
  memoryBarrierShared();
  barrier();
}
