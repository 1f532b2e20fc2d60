#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "formats/formats.h"
#include "formats/ply.h"
#include "formats/scz/bytes.h"
#include "formats/spz.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

// --- Building files by hand, independently of the reader ------------------------------

using scz::store_u32;
using scz::store_u64;
void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

Bytes gzip(const Bytes& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes zstd(const Bytes& data) {
  Bytes out(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// 16-byte legacy header: magic, version, count, SH degree, fractional bits, flags, reserved.
Bytes legacy_header(std::uint32_t version, std::uint32_t count, int degree, int fractional_bits, int flags = 0) {
  Bytes h(16, 0);
  store_u32(&h[0], 0x5053474e);
  store_u32(&h[4], version);
  store_u32(&h[8], count);
  h[12] = static_cast<std::uint8_t>(degree);
  h[13] = static_cast<std::uint8_t>(fractional_bits);
  h[14] = static_cast<std::uint8_t>(flags);
  return h;
}

// A version 4 file from raw attribute blocks (positions alphas colours scales rotations
// SH, empty ones skipped); `extensions` goes between the header and the table.
Bytes build_v4(std::uint32_t count, int degree, const std::vector<Bytes>& blocks, const Bytes& extensions = {},
               int flags = 0) {
  std::vector<Bytes> streams;
  std::vector<std::uint64_t> sizes;
  for (const Bytes& b : blocks) {
    if (b.empty()) continue;
    streams.push_back(zstd(b));
    sizes.push_back(b.size());
  }
  const std::size_t toc = 32 + extensions.size();
  Bytes out(toc + 16 * streams.size(), 0);
  store_u32(&out[0], 0x5053474e);
  store_u32(&out[4], 4);
  store_u32(&out[8], count);
  out[12] = static_cast<std::uint8_t>(degree);
  out[13] = 12;
  out[14] = static_cast<std::uint8_t>(flags);
  out[15] = static_cast<std::uint8_t>(streams.size());
  store_u32(&out[16], static_cast<std::uint32_t>(toc));
  std::copy(extensions.begin(), extensions.end(), out.begin() + 32);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    store_u64(&out[toc + 16 * i], streams[i].size());
    store_u64(&out[toc + 16 * i + 8], sizes[i]);
  }
  for (const Bytes& s : streams) append(out, s);
  return out;
}

// Blocks of `n` plain Gaussians (all fields mid-range) for the version 4 builder.
std::vector<Bytes> plain_blocks(std::size_t n, int degree = 0) {
  return {Bytes(9 * n, 1), Bytes(n, 200), Bytes(3 * n, 128), Bytes(3 * n, 100), Bytes(4 * n, 0),
          Bytes(static_cast<std::size_t>(sh_rest_per_gaussian(degree)) * n, 128)};
}

// The format's axes (y up, z back) against ours (y down, z forward): a half-turn about x.
constexpr float kShSign[15] = {-1, -1, 1, -1, 1, 1, -1, 1, -1, 1, -1, -1, 1, -1, 1};

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float abs_dot4(const float* a, const float* b) {
  return std::fabs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
}

std::string message_of(const Result<GaussianCloud>& r) { return r.ok() ? "(ok)" : r.status().message(); }

void expect_invalid(const Bytes& bytes, const std::string& fragment) {
  auto cloud = decode_spz(bytes);
  ASSERT_FALSE(cloud.ok()) << "expected an error containing '" << fragment << "'";
  EXPECT_EQ(cloud.status().code(), ErrorCode::kInvalidInput) << cloud.status().message();
  EXPECT_NE(cloud.status().message().find(fragment), std::string::npos) << cloud.status().message();
}

// --- Real files ---------------------------------------------------------------------

TEST(Spz, ReadsRealVersion4Capture) {
  SCZ_REQUIRE_DATA("splats/biker.spz");
  auto scene = load_scene(test::data_path("splats/biker.spz"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud* g = scene->gaussians();
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->count, 152746u);
  EXPECT_EQ(g->sh_degree, 0);
  EXPECT_TRUE(g->validate().ok());
}

TEST(Spz, ReadsRealShDegree3File) {
  SCZ_REQUIRE_DATA("peers/lego.spz");
  auto scene = load_scene(test::data_path("peers/lego.spz"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud* g = scene->gaussians();
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->count, 124480u);
  EXPECT_EQ(g->sh_degree, 3);
  EXPECT_EQ(g->sh_rest.size(), 124480u * 45);
}

// biker.ply is biker.spz decoded to floats by another tool, in PLY axes. That tool wrote
// log(0) = -inf as the opacity of fully transparent Gaussians, which the Gaussian PLY
// reader rightly refuses, so its properties are read here one by one.
TEST(Spz, MatchesThirdPartyFloatDecode) {
  SCZ_REQUIRE_DATA("splats/biker.spz");
  SCZ_REQUIRE_DATA("splats/biker.ply");
  auto spz = load_scene(test::data_path("splats/biker.spz"));
  ASSERT_TRUE(spz.ok()) << spz.status().message();
  auto ply_bytes = read_file(test::data_path("splats/biker.ply"));
  ASSERT_TRUE(ply_bytes.ok());
  auto ply_file = ply::parse(*ply_bytes);
  ASSERT_TRUE(ply_file.ok()) << ply_file.status().message();
  const ply::Element* vertex = ply_file->find("vertex");
  ASSERT_NE(vertex, nullptr);
  auto column = [&](const char* name) {
    const ply::Property* p = vertex->find(name);
    EXPECT_NE(p, nullptr) << name;
    std::vector<float> values(vertex->count);
    for (std::size_t i = 0; p && i < values.size(); ++i) values[i] = ply::get<float>(*vertex, i, *p);
    return values;
  };
  const GaussianCloud& a = *spz->gaussians();
  ASSERT_EQ(a.count, vertex->count);
  const char* names[3][3] = {{"x", "y", "z"}, {"f_dc_0", "f_dc_1", "f_dc_2"}, {"scale_0", "scale_1", "scale_2"}};
  const std::vector<float>* ours[3] = {&a.positions, &a.sh_dc, &a.log_scales};
  float largest[3] = {0, 0, 0};
  for (int field = 0; field < 3; ++field) {
    for (int k = 0; k < 3; ++k) {
      const std::vector<float> theirs = column(names[field][k]);
      for (std::size_t i = 0; i < a.count; ++i) {
        largest[field] = std::max(largest[field], std::fabs((*ours[field])[3 * i + k] - theirs[i]));
      }
    }
  }
  const std::vector<float> opacity = column("opacity");
  std::vector<float> rot[4] = {column("rot_0"), column("rot_1"), column("rot_2"), column("rot_3")};
  float opacity_diff = 0, rotation_diff = 0;
  for (std::size_t i = 0; i < a.count; ++i) {
    opacity_diff = std::max(opacity_diff, std::fabs(sigmoid(a.logit_opacities[i]) - sigmoid(opacity[i])));
    float q[4] = {rot[0][i], rot[1][i], rot[2][i], rot[3][i]};
    const float length = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    for (float& v : q) v /= length;
    rotation_diff = std::max(rotation_diff, 1.0f - abs_dot4(&a.rotations[4 * i], q));
  }
  std::printf("biker.spz vs biker.ply, largest differences: position %.3g, DC %.3g, log-scale %.3g, "
              "opacity %.3g, rotation 1-|dot| %.3g\n",
              largest[0], largest[1], largest[2], opacity_diff, rotation_diff);
  // The same arithmetic gives the same floats; only alpha 0 differs, which we keep finite
  // at a quarter step (see logit_from_unorm8) where the other tool wrote -inf.
  EXPECT_EQ(largest[0], 0.0f);                   // brief allowed: half a 1/4096 step
  EXPECT_LE(largest[1], 1e-5f);                  // allowed: one colour step, 0.026
  EXPECT_EQ(largest[2], 0.0f);                   // allowed: one step, 1/16
  EXPECT_LE(opacity_diff, 0.25f / 255 + 1e-6f);  // allowed: one step, 1/255
  EXPECT_LE(rotation_diff, 1e-6f);
}

// lego.spz was encoded from lego-3dgs.ply (order kept): every value, the SH bands with
// their signs included, must lie within the encoder's quantization of the source.
TEST(Spz, RealFileMatchesTheSceneItWasEncodedFrom) {
  SCZ_REQUIRE_DATA("peers/lego.spz");
  SCZ_REQUIRE_DATA("splats/lego-3dgs.ply");
  auto spz = load_scene(test::data_path("peers/lego.spz"));
  auto ply = load_scene(test::data_path("splats/lego-3dgs.ply"));
  ASSERT_TRUE(spz.ok()) << spz.status().message();
  ASSERT_TRUE(ply.ok()) << ply.status().message();
  const GaussianCloud& a = *spz->gaussians();
  const GaussianCloud& b = *ply->gaussians();
  ASSERT_EQ(a.count, b.count);
  ASSERT_EQ(a.sh_degree, b.sh_degree);
  const int per = 15;
  std::size_t sh_misses = 0;
  float position = 0;
  for (std::size_t i = 0; i < a.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      position = std::max(position, std::fabs(a.positions[3 * i + k] - b.positions[3 * i + k]));
    }
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < per; ++k) {
        // Band 1 keeps 5 bits (step 8/128), bands 2-3 keep 4 (step 16/128), on [-1, 1).
        const float half_step = (k < 3 ? 4.5f : 8.5f) / 128;
        // The file holds the value in its own axes, where the range [-1, 127/128] applies.
        const float s = kShSign[k];
        const float source = s * std::clamp(s * b.sh_rest[45 * i + c * per + k], -1.0f, 127.0f / 128);
        sh_misses += std::fabs(a.sh_rest[45 * i + c * per + k] - source) > half_step + 1e-6f;
      }
    }
  }
  EXPECT_LE(position, 0.5f / 4096 + 1e-6f);
  EXPECT_EQ(sh_misses, 0u);
}

TEST(Spz, RewritingARealFileChangesNothing) {
  SCZ_REQUIRE_DATA("splats/biker.spz");
  auto original = read_file(test::data_path("splats/biker.spz"));
  ASSERT_TRUE(original.ok());
  auto first = decode_spz(*original);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto bytes = encode_spz(*first);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto second = decode_spz(*bytes);
  ASSERT_TRUE(second.ok()) << second.status().message();
  const GaussianCloud& a = *first;
  const GaussianCloud& b = *second;
  ASSERT_EQ(a.count, b.count);
  EXPECT_EQ(a.positions, b.positions);
  EXPECT_EQ(a.log_scales, b.log_scales);
  EXPECT_EQ(a.logit_opacities, b.logit_opacities);
  for (std::size_t i = 0; i < a.sh_dc.size(); ++i) ASSERT_NEAR(a.sh_dc[i], b.sh_dc[i], 1e-5f) << i;
  for (std::size_t i = 0; i < a.count; ++i) {
    // Re-encoding a decoded rotation may move one 9-bit step.
    ASSERT_GE(abs_dot4(&a.rotations[4 * i], &b.rotations[4 * i]), 1.0f - 1e-5f) << i;
  }
  // Same encoder settings as the file's writer: the size should be close.
  EXPECT_LT(bytes->size(), original->size() * 11 / 10);
}

// --- Round trip ---------------------------------------------------------------------

GaussianCloud random_cloud(std::size_t n, int degree, float extent, std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); };
  GaussianCloud cloud;
  cloud.resize(n, degree);
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      cloud.positions[3 * i + k] = uniform(-extent, extent);
      cloud.log_scales[3 * i + k] = uniform(-9.5f, 5.5f);
      cloud.sh_dc[3 * i + k] = uniform(-3.0f, 3.0f);
    }
    cloud.logit_opacities[i] = uniform(-6.0f, 6.0f);
    for (int k = 0; k < 4; ++k) cloud.rotations[4 * i + k] = uniform(-1.0f, 1.0f);
    for (int k = 0; k < cloud.sh_rest_stride(); ++k) cloud.sh_rest[cloud.sh_rest_stride() * i + k] = uniform(-0.95f, 0.95f);
  }
  cloud.normalize_rotations();
  return cloud;
}

