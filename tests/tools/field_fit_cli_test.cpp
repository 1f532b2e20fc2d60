// `scenezip field-fit`: bad arguments and settings exit 2 with one line; a small fit on
// a real scene prints its settings back with the PSNR and the stored field's bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::run_scenezip;

constexpr const char* kScene = "splats/small-sh3-9k.ply";

TEST(FieldFitCli, BadArgumentsAndSettingsExitTwo) {
  SCZ_REQUIRE_DATA(kScene);
  const std::string scene = test::data_path(kScene);
  for (const std::string args : {" --target sideways", " --device tpu", " --config '{\"levels\": 0}'",
                                 " --config '{\"levels\": '", " --config @/nonexistent/settings.json",
                                 " --viewpoints -3"}) {
    const auto r = run_scenezip("field-fit " + scene + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  test::ScratchDir dir;
  const std::string absent = dir.file("absent.ply");
  const auto r = run_scenezip("field-fit " + absent);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(absent), std::string::npos) << r.err;
}

TEST(FieldFitCli, SmallCpuFitReportsSettingsPsnrAndBytes) {
  SCZ_REQUIRE_DATA(kScene);
  const auto r = run_scenezip("field-fit " + test::data_path(kScene) +
                              " --device cpu --target view --psnr-samples 5000 --json --config "
                              "'{\"levels\": 4, \"log2_table_size\": 10, \"hidden_width\": 8, \"hidden_layers\": 1,"
                              " \"batch_size\": 256, \"steps\": 40}'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["config"]["levels"], 4);
  EXPECT_EQ(j["config"]["steps"], 40);
  EXPECT_EQ(j["config"]["output_activation"], "none");  // view-dependent bands: linear
  EXPECT_EQ(j["target"], "view-dependent");
  EXPECT_EQ(j["gaussians"], 9080);
  EXPECT_GT(j["psnr"].get<double>(), 15.0);
  EXPECT_NEAR(j["psnr_stored"].get<double>(), j["psnr"].get<double>(), 0.5);
  EXPECT_GT(j["field_bytes"].get<int>(), 0);
}

}  // namespace
}  // namespace scenezip
