#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <utility>

#include "engine/gpu/splat_renderer.h"
#include "engine/render/splat_reference.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

struct RenderCase {
  const char* file;
  int width, height, views;
};

// Test names and failures name the file rather than dumping the struct's bytes.
void PrintTo(const RenderCase& c, std::ostream* os) { *os << c.file; }

class SplatRendererTest : public ::testing::TestWithParam<RenderCase> {};

// The GPU renderer and the plain C++ renderer agree to >= 45 dB on real scenes, from
// several orbit views, with the validation layer reporting nothing.
TEST_P(SplatRendererTest, MatchesCpuReference) {
  const RenderCase& c = GetParam();
  SCZ_REQUIRE_DATA(c.file);
  auto scene = load_scene(test::data_path(c.file));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::SplatRenderer::create(**context, cloud);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  const Bounds bounds = robust_bounds(cloud.positions);
  for (int v = 0; v < c.views; ++v) {
    const Camera camera = orbit_camera(bounds, v, c.views, c.width, c.height);
    auto gpu_image = (*renderer)->render(camera, {1, 1, 1});
    ASSERT_TRUE(gpu_image.ok()) << gpu_image.status().message();
    SplatStats stats;
    const Image cpu_image = render_gaussians_reference(cloud, camera, {1, 1, 1}, &stats);
    EXPECT_EQ((*renderer)->last_stats().visible, stats.visible) << "view " << v;
    // Tiles on the edge of the alpha >= 1/255 test may fall either way by rounding; they
    // hold no pixel that blends, so the images still agree.
    EXPECT_NEAR(double((*renderer)->last_stats().instances), double(stats.instances), 0.002 * stats.instances + 2)
        << "view " << v;
    const double db = psnr(*gpu_image, cpu_image);
    EXPECT_GE(db, 45.0) << c.file << " view " << v;
    // The scene must actually be in view: a blank frame would agree trivially.
    EXPECT_GT(stats.visible, cloud.count / 4) << "view " << v;
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

INSTANTIATE_TEST_SUITE_P(RealScenes, SplatRendererTest,
                         ::testing::Values(RenderCase{"splats/small-sh3-9k.ply", 96, 80, 3},
                                           RenderCase{"splats/tile-sh3-14k.ply", 128, 96, 2},
                                           RenderCase{"splats/seal.splat", 128, 96, 1}),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           name = name.substr(name.find('/') + 1);
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// Many instances force several radix blocks and the capacity to grow mid-frame.
TEST(SplatRenderer, GrowsInstanceBuffersAndStillMatches) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok());
  // Room for one radix block only: the first frame must grow the buffers and redo itself.
  auto renderer = gpu::SplatRenderer::create(**context, cloud, 2048);
  ASSERT_TRUE(renderer.ok());
  const Camera camera = orbit_camera(robust_bounds(cloud.positions), 1, 4, 320, 240);
  auto gpu_image = (*renderer)->render(camera, {0, 0, 0});
  ASSERT_TRUE(gpu_image.ok()) << gpu_image.status().message();
  SplatStats stats;
  const Image cpu_image = render_gaussians_reference(cloud, camera, {0, 0, 0}, &stats);
  EXPECT_GT(stats.instances, 2048u * 3);
  EXPECT_GE((*renderer)->instance_capacity(), (*renderer)->last_stats().instances);
  EXPECT_GE(psnr(*gpu_image, cpu_image), 45.0);
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

// A validating context and a renderer for one cloud; the renderer goes first.
struct GpuRenderer {
  std::unique_ptr<gpu::Context> context;
  std::unique_ptr<gpu::SplatRenderer> renderer;
};

::testing::AssertionResult start_renderer(const GaussianCloud& cloud, GpuRenderer* out) {
  auto context = gpu::Context::create({.validation = true});
  if (!context.ok()) return ::testing::AssertionFailure() << context.status().message();
  auto renderer = gpu::SplatRenderer::create(**context, cloud);
  if (!renderer.ok()) return ::testing::AssertionFailure() << renderer.status().message();
  out->context = std::move(*context);
  out->renderer = std::move(*renderer);
  return ::testing::AssertionSuccess();
}

// A camera from a file keeps znear = 0.01 whatever the scene's units: depths far past
// znear * 2^16 must still sort apart (they once shared one depth key, and the frame came
// out in the GPU's append order, different from run to run).
TEST(SplatRenderer, KeepsDepthOrderFarPastZnear) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  GaussianCloud cloud = *scene->gaussians();
  // The same scene in units 1000 times smaller: every length grows 1000-fold.
  for (float& x : cloud.positions) x *= 1000.0f;
  for (float& s : cloud.log_scales) s += std::log(1000.0f);
  GpuRenderer gpu;
  ASSERT_TRUE(start_renderer(cloud, &gpu));
  Camera camera = orbit_camera(robust_bounds(cloud.positions), 1, 3, 96, 80);
  camera.znear = 0.01;
  const Image cpu_image = render_gaussians_reference(cloud, camera, {1, 1, 1}, nullptr);
  for (int run = 0; run < 2; ++run) {
    auto gpu_image = gpu.renderer->render(camera, {1, 1, 1});
    ASSERT_TRUE(gpu_image.ok()) << gpu_image.status().message();
    EXPECT_GE(psnr(*gpu_image, cpu_image), 45.0) << "run " << run;
  }
  EXPECT_EQ(gpu.context->validation_errors(), 0u);
}

// With every Gaussian behind the camera nothing is sorted or emitted, yet the raster
// still runs and paints the background (the instance dispatch sizes come from the
// emit count's last block, and with nothing visible from its one idle workgroup); the
// next frame, in view, draws the scene again.
TEST(SplatRenderer, DrawsTheBackgroundWithNothingInView) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  GpuRenderer gpu;
  ASSERT_TRUE(start_renderer(cloud, &gpu));
  const Camera in_view = orbit_camera(robust_bounds(cloud.positions), 0, 3, 96, 80);
  // Turned half a circle about its own y axis: the scene lies behind it.
  Camera away = in_view;
  for (int column = 0; column < 3; ++column) {
    away.rotation[column] = -in_view.rotation[column];          // x row
    away.rotation[6 + column] = -in_view.rotation[6 + column];  // z row
  }
  const std::array<float, 3> background{0.25f, 0.5f, 0.75f};
  auto blank = gpu.renderer->render(away, background);
  ASSERT_TRUE(blank.ok()) << blank.status().message();
  EXPECT_EQ(gpu.renderer->last_stats().visible, 0u);
  EXPECT_EQ(gpu.renderer->last_stats().instances, 0u);
  for (std::size_t i = 0; i < blank->rgb.size(); ++i) {
    ASSERT_FLOAT_EQ(blank->rgb[i], background[i % 3]) << "value " << i;
  }
  auto drawn = gpu.renderer->render(in_view, background);
  ASSERT_TRUE(drawn.ok()) << drawn.status().message();
  EXPECT_GE(psnr(*drawn, render_gaussians_reference(cloud, in_view, background, nullptr)), 45.0);
  EXPECT_EQ(gpu.context->validation_errors(), 0u);
}

