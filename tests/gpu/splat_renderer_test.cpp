#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>

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

// More instances than the first buffers hold: the capacity grows mid-frame.
TEST(SplatRenderer, GrowsInstanceBuffersAndStillMatches) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok());
  // Room for 2,048 instances only: the first frame must grow the buffers and redo itself.
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

// The per-tile buckets hold each tile's splats exactly once, front to back: every list
// is in strictly ascending (key, Gaussian) order, the keys follow the C++ reference's
// depths, and the tiles hold the Gaussians bin_splats puts there. Chunks far below the
// tiles' lengths take the merge path through GPU memory and must leave the very same
// lists and image.
TEST(SplatRenderer, SortsEveryTileFrontToBackWhateverTheChunk) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok());
  auto renderer = gpu::SplatRenderer::create(**context, cloud);
  ASSERT_TRUE(renderer.ok());
  const Camera camera = orbit_camera(robust_bounds(cloud.positions), 0, 3, 96, 80);
  auto image = (*renderer)->render(camera, {1, 1, 1});
  ASSERT_TRUE(image.ok()) << image.status().message();
  auto lists = (*renderer)->read_tile_lists();
  ASSERT_TRUE(lists.ok()) << lists.status().message();
  const SplatTiles reference = bin_splats(cloud, camera);
  ASSERT_EQ(lists->starts.size(), reference.ranges.size());

  std::uint32_t busiest = 0;
  std::size_t missing = 0, extra = 0;
  for (std::size_t t = 0; t < lists->starts.size(); ++t) {
    const std::uint32_t start = lists->starts[t], end = lists->ends[t];
    ASSERT_LE(start, end) << "tile " << t;
    ASSERT_LE(end, lists->keys.size()) << "tile " << t;
    if (t + 1 < lists->starts.size()) ASSERT_EQ(end, lists->starts[t + 1]) << "tiles lie one after another";
    busiest = std::max(busiest, end - start);
    for (std::uint32_t k = start + 1; k < end; ++k) {
      const auto before = std::make_pair(lists->keys[k - 1], lists->gaussians[k - 1]);
      const auto after = std::make_pair(lists->keys[k], lists->gaussians[k]);
      ASSERT_LT(before, after) << "tile " << t << " entry " << k - start;
      // Keys order by depth to 2^-19 of it (shaderio.h's depth key).
      const float depth_before = reference.splats[before.second].depth, depth_after = reference.splats[after.second].depth;
      ASSERT_LE(depth_before, depth_after * (1.0f + 1e-5f)) << "tile " << t << " entry " << k - start;
    }
    std::vector<std::uint32_t> gpu(lists->gaussians.begin() + start, lists->gaussians.begin() + end), cpu;
    for (std::size_t k = reference.ranges[t].first; k < reference.ranges[t].second; ++k) {
      cpu.push_back(std::get<2>(reference.instances[k]));
    }
    std::sort(gpu.begin(), gpu.end());
    std::sort(cpu.begin(), cpu.end());
    std::vector<std::uint32_t> only_cpu, only_gpu;
    std::set_difference(cpu.begin(), cpu.end(), gpu.begin(), gpu.end(), std::back_inserter(only_cpu));
    std::set_difference(gpu.begin(), gpu.end(), cpu.begin(), cpu.end(), std::back_inserter(only_gpu));
    missing += only_cpu.size();
    extra += only_gpu.size();
  }
  // Tiles on the edge of the alpha >= 1/255 test may fall either way by rounding.
  EXPECT_LE(missing + extra, reference.instances.size() / 500 + 2);
  EXPECT_GT(busiest, 2048u);  // long lists: every chunk, the default too, merges several times

  for (const std::uint32_t chunk : {2u, 8u, 64u, 512u}) {
    ASSERT_TRUE((*renderer)->set_tile_sort_chunk(chunk).ok());
    auto merged_image = (*renderer)->render(camera, {1, 1, 1});
    ASSERT_TRUE(merged_image.ok()) << merged_image.status().message();
    auto merged = (*renderer)->read_tile_lists();
    ASSERT_TRUE(merged.ok());
    EXPECT_EQ(merged->starts, lists->starts) << "chunk " << chunk;
    EXPECT_EQ(merged->keys, lists->keys) << "chunk " << chunk;
    EXPECT_EQ(merged->gaussians, lists->gaussians) << "chunk " << chunk;
    EXPECT_EQ(merged_image->rgb, image->rgb) << "chunk " << chunk;
  }
  EXPECT_FALSE((*renderer)->set_tile_sort_chunk(48).ok());  // not a power of two
  EXPECT_FALSE((*renderer)->set_tile_sort_chunk(shaderio::kTileSortChunk * 2).ok());
  EXPECT_EQ((*context)->validation_errors(), 0u);
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
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok());
  auto renderer = gpu::SplatRenderer::create(**context, cloud);
  ASSERT_TRUE(renderer.ok());
  Camera camera = orbit_camera(robust_bounds(cloud.positions), 1, 3, 96, 80);
  camera.znear = 0.01;
  const Image cpu_image = render_gaussians_reference(cloud, camera, {1, 1, 1}, nullptr);
  for (int run = 0; run < 2; ++run) {
    auto gpu_image = (*renderer)->render(camera, {1, 1, 1});
    ASSERT_TRUE(gpu_image.ok()) << gpu_image.status().message();
    EXPECT_GE(psnr(*gpu_image, cpu_image), 45.0) << "run " << run;
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

}  // namespace
}  // namespace scenezip
