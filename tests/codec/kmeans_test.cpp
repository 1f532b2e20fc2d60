#include "engine/codec/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace scenezip::codec {
namespace {

// `clusters` tight blobs of `per` points each in `dims` dimensions, centres far apart.
std::vector<float> blobs(int clusters, int per, int dims, std::vector<float>* centres, std::uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<float> out;
  centres->clear();
  for (int c = 0; c < clusters; ++c) {
    for (int j = 0; j < dims; ++j) centres->push_back(static_cast<float>(10.0 * c + 3.0 * j));
  }
  for (int c = 0; c < clusters; ++c) {
    for (int i = 0; i < per; ++i) {
      for (int j = 0; j < dims; ++j) out.push_back((*centres)[c * dims + j] + static_cast<float>(rng.uniform() - 0.5) * 0.2f);
    }
  }
  return out;
}

TEST(KMeans, FindsSeparatedClusters) {
  std::vector<float> centres;
  const int k = 8, per = 200, dims = 3;
  const std::vector<float> data = blobs(k, per, dims, &centres, 7);
  KMeansOptions options;
  options.k = k;
  options.iterations = 20;
  const KMeansResult r = train_kmeans(data.data(), data.size() / dims, dims, nullptr, options);
  ASSERT_EQ(r.k, k);
  // Every true centre has a learned centroid within the blob's spread.
  for (int c = 0; c < k; ++c) {
    float best = 1e30f;
    for (int l = 0; l < r.k; ++l) {
      float d = 0;
      for (int j = 0; j < dims; ++j) d += std::pow(r.centroids[l * dims + j] - centres[c * dims + j], 2.0f);
      best = std::min(best, d);
    }
    EXPECT_LT(std::sqrt(best), 0.05f) << "centre " << c;
  }
  // Points spread uniformly by +-0.1 per axis: mean squared distance 3 * 0.2^2 / 12.
  EXPECT_NEAR(r.inertia / (k * per), 0.01, 0.002);
  EXPECT_LE(r.iterations, 20);
}

TEST(KMeans, LloydNeverIncreasesInertia) {
  SplitMix64 rng(3);
  std::vector<float> data(5000 * 2);
  for (float& v : data) v = static_cast<float>(rng.uniform());
  double previous = 1e30;
  for (int iterations : {0, 1, 2, 4, 8, 16}) {
    KMeansOptions options;
    options.k = 32;
    options.iterations = iterations;
    const KMeansResult r = train_kmeans(data.data(), 5000, 2, nullptr, options);
    EXPECT_LE(r.inertia, previous * (1 + 1e-9)) << iterations << " iterations";
    previous = r.inertia;
  }
}

TEST(KMeans, DeterministicForASeedAndAnyThreadCount) {
  SplitMix64 rng(11);
  std::vector<float> data(20000 * 4);
  for (float& v : data) v = static_cast<float>(rng.uniform() * 2 - 1);
  std::vector<float> weights(20000);
  for (float& w : weights) w = static_cast<float>(rng.uniform());
  KMeansOptions options;
  options.k = 64;
  options.iterations = 6;
  options.max_samples = 8000;
  options.seed = 42;
  options.threads = 1;
  const KMeansResult a = train_kmeans(data.data(), 20000, 4, weights.data(), options);
  options.threads = 2;
  const KMeansResult b = train_kmeans(data.data(), 20000, 4, weights.data(), options);
  options.threads = 5;
  const KMeansResult c = train_kmeans(data.data(), 20000, 4, weights.data(), options);
  EXPECT_EQ(a.centroids, b.centroids);
  EXPECT_EQ(a.centroids, c.centroids);
  EXPECT_EQ(a.inertia, b.inertia);
  options.seed = 43;
  const KMeansResult d = train_kmeans(data.data(), 20000, 4, weights.data(), options);
  EXPECT_NE(a.centroids, d.centroids);
}

TEST(KMeans, FewerDistinctVectorsThanCodes) {
  const std::vector<float> data = {1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 3, 3};
  KMeansOptions options;
  options.k = 16;
  const KMeansResult r = train_kmeans(data.data(), 6, 2, nullptr, options);
  EXPECT_EQ(r.k, 3);
  EXPECT_EQ(r.inertia, 0.0);
  const KMeansResult none = train_kmeans(data.data(), 0, 2, nullptr, options);
  EXPECT_EQ(none.k, 0);
}

TEST(KMeans, WeightsPullCentroids) {
  // One code for two points: the mean moves towards the heavier one.
  const std::vector<float> data = {0.0f, 1.0f};
  const std::vector<float> weights = {3.0f, 1.0f};
  KMeansOptions options;
  options.k = 1;
  const KMeansResult r = train_kmeans(data.data(), 2, 1, weights.data(), options);
  ASSERT_EQ(r.k, 1);
  EXPECT_FLOAT_EQ(r.centroids[0], 0.25f);
}

TEST(KMeans, AssignNearestMatchesBruteForce) {
  SplitMix64 rng(5);
  const int dims = 7, k = 300;
  const std::size_t n = 3000;
  std::vector<float> data(n * dims), centroids(k * dims);
  for (float& v : data) v = static_cast<float>(rng.uniform());
  for (float& v : centroids) v = static_cast<float>(rng.uniform());
  centroids[5 * dims + 0] = centroids[4 * dims + 0];  // duplicates: the lower index wins
  std::copy_n(&centroids[4 * dims], dims, &centroids[5 * dims]);
  std::vector<std::uint32_t> index(n);
  std::vector<float> distance(n);
  assign_nearest(data.data(), n, dims, centroids.data(), k, index.data(), distance.data(), 2);
  for (std::size_t i = 0; i < n; ++i) {
    float best = 1e30f;
    int best_index = 0;
    for (int c = 0; c < k; ++c) {
      float d = 0;
      for (int j = 0; j < dims; ++j) d += (data[i * dims + j] - centroids[c * dims + j]) * (data[i * dims + j] - centroids[c * dims + j]);
      if (d < best) {
        best = d;
        best_index = c;
      }
    }
    ASSERT_EQ(index[i], static_cast<std::uint32_t>(best_index)) << i;
    ASSERT_NEAR(distance[i], best, 1e-5f);
  }
  EXPECT_EQ(std::count(index.begin(), index.end(), 5u), 0);
}

TEST(KMeans, SplitMixIsTheReferenceSequence) {
  // splitmix64 seeded with 0 starts with these outputs (its published reference values).
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(rng.next(), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(rng.next(), 0x06c45d188009454full);
}

}  // namespace
}  // namespace scenezip::codec
