// The point-cloud codec: round trips on synthetic and real clouds (positions within half
// a grid step, normals within the octahedral bound, colours within half a step or at the
// codebook's reported error), and the two colour modes measured against each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/codec/geometry_settings.h"
#include "formats/scz/point_decoder.h"
#include "engine/codec/point_encoder.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_geometry.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::angle_between;

struct PointErrors {
  double position = 0, normal_angle = 0, color_max = 0, color_rms = 0;
  double largest_coordinate = 0;  // float32 rounds decoded values to its precision
  std::size_t bytes = 0;
};

PointErrors round_trip(const PointCloud& in, const codec::PointCodecSettings& s, codec::PointEncodeReport* out) {
  codec::PointEncodeReport r;
  auto bytes = codec::encode_points(in, s, &r);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return {};
  auto container = scz::parse_container(*bytes);
  EXPECT_TRUE(container.ok()) << container.status().message();
  auto decoded = scz::decode_points(*container);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  if (!decoded.ok()) return {};
  const PointCloud& d = *decoded;
  EXPECT_EQ(d.count(), r.count_out);
  EXPECT_EQ(d.normals.empty(), in.normals.empty());
  EXPECT_EQ(d.colors.empty(), in.colors.empty());
  PointErrors e;
  e.bytes = bytes->size();
  double squared = 0;
  for (std::size_t i = 0; i < d.count(); ++i) {
    const std::size_t o = r.point_order[i];
    for (int k = 0; k < 3; ++k) {
      e.position = std::max(e.position, double(std::fabs(d.positions[3 * i + k] - in.positions[3 * o + k])));
      e.largest_coordinate = std::max(e.largest_coordinate, double(std::fabs(in.positions[3 * o + k])));
    }
    if (!in.normals.empty()) e.normal_angle = std::max(e.normal_angle, angle_between(&d.normals[3 * i], &in.normals[3 * o]));
    for (int k = 0; k < 3 && !in.colors.empty(); ++k) {
      const double diff = d.colors[3 * i + k] - std::clamp(in.colors[3 * o + k], 0.0f, 1.0f);
      e.color_max = std::max(e.color_max, std::fabs(diff));
      squared += diff * diff;
    }
  }
  if (d.count() && !in.colors.empty()) e.color_rms = std::sqrt(squared / (3.0 * d.count()));
  // Morton order: every decoded point's grid cell is at or after the previous one's.
  *out = std::move(r);
  return e;
}

void expect_within_bounds(const PointErrors& e, const codec::PointEncodeReport& r, const codec::PointCodecSettings& s) {
  EXPECT_LE(e.position, r.position_step / 2 * 1.001 + e.largest_coordinate * 0x1p-23 + 1e-6);
  EXPECT_LE(e.normal_angle, 1.5 * 2.0 / ((1 << s.normal_bits) - 1) + 1e-6);
  if (s.color_mode != "codebook") {
    EXPECT_LE(e.color_max, 0.5 / ((1 << s.color_bits) - 1) + 1e-6);
  } else {
    // The codebook's entries are rounded to 8 bits after training, which the report's
    // error includes: what the decoder gives back is exactly what the encoder measured.
    EXPECT_NEAR(e.color_rms, r.color_rms_error, 1e-4);
  }
}

TEST(PointCodec, SyntheticRoundTripEveryPresetAndMode) {
  const PointCloud points = test::synthetic_points(5000, 3);
  for (const std::string& preset : codec::point_preset_names()) {
    for (const char* mode : {"direct", "codebook", "auto"}) {
      auto s = *codec::point_preset_settings(preset);
      s.color_mode = mode;
      s.threads = 2;
      codec::PointEncodeReport r;
      const PointErrors e = round_trip(points, s, &r);
      expect_within_bounds(e, r, s);
      EXPECT_EQ(r.count_out, 5000u);
    }
  }
}

