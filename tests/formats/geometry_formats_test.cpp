// The project's own OBJ, OFF, PLY, PCD, XYZ and PTS readers on small files written here,
// one feature of each format at a time.
#include "formats/geometry_formats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "formats/file_io.h"
#include "formats/text_scan.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

void append_floats(Bytes& out, std::initializer_list<float> values) {
  for (float v : values) {
    std::uint8_t b[4];
    std::memcpy(b, &v, 4);
    out.insert(out.end(), b, b + 4);
  }
}

TEST(ObjReader, LineEndingsRelativeIndicesAndPolygons) {
  // CRLF, a lone CR between lines, tabs, relative indices, a quad and a pentagon.
  const std::string obj =
      "# square and pentagon\r\nv 0 0 0\r\nv 2 0 0\rv 2 2 0\nv\t0 1 0\n"
      "v 5 0 0\nv 6 0 0\nv 6 1 0\nv 5.5 2 0\nv 5 1 0\n"
      "g shapes\nusemtl none\ns off\n"
      "f -9 -8 -7 -6\n"
      "f 5 6 7 8 9\n";
  auto mesh = decode_obj(text(obj));
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  EXPECT_EQ(mesh->vertex_count(), 9u);
  EXPECT_TRUE(mesh->colors.empty());  // no vertex names a colour
  // The quad is cut along its shorter diagonal, 1-3 (0-2 is longer).
  const std::vector<std::uint32_t> expected = {0, 1, 3, 1, 2, 3, 4, 5, 6, 4, 6, 7, 4, 7, 8};
  EXPECT_EQ(mesh->indices, expected);
}

TEST(ObjReader, ColoursNormalsAndTextureCoordinates) {
  const std::string obj =
      "v 0 0 0 1 0 0\nv 1 0 0\nv 0 1 0 0 0 1\n"
      "vt 0 0\nvt 1 0\nvt 0 1\n"
      "vn 0 0 1\n"
      "f 1/1/1 2/2/1 3/3/1\n";
  auto mesh = decode_obj(text(obj));
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  // Vertices without a colour are white once any vertex has one.
  EXPECT_EQ(mesh->colors, std::vector<float>({1, 0, 0, 1, 1, 1, 0, 0, 1}));
  EXPECT_EQ(mesh->normals, std::vector<float>({0, 0, 1, 0, 0, 1, 0, 0, 1}));
  // v flips: OBJ's origin is the image's bottom-left, the mesh model's its top-left.
  EXPECT_EQ(mesh->texcoords, std::vector<float>({0, 1, 1, 1, 0, 0}));
}

TEST(ObjReader, PartialNormalsAndTextureCoordinatesAreDropped) {
  // A corner without a normal or texture coordinate: the file stays readable, and an
  // attribute some vertex lacks is left out rather than guessed.
  auto mesh = decode_obj(text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nvn 0 0 1\nvt 0 0\n"
                              "f 1//1 2//1 3//1\nf 2/1 4 3\n"));
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  EXPECT_EQ(mesh->triangle_count(), 2u);
  EXPECT_TRUE(mesh->normals.empty());
  EXPECT_TRUE(mesh->texcoords.empty());
}

TEST(ObjReader, BadFilesNameTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 -9223372036854775808\n", "reaches before the first one"},
      {"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 99999999999999999999\n", "bad face index"},
      {"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 x\n", "bad face index 'x'"},
      {"v 0 0\n", "needs numbers"},
      {"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2\n", "at least 3 corners"},
      {"v 0 0 0\nv 1 0 0\nv nan 1 0\nf 1 2 3\n", "non-finite"},
      {"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/5 2/1 3/1\nvt 0 0\n", "texture coordinate 5"},
  };
  for (const auto& [obj, words] : cases) {
    SCOPED_TRACE(obj);
    auto mesh = decode_obj(text(obj));
    ASSERT_FALSE(mesh.ok());
    EXPECT_NE(mesh.status().message().find(words), std::string::npos) << mesh.status().message();
  }
}

TEST(OffReader, ColoursNormalsAndPolygons) {
  auto mesh = decode_off(text("CNOFF\n# comment\n4 1 0\n\n0 0 0 0 0 1 255 0 0 255\n1 0 0 0 0 1 0 255 0 255\n"
                              "1 1 0 0 0 1 0 0 255 255\n0 1 0 0 0 1 255 255 255 255\n4 0 1 2 3\n"));
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  EXPECT_EQ(mesh->indices, std::vector<std::uint32_t>({0, 1, 2, 0, 2, 3}));
  EXPECT_EQ(mesh->normals.size(), 12u);
  EXPECT_EQ(mesh->colors[0], 1.0f);
  EXPECT_EQ(mesh->colors[4], 1.0f);
}

