// The Gaussian codec end to end: encoder and decoder round trips per stream, pruning,
// presets and settings, and real scenes within stated error bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "formats/scz/gaussian_decoder.h"
#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/geometry_settings.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/test_support.h"

namespace scenezip::codec {
namespace {

// The source Gaussians in the order the file stores them: pruned as the encoder prunes,
// then sorted along the same Morton curve.
GaussianCloud in_file_order(const GaussianCloud& cloud, const GaussianCodecSettings& s) {
  PruneSettings p{s.min_opacity, s.min_scale_fraction, s.sh_band_min_rms, s.max_sh_degree};
  const GaussianCloud pruned = prune_gaussians(cloud, p, nullptr);
  const Bounds b = compute_bounds(pruned.positions);
  const auto order = morton_order(pruned.positions, b.min, b.max, position_grid_bits(pruned.positions, s.position_bits));
  GaussianCloud out;
  out.resize(pruned.count, pruned.sh_degree);
  for (std::size_t i = 0; i < order.size(); ++i) out.copy_from(pruned, order[i], i);
  return out;
}

// Half a grid step, plus the float rounding of coordinates as large as the scene's.
double position_tolerance(double step, const GaussianCloud& cloud) {
  const Bounds b = compute_bounds(cloud.positions);
  double largest = 0;
  for (int k = 0; k < 3; ++k) largest = std::max({largest, std::fabs(double{b.min[k]}), std::fabs(double{b.max[k]})});
  return 0.5 * step + largest * std::ldexp(1.0, -23);
}

struct Errors {
  double position_max = 0;  // largest per-axis difference
  double scale_rms = 0, rotation_rms = 0, opacity_rms = 0, dc_rms = 0, sh_rms = 0;
  double rotation_worst = 0;  // largest 1 - |dot|
  // Log-scale RMS weighted as the presets weight scale codebooks ("footprint": opacity
  // squared times the largest cross-section), so large opaque Gaussians count most.
  double scale_footprint_rms = 0;
};

Errors compare(const GaussianCloud& a, const GaussianCloud& b) {
  Errors e;
  const std::size_t n = a.count;
  auto rms = [&](const std::vector<float>& x, const std::vector<float>& y) {
    double sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += (x[i] - y[i]) * static_cast<double>(x[i] - y[i]);
    return x.empty() ? 0.0 : std::sqrt(sum / x.size());
  };
  for (std::size_t i = 0; i < 3 * n; ++i) e.position_max = std::max<double>(e.position_max, std::fabs(a.positions[i] - b.positions[i]));
  e.scale_rms = rms(a.log_scales, b.log_scales);
  e.dc_rms = rms(a.sh_dc, b.sh_dc);
  e.sh_rms = rms(a.sh_rest, b.sh_rest);
  double rot = 0, op = 0, footprint_error = 0, footprint = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double s[3] = {a.log_scales[3 * i], a.log_scales[3 * i + 1], a.log_scales[3 * i + 2]};
    std::sort(s, s + 3);
    const double alpha = activation::opacity(a.logit_opacities[i]);
    const double w = alpha * alpha * std::exp(s[1] + s[2]);
    for (int k = 0; k < 3; ++k) {
      const double d = a.log_scales[3 * i + k] - b.log_scales[3 * i + k];
      footprint_error += w * d * d / 3.0;
    }
    footprint += w;
    double dot = 0;
    for (int k = 0; k < 4; ++k) dot += a.rotations[4 * i + k] * static_cast<double>(b.rotations[4 * i + k]);
    const double d = 1.0 - std::fabs(dot);
    rot += d * d;
    e.rotation_worst = std::max(e.rotation_worst, d);
    const double o = activation::opacity(a.logit_opacities[i]) - activation::opacity(b.logit_opacities[i]);
    op += o * o;
  }
  e.rotation_rms = n ? std::sqrt(rot / n) : 0;
  e.scale_footprint_rms = footprint > 0 ? std::sqrt(footprint_error / footprint) : 0;
  e.opacity_rms = n ? std::sqrt(op / n) : 0;
  return e;
}

// As many codes as Gaussians and fine positions: only float16 rounding remains, so
// every stream's encoder and decoder must agree value for value.
GaussianCodecSettings near_lossless(int n) {
  GaussianCodecSettings s;
  s.position_bits = 21;
  s.scale = {{1, 1, 1}, {n, n, n}, "none"};
  s.rotation = {{4}, {n}, "none"};
  s.opacity = {{1}, {n}, "none"};
  s.color = {{3}, {n}, "none"};
  s.sh = {{45}, {n}, "pca"};
  s.min_scale_fraction = 0;
  s.sh_band_min_rms = 0;
  s.min_gaussians_per_code = 0;
  s.threads = 2;
  return s;
}

Result<GaussianCloud> round_trip(const GaussianCloud& cloud, const GaussianCodecSettings& s,
                                 GaussianEncodeReport* report = nullptr) {
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, encode_gaussians(cloud, s, report));
  return scz::decode_scz_gaussians(bytes);
}

