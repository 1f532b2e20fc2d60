// Importance pruning: the share kept, what goes first, the settings' JSON, and the
// encoder end to end with it on a real scene.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "formats/scz/gaussian_decoder.h"
#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/importance_prune.h"
#include "engine/render/splat_importance.h"
#include "formats/formats.h"
#include "engine/codec/kmeans.h"
#include "engine/render/splat_reference.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using codec::GaussianCodecSettings;

TEST(ImportancePrune, KeepsTheRequestedShare) {
  codec::SplitMix64 rng(7);
  std::vector<float> importance(1000);
  for (float& v : importance) v = static_cast<float>(std::pow(rng.uniform(), 4.0) * 100.0);
  importance[10] = 0.0f;
  const double total = std::accumulate(importance.begin(), importance.end(), 0.0);
  for (double keep : {0.5, 0.9, 0.99}) {
    const auto kept = codec::select_important(importance, keep, 0.0);
    ASSERT_TRUE(std::is_sorted(kept.begin(), kept.end()));
    double sum = 0, smallest = 1e30;
    for (std::size_t i : kept) {
      sum += importance[i];
      smallest = std::min<double>(smallest, importance[i]);
    }
    EXPECT_GE(sum, keep * total * (1 - 1e-9)) << keep;
    // Minimal: dropping the least important kept one would fall below the share.
    EXPECT_LT(sum - smallest, keep * total) << keep;
    EXPECT_EQ(std::count(kept.begin(), kept.end(), std::size_t{10}), 0);
    // Everything removed is at most as important as everything kept.
    for (std::size_t i = 0; i < importance.size(); ++i) {
      if (!std::binary_search(kept.begin(), kept.end(), i)) {
        EXPECT_LE(importance[i], smallest);
      }
    }
  }
  for (double fraction : {0.1, 0.3, 0.5}) {
    EXPECT_EQ(codec::select_important(importance, 1.0, fraction).size(),
              importance.size() - static_cast<std::size_t>(std::floor(fraction * importance.size())));
  }
  // The stricter target wins; both off keep all; a total of 0 keeps all.
  EXPECT_EQ(codec::select_important(importance, 0.5, 0.01).size(), codec::select_important(importance, 0.5, 0).size());
  EXPECT_EQ(codec::select_important(importance, 1.0, 0.0).size(), importance.size());
  EXPECT_EQ(codec::select_important(std::vector<float>(50, 0.0f), 0.5, 0.0).size(), 50u);
}

// An opaque shell of Gaussians around a small one, and one far below every view: both
// get (nearly) no importance from the orbit views and are the first to go.
TEST(ImportancePrune, HiddenAndOutOfViewGaussiansGoFirst) {
  GaussianCloud cloud;
  const std::size_t shell = 800;
  cloud.resize(shell + 2, 0);
  const double golden = 3.14159265358979 * (3.0 - std::sqrt(5.0));
  for (std::size_t i = 0; i < cloud.count; ++i) {
    float* p = &cloud.positions[3 * i];
    if (i < shell) {  // a Fibonacci sphere of radius 1
      const double y = 1.0 - 2.0 * (i + 0.5) / shell, r = std::sqrt(1.0 - y * y);
      p[0] = static_cast<float>(r * std::cos(golden * i));
      p[1] = static_cast<float>(y);
      p[2] = static_cast<float>(r * std::sin(golden * i));
    } else if (i == shell) {
      p[0] = p[1] = p[2] = 0.0f;  // inside the shell
    } else {
      p[0] = 0.0f, p[1] = 1000.0f, p[2] = 0.0f;  // far below: +y is down
    }
    for (int k = 0; k < 3; ++k) cloud.log_scales[3 * i + k] = std::log(i < shell ? 0.12f : 0.2f);
    cloud.rotations[4 * i] = 1.0f;
    cloud.logit_opacities[i] = 6.0f;
    for (int c = 0; c < 3; ++c) cloud.sh_dc[3 * i + c] = 0.5f;
  }
  GaussianCodecSettings s;
  s.importance_views = 8;
  s.importance_resolution = 64;
  auto importance = codec::gaussian_importance(cloud, s, {});
  ASSERT_TRUE(importance.ok()) << importance.status().message();
  std::vector<float> shell_values(importance->begin(), importance->begin() + shell);
  std::nth_element(shell_values.begin(), shell_values.begin() + shell / 2, shell_values.end());
  const float median = shell_values[shell / 2];
  EXPECT_GT(median, 1.0f);
  EXPECT_LT((*importance)[shell], 1e-3f * median);
  EXPECT_EQ((*importance)[shell + 1], 0.0f);
  const auto kept = codec::select_important(*importance, 1.0, 2.0 / cloud.count + 1e-9);
  ASSERT_EQ(kept.size(), shell);
  EXPECT_EQ(kept.back(), shell - 1);

  // The volume factor scales by (volume / its 10th percentile)^power.
  std::vector<float> ones(cloud.count, 1.0f);
  codec::apply_volume_factor(cloud, 0.5f, &ones);
  EXPECT_NEAR(ones[0], 1.0f, 1e-5f);
  EXPECT_NEAR(ones[shell], std::pow(std::pow(0.2f / 0.12f, 3.0f), 0.5f), 1e-4f);
}