TEST(PlyMeshReader, AsciiPolygonsColoursAndNormals) {
  auto mesh = decode_ply_mesh(text(
      "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n"
      "property float nx\nproperty float ny\nproperty float nz\n"
      "property uchar red\nproperty uchar green\nproperty uchar blue\n"
      "element face 1\nproperty list uchar uint vertex_index\nend_header\n"
      "0 0 0 0 0 1 255 0 0\n1 0 0 0 0 1 0 255 0\n1 1 0 0 0 1 0 0 255\n0 1 0 0 0 1 51 51 51\n4 0 1 2 3\n"));
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  EXPECT_EQ(mesh->indices, std::vector<std::uint32_t>({0, 1, 2, 0, 2, 3}));
  EXPECT_EQ(mesh->normals.size(), 12u);
  EXPECT_FLOAT_EQ(mesh->colors[9], 0.2f);
}

TEST(PlyMeshReader, BigEndianListsAreRead) {
  std::string header =
      "ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
      "element face 1\nproperty list uchar int vertex_indices\nend_header\n";
  Bytes bytes = text(header);
  for (float v : {0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f, 0.f}) {
    std::uint8_t b[4];
    std::memcpy(b, &v, 4);
    bytes.insert(bytes.end(), {b[3], b[2], b[1], b[0]});
  }
  bytes.insert(bytes.end(), {3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0});
  auto mesh = decode_ply_mesh(bytes);
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  EXPECT_EQ(mesh->indices, std::vector<std::uint32_t>({2, 1, 0}));
  EXPECT_EQ(mesh->positions[3], 1.0f);
}

