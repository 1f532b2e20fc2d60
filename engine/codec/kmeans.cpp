#include "engine/codec/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "engine/core/parallel.h"

namespace scenezip::codec {

namespace {

// Vectors per parallel work item: fixed, so the split never depends on the thread count.
constexpr std::size_t kChunk = 2048;
// Centroids per tile and vectors per block in the nearest-centroid kernel: a block's
// accumulators for one tile stay in L1 while the tile's centroid rows stream past.
constexpr int kTile = 256;
constexpr int kBlock = 4;

// Centroids stored dimension-major (row j holds coordinate j of every centroid, padded
// to a multiple of 8 with far-away dummies), so the inner loops run over centroids and
// vectorise. The dummies sit at 1e18: their squared distances (up to 255 * 1e36) stay
// finite and never win.
struct Transposed {
  std::vector<float> values;
  int k = 0;
  int padded = 0;
};
constexpr float kFarAway = 1e18f;

Transposed transpose(const float* centroids, int k, int dims) {
  Transposed t;
  t.k = k;
  t.padded = (k + 7) / 8 * 8;
  t.values.assign(static_cast<std::size_t>(t.padded) * dims, kFarAway);
  for (int c = 0; c < k; ++c) {
    for (int j = 0; j < dims; ++j) t.values[static_cast<std::size_t>(j) * t.padded + c] = centroids[c * dims + j];
  }
  return t;
}

// Lowest index of the smallest of `width` (a multiple of 8) values: the minimum by
// eight lanes (vectorised: min is exact in any order), then the first index holding it.
inline int argmin(const float* a, int width, float* best) {
  float lanes[8];
  std::copy_n(a, 8, lanes);
  for (int c = 8; c < width; c += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] = a[c + l] < lanes[l] ? a[c + l] : lanes[l];
  }
  float m = lanes[0];
  for (int l = 1; l < 8; ++l) m = lanes[l] < m ? lanes[l] : m;
  *best = m;
  for (int c = 0; c < width; ++c) {
    if (a[c] == m) return c;
  }
  return 0;
}

void nearest_range(const float* data, std::size_t begin, std::size_t end, int dims, const Transposed& t,
                   std::uint32_t* out, float* distances) {
  const int tile = std::min(kTile, t.padded);
  alignas(64) float acc[kBlock][kTile];
  for (std::size_t i = begin; i < end; i += kBlock) {
    const int m = static_cast<int>(std::min<std::size_t>(kBlock, end - i));
    float best[kBlock];
    std::uint32_t best_index[kBlock];
    for (int p = 0; p < kBlock; ++p) {
      best[p] = std::numeric_limits<float>::infinity();
      best_index[p] = 0;
    }
    for (int start = 0; start < t.padded; start += tile) {
      const int width = std::min(tile, t.padded - start);
      for (int p = 0; p < m; ++p) std::fill_n(acc[p], width, 0.0f);
      for (int j = 0; j < dims; ++j) {
        const float* row = &t.values[static_cast<std::size_t>(j) * t.padded + start];
        for (int p = 0; p < m; ++p) {
          const float x = data[(i + p) * dims + j];
          float* a = acc[p];
          for (int c = 0; c < width; ++c) {
            const float d = x - row[c];
            a[c] += d * d;
          }
        }
      }
      for (int p = 0; p < m; ++p) {
        float value;
        const int c = argmin(acc[p], width, &value);
        if (value < best[p]) {  // strict: an earlier tile keeps ties
          best[p] = value;
          best_index[p] = static_cast<std::uint32_t>(start + c);
        }
      }
    }
    for (int p = 0; p < m; ++p) {
      out[i + p] = best_index[p];
      if (distances) distances[i + p] = best[p];
    }
  }
}

float squared_distance(const float* a, const float* b, int dims) {
  float sum = 0.0f;
  for (int j = 0; j < dims; ++j) {
    const float d = a[j] - b[j];
    sum += d * d;
  }
  return sum;
}

std::size_t chunks_of(std::size_t n) { return (n + kChunk - 1) / kChunk; }

// Picks index i with probability weight[i] / total by one uniform draw and a scan in
// index order (what a GPU prefix sum reproduces).
std::size_t draw(const std::vector<double>& weight, double total, SplitMix64& rng) {
  const double target = rng.uniform() * total;
  double running = 0.0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < weight.size(); ++i) {
    if (weight[i] <= 0.0) continue;
    running += weight[i];
    last_positive = i;
    if (running > target) return i;
  }
  return last_positive;  // rounding left the target just past the sum
}

}  // namespace

