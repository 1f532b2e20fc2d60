// `.scz` files of meshes (scene kind 2) and point clouds (kind 3) against damaged and
// forged input, and their golden files, which today's and every later decoder must keep
// reading.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "engine/codec/mesh_encoder.h"
#include "formats/scz/mesh_layout.h"
#include "engine/codec/point_encoder.h"
#include "formats/scz/point_layout.h"
#include "formats/scz/decoder.h"
#include "formats/scz/writer.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_geometry.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::rebuild;
using test::reseal;

std::string golden_path(const std::string& name) { return std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/" + name; }

// The settings the version 1 golden files were made with.
codec::MeshCodecSettings golden_mesh_settings() {
  auto s = *codec::mesh_preset_settings("balanced");
  s.preset = "golden-mesh-v1";
  s.threads = 1;
  return s;
}

codec::PointCodecSettings golden_point_settings() {
  auto s = *codec::point_preset_settings("balanced");
  s.preset = "golden-points-v1";
  s.color_mode = "codebook";
  s.color_codebook_size = 16;
  s.threads = 1;
  return s;
}

Mesh golden_mesh_source() { return test::synthetic_mesh(8, 5); }
PointCloud golden_point_source() { return test::synthetic_points(300, 2024); }

Status expect_error(const Bytes& bytes, const std::string& fragment) {
  auto scene = scz::decode_scz(bytes);
  if (scene.ok()) return internal_error("decoded a file that should fail with '" + fragment + "'");
  if (scene.status().code() != ErrorCode::kInvalidInput) return internal_error("wrong code: " + scene.status().message());
  if (scene.status().message().find(fragment) == std::string::npos) {
    return internal_error("message '" + scene.status().message() + "' lacks '" + fragment + "'");
  }
  return Status::Ok();
}
#define EXPECT_FAILS(bytes, fragment)                \
  do {                                               \
    const Status s_ = expect_error(bytes, fragment); \
    EXPECT_TRUE(s_.ok()) << s_.message();            \
  } while (0)

std::vector<float> slice(const std::vector<float>& v, std::size_t at, std::size_t n) {
  return std::vector<float>(v.begin() + at, v.begin() + at + n);
}

void expect_near(const std::vector<float>& got, const nlohmann::json& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const float w = want[k].get<float>();
    EXPECT_NEAR(got[k], w, 1e-6f + 1e-6f * std::fabs(w)) << what << " [" << k << "]";
  }
}

bool writing_golden() {
  const char* w = std::getenv("SCENEZIP_WRITE_GOLDEN");
  return w && std::string(w) == "1";
}

// --- Golden files -------------------------------------------------------------------

