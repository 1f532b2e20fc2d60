// `scenezip eval SCENE PHOTOS.json` and `render --camera transforms.json:INDEX` on the
// real photo sets (small sizes, lavapipe), and their refusals of bad sets.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/render/image.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::run_scenezip;

const std::string kIdentity = "[[1,0,0,0],[0,1,0,0],[0,0,1,4],[0,0,0,1]]";

std::string lego_scene() { return test::data_path("splats/lego-3dgs.ply"); }
std::string lego_photos() { return test::data_path("nerf/lego/transforms_train.json"); }

TEST(EvalPhotosCli, ScoresTheTestSplitOfLegoPerFrameAndMean) {
  SCZ_REQUIRE_DATA("splats/lego-3dgs.ply");
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  auto r = run_scenezip("eval " + lego_scene() + " " + lego_photos() + " --downscale 8 --limit 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["split"], "test");
  EXPECT_EQ(j["test_every"], 8);
  EXPECT_EQ(j["frames"], 2);
  EXPECT_EQ(j["width"], 100);
  ASSERT_EQ(j["per_frame"].size(), 2u);
  EXPECT_EQ(j["per_frame"][0]["frame"], 0);
  EXPECT_EQ(j["per_frame"][1]["frame"], 8);
  EXPECT_EQ(j["per_frame"][1]["file"], "./train/r_8");
  const double mean = (j["per_frame"][0]["psnr"].get<double>() + j["per_frame"][1]["psnr"].get<double>()) / 2;
  EXPECT_NEAR(j["psnr"].get<double>(), mean, 1e-9);
  // At 100x100 a scene trained at 400x400 aliases (17.5-19.7 dB measured on lavapipe);
  // PhotoCamera checks the cameras at the training size, where it reaches 38.7+ dB.
  EXPECT_GT(j["psnr"].get<double>(), 15.0);
  EXPECT_GT(j["ssim"].get<double>(), 0.7);
  // Progress: one line per frame on stderr.
  EXPECT_NE(r.err.find("frame 2/2 (./train/r_8)"), std::string::npos) << r.err;

  test::ScratchDir dir;
  auto train = run_scenezip("eval " + lego_scene() + " " + lego_photos() +
                            " --downscale 8 --split train --test-every 4 --limit 1 --json --save-images " +
                            dir.file("images"));
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const auto t = nlohmann::json::parse(train.out);
  EXPECT_EQ(t["per_frame"][0]["frame"], 1);
  // The saved pair is what was compared: their PSNR is the reported one (up to 8-bit PNG rounding).
  auto render = read_png(dir.file("images/frame-00001-render.png"));
  auto photo = read_png(dir.file("images/frame-00001-photo.png"));
  ASSERT_TRUE(render.ok() && photo.ok());
  EXPECT_EQ(render->width, 100);
  EXPECT_NEAR(psnr(*render, *photo), t["psnr"].get<double>(), 0.1);
}

// A radiance-field `.scz` is scored against photographs like a Gaussian scene: eval
// ray-marches it from each photo's camera, and what it compared is what `render
// --camera` draws from that camera (the stored golden field: the path, not the quality).
TEST(EvalPhotosCli, ScoresARadianceFieldFromThePhotosCameras) {
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  const std::string field = std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/radiance-field-v2.scz";
  test::ScratchDir dir;
  auto r = run_scenezip("eval " + field + " " + lego_photos() + " --downscale 16 --limit 2 --json --save-images " +
                        dir.file("images"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["frames"], 2);
  EXPECT_EQ(j["width"], 50);
  ASSERT_EQ(j["per_frame"].size(), 2u);
  EXPECT_EQ(j["per_frame"][1]["frame"], 8);
  EXPECT_TRUE(std::isfinite(j["psnr"].get<double>()));

  auto rendered = run_scenezip("render " + field + " --camera " + lego_photos() + ":8 --width 50 --out " +
                               dir.file("camera8.png"));
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  auto from_eval = read_png(dir.file("images/frame-00008-render.png"));
  auto from_render = read_png(dir.file("camera8.png"));
  auto photo = read_png(dir.file("images/frame-00008-photo.png"));
  ASSERT_TRUE(from_eval.ok() && from_render.ok() && photo.ok());
  ASSERT_EQ(from_eval->width, from_render->width);
  ASSERT_EQ(from_eval->height, from_render->height);
  EXPECT_EQ(from_eval->rgb, from_render->rgb);
  EXPECT_NEAR(psnr(*from_eval, *photo), j["per_frame"][1]["psnr"].get<double>(), 0.1);
}

TEST(EvalPhotosCli, RendersFromDatasetCamerasForEveryKind) {
  SCZ_REQUIRE_DATA("nerf/fox/transforms.json");
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  SCZ_REQUIRE_DATA("pointclouds/b9_training.ply");
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  // The fox camera alone, without its photographs: the JSON's w and h are enough.
  std::filesystem::copy_file(test::data_path("nerf/fox/transforms.json"), dir.file("transforms.json"));
  for (const std::string scene : {"meshes/bunny.obj", "pointclouds/b9_training.ply", "splats/small-sh3-9k.ply"}) {
    auto r = run_scenezip("render " + test::data_path(scene) + " --out " + dir.file("x.png") + " --camera " +
                          dir.file("transforms.json") + ":7 --width 54");
    ASSERT_EQ(r.exit_code, 0) << scene << ": " << r.err;
    auto image = read_png(dir.file("x.png"));
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_EQ(image->width, 54) << scene;
    EXPECT_EQ(image->height, 96) << scene;  // the fox's 1080x1920 aspect
  }
  auto r = run_scenezip("render " + test::data_path("meshes/bunny.obj") + " --out " + dir.file("x.png") +
                        " --camera " + dir.file("transforms.json") + ":61");
  test::expect_clean_failure(r, "transforms.json");
  // --save-camera keeps the fox's off-centre principal point: the saved camera renders
  // the same image.
  const std::string scene = test::data_path("splats/small-sh3-9k.ply");
  auto a = run_scenezip("render " + scene + " --out " + dir.file("a.png") + " --camera " + dir.file("transforms.json") +
                        ":7 --width 54 --save-camera " + dir.file("saved.json"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = run_scenezip("render " + scene + " --out " + dir.file("b.png") + " --camera " + dir.file("saved.json") + ":0");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto image_a = read_png(dir.file("a.png")), image_b = read_png(dir.file("b.png"));
  ASSERT_TRUE(image_a.ok() && image_b.ok());
  EXPECT_GE(psnr(*image_a, *image_b), 60.0);
  std::ifstream saved(dir.file("saved.json"));
  const auto cameras = nlohmann::json::parse(saved);
  EXPECT_NEAR(cameras[0]["cx"].get<double>(), 554.558 * 54 / 1080, 1e-9);
  EXPECT_NEAR(cameras[0]["cy"].get<double>(), 965.268 * 96 / 1920, 1e-9);
}

TEST(EvalPhotosCli, RefusesBadSetsWithOneLineNamingTheFile) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  const std::string scene = test::data_path("splats/small-sh3-9k.ply");
  Image image(16, 16);
  ASSERT_TRUE(write_png(image, dir.file("a.png")).ok());
  auto eval_with = [&](const std::string& json_text, const std::string& options = "") {
    test::write_text(dir.file("transforms.json"), json_text);
    return run_scenezip("eval " + scene + " " + dir.file("transforms.json") + " " + options);
  };
  const std::string good_frame = "{\"file_path\": \"a\", \"transform_matrix\": " + kIdentity + "}";
  // A missing photograph is named before the scene is even loaded.
  test::expect_clean_failure(
      eval_with("{\"camera_angle_x\": 1, \"frames\": [" + good_frame + ", {\"file_path\": \"b\", \"transform_matrix\": " +
                kIdentity + "}]}"),
      dir.file("b.png"));
  test::expect_clean_failure(eval_with("{\"camera_angle_x\": 1, \"frames\": ["), dir.file("transforms.json"));
  test::expect_clean_failure(eval_with("{\"fl_x\": 9, \"w\": 40000000, \"h\": 40000000, \"frames\": [" + good_frame + "]}"),
                             dir.file("transforms.json"));
  test::expect_clean_failure(eval_with("{\"fl_x\": 9, \"w\": 16, \"h\": 1e12, \"frames\": [" + good_frame + "]}"),
                             dir.file("transforms.json"));
  // The training split of a one-frame set is empty.
  test::expect_clean_failure(eval_with("{\"camera_angle_x\": 1, \"frames\": [" + good_frame + "]}", "--split train"),
                             dir.file("transforms.json"));
  // A set that works, then options that do not.
  auto ok = eval_with("{\"camera_angle_x\": 1, \"frames\": [" + good_frame + "]}");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  for (const char* bad : {"--split val", "--test-every 0", "--downscale 0", "--downscale 17", "--limit -1",
                          "--width 64", "--views 3"}) {
    auto r = run_scenezip("eval " + scene + " " + dir.file("transforms.json") + " " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
  }
  // Photo options on two scenes are a mistake too.
  auto mixed = run_scenezip("eval " + scene + " " + scene + " --downscale 2");
  EXPECT_EQ(mixed.exit_code, 2) << mixed.err;
  EXPECT_NE(mixed.err.find("--downscale"), std::string::npos) << mixed.err;
}

}  // namespace
}  // namespace scenezip