CodeOrder most_used_first(const std::uint32_t* index, std::size_t n, std::size_t k) {
  std::vector<std::size_t> uses(k, 0);
  for (std::size_t i = 0; i < n; ++i) ++uses[index[i]];
  CodeOrder order;
  order.by_use.resize(k);
  order.rank.resize(k);
  std::iota(order.by_use.begin(), order.by_use.end(), std::uint32_t{0});
  std::stable_sort(order.by_use.begin(), order.by_use.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return uses[a] > uses[b]; });
  for (std::size_t r = 0; r < k; ++r) order.rank[order.by_use[r]] = static_cast<std::uint32_t>(r);
  return order;
}

void assign_nearest(const float* data, std::size_t n, int dims, const float* centroids, int k, std::uint32_t* out,
                    float* distances, int threads) {
  if (n == 0 || k <= 0) return;
  const Transposed t = transpose(centroids, k, dims);
  parallel_chunks(chunks_of(n), resolve_threads(threads), [&](std::size_t c) {
    nearest_range(data, c * kChunk, std::min(n, (c + 1) * kChunk), dims, t, out, distances);
  });
}

KMeansStart kmeans_start(const float* data, std::size_t n, int dims, const float* weights,
                         const KMeansOptions& options) {
  KMeansStart start;
  if (n == 0 || dims <= 0 || options.k <= 0) return start;
  SplitMix64 rng(options.seed);

  // The training set: all vectors, or a seeded uniform subset kept in input order.
  std::vector<std::size_t>& picked = start.picked;
  if (options.max_samples > 0 && n > options.max_samples) {
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    for (std::size_t i = 0; i < options.max_samples; ++i) std::swap(all[i], all[i + rng.below(n - i)]);
    picked.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(options.max_samples));
    std::sort(picked.begin(), picked.end());
  }
  const std::size_t m = picked.empty() ? n : picked.size();
  std::vector<float>& train_copy = start.train;
  const float* train = data;
  std::vector<double>& w = start.weights;
  w.assign(m, 1.0);
  if (!picked.empty()) {
    train_copy.resize(m * dims);
    for (std::size_t i = 0; i < m; ++i) std::copy_n(data + picked[i] * dims, dims, &train_copy[i * dims]);
    train = train_copy.data();
  }
  if (weights) {
    double total = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      w[i] = std::max(0.0, static_cast<double>(weights[picked.empty() ? i : picked[i]]));
      total += w[i];
    }
    if (!(total > 0.0)) std::fill(w.begin(), w.end(), 1.0);  // all-zero weights: fall back to plain k-means
  }

  // k-means++ seeding: each new centroid is a training vector drawn with probability
  // proportional to weight times squared distance to the nearest centroid so far. One
  // sequential pass per centroid, kept cheap two ways: a vector whose nearest centroid
  // c satisfies |new - c|^2 >= 4 d^2 cannot be closer to the new one (triangle
  // inequality), so it is skipped without a distance; and the draw walks sums over
  // blocks of vectors, recomputed exactly for the blocks that changed.
  const int k_wanted = static_cast<int>(std::min<std::size_t>(options.k, m));
  std::vector<float>& centroids = start.centroids;
  centroids.reserve(static_cast<std::size_t>(k_wanted) * dims);
  std::vector<float> nearest(m);
  std::vector<std::uint32_t> owner(m, 0);
  std::vector<double> mass(m);
  constexpr std::size_t kSeedBlock = 256;
  const std::size_t blocks = (m + kSeedBlock - 1) / kSeedBlock;
  std::vector<double> block_mass(blocks, 0.0);
  std::vector<char> dirty(blocks, 1);
  auto refresh_blocks = [&] {
    double total = 0.0;
    for (std::size_t b = 0; b < blocks; ++b) {
      if (dirty[b]) {
        double sum = 0.0;
        for (std::size_t i = b * kSeedBlock; i < std::min(m, (b + 1) * kSeedBlock); ++i) sum += mass[i];
        block_mass[b] = sum;
        dirty[b] = 0;
      }
      total += block_mass[b];
    }
    return total;
  };
  auto draw_index = [&](double total) {
    const double target = rng.uniform() * total;
    double running = 0.0;
    std::size_t b = 0;
    for (; b + 1 < blocks && running + block_mass[b] <= target; ++b) running += block_mass[b];
    std::size_t last_positive = b * kSeedBlock;
    for (std::size_t i = b * kSeedBlock; i < std::min(m, (b + 1) * kSeedBlock); ++i) {
      if (mass[i] <= 0.0) continue;
      running += mass[i];
      last_positive = i;
      if (running > target) return i;
    }
    return last_positive;  // rounding left the target just past the sum
  };
  const std::size_t first = draw(w, std::accumulate(w.begin(), w.end(), 0.0), rng);
  centroids.insert(centroids.end(), train + first * dims, train + (first + 1) * dims);
  for (std::size_t i = 0; i < m; ++i) {
    nearest[i] = squared_distance(train + i * dims, train + first * dims, dims);
    mass[i] = w[i] * nearest[i];
  }
  std::vector<float> to_new;
  for (int c = 1; c < k_wanted; ++c) {
    const double total = refresh_blocks();
    if (!(total > 0.0)) break;  // every vector already sits on a centroid
    const std::size_t next = draw_index(total);
    const float* fresh = train + next * dims;
    centroids.insert(centroids.end(), fresh, fresh + dims);
    to_new.resize(c);
    for (int j = 0; j < c; ++j) to_new[j] = squared_distance(&centroids[static_cast<std::size_t>(j) * dims], fresh, dims);
    for (std::size_t i = 0; i < m; ++i) {
      if (to_new[owner[i]] >= 4.0f * nearest[i]) continue;
      const float d = squared_distance(train + i * dims, fresh, dims);
      if (d < nearest[i]) {
        nearest[i] = d;
        owner[i] = static_cast<std::uint32_t>(c);
        mass[i] = w[i] * d;
        dirty[i / kSeedBlock] = 1;
      }
    }
  }
  start.k = static_cast<int>(centroids.size() / dims);
  return start;
}

