#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/render/image.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::run_scenezip;

const std::string kDemo = std::string(SCENEZIP_SOURCE_DIR) + "/assets/demo-knot.ply";

TEST(RenderCli, WritesPngOfShippedScene) {
  test::ScratchDir dir;
  const std::string png = dir.file("knot.png");
  auto r = run_scenezip("render " + kDemo + " --out " + png + " --width 64 --height 48 --view 1/3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto image = read_png(png);
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->width, 64);
  EXPECT_EQ(image->height, 48);
  // Not a blank frame: some pixels differ from the white background.
  int coloured = 0;
  for (std::size_t i = 0; i < image->rgb.size(); i += 3) coloured += image->rgb[i] + image->rgb[i + 1] + image->rgb[i + 2] < 2.9f;
  EXPECT_GT(coloured, 64 * 48 / 20);
}

TEST(RenderCli, SavedCameraRendersTheSameView) {
  test::ScratchDir dir;
  const std::string cams = dir.file("cameras.json");
  auto a = run_scenezip("render " + kDemo + " --out " + dir.file("a.png") +
                        " --width 48 --height 40 --view 2/5 --save-camera " + cams);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = run_scenezip("render " + kDemo + " --out " + dir.file("b.png") + " --width 48 --height 40 --camera " +
                        cams + ":0");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto image_a = read_png(dir.file("a.png"));
  auto image_b = read_png(dir.file("b.png"));
  ASSERT_TRUE(image_a.ok() && image_b.ok());
  EXPECT_GE(psnr(*image_a, *image_b), 60.0);
}

TEST(RenderCli, CameraFromFileRendersAtItsOwnSizeUnlessToldOtherwise) {
  test::ScratchDir dir;
  const std::string cams = dir.file("cameras.json");
  auto saved = run_scenezip("render " + kDemo + " --out " + dir.file("a.png") +
                            " --width 48 --height 40 --view 1/4 --save-camera " + cams);
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  struct Case {
    std::string size_options;
    int width, height;
  };
  for (const Case& c : {Case{"", 48, 40}, Case{"--width 24", 24, 20}, Case{"--height 20", 24, 20},
                        Case{"--width 30 --height 30", 30, 30}}) {
    const std::string png = dir.file("b.png");
    auto r = run_scenezip("render " + kDemo + " --out " + png + " --camera " + cams + ":0 " + c.size_options);
    ASSERT_EQ(r.exit_code, 0) << c.size_options << ": " << r.err;
    auto image = read_png(png);
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_EQ(image->width, c.width) << c.size_options;
    EXPECT_EQ(image->height, c.height) << c.size_options;
  }
  // Orbit views keep their default size.
  auto orbit = run_scenezip("render " + kDemo + " --out " + dir.file("c.png") + " --width 40 --view 0/2");
  ASSERT_EQ(orbit.exit_code, 0) << orbit.err;
  auto image = read_png(dir.file("c.png"));
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->width, 40);
  EXPECT_EQ(image->height, 600);
}

TEST(RenderCli, RejectsBadOptions) {
  test::ScratchDir dir;
  const std::string png = dir.file("x.png");
  for (const char* bad : {"--view 3/3", "--view abc", "--width 0", "--background 1,2,3", "--background 1,1",
                          "--camera nofile.json", "--up z"}) {
    auto r = run_scenezip("render " + kDemo + " --out " + png + " " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << bad << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(png)) << bad;
  }
}

