// Compressed meshes and point clouds render like their originals: the geometry renderer
// draws both from the same orbit views and the images must agree to a high PSNR.
#include <gtest/gtest.h>

#include "engine/codec/mesh_encoder.h"
#include "engine/codec/point_encoder.h"
#include "formats/scz/decoder.h"
#include "engine/gpu/geometry_renderer.h"
#include "engine/render/mesh_reference.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_geometry.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

template <typename Geometry>
double mean_psnr(const Geometry& original, const Geometry& decoded, int views, int width, int height) {
  auto context = gpu::Context::create({.validation = true});
  EXPECT_TRUE(context.ok()) << context.status().message();
  if (!context.ok()) return 0;
  auto a = gpu::GeometryRenderer::create(**context, original);
  auto b = gpu::GeometryRenderer::create(**context, decoded);
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return 0;
  const Bounds bounds = robust_bounds(original.positions);
  double sum = 0;
  for (int v = 0; v < views; ++v) {
    const Camera camera = orbit_camera(bounds, v, views, width, height);
    auto fa = (*a)->render_frame(camera, {1, 1, 1});
    auto fb = (*b)->render_frame(camera, {1, 1, 1});
    EXPECT_TRUE(fa.ok() && fb.ok());
    if (!fa.ok() || !fb.ok()) return 0;
    sum += psnr(fa->image, fb->image);
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
  return sum / views;
}

Mesh decoded_mesh(const Mesh& mesh, const std::string& preset) {
  auto bytes = codec::encode_mesh(mesh, *codec::mesh_preset_settings(preset));
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  auto scene = scz::decode_scz(*bytes);
  EXPECT_TRUE(scene.ok()) << scene.status().message();
  return scene.ok() ? *scene->mesh() : Mesh{};
}

struct RenderCase {
  const char* file;  // nullptr: the synthetic torus
  const char* preset;
  double min_psnr;
};

// Failures name the case rather than dumping the struct's bytes.
void PrintTo(const RenderCase& c, std::ostream* os) { *os << (c.file ? c.file : "synthetic") << " " << c.preset; }

class MeshCodecRender : public ::testing::TestWithParam<RenderCase> {};

TEST_P(MeshCodecRender, DecodedMeshRendersLikeTheOriginal) {
  const RenderCase& c = GetParam();
  Mesh mesh;
  if (c.file) {
    SCZ_REQUIRE_DATA(c.file);
    auto scene = load_scene(test::data_path(c.file));
    ASSERT_TRUE(scene.ok()) << scene.status().message();
    mesh = *scene->mesh();
  } else {
    mesh = test::synthetic_mesh(48, 24);
  }
  const double p = mean_psnr(mesh, decoded_mesh(mesh, c.preset), 3, 128, 96);
  std::printf("%s %s: %.2f dB\n", c.file ? c.file : "synthetic torus", c.preset, p);
  EXPECT_GE(p, c.min_psnr);
}

INSTANTIATE_TEST_SUITE_P(Meshes, MeshCodecRender,
                         ::testing::Values(RenderCase{nullptr, "balanced", 40.0},
                                           RenderCase{"meshes/bunny.obj", "balanced", 40.0},
                                           RenderCase{"meshes/DamagedHelmet/DamagedHelmet.gltf", "balanced", 40.0},
                                           RenderCase{"meshes/DamagedHelmet/DamagedHelmet.gltf", "small", 30.0}),
                         [](const auto& info) {
                           std::string name = info.param.file ? info.param.file : "synthetic";
                           name = name.substr(name.rfind('/') + 1) + "_" + info.param.preset;
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(PointCodecRender, DecodedPointsRenderLikeTheOriginal) {
  const PointCloud points = test::synthetic_points(20000, 5);
  auto bytes = codec::encode_points(points, *codec::point_preset_settings("balanced"));
  ASSERT_TRUE(bytes.ok());
  auto scene = scz::decode_scz(*bytes);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const double p = mean_psnr(points, *scene->points(), 2, 128, 96);
  std::printf("synthetic points balanced: %.2f dB\n", p);
  EXPECT_GE(p, 35.0);
}

}  // namespace
}  // namespace scenezip