TEST(Spz, WriteThenReadStaysWithinQuantization) {
  for (int degree = 0; degree <= 3; ++degree) {
    SCOPED_TRACE("SH degree " + std::to_string(degree));
    const GaussianCloud in = random_cloud(3000, degree, 100.0f, 7 + degree);
    auto bytes = encode_spz(in);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    ASSERT_GE(bytes->size(), 32u);
    EXPECT_EQ((*bytes)[4], 4);    // version 4
    EXPECT_EQ((*bytes)[13], 12);  // 12 fractional bits fit +-100
    auto out = decode_spz(*bytes);
    ASSERT_TRUE(out.ok()) << out.status().message();
    ASSERT_EQ(out->count, in.count);
    ASSERT_EQ(out->sh_degree, degree);
    const int per = sh_coeffs_per_channel(degree) - 1;
    for (std::size_t i = 0; i < in.count; ++i) {
      for (int k = 0; k < 3; ++k) {
        // Tolerances: half a step of each quantizer, plus float rounding.
        ASSERT_NEAR(out->positions[3 * i + k], in.positions[3 * i + k], 0.5f / 4096 + 1e-5f);
        ASSERT_NEAR(out->log_scales[3 * i + k], in.log_scales[3 * i + k], 0.5f / 16 + 1e-5f);
        ASSERT_NEAR(out->sh_dc[3 * i + k], in.sh_dc[3 * i + k], 0.5f / (255 * 0.15f) + 1e-4f);
      }
      ASSERT_NEAR(sigmoid(out->logit_opacities[i]), sigmoid(in.logit_opacities[i]), 0.5f / 255 + 1e-5f);
      // Smallest three at 9 bits: each component within 0.5 * sqrt(1/2) / 511.
      ASSERT_GE(abs_dot4(&out->rotations[4 * i], &in.rotations[4 * i]), 1.0f - 2e-6f) << i;
      for (int c = 0; c < 3; ++c) {
        for (int k = 0; k < per; ++k) {
          const float tolerance = (k < 3 ? 4.5f : 8.5f) / 128 + 1e-6f;  // 5 bits band 1, 4 bits above
          const std::size_t at = static_cast<std::size_t>(3 * per) * i + c * per + k;
          ASSERT_NEAR(out->sh_rest[at], in.sh_rest[at], tolerance) << "coefficient " << k << " channel " << c;
        }
      }
    }
  }
}