TEST(EvalCli, IdenticalScenesScorePerfectly) {
  auto r = run_scenezip("eval " + kDemo + " " + kDemo + " --views 2 --width 48 --height 32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["psnr"].get<double>(), 99.0);
  EXPECT_NEAR(j["ssim"].get<double>(), 1.0, 1e-6);
  EXPECT_EQ(j["views"], 2);
  EXPECT_EQ(j["reference_bytes"], j["candidate_bytes"]);
  EXPECT_DOUBLE_EQ(j["ratio"].get<double>(), 1.0);
}

TEST(BenchCli, ReportsStagesAsJson) {
  auto r = run_scenezip("bench " + kDemo + " --width 64 --height 48 --frames 3 --warmup 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["count"], 8000);
  for (const char* stage : {"preprocess", "sort", "raster", "total"}) {
    EXPECT_GT(j["ms"][stage].get<double>(), 0.0) << stage;
  }
  EXPECT_GT(j["fps"].get<double>(), 0.0);
  EXPECT_FALSE(j["device"].get<std::string>().empty());
}

// Every dispatch is timed under its own name, the renderer's memory is reported, and an
// image saved by one run compares with the next run's at full precision; a file that is
// not such an image, or of another size, is refused as bad input.
TEST(BenchCli, ReportsStepsMemoryAndComparesImages) {
  test::ScratchDir dir;
  const std::string saved = dir.file("frame.f32");
  auto first = run_scenezip("bench " + kDemo + " --width 64 --height 48 --frames 2 --warmup 1 --view 1/3 --json" +
                            " --save-image " + saved);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_GT(j["gpu_bytes"].get<double>(), 8000.0 * 48);  // at least the 48-byte projected splats
  for (const char* step : {"preprocess", "depth sort 0 scatter", "emit", "tile sort 0 scatter", "raster"}) {
    ASSERT_TRUE(j["steps"].contains(step)) << step;
    EXPECT_GE(j["steps"][step].get<double>(), 0.0) << step;
  }
  EXPECT_FALSE(j.contains("psnr_vs_image"));

  // The second run also asks the driver for its kernels' statistics, which must not
  // change what is drawn.
  auto second = run_scenezip("bench " + kDemo + " --width 64 --height 48 --frames 2 --warmup 1 --view 1/3 --json" +
                             " --compare-image " + saved + " --kernel-statistics");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto j2 = nlohmann::json::parse(second.out);
  // The same renderer: bit for bit on the CPU driver. A GPU may append the visible
  // Gaussians in another order from run to run, which equal depth keys keep (the H200:
  // 93.5 dB here), so the bound leaves room for that and nothing else.
  EXPECT_GE(j2["psnr_vs_image"].get<double>(), 80.0);
  // Drivers name their statistics as they like (the CPU driver gives none for compute);
  // where there are any, the preprocess kernel is among them, each value text.
  ASSERT_TRUE(j2.contains("kernel_statistics") && j2["kernel_statistics"].is_object()) << second.out;
  const auto& kernels = j2["kernel_statistics"];
  if (!kernels.empty()) {
    EXPECT_TRUE(kernels.contains("preprocess")) << kernels.dump();
  }
  for (const auto& [kernel, statistics] : kernels.items()) {
    ASSERT_FALSE(statistics.empty()) << kernel;
    for (const auto& [name, value] : statistics.items()) EXPECT_TRUE(value.is_string()) << kernel << ": " << name;
  }
  EXPECT_FALSE(j.contains("kernel_statistics"));  // only when asked
  auto text = run_scenezip("bench " + kDemo + " --width 64 --height 48 --frames 1 --warmup 0 --kernel-statistics");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(text.out.find(kernels.empty() ? "reports no kernel statistics" : "preprocess: ") != std::string::npos)
      << text.out;

  auto other_size = run_scenezip("bench " + kDemo + " --width 32 --height 48 --frames 1 --warmup 0 --compare-image " + saved);
  EXPECT_EQ(other_size.exit_code, 2);
  EXPECT_NE(other_size.err.find("64x48"), std::string::npos) << other_size.err;
  const std::string not_image = dir.file("not-an-image.f32");
  test::write_text(not_image, "SZF1 but cut short");
  auto truncated = run_scenezip("bench " + kDemo + " --width 64 --height 48 --frames 1 --warmup 0 --compare-image " +
                                not_image);
  EXPECT_EQ(truncated.exit_code, 2);
  EXPECT_NE(truncated.err.find("not-an-image.f32"), std::string::npos) << truncated.err;
}

// --camera times every frame from a camera file: the camera render --save-camera wrote
// for orbit view 1/3 draws the very frame of --view 1/3. A camera index past the file,
// or --camera together with --view, is refused before any frame, naming the problem.
TEST(BenchCli, TimesFramesFromACameraFile) {
  test::ScratchDir dir;
  const std::string camera = dir.file("camera.json"), saved = dir.file("frame.f32");
  auto render = run_scenezip("render " + kDemo + " --width 64 --height 48 --view 1/3 --out " + dir.file("frame.png") +
                             " --save-camera " + camera);
  ASSERT_EQ(render.exit_code, 0) << render.err;
  const std::string args = "bench " + kDemo + " --width 64 --height 48 --frames 2 --warmup 0 --json";
  auto orbit = run_scenezip(args + " --view 1/3 --save-image " + saved);
  ASSERT_EQ(orbit.exit_code, 0) << orbit.err;
  auto from_file = run_scenezip(args + " --camera " + camera + ":0 --compare-image " + saved);
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  const auto j = nlohmann::json::parse(from_file.out);
  EXPECT_EQ(j["camera"], camera + ":0");
  EXPECT_GE(j["psnr_vs_image"].get<double>(), 90.0);

  auto past_end = run_scenezip(args + " --camera " + camera + ":1");
  EXPECT_EQ(past_end.exit_code, 2);
  EXPECT_NE(past_end.err.find("camera.json: camera index 1 outside 0..0"), std::string::npos) << past_end.err;
  auto both = run_scenezip(args + " --camera " + camera + ":0 --view 0/2");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("--view or --camera"), std::string::npos) << both.err;
}

// The splat raster's block kernel runs only where a probe saw full 32-wide subgroups. The
// CPU driver told to use 1024-bit vectors reports 32-wide subgroups and runs 16-wide
// ones (the block kernel drew every other pair of rows there, 4 dB): the probe must turn
// it down, so the frame still matches the driver's default setting. (On a GPU the
// variable does nothing and both frames are the same.)
TEST(BenchCli, RasterKernelSurvivesADriverThatMisreportsSubgroups) {
  test::ScratchDir dir;
  const std::string saved = dir.file("frame.f32");
  const std::string args = "bench " + kDemo + " --width 96 --height 80 --frames 1 --warmup 0 --view 0/4 --json";
  auto plain = run_scenezip(args + " --save-image " + saved);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const std::string kernel = nlohmann::json::parse(plain.out)["raster_kernel"].get<std::string>();
  EXPECT_TRUE(kernel == "tiles" || kernel == "blocks") << kernel;
  auto wide = test::run_shell("LP_NATIVE_VECTOR_WIDTH=1024 " + test::scenezip_binary() + " " + args +
                        " --compare-image " + saved);
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  // 57 dB on the CPU driver: its other kernels round differently at that width.
  EXPECT_GE(nlohmann::json::parse(wide.out)["psnr_vs_image"].get<double>(), 45.0);
}

// A radiance-field file: the ray marcher's GPU time per frame, and the same image
// comparison as for Gaussians; options that only splats take are refused.
TEST(BenchCli, MeasuresRadianceFields) {
  test::ScratchDir dir;
  const std::string field = std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/radiance-field-v2.scz";
  const std::string saved = dir.file("field.f32");
  auto r = run_scenezip("bench " + field + " --width 16 --height 12 --frames 2 --warmup 1 --view 1/4 --json --save-image " +
                        saved);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "radiance field");
  EXPECT_EQ(j["count"], 48);
  EXPECT_EQ(j["width"], 16);
  EXPECT_EQ(j["frames"], 2);
  EXPECT_GT(j["ms"]["total"].get<double>(), 0.0);
  EXPECT_NEAR(j["fps"].get<double>(), 1000.0 / j["ms"]["total"].get<double>(), 1e-6);

  auto again = run_scenezip("bench " + field + " --width 16 --height 12 --frames 1 --warmup 0 --view 1/4 --json " +
                            "--compare-image " + saved);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_GE(nlohmann::json::parse(again.out)["psnr_vs_image"].get<double>(), 99.0);

  auto text = run_scenezip("bench " + field + " --width 16 --height 12 --frames 1 --warmup 0");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("ray marching"), std::string::npos) << text.out;

  auto copies = run_scenezip("bench " + field + " --width 16 --height 12 --frames 1 --copies 2");
  EXPECT_EQ(copies.exit_code, 2);
  EXPECT_NE(copies.err.find("--copies"), std::string::npos) << copies.err;
  auto size = run_scenezip("bench " + field + " --width 0 --height 12 --frames 1");
  EXPECT_EQ(size.exit_code, 2);
}

TEST(BenchCli, MeasuresMeshesByStage) {
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  auto r = run_scenezip("bench " + test::data_path("meshes/bunny.obj") + " --width 48 --height 32 --frames 2 --warmup 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "mesh");
  EXPECT_EQ(j["triangles"], 4968);
  for (const char* stage : {"transform", "raster", "resolve", "total"}) EXPECT_GE(j["ms"][stage].get<double>(), 0.0);
  EXPECT_GT(j["ms"]["total"].get<double>(), 0.0);
}

}  // namespace
}  // namespace scenezip