TEST(ImportancePrune, SettingsRoundTripThroughJson) {
  GaussianCodecSettings s = *codec::preset_settings("balanced");
  // The presets measure importance (8 small views) to drop SH bands per Gaussian and to
  // weight the rotation and colour codebooks; nothing is pruned by it.
  EXPECT_TRUE(codec::needs_importance(s));
  EXPECT_GT(s.sh_gaussian_min_rms, 0.0f);
  EXPECT_EQ(s.importance_keep, 1.0f);
  EXPECT_EQ(s.importance_prune_fraction, 0.0f);
  s.sh_gaussian_min_rms = 0.0f;
  s.rotation.weighting.clear();
  s.color.weighting.clear();
  s.importance_views = GaussianCodecSettings().importance_views;
  s.importance_resolution = GaussianCodecSettings().importance_resolution;
  // Off, and then absent from the JSON: files stay as they were.
  EXPECT_FALSE(codec::needs_importance(s));
  EXPECT_FALSE(codec::settings_json(s).contains("importance"));
  EXPECT_FALSE(codec::settings_json(s)["prune"].contains("sh_gaussian_min_rms"));
  s.importance_keep = 0.95f;
  s.importance_prune_fraction = 0.25f;
  s.importance_source = "opacity";
  s.importance_views = 12;
  s.importance_resolution = 256;
  s.importance_volume = "volume";
  s.importance_volume_power = 0.2f;
  s.sh.weighting = "importance";
  EXPECT_TRUE(codec::needs_importance(s));
  auto back = codec::settings_from_json(codec::settings_json(s));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->importance_keep, 0.95f);
  EXPECT_EQ(back->importance_prune_fraction, 0.25f);
  EXPECT_EQ(back->importance_source, "opacity");
  EXPECT_EQ(back->importance_views, 12);
  EXPECT_EQ(back->importance_resolution, 256);
  EXPECT_EQ(back->importance_volume, "volume");
  EXPECT_EQ(back->importance_volume_power, 0.2f);
  EXPECT_EQ(back->sh.weighting, "importance");
  EXPECT_EQ(codec::settings_json(*back), codec::settings_json(s));

  auto rejected = [](auto change) {
    GaussianCodecSettings bad = *codec::preset_settings("balanced");
    change(bad);
    return !codec::check_settings(bad).ok();
  };
  EXPECT_TRUE(rejected([](auto& b) { b.importance_keep = 0.0f; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_keep = 1.5f; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_prune_fraction = 1.0f; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_prune_fraction = NAN; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_source = "pixels"; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_views = 0; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_resolution = 100000; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_volume = "area"; }));
  EXPECT_TRUE(rejected([](auto& b) { b.importance_volume_power = -1.0f; }));
  EXPECT_FALSE(rejected([](auto& b) { b.weighting = "importance"; }));
}