TEST(Spz, WideScenesTradeFractionalBitsForRange) {
  const GaussianCloud in = random_cloud(500, 0, 5000.0f, 3);
  auto bytes = encode_spz(in);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ((*bytes)[13], 10);  // 5000 * 2^10 fits 23 bits, 5000 * 2^11 does not
  auto out = decode_spz(*bytes);
  ASSERT_TRUE(out.ok()) << out.status().message();
  for (std::size_t i = 0; i < in.positions.size(); ++i) {
    ASSERT_NEAR(out->positions[i], in.positions[i], 0.5f / 1024 + 1e-3f);
  }
}

TEST(Spz, SavesAndLoadsThroughTheRegistry) {
  test::ScratchDir dir;
  const GaussianCloud in = random_cloud(100, 2, 10.0f, 11);
  ASSERT_TRUE(save_scene(Scene{in}, dir.file("cloud.spz")).ok());
  auto scene = load_scene(dir.file("cloud.spz"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(scene->gaussians()->count, 100u);
  EXPECT_EQ(scene->gaussians()->sh_degree, 2);
}

TEST(Spz, WritesAnEmptyCloud) {
  GaussianCloud empty;
  empty.resize(0, 1);
  auto bytes = encode_spz(empty);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto out = decode_spz(*bytes);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->count, 0u);
  EXPECT_EQ(out->sh_degree, 1);
}

TEST(Spz, RefusesToWriteNaNOrUnreachablePositions) {
  GaussianCloud cloud = random_cloud(4, 0, 1.0f, 5);
  cloud.log_scales[5] = std::nanf("");
  auto bytes = encode_spz(cloud);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), ErrorCode::kInvalidInput);

  cloud = random_cloud(4, 0, 1.0f, 5);
  cloud.positions[7] = 1e7f;  // beyond 2^23 even with no fractional bits
  bytes = encode_spz(cloud);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("24-bit"), std::string::npos) << bytes.status().message();
}