TEST(GaussianCodec, EveryStreamRoundTripsNearLosslessly) {
  for (int degree = 0; degree <= 3; ++degree) {
    const GaussianCloud cloud = test::synthetic_cloud(400, degree, 10 + degree);
    const GaussianCodecSettings s = near_lossless(400);
    auto decoded = round_trip(cloud, s);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    const GaussianCloud source = in_file_order(cloud, s);
    ASSERT_EQ(decoded->count, source.count);
    ASSERT_EQ(decoded->sh_degree, degree);
    const Errors e = compare(source, *decoded);
    const Bounds b = compute_bounds(source.positions);
    const double half_step = 0.5 * (b.max[0] - b.min[0]) / ((1 << 21) - 1);
    EXPECT_LE(e.position_max, half_step * 1.01 + 1e-7) << degree;
    // float16 keeps 11 significant bits.
    EXPECT_LE(e.scale_rms, 6 * std::ldexp(1.0, -11)) << degree;
    EXPECT_LE(e.rotation_worst, 1e-5) << degree;
    EXPECT_LE(e.opacity_rms, 1e-3) << degree;
    EXPECT_LE(e.dc_rms, 2 * std::ldexp(1.0, -11)) << degree;
    EXPECT_LE(e.sh_rms, 1e-3) << degree;
  }
}

TEST(GaussianCodec, PresetsDecodeWithinTheirErrorBudget) {
  const GaussianCloud cloud = test::synthetic_cloud(3000, 3, 5);
  for (const std::string& name : preset_names()) {
    auto s = preset_settings(name);
    ASSERT_TRUE(s.ok());
    s->threads = 2;
    s->min_gaussians_per_code = 0;  // the preset's codebooks as they are, not shrunk for 3000 Gaussians
    GaussianEncodeReport report;
    auto decoded = round_trip(cloud, *s, &report);
    ASSERT_TRUE(decoded.ok()) << name << ": " << decoded.status().message();
    const GaussianCloud source = in_file_order(cloud, *s);
    ASSERT_EQ(decoded->count, source.count) << name;
    EXPECT_EQ(report.count_out, source.count);
    const Errors e = compare(source, *decoded);
    EXPECT_LE(e.position_max, position_tolerance(report.position_step, source)) << name;
    EXPECT_LT(e.scale_rms, 0.15) << name;
    EXPECT_LT(e.rotation_rms, 0.05) << name;
    EXPECT_LT(e.opacity_rms, 0.02) << name;
    EXPECT_LT(e.dc_rms, 0.1) << name;
    EXPECT_LT(e.sh_rms, 0.05) << name;
    // The report's errors are the decoder's errors.
    for (const auto& a : report.attributes) {
      if (a.name == "scale") {
        EXPECT_NEAR(a.rms_error, e.scale_rms, 1e-3) << name;
      } else if (a.name == "color") {
        EXPECT_NEAR(a.rms_error, e.dc_rms, 1e-3) << name;
      } else if (a.name == "sh") {
        EXPECT_NEAR(a.rms_error, e.sh_rms, 1e-3) << name;
      }
    }
  }
}

TEST(GaussianCodec, OutputIsDeterministicForAnyThreadCount) {
  const GaussianCloud cloud = test::synthetic_cloud(2000, 2, 3);
  auto s = *preset_settings("balanced");
  s.threads = 1;
  auto one = encode_gaussians(cloud, s);
  s.threads = 2;
  auto two = encode_gaussians(cloud, s);
  auto again = encode_gaussians(cloud, s);
  ASSERT_TRUE(one.ok() && two.ok() && again.ok());
  EXPECT_EQ(*one, *two);
  EXPECT_EQ(*two, *again);
}

TEST(GaussianCodec, PrunesWhatCannotBeSeen) {
  GaussianCloud cloud = test::synthetic_cloud(500, 1, 8);
  cloud.positions[3 * 10 + 1] = std::nanf("");
  cloud.sh_rest[9 * 20 + 4] = std::numeric_limits<float>::infinity();
  for (int k = 0; k < 4; ++k) cloud.rotations[4 * 30 + k] = 0.0f;  // no rotation at all
  cloud.logit_opacities[40] = -8.0f;                                 // alpha 0.0003
  cloud.logit_opacities[41] = activation::logit(0.5f / 255);
  for (int k = 0; k < 3; ++k) cloud.log_scales[3 * 50 + k] = -30.0f;  // 1e-13 units across
  auto s = *preset_settings("balanced");
  s.threads = 2;
  GaussianEncodeReport report;
  auto decoded = round_trip(cloud, s, &report);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(report.prune.count_in, 500u);
  EXPECT_EQ(report.prune.non_finite, 3u);
  EXPECT_EQ(report.prune.transparent, 2u);
  EXPECT_EQ(report.prune.tiny, 1u);
  EXPECT_EQ(report.count_out, 494u);
  EXPECT_EQ(decoded->count, 494u);
  EXPECT_TRUE(decoded->validate().ok());
}