// Set SCENEZIP_WRITE_GOLDEN=1 to (re)write the golden files of the current format
// version; never for an existing version, whose files must stay as they are.
TEST(SczGeometryGolden, MeshVersion1) {
  const std::string path = golden_path("mesh-v1.scz"), expected_path = golden_path("mesh-v1.expected.json");
  if (writing_golden()) {
    auto bytes = codec::encode_mesh(golden_mesh_source(), golden_mesh_settings());
    ASSERT_TRUE(bytes.ok());
    ASSERT_TRUE(write_file_atomic(path, *bytes).ok());
    auto scene = scz::decode_scz(*bytes);
    ASSERT_TRUE(scene.ok());
    const Mesh& m = *scene->mesh();
    nlohmann::ordered_json j;
    j["vertices"] = m.vertex_count();
    j["indices"] = m.indices;  // small enough to keep whole
    for (std::size_t i : {std::size_t{0}, std::size_t{1}, m.vertex_count() / 2, m.vertex_count() - 1}) {
      j["samples"].push_back({{"index", i},
                              {"position", slice(m.positions, 3 * i, 3)},
                              {"normal", slice(m.normals, 3 * i, 3)},
                              {"texcoord", slice(m.texcoords, 2 * i, 2)},
                              {"color", slice(m.colors, 3 * i, 3)}});
    }
    std::ofstream(expected_path) << j.dump(1) << "\n";
  }
  auto bytes = read_file(path);
  ASSERT_TRUE(bytes.ok()) << "missing golden file " << path;
  auto container = scz::parse_container(*bytes);
  ASSERT_TRUE(container.ok()) << container.status().message();
  EXPECT_EQ(container->version, 1);
  EXPECT_EQ(container->kind, scz::SceneKindId::kMesh);
  EXPECT_NE(container->settings.find("\"preset\":\"golden-mesh-v1\""), std::string::npos) << container->settings;
  auto scene = scz::decode_scene(*container);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const Mesh& m = *scene->mesh();
  std::ifstream in(expected_path);
  ASSERT_TRUE(in) << expected_path;
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(m.vertex_count(), j["vertices"].get<std::size_t>());
  EXPECT_EQ(m.indices, j["indices"].get<std::vector<std::uint32_t>>());
  for (const auto& s : j["samples"]) {
    const std::size_t i = s["index"].get<std::size_t>();
    expect_near(slice(m.positions, 3 * i, 3), s["position"], "position " + std::to_string(i));
    expect_near(slice(m.normals, 3 * i, 3), s["normal"], "normal " + std::to_string(i));
    expect_near(slice(m.texcoords, 2 * i, 2), s["texcoord"], "texcoord " + std::to_string(i));
    expect_near(slice(m.colors, 3 * i, 3), s["color"], "color " + std::to_string(i));
  }
  // What is not quantized comes back exactly.
  const Mesh source = golden_mesh_source();
  ASSERT_EQ(m.submeshes.size(), source.submeshes.size());
  for (std::size_t s = 0; s < m.submeshes.size(); ++s) {
    EXPECT_EQ(m.submeshes[s].first_index, source.submeshes[s].first_index);
    EXPECT_EQ(m.submeshes[s].index_count, source.submeshes[s].index_count);
    EXPECT_EQ(m.submeshes[s].material, source.submeshes[s].material);
  }
  ASSERT_EQ(m.materials.size(), 2u);
  EXPECT_EQ(m.materials[1].name, "plain");
  EXPECT_EQ(m.materials[1].base_color[0], 0.8f);
  ASSERT_EQ(m.textures.size(), 1u);
  EXPECT_EQ(m.textures[0].rgba, source.textures[0].rgba);
}

TEST(SczGeometryGolden, PointsVersion1) {
  const std::string path = golden_path("points-v1.scz"), expected_path = golden_path("points-v1.expected.json");
  if (writing_golden()) {
    auto bytes = codec::encode_points(golden_point_source(), golden_point_settings());
    ASSERT_TRUE(bytes.ok());
    ASSERT_TRUE(write_file_atomic(path, *bytes).ok());
    auto scene = scz::decode_scz(*bytes);
    ASSERT_TRUE(scene.ok());
    const PointCloud& p = *scene->points();
    nlohmann::ordered_json j;
    j["points"] = p.count();
    for (std::size_t i : {std::size_t{0}, std::size_t{1}, p.count() / 2, p.count() - 1}) {
      j["samples"].push_back({{"index", i},
                              {"position", slice(p.positions, 3 * i, 3)},
                              {"normal", slice(p.normals, 3 * i, 3)},
                              {"color", slice(p.colors, 3 * i, 3)}});
    }
    std::ofstream(expected_path) << j.dump(1) << "\n";
  }
  auto bytes = read_file(path);
  ASSERT_TRUE(bytes.ok()) << "missing golden file " << path;
  std::string settings;
  auto scene = scz::decode_scz(*bytes, &settings);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_NE(settings.find("\"preset\":\"golden-points-v1\""), std::string::npos) << settings;
  const PointCloud& p = *scene->points();
  std::ifstream in(expected_path);
  ASSERT_TRUE(in) << expected_path;
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(p.count(), j["points"].get<std::size_t>());
  for (const auto& s : j["samples"]) {
    const std::size_t i = s["index"].get<std::size_t>();
    expect_near(slice(p.positions, 3 * i, 3), s["position"], "position " + std::to_string(i));
    expect_near(slice(p.normals, 3 * i, 3), s["normal"], "normal " + std::to_string(i));
    expect_near(slice(p.colors, 3 * i, 3), s["color"], "color " + std::to_string(i));
  }
}