// --- Legacy versions built by hand ----------------------------------------------------

// Two Gaussians of SH degree 1 with 8 fractional bits; rotations are left to the caller.
Bytes legacy_file(std::uint32_t version, const Bytes& rotations, bool gzipped = true) {
  Bytes raw = legacy_header(version, 2, 1, 8);
  const std::int32_t fixed[6] = {256, -512, 1024, -300, 7, 8388607};
  for (std::int32_t f : fixed) {
    for (int b = 0; b < 3; ++b) raw.push_back(static_cast<std::uint8_t>(f >> (8 * b)));
  }
  append(raw, {255, 0});                      // alphas
  append(raw, {128, 0, 255, 64, 192, 100});   // colours
  append(raw, {160, 0, 255, 1, 2, 3});        // scales
  append(raw, rotations);
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 3; ++k) {
      for (int c = 0; c < 3; ++c) raw.push_back(static_cast<std::uint8_t>(128 + 10 * k + c + 1 - 60 * i));
    }
  }
  return gzipped ? gzip(raw) : raw;
}

void expect_legacy_fields(const GaussianCloud& g) {
  ASSERT_EQ(g.count, 2u);
  ASSERT_EQ(g.sh_degree, 1);
  const float expected_positions[6] = {1.0f, 2.0f, -4.0f, -300.0f / 256, -7.0f / 256, -8388607.0f / 256};
  for (int k = 0; k < 6; ++k) EXPECT_FLOAT_EQ(g.positions[k], expected_positions[k]) << k;
  EXPECT_NEAR(sigmoid(g.logit_opacities[0]), 1.0f, 0.5f / 255);
  EXPECT_NEAR(sigmoid(g.logit_opacities[1]), 0.0f, 0.5f / 255);
  const int colours[6] = {128, 0, 255, 64, 192, 100};
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(g.sh_dc[k], (colours[k] / 255.0f - 0.5f) / 0.15f, 1e-5f) << k;
  const float scales[6] = {0.0f, -10.0f, 5.9375f, -10.0f + 1.0f / 16, -10.0f + 2.0f / 16, -10.0f + 3.0f / 16};
  for (int k = 0; k < 6; ++k) EXPECT_FLOAT_EQ(g.log_scales[k], scales[k]) << k;
  for (int i = 0; i < 2; ++i) {
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < 3; ++k) {
        const float stored = (10.0f * k + c + 1 - 60.0f * i) / 128;
        EXPECT_FLOAT_EQ(g.sh_rest[9 * i + 3 * c + k], kShSign[k] * stored) << i << " " << c << " " << k;
      }
    }
  }
}

