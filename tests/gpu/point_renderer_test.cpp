#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/gpu/geometry_renderer.h"
#include "engine/render/mesh_reference.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::drawn_pixels;

struct PointCase {
  const char* file;
  int width, height, views;
  int point_size;  // 0: the default for the height
};

// Failures name the file rather than dumping the struct's bytes.
void PrintTo(const PointCase& c, std::ostream* os) { *os << c.file; }

class PointRendererTest : public ::testing::TestWithParam<PointCase> {};

// GPU and C++ point splatting agree to >= 45 dB on real clouds from several orbit views,
// their depth buffers are identical (a point's depth is its projected z, no
// interpolation), the cloud is in view, and the validation layer reports nothing.
TEST_P(PointRendererTest, MatchesCpuReference) {
  const PointCase& c = GetParam();
  SCZ_REQUIRE_DATA(c.file);
  auto scene = load_scene(test::data_path(c.file));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const PointCloud& cloud = *scene->points();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::GeometryRenderer::create(**context, cloud, c.point_size);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  const Bounds bounds = robust_bounds(cloud.positions);
  const std::array<float, 3> background = {1, 1, 1};
  for (int v = 0; v < c.views; ++v) {
    const Camera camera = orbit_camera(bounds, v, c.views, c.width, c.height);
    auto gpu_frame = (*renderer)->render_frame(camera, background);
    ASSERT_TRUE(gpu_frame.ok()) << gpu_frame.status().message();
    const GeometryFrame cpu_frame = render_points_reference(cloud, camera, background, c.point_size);
    EXPECT_GE(psnr(gpu_frame->image, cpu_frame.image), 45.0) << c.file << " view " << v;
    std::size_t depth_differs = 0;
    for (std::size_t i = 0; i < cpu_frame.depth.size(); ++i) {
      if (!(gpu_frame->depth[i] == cpu_frame.depth[i])) ++depth_differs;
    }
    EXPECT_EQ(depth_differs, 0u) << c.file << " view " << v;
    const std::size_t pixels = static_cast<std::size_t>(c.width) * c.height;
    EXPECT_GT(drawn_pixels(cpu_frame.image, background), pixels / 20) << c.file << " view " << v;
    EXPECT_GT(drawn_pixels(gpu_frame->image, background), pixels / 20) << c.file << " view " << v;
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

INSTANTIATE_TEST_SUITE_P(PointRenderer, PointRendererTest,
                         ::testing::Values(PointCase{"pointclouds/building.ply", 96, 72, 3, 0},
                                           PointCase{"pointclouds/b9_training.ply", 96, 72, 3, 0},
                                           PointCase{"pointclouds/b9_training.ply", 96, 72, 2, 3},
                                           PointCase{"pointclouds/five_people.pcd", 96, 72, 3, 0}),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           name = name.substr(name.rfind('/') + 1);
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           if (info.param.point_size) name += "_size" + std::to_string(info.param.point_size);
                           return name;
                         });

// Each point covers exactly point_size x point_size pixel centres; the nearer of two
// overlapping points wins, and at equal depth the one that comes first. Non-finite
// points are skipped without shifting the ids of the others.
TEST(PointRenderer, SquaresDepthAndTies) {
  PointCloud cloud;
  cloud.positions = {0, 0, 4,  std::nanf(""), 0, 4,  0, 0, 4,  0.05f, 0, 3};
  cloud.colors = {1, 0, 0,  1, 1, 1,  0, 1, 0,  0, 0, 1};
  Camera camera;
  camera.width = 40;
  camera.height = 30;
  camera.fx = camera.fy = 40;
  camera.cx = 20.25;  // the first point lands at (20.25, 15.25): its square is unambiguous
  camera.cy = 15.25;
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::GeometryRenderer::create(**context, cloud, 4);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  auto gpu_frame = (*renderer)->render_frame(camera, {0, 0, 0});
  ASSERT_TRUE(gpu_frame.ok()) << gpu_frame.status().message();
  const GeometryFrame cpu_frame = render_points_reference(cloud, camera, {0, 0, 0}, 4);
  for (const GeometryFrame* frame : {static_cast<const GeometryFrame*>(&*gpu_frame), &cpu_frame}) {
    std::size_t red = 0, green = 0, blue = 0, drawn = 0;
    for (std::size_t i = 0; i < frame->depth.size(); ++i) {
      const float* p = &frame->image.rgb[3 * i];
      red += p[0] == 1.0f;
      green += p[1] == 1.0f;
      blue += p[2] == 1.0f;
      drawn += !std::isinf(frame->depth[i]);
    }
    // Red at (20.25, 15.25) covers columns 18..21, rows 13..16; blue, in front at
    // u = 20.25 + 40 * 0.05 / 3, covers columns 19..22 of the same rows.
    EXPECT_EQ(green, 0u);
    EXPECT_EQ(blue, 16u);
    EXPECT_EQ(red, 4u);
    EXPECT_EQ(drawn, 20u);
    EXPECT_EQ(frame->depth[13 * 40 + 18], 4.0f);
    EXPECT_EQ(frame->depth[16 * 40 + 22], 3.0f);
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

// `scenezip render` and `scenezip eval` take point clouds.
TEST(PointRenderer, CliRendersAndEvaluatesPoints) {
  SCZ_REQUIRE_DATA("pointclouds/five_people.pcd");
  const std::string cloud = test::data_path("pointclouds/five_people.pcd");
  test::ScratchDir dir;
  const std::string png = dir.file("people.png");
  auto r = test::run_scenezip("render " + cloud + " --out " + png + " --width 96 --height 72 --view 1/3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto image = read_png(png);
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_GT(drawn_pixels(*image, {1, 1, 1}), 96u * 72u / 20);
  r = test::run_scenezip("eval " + cloud + " " + cloud + " --views 2 --width 48 --height 32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(nlohmann::json::parse(r.out)["psnr"].get<double>(), 99.0);
}

}  // namespace
}  // namespace scenezip
