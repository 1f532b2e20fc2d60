#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/gpu/covariance_kernel.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

// The GPU kernel and its C++ reference agree on a real trained scene, and the
// validation layer reports nothing.
TEST(CovarianceKernel, MatchesCpuReferenceOnRealScene) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  const GaussianCloud& cloud = *scene->gaussians();

  auto gpu_out = gpu::compute_covariances(**context, cloud, 1.0f);
  ASSERT_TRUE(gpu_out.ok()) << gpu_out.status().message();
  const CovarianceOutput cpu_out = compute_covariances(cloud, 1.0f);

  ASSERT_EQ(gpu_out->covariances.size(), cpu_out.covariances.size());
  for (std::size_t i = 0; i < cloud.count; ++i) {
    // Relative to the Gaussian's largest variance: entries span many orders of magnitude.
    float largest = 0;
    for (int k = 0; k < 6; ++k) largest = std::max(largest, std::abs(cpu_out.covariances[6 * i + k]));
    for (int k = 0; k < 6; ++k) {
      ASSERT_NEAR(gpu_out->covariances[6 * i + k], cpu_out.covariances[6 * i + k], 1e-4f * largest + 1e-30f)
          << "Gaussian " << i << " entry " << k;
    }
    ASSERT_NEAR(gpu_out->opacities[i], cpu_out.opacities[i], 1e-5f) << "Gaussian " << i;
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

TEST(CovarianceKernel, TilesLargeDispatches) {
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  std::uint32_t x = 0, y = 0;
  const std::uint32_t max_x = (*context)->limits().maxComputeWorkGroupCount[0];
  // Three rows and one more, or as many as a count holds where the limit is 2^31 - 1.
  const auto groups = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{max_x} * 3 + 1, 0xFFFFFFFFu));
  (*context)->tile_groups(groups, &x, &y);
  EXPECT_LE(x, max_x);
  EXPECT_GE(y, 2u);
  EXPECT_GE(static_cast<std::uint64_t>(x) * y, groups);
}

}  // namespace
}  // namespace scenezip