TEST(Spz, ReadsVersion2BuiltByHand) {
  // x y z as (v + 1) * 127.5; w >= 0 is implied.
  auto g = decode_spz(legacy_file(2, {128, 128, 128, 255, 64, 128}));
  ASSERT_TRUE(g.ok()) << g.status().message();
  expect_legacy_fields(*g);
  const float e = 128 / 127.5f - 1;  // the byte nearest zero
  // Gaussian 0: about identity. Gaussian 1: x = 1 leaves no room for w.
  const float w0 = std::sqrt(1 - 3 * e * e);
  const float q0[4] = {w0, e, -e, -e};  // y and z turn with the axes
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(g->rotations[k], q0[k], 1e-6f) << k;
  const float y1 = 64 / 127.5f - 1;
  const float n1 = std::sqrt(1 + y1 * y1 + e * e);
  const float q1[4] = {0, 1 / n1, -y1 / n1, -e / n1};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(g->rotations[4 + k], q1[k], 1e-6f) << k;
}

TEST(Spz, ReadsVersion3BuiltByHand) {
  // Smallest three: 2 bits naming the largest of x y z w, then per other component a sign
  // bit and a 9-bit magnitude of |v| / sqrt(1/2) * 511, the first component highest.
  const std::uint32_t identity = 3u << 30;
  const std::uint32_t mag = 361;  // 0.5 -> 0.49954
  const std::uint32_t largest_x = (0u << 30) | ((1u << 9 | mag) << 20) | (0u << 10) | mag;  // y -0.5, z 0, w +0.5
  Bytes rotations(8);
  store_u32(&rotations[0], identity);
  store_u32(&rotations[4], largest_x);
  auto g = decode_spz(legacy_file(3, rotations));
  ASSERT_TRUE(g.ok()) << g.status().message();
  expect_legacy_fields(*g);
  const float q0[4] = {1, 0, 0, 0};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(g->rotations[k], q0[k], 1e-6f) << k;
  const float v = std::sqrt(0.5f) * mag / 511;
  const float x = std::sqrt(1 - 2 * v * v);
  const float q1[4] = {v, x, v, 0};  // w x y z, y's sign turned with the axes
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(g->rotations[4 + k], q1[k], 1e-6f) << k;
}

