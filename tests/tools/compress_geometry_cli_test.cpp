// `scenezip compress` / `decompress` / `info` / `render` / `eval` on meshes and point
// clouds: the same --json keys as for Gaussians, round trips through other formats, and
// clean failures.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/codec/geometry_settings.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_geometry.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::expect_clean_failure;

using test::run_scenezip;

void expect_report(const nlohmann::json& j, std::size_t count, const std::string& out, const std::string& in) {
  for (const char* key : {"input_bytes", "output_bytes", "ratio", "count_in", "count_out", "seconds", "settings",
                          "streams"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["count_in"].get<std::size_t>(), count);
  EXPECT_EQ(j["count_out"].get<std::size_t>(), count);
  EXPECT_EQ(j["output_bytes"].get<std::uint64_t>(), std::filesystem::file_size(out));
  EXPECT_EQ(j["input_bytes"].get<std::uint64_t>(), std::filesystem::file_size(in));
  EXPECT_NEAR(j["ratio"].get<double>(), j["input_bytes"].get<double>() / j["output_bytes"].get<double>(), 1e-9);
}

TEST(CompressGeometryCli, MeshCompressDecompressInfoEval) {
  test::ScratchDir dir;
  Mesh mesh = test::synthetic_mesh(30, 16);
  mesh.textures.clear();  // the glTF writer keeps image files, which this mesh has none of
  mesh.materials[0].base_color_texture = -1;
  const std::string in = dir.file("torus.glb"), scz = dir.file("torus.scz");
  ASSERT_TRUE(save_scene(Scene{mesh}, in).ok());
  // The glTF writer gives each submesh its own vertices: count what the file holds.
  mesh = *load_scene(in)->mesh();
  auto r = run_scenezip("compress " + in + " " + scz + " --preset small --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  expect_report(j, mesh.vertex_count(), scz, in);
  EXPECT_EQ(j["kind"], "mesh");
  EXPECT_EQ(j["triangles"].get<std::size_t>(), mesh.triangle_count());
  EXPECT_EQ(j["settings"]["codec"], "mesh");
  EXPECT_EQ(j["settings"]["preset"], "small");

  auto info = run_scenezip("info " + scz + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto i = nlohmann::json::parse(info.out);
  EXPECT_EQ(i["kind"], "mesh");
  EXPECT_EQ(i["format"], "scz");
  EXPECT_EQ(i["triangles"].get<std::size_t>(), mesh.triangle_count());

  const std::string back = dir.file("back.glb");
  auto d = run_scenezip("decompress " + scz + " " + back);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("\"preset\":\"small\""), std::string::npos) << d.out;
  auto reloaded = load_scene(back);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  EXPECT_EQ(reloaded->mesh()->triangle_count(), mesh.triangle_count());

  auto png = run_scenezip("render " + scz + " --out " + dir.file("torus.png") + " --width 48 --height 32");
  EXPECT_EQ(png.exit_code, 0) << png.err;
  auto e = run_scenezip("eval " + in + " " + scz + " --views 2 --width 64 --height 48 --json");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_GE(nlohmann::json::parse(e.out)["psnr"].get<double>(), 30.0);

  // The settings printed come back through --settings and give the same file.
  const std::string settings = dir.file("settings.json");
  std::ofstream(settings) << j["settings"].dump();
  auto again = run_scenezip("compress " + in + " " + dir.file("again.scz") + " --settings " + settings);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(*read_file(dir.file("again.scz")), *read_file(scz));
  std::ofstream(settings) << codec::settings_json(*codec::point_preset_settings("small")).dump();
  expect_clean_failure(run_scenezip("compress " + in + " " + dir.file("c.scz") + " --settings " + settings), settings);
}

TEST(CompressGeometryCli, PointsCompressDecompressInfo) {
  test::ScratchDir dir;
  const PointCloud points = test::synthetic_points(3000, 8);
  const std::string in = dir.file("cloud.ply"), scz = dir.file("cloud.scz");
  ASSERT_TRUE(save_scene(Scene{points}, in).ok());
  auto r = run_scenezip("compress " + in + " " + scz + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  expect_report(j, points.count(), scz, in);
  EXPECT_EQ(j["kind"], "points");
  EXPECT_EQ(j["settings"]["codec"], "points");
  EXPECT_GT(j["ratio"].get<double>(), 2.0);
  auto text = run_scenezip("compress " + in + " " + dir.file("text.scz"));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* word : {"input:", "output:", "ratio:", "time:", "streams:", "settings:"}) {
    EXPECT_NE(text.out.find(word), std::string::npos) << word;
  }
  auto info = run_scenezip("info " + scz + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto i = nlohmann::json::parse(info.out);
  EXPECT_EQ(i["kind"], "points");
  EXPECT_EQ(i["has_colors"], true);
  EXPECT_EQ(i["has_normals"], true);
  const std::string back = dir.file("back.pcd");
  ASSERT_EQ(run_scenezip("decompress " + scz + " " + back).exit_code, 0);
  auto reloaded = load_scene(back);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().message();
  EXPECT_EQ(reloaded->points()->count(), points.count());
}

TEST(CompressGeometryCli, DamagedFilesFailCleanlyAndLeaveNothing) {
  test::ScratchDir dir;
  const std::string in = dir.file("cloud.ply"), scz = dir.file("cloud.scz");
  ASSERT_TRUE(save_scene(Scene{test::synthetic_points(500, 9)}, in).ok());
  ASSERT_EQ(run_scenezip("compress " + in + " " + scz).exit_code, 0);
  Bytes b = *read_file(scz);
  b[b.size() - 3] ^= 0x40;
  test::write_bytes(scz, b.data(), b.size());
  const std::string out = dir.file("out.ply");
  expect_clean_failure(run_scenezip("decompress " + scz + " " + out), scz);
  EXPECT_FALSE(std::filesystem::exists(out));
  expect_clean_failure(run_scenezip("info " + scz), scz);
}

}  // namespace
}  // namespace scenezip
