// Triangle order for a small vertex cache (the linear-speed greedy method: each vertex
// scores by its place in a simulated LRU cache and by how few triangles still need it,
// and the best-scoring triangle among those touching the cache goes next). Besides
// drawing faster, such an order makes the mesh codec's streams smaller: triangles reuse
// recent vertices, so index codes are small, and vertices numbered by first use then
// lie next to their neighbours, so position deltas are small.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace scenezip::codec {

// A permutation of the `index_count / 3` triangles of `indices` (every index below
// `vertex_count`): result[k] is the triangle to put k-th.
std::vector<std::uint32_t> vertex_cache_order(const std::uint32_t* indices, std::size_t index_count,
                                              std::size_t vertex_count);

// Average cache misses per triangle of drawing `indices` through a FIFO cache of
// `cache_size` vertices (3 is the worst, about 0.5 the best a closed mesh allows).
double average_cache_miss_ratio(const std::uint32_t* indices, std::size_t index_count, std::size_t vertex_count,
                                int cache_size = 16);

}  // namespace scenezip::codec
