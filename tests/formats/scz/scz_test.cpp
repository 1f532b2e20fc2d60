// The `.scz` container and Gaussian decoder against damaged and forged files, and the
// golden files that today's and every later decoder must keep reading.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "formats/scz/gaussian_decoder.h"
#include "engine/codec/gaussian_encoder.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/scz/writer.h"
#include "formats/formats.h"
#include "formats/scz/container.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::rebuild;
using test::reseal;

using scz::Attribute;

std::string golden_path(const std::string& name) { return std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/" + name; }

// The settings the version 1 golden file was made with: small codebooks, one of them
// past 256 codes (two-byte indices), SH through the PCA transform.
codec::GaussianCodecSettings golden_settings() {
  codec::GaussianCodecSettings s;
  s.preset = "golden-v1";
  s.position_bits = 16;
  s.scale = {{1, 1, 1}, {16, 16, 16}, "none"};
  s.rotation = {{2, 2}, {64, 64}, "none"};
  s.opacity = {{1}, {32}, "none"};
  s.color = {{3}, {300}, "none"};
  s.sh = {{5, 40}, {64, 16}, "pca"};
  s.min_gaussians_per_code = 0;
  s.threads = 1;
  s.entropy_coder = "zstd";  // as version 1 wrote every stream
  return s;
}
constexpr std::size_t kGoldenCount = 300;

Status expect_error(const Bytes& bytes, ErrorCode code, const std::string& fragment) {
  auto cloud = scz::decode_scz_gaussians(bytes);
  if (cloud.ok()) return internal_error("decoded a file that should fail with '" + fragment + "'");
  if (cloud.status().code() != code) return internal_error("wrong code: " + cloud.status().message());
  if (cloud.status().message().find(fragment) == std::string::npos) {
    return internal_error("message '" + cloud.status().message() + "' lacks '" + fragment + "'");
  }
  return Status::Ok();
}
#define EXPECT_FAILS(bytes, code, fragment)                            \
  do {                                                                 \
    const Status s_ = expect_error(bytes, code, fragment);             \
    EXPECT_TRUE(s_.ok()) << s_.message();                              \
  } while (0)

// Byte planes unless asked otherwise: most checks below poke at values in them.
Bytes small_file(std::size_t n = 200, int degree = 2, const std::string& entropy_coder = "zstd") {
  auto s = *codec::preset_settings("small");
  s.threads = 2;
  s.entropy_coder = entropy_coder;
  auto bytes = codec::encode_gaussians(test::synthetic_cloud(n, degree, 77), s);
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

// --- Container ----------------------------------------------------------------------

TEST(Scz, ContainerRoundTripsStreams) {
  Bytes compressible(10000, 7), random(3000);
  codec::SplitMix64 rng(1);
  for (auto& b : random) b = static_cast<std::uint8_t>(rng.next());
  std::vector<scz::WrittenStream> written;
  auto file = scz::write_container(scz::SceneKindId::kPoints, 5, "{\"a\":1}",
                                   {{9, random, 19}, {3, compressible, 19}, {4, {}, 19}, {5, {1, 2, 3}, 0}}, 2,
                                   &written);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(written.size(), 4u);
  EXPECT_EQ(written[0].id, 3);  // sorted by ID
  EXPECT_EQ(written[0].codec, scz::Codec::kZstd);
  EXPECT_LT(written[0].stored_size, 100u);
  EXPECT_EQ(written[3].codec, scz::Codec::kRaw);  // random bytes do not shrink
  auto c = scz::parse_container(*file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->kind, scz::SceneKindId::kPoints);
  EXPECT_EQ(c->count, 5u);
  EXPECT_EQ(c->settings, "{\"a\":1}");
  EXPECT_EQ(*scz::read_stream(*c, 3, 10000, "c"), compressible);
  EXPECT_EQ(*scz::read_stream(*c, 9, 3000, "r"), random);
  EXPECT_TRUE(scz::read_stream(*c, 4, 0, "e")->empty());
  EXPECT_EQ(*scz::read_stream(*c, 5, 3, "s"), Bytes({1, 2, 3}));
  auto wrong = scz::read_stream(*c, 3, 9999, "c");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("holds 10000 bytes where the scene needs 9999"), std::string::npos);
  EXPECT_FALSE(scz::read_stream(*c, 77, 0, "x").ok());
  // A mesh or point file is a valid container that this version cannot decode yet.
  auto cloud = scz::decode_scz_gaussians(*file);
  ASSERT_FALSE(cloud.ok());
  EXPECT_EQ(cloud.status().code(), ErrorCode::kUnsupported);
}

TEST(Scz, RejectsBrokenHeaders) {
  const Bytes good = small_file();
  ASSERT_TRUE(scz::decode_scz_gaussians(good).ok());
  Bytes b = good;
  b[1] = 'X';
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "not an .scz file");
  EXPECT_FAILS(Bytes{}, ErrorCode::kInvalidInput, "not an .scz file");
  EXPECT_FAILS(Bytes(good.begin(), good.begin() + 20), ErrorCode::kInvalidInput, "shorter than the 36-byte");
  b = good;
  b[20] ^= 1;
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "header checksum");
  b = good;
  scz::store_u16(&b[4], scz::kFormatVersion + 1);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kUnsupported, "format version " + std::to_string(scz::kFormatVersion + 1) + " is newer");
  scz::store_u16(&b[4], 0);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "version 0");
  b = good;
  scz::store_u16(&b[6], 4);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kUnsupported, "flags");
  b = good;
  b[8] = 9;
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "scene kind 9");
  b = good;
  b[10] = 1;
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "reserved");
  b = good;
  b[40] ^= 0x20;  // inside the settings
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "settings/stream table checksum");
}

