// `scenezip compress` and `scenezip decompress` from the outside: exit codes, outputs
// written whole or not at all, --json keys, and .scz read back by info.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/codec/gaussian_encoder.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::expect_clean_failure;

using test::run_scenezip;

std::size_t files_in(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

// A small scene of our own, so these tests need no shared data.
std::string write_synthetic(const test::ScratchDir& dir) {
  const std::string path = dir.file("synthetic.ply");
  EXPECT_TRUE(save_scene(Scene{test::synthetic_cloud(1500, 2, 31)}, path).ok());
  return path;
}

TEST(CompressCli, HelpListsTheSubcommands) {
  auto r = run_scenezip("--help");
  EXPECT_NE(r.out.find("compress"), std::string::npos);
  EXPECT_NE(r.out.find("decompress"), std::string::npos);
  EXPECT_EQ(run_scenezip("compress --help").exit_code, 0);
  EXPECT_EQ(run_scenezip("decompress --help").exit_code, 0);
}

TEST(CompressCli, CompressJsonThenDecompressAndInfo) {
  test::ScratchDir dir;
  const std::string in = write_synthetic(dir);
  const std::string scz = dir.file("out.scz");
  auto r = run_scenezip("compress " + in + " " + scz + " --preset small --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"input_bytes", "output_bytes", "ratio", "count_in", "count_out", "seconds", "settings"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["count_in"], 1500);
  EXPECT_LE(j["count_out"].get<int>(), 1500);
  EXPECT_EQ(j["output_bytes"].get<std::uint64_t>(), std::filesystem::file_size(scz));
  EXPECT_EQ(j["input_bytes"].get<std::uint64_t>(), std::filesystem::file_size(in));
  EXPECT_NEAR(j["ratio"].get<double>(), j["input_bytes"].get<double>() / j["output_bytes"].get<double>(), 1e-9);
  EXPECT_EQ(j["settings"]["preset"], "small");
  EXPECT_GT(j["ratio"].get<double>(), 3.0);

  auto info = run_scenezip("info --json " + scz);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto ij = nlohmann::json::parse(info.out);
  EXPECT_EQ(ij["format"], "scz");
  EXPECT_EQ(ij["count"], j["count_out"]);
  EXPECT_EQ(ij["sh_degree"], 2);

  for (const char* ext : {".ply", ".spz", ".splat"}) {
    const std::string out = dir.file(std::string("back") + ext);
    auto d = run_scenezip("decompress " + scz + " " + out);
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_NE(d.out.find("\"preset\":\"small\""), std::string::npos) << d.out;  // the stored settings
    auto back = load_scene(out);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->primitive_count(), j["count_out"].get<std::size_t>());
  }
}

TEST(CompressCli, TextOutputPrintsSizesAndSettings) {
  test::ScratchDir dir;
  const std::string in = write_synthetic(dir);
  auto r = run_scenezip("compress " + in + " " + dir.file("a.scz") + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* word : {"input:", "output:", "ratio:", "count:", "time:", "settings:", "\"preset\":\"balanced\""}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
  }
}

TEST(CompressCli, SettingsFileReproducesAPreset) {
  test::ScratchDir dir;
  const std::string in = write_synthetic(dir);
  auto first = run_scenezip("compress " + in + " " + dir.file("a.scz") + " --preset small --json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string settings = dir.file("settings.json");
  std::ofstream(settings) << nlohmann::json::parse(first.out)["settings"].dump();
  auto second = run_scenezip("compress " + in + " " + dir.file("b.scz") + " --settings " + settings);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(*read_file(dir.file("a.scz")), *read_file(dir.file("b.scz")));
  std::ofstream(settings) << "{\"codec\":\"gaussians\"}";
  expect_clean_failure(run_scenezip("compress " + in + " " + dir.file("c.scz") + " --settings " + settings), settings);
}

TEST(CompressCli, FailuresExitTwoAndLeaveNoOutput) {
  test::ScratchDir dir;
  const std::string in = write_synthetic(dir);
  const std::size_t before = files_in(dir.path());
  // Unknown preset, wrong output type, missing input, unwritable output.
  EXPECT_EQ(run_scenezip("compress " + in + " " + dir.file("x.scz") + " --preset huge").exit_code, 2);
  expect_clean_failure(run_scenezip("compress " + in + " " + dir.file("x.ply")), dir.file("x.ply"));
  expect_clean_failure(run_scenezip("compress " + dir.file("absent.ply") + " " + dir.file("x.scz")),
                       dir.file("absent.ply"));
  expect_clean_failure(run_scenezip("compress " + in + " /nonexistent-dir/x.scz"), "/nonexistent-dir/x.scz");
  EXPECT_EQ(files_in(dir.path()), before);

  // A damaged .scz: decompress fails cleanly and writes nothing; info fails the same way.
  const std::string scz = dir.file("good.scz");
  ASSERT_EQ(run_scenezip("compress " + in + " " + scz + " --preset small").exit_code, 0);
  auto bytes = read_file(scz);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= 0x10;
  const std::string bad = dir.file("bad.scz");
  ASSERT_TRUE(write_file_atomic(bad, *bytes).ok());
  const std::string out = dir.file("out.ply");
  expect_clean_failure(run_scenezip("decompress " + bad + " " + out), bad);
  expect_clean_failure(run_scenezip("info " + bad), bad);
  EXPECT_FALSE(std::filesystem::exists(out));
  bytes->resize(bytes->size() / 3);
  ASSERT_TRUE(write_file_atomic(bad, *bytes).ok());
  expect_clean_failure(run_scenezip("decompress " + bad + " " + out), bad);
  EXPECT_FALSE(std::filesystem::exists(out));
  // Unwritable format for Gaussians, and a non-.scz input.
  expect_clean_failure(run_scenezip("decompress " + scz + " " + dir.file("out.obj")), dir.file("out.obj"));
  expect_clean_failure(run_scenezip("decompress " + in + " " + out), in);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CompressCli, RealSceneRoundTrip) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  const std::string scz = dir.file("small.scz");
  auto r = run_scenezip("compress " + test::data_path("splats/small-sh3-9k.ply") + " " + scz + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["count_in"], 9080);
  EXPECT_GT(j["ratio"].get<double>(), 8.0);
  auto d = run_scenezip("decompress " + scz + " " + dir.file("back.ply"));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto back = load_scene(dir.file("back.ply"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->primitive_count(), j["count_out"].get<std::size_t>());
}

// --target-psnr on a real scene: the file kept is the smallest tried that reached the
// target and lands within 0.5 dB above it (issue 13's bound), within four trials; eval
// measures it there too, and the settings stored say how it was chosen. Two targets: one
// near the bottom of the ladder, where the search crosses into pruning levels, and one
// between small and balanced.
TEST(CompressCli, TargetPsnrKeepsTheSmallestLevelThatReachesIt) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  const std::string in = test::data_path("splats/small-sh3-9k.ply");
  const std::string scz = dir.file("target.scz");
  const std::string views = " --target-views 2 --target-width 96 --target-height 96";
  for (const double target : {45.0, 50.0}) {
    SCOPED_TRACE(target);
    char db[16];
    std::snprintf(db, sizeof db, "%.2f", target);
    auto r = run_scenezip("compress " + in + " " + scz + " --target-psnr " + db + views + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    const auto& t = j["target_psnr"];
    EXPECT_GE(t["psnr"].get<double>(), target);
    EXPECT_LE(t["psnr"].get<double>(), target + 0.5) << r.err;
    // The search's own trials; where k-means runs on a GPU, two more weigh a colour field
    // against the SH streams (at the level found and one above).
    std::size_t search_trials = 0, field_trials = 0;
    for (const auto& trial : t["trials"]) ++(trial["colour"] == "sh" ? search_trials : field_trials);
    ASSERT_GE(search_trials, 2u) << r.err;
    EXPECT_LE(search_trials, 4u) << r.err;
    EXPECT_LE(field_trials, 2u) << r.err;
    const std::string preset = j["settings"]["preset"].get<std::string>();
    EXPECT_EQ(preset.rfind(std::string("target-psnr-") + db + "/level ", 0), 0u) << preset;
    int kept = 0;
    for (const auto& trial : t["trials"]) {
      // Every smaller file missed the target; the kept one's bytes are the file's.
      if (trial["bytes"] < j["output_bytes"]) EXPECT_LT(trial["psnr"].get<double>(), target);
      kept += trial["bytes"] == j["output_bytes"] && trial["psnr"].get<double>() >= target;
    }
    EXPECT_EQ(kept, 1);
    auto eval = run_scenezip("eval " + in + " " + scz + " --views 2 --width 96 --height 96 --json");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    EXPECT_NEAR(nlohmann::json::parse(eval.out)["psnr"].get<double>(), t["psnr"].get<double>(), 1e-3);
  }

  // Beyond the top level: a clean failure and no file; with a preset: refused.
  const std::string out = dir.file("never.scz");
  auto high = run_scenezip("compress " + in + " " + out + " --target-psnr 150" + views);
  EXPECT_EQ(high.exit_code, 2) << high.err;
  EXPECT_NE(high.err.find("cannot reach 150.00 dB"), std::string::npos) << high.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_NE(run_scenezip("compress " + in + " " + out + " --target-psnr 40 --preset small").exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace scenezip
