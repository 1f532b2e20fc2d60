// `scenezip train-field` arguments, and `info` / `render` on a radiance-field file (the
// golden one): bad input exits 2 with one line and writes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "formats/file_io.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::run_scenezip;

constexpr const char* kLego = "nerf/lego/transforms_train.json";

std::string golden_field() { return std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/radiance-field-v2.scz"; }

TEST(TrainFieldCli, BadArgumentsExitTwoWithoutOutput) {
  SCZ_REQUIRE_DATA(kLego);
  test::ScratchDir dir;
  const std::string out = dir.file("out.scz");
  const std::string lego = test::data_path("nerf/lego");
  for (const std::string args : {lego + " " + out, lego + " " + out + " --steps 10 --downscale 0",
                                 lego + " " + out + " --steps 10 --test-every 1",
                                 lego + " " + out + " --steps 10 --feature-bits 9",
                                 lego + " " + out + " --steps 10 --config '{\"levels\": 0}'",
                                 lego + " " + out + " --steps 10 --config '{\"output_dims\": 3}'",
                                 dir.file("nowhere") + " " + out + " --steps 10"}) {
    const auto r = run_scenezip("train-field " + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
  const auto help = run_scenezip("train-field --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--test-every"), std::string::npos);
}

TEST(TrainFieldCli, InfoAndRenderTakeARadianceField) {
  const auto info = run_scenezip("info " + golden_field() + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const nlohmann::json j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j["kind"], "radiance field");
  EXPECT_EQ(j["occupied_cells"], 48);
  test::ScratchDir dir;
  const std::string png = dir.file("field.png");
  const auto r = run_scenezip("render " + golden_field() + " --view 1/4 --width 16 --height 12 --out " + png);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto image = read_png(png);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->width, 16);
  EXPECT_EQ(image->height, 12);
  // Commands that take Scenes refuse it in one line.
  const auto d = run_scenezip("decompress " + golden_field() + " " + dir.file("x.ply"));
  EXPECT_EQ(d.exit_code, 2) << d.err;
  EXPECT_EQ(std::count(d.err.begin(), d.err.end(), '\n'), 1) << d.err;
  // A cut file: one line naming it.
  auto bytes = read_file(golden_field());
  ASSERT_TRUE(bytes.ok());
  const std::string cut = dir.file("cut.scz");
  ASSERT_TRUE(write_file_atomic(cut, bytes->data(), bytes->size() - 7).ok());
  const auto bad = run_scenezip("info " + cut);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

}  // namespace
}  // namespace scenezip