// The queued walk of the block kernel (splat_raster.glsl), which only frames with many
// tile instances take, draws what the plain walk draws. Devices without full 32-wide
// subgroups (the CPU driver) run neither.
TEST(SplatRenderer, QueuedWalkMatchesPlainWalk) {
  SCZ_REQUIRE_DATA("splats/tile-sh3-14k.ply");
  auto scene = load_scene(test::data_path("splats/tile-sh3-14k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  GpuRenderer gpu;
  ASSERT_TRUE(start_renderer(cloud, &gpu));
  if (std::string(gpu.renderer->raster_kernel()) != "blocks") GTEST_SKIP() << "no block raster on this device";
  const Camera camera = orbit_camera(robust_bounds(cloud.positions), 0, 2, 256, 192);
  gpu.renderer->set_queued_walk(0);
  auto plain = gpu.renderer->render(camera, {1, 1, 1});
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_FALSE(gpu.renderer->last_frame_queued());
  gpu.renderer->set_queued_walk(1);  // every frame
  auto queued = gpu.renderer->render(camera, {1, 1, 1});
  ASSERT_TRUE(queued.ok()) << queued.status().message();
  EXPECT_TRUE(gpu.renderer->last_frame_queued());
  const Image cpu_image = render_gaussians_reference(cloud, camera, {1, 1, 1}, nullptr);
  // The same splats blend in the same order; only the GPU's append order of equal depth
  // keys may differ between the two frames.
  EXPECT_GE(psnr(*queued, *plain), 60.0);
  EXPECT_GE(psnr(*queued, cpu_image), 45.0);
  EXPECT_EQ(gpu.context->validation_errors(), 0u);
}

}  // namespace
}  // namespace scenezip