TEST(Scz, RejectsAbsurdCountsAndSizes) {
  const Bytes good = small_file();
  Bytes b = good;
  scz::store_u64(&b[16], (std::uint64_t{1} << 28) + 1);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "above the limit");
  b = good;
  scz::store_u64(&b[16], ~std::uint64_t{0});
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "above the limit");
  b = good;
  scz::store_u32(&b[12], 100000);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "streams, above the limit");
  b = good;
  scz::store_u32(&b[12], 256);  // within the limit, more than the file holds
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "truncated");
  b = good;
  scz::store_u32(&b[24], 0xffffffffu);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "bytes of settings, above the limit");
  // A count the streams cannot back: every count-derived size disagrees with the table.
  b = good;
  scz::store_u64(&b[16], std::uint64_t{1} << 27);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "where the scene needs");
  b = good;
  scz::store_u64(&b[16], 199);
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "where the scene needs");

  // Table entries: the first one is the layout stream.
  const std::size_t table = scz::kHeaderBytes + scz::load_u32(&good[24]);
  const std::size_t second = table + scz::kEntryBytes;
  b = good;
  scz::store_u64(&b[second + 24], std::uint64_t{1} << 40);  // raw size no zstd frame of this size reaches
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "more than zstd can expand");
  b = good;
  scz::store_u64(&b[second + 8], scz::load_u64(&b[second + 8]) - 4);  // overlaps the first stream
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "overlapping or misplaced");
  b = good;
  scz::store_u64(&b[second + 16], std::uint64_t{1} << 50);  // far past the end
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "runs past the end");
  b = good;
  scz::store_u16(&b[second], scz::load_u16(&b[table]));  // same ID twice
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "strictly increasing");
  b = good;
  b[second + 2] = 7;
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "unknown codec 7");
  b = good;
  b[table + 3] = 1;
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "reserved");
  b = good;
  scz::store_u64(&b[table + 24], scz::load_u64(&b[table + 24]) + 1);  // the layout is stored raw
  reseal(b);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "stored raw but lists");
  b = good;
  b.push_back(0);
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "stray bytes");
}

