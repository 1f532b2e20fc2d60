// The mesh codec: its integer streams, normals, triangle order and whole-mesh round trips
// on synthetic and real meshes (positions within half a grid step, normals within the
// octahedral bound, the same triangles per submesh, textures byte for byte).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "formats/scz/delta_planes.h"
#include "engine/codec/geometry_settings.h"
#include "formats/scz/mesh_decoder.h"
#include "engine/codec/mesh_encoder.h"
#include "formats/scz/octahedral.h"
#include "engine/codec/vertex_cache.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_geometry.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::angle_between;

// Largest angle (radians) between a direction and its octahedral code's decoded
// direction for `bits` bits per axis: the nearest of four grid points lies within half a
// diagonal of the grid step 2 / (2^bits - 1) in the folded square, and the map to the
// sphere stretches distances by at most about 2, so 1.5 steps bound it (sampling finds
// 1.4); 1e-6 covers float32 rounding of the decoded vector.
double octahedral_bound(int bits) { return 1.5 * 2.0 / ((1 << bits) - 1) + 1e-6; }

TEST(DeltaPlanes, ZigzagWrapsEveryPairExactly) {
  for (int bits : {1, 2, 3, 5, 8}) {
    const std::uint32_t top = scz::bit_mask(bits);
    for (std::uint32_t a = 0; a <= top; ++a) {
      for (std::uint32_t b = 0; b <= top; ++b) {
        const std::uint32_t code = scz::wrap_zigzag(a, b, bits);
        ASSERT_LE(code, top) << bits << " bits, " << a << " after " << b;
        ASSERT_EQ(scz::unwrap_zigzag(code, b, bits), a) << bits << " bits, " << a << " after " << b;
      }
    }
  }
  EXPECT_EQ(scz::wrap_zigzag(5, 4, 16), 2u);  // +1
  EXPECT_EQ(scz::wrap_zigzag(4, 5, 16), 1u);  // -1
  EXPECT_EQ(scz::wrap_zigzag(0, 0xffff, 16), 2u);  // wraps: +1
}

TEST(DeltaPlanes, StreamRoundTripsAndRejectsWideCodes) {
  codec::SplitMix64 rng(5);
  std::vector<std::uint32_t> values(3 * 1000), back(values.size());
  for (auto& v : values) v = static_cast<std::uint32_t>(rng.below(1u << 19));
  const Bytes stream = scz::delta_stream(values.data(), 1000, 3, 19);
  ASSERT_EQ(stream.size(), scz::delta_stream_bytes(1000, 3, 19));
  std::size_t bad = 0;
  ASSERT_TRUE(scz::undelta_stream(stream, 1000, 3, 19, back.data(), &bad));
  EXPECT_EQ(back, values);
  Bytes forged = stream;
  forged[2 * 1000 + 17] = 0xff;  // top plane of the first component: past 19 bits
  EXPECT_FALSE(scz::undelta_stream(forged, 1000, 3, 19, back.data(), &bad));
  EXPECT_EQ(bad, 17u);
}

TEST(Octahedral, ErrorStaysWithinTheGridStep) {
  codec::SplitMix64 rng(11);
  for (int bits : {4, 8, 10, 12, 16}) {
    double worst = 0;
    for (int i = 0; i < 20000; ++i) {
      float n[3];
      for (float& c : n) c = static_cast<float>(2 * rng.uniform() - 1);
      if (i < 6) {  // the axes, where the folding meets itself
        n[0] = n[1] = n[2] = 0;
        n[i / 2] = i % 2 ? -1.0f : 1.0f;
      }
      std::uint32_t u, v;
      scz::octahedral_encode(n, bits, &u, &v);
      ASSERT_LE(u, scz::bit_mask(bits));
      ASSERT_LE(v, scz::bit_mask(bits));
      float d[3];
      scz::octahedral_decode(u, v, bits, d);
      EXPECT_NEAR(d[0] * d[0] + d[1] * d[1] + d[2] * d[2], 1.0f, 1e-5f);
      worst = std::max(worst, angle_between(n, d));
    }
    EXPECT_LE(worst, octahedral_bound(bits)) << bits << " bits";
    std::printf("octahedral %2d bits: worst error %.4f degrees\n", bits, worst * 180 / M_PI);
  }
  // Any code decodes to a unit vector, and a zero normal encodes without trouble.
  float d[3];
  scz::octahedral_decode(0, 0, 8, d);
  EXPECT_NEAR(d[0] * d[0] + d[1] * d[1] + d[2] * d[2], 1.0f, 1e-5f);
  const float zero[3] = {0, 0, 0};
  std::uint32_t u, v;
  scz::octahedral_encode(zero, 8, &u, &v);
}

