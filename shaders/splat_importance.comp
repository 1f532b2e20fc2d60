#version 460
// Adds each Gaussian's blending weight alpha * T, summed over the pixels of one frame,
// into a per-Gaussian 64-bit fixed-point sum (splat_blend.glsl's loop, colour left out).
// Integer atomics because float atomics are an optional feature; the pixels of a tile
// first sum into shared memory, so each (tile, Gaussian) pair costs one global add.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#include "shaderio.h"

layout(local_size_x = kRasterWorkgroupSize) in;

layout(std430, binding = kImportanceBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kImportanceBindingRanges) readonly buffer TileRanges { uint tile_ranges[]; };  // shaderio.h
layout(std430, binding = kImportanceBindingValues) readonly buffer Values { uint values[]; };
layout(std430, binding = kImportanceBindingSplats) readonly buffer Splats { uint splat_scalars[]; };  // splat_record.glsl
#define SPLAT_RECORD_SCALARS
layout(std430, binding = kImportanceBindingCounters) readonly buffer Counters { uint counters[]; };
// Per Gaussian: low word, high word of sum(alpha * T) * kImportanceFixedScale.
layout(std430, binding = kImportanceBindingSums) buffer Sums { uvec2 sums[]; };

shared uint batch_gaussian[kTileSize * kTileSize];
shared uint batch_weight[kTileSize * kTileSize];  // fixed point, at most 256 * 0.99 * scale < 2^32

void on_fetch(uint slot, uint gaussian) {
  batch_gaussian[slot] = gaussian;
  batch_weight[slot] = 0;
}

void on_blend(uint slot, float alpha, float T) {
  atomicAdd(batch_weight[slot], uint(alpha * T * float(kImportanceFixedScale) + 0.5));
}

// Every block: this pass is not timed, and the result is the same either way.
uint fetch_blocks(uint instance, uvec2 tile) { return (1u << kRasterBlocksPerTile) - 1u; }

void on_batch_end(uint slot, uint batch_size) {
  if (slot >= batch_size) return;
  const uint add = batch_weight[slot];
  if (add == 0) return;
  const uint g = batch_gaussian[slot];
  // A 64-bit add from two 32-bit ones: the carry goes up when the low word wraps.
  const uint before = atomicAdd(sums[g].x, add);
  if (before + add < before) atomicAdd(sums[g].y, 1u);
}

#include "splat_blend.glsl"

void main() {
  // A frame whose tile instances overflowed their buffers is drawn again once they have
  // grown; adding its partial lists would count some pixels twice.
  if (counters[kCounterInstances] > params.instance_capacity) return;
  const uvec2 tile = gl_WorkGroupID.xy;
  const uvec2 pixel = tile * kTileSize + tile_pixel(gl_LocalInvocationIndex);
  const bool inside = pixel.x < params.width && pixel.y < params.height;
  blend_tile(tile, tile_range(tile), inside, vec2(pixel) + 0.5, 3.0e38);
}