TEST(GaussianCodec, DropsShBandsThatCarryAlmostNothing) {
  GaussianCloud cloud = test::synthetic_cloud(600, 3, 2);
  // Band 3 (coefficients 8..14 of each channel) nearly silent, band 2 kept.
  for (std::size_t i = 0; i < cloud.count; ++i) {
    for (int c = 0; c < 3; ++c) {
      for (int j = 8; j < 15; ++j) cloud.sh_rest[45 * i + 15 * c + j] *= 1e-4f;
    }
  }
  auto s = *preset_settings("balanced");
  s.threads = 2;
  GaussianEncodeReport report;
  auto decoded = round_trip(cloud, s, &report);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(report.prune.sh_degree_in, 3);
  EXPECT_EQ(report.prune.sh_degree_out, 2);
  EXPECT_EQ(decoded->sh_degree, 2);
  EXPECT_GT(report.prune.band_rms[1], s.sh_band_min_rms);
  EXPECT_LT(report.prune.band_rms[2], s.sh_band_min_rms);
  // max_sh_degree caps it further.
  s.max_sh_degree = 1;
  decoded = round_trip(cloud, s);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->sh_degree, 1);
}

TEST(GaussianCodec, EmptyAndSingleGaussianClouds) {
  auto s = *preset_settings("small");
  for (std::size_t n : {0, 1, 2}) {
    const GaussianCloud cloud = test::synthetic_cloud(n, 3, 1);
    auto decoded = round_trip(cloud, s);
    ASSERT_TRUE(decoded.ok()) << n << ": " << decoded.status().message();
    EXPECT_EQ(decoded->count, n);
  }
}

TEST(GaussianCodec, SettingsAreDataThatRoundTrips) {
  for (const std::string& name : preset_names()) {
    const GaussianCodecSettings s = *preset_settings(name);
    EXPECT_TRUE(check_settings(s).ok()) << name;
    const nlohmann::ordered_json json = settings_json(s);
    auto back = settings_from_json(json);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(settings_json(*back), json);
    EXPECT_EQ(json["preset"], name);
  }
  EXPECT_FALSE(preset_settings("tiny").ok());
  GaussianCodecSettings bad = *preset_settings("balanced");
  bad.sh.slices.back() += 1;
  EXPECT_FALSE(check_settings(bad).ok());
  bad = *preset_settings("balanced");
  bad.rotation.codebook_sizes[0] = 70000;
  EXPECT_FALSE(check_settings(bad).ok());
  bad = *preset_settings("balanced");
  bad.position_bits = 22;
  EXPECT_FALSE(encode_gaussians(test::synthetic_cloud(10, 0, 1), bad).ok());
  bad = *preset_settings("balanced");
  bad.scale.transform = "smallest_three";
  EXPECT_FALSE(check_settings(bad).ok());
  bad = *preset_settings("balanced");
  bad.rotation = {{2, 2}, {16, 16}, "smallest_three"};
  EXPECT_FALSE(check_settings(bad).ok());
  bad = *preset_settings("balanced");
  bad.color.weighting = "loudness";
  EXPECT_FALSE(check_settings(bad).ok());
  // A per-attribute weighting survives the JSON round trip; absent, it is empty.
  GaussianCodecSettings weighted = *preset_settings("balanced");
  weighted.opacity.weighting = "opacity";
  auto back = settings_from_json(settings_json(weighted));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->opacity.weighting, "opacity");
  EXPECT_EQ(back->sh.weighting, weighted.sh.weighting);
  EXPECT_FALSE(settings_from_json({{"codec", "gaussians"}}).ok());
  EXPECT_FALSE(settings_from_json(settings_json(*mesh_preset_settings("balanced"))).ok());
  EXPECT_FALSE(settings_from_json(nlohmann::json("not settings")).ok());
}

// --- The continuous quality ladder ------------------------------------------------

double index_bits(const GaussianCodecSettings& s) {
  double bits = 0.0;
  for (const QuantizerSettings* q : {&s.scale, &s.rotation, &s.opacity, &s.color, &s.sh}) {
    for (int k : q->codebook_sizes) bits += std::log2(static_cast<double>(k));
  }
  return bits + 3.0 * s.position_bits;
}

