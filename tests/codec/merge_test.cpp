// Merging Gaussians by moment matching: the maths on hand-made pairs, the settings, and
// the encoder end to end on a real scene.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/merge.h"
#include "engine/render/covariance.h"
#include "engine/render/splat_reference.h"
#include "formats/formats.h"
#include "formats/scz/gaussian_decoder.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

GaussianCloud two_gaussians(float dx, float opacity) {
  GaussianCloud c;
  c.resize(2, 1);
  const float q[4] = {0.9f, 0.1f, -0.3f, 0.2f};
  for (int g = 0; g < 2; ++g) {
    c.positions[3 * g] = g * dx;
    c.positions[3 * g + 1] = 0.5f;
    c.log_scales[3 * g] = std::log(0.2f);
    c.log_scales[3 * g + 1] = std::log(0.1f);
    c.log_scales[3 * g + 2] = std::log(0.05f);
    for (int k = 0; k < 4; ++k) c.rotations[4 * g + k] = q[k];
    c.logit_opacities[g] = activation::logit(opacity);
    for (int k = 0; k < 3; ++k) c.sh_dc[3 * g + k] = 0.3f * (k + 1);
  }
  c.sh_dc[3] += 0.5f;  // the second one a little redder
  c.normalize_rotations();
  return c;
}

TEST(Merge, EigenAndQuaternionRebuildTheCovariance) {
  const GaussianCloud c = two_gaussians(0.0f, 0.5f);
  float sigma[3][3];
  covariance_3d(c, 0, 1.0f, sigma);
  double m[3][3], values[3], vectors[3][3];
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) m[r][k] = sigma[r][k];
  codec::symmetric_eigen3(m, values, vectors);
  EXPECT_NEAR(values[0], 0.05 * 0.05, 1e-7);
  EXPECT_NEAR(values[2], 0.2 * 0.2, 1e-7);
  GaussianCloud back = c;
  codec::rotation_to_quaternion(vectors, &back.rotations[0]);
  for (int k = 0; k < 3; ++k) back.log_scales[k] = static_cast<float>(0.5 * std::log(values[k]));
  float again[3][3];
  covariance_3d(back, 0, 1.0f, again);
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(again[r][k], sigma[r][k], 1e-6) << r << k;
}

TEST(Merge, MomentMatchingKeepsMeanCovarianceAndMass) {
  const GaussianCloud c = two_gaussians(0.3f, 0.4f);
  const codec::MergeInput a = codec::merge_input(c, 0), b = codec::merge_input(c, 1);
  const codec::MergedGaussian m = codec::moment_match(a, b);
  // Equal masses: the mean halfway, the covariance grown by the offset along x.
  // (Positions are float: 0.3f is 0.3 to 1e-8.)
  const double half = 0.5 * b.mean[0];
  EXPECT_NEAR(m.mean[0], half, 1e-12);
  EXPECT_NEAR(m.sigma[0][0], a.sigma[0][0] + half * half, 1e-12);
  EXPECT_NEAR(m.sigma[1][1], a.sigma[1][1], 1e-12);
  EXPECT_NEAR(m.weight_a, 0.5, 1e-12);
  EXPECT_NEAR(m.opacity * codec::footprint(m.sigma), 2 * 0.4 * a.footprint, 1e-9);
  // On top of each other: no more than the two composited.
  const GaussianCloud same = two_gaussians(0.0f, 0.4f);
  const codec::MergedGaussian s = codec::moment_match(codec::merge_input(same, 0), codec::merge_input(same, 1));
  EXPECT_NEAR(s.opacity, 1.0 - 0.6 * 0.6, 1e-6);
}

TEST(Merge, RemovesTheShareAndCarriesImportance) {
  const GaussianCloud c = two_gaussians(0.3f, 0.4f);
  std::vector<float> importance = {2.0f, 3.0f};
  codec::MergeReport report;
  const GaussianCloud merged = codec::merge_gaussians(c, &importance, {0.5f, 100.0f}, &report);
  ASSERT_EQ(merged.count, 1u);
  EXPECT_EQ(report.merged, 1u);
  ASSERT_EQ(importance.size(), 1u);
  EXPECT_FLOAT_EQ(importance[0], 5.0f);
  EXPECT_NEAR(merged.positions[0], 0.15f, 1e-6);
  EXPECT_NEAR(merged.sh_dc[0], 0.3f + 0.25f, 1e-6);  // mass-weighted colour
  EXPECT_EQ(codec::merge_gaussians(c, nullptr, {0.0f, 100.0f}, nullptr).count, 2u);
}

TEST(Merge, SettingsRoundTripAndChecks) {
  codec::GaussianCodecSettings s = *codec::preset_settings("balanced");
  EXPECT_FALSE(codec::settings_json(s)["prune"].contains("merge_fraction"));  // files that do not merge keep their text
  s.merge_fraction = 0.2f;
  s.merge_colour_weight = 30.0f;
  const auto back = codec::settings_from_json(codec::settings_json(s));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FLOAT_EQ(back->merge_fraction, 0.2f);
  EXPECT_FLOAT_EQ(back->merge_colour_weight, 30.0f);
  s.merge_fraction = 0.95f;
  EXPECT_FALSE(codec::check_settings(s).ok());
  s.merge_fraction = NAN;
  EXPECT_FALSE(codec::check_settings(s).ok());
}

// On a real scene the encoder removes the share, the file decodes, and a view of it
// still looks like the original.
TEST(Merge, EncoderMergesARealScene) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  codec::GaussianCodecSettings s = *codec::preset_settings("high");
  s.importance_views = 4;
  s.importance_resolution = 64;
  s.merge_fraction = 0.2f;
  codec::GaussianEncodeReport report;
  auto encoded = codec::encode_gaussians(cloud, s, &report);
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  const std::size_t after_cpu = cloud.count - report.prune.non_finite - report.prune.transparent - report.prune.tiny;
  EXPECT_EQ(report.prune.merged, static_cast<std::size_t>(std::floor(0.2 * after_cpu)));
  EXPECT_EQ(report.count_out, after_cpu - report.prune.merged);
  auto decoded = scz::decode_scz_gaussians(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->count, report.count_out);
  const Camera camera = orbit_camera(robust_bounds(cloud.positions), 1, 4, 96, 96);
  EXPECT_GT(psnr(render_gaussians_reference(cloud, camera, {1, 1, 1}),
                 render_gaussians_reference(*decoded, camera, {1, 1, 1})),
            25.0);
}

}  // namespace
}  // namespace scenezip
