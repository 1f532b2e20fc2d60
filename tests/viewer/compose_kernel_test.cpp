// shaders/view_compose.comp against its C++ twin (viewer/compose.h) on frames of a real
// scene, and the viewer's PSNR against psnr(), the one `eval` reports.
#include <gtest/gtest.h>

#include "engine/gpu/splat_renderer.h"
#include "engine/render/image.h"
#include "formats/formats.h"
#include "tests/test_support.h"
#include "viewer/compose_kernel.h"

namespace scenezip {
namespace {

namespace io = shaderio;

constexpr int kWidth = 90, kHeight = 70;  // not a multiple of the workgroup size

TEST(ComposeKernel, MatchesTheReferenceOnRealFrames) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  gpu::Context& ctx = **context;

  // Two renders of the scene from nearby views: frames that differ a little, as an
  // original and its compressed copy do.
  const Bounds bounds = robust_bounds(cloud.positions);
  auto renderer = gpu::SplatRenderer::create(ctx, cloud);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  std::vector<float> frames[2];
  for (int v = 0; v < 2; ++v) {
    const Camera camera = orbit_camera(bounds, v, 90, kWidth, kHeight);
    ASSERT_TRUE((*renderer)->render_timed(camera, {1, 1, 1}).ok());
    frames[v].resize(std::size_t{kWidth} * kHeight * 4);
    ASSERT_TRUE(ctx.download((*renderer)->image_buffer(), frames[v].data(), frames[v].size() * sizeof(float)).ok());
  }
  // Values past [0, 1] exercise the clamping.
  frames[1][0] = 1.7f;
  frames[1][5] = -0.3f;
  auto first = ctx.upload(frames[0].data(), frames[0].size() * sizeof(float));
  auto second = ctx.upload(frames[1].data(), frames[1].size() * sizeof(float));
  ASSERT_TRUE(first.ok() && second.ok());

  auto kernel = viewer::ComposeKernel::create(ctx);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  for (std::uint32_t mode : {io::kComposeModeSplit, io::kComposeModeDifference, io::kComposeModeFirst,
                             io::kComposeModeSecond}) {
    for (bool bgra : {false, true}) {
      const auto push = viewer::compose_push(kWidth, kHeight, mode, 37, bgra, 0.05f);
      auto gpu_result = (*kernel)->run(*first, *second, push);
      ASSERT_TRUE(gpu_result.ok()) << gpu_result.status().message();
      const viewer::ComposeResult want = viewer::compose_reference(frames[0], frames[1], push);
      ASSERT_EQ(gpu_result->pixels.size(), want.pixels.size());
      int off = 0;
      for (std::size_t i = 0; i < want.pixels.size(); ++i) {
        for (int c = 0; c < 4; ++c) {
          const int a = (gpu_result->pixels[i] >> (8 * c)) & 255, b = (want.pixels[i] >> (8 * c)) & 255;
          EXPECT_LE(std::abs(a - b), 1) << "pixel " << i << " byte " << c << " mode " << mode;
          off += a != b;
        }
      }
      EXPECT_LE(off, 8) << "mode " << mode;
      ASSERT_EQ(gpu_result->error_sums.size(), want.error_sums.size());
      double gpu_total = 0, want_total = 0;
      for (std::size_t g = 0; g < want.error_sums.size(); ++g) {
        EXPECT_NEAR(gpu_result->error_sums[g], want.error_sums[g], 1e-5 * (1 + want.error_sums[g])) << "group " << g;
        gpu_total += gpu_result->error_sums[g];
        want_total += want.error_sums[g];
      }
      EXPECT_GT(want_total, 0.0);
      // The viewer's PSNR is eval's: psnr() of the two frames as images.
      Image a(kWidth, kHeight), b(kWidth, kHeight);
      for (std::size_t i = 0; i < std::size_t{kWidth} * kHeight; ++i) {
        for (int c = 0; c < 3; ++c) {
          a.rgb[3 * i + c] = frames[0][4 * i + c];
          b.rgb[3 * i + c] = frames[1][4 * i + c];
        }
      }
      EXPECT_NEAR(viewer::psnr_from_error_sum(want_total, kWidth, kHeight), psnr(a, b), 1e-6);
      EXPECT_NEAR(viewer::psnr_from_error_sum(gpu_total, kWidth, kHeight), psnr(a, b), 1e-3);
    }
  }
  // The split puts the first frame left of the divider and the second from it on.
  const auto split = viewer::compose_reference(frames[0], frames[1],
                                               viewer::compose_push(kWidth, kHeight, io::kComposeModeSplit, 37, false, 1));
  const auto only_first = viewer::compose_reference(frames[0], frames[1],
                                                    viewer::compose_push(kWidth, kHeight, io::kComposeModeFirst, 0, false, 1));
  const auto only_second = viewer::compose_reference(
      frames[0], frames[1], viewer::compose_push(kWidth, kHeight, io::kComposeModeSecond, 0, false, 1));
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const std::size_t i = std::size_t(y) * kWidth + x;
      EXPECT_EQ(split.pixels[i], x < 37 ? only_first.pixels[i] : only_second.pixels[i]);
    }
  }
  EXPECT_EQ(ctx.validation_errors(), 0u);
}

TEST(ComposeKernel, IdenticalFramesGiveAHundredDecibelsAndABlackHeatMap) {
  std::vector<float> frame(std::size_t{kWidth} * kHeight * 4, 0.25f);
  const auto push = viewer::compose_push(kWidth, kHeight, io::kComposeModeDifference, 0, false, 0.1f);
  const auto result = viewer::compose_reference(frame, frame, push);
  double total = 0;
  for (double s : result.error_sums) total += s;
  EXPECT_EQ(viewer::psnr_from_error_sum(total, kWidth, kHeight), 100.0);
  for (std::uint32_t p : result.pixels) EXPECT_EQ(p, 255u << 24);
}

}  // namespace
}  // namespace scenezip
