// The `.scz` format's small pieces: float16, Morton codes, the Gaussian layout stream and
// smallest-three rotations.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "formats/scz/float16.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/scz/morton.h"

namespace scenezip::scz {
namespace {

TEST(Float16, ExactValuesRoundTrip) {
  for (float v : {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 2048.0f, 65504.0f, -65504.0f, 6.103515625e-05f, 5.960464477539063e-08f}) {
    EXPECT_EQ(half_to_float(float_to_half(v)), v) << v;
  }
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(5.960464477539063e-08f), 0x0001);  // smallest subnormal
}

TEST(Float16, EveryHalfSurvivesAndRoundingIsNearestEven) {
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const float f = half_to_float(static_cast<std::uint16_t>(h));
    if (!std::isfinite(f)) continue;
    ASSERT_EQ(float_to_half(f), h == 0x8000 ? 0x8000 : h) << std::hex << h;
  }
  // 1 + 2^-11 lies halfway between 1 and the next half: ties go to the even mantissa.
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);            // halfway to the first subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
  // Relative error of normal values stays within half a unit in the last place.
  for (float v = 1e-4f; v < 6e4f; v *= 1.37f) {
    EXPECT_LE(std::fabs(half_to_float(float_to_half(v)) - v), v * std::ldexp(1.0f, -11)) << v;
  }
}

TEST(Float16, SaturatesAndNeverWritesNonFinite) {
  EXPECT_EQ(float_to_half(1e9f), 0x7bff);
  EXPECT_EQ(float_to_half(-1e9f), 0xfbff);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7bff);
  EXPECT_EQ(float_to_half(std::nanf("")), 0);
  EXPECT_TRUE(std::isinf(half_to_float(0x7c00)));
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
}

TEST(Morton, RoundTripsAndInterleaves) {
  EXPECT_EQ(morton_encode(1, 0, 0), 1u);
  EXPECT_EQ(morton_encode(0, 1, 0), 2u);
  EXPECT_EQ(morton_encode(0, 0, 1), 4u);
  EXPECT_EQ(morton_encode(3, 0, 0), 9u);
  const std::uint32_t max = (1u << kMaxMortonBits) - 1;
  EXPECT_EQ(morton_encode(max, max, max), (std::uint64_t{1} << 63) - 1);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; ++i) {
    const auto x = static_cast<std::uint32_t>(rng() & max), y = static_cast<std::uint32_t>(rng() & max),
               z = static_cast<std::uint32_t>(rng() & max);
    const auto back = morton_decode(morton_encode(x, y, z));
    ASSERT_EQ(back[0], x);
    ASSERT_EQ(back[1], y);
    ASSERT_EQ(back[2], z);
  }
}

GaussianLayout sample_layout() {
  GaussianLayout l;
  l.sh_degree = 2;
  l.position_bits = 17;
  l.bounds_min = {-1, -2, -3};
  l.bounds_max = {1, 2, 3.5f};
  l.attributes = {{Attribute::kScale, Transform::kNone, {{1, 64}, {1, 64}, {1, 300}}},
                  {Attribute::kRotation, Transform::kNone, {{4, 4096}}},
                  {Attribute::kOpacity, Transform::kNone, {{1, 256}}},
                  {Attribute::kColor, Transform::kNone, {{3, 65536}}},
                  {Attribute::kSh, Transform::kAffine, {{5, 1000}, {19, 12}}}};
  return l;
}

TEST(Layout, RoundTripsAndSizesStreams) {
  const GaussianLayout l = sample_layout();
  ASSERT_TRUE(check_layout(l).ok()) << check_layout(l).message();
  auto back = parse_layout(serialize_layout(l));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->position_bits, 17);
  EXPECT_EQ(back->bounds_max[2], 3.5f);
  ASSERT_EQ(back->attributes.size(), 5u);
  EXPECT_EQ(back->attributes[3].slices[0].codebook_size, 65536);
  EXPECT_EQ(back->attributes[4].transform, Transform::kAffine);
  EXPECT_EQ(position_stream_bytes(l, 10), 10u * 7);  // 51 bits per delta
  EXPECT_EQ(index_stream_bytes(l.attributes[0], 10), 10u * 4);
  EXPECT_EQ(codebook_stream_bytes(l.attributes[4]), 2u * (5 * 1000 + 19 * 12));
  EXPECT_EQ(transform_stream_bytes(l.attributes[4]), 4u * (24 + 24 * 24));
  EXPECT_EQ(transform_stream_bytes(l.attributes[0]), 0u);
}

