// The grid convert --copies / --mix writes (tools/render_support's mix_on_grid), checked
// Gaussian by Gaussian on small scenes written here.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

GaussianCloud cloud_at(const std::vector<std::array<float, 3>>& points, int degree) {
  GaussianCloud c;
  c.resize(points.size(), degree);
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (int k = 0; k < 3; ++k) c.positions[3 * i + k] = points[i][k];
    c.rotations[4 * i] = 1.0f;
    for (std::size_t r = 0; r < static_cast<std::size_t>(c.sh_rest_stride()); ++r) {
      c.sh_rest[i * c.sh_rest_stride() + r] = 0.5f;
    }
  }
  return c;
}

void expect_position(const GaussianCloud& c, std::size_t i, std::array<float, 3> want) {
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(c.positions[3 * i + k], want[k], 1e-5f) << "Gaussian " << i << " axis " << k;
}

// Cells take the scenes in turn; the second is scaled by the tighter of the two x-z
// extent ratios (2/8 and 2/4) and centred on the first's box; degrees rise to the highest.
TEST(SceneGrid, MixScalesEachSceneIntoTheFirstOnesCell) {
  test::ScratchDir dir;
  const std::string first = dir.file("first.ply"), second = dir.file("second.ply"), city = dir.file("city.ply");
  // Centres (1, 0.5, 1) and (14, 6, 22).
  ASSERT_TRUE(save_scene(Scene{cloud_at({{0, 0, 0}, {2, 0, 0}, {0, 1, 0}, {0, 0, 2}}, 0)}, first).ok());
  ASSERT_TRUE(save_scene(Scene{cloud_at({{10, 5, 20}, {18, 5, 20}, {10, 7, 24}}, 1)}, second).ok());
  auto r = test::run_scenezip("convert " + first + " " + city + " --copies 3 --mix " + second);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto scene = load_scene(city);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud* grid = scene->gaussians();
  ASSERT_NE(grid, nullptr);
  ASSERT_EQ(grid->count, 11u);
  EXPECT_EQ(grid->sh_degree, 1);
  // Cell 0: the first as it was, its new band zero.
  expect_position(*grid, 1, {2, 0, 0});
  for (int r = 0; r < grid->sh_rest_stride(); ++r) EXPECT_EQ(grid->sh_rest[r], 0.0f);
  // Cell 1 (one step of 1.1 x 2 along x): the second at a quarter of its size.
  expect_position(*grid, 4, {2.2f, 0.25f, 0.5f});
  expect_position(*grid, 5, {4.2f, 0.25f, 0.5f});
  expect_position(*grid, 6, {2.2f, 0.75f, 1.5f});
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(grid->log_scales[3 * 4 + k], std::log(0.25f), 1e-6f);
  EXPECT_EQ(grid->sh_rest[4 * grid->sh_rest_stride()], 0.5f);  // its own band kept
  // Cell 2 (next row, one step along z): the first again.
  expect_position(*grid, 10, {0, 0, 4.2f});
  EXPECT_EQ(grid->log_scales[3 * 10], 0.0f);
}

}  // namespace
}  // namespace scenezip
