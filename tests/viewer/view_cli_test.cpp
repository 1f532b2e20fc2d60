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

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "engine/render/image.h"
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