TEST(Scz, DecoderChecksWhatChecksumsCannot) {
  const Bytes good = small_file(300, 1);
  const auto layout = *scz::parse_layout(*scz::read_stream(*scz::parse_container(good),
                                                             scz::kLayoutStream,
                                                             scz::parse_container(good)->find(1)->raw_size, "l"));
  // An index past its codebook (the opacity codebook has fewer than 200 codes here).
  Bytes b = rebuild(good, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::index_stream(Attribute::kOpacity)) raw[17] = 200;
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "uses code 200 of a ");
  // Infinity and NaN in a codebook.
  b = rebuild(good, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::codebook_stream(Attribute::kColor)) scz::store_u16(&raw[6], 0x7c00);
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "color codebook holds a non-finite value");
  // A Morton code that leaves the grid (top delta byte set on the last Gaussian).
  b = rebuild(good, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kPositionStream) raw.back() = 0xff;
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "leaves the");
  // Missing streams, a stream of the wrong size, a bad layout.
  b = rebuild(good, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::index_stream(Attribute::kScale)) raw.pop_back();
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "scale indices (id 17) holds");
  b = rebuild(good, [&](std::uint16_t id, Bytes& raw) {
    if (id == scz::kLayoutStream) {
      scz::GaussianLayout l = layout;
      l.attributes[0].slices[0].dims = 2;
      raw = scz::serialize_layout(l);
    }
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "slices cover");
  b = rebuild(good, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kLayoutStream) raw.resize(5000);
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "above its limit");
  b = rebuild(good, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kLayoutStream) raw[0] = 3;  // SH degree 3 where the streams hold 1
  });
  EXPECT_FAILS(b, ErrorCode::kInvalidInput, "expected 45");
}

// --- Golden files -------------------------------------------------------------------

// A golden file: the settings it was made with, from which synthetic scene.
struct GoldenCase {
  std::string name;  // file stem under tests/golden
  codec::GaussianCodecSettings settings;
  int sh_degree = 3;
  std::uint64_t seed = 2024;
  int version = 1;  // the format version the file was written in
};

// The rotation coded as its smallest three components, and per-attribute k-means
// weights (added to format version 1 on 2026-11-23).
GoldenCase smallest_three_case() {
  GoldenCase c{"gaussians-sh1-smallest3-v1", golden_settings(), 1, 7};
  c.settings.preset = "golden-v1-smallest-three";
  c.settings.rotation = {{1, 1, 1, 1}, {4, 32, 32, 32}, "smallest_three"};
  c.settings.scale.weighting = "footprint";
  return c;
}