TEST(Spz, ReadsLegacyLayoutWithoutGzip) {
  auto g = decode_spz(legacy_file(3, Bytes(8, 0), false));
  ASSERT_TRUE(g.ok()) << g.status().message();
  expect_legacy_fields(*g);
}

TEST(Spz, HonoursStoredAxesExtension) {
  // A coordinate-system record saying the data is already in PLY axes (right down front).
  Bytes record(12);
  store_u32(&record[0], 0xADBE0003u);
  store_u32(&record[4], 4);
  store_u32(&record[8], 6);
  std::vector<Bytes> blocks = plain_blocks(1, 1);
  blocks[0] = {0, 16, 0, 0, 32, 0, 0, 48, 0};  // 1, 2, 3 at 12 fractional bits
  blocks[5][0] = 192;                          // first band-1 coefficient (odd in y), red
  auto g = decode_spz(build_v4(1, 1, blocks, record, 0x2));
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_FLOAT_EQ(g->positions[1], 2.0f);
  EXPECT_FLOAT_EQ(g->positions[2], 3.0f);
  EXPECT_FLOAT_EQ(g->sh_rest[0], 0.5f);
  // Without the record the same data is in OpenGL axes.
  g = decode_spz(build_v4(1, 1, blocks));
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_FLOAT_EQ(g->positions[1], -2.0f);
  EXPECT_FLOAT_EQ(g->sh_rest[0], -0.5f);
}

// --- Malformed input ------------------------------------------------------------------

TEST(Spz, RejectsWrongMagic) {
  Bytes bytes = build_v4(2, 0, plain_blocks(2));
  bytes[3] = 'X';
  expect_invalid(bytes, "not an .spz file");
  expect_invalid(test::bytes_of("ply\nformat ascii 1.0\n"), "not an .spz file");
  expect_invalid({}, "not an .spz file");
  Bytes legacy = legacy_header(2, 1, 0, 12);
  legacy[0] = 'M';
  expect_invalid(gzip(legacy), "NGSP magic");
}

TEST(Spz, RejectsUnknownVersions) {
  Bytes bytes = build_v4(2, 0, plain_blocks(2));
  store_u32(&bytes[4], 7);
  expect_invalid(bytes, "unknown .spz version 7");
  expect_invalid(gzip(legacy_header(9, 1, 0, 12)), "unknown .spz version 9");
  expect_invalid(gzip(legacy_header(4, 1, 0, 12)), "must not be gzipped");
  store_u32(&bytes[4], 1);
  auto old = decode_spz(bytes);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), ErrorCode::kUnsupported);
}

TEST(Spz, RejectsAbsurdCounts) {
  Bytes bytes = build_v4(2, 0, plain_blocks(2));
  store_u32(&bytes[8], 1u << 30);
  expect_invalid(bytes, "above the limit");
  // Below the limit, but far more than a small file can expand to.
  store_u32(&bytes[8], 1u << 27);
  expect_invalid(bytes, "more than the file can hold");
  Bytes legacy = legacy_header(3, 1u << 27, 3, 12);
  legacy.resize(4096, 0);
  expect_invalid(gzip(legacy), "more than the file can hold");
  expect_invalid(gzip(legacy_header(3, 0xffffffffu, 0, 12)), "above the limit");
}

TEST(Spz, RejectsShDegreeOutOfRange) {
  Bytes bytes = build_v4(2, 0, plain_blocks(2));
  bytes[12] = 4;
  auto four = decode_spz(bytes);
  ASSERT_FALSE(four.ok());
  EXPECT_EQ(four.status().code(), ErrorCode::kUnsupported);
  bytes[12] = 9;
  expect_invalid(bytes, "SH degree 9");
}