// Compressing a real scene with importance pruning through the C++ reference: the
// requested share goes, the file decodes, and it still looks like the original.
TEST(ImportancePrune, EncoderPrunesARealScene) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  GaussianCodecSettings s = *codec::preset_settings("balanced");
  s.importance_prune_fraction = 0.3f;
  s.importance_views = 4;
  s.importance_resolution = 64;
  s.weighting = "importance";
  std::vector<std::string> stages;
  codec::GaussianEncodeReport report;
  auto encoded = codec::encode_gaussians(cloud, s, &report, [&](const std::string& st) { stages.push_back(st); });
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  EXPECT_NE(std::find(stages.begin(), stages.end(), "importance"), stages.end());
  const std::size_t after_cpu = cloud.count - report.prune.non_finite - report.prune.transparent - report.prune.tiny;
  EXPECT_EQ(report.prune.unimportant, static_cast<std::size_t>(std::floor(0.3 * after_cpu)));
  EXPECT_EQ(report.count_out, after_cpu - report.prune.unimportant);
  EXPECT_GT(report.prune.importance_kept, 0.9);
  auto decoded = scz::decode_scz_gaussians(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->count, report.count_out);
  const Camera camera = orbit_camera(robust_bounds(cloud.positions), 1, 4, 96, 96);
  EXPECT_GT(psnr(render_gaussians_reference(cloud, camera, {1, 1, 1}),
                 render_gaussians_reference(*decoded, camera, {1, 1, 1})),
            22.0);

  // An accelerator that fails is reported, not replaced by the reference.
  codec::EncoderAccelerators failing;
  failing.blend_weights = [](const GaussianCloud&, const std::vector<Camera>&) -> Result<std::vector<float>> {
    return internal_error("device lost");
  };
  auto failed = codec::encode_gaussians(cloud, s, nullptr, {}, failing);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("importance: device lost"), std::string::npos);
}

// compress --target-psnr encodes one scene at several levels with a remembering
// blend-weights function: the files are byte for byte those of the plain encoder, the
// views are rendered once for two levels, and again when the Gaussians move.
TEST(ImportancePrune, RememberedBlendWeightsRenderOnceAndChangeNothing) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  const GaussianCloud& cloud = *scene->gaussians();
  int renders = 0;
  codec::EncoderAccelerators direct;  // the same renders, never remembered
  direct.blend_weights = [](const GaussianCloud& c, const std::vector<Camera>& cameras) -> Result<std::vector<float>> {
    return blend_weights_reference(c, cameras);
  };
  codec::EncoderAccelerators counting;
  counting.blend_weights = codec::remembering_blend_weights(
      [&](const GaussianCloud& c, const std::vector<Camera>& cameras) -> Result<std::vector<float>> {
        ++renders;
        return blend_weights_reference(c, cameras);
      },
      2);
  for (const double level : {2.0, 2.6}) {
    SCOPED_TRACE(level);
    GaussianCodecSettings s = *codec::quality_settings(level);
    s.importance_resolution = 64;
    s.threads = 2;
    auto plain = codec::encode_gaussians(cloud, s, nullptr, {}, direct);
    auto remembered = codec::encode_gaussians(cloud, s, nullptr, {}, counting);
    ASSERT_TRUE(plain.ok() && remembered.ok());
    EXPECT_TRUE(*plain == *remembered);
  }
  EXPECT_EQ(renders, 1);
  GaussianCloud moved = cloud;
  moved.positions[0] += 0.5f;
  GaussianCodecSettings s = *codec::quality_settings(2.0);
  s.importance_resolution = 64;
  ASSERT_TRUE(codec::encode_gaussians(moved, s, nullptr, {}, counting).ok());
  EXPECT_EQ(renders, 2);
  // Without an inner function the C++ reference renders, as the encoder's own would.
  codec::EncoderAccelerators reference;
  reference.blend_weights = codec::remembering_blend_weights({}, 2);
  auto with_reference = codec::encode_gaussians(cloud, s, nullptr, {}, reference);
  auto plain = codec::encode_gaussians(cloud, s);
  ASSERT_TRUE(with_reference.ok() && plain.ok());
  EXPECT_TRUE(*with_reference == *plain);
}

}  // namespace
}  // namespace scenezip
