// PCA, which gives the Gaussian encoder its affine transforms.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/codec/kmeans.h"
#include "engine/codec/pca.h"

namespace scenezip::codec {
namespace {

TEST(Pca, FindsTheAxesOfCorrelatedData) {
  // Points along the direction (1, 1, 0)/sqrt 2 with a little spread along z.
  SplitMix64 rng(4);
  std::vector<float> data;
  for (int i = 0; i < 4000; ++i) {
    const float t = static_cast<float>(rng.uniform() * 2 - 1) * 3, z = static_cast<float>(rng.uniform() * 2 - 1) * 0.1f;
    data.insert(data.end(), {5 + t, 5 + t, 1 + z});
  }
  const Pca pca = compute_pca(data.data(), 4000, 3, nullptr);
  EXPECT_NEAR(pca.mean[0], 5, 0.1);
  EXPECT_NEAR(pca.mean[2], 1, 0.01);
  EXPECT_NEAR(std::fabs(pca.basis[0 * 3 + 0]), std::sqrt(0.5), 1e-3);
  EXPECT_NEAR(std::fabs(pca.basis[1 * 3 + 0]), std::sqrt(0.5), 1e-3);
  EXPECT_NEAR(std::fabs(pca.basis[2 * 3 + 1]), 1.0, 1e-3);  // z is the second axis
  EXPECT_GT(pca.variances[0], pca.variances[1]);
  EXPECT_GT(pca.variances[1], pca.variances[2]);
  EXPECT_NEAR(pca.variances[2], 0.0, 1e-6);
  // Orthonormal.
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      double dot = 0;
      for (int r = 0; r < 3; ++r) dot += pca.basis[r * 3 + a] * pca.basis[r * 3 + b];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-9);
    }
  }
}

}  // namespace
}  // namespace scenezip::codec