// Set SCENEZIP_WRITE_GOLDEN=1 to (re)write the golden files of the current format
// version; never for an existing file, which must stay as it is.
void check_golden(const GoldenCase& c) {
  const std::string path = golden_path(c.name + ".scz");
  const std::string expected_path = golden_path(c.name + ".expected.json");
  const GaussianCloud source = test::synthetic_cloud(kGoldenCount, c.sh_degree, c.seed);
  const int rest = c.sh_degree > 0 ? source.sh_rest_stride() : 0;
  if (const char* w = std::getenv("SCENEZIP_WRITE_GOLDEN");
      w && std::string(w) == "1" && c.version == scz::kFormatVersion) {
    auto bytes = codec::encode_gaussians(source, c.settings);
    ASSERT_TRUE(bytes.ok());
    ASSERT_TRUE(write_file_atomic(path, *bytes).ok());
    auto cloud = scz::decode_scz_gaussians(*bytes);
    ASSERT_TRUE(cloud.ok());
    nlohmann::ordered_json j;
    j["count"] = cloud->count;
    j["sh_degree"] = cloud->sh_degree;
    // The decoded values of a few Gaussians, as this version's decoder gave them.
    for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{150}, kGoldenCount - 1}) {
      nlohmann::ordered_json g;
      g["index"] = i;
      g["position"] = std::vector<float>(&cloud->positions[3 * i], &cloud->positions[3 * i + 3]);
      g["log_scale"] = std::vector<float>(&cloud->log_scales[3 * i], &cloud->log_scales[3 * i + 3]);
      g["rotation"] = std::vector<float>(&cloud->rotations[4 * i], &cloud->rotations[4 * i + 4]);
      g["logit_opacity"] = cloud->logit_opacities[i];
      g["sh_dc"] = std::vector<float>(&cloud->sh_dc[3 * i], &cloud->sh_dc[3 * i + 3]);
      g["sh_rest"] = std::vector<float>(cloud->sh_rest.begin() + rest * i, cloud->sh_rest.begin() + rest * (i + 1));
      j["gaussians"].push_back(g);
    }
    std::ofstream(expected_path) << j.dump(1) << "\n";
  }
  auto bytes = read_file(path);
  ASSERT_TRUE(bytes.ok()) << "missing golden file " << path;
  auto container = scz::parse_container(*bytes);
  ASSERT_TRUE(container.ok()) << container.status().message();
  EXPECT_EQ(container->version, c.version);
  EXPECT_NE(container->settings.find("\"preset\":\"" + c.settings.preset + "\""), std::string::npos)
      << container->settings;
  auto cloud = scz::decode_gaussians(*container);
  ASSERT_TRUE(cloud.ok()) << cloud.status().message();
  std::ifstream in(expected_path);
  ASSERT_TRUE(in) << expected_path;
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(cloud->count, j["count"].get<std::size_t>());
  ASSERT_EQ(cloud->sh_degree, j["sh_degree"].get<int>());
  auto near = [](const std::vector<float>& got, const nlohmann::json& want, const char* what, std::size_t i) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
      const float w = want[k].get<float>();
      EXPECT_NEAR(got[k], w, 1e-6f + 1e-6f * std::fabs(w)) << what << " of Gaussian " << i << " [" << k << "]";
    }
  };
  for (const auto& g : j["gaussians"]) {
    const std::size_t i = g["index"].get<std::size_t>();
    near({&cloud->positions[3 * i], &cloud->positions[3 * i + 3]}, g["position"], "position", i);
    near({&cloud->log_scales[3 * i], &cloud->log_scales[3 * i + 3]}, g["log_scale"], "log-scale", i);
    near({&cloud->rotations[4 * i], &cloud->rotations[4 * i + 4]}, g["rotation"], "rotation", i);
    near({cloud->logit_opacities[i]}, nlohmann::json::array({g["logit_opacity"]}), "opacity", i);
    near({&cloud->sh_dc[3 * i], &cloud->sh_dc[3 * i + 3]}, g["sh_dc"], "DC", i);
    near({cloud->sh_rest.begin() + rest * i, cloud->sh_rest.begin() + rest * (i + 1)}, g["sh_rest"], "SH", i);
  }
  // And the whole file still stands for the scene it was made from.
  const Bounds b = compute_bounds(source.positions);
  const auto order = codec::morton_order(source.positions, b.min, b.max,
                                         codec::position_grid_bits(source.positions, c.settings.position_bits));
  double position = 0, dc = 0, rotation = 0;
  for (std::size_t i = 0; i < kGoldenCount; ++i) {
    for (int k = 0; k < 3; ++k) {
      position = std::max<double>(position, std::fabs(cloud->positions[3 * i + k] - source.positions[3 * order[i] + k]));
      dc += std::pow(cloud->sh_dc[3 * i + k] - source.sh_dc[3 * order[i] + k], 2.0);
    }
    // |<q, q'>| near 1: the same rotation whatever the sign.
    double dot = 0, norm = 0;
    for (int k = 0; k < 4; ++k) {
      dot += cloud->rotations[4 * i + k] * source.rotations[4 * order[i] + k];
      norm += source.rotations[4 * order[i] + k] * source.rotations[4 * order[i] + k];
    }
    rotation = std::max(rotation, 1.0 - std::fabs(dot) / std::sqrt(norm));
  }
  EXPECT_LT(position, 4.0 / 65535 / 2 * 1.01);
  EXPECT_LT(std::sqrt(dc / (3 * kGoldenCount)), 0.01);
  EXPECT_LT(rotation, 0.05);
}

TEST(SczGolden, Version1Sh3) {
  check_golden({"gaussians-sh3-v1", golden_settings(), 3, 2024});
}

TEST(SczGolden, Version1SmallestThreeRotations) { check_golden(smallest_three_case()); }

// Version 2: positions and indices range coded, codebooks in the order of their first
// value; smallest-three rotations and a two-byte colour index as above.
GoldenCase ranged_case() {
  GoldenCase c = smallest_three_case();
  c.name = "gaussians-sh3-ranged-v2";
  c.settings.preset = "golden-v2-ranged";
  c.settings.entropy_coder = "range";
  c.sh_degree = 3;
  c.seed = 2026;
  c.version = 2;
  return c;
}

