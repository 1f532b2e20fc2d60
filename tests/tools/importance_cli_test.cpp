// `scenezip compress` with importance pruning: through Vulkan (the CPU driver here) and
// through the C++ reference, the same share goes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/codec/gaussian_settings.h"
#include "formats/formats.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

TEST(ImportanceCli, CompressPrunesByImportanceOnBothDevices) {
  test::ScratchDir dir;
  const std::string in = dir.file("synthetic.ply");
  ASSERT_TRUE(save_scene(Scene{test::synthetic_cloud(1500, 2, 31)}, in).ok());
  codec::GaussianCodecSettings s = *codec::preset_settings("small");
  s.importance_prune_fraction = 0.2f;
  s.importance_views = 4;
  s.importance_resolution = 64;
  const std::string settings = dir.file("settings.json");
  std::ofstream(settings) << codec::settings_json(s).dump();
  std::size_t unimportant[2] = {0, 0};
  const char* devices[2] = {"gpu", "cpu"};
  for (int d = 0; d < 2; ++d) {
    auto r = test::run_scenezip("compress " + in + " " + dir.file(std::string(devices[d]) + ".scz") + " --settings " +
                                settings + " --device " + devices[d] + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    unimportant[d] = j["pruned"]["unimportant"].get<std::size_t>();
    EXPECT_EQ(j["settings"]["importance"]["prune_fraction"].get<float>(), 0.2f);
    EXPECT_EQ(j["importance_device"].get<std::string>() == "C++ reference", d == 1) << j["importance_device"];
    auto back = load_scene(dir.file(std::string(devices[d]) + ".scz"));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->gaussians()->count, j["count_out"].get<std::size_t>());
  }
  EXPECT_GT(unimportant[0], 250u);
  EXPECT_EQ(unimportant[0], unimportant[1]);
}

}  // namespace
}  // namespace scenezip
