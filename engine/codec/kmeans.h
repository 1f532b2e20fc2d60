// k-means for sub-vector quantization: k-means++ seeding and Lloyd iterations, on the
// CPU. This is the reference a GPU version will mirror, so each step is a plain data-
// parallel pass (nearest centroid per vector, then per-centroid sums in vector order)
// and every random choice comes from a seeded generator defined here: the same input,
// options and seed give the same codebook on any machine and any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace scenezip::codec {

struct KMeansOptions {
  int k = 256;             // codes wanted; fewer come back when the data has fewer distinct vectors
  int iterations = 10;     // Lloyd iterations at most; it stops early when no assignment changes
  std::size_t max_samples = 0;  // train on a seeded random subset of this many vectors (0: all)
  std::uint64_t seed = 1;
  int threads = 0;         // 0: all hardware threads
};

struct KMeansResult {
  int k = 0;  // centroids found (1 <= k <= options.k, or 0 for no input)
  int dims = 0;
  std::vector<float> centroids;  // k x dims, row-major
  int iterations = 0;            // Lloyd iterations run
  double inertia = 0;            // weighted sum of squared distances on the training set, last pass
};

// Learns centroids for `n` vectors of `dims` floats stored row-major in `data`.
// `weights` (n values, nullptr for all ones) scale each vector's pull on its centroid
// and its chance to seed one. Vectors must be finite.
KMeansResult train_kmeans(const float* data, std::size_t n, int dims, const float* weights,
                          const KMeansOptions& options);

// Where train_kmeans's Lloyd iterations begin: its training set, weights and k-means++
// seeds (every random choice of train_kmeans is made here). Public so a GPU version
// iterates from exactly the same start.
struct KMeansStart {
  std::vector<std::size_t> picked;  // indices of the training vectors in `data`, ascending; empty: all n
  std::vector<float> train;         // copies of the picked vectors (empty when all n train)
  std::vector<double> weights;      // per training vector as used: >= 0, all ones when none or all zero
  std::vector<float> centroids;     // the seeds, k x dims
  int k = 0;                        // 0 for no input
};
KMeansStart kmeans_start(const float* data, std::size_t n, int dims, const float* weights,
                         const KMeansOptions& options);
// train_kmeans's Lloyd iterations (at most `iterations`) from `start`, whose fields must
// agree with each other and with `data` (n x dims).
KMeansResult kmeans_lloyd(const float* data, std::size_t n, int dims, KMeansStart start, int iterations,
                          int threads);

// For each of `n` vectors, the index of the nearest of `k` centroids (squared Euclidean
// distance; ties go to the lower index), written to `out`; `distances`, when given,
// receives the squared distances.
void assign_nearest(const float* data, std::size_t n, int dims, const float* centroids, int k, std::uint32_t* out,
                    float* distances, int threads);

// Codes 0..k-1 renumbered most used first (ties keep the lower code first), as the
// encoders order codebooks whose indices go to zstd: the high bytes of two-byte indices
// then cluster near zero. by_use[r] is the code at place r, rank[code] its place. Every
// value of `index` must be below k.
struct CodeOrder {
  std::vector<std::uint32_t> by_use;
  std::vector<std::uint32_t> rank;
};
CodeOrder most_used_first(const std::uint32_t* index, std::size_t n, std::size_t k);

// The generator behind every random choice above: splitmix64, so a GPU port or another
// language can reproduce a codebook bit for bit.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, bound), bound > 0 (the slight modulo bias is irrelevant here).
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

}  // namespace scenezip::codec
