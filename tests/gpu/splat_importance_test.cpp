#include <gtest/gtest.h>

#include <cmath>

#include "engine/gpu/splat_importance.h"
#include "engine/gpu/splat_renderer.h"
#include "engine/render/splat_importance.h"
#include "engine/render/splat_reference.h"
#include "formats/formats.h"
#include "shaders/shaderio.h"
#include "engine/render/image.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

// The GPU sums agree with the C++ reference Gaussian by Gaussian: each pixel's weight is
// rounded to 2^-22 on the GPU, and a pixel may end its loop one splat apart where float
// rounding puts T right at the 1e-4 stop, so a few Gaussians differ slightly.
void expect_close(const std::vector<float>& gpu, const std::vector<float>& cpu) {
  ASSERT_EQ(gpu.size(), cpu.size());
  double total = 0, diff = 0;
  std::size_t far = 0, seen = 0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    total += cpu[i];
    diff += std::abs(double(gpu[i]) - cpu[i]);
    if (std::abs(gpu[i] - cpu[i]) > 1e-3f * cpu[i] + 1e-3f) ++far;
    if (cpu[i] > 0) ++seen;
  }
  EXPECT_GT(seen, cpu.size() / 4);  // the scene is in view: all zeros would agree trivially
  EXPECT_LT(diff, 1e-4 * total) << diff << " of " << total;
  EXPECT_LE(far, cpu.size() / 1000) << far << " Gaussians differ";
}

TEST(SplatImportance, GpuMatchesCpuReference) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  const std::vector<Camera> cameras = importance_cameras(cloud.positions, 3, 96);
  ASSERT_EQ(cameras.size(), 3u);
  auto gpu = gpu::blend_weights_gpu(**context, cloud, cameras);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  expect_close(*gpu, blend_weights_reference(cloud, cameras));
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

// The weights of one view sum, over Gaussians, to the image's total opacity (1 - T per
// pixel): the same loop, so the two agree to float rounding.
TEST(SplatImportance, WeightsSumToCoverage) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  const Camera camera = importance_cameras(cloud.positions, 1, 64)[0];
  std::vector<double> sums(cloud.count, 0.0);
  add_blend_weights_reference(cloud, camera, sums.data());
  double total = 0;
  for (double s : sums) total += s;
  // Black background, white splats: the image is 1 - T.
  GaussianCloud white = cloud;
  white.set_sh_degree(0);
  for (float& c : white.sh_dc) c = 0.5f / 0.28209479177387814f;
  const Image image = render_gaussians_reference(white, camera, {0, 0, 0});
  double coverage = 0;
  for (std::size_t p = 0; p < image.rgb.size(); p += 3) coverage += image.rgb[p];
  EXPECT_GT(total, 100.0);
  EXPECT_NEAR(total, coverage, 1e-4 * coverage);
}

// A frame whose tile instances overflow is drawn again after the buffers grow; its
// first, partial pass must add nothing. Colour frames after it are unchanged.
TEST(SplatImportance, GrowingInstanceBuffersCountsOnce) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok());
  auto renderer = gpu::SplatRenderer::create(**context, cloud, 2048);
  ASSERT_TRUE(renderer.ok());
  const std::vector<Camera> cameras = importance_cameras(cloud.positions, 2, 160);
  auto before = (*renderer)->render(cameras[0], {1, 1, 1});
  ASSERT_TRUE(before.ok());
  const std::vector<std::uint32_t> zeros(2 * cloud.count, 0u);
  auto sums = (*context)->upload_device(zeros.data(), zeros.size() * 4);
  ASSERT_TRUE(sums.ok());
  for (const Camera& camera : cameras) ASSERT_TRUE((*renderer)->accumulate_blend_weights(camera, *sums).ok());
  std::vector<std::uint32_t> words(2 * cloud.count);
  ASSERT_TRUE((*context)->download(*sums, words.data(), words.size() * 4).ok());
  std::vector<float> gpu(cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    gpu[i] = float(double((std::uint64_t{words[2 * i + 1]} << 32) | words[2 * i]) / shaderio::kImportanceFixedScale);
  }
  expect_close(gpu, blend_weights_reference(cloud, cameras));
  auto after = (*renderer)->render(cameras[0], {1, 1, 1});
  ASSERT_TRUE(after.ok());
  // Not bit for bit: visible Gaussians are appended by atomics, so equal depths may
  // blend in another order from one frame to the next.
  EXPECT_GT(psnr(*before, *after), 60.0);
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

}  // namespace
}  // namespace scenezip
