#version 460
// Sorts each tile's instances by (key, Gaussian): front to back, equal depth keys by
// block mask and then by index, so the order is the same every frame. A workgroup per
// tile. Up to TileSortPush.chunk instances sort in shared memory in one go; a longer
// list is sorted chunk by chunk, then merged by the stages of the same bitonic network
// whose pairs lie chunks apart running on the buffers, each followed by the stages
// within chunks in shared memory again. The network compares every pair low index to
// high, the first stage of each merge mirrored (a "flip"), so a list of any length sorts
// as if padded with entries larger than all: a pair whose high index lies past the list
// never moves. The tests hold the lists it leaves to std::sort's order and to the tiles
// of bin_splats (engine/render/splat_reference.cpp).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kTileSortWorkgroupSize) in;

layout(std430, binding = kTileSortBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kTileSortBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kTileSortBindingTileRanges) readonly buffer TileRanges { uint tile_ranges[]; };
// Coherent: the merge stages read what other invocations of the workgroup wrote.
layout(std430, binding = kTileSortBindingKeys) coherent buffer Keys { uint keys[]; };
layout(std430, binding = kTileSortBindingValues) coherent buffer Values { uint values[]; };

layout(push_constant) uniform Push { TileSortPush push; };

shared uint chunk_keys[kTileSortChunk];
shared uint chunk_values[kTileSortChunk];

// Whether entry (ka, va) sorts before (kb, vb).
bool before(uint ka, uint va, uint kb, uint vb) { return ka < kb || (ka == kb && va < vb); }

// Pair p of the stage of merge width `k` and distance `j` (powers of two, j <= k / 2): its
// low index a and high index b. The stage with j = k / 2 mirrors within each run of k.
uvec2 stage_pair(uint p, uint k, uint j) {
  const uint offset = p & (j - 1u);
  const uint base = (p - offset) * 2u;
  return j * 2u == k ? uvec2(base + offset, base + k - 1u - offset) : uvec2(base + offset, base + offset + j);
}

// One stage of the network (stage_pair; k = 0: no flip) on the `size` entries in shared
// memory.
void stage_shared(uint size, uint k, uint j) {
  for (uint p = gl_LocalInvocationIndex; p < size / 2u; p += kTileSortWorkgroupSize) {
    const uvec2 ab = stage_pair(p, k, j);
    const uint ka = chunk_keys[ab.x], kb = chunk_keys[ab.y];
    const uint va = chunk_values[ab.x], vb = chunk_values[ab.y];
    if (before(kb, vb, ka, va)) {
      chunk_keys[ab.x] = kb;
      chunk_keys[ab.y] = ka;
      chunk_values[ab.x] = vb;
      chunk_values[ab.y] = va;
    }
  }
  barrier();
}

// Sorts the `size` entries in shared memory (a power of two).
void sort_shared(uint size) {
  for (uint k = 2u; k <= size; k *= 2u) {
    for (uint j = k / 2u; j > 0u; j /= 2u) stage_shared(size, k, j);
  }
}

// Loads `count` entries from `first` into shared memory, padded to `size` with entries
// that sort last (no Gaussian has index 0xFFFFFFFF).
void load_chunk(uint first, uint count, uint size) {
  for (uint e = gl_LocalInvocationIndex; e < size; e += kTileSortWorkgroupSize) {
    chunk_keys[e] = e < count ? keys[first + e] : 0xFFFFFFFFu;
    chunk_values[e] = e < count ? values[first + e] : 0xFFFFFFFFu;
  }
  barrier();
}

void store_chunk(uint first, uint count) {
  for (uint e = gl_LocalInvocationIndex; e < count; e += kTileSortWorkgroupSize) {
    keys[first + e] = chunk_keys[e];
    values[first + e] = chunk_values[e];
  }
  memoryBarrierBuffer();
  barrier();
}

void main() {
  // A frame whose instances overflowed has empty tiles; this check only saves the reads.
  if (counters[kCounterInstances] > params.instance_capacity) return;
  const uint tiles = params.tiles_x * params.tiles_y;
  const uint tile = gl_WorkGroupID.y * params.tiles_x + gl_WorkGroupID.x;
  const uint first = tile_ranges[tile];
  const uint count = tile_ranges[tiles + tile] - first;
  if (count < 2u) return;
  const uint chunk = clamp(push.chunk, 2u, kTileSortChunk);
  if (count <= chunk) {
    uint size = 2u;
    while (size < count) size *= 2u;
    load_chunk(first, count, size);
    sort_shared(size);
    store_chunk(first, count);
    return;
  }
  uint size = chunk;
  while (size < count) size *= 2u;  // the padded length; entries past `count` are virtual
  for (uint c = 0; c < count; c += chunk) {
    load_chunk(first + c, min(chunk, count - c), chunk);
    sort_shared(chunk);
    store_chunk(first + c, min(chunk, count - c));
  }
  for (uint k = chunk * 2u; k <= size; k *= 2u) {
    // The stages whose pairs lie a chunk or more apart, on the buffers.
    for (uint j = k / 2u; j >= chunk; j /= 2u) {
      for (uint p = gl_LocalInvocationIndex; p < size / 2u; p += kTileSortWorkgroupSize) {
        const uvec2 ab = stage_pair(p, k, j);
        if (ab.y >= count) continue;  // a virtual entry: it sorts last already
        const uint ka = keys[first + ab.x], kb = keys[first + ab.y];
        const uint va = values[first + ab.x], vb = values[first + ab.y];
        if (before(kb, vb, ka, va)) {
          keys[first + ab.x] = kb;
          keys[first + ab.y] = ka;
          values[first + ab.x] = vb;
          values[first + ab.y] = va;
        }
      }
      memoryBarrierBuffer();
      barrier();
    }
    // The rest of this width's stages lie within chunks.
    for (uint c = 0; c < count; c += chunk) {
      load_chunk(first + c, min(chunk, count - c), chunk);
      for (uint j = chunk / 2u; j > 0u; j /= 2u) stage_shared(chunk, 0u, j);
      store_chunk(first + c, min(chunk, count - c));
    }
  }
}