TEST(Spz, RejectsEveryTruncation) {
  const Bytes v4 = *encode_spz(random_cloud(50, 1, 5.0f, 1));
  for (std::size_t n = 0; n < v4.size(); ++n) {
    auto cloud = decode_spz(Bytes(v4.begin(), v4.begin() + n));
    ASSERT_FALSE(cloud.ok()) << "version 4 cut to " << n << " bytes";
    ASSERT_EQ(cloud.status().code(), ErrorCode::kInvalidInput) << n << ": " << cloud.status().message();
  }
  const Bytes v3 = legacy_file(3, Bytes(8, 0));
  for (std::size_t n = 0; n < v3.size(); ++n) {
    auto cloud = decode_spz(Bytes(v3.begin(), v3.begin() + n));
    ASSERT_FALSE(cloud.ok()) << "version 3 cut to " << n << " bytes";
    ASSERT_EQ(cloud.status().code(), ErrorCode::kInvalidInput) << n << ": " << cloud.status().message();
  }
  expect_invalid(Bytes(v4.begin(), v4.begin() + 20), "shorter than the 32-byte");
  expect_invalid(Bytes(v4.begin(), v4.end() - 1), "truncated");
  expect_invalid(Bytes(v3.begin(), v3.end() - 12), "ends after");
}

TEST(Spz, RejectsZstdStreamsOfTheWrongLength) {
  std::vector<Bytes> blocks = plain_blocks(10);
  const Bytes good = build_v4(10, 0, blocks);
  ASSERT_TRUE(decode_spz(good).ok()) << message_of(decode_spz(good));

  // The alphas stream holds 9 bytes where 10 Gaussians need 10; the table still says 10.
  std::vector<Bytes> short_blocks = blocks;
  short_blocks[1].pop_back();
  Bytes bytes = build_v4(10, 0, short_blocks);
  store_u64(&bytes[32 + 16 + 8], 10);
  expect_invalid(bytes, "zstd stream 1 (alphas) ends after 9 of its 10 bytes");

  std::vector<Bytes> long_blocks = blocks;
  long_blocks[1].push_back(7);
  bytes = build_v4(10, 0, long_blocks);
  store_u64(&bytes[32 + 16 + 8], 10);
  expect_invalid(bytes, "holds more than the 10 bytes");

  // The table itself disagreeing with the count.
  bytes = build_v4(10, 0, long_blocks);
  expect_invalid(bytes, "listed as 11 bytes");
}

TEST(Spz, RejectsBrokenContainers) {
  const Bytes good = build_v4(3, 0, plain_blocks(3));
  Bytes bytes = good;
  bytes[15] = 6;  // a sixth stream for SH degree 0
  expect_invalid(bytes, "need 5");
  bytes = good;
  store_u32(&bytes[16], 8);  // table inside the header
  expect_invalid(bytes, "table of contents");
  bytes = good;
  bytes.push_back(0);
  expect_invalid(bytes, "stray bytes");
  Bytes extra = legacy_file(2, Bytes(6, 128), false);
  extra.push_back(1);
  expect_invalid(gzip(extra), "holds more than");
}

// Random damage to valid files: any outcome but a crash, and an accepted file is sound.
TEST(Spz, SurvivesCorruptedBytes) {
  const std::vector<Bytes> seeds = {*encode_spz(random_cloud(40, 2, 5.0f, 9)), legacy_file(3, Bytes(8, 0x5a)),
                                    legacy_file(2, Bytes(6, 128), false)};
  std::mt19937 rng(1234);
  int accepted = 0;
  for (const Bytes& seed : seeds) {
    for (int round = 0; round < 1500; ++round) {
      Bytes bytes = seed;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
      auto cloud = decode_spz(bytes);
      if (cloud.ok()) {
        ++accepted;
        ASSERT_TRUE(cloud->validate().ok());
      } else {
        ASSERT_NE(cloud.status().code(), ErrorCode::kInternal) << cloud.status().message();
      }
    }
  }
  std::printf("corrupted files still accepted: %d of %zu\n", accepted, seeds.size() * 1500);
}

}  // namespace
}  // namespace scenezip
