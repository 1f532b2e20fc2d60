// Shared by the matrix-unit MLP kernels (field_mlp_forward_coop.comp,
// field_mlp_backward_coop.comp, field_weight_grad_coop.comp): the extensions, the tile
// types and the layer shapes the push constants describe. GL_NV_cooperative_matrix
// rather than the KHR extension because Debian 12's glslc does not know the KHR one;
// the two have the same tiles, so switching is a compiler upgrade and a rename.
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(push_constant) uniform Push { FieldPush push; };

#define HalfTile fcoopmatNV<16, gl_ScopeSubgroup, kFieldCoopTile, kFieldCoopTile>
#define FloatTile fcoopmatNV<32, gl_ScopeSubgroup, kFieldCoopTile, kFieldCoopTile>

const uint kTileItems = kFieldCoopTile * kFieldCoopTile;

uint group_index() { return gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x; }
uint padded(uint n) { return (n + kFieldCoopTile - 1) / kFieldCoopTile * kFieldCoopTile; }
uint layer_count() { return push.hidden_layers + 1; }
uint layer_in(uint l) { return l == 0 ? push.in_dims : push.hidden_width; }
uint layer_out(uint l) { return l == push.hidden_layers ? push.out_dims : push.hidden_width; }
// Layer l's weights ([out][in] floats) in params.
uint weight_offset(uint l) {
  uint o = push.weight_offset;
  for (uint m = 0; m < l; ++m) o += layer_in(m) * layer_out(m);
  return o;
}
// Layer l's input rows in activations / deltas; l = layer_count() gives the raw outputs.
uint activation_offset(uint l) {
  uint o = push.in_offset;
  for (uint m = 0; m < l; ++m) o += push.capacity * layer_in(m);
  return o;
}
// Layer l's float16 weights in shared memory: [padded out][padded in], zero padding.
uint shared_weight_offset(uint l) {
  uint o = 0;
  for (uint m = 0; m < l; ++m) o += padded(layer_in(m)) * padded(layer_out(m));
  return o;
}

// Waits for the subgroup's shared-memory writes before its lanes (or a tile load) read them.
void subgroup_sync() {
  subgroupMemoryBarrierShared();
  subgroupBarrier();
}