TEST(QualityLadder, WholeLevelsAreTheRungsAndBitsGrowInBetween) {
  for (int level = 0; level < quality_levels(); ++level) {
    EXPECT_EQ(settings_json(*quality_settings(level)).dump(), settings_json(*quality_level_settings(level)).dump()) << level;
  }
  double previous = 0.0;
  for (double level = 0.0; level <= quality_levels() - 1; level += 0.125) {
    auto s = quality_settings(level);
    ASSERT_TRUE(s.ok()) << level;
    EXPECT_TRUE(check_settings(*s).ok()) << level;
    const double bits = index_bits(*s);
    EXPECT_GE(bits, previous - 0.5) << "index bits fall at level " << level;
    previous = bits;
  }
  EXPECT_FALSE(quality_settings(-0.5).ok());
  EXPECT_FALSE(quality_settings(quality_levels() - 0.5).ok());
  EXPECT_FALSE(quality_settings(std::nan("")).ok());
}

// On a real scene, bytes grow and the error shrinks between two rungs. Where the level
// passes the middle the slices switch to the upper rung's cut, which may cost a little
// less than the scaled lower cut did (small-sh3-9k: 1.2% less at 2.5 than at 2.25).
TEST(QualityLadder, RealSceneBytesGrowBetweenRungs) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok());
  std::size_t previous_bytes = 0, first_bytes = 0;
  double first_error = 0.0, last_error = 0.0;
  for (double level : {2.0, 2.25, 2.5, 2.75, 3.0}) {
    auto s = *quality_settings(level);
    s.threads = 2;
    GaussianEncodeReport report;
    auto bytes = encode_gaussians(*scene->gaussians(), s, &report);
    ASSERT_TRUE(bytes.ok());
    EXPECT_GT(static_cast<double>(bytes->size()), 0.97 * static_cast<double>(previous_bytes)) << level;
    previous_bytes = bytes->size();
    if (level == 2.0) first_bytes = bytes->size();
    double error = 0.0;
    for (const auto& a : report.attributes) error += a.rms_error * a.rms_error;
    if (level == 2.0) first_error = error;
    last_error = error;
  }
  EXPECT_LT(last_error, first_error);
  EXPECT_GT(static_cast<double>(previous_bytes), 1.1 * static_cast<double>(first_bytes));
}

// --- Real scenes ------------------------------------------------------------------

void check_real_scene(const std::string& relative) {
  auto scene = load_scene(test::data_path(relative));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  auto s = *preset_settings("balanced");
  s.threads = 2;
  GaussianEncodeReport report;
  auto bytes = encode_gaussians(cloud, s, &report);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto decoded = scz::decode_scz_gaussians(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const GaussianCloud source = in_file_order(cloud, s);
  ASSERT_EQ(decoded->count, source.count);
  EXPECT_EQ(report.prune.count_in - report.prune.non_finite - report.prune.transparent - report.prune.tiny,
            decoded->count);
  EXPECT_TRUE(decoded->validate().ok());
  const Errors e = compare(source, *decoded);
  std::printf("%s: %zu -> %zu Gaussians, %zu bytes (%.2f per Gaussian); errors: position %.3g (step %.3g), "
              "log-scale %.4f (footprint-weighted %.4f), rotation 1-|dot| %.4f, opacity %.4f, DC %.4f, SH %.4f\n",
              relative.c_str(), cloud.count, decoded->count, bytes->size(),
              static_cast<double>(bytes->size()) / decoded->count, e.position_max, report.position_step, e.scale_rms,
              e.scale_footprint_rms, e.rotation_rms, e.opacity_rms, e.dc_rms, e.sh_rms);
  // The bounds this codec promises at the balanced preset (RMS unless stated).
  EXPECT_LE(e.position_max, position_tolerance(report.position_step, source));
  EXPECT_LT(e.scale_footprint_rms, 0.1);
  EXPECT_LT(e.rotation_rms, 0.02);
  EXPECT_LT(e.opacity_rms, 0.01);
  EXPECT_LT(e.dc_rms, 0.08);
  EXPECT_LT(e.sh_rms, 0.06);
  EXPECT_LT(bytes->size(), cloud.count * 25);
}

TEST(GaussianCodec, RealSceneSmallSh3) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  check_real_scene("splats/small-sh3-9k.ply");
}

TEST(GaussianCodec, RealSceneTileSh3) {
  SCZ_REQUIRE_DATA("splats/tile-sh3-14k.ply");
  check_real_scene("splats/tile-sh3-14k.ply");
}

}  // namespace
}  // namespace scenezip::codec