TEST(PcdReader, AsciiWithPackedColourAndNaNRows) {
  const std::string pcd =
      "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z rgb\nSIZE 4 4 4 4\nTYPE F F F U\nCOUNT 1 1 1 1\n"
      "WIDTH 3\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nDATA ascii\n"
      "1 2 3 16711731\nnan nan nan 0\n4 5 6 4210752\n";
  auto points = decode_pcd(text(pcd));
  ASSERT_TRUE(points.ok()) << points.status().message();
  EXPECT_EQ(points->positions, std::vector<float>({1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(points->colors.size(), 6u);
  EXPECT_EQ(points->colors[0], 1.0f);
  EXPECT_EQ(points->colors[1], 0.0f);
  EXPECT_FLOAT_EQ(points->colors[2], 0.2f);
}

// Found by the fuzzer: a PCD whose third normal field is misspelt crashed the reader that
// came before ours. Normals that are only partly present are dropped; the points stay.
TEST(PcdReader, PartialNormalsFromTheFuzzerAreDropped) {
  const auto bytes = read_file(std::string(SCENEZIP_SOURCE_DIR) + "/tests/corpus/must-read/pcd-partial-normals.pcd");
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto points = decode_pcd(*bytes);
  ASSERT_TRUE(points.ok()) << points.status().message();
  EXPECT_EQ(points->positions.size(), 48u * 3u);
  EXPECT_TRUE(points->normals.empty());
}

Bytes pcd_header(const std::string& data, int points) {
  return text("VERSION 0.7\nFIELDS x y z normal_x normal_y normal_z rgb\nSIZE 4 4 4 4 4 4 4\n"
              "TYPE F F F F F F U\nCOUNT 1 1 1 1 1 1 1\nWIDTH " + std::to_string(points) + "\nHEIGHT 1\nPOINTS " +
              std::to_string(points) + "\nDATA " + data + "\n");
}

TEST(PcdReader, BinaryAndCompressedAgree) {
  // Two points, record-major for binary and field-major for binary_compressed.
  const float p[2][6] = {{1, 2, 3, 0, 0, 1}, {4, 5, 6, 0, 1, 0}};
  const std::uint32_t rgb[2] = {0x00ff0000u, 0x000000ffu};
  Bytes binary = pcd_header("binary", 2);
  for (int i = 0; i < 2; ++i) {
    append_floats(binary, {p[i][0], p[i][1], p[i][2], p[i][3], p[i][4], p[i][5]});
    const auto* b = reinterpret_cast<const std::uint8_t*>(&rgb[i]);
    binary.insert(binary.end(), b, b + 4);
  }
  Bytes fields;
  for (int f = 0; f < 6; ++f) append_floats(fields, {p[0][f], p[1][f]});
  for (int i = 0; i < 2; ++i) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(&rgb[i]);
    fields.insert(fields.end(), b, b + 4);
  }
  // LZF made of literal runs only (a control byte of length - 1, then the bytes).
  Bytes lzf;
  for (std::size_t i = 0; i < fields.size(); i += 32) {
    const std::size_t run = std::min<std::size_t>(32, fields.size() - i);
    lzf.push_back(static_cast<std::uint8_t>(run - 1));
    lzf.insert(lzf.end(), fields.begin() + i, fields.begin() + i + run);
  }
  Bytes compressed = pcd_header("binary_compressed", 2);
  const std::uint32_t sizes[2] = {static_cast<std::uint32_t>(lzf.size()), static_cast<std::uint32_t>(fields.size())};
  const auto* s = reinterpret_cast<const std::uint8_t*>(sizes);
  compressed.insert(compressed.end(), s, s + 8);
  compressed.insert(compressed.end(), lzf.begin(), lzf.end());

  for (const Bytes* bytes : {&binary, &compressed}) {
    auto points = decode_pcd(*bytes);
    ASSERT_TRUE(points.ok()) << points.status().message();
    EXPECT_EQ(points->positions, std::vector<float>({1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(points->normals, std::vector<float>({0, 0, 1, 0, 1, 0}));
    EXPECT_EQ(points->colors, std::vector<float>({1, 0, 0, 0, 0, 1}));
  }
}

TEST(PcdReader, LzfBackReferencesRepeatEarlierBytes) {
  // x, y, z of 3 points, all 1.0f: 4 literal bytes, then a back reference of 32 bytes.
  Bytes header = text("FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 3\nHEIGHT 1\nDATA binary_compressed\n");
  Bytes lzf = {3, 0x00, 0x00, 0x80, 0x3f};
  // Length 32 = 7 + 23 + 2: control 0xE0 (length 7, offset high bits 0), extra 23, offset 3 (back 4).
  lzf.insert(lzf.end(), {0xE0, 23, 3});
  const std::uint32_t sizes[2] = {static_cast<std::uint32_t>(lzf.size()), 36};
  const auto* s = reinterpret_cast<const std::uint8_t*>(sizes);
  header.insert(header.end(), s, s + 8);
  header.insert(header.end(), lzf.begin(), lzf.end());
  auto points = decode_pcd(header);
  ASSERT_TRUE(points.ok()) << points.status().message();
  EXPECT_EQ(points->positions, std::vector<float>(9, 1.0f));
}

TEST(TextPoints, XyzVariantsAndPts) {
  auto xyz = decode_xyz(text("# header\n1 2 3\n4 5 6 extra\nnot a point\n"), XyzColumns::kPositions);
  ASSERT_TRUE(xyz.ok()) << xyz.status().message();
  EXPECT_EQ(xyz->positions, std::vector<float>({1, 2, 3, 4, 5, 6}));
  auto xyzn = decode_xyz(text("1 2 3 0 0 1\n"), XyzColumns::kNormals);
  ASSERT_TRUE(xyzn.ok());
  EXPECT_EQ(xyzn->normals, std::vector<float>({0, 0, 1}));
  auto xyzrgb = decode_xyz(text("1 2 3 0.5 0.25 1\n"), XyzColumns::kColors);
  ASSERT_TRUE(xyzrgb.ok());
  EXPECT_EQ(xyzrgb->colors, std::vector<float>({0.5f, 0.25f, 1}));

  auto pts = decode_pts(text("2\r\n1 2 3 -100 255 0 51\r\n4 5 6 7 0 255 0\r\n"));
  ASSERT_TRUE(pts.ok()) << pts.status().message();
  EXPECT_EQ(pts->positions, std::vector<float>({1, 2, 3, 4, 5, 6}));
  EXPECT_FLOAT_EQ(pts->colors[2], 0.2f);
  EXPECT_EQ(pts->colors[4], 1.0f);
}

TEST(TextScan, QuotedTextIsOneSafeLine) {
  EXPECT_EQ(text::quote("a\nb\x1b[31m"), "'a\\x0ab\\x1b[31m'");
  EXPECT_EQ(text::quote(std::string(100, 'x'), 5), "'xxxxx...'");
  std::int64_t v = 0;
  EXPECT_FALSE(text::parse_int("9223372036854775808", &v));
  EXPECT_TRUE(text::parse_int("-9223372036854775808", &v));
  double d = 0;
  EXPECT_TRUE(text::parse_double("-NaN", &d));
  EXPECT_TRUE(std::isnan(d));
  EXPECT_TRUE(text::parse_double("1e999", &d));
  EXPECT_TRUE(std::isinf(d));
  EXPECT_FALSE(text::parse_double("1.5x", &d));
}

}  // namespace
}  // namespace scenezip