class GoldenDamage : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenDamage, EverySingleByteFlipIsCaught) {
  auto bytes = read_file(golden_path(GetParam()));
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(scz::decode_scz(*bytes).ok());
  for (std::size_t i = 0; i < bytes->size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes b = *bytes;
      b[i] ^= mask;
      auto scene = scz::decode_scz(b);
      ASSERT_FALSE(scene.ok()) << "flip 0x" << std::hex << int(mask) << " at byte " << std::dec << i << " accepted";
      ASSERT_EQ(scene.status().code(), ErrorCode::kInvalidInput) << i << ": " << scene.status().message();
    }
  }
}

TEST_P(GoldenDamage, EveryTruncationIsRejected) {
  auto bytes = read_file(golden_path(GetParam()));
  ASSERT_TRUE(bytes.ok());
  for (std::size_t n = 0; n < bytes->size(); ++n) {
    auto scene = scz::decode_scz(Bytes(bytes->begin(), bytes->begin() + n));
    ASSERT_FALSE(scene.ok()) << "cut to " << n << " bytes";
    ASSERT_EQ(scene.status().code(), ErrorCode::kInvalidInput) << n << ": " << scene.status().message();
  }
}

// Random damage with the checksums repaired, so the decoder itself meets the garbage:
// any outcome but a crash or an error other than invalid_input.
TEST_P(GoldenDamage, SurvivesForgedStreams) {
  auto good = read_file(golden_path(GetParam()));
  ASSERT_TRUE(good.ok());
  codec::SplitMix64 rng(99);
  int accepted = 0;
  for (int round = 0; round < 300; ++round) {
    const Bytes b = rebuild(*good, [&](std::uint16_t, Bytes& raw) {
      if (raw.empty() || rng.below(3) != 0) return;
      for (int e = 0; e < 3; ++e) raw[rng.below(raw.size())] = static_cast<std::uint8_t>(rng.next());
    });
    auto scene = scz::decode_scz(b);
    if (scene.ok()) {
      ++accepted;
    } else {
      ASSERT_EQ(scene.status().code(), ErrorCode::kInvalidInput) << scene.status().message();
    }
  }
  std::printf("%s: forged files still decodable: %d of 300\n", GetParam(), accepted);
}

TEST_P(GoldenDamage, LoadsThroughTheRegistryAndRejectsDamageByName) {
  FileFormat format = FileFormat::kUnknown;
  auto scene = load_scene(golden_path(GetParam()), &format);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(format, FileFormat::kScz);
  const std::string name = GetParam();
  const SceneKind kind = name.rfind("gaussians", 0) == 0 ? SceneKind::kGaussians
                         : name.rfind("mesh", 0) == 0    ? SceneKind::kMesh
                                                         : SceneKind::kPoints;
  EXPECT_EQ(scene->kind(), kind);
  auto bytes = read_file(golden_path(GetParam()));
  ASSERT_TRUE(bytes.ok());
  test::ScratchDir dir;
  Bytes b = *bytes;
  b[b.size() / 2] ^= 0x10;
  test::write_bytes(dir.file("damaged.scz"), b.data(), b.size());
  test::expect_rejected(dir.file("damaged.scz"), "checksum");
}