KMeansResult train_kmeans(const float* data, std::size_t n, int dims, const float* weights,
                          const KMeansOptions& options) {
  return kmeans_lloyd(data, n, dims, kmeans_start(data, n, dims, weights, options), options.iterations,
                      options.threads);
}

KMeansResult kmeans_lloyd(const float* data, std::size_t n, int dims, KMeansStart start, int iterations,
                          int threads_wanted) {
  KMeansResult result;
  result.dims = dims;
  if (n == 0 || dims <= 0 || start.k <= 0) return result;
  const int threads = resolve_threads(threads_wanted);
  const std::size_t m = start.picked.empty() ? n : start.picked.size();
  const float* train = start.picked.empty() ? data : start.train.data();
  const std::vector<double>& w = start.weights;
  std::vector<float>& centroids = result.centroids;
  centroids = std::move(start.centroids);
  const int k = start.k;
  result.k = k;

  // Lloyd iterations.
  std::vector<std::uint32_t> assignment(m), previous(m, UINT32_MAX);
  std::vector<float> distance(m);
  std::vector<double> sums(static_cast<std::size_t>(k) * dims);
  std::vector<double> cluster_weight(k);
  std::vector<std::size_t> cluster_size(k);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    assign_nearest(train, m, dims, centroids.data(), k, assignment.data(), distance.data(), threads);
    if (assignment == previous) break;  // the centroids already are the means of this assignment
    previous = assignment;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(cluster_weight.begin(), cluster_weight.end(), 0.0);
    std::fill(cluster_size.begin(), cluster_size.end(), 0);
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint32_t a = assignment[i];
      cluster_weight[a] += w[i];
      ++cluster_size[a];
      for (int j = 0; j < dims; ++j) sums[a * dims + j] += w[i] * train[i * dims + j];
    }
    std::vector<int> empty;
    for (int c = 0; c < k; ++c) {
      if (cluster_size[c] == 0) {
        empty.push_back(c);
      } else if (cluster_weight[c] > 0.0) {
        for (int j = 0; j < dims; ++j) centroids[c * dims + j] = static_cast<float>(sums[c * dims + j] / cluster_weight[c]);
      }
      // A cluster of zero-weight vectors keeps its centroid.
    }
    if (!empty.empty()) {
      // An empty cluster takes the vector worst served by its centroid, largest first.
      std::vector<std::size_t> order(m);
      std::iota(order.begin(), order.end(), std::size_t{0});
      const std::size_t take = std::min(empty.size(), m);
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take), order.end(),
                        [&](std::size_t a, std::size_t b) {
                          const double da = w[a] * distance[a], db = w[b] * distance[b];
                          return da != db ? da > db : a < b;
                        });
      for (std::size_t e = 0; e < take; ++e) {
        std::copy_n(train + order[e] * dims, dims, &centroids[static_cast<std::size_t>(empty[e]) * dims]);
      }
    }
    result.iterations = iteration + 1;
  }
  double inertia = 0.0;
  assign_nearest(train, m, dims, centroids.data(), k, assignment.data(), distance.data(), threads);
  for (std::size_t i = 0; i < m; ++i) inertia += w[i] * distance[i];
  result.inertia = inertia;
  return result;
}

}  // namespace scenezip::codec
