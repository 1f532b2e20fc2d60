#version 460
// Front-to-back alpha blending of the splats covering one 16x16 tile, a workgroup per
// tile, splats fetched in batches of 256 into shared memory. Same rules as the 3DGS
// reference: alpha capped at 0.99, alpha < 1/255 skipped, stop once transmittance
// would fall below 1e-4.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, binding = 0) readonly buffer Params { FrameParams params; };
layout(std430, binding = 1) readonly buffer Ranges { uvec2 ranges[]; };
layout(std430, binding = 2) readonly buffer Values { uint values[]; };
layout(std430, binding = 3) readonly buffer Splats { Splat2D splats[]; };
layout(std430, binding = 4) writeonly buffer Image { vec4 image[]; };
// An opaque frame drawn first (meshes, points): splats behind its surface are hidden and
// its colour shows through what the splats leave transparent.
layout(std430, binding = 5) readonly buffer UnderlayColor { vec4 underlay_color[]; };
layout(std430, binding = 6) readonly buffer UnderlayDepth { float underlay_depth[]; };

const uint kBatch = kTileSize * kTileSize;
shared vec4 batch_mean_opacity[kBatch];  // mean x, mean y, opacity, power cutoff
shared vec4 batch_conic[kBatch];         // -conic_a / 2, -conic_b, -conic_c / 2
shared vec4 batch_color[kBatch];         // rgb, depth
shared uint done_count;

void main() {
  const uvec2 tile = gl_WorkGroupID.xy;
  const uvec2 pixel = tile * kTileSize + gl_LocalInvocationID.xy;
  const uint tid = gl_LocalInvocationIndex;
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
  bool done = !inside;
  float T = 1.0;
  vec3 C = vec3(0.0);

  for (uint start = range.x; start < range.y; start += kBatch) {
    if (tid == 0) done_count = 0;
    barrier();
    if (done) atomicAdd(done_count, 1u);
    const uint fetch = start + tid;
    if (fetch < range.y) {
      const Splat2D s = splats[values[fetch]];
      // Below `cutoff` the power gives alpha < 1/255 without evaluating exp; the small
      // margin leaves borderline pixels to the exact test.
      const float cutoff = -log(255.0 * s.opacity) - 1e-3;
      batch_mean_opacity[tid] = vec4(s.mean_x, s.mean_y, s.opacity, cutoff);
      batch_conic[tid] = vec4(-0.5 * s.conic_a, -s.conic_b, -0.5 * s.conic_c, 0.0);
      batch_color[tid] = vec4(s.r, s.g, s.b, s.depth);
    }
    barrier();
    if (done_count == kBatch) break;  // every pixel of the tile is saturated
    const uint batch_size = min(kBatch, range.y - start);
    for (uint j = 0; j < batch_size && !done; ++j) {
      // Splats come front to back: the first one behind the surface ends the pixel.
      if (batch_color[j].w >= opaque_depth) {
        done = true;
        break;
      }
      const vec4 mo = batch_mean_opacity[j];
      const vec4 co = batch_conic[j];
      const vec2 d = mo.xy - pixf;
      const float power = co.x * d.x * d.x + co.z * d.y * d.y + co.y * d.x * d.y;
      if (power > 0.0 || power < mo.w) continue;
      const float alpha = min(0.99, mo.z * exp(power));
      if (alpha < 1.0 / 255.0) continue;
      const float next_T = T * (1.0 - alpha);
      if (next_T < 0.0001) {
        done = true;
        break;
      }
      C += batch_color[j].rgb * alpha * T;
      T = next_T;
    }
    barrier();
  }
  if (inside) image[pixel.y * params.width + pixel.x] = vec4(C + T * under, 1.0 - T);
}