// Every golden file of every scene kind: the Gaussian ones too.
INSTANTIATE_TEST_SUITE_P(AllKinds, GoldenDamage,
                         ::testing::Values("mesh-v1.scz", "points-v1.scz", "gaussians-sh3-v1.scz",
                                           "gaussians-sh1-smallest3-v1.scz", "gaussians-sh3-ranged-v2.scz",
                                           "gaussians-field-view-v2.scz", "gaussians-field-full-v2.scz"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name = name.substr(0, name.size() - 4);  // no ".scz"
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// --- Forged counts --------------------------------------------------------------------

TEST(SczGeometry, AbsurdCountsAreRejectedBeforeAllocating) {
  auto mesh = read_file(golden_path("mesh-v1.scz"));
  auto points = read_file(golden_path("points-v1.scz"));
  ASSERT_TRUE(mesh.ok() && points.ok());
  for (const Bytes* good : {&*mesh, &*points}) {
    // A header count the streams cannot back: every count-derived size disagrees.
    Bytes b = *good;
    scz::store_u64(&b[16], (std::uint64_t{1} << 28) - 1);
    reseal(b);
    EXPECT_FAILS(b, "where the scene needs");
    b = *good;
    scz::store_u64(&b[16], scz::load_u64(&b[16]) + 1);
    reseal(b);
    EXPECT_FAILS(b, "where the scene needs");
  }
  auto layout_edit = [&](std::size_t at, std::uint32_t value) {
    return rebuild(*mesh, [&](std::uint16_t id, Bytes& raw) {
      if (id == scz::kMeshLayoutStream) scz::store_u32(&raw[at], value);
    });
  };
  EXPECT_FAILS(layout_edit(4, (1u << 28) + 1), "triangles, above the limit");
  EXPECT_FAILS(layout_edit(4, 1u << 28), "where the scene needs");  // within the limit, more than the file has
  EXPECT_FAILS(layout_edit(48, 0xffffffffu), "submeshes, above the limit");
  EXPECT_FAILS(layout_edit(52, 60000), "cannot fit a material stream");
  EXPECT_FAILS(layout_edit(56, 129), "textures, above the limit");
  EXPECT_FAILS(layout_edit(60, 0xfffffff0u), "material stream of");
  // A texture header claiming a gigabyte, and one whose texels disagree with its size.
  Bytes b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshMaterialStream) {
      // The texture header follows 2 submeshes (24 bytes) and 2 materials (22 + name each).
      const std::size_t at = 24 + (22 + 8) + (22 + 5);
      scz::store_u64(&raw[at + 8], std::uint64_t{1} << 29);
    }
  });
  EXPECT_FAILS(b, "bytes of RGBA");
  b = rebuild(*points, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kPointLayoutStream) scz::store_u32(&raw[4], 70000);
  });
  EXPECT_FAILS(b, "1..65536 codes");
}

TEST(SczGeometry, DecoderChecksWhatChecksumsCannot) {
  auto mesh = read_file(golden_path("mesh-v1.scz"));
  auto points = read_file(golden_path("points-v1.scz"));
  ASSERT_TRUE(mesh.ok() && points.ok());
  // An index reaching back past the first vertex, and one introducing a vertex too many.
  Bytes b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshIndexStream) raw[1] = 200;
  });
  EXPECT_FAILS(b, "vertices back from");
  b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshIndexStream) std::fill(raw.begin(), raw.end(), 0);
  });
  EXPECT_FAILS(b, "introduces a vertex past");
  // Bits out of range, a submesh past the indices, a material past the list.
  b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshLayoutStream) raw[1] = 17;
  });
  EXPECT_FAILS(b, "normal bits 17");
  b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshMaterialStream) scz::store_u32(&raw[16], 100000);
  });
  EXPECT_FAILS(b, "covers indices past");
  b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshMaterialStream) scz::store_u32(&raw[20], 2);
  });
  EXPECT_FAILS(b, "uses material 2 of 2");
  b = rebuild(*mesh, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kMeshMaterialStream) raw.push_back(0);
  });
  EXPECT_FAILS(b, "holds 1");  // the layout fixes the material stream's size
  // A colour index past the codebook; a Morton code leaving the grid.
  b = rebuild(*points, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kPointColorStream) raw[5] = 16;
  });
  EXPECT_FAILS(b, "uses code 16 of a 16-entry codebook");
  b = rebuild(*points, [](std::uint16_t id, Bytes& raw) {
    if (id == scz::kPointPositionStream) raw.back() = 0xff;
  });
  EXPECT_FAILS(b, "leaves the");
}

}  // namespace
}  // namespace scenezip
