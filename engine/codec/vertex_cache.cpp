#include "engine/codec/vertex_cache.h"

#include <algorithm>
#include <cmath>

namespace scenezip::codec {

namespace {

constexpr int kCacheSize = 32;
// Score tables: by LRU position (the last triangle's three vertices score a little less
// than the next ones, so the order does not fan around one vertex for ever) and by the
// count of triangles still to come (few left: finish the vertex now, no leftovers).
constexpr float kLastTriangleScore = 0.75f;
constexpr int kMaxValence = 32;

struct Tables {
  float cache[kCacheSize + 3];
  float valence[kMaxValence + 1];
  Tables() {
    for (int p = 0; p < kCacheSize + 3; ++p) {
      if (p < 3) {
        cache[p] = kLastTriangleScore;
      } else if (p < kCacheSize) {
        cache[p] = std::pow(1.0f - static_cast<float>(p - 3) / (kCacheSize - 3), 1.5f);
      } else {
        cache[p] = 0.0f;
      }
    }
    valence[0] = 0.0f;
    for (int v = 1; v <= kMaxValence; ++v) valence[v] = 2.0f / std::sqrt(static_cast<float>(v));
  }
};

float vertex_score(const Tables& t, int cache_position, std::uint32_t remaining) {
  if (remaining == 0) return -1.0f;  // no triangle needs it any more
  const float c = cache_position >= 0 && cache_position < kCacheSize ? t.cache[cache_position] : 0.0f;
  return c + t.valence[std::min<std::uint32_t>(remaining, kMaxValence)];
}

}  // namespace

std::vector<std::uint32_t> vertex_cache_order(const std::uint32_t* indices, std::size_t index_count,
                                              std::size_t vertex_count) {
  static const Tables tables;
  const std::size_t triangles = index_count / 3;
  std::vector<std::uint32_t> order;
  order.reserve(triangles);
  if (triangles == 0) return order;

  // Triangles of each vertex, as offsets into one array (compressed adjacency).
  std::vector<std::uint32_t> remaining(vertex_count, 0), first(vertex_count + 1, 0);
  for (std::size_t i = 0; i < triangles * 3; ++i) ++remaining[indices[i]];
  for (std::size_t v = 0; v < vertex_count; ++v) first[v + 1] = first[v] + remaining[v];
  std::vector<std::uint32_t> adjacency(triangles * 3), fill(first.begin(), first.end() - 1);
  for (std::size_t t = 0; t < triangles; ++t) {
    for (int k = 0; k < 3; ++k) adjacency[fill[indices[3 * t + k]]++] = static_cast<std::uint32_t>(t);
  }

  std::vector<int> cache_position(vertex_count, -1);
  std::vector<float> score(vertex_count);
  for (std::size_t v = 0; v < vertex_count; ++v) score[v] = vertex_score(tables, -1, remaining[v]);
  std::vector<char> emitted(triangles, 0);

  std::vector<std::uint32_t> cache, next_cache;
  cache.reserve(kCacheSize + 3);
  next_cache.reserve(kCacheSize + 3);
  std::size_t scan = 0;  // triangles before this one are all emitted
  std::int64_t best = -1;
  while (order.size() < triangles) {
    if (best < 0) {
      // Nothing in the cache leads on: start again from the first triangle left, in
      // input order, which keeps the input's own locality between islands.
      while (emitted[scan]) ++scan;
      best = static_cast<std::int64_t>(scan);
    }
    const auto t = static_cast<std::uint32_t>(best);
    emitted[t] = 1;
    order.push_back(t);
    const std::uint32_t* tri = &indices[3 * t];

    // New LRU cache: this triangle's vertices in front, then the old contents.
    next_cache.clear();
    for (int k = 0; k < 3; ++k) {
      if (std::find(next_cache.begin(), next_cache.end(), tri[k]) == next_cache.end()) next_cache.push_back(tri[k]);
    }
    for (std::uint32_t v : cache) {
      if (std::find(next_cache.begin(), next_cache.end(), v) == next_cache.end()) next_cache.push_back(v);
    }
    for (int k = 0; k < 3; ++k) {
      // Drop the triangle from its vertices' lists of triangles still to come.
      const std::uint32_t v = tri[k];
      auto begin = adjacency.begin() + first[v], end = begin + remaining[v];
      auto it = std::find(begin, end, t);
      if (it != end) {
        std::iter_swap(it, end - 1);
        --remaining[v];
      }
    }
    for (std::size_t p = 0; p < next_cache.size(); ++p) {
      cache_position[next_cache[p]] = p < static_cast<std::size_t>(kCacheSize) ? static_cast<int>(p) : -1;
    }
    // Rescore the vertices in the cache and the triangles around them; the best of
    // those triangles goes next.
    best = -1;
    float best_score = -1.0f;
    for (std::uint32_t v : next_cache) score[v] = vertex_score(tables, cache_position[v], remaining[v]);
    for (std::uint32_t v : next_cache) {
      for (std::uint32_t a = first[v]; a < first[v] + remaining[v]; ++a) {
        const std::uint32_t u = adjacency[a];
        const std::uint32_t* o = &indices[3 * u];
        const float s = score[o[0]] + score[o[1]] + score[o[2]];
        if (s > best_score) {
          best_score = s;
          best = u;
        }
      }
    }
    if (next_cache.size() > static_cast<std::size_t>(kCacheSize)) next_cache.resize(kCacheSize);
    cache.swap(next_cache);
  }
  return order;
}

double average_cache_miss_ratio(const std::uint32_t* indices, std::size_t index_count, std::size_t vertex_count,
                                int cache_size) {
  const std::size_t triangles = index_count / 3;
  if (triangles == 0) return 0.0;
  // A FIFO cache as most hardware has: a vertex enters on a miss and leaves cache_size
  // misses later, whatever hits happen in between.
  std::vector<std::size_t> entered(vertex_count, 0);
  std::size_t misses = 0;
  for (std::size_t i = 0; i < triangles * 3; ++i) {
    const std::uint32_t v = indices[i];
    if (entered[v] == 0 || misses - entered[v] >= static_cast<std::size_t>(cache_size)) {
      ++misses;
      entered[v] = misses;
    }
  }
  return static_cast<double>(misses) / triangles;
}

}  // namespace scenezip::codec
