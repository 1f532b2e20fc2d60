#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/gpu/geometry_renderer.h"
#include "engine/render/mesh_reference.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::drawn_pixels;

struct MeshCase {
  const char* file;
  int width, height, views;
};

// Failures name the file rather than dumping the struct's bytes.
void PrintTo(const MeshCase& c, std::ostream* os) { *os << c.file; }

// Pixels where the two depth buffers disagree: one empty and not the other, or finite
// depths more than a relative 1e-5 apart.
std::size_t depth_mismatches(const std::vector<float>& a, const std::vector<float>& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isinf(a[i]) != std::isinf(b[i])) {
      ++n;
    } else if (!std::isinf(a[i]) && std::abs(a[i] - b[i]) > 1e-5f * std::abs(b[i])) {
      ++n;
    }
  }
  return n;
}

class MeshRendererTest : public ::testing::TestWithParam<MeshCase> {};

// The GPU rasterizer and the plain C++ one agree to >= 45 dB on real meshes from several
// orbit views, their depth buffers match, the mesh is in view, and the validation layer
// reports nothing.
TEST_P(MeshRendererTest, MatchesCpuReference) {
  const MeshCase& c = GetParam();
  SCZ_REQUIRE_DATA(c.file);
  auto scene = load_scene(test::data_path(c.file));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const Mesh& mesh = *scene->mesh();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::GeometryRenderer::create(**context, mesh);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  const Bounds bounds = robust_bounds(mesh.positions);
  const std::array<float, 3> background = {1, 1, 1};
  for (int v = 0; v < c.views; ++v) {
    const Camera camera = orbit_camera(bounds, v, c.views, c.width, c.height);
    auto gpu_frame = (*renderer)->render_frame(camera, background);
    ASSERT_TRUE(gpu_frame.ok()) << gpu_frame.status().message();
    const GeometryFrame cpu_frame = render_mesh_reference(mesh, camera, background);
    EXPECT_GE(psnr(gpu_frame->image, cpu_frame.image), 45.0) << c.file << " view " << v;
    EXPECT_EQ(depth_mismatches(gpu_frame->depth, cpu_frame.depth), 0u) << c.file << " view " << v;
    // The mesh must be in view: a blank frame would agree trivially.
    const std::size_t pixels = static_cast<std::size_t>(c.width) * c.height;
    EXPECT_GT(drawn_pixels(cpu_frame.image, background), pixels / 20) << c.file << " view " << v;
    EXPECT_GT(drawn_pixels(gpu_frame->image, background), pixels / 20) << c.file << " view " << v;
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

INSTANTIATE_TEST_SUITE_P(MeshRenderer, MeshRendererTest,
                         ::testing::Values(MeshCase{"meshes/DamagedHelmet/DamagedHelmet.gltf", 96, 72, 3},
                                           MeshCase{"meshes/bunny.obj", 96, 72, 3},
                                           MeshCase{"meshes/xyzrgb_dragon_50k.ply", 96, 72, 3}),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           name = name.substr(name.rfind('/') + 1);
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// The helmet's base-colour texture reaches the tables both renderers read, so the
// comparison above covers texture sampling and not just flat colours.
TEST(MeshRenderer, HelmetTextureIsUsed) {
  SCZ_REQUIRE_DATA("meshes/DamagedHelmet/DamagedHelmet.gltf");
  auto scene = load_scene(test::data_path("meshes/DamagedHelmet/DamagedHelmet.gltf"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const MeshTables tables = build_mesh_tables(*scene->mesh());
  ASSERT_EQ(tables.textures.size(), 1u);
  EXPECT_GT(tables.textures[0].width, 0u);
  EXPECT_EQ(tables.texels.size(), std::size_t{tables.textures[0].width} * tables.textures[0].height);
  ASSERT_GE(tables.materials.size(), 2u);
  EXPECT_EQ(tables.materials[0].texture, 0u);
}

// A square facing the camera: a grid of triangles sharing edges, wound both ways. Every
// pixel centre inside belongs to exactly one triangle, so no background shows through
// and the image matches the reference exactly.
Mesh grid_square(int cells, float half, float z) {
  Mesh mesh;
  for (int j = 0; j <= cells; ++j) {
    for (int i = 0; i <= cells; ++i) {
      mesh.positions.insert(mesh.positions.end(),
                            {-half + 2 * half * i / cells, -half + 2 * half * j / cells, z + 0.01f * ((i * 7 + j * 3) % 5)});
    }
  }
  for (int j = 0; j < cells; ++j) {
    for (int i = 0; i < cells; ++i) {
      const std::uint32_t a = j * (cells + 1) + i, b = a + 1, c = a + cells + 1, d = c + 1;
      if ((i + j) % 2) {
        mesh.indices.insert(mesh.indices.end(), {a, b, d, a, d, c});
      } else {
        mesh.indices.insert(mesh.indices.end(), {a, c, b, b, c, d});
      }
    }
  }
  return mesh;
}

Camera front_camera(int width, int height) {
  Camera camera;
  camera.width = width;
  camera.height = height;
  camera.fx = camera.fy = 0.5 * height / std::tan(0.5 * 50.0 * 3.14159265358979 / 180.0);
  camera.cx = 0.5 * width;
  camera.cy = 0.5 * height;
  camera.znear = 0.01;
  return camera;
}

// Fine cells go through the thread-per-triangle path, coarse ones (boxes past
// kBigTriangleBox pixels) through the workgroup-per-triangle path.
TEST(MeshRenderer, SharedEdgesLeaveNoGaps) {
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  for (int cells : {23, 3}) {
    const Mesh mesh = grid_square(cells, 1.5f, 2.0f);
    auto renderer = gpu::GeometryRenderer::create(**context, mesh);
    ASSERT_TRUE(renderer.ok()) << renderer.status().message();
    const Camera camera = front_camera(97, 71);
    const std::array<float, 3> background = {1, 0, 1};
    auto gpu_frame = (*renderer)->render_frame(camera, background);
    ASSERT_TRUE(gpu_frame.ok()) << gpu_frame.status().message();
    const GeometryFrame cpu_frame = render_mesh_reference(mesh, camera, background);
    EXPECT_EQ(drawn_pixels(gpu_frame->image, background), 97u * 71u) << cells << " cells";
    EXPECT_EQ(drawn_pixels(cpu_frame.image, background), 97u * 71u) << cells << " cells";
    EXPECT_GE(psnr(gpu_frame->image, cpu_frame.image), 60.0) << cells << " cells";
    EXPECT_EQ(depth_mismatches(gpu_frame->depth, cpu_frame.depth), 0u) << cells << " cells";
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

// Vertices just past the near plane project thousands of pixels off screen; the rows'
// column bounds and the big-triangle path must still cover exactly what the reference
// covers.
TEST(MeshRenderer, FarOffscreenVerticesMatchReference) {
  Mesh mesh;
  mesh.positions = {-0.3f, -0.2f, 2.0f,  0.4f, 0.1f, 2.5f,  3.0f, 0.05f, 0.0105f,  -2.0f, 1.5f, 0.011f,
                    0.1f, -0.4f, 1.5f,  -0.5f, -3.0f, 0.0102f};
  mesh.indices = {0, 1, 2,  0, 3, 1,  0, 4, 5,  1, 4, 2,  0, 5, 3};
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::GeometryRenderer::create(**context, mesh);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  const Camera camera = front_camera(80, 60);
  const std::array<float, 3> background = {0, 0, 0};
  auto gpu_frame = (*renderer)->render_frame(camera, background);
  ASSERT_TRUE(gpu_frame.ok()) << gpu_frame.status().message();
  const GeometryFrame cpu_frame = render_mesh_reference(mesh, camera, background);
  EXPECT_GT(drawn_pixels(cpu_frame.image, background), 80u * 60u / 4);
  EXPECT_GE(psnr(gpu_frame->image, cpu_frame.image), 60.0);
  EXPECT_EQ(depth_mismatches(gpu_frame->depth, cpu_frame.depth), 0u);
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

// Two copies of one triangle at the same depth, red (id 1) then green (id 2): the lower
// id wins every pixel on both sides. A blue triangle (id 0) with a vertex in front of
// the near plane is dropped, though it would cover the others.
TEST(MeshRenderer, EqualDepthGoesToTheLowestTriangleAndNearPlaneDrops) {
  Mesh mesh;
  const float tri[9] = {-1, -1, 3, 1, -1, 3, 0, 1, 3};
  for (int copy = 0; copy < 2; ++copy) mesh.positions.insert(mesh.positions.end(), tri, tri + 9);
  const float behind[9] = {-5, -5, 0.005f, 5, -5, 0.005f, 0, 5, 5};
  mesh.positions.insert(mesh.positions.end(), behind, behind + 9);
  for (int k = 0; k < 3; ++k) mesh.colors.insert(mesh.colors.end(), {1, 0, 0});
  for (int k = 0; k < 3; ++k) mesh.colors.insert(mesh.colors.end(), {0, 1, 0});
  for (int k = 0; k < 3; ++k) mesh.colors.insert(mesh.colors.end(), {0, 0, 1});
  mesh.indices = {6, 7, 8, 0, 1, 2, 3, 4, 5};
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::GeometryRenderer::create(**context, mesh);
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  const Camera camera = front_camera(64, 48);
  const std::array<float, 3> background = {0, 0, 0};
  auto gpu_frame = (*renderer)->render_frame(camera, background);
  ASSERT_TRUE(gpu_frame.ok()) << gpu_frame.status().message();
  const GeometryFrame cpu_frame = render_mesh_reference(mesh, camera, background);
  for (const Image* image : {static_cast<const Image*>(&gpu_frame->image), &cpu_frame.image}) {
    std::size_t red = 0;
    for (std::size_t i = 0; i < image->rgb.size() / 3; ++i) {
      const float* p = &image->rgb[3 * i];
      EXPECT_EQ(p[1], 0.0f) << "green at pixel " << i;
      EXPECT_EQ(p[2], 0.0f) << "blue at pixel " << i;
      if (p[0] > 0) ++red;
    }
    EXPECT_GT(red, 100u);
  }
  EXPECT_GE(psnr(gpu_frame->image, cpu_frame.image), 60.0);
  EXPECT_EQ(depth_mismatches(gpu_frame->depth, cpu_frame.depth), 0u);
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

// `scenezip render` draws meshes, upright: glTF and OBJ meshes are +y up, so a triangle
// pointing to +y must point up in the image (narrow at the top, wide at the bottom).
// `scenezip eval` of a mesh against itself is perfect.
TEST(MeshRenderer, CliRendersMeshesUprightAndEvaluatesThem) {
  test::ScratchDir dir;
  const std::string obj = dir.file("arrow.obj");
  std::ofstream(obj) << "v -1 0 0\nv 1 0 0\nv 0 2 0\nf 1 2 3\n";
  const std::string png = dir.file("arrow.png");
  auto r = test::run_scenezip("render " + obj + " --out " + png + " --width 96 --height 72");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto image = read_png(png);
  ASSERT_TRUE(image.ok()) << image.status().message();
  std::size_t upper = 0, lower = 0;
  for (int y = 0; y < image->height; ++y) {
    for (int x = 0; x < image->width; ++x) {
      const float* p = &image->rgb[3 * (static_cast<std::size_t>(y) * image->width + x)];
      if (p[0] + p[1] + p[2] < 2.9f) (y < image->height / 2 ? upper : lower) += 1;
    }
  }
  EXPECT_GT(upper, 20u);
  EXPECT_GT(lower, 2 * upper);

  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  const std::string bunny = test::data_path("meshes/bunny.obj");
  r = test::run_scenezip("eval " + bunny + " " + bunny + " --views 2 --width 48 --height 32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(nlohmann::json::parse(r.out)["psnr"].get<double>(), 99.0);
}

}  // namespace
}  // namespace scenezip
