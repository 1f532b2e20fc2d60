// `scenezip view` in its scripted mode, in a window on an X server the test starts
// itself (Xvfb): the screenshot read back from the swapchain must match `scenezip
// render` of the same camera, and the PSNR of two files must match `scenezip eval`.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "engine/render/image.h"
#include "formats/file_io.h"
#include "tests/test_support.h"

extern char** environ;

namespace scenezip {
namespace {

using test::XServer;

using test::run_scenezip;

#define SCZ_REQUIRE_X(server) \
  ASSERT_TRUE((server).ok()) << "Xvfb did not start (Debian package xvfb)"

// Renders `scene` with `render` and with the viewer's scripted mode from the same
// camera, and returns the PSNR of the two PNGs.
double viewer_against_render(const test::ScratchDir& dir, const std::string& scene, const std::string& camera_args,
                             const std::string& extra = "") {
  XServer x;
  EXPECT_TRUE(x.ok());
  const std::string size = " --width 96 --height 72 ";
  auto rendered = run_scenezip("render " + scene + " --out " + dir.file("render.png") + size + camera_args + extra);
  EXPECT_EQ(rendered.exit_code, 0) << rendered.err;
  auto viewed = run_scenezip("view " + scene + size + camera_args + extra + " --frames 3 --screenshot " +
                             dir.file("view.png"));
  EXPECT_EQ(viewed.exit_code, 0) << viewed.err;
  EXPECT_EQ(viewed.err.find("validation error"), std::string::npos) << viewed.err;
  auto report = nlohmann::json::parse(viewed.out, nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << viewed.out;
  if (!report.is_discarded()) {
    EXPECT_EQ(report["frames"], 3);
    EXPECT_EQ(report["width"], 96);
    EXPECT_EQ(report["height"], 72);
    EXPECT_EQ(report["validation_errors"], 0);
  }
  auto a = read_png(dir.file("render.png"));
  auto b = read_png(dir.file("view.png"));
  if (!a.ok() || !b.ok()) {
    ADD_FAILURE() << "missing image";
    return 0;
  }
  EXPECT_EQ(b->width, 96);
  EXPECT_EQ(b->height, 72);
  const double db = psnr(*a, *b);
  std::printf("%s %s: viewer screenshot vs render %.2f dB\n", scene.c_str(), camera_args.c_str(), db);
  return db;
}

TEST(ViewCli, GaussianScreenshotMatchesRender) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  EXPECT_GE(viewer_against_render(dir, test::data_path("splats/small-sh3-9k.ply"), "--view 1/4"), 40.0);
}

TEST(ViewCli, ScreenshotOfAnScz) {
  const std::string golden = std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/gaussians-sh3-v1.scz";
  test::ScratchDir dir;
  EXPECT_GE(viewer_against_render(dir, golden, "--view 2/5"), 40.0);
}

TEST(ViewCli, MeshScreenshotMatchesRender) {
  SCZ_REQUIRE_DATA("meshes/DamagedHelmet/DamagedHelmet.gltf");
  test::ScratchDir dir;
  EXPECT_GE(viewer_against_render(dir, test::data_path("meshes/DamagedHelmet/DamagedHelmet.gltf"), "--view 0/1"), 40.0);
}

TEST(ViewCli, PointCloudScreenshotMatchesRender) {
  SCZ_REQUIRE_DATA("pointclouds/b9_training.ply");
  test::ScratchDir dir;
  EXPECT_GE(viewer_against_render(dir, test::data_path("pointclouds/b9_training.ply"), "--view 3/8"), 40.0);
}

TEST(ViewCli, CompositeMatchesRenderWith) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  test::ScratchDir dir;
  EXPECT_GE(viewer_against_render(dir, test::data_path("splats/small-sh3-9k.ply"), "--view 0/3",
                                  " --with " + test::data_path("meshes/bunny.obj")),
            40.0);
}

TEST(ViewCli, CameraFromAFileMatchesRender) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  const std::string scene = test::data_path("splats/small-sh3-9k.ply");
  auto saved = run_scenezip("render " + scene + " --out " + dir.file("x.png") +
                            " --width 96 --height 72 --view 5/7 --save-camera " + dir.file("cameras.json"));
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_GE(viewer_against_render(dir, scene, "--camera " + dir.file("cameras.json") + ":0"), 40.0);
}

// Radiance fields (scene kind 4, no Scene): the viewer ray-marches them with the same
// renderer as `render`, from its orbit views and from a dataset's cameras.
std::string golden_field() { return std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/radiance-field-v2.scz"; }

// The golden field is faint (a few cells of a tiny training run): "not blank" means
// some pixels are clearly off the white background.
std::size_t pixels_off_white(const Image& image) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    if (std::min({image.rgb[i], image.rgb[i + 1], image.rgb[i + 2]}) < 0.97f) n++;
  }
  return n;
}