TEST(VertexCache, OrderIsAPermutationAndCutsMisses) {
  const Mesh mesh = test::synthetic_mesh(60, 40);
  const auto order = codec::vertex_cache_order(mesh.indices.data(), mesh.indices.size(), mesh.vertex_count());
  ASSERT_EQ(order.size(), mesh.triangle_count());
  std::vector<std::uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t t = 0; t < sorted.size(); ++t) ASSERT_EQ(sorted[t], t);
  std::vector<std::uint32_t> reordered;
  for (std::uint32_t t : order) reordered.insert(reordered.end(), &mesh.indices[3 * t], &mesh.indices[3 * t + 3]);
  const double before = codec::average_cache_miss_ratio(mesh.indices.data(), mesh.indices.size(), mesh.vertex_count());
  const double after = codec::average_cache_miss_ratio(reordered.data(), reordered.size(), mesh.vertex_count());
  EXPECT_LT(after, 0.8);   // a regular grid allows about 0.5 + a little
  EXPECT_LT(after, before);
  EXPECT_TRUE(codec::vertex_cache_order(nullptr, 0, 0).empty());
}

using Triangle = std::array<std::uint32_t, 3>;

// Triangles of index range [first, first + count) in input vertex numbers, each rotated
// so its smallest vertex leads (rotation keeps the winding), sorted.
std::vector<Triangle> canonical_triangles(const std::vector<std::uint32_t>& indices, std::size_t first,
                                          std::size_t count, const std::vector<std::uint32_t>* vertex_order) {
  std::vector<Triangle> out;
  for (std::size_t i = first; i + 3 <= first + count; i += 3) {
    Triangle t;
    for (int k = 0; k < 3; ++k) t[k] = vertex_order ? (*vertex_order)[indices[i + k]] : indices[i + k];
    std::rotate(t.begin(), std::min_element(t.begin(), t.end()), t.end());
    out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct MeshErrors {
  double position = 0, normal_angle = 0, texcoord = 0, color = 0;
};

// Encodes and decodes `mesh`, checks everything that must hold exactly, and returns the
// largest errors of what is quantized.
MeshErrors round_trip(const Mesh& mesh, const codec::MeshCodecSettings& settings, codec::MeshEncodeReport* report_out,
                      std::size_t* bytes_out = nullptr) {
  codec::MeshEncodeReport report;
  auto bytes = codec::encode_mesh(mesh, settings, &report);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return {};
  if (bytes_out) *bytes_out = bytes->size();
  auto container = scz::parse_container(*bytes);
  EXPECT_TRUE(container.ok()) << container.status().message();
  auto decoded = scz::decode_mesh(*container);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  if (!decoded.ok()) return {};
  const Mesh& d = *decoded;
  const std::vector<std::uint32_t>& order = report.vertex_order;
  EXPECT_EQ(d.vertex_count(), mesh.vertex_count());
  EXPECT_EQ(d.triangle_count(), mesh.triangle_count());
  EXPECT_EQ(d.normals.empty(), mesh.normals.empty());
  EXPECT_EQ(d.texcoords.empty(), mesh.texcoords.empty());
  EXPECT_EQ(d.colors.empty(), mesh.colors.empty());
  // The same triangles, submesh by submesh, with the same submesh ranges and materials.
  EXPECT_EQ(d.submeshes.size(), mesh.submeshes.size());
  if (mesh.submeshes.empty()) {
    EXPECT_EQ(canonical_triangles(d.indices, 0, d.indices.size(), &order),
              canonical_triangles(mesh.indices, 0, mesh.indices.size(), nullptr));
  }
  for (std::size_t s = 0; s < std::min(d.submeshes.size(), mesh.submeshes.size()); ++s) {
    const SubMesh &a = mesh.submeshes[s], &b = d.submeshes[s];
    EXPECT_EQ(b.first_index, a.first_index);
    EXPECT_EQ(b.index_count, a.index_count);
    EXPECT_EQ(b.material, a.material);
    EXPECT_EQ(canonical_triangles(d.indices, b.first_index, b.index_count, &order),
              canonical_triangles(mesh.indices, a.first_index, a.index_count, nullptr))
        << "submesh " << s;
  }
  EXPECT_EQ(d.materials.size(), mesh.materials.size());
  for (std::size_t m = 0; m < std::min(d.materials.size(), mesh.materials.size()); ++m) {
    EXPECT_EQ(d.materials[m].name, mesh.materials[m].name);
    EXPECT_EQ(d.materials[m].base_color_texture, mesh.materials[m].base_color_texture);
    for (int c = 0; c < 4; ++c) EXPECT_EQ(d.materials[m].base_color[c], mesh.materials[m].base_color[c]);
  }
  EXPECT_EQ(d.textures.size(), mesh.textures.size());
  for (std::size_t t = 0; t < std::min(d.textures.size(), mesh.textures.size()); ++t) {
    EXPECT_EQ(d.textures[t].name, mesh.textures[t].name);
    EXPECT_EQ(d.textures[t].width, mesh.textures[t].width);
    EXPECT_EQ(d.textures[t].height, mesh.textures[t].height);
    EXPECT_TRUE(d.textures[t].encoded == mesh.textures[t].encoded) << "texture " << t << " file bytes differ";
    EXPECT_EQ(d.textures[t].encoded_mime, mesh.textures[t].encoded_mime);
    EXPECT_TRUE(d.textures[t].rgba == mesh.textures[t].rgba) << "texture " << t << " texels differ";
  }
  MeshErrors e;
  for (std::size_t i = 0; i < d.vertex_count() && order.size() == d.vertex_count(); ++i) {
    const std::size_t o = order[i];
    for (int k = 0; k < 3; ++k) {
      e.position = std::max(e.position, double(std::fabs(d.positions[3 * i + k] - mesh.positions[3 * o + k])));
    }
    if (!mesh.normals.empty()) e.normal_angle = std::max(e.normal_angle, angle_between(&d.normals[3 * i], &mesh.normals[3 * o]));
    if (!mesh.texcoords.empty()) {
      for (int k = 0; k < 2; ++k) {
        e.texcoord = std::max(e.texcoord, double(std::fabs(d.texcoords[2 * i + k] - mesh.texcoords[2 * o + k])));
      }
    }
    if (!mesh.colors.empty()) {
      for (int k = 0; k < 3; ++k) {
        const float c = std::clamp(mesh.colors[3 * o + k], 0.0f, 1.0f);
        e.color = std::max(e.color, double(std::fabs(d.colors[3 * i + k] - c)));
      }
    }
  }
  if (report_out) *report_out = report;
  return e;
}

void expect_within_bounds(const MeshErrors& e, const codec::MeshEncodeReport& r, const codec::MeshCodecSettings& s) {
  // Half a step, plus float rounding of the decoded value.
  EXPECT_LE(e.position, r.position_step / 2 * 1.001 + 1e-6);
  EXPECT_LE(e.normal_angle, octahedral_bound(s.normal_bits));
  EXPECT_LE(e.texcoord, r.texcoord_step / 2 * 1.001 + 1e-6);
  EXPECT_LE(e.color, 0.5 / ((1 << s.color_bits) - 1) + 1e-6);
}

TEST(MeshCodec, SyntheticRoundTripEveryPreset) {
  const Mesh mesh = test::synthetic_mesh();
  for (const std::string& preset : codec::mesh_preset_names()) {
    auto s = *codec::mesh_preset_settings(preset);
    codec::MeshEncodeReport r;
    const MeshErrors e = round_trip(mesh, s, &r);
    expect_within_bounds(e, r, s);
    EXPECT_GT(e.position, 0.0) << "a lossy grid that returns exact values would be suspicious";
  }
}

TEST(MeshCodec, InputOrderAndOddMeshes) {
  auto s = *codec::mesh_preset_settings("balanced");
  s.triangle_order = "input";
  codec::MeshEncodeReport r;
  expect_within_bounds(round_trip(test::synthetic_mesh(), s, &r), r, s);
  // Unused vertices, a degenerate triangle, no attributes, no submeshes.
  Mesh m;
  m.positions = {0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 5, 5, 1, 1, 0};
  m.indices = {0, 1, 2, 2, 1, 4, 1, 1, 2};
  s.triangle_order = "vertex_cache";
  round_trip(m, s, &r);
  EXPECT_EQ(r.vertex_order.size(), 5u);
  EXPECT_EQ(r.vertex_order.back(), 3u);  // the unused vertex goes last
  // A submesh boundary inside a triangle: nothing may move, and it still round-trips.
  Mesh odd = test::synthetic_mesh(4, 3);
  odd.submeshes = {{0, 7, 0}, {7, static_cast<std::uint32_t>(odd.indices.size()) - 7, 1}};
  auto bytes = codec::encode_mesh(odd, s, &r);
  ASSERT_TRUE(bytes.ok());
  auto d = scz::decode_mesh(*scz::parse_container(*bytes));
  ASSERT_TRUE(d.ok()) << d.status().message();
  for (std::size_t i = 0; i < odd.indices.size(); ++i) ASSERT_EQ(r.vertex_order[d->indices[i]], odd.indices[i]);
  // An empty mesh.
  round_trip(Mesh{}, s, &r);
}

TEST(MeshCodec, RefusesBrokenMeshes) {
  const auto s = *codec::mesh_preset_settings("balanced");
  Mesh m = test::synthetic_mesh(4, 3);
  m.indices[5] = 1000;
  auto r = codec::encode_mesh(m, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("past its"), std::string::npos);
  m = test::synthetic_mesh(4, 3);
  m.positions[4] = std::nanf("");
  EXPECT_FALSE(codec::encode_mesh(m, s).ok());
  m = test::synthetic_mesh(4, 3);
  m.materials[0].base_color_texture = 3;
  EXPECT_FALSE(codec::encode_mesh(m, s).ok());
  m = test::synthetic_mesh(4, 3);
  m.normals.pop_back();
  EXPECT_FALSE(codec::encode_mesh(m, s).ok());
  auto bad = s;
  bad.position_bits = 22;
  EXPECT_EQ(codec::encode_mesh(test::synthetic_mesh(4, 3), bad).status().code(), ErrorCode::kInvalidInput);
}

TEST(MeshCodec, SettingsRoundTripThroughJson) {
  for (const std::string& preset : codec::mesh_preset_names()) {
    const auto s = *codec::mesh_preset_settings(preset);
    auto back = codec::mesh_settings_from_json(codec::settings_json(s));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(codec::settings_json(*back), codec::settings_json(s));
    EXPECT_EQ(codec::settings_json(s)["codec"], "mesh");
  }
  EXPECT_FALSE(codec::mesh_settings_from_json({{"codec", "points"}}).ok());
  EXPECT_FALSE(codec::mesh_settings_from_json(nlohmann::json::array()).ok());
  EXPECT_FALSE(codec::mesh_preset_settings("tiny").ok());
}

struct RealMesh {
  const char* file;
  double max_bytes_per_triangle;  // balanced preset, everything but textures
};

// Test names and failures name the file rather than dumping the struct's bytes.
void PrintTo(const RealMesh& c, std::ostream* os) { *os << c.file; }

class RealMeshTest : public ::testing::TestWithParam<RealMesh> {};

TEST_P(RealMeshTest, RoundTripsEveryPreset) {
  SCZ_REQUIRE_DATA(GetParam().file);
  auto scene = load_scene(test::data_path(GetParam().file));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const Mesh& mesh = *scene->mesh();
  for (const std::string& preset : codec::mesh_preset_names()) {
    auto s = *codec::mesh_preset_settings(preset);
    codec::MeshEncodeReport r;
    std::size_t bytes = 0;
    const MeshErrors e = round_trip(mesh, s, &r, &bytes);
    expect_within_bounds(e, r, s);
    std::size_t texture_bytes = 0;
    for (const auto& st : r.streams) {
      if (st.id >= 64) texture_bytes += st.stored_size;
    }
    const double per_triangle = double(bytes - texture_bytes) / std::max<std::size_t>(1, mesh.triangle_count());
    std::printf("%s %s: %zu bytes (%zu textures), %.2f B/triangle without textures, ACMR %.2f -> %.2f\n",
                GetParam().file, preset.c_str(), bytes, texture_bytes, per_triangle, r.cache_misses_in,
                r.cache_misses_out);
    if (preset == "balanced") {
      EXPECT_LT(per_triangle, GetParam().max_bytes_per_triangle);
    }
    EXPECT_LE(r.cache_misses_out, r.cache_misses_in + 0.05);
  }
}

INSTANTIATE_TEST_SUITE_P(Real, RealMeshTest,
                         ::testing::Values(RealMesh{"meshes/bunny.obj", 12.0},
                                           RealMesh{"meshes/DamagedHelmet/DamagedHelmet.gltf", 20.0},
                                           RealMesh{"meshes/xyzrgb_dragon_50k.ply", 12.0}),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           name = name.substr(name.rfind('/') + 1);
                           for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace scenezip
