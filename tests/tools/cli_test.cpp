#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::expect_clean_failure;

using test::run_scenezip;

using test::write_text;

TEST(Cli, HelpListsSubcommands) {
  auto r = run_scenezip("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("info"), std::string::npos);
  EXPECT_NE(r.out.find("convert"), std::string::npos);
  EXPECT_EQ(run_scenezip("info --help").exit_code, 0);
  EXPECT_EQ(run_scenezip("convert --help").exit_code, 0);
}

TEST(Cli, WrongFlagsExitTwo) {
  EXPECT_EQ(run_scenezip("info --bogus x.ply").exit_code, 2);
  EXPECT_EQ(run_scenezip("nosuchcommand").exit_code, 2);
  EXPECT_EQ(run_scenezip("convert onlyone.ply").exit_code, 2);
}

TEST(Cli, MissingFile) {
  test::ScratchDir dir;
  const std::string path = dir.file("absent.ply");
  expect_clean_failure(run_scenezip("info " + path), path);
}

TEST(Cli, InfoJsonOnRealScene) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto r = run_scenezip("info --json " + test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "gaussians");
  EXPECT_EQ(j["format"], "inria-ply");
  EXPECT_EQ(j["count"], 9080);
  EXPECT_EQ(j["sh_degree"], 3);
  EXPECT_EQ(j["bytes"], 2253369);
  EXPECT_EQ(j["bounds"]["min"].size(), 3u);
  EXPECT_EQ(j["bounds"]["max"].size(), 3u);
}

TEST(Cli, TruncatedFileFailsAndConvertLeavesNoOutput) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  auto bytes = read_file(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(bytes.ok());
  bytes->resize(bytes->size() / 2);
  const std::string cut = dir.file("cut.ply");
  std::ofstream(cut, std::ios::binary).write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  expect_clean_failure(run_scenezip("info " + cut), cut);
  const std::string out = dir.file("out.splat");
  expect_clean_failure(run_scenezip("convert " + cut + " " + out), cut);
  EXPECT_FALSE(std::filesystem::exists(out));
  // Nothing else (no temporary file) is left behind either.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(Cli, UnwritableOutputPath) {
  SCZ_REQUIRE_DATA("splats/seal.splat");
  const std::string out = "/nonexistent-dir/out.ply";
  expect_clean_failure(run_scenezip("convert " + test::data_path("splats/seal.splat") + " " + out), out);
}

TEST(Cli, UnknownExtensionAndWrongMagic) {
  test::ScratchDir dir;
  const std::string odd = dir.file("scene.xyzw");
  write_text(odd, "hello");
  expect_clean_failure(run_scenezip("info " + odd), odd);
  const std::string fake = dir.file("fake.ply");
  write_text(fake, "PK\x03\x04 not a ply at all");
  expect_clean_failure(run_scenezip("info " + fake), fake);
}

TEST(Cli, ConvertSplatToPlyAndBack) {
  SCZ_REQUIRE_DATA("splats/seal.splat");
  test::ScratchDir dir;
  const std::string ply = dir.file("seal.ply");
  auto r = run_scenezip("convert " + test::data_path("splats/seal.splat") + " " + ply);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto info = run_scenezip("info --json " + ply);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["count"], 101780);
}

// The grid bench --copies measures, written out for other renderers: four copies of the
// scene, each the original moved along x and z only, and bad counts refused cleanly.
TEST(Cli, ConvertWritesTheBenchGridOfCopies) {
  SCZ_REQUIRE_DATA("splats/seal.splat");
  test::ScratchDir dir;
  const std::string one = dir.file("one.ply"), four = dir.file("four.ply");
  ASSERT_EQ(run_scenezip("convert " + test::data_path("splats/seal.splat") + " " + one).exit_code, 0);
  auto r = run_scenezip("convert " + one + " " + four + " --copies 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4 copies, 407120"), std::string::npos) << r.out;
  const auto single = nlohmann::json::parse(run_scenezip("info --json " + one).out);
  const auto grid = nlohmann::json::parse(run_scenezip("info --json " + four).out);
  EXPECT_EQ(grid["count"], 4 * 101780);
  // The copies sit side by side in x and z; y keeps the original's extent.
  EXPECT_FLOAT_EQ(grid["bounds"]["min"][1].get<float>(), single["bounds"]["min"][1].get<float>());
  EXPECT_FLOAT_EQ(grid["bounds"]["max"][1].get<float>(), single["bounds"]["max"][1].get<float>());
  EXPECT_GT(grid["bounds"]["max"][0].get<float>(), single["bounds"]["max"][0].get<float>());
  EXPECT_GT(grid["bounds"]["max"][2].get<float>(), single["bounds"]["max"][2].get<float>());

  expect_clean_failure(run_scenezip("convert " + one + " " + dir.file("zero.ply") + " --copies 0"), "--copies");
  expect_clean_failure(run_scenezip("convert " + one + " " + dir.file("huge.ply") + " --copies 4096"), "--copies");
}

// --mix fills the grid's cells with other scenes in turn, at the highest SH degree, and
// refuses what is not a Gaussian scene, naming it, writing nothing.
TEST(Cli, ConvertMixesScenesIntoOneGrid) {
  SCZ_REQUIRE_DATA("splats/seal.splat");
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  test::ScratchDir dir;
  const std::string seal = test::data_path("splats/seal.splat"), patch = test::data_path("splats/small-sh3-9k.ply");
  const std::string city = dir.file("city.ply");
  auto r = run_scenezip("convert " + seal + " " + city + " --copies 3 --mix " + patch);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 cells of 2 scenes"), std::string::npos) << r.out;
  const auto info = nlohmann::json::parse(run_scenezip("info --json " + city).out);
  EXPECT_EQ(info["count"], 2 * 101780 + 9080);
  EXPECT_EQ(info["sh_degree"], 3);

  const std::string bad = dir.file("bad.ply");
  expect_clean_failure(run_scenezip("convert " + seal + " " + bad + " --mix " + test::data_path("meshes/bunny.obj")),
                       "bunny.obj");
  expect_clean_failure(run_scenezip("convert " + seal + " " + bad + " --mix " + dir.file("absent.ply")), "absent.ply");
  EXPECT_FALSE(std::ifstream(bad).good());
}

}  // namespace
}  // namespace scenezip