TEST(Layout, RejectsInconsistentLayouts) {
  auto expect_bad = [](GaussianLayout l, const std::string& fragment) {
    const Bytes bytes = serialize_layout(l);
    auto parsed = parse_layout(bytes);
    ASSERT_FALSE(parsed.ok()) << fragment;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.status().message().find(fragment), std::string::npos) << parsed.status().message();
  };
  GaussianLayout l = sample_layout();
  l.attributes[4].slices[1].dims = 18;
  expect_bad(l, "cover 23 values, expected 24");
  l = sample_layout();
  l.sh_degree = 3;
  expect_bad(l, "cover 24 values, expected 45");
  l = sample_layout();
  l.attributes.pop_back();
  expect_bad(l, "needs 5");
  l = sample_layout();
  std::swap(l.attributes[0], l.attributes[1]);
  expect_bad(l, "expected 0");
  l = sample_layout();
  l.position_bits = 22;
  expect_bad(l, "position bits");
  l = sample_layout();
  l.bounds_min[1] = 5;
  expect_bad(l, "bounds");
  l = sample_layout();
  l.bounds_max[0] = std::numeric_limits<float>::infinity();
  expect_bad(l, "bounds");
  l = sample_layout();
  l.attributes[1].transform = static_cast<Transform>(9);
  expect_bad(l, "unknown transform");

  Bytes bytes = serialize_layout(sample_layout());
  bytes.push_back(0);
  EXPECT_FALSE(parse_layout(bytes).ok());
  bytes = serialize_layout(sample_layout());
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(parse_layout(Bytes(bytes.begin(), bytes.begin() + cut)).ok()) << cut;
  }
  bytes = serialize_layout(sample_layout());
  bytes[28] = 7;  // first attribute id
  EXPECT_FALSE(parse_layout(bytes).ok());
}

TEST(SmallestThree, RoundTripsEveryRotationWhateverItsSign) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 2000; ++trial) {
    float q[4], norm = 0.0f;
    for (float& v : q) {
      v = static_cast<float>((static_cast<double>(rng() >> 11) * 0x1p-53) * 2.0 - 1.0);
      norm += v * v;
    }
    // Include exact axes and ties, where the largest component is ambiguous.
    if (trial < 4) {
      std::fill_n(q, 4, 0.0f);
      q[trial] = -1.0f;
      norm = 1.0f;
    } else if (trial < 8) {
      std::fill_n(q, 4, 0.5f);
      norm = 1.0f;
    }
    for (float& v : q) v /= std::sqrt(norm);
    float u[4], back[4];
    rotation_to_smallest_three(q, u);
    EXPECT_TRUE(u[0] == 0.0f || u[0] == 1.0f || u[0] == 2.0f || u[0] == 3.0f);
    for (int k = 1; k < 4; ++k) EXPECT_LE(std::fabs(u[k]), 1.0f + 1e-6f);
    smallest_three_to_rotation(u, back);
    float dot = 0.0f;
    for (int k = 0; k < 4; ++k) dot += q[k] * back[k];
    EXPECT_NEAR(std::fabs(dot), 1.0f, 1e-5f) << trial;
  }
}

TEST(SmallestThree, AnyCodedVectorGivesAFiniteRotation) {
  const float cases[][4] = {{7.6f, 1, 1, 1}, {-3, -1, 0, 0}, {1.4f, 50, -50, 0}, {2, 0, 0, 0}};
  for (const auto& u : cases) {
    float q[4];
    smallest_three_to_rotation(u, q);
    float norm = 0.0f;
    for (float v : q) {
      EXPECT_TRUE(std::isfinite(v));
      norm += v * v;
    }
    EXPECT_GT(norm, 0.5f);
  }
}

TEST(Layout, SmallestThreeOnlyForRotationsWithAOneValueFirstSlice) {
  GaussianLayout l = sample_layout();
  l.attributes[1].transform = Transform::kSmallestThree;
  l.attributes[1].slices = {{1, 4}, {3, 256}};
  EXPECT_TRUE(parse_layout(serialize_layout(l)).ok());
  l.attributes[1].slices = {{2, 16}, {2, 256}};
  EXPECT_FALSE(parse_layout(serialize_layout(l)).ok());
  l = sample_layout();
  l.attributes[0].transform = Transform::kSmallestThree;
  EXPECT_FALSE(parse_layout(serialize_layout(l)).ok());
}

}  // namespace
}  // namespace scenezip::scz