TEST(PointCodec, DropsNonFinitePointsAndKeepsBareClouds) {
  PointCloud points = test::synthetic_points(100, 4);
  points.positions[3 * 10] = std::nanf("");
  points.positions[3 * 50 + 2] = INFINITY;
  auto s = *codec::point_preset_settings("balanced");
  codec::PointEncodeReport r;
  expect_within_bounds(round_trip(points, s, &r), r, s);
  EXPECT_EQ(r.count_in, 100u);
  EXPECT_EQ(r.count_out, 98u);
  EXPECT_EQ(r.non_finite, 2u);
  PointCloud bare;
  bare.positions = {1, 2, 3, 1, 2, 3, -4, 0, 2};  // duplicates give zero deltas
  expect_within_bounds(round_trip(bare, s, &r), r, s);
  round_trip(PointCloud{}, s, &r);
  // "auto" keeps a cloud of few colours as an exact palette.
  PointCloud labelled = test::synthetic_points(2000, 6);
  for (std::size_t i = 0; i < labelled.count(); ++i) {
    for (int k = 0; k < 3; ++k) labelled.colors[3 * i + k] = float((i % 3 + k) % 3) / 2;
  }
  s.color_mode = "auto";
  const PointErrors e = round_trip(labelled, s, &r);
  expect_within_bounds(e, r, s);
  EXPECT_EQ(r.color_codes, 3);
  EXPECT_LE(e.color_max, 0.5 / 255 + 1e-6);
  PointCloud broken = test::synthetic_points(10, 1);
  broken.colors.pop_back();
  EXPECT_EQ(codec::encode_points(broken, s).status().code(), ErrorCode::kInvalidInput);
}

TEST(PointCodec, SettingsRoundTripThroughJson) {
  for (const std::string& preset : codec::point_preset_names()) {
    const auto s = *codec::point_preset_settings(preset);
    auto back = codec::point_settings_from_json(codec::settings_json(s));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(codec::settings_json(*back), codec::settings_json(s));
  }
  auto s = *codec::point_preset_settings("small");
  s.color_mode = "palette";
  EXPECT_FALSE(codec::check_point_settings(s).ok());
  EXPECT_FALSE(codec::point_settings_from_json({{"codec", "mesh"}}).ok());
  EXPECT_FALSE(codec::point_preset_settings("tiny").ok());
}

class RealPointsTest : public ::testing::TestWithParam<const char*> {};

// Both colour modes on real clouds: the numbers printed here are the measurement behind
// the presets' choice (docs/BENCHMARKS.md).
TEST_P(RealPointsTest, RoundTripsAndComparesColourModes) {
  SCZ_REQUIRE_DATA(GetParam());
  auto scene = load_scene(test::data_path(GetParam()));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const PointCloud& points = *scene->points();
  for (const std::string& preset : codec::point_preset_names()) {
    auto s = *codec::point_preset_settings(preset);
    s.threads = 2;
    codec::PointEncodeReport r;
    const PointErrors e = round_trip(points, s, &r);
    expect_within_bounds(e, r, s);
    std::printf("%s %s: %zu points, %zu bytes (%.2f per point)\n", GetParam(), preset.c_str(), r.count_out, e.bytes,
                double(e.bytes) / std::max<std::size_t>(1, r.count_out));
  }
  if (points.colors.empty()) return;
  struct Mode {
    const char* mode;
    int bits, codes;
  };
  for (const Mode m : {Mode{"direct", 8, 0}, Mode{"direct", 6, 0}, Mode{"direct", 5, 0}, Mode{"direct", 4, 0},
                       Mode{"codebook", 0, 1024}, Mode{"codebook", 0, 256}, Mode{"auto", 8, 4096}}) {
    auto s = *codec::point_preset_settings("balanced");
    s.threads = 2;
    s.color_mode = m.mode;
    if (m.bits) s.color_bits = m.bits;
    if (m.codes) s.color_codebook_size = m.codes;
    codec::PointEncodeReport r;
    const PointErrors e = round_trip(points, s, &r);
    expect_within_bounds(e, r, s);
    std::size_t color_bytes = 0;
    for (const auto& st : r.streams) {
      if (st.id == 4 || st.id == 5) color_bytes += st.stored_size;
    }
    std::printf("%s colours %s %d: %zu bytes (%.3f per point), RMS error %.4f (%.1f dB)\n", GetParam(), m.mode,
                m.bits ? m.bits : m.codes, color_bytes, double(color_bytes) / r.count_out, e.color_rms,
                e.color_rms > 0 ? -20 * std::log10(e.color_rms) : 99.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Real, RealPointsTest,
                         ::testing::Values("pointclouds/five_people.pcd", "pointclouds/table_scene_mug_stereo_textured.pcd",
                                           "pointclouds/building.ply", "pointclouds/b9_training.ply"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name = name.substr(name.rfind('/') + 1);
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace scenezip
