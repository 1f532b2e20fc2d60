#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "formats/formats.h"
#include "formats/mesh_io.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::load_points;
using test::max_abs_difference;

namespace fs = std::filesystem;
using test::expect_rejected;
using test::write_bytes;
using test::write_text;

bool all_finite(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

constexpr const char* kMug = "pointclouds/table_scene_mug_stereo_textured.pcd";
constexpr const char* kPeople = "pointclouds/five_people.pcd";

// The Kinect frames hold 640x480 = 307,200 pixels; those without depth are NaN and
// are dropped, so the counts are the pixels that saw something.
TEST(PointsIo, OrganisedPcdKeepsOnlyMeasuredPoints) {
  SCZ_REQUIRE_DATA(kMug);
  SCZ_REQUIRE_DATA(kPeople);
  const std::pair<const char*, std::size_t> cases[] = {{kMug, 209280}, {kPeople, 239075}};
  for (const auto& [file, expected] : cases) {
    FileFormat format = FileFormat::kUnknown;
    auto scene = load_scene(test::data_path(file), &format);
    ASSERT_TRUE(scene.ok()) << scene.status().message();
    EXPECT_EQ(format, FileFormat::kPointFile);
    const PointCloud& points = *scene->points();
    EXPECT_EQ(points.count(), expected) << file;
    EXPECT_LT(points.count(), 307200u);
    EXPECT_EQ(points.colors.size(), points.positions.size());
    EXPECT_TRUE(all_finite(points.positions));
  }
}

TEST(PointsIo, ReadsPlyPointClouds) {
  SCZ_REQUIRE_DATA("pointclouds/building.ply");
  SCZ_REQUIRE_DATA("pointclouds/b9_training.ply");
  FileFormat format = FileFormat::kUnknown;
  auto building = load_scene(test::data_path("pointclouds/building.ply"), &format);
  ASSERT_TRUE(building.ok()) << building.status().message();
  EXPECT_EQ(format, FileFormat::kPointFile);
  EXPECT_EQ(building->points()->count(), 100000u);
  EXPECT_EQ(building->points()->normals.size(), 300000u);
  EXPECT_TRUE(building->points()->colors.empty());

  const PointCloud b9 = load_points(test::data_path("pointclouds/b9_training.ply"));
  EXPECT_EQ(b9.count(), 22300u);
  EXPECT_EQ(b9.colors.size(), 22300u * 3);
  EXPECT_TRUE(b9.normals.empty());
}

TEST(PointsIo, InfoCountsKeptPoints) {
  SCZ_REQUIRE_DATA(kMug);
  const PointCloud points = load_points(test::data_path(kMug));
  auto r = test::run_scenezip("info --json " + test::data_path(kMug));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);  // throws if Open3D printed anything
  EXPECT_EQ(j["kind"], "points");
  EXPECT_EQ(j["format"], "point-file");
  EXPECT_EQ(j["count"], points.count());
  EXPECT_EQ(j["has_colors"], true);
}

TEST(PointsIo, PcdToPlyPcdAndXyzRoundTrips) {
  SCZ_REQUIRE_DATA(kMug);
  test::ScratchDir dir;
  const PointCloud original = load_points(test::data_path(kMug));
  ASSERT_GT(original.count(), 0u);

  const std::string ply = dir.file("mug.ply");
  ASSERT_TRUE(save_scene(Scene{original}, ply).ok());
  const PointCloud from_ply = load_points(ply);
  EXPECT_EQ(from_ply.count(), original.count());
  EXPECT_EQ(max_abs_difference(from_ply.positions, original.positions), 0.0f);          // doubles in the PLY
  EXPECT_LE(max_abs_difference(from_ply.colors, original.colors), 0.5f / 255 + 1e-6f);  // bytes in both

  const std::string pcd = dir.file("mug.pcd");
  ASSERT_TRUE(save_scene(Scene{original}, pcd).ok());
  const PointCloud from_pcd = load_points(pcd);
  EXPECT_EQ(from_pcd.count(), original.count());
  EXPECT_EQ(max_abs_difference(from_pcd.positions, original.positions), 0.0f);
  EXPECT_LE(max_abs_difference(from_pcd.colors, original.colors), 0.5f / 255 + 1e-6f);

  const std::string xyz = dir.file("mug.xyz");
  ASSERT_TRUE(save_scene(Scene{original}, xyz).ok());
  const PointCloud from_xyz = load_points(xyz);
  EXPECT_EQ(from_xyz.count(), original.count());
  EXPECT_LT(max_abs_difference(from_xyz.positions, original.positions), 1e-5f);
  EXPECT_TRUE(from_xyz.colors.empty());  // XYZ holds positions only

  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), {}), 3);  // no temporary files
}

TEST(PointsIo, TruncatedPcdIsRejected) {
  SCZ_REQUIRE_DATA(kPeople);
  test::ScratchDir dir;
  auto bytes = read_file(test::data_path(kPeople));
  ASSERT_TRUE(bytes.ok());
  for (std::size_t keep : {std::size_t{40}, std::size_t{300}, bytes->size() / 2, bytes->size() * 9 / 10}) {
    const std::string cut = dir.file("cut-" + std::to_string(keep) + ".pcd");
    std::ofstream(cut, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(keep));
    expect_rejected(cut);
  }
  const std::string out = dir.file("out.ply");
  auto r = test::run_scenezip("convert " + dir.file("cut-300.pcd") + " " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(PointsIo, MalformedPointFilesAreRejected) {
  test::ScratchDir dir;
  const std::string header = "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 3\nHEIGHT 1\n";
  struct Case {
    const char* name;
    std::string text;
    const char* words;
  };
  const Case cases[] = {
      {"huge.pcd", header + "POINTS 2000000000\nDATA binary\n", "truncated"},
      {"short-ascii.pcd", header + "POINTS 3\nDATA ascii\n1 2 3\n", "truncated"},
      {"bad-size.pcd", "FIELDS x y z\nSIZE 4 4\nDATA ascii\n", "SIZE"},
      {"no-data.pcd", "hello\n", "not a PCD file"},
      {"no-data-line.pcd", "FIELDS x y z\nWIDTH 3\n", "no DATA"},
      {"all-nan.pcd", header + "POINTS 3\nDATA ascii\nnan nan nan\nnan 0 0\n0 nan 0\n", "non-finite"},
      {"garbage.xyz", "this is not\na point cloud\n", "no points"},
      {"huge.pts", "99999999\n1 2 3\n", "truncated"},
      {"truncated.ply",
       "ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\nproperty float y\n"
       "property float z\nend_header\n\x01\x02",
       "truncated"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    write_text(dir.file(c.name), c.text);
    expect_rejected(dir.file(c.name), c.words);
  }
}

TEST(PointsIo, AsciiPcdDropsNaNRows) {
  test::ScratchDir dir;
  const std::string path = dir.file("partial.pcd");
  write_text(path,
             "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 2\nHEIGHT 2\nPOINTS 4\n"
             "DATA ascii\n1 2 3\nnan nan nan\n4 5 6\nnan nan nan\n");
  const PointCloud points = load_points(path);
  EXPECT_EQ(points.positions, std::vector<float>({1, 2, 3, 4, 5, 6}));
}

}  // namespace
}  // namespace scenezip
