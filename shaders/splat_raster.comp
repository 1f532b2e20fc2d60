#version 460
// Colours each pixel of a 16x16 tile from the splats covering it (splat_blend.glsl's
// front-to-back loop), over the background or an opaque frame drawn first.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#include "shaderio.h"

layout(local_size_x = kRasterWorkgroupSize) in;

layout(std430, binding = kRasterBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kRasterBindingRanges) readonly buffer Ranges { uvec2 ranges[]; };
layout(std430, binding = kRasterBindingValues) readonly buffer Values { uint values[]; };
layout(std430, binding = kRasterBindingSplats) readonly buffer Splats { Splat2D splats[]; };
layout(std430, binding = kRasterBindingImage) writeonly buffer Image { vec4 image[]; };
// An opaque frame drawn first (meshes, points): splats behind its surface are hidden and
// its colour shows through what the splats leave transparent.
layout(std430, binding = kRasterBindingUnderlayColor) readonly buffer UnderlayColor { vec4 underlay_color[]; };
layout(std430, binding = kRasterBindingUnderlayDepth) readonly buffer UnderlayDepth { float underlay_depth[]; };
layout(std430, binding = kRasterBindingKeysTile) readonly buffer KeysTile { uint keys_tile[]; };

vec3 C = vec3(0.0);

void on_fetch(uint slot, uint gaussian) {}
void on_batch_end(uint slot, uint batch_size) {}
// splat_emit.comp put the blocks in the key.
uint fetch_blocks(uint instance, uvec2 tile) { return keys_tile[instance] >> kTileKeyBlocksShift; }
void on_blend(uint slot, float alpha, float T);  // defined below: it reads the batch

#include "splat_blend.glsl"

void on_blend(uint slot, float alpha, float T) { C += batch_color[slot].rgb * alpha * T; }

void main() {
  const uvec2 tile = gl_WorkGroupID.xy;
  const uvec2 pixel = tile * kTileSize + tile_pixel(gl_LocalInvocationIndex);
  const bool inside = pixel.x < params.width && pixel.y < params.height;
  const vec2 pixf = vec2(pixel) + 0.5;

  const uvec2 range = ranges[tile.y * params.tiles_x + tile.x];
  vec3 under = vec3(params.background[0], params.background[1], params.background[2]);
  float opaque_depth = 3.0e38;
  if (params.use_underlay != 0 && inside) {
    const uint p = pixel.y * params.width + pixel.x;
    under = underlay_color[p].rgb;
    opaque_depth = underlay_depth[p];
  }
  const float T = blend_tile(tile, range, inside, pixf, opaque_depth);
  if (inside) image[pixel.y * params.width + pixel.x] = vec4(C + T * under, 1.0 - T);
}