TEST(ViewCli, RadianceFieldScreenshotMatchesRender) {
  test::ScratchDir dir;
  EXPECT_GE(viewer_against_render(dir, golden_field(), "--view 1/4"), 40.0);
  auto shot = read_png(dir.file("view.png"));
  ASSERT_TRUE(shot.ok());
  EXPECT_GT(pixels_off_white(*shot), 100u);
}

TEST(ViewCli, RadianceFieldFromADatasetCameraMatchesRender) {
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  test::ScratchDir dir;
  const std::string camera = "--camera " + test::data_path("nerf/lego/transforms_train.json") + ":8";
  EXPECT_GE(viewer_against_render(dir, golden_field(), camera), 40.0);
  auto shot = read_png(dir.file("view.png"));
  ASSERT_TRUE(shot.ok());
  EXPECT_GT(pixels_off_white(*shot), 100u);
}

// Two fields compare like two scenes (the same file: identical frames); a field takes no
// --with scene, and a damaged field file is bad input naming it, with no screenshot.
TEST(ViewCli, RadianceFieldsCompareAndRefuseWhatTheyCannotShow) {
  test::ScratchDir dir;
  XServer x;
  SCZ_REQUIRE_X(x);
  auto two = run_scenezip("view " + golden_field() + " " + golden_field() + " --width 48 --height 36 --frames 2");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  auto report = nlohmann::json::parse(two.out);
  EXPECT_GE(report["psnr"].get<double>(), 99.0);
  EXPECT_EQ(report["files"][0]["kind"], "radiance field");
  EXPECT_EQ(report["files"][0]["count"], 48);

  auto with = run_scenezip("view " + golden_field() + " --with " + std::string(SCENEZIP_SOURCE_DIR) +
                           "/assets/demo-knot.ply --width 32 --height 24 --frames 1 --screenshot " + dir.file("w.png"));
  EXPECT_EQ(with.exit_code, 2) << with.err;
  EXPECT_EQ(std::count(with.err.begin(), with.err.end(), '\n'), 1) << with.err;
  EXPECT_NE(with.err.find("radiance-field-v2.scz"), std::string::npos) << with.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.png")));

  auto bytes = read_file(golden_field());
  ASSERT_TRUE(bytes.ok());
  bytes->resize(bytes->size() - 40);
  const std::string cut = dir.file("cut-field.scz");
  ASSERT_TRUE(write_file_atomic(cut, bytes->data(), bytes->size()).ok());
  auto damaged = run_scenezip("view " + cut + " --width 32 --height 24 --frames 1 --screenshot " + dir.file("d.png"));
  EXPECT_EQ(damaged.exit_code, 2) << damaged.err;
  EXPECT_NE(damaged.err.find("cut-field.scz"), std::string::npos) << damaged.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("d.png")));
}

TEST(ViewCli, TwoFilesReportTheSamePsnrAsEval) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  test::ScratchDir dir;
  const std::string original = test::data_path("splats/small-sh3-9k.ply");
  const std::string compressed = dir.file("small.scz");
  auto c = run_scenezip("compress " + original + " " + compressed + " --device cpu");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto eval = run_scenezip("eval " + original + " " + compressed + " --views 1 --width 96 --height 72 --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const double eval_psnr = nlohmann::json::parse(eval.out)["psnr"].get<double>();

  XServer x;
  SCZ_REQUIRE_X(x);
  auto viewed = run_scenezip("view " + original + " " + compressed + " --width 96 --height 72 --view 0/1 --frames 2 "
                             "--screenshot " + dir.file("split.png"));
  ASSERT_EQ(viewed.exit_code, 0) << viewed.err;
  auto report = nlohmann::json::parse(viewed.out);
  ASSERT_TRUE(report.contains("psnr")) << viewed.out;
  std::printf("two files: viewer PSNR %.4f dB, eval %.4f dB\n", report["psnr"].get<double>(), eval_psnr);
  EXPECT_NEAR(report["psnr"].get<double>(), eval_psnr, 0.1);
  EXPECT_LT(eval_psnr, 99.0);  // the two files do differ
  EXPECT_GT(report["ratio"].get<double>(), 1.0);
  EXPECT_EQ(report["files"].size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(dir.file("split.png")));
}

TEST(ViewCli, NoDisplayGivesOneLineAndExitTwo) {
  const char* old = std::getenv("DISPLAY");
  const std::string saved = old ? old : "";
  unsetenv("DISPLAY");
  auto r = run_scenezip("view " + std::string(SCENEZIP_SOURCE_DIR) + "/assets/demo-knot.ply");
  if (old) setenv("DISPLAY", saved.c_str(), 1);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("scenezip render"), std::string::npos) << r.err;
}

TEST(ViewCli, UnreadableFileInScriptedModeIsBadInput) {
  test::ScratchDir dir;
  test::write_text(dir.file("broken.ply"), "ply\nformat ascii 1.0\nelement vertex 99\n");
  XServer x;
  SCZ_REQUIRE_X(x);
  auto r = run_scenezip("view " + dir.file("broken.ply") + " --frames 1 --screenshot " + dir.file("x.png"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("broken.ply"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.png")));
}

}  // namespace
}  // namespace scenezip