TEST(SczGolden, Version2RangeCoded) {
  const GoldenCase c = ranged_case();
  check_golden(c);
  // Every stream that the byte planes would hold bigger is range coded here.
  auto bytes = read_file(golden_path(c.name + ".scz"));
  ASSERT_TRUE(bytes.ok());
  auto container = scz::parse_container(*bytes);
  ASSERT_TRUE(container.ok());
  auto layout = scz::parse_layout(*scz::read_stream_up_to(*container, scz::kLayoutStream, scz::kMaxLayoutBytes, "l"),
                                  container->version);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->position_coding, scz::StreamCoding::kRanged);
  int ranged = 0;
  for (const auto& a : layout->attributes) ranged += a.index_coding == scz::StreamCoding::kRanged;
  EXPECT_GE(ranged, 4);
}

// Version 3: as version 2, with SH presence bits (Gaussians whose bands are judged
// invisible, here by opacity, store none and decode with zero bands).
TEST(SczGolden, Version3ShPresenceBits) {
  GoldenCase c = ranged_case();
  c.name = "gaussians-sh3-presence-v3";
  c.settings.preset = "golden-v3-presence";
  c.settings.sh_gaussian_min_rms = 0.05f;
  c.settings.importance_source = "opacity";
  c.seed = 2027;
  c.version = 3;
  check_golden(c);
  auto bytes = read_file(golden_path(c.name + ".scz"));
  ASSERT_TRUE(bytes.ok());
  auto container = scz::parse_container(*bytes);
  ASSERT_TRUE(container.ok());
  auto layout = scz::parse_layout(*scz::read_stream_up_to(*container, scz::kLayoutStream, scz::kMaxLayoutBytes, "l"),
                                  container->version);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->find(scz::Attribute::kSh)->index_coding, scz::StreamCoding::kRangedPresence);
  auto cloud = scz::decode_gaussians(*container);
  ASSERT_TRUE(cloud.ok());
  std::size_t zero = 0;
  const std::size_t stride = cloud->sh_rest_stride();
  for (std::size_t i = 0; i < cloud->count; ++i) {
    bool all_zero = true;
    for (std::size_t k = 0; k < stride; ++k) all_zero = all_zero && cloud->sh_rest[stride * i + k] == 0.0f;
    zero += all_zero;
  }
  EXPECT_GT(zero, 0u);
  EXPECT_LT(zero, cloud->count);
}

// Byte flips and truncations of the golden files: GoldenDamage in scz_geometry_test.cpp.

TEST(SczGolden, LoadsThroughTheRegistry) {
  FileFormat format = FileFormat::kUnknown;
  auto scene = load_scene(golden_path("gaussians-sh3-v1.scz"), &format);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(format, FileFormat::kScz);
  EXPECT_STREQ(format_name(format), "scz");
  EXPECT_EQ(scene->gaussians()->count, kGoldenCount);
  test::ScratchDir dir;
  auto saved = save_scene(*scene, dir.file("copy.scz"));
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.message().find("scenezip compress"), std::string::npos);
}

// Random damage with the checksums repaired, so the decoder itself meets the garbage:
// any outcome but a crash, and an accepted file is sound.
TEST(Scz, SurvivesForgedStreams) {
  const Bytes good = small_file(120, 3);
  codec::SplitMix64 rng(99);
  int accepted = 0;
  for (int round = 0; round < 400; ++round) {
    const Bytes b = rebuild(good, [&](std::uint16_t, Bytes& raw) {
      if (raw.empty() || rng.below(3) != 0) return;
      for (int e = 0; e < 3; ++e) raw[rng.below(raw.size())] = static_cast<std::uint8_t>(rng.next());
    });
    auto cloud = scz::decode_scz_gaussians(b);
    if (cloud.ok()) {
      ++accepted;
      ASSERT_TRUE(cloud->validate().ok());
    } else {
      ASSERT_EQ(cloud.status().code(), ErrorCode::kInvalidInput) << cloud.status().message();
    }
  }
  std::printf("forged files still decodable: %d of 400 (damage inside value ranges decodes)\n", accepted);
}

}  // namespace
}  // namespace scenezip
