// Gaussians composited over opaque geometry: splats behind a surface are hidden, and the
// surface shows through where the splats leave light. GPU against the C++ reference.
#include <gtest/gtest.h>

#include "engine/gpu/geometry_renderer.h"
#include "engine/gpu/splat_renderer.h"
#include "engine/render/mesh_reference.h"
#include "engine/render/splat_reference.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

// A coloured square through the middle of `bounds`, facing the camera of orbit view 0
// (which looks along -z), so it hides the back half of the scene.
Mesh wall_through(const Bounds& bounds) {
  Mesh mesh;
  const float cz = 0.5f * (bounds.min[2] + bounds.max[2]);
  const float pad_x = bounds.max[0] - bounds.min[0], pad_y = bounds.max[1] - bounds.min[1];
  const float x0 = bounds.min[0] - pad_x, x1 = bounds.max[0] + pad_x;
  const float y0 = bounds.min[1] - pad_y, y1 = bounds.max[1] + pad_y;
  mesh.positions = {x0, y0, cz, x1, y0, cz, x1, y1, cz, x0, y1, cz};
  mesh.colors = {0.2f, 0.4f, 0.9f, 0.2f, 0.4f, 0.9f, 0.9f, 0.3f, 0.2f, 0.9f, 0.3f, 0.2f};
  mesh.indices = {0, 1, 2, 0, 2, 3};
  return mesh;
}

TEST(Composite, GaussiansOverAMeshMatchTheReference) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  const Bounds bounds = robust_bounds(cloud.positions);
  const Mesh wall = wall_through(bounds);
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto splats = gpu::SplatRenderer::create(**context, cloud);
  auto geometry = gpu::GeometryRenderer::create(**context, wall);
  ASSERT_TRUE(splats.ok() && geometry.ok());

  const Camera camera = orbit_camera(bounds, 0, 4, 96, 80);
  const std::array<float, 3> white{1, 1, 1};
  ASSERT_TRUE((*geometry)->draw(camera, white).ok());
  (*splats)->set_underlay(&(*geometry)->image_buffer(), &(*geometry)->depth_buffer());
  auto gpu_image = (*splats)->render(camera, white);
  ASSERT_TRUE(gpu_image.ok()) << gpu_image.status().message();

  const GeometryFrame opaque = render_mesh_reference(wall, camera, white);
  const Image cpu_image = render_gaussians_reference(cloud, camera, white, nullptr, &opaque.image, &opaque.depth);
  EXPECT_GE(psnr(*gpu_image, cpu_image), 45.0);

  // The wall shows, and it hides part of the scene: the composite differs from both the
  // Gaussians alone and the wall alone.
  const Image alone = render_gaussians_reference(cloud, camera, white);
  EXPECT_LT(psnr(cpu_image, alone), 30.0);
  EXPECT_LT(psnr(cpu_image, opaque.image), 30.0);
  EXPECT_EQ((*context)->validation_errors(), 0u);

  // Back to the plain background: the same renderer draws the Gaussians alone again.
  (*splats)->set_underlay(nullptr, nullptr);
  auto plain = (*splats)->render(camera, white);
  ASSERT_TRUE(plain.ok());
  EXPECT_GE(psnr(*plain, alone), 45.0);
}

TEST(Composite, CliRendersGaussiansWithAMesh) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  test::ScratchDir dir;
  auto r = test::run_scenezip("render " + test::data_path("splats/small-sh3-9k.ply") + " --with " +
                              test::data_path("meshes/bunny.obj") + " --out " + dir.file("c.png") +
                              " --width 48 --height 32");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto bad = test::run_scenezip("render " + test::data_path("splats/small-sh3-9k.ply") + " --with " +
                                test::data_path("splats/small-sh3-9k.ply") + " --out " + dir.file("d.png"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("two scenes combine only"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("d.png")));
}

}  // namespace
}  // namespace scenezip
