// The photo-set reader on the real NeRF-synthetic (lego) and Instant-NGP (fox) sets, on
// small hand-made sets whose answers are known, and on bad input.
#include "formats/photo_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/render/camera.h"
#include "engine/render/image.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

// The mean of each factor x factor block, the photo-set downscale's definition.
Image box_average(const Image& image, int factor) {
  Image out(image.width / factor, image.height / factor);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < 3; ++c) {
        double sum = 0;
        for (int dy = 0; dy < factor; ++dy)
          for (int dx = 0; dx < factor; ++dx) sum += image.rgb[3 * ((y * factor + dy) * image.width + x * factor + dx) + c];
        out.rgb[3 * (y * out.width + x) + c] = static_cast<float>(sum / (factor * factor));
      }
  return out;
}

const char* kIdentity = "[[1,0,0,0],[0,1,0,0],[0,0,1,4],[0,0,0,1]]";

// A one-frame NeRF-synthetic set with a w x h image "img.png" whose red channel rises
// left to right and green top to bottom, both linearly in pixel centres.
void write_gradient_set(const test::ScratchDir& dir, int w, int h, const std::string& extra_keys = "") {
  Image image(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      image.rgb[3 * (y * w + x)] = (x + 0.5f) / w;
      image.rgb[3 * (y * w + x) + 1] = (y + 0.5f) / h;
    }
  ASSERT_TRUE(write_png(image, dir.file("img.png")).ok());
  test::write_text(dir.file("transforms.json"), "{\"camera_angle_x\": 0.9," + extra_keys +
                                                    "\"frames\": [{\"file_path\": \"img\", \"transform_matrix\": " +
                                                    kIdentity + "}]}");
}

TEST(PhotoSet, ReadsNerfSyntheticLego) {
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  const std::string path = test::data_path("nerf/lego/transforms_train.json");
  auto set = read_photo_set(path);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->layout, PhotoSetLayout::kNerfSynthetic);
  ASSERT_EQ(set->frames.size(), 90u);
  const PhotoFrame& f = set->frames[0];
  EXPECT_EQ(f.name, "./train/r_0");
  EXPECT_EQ(std::filesystem::path(f.image_path).filename(), "r_0.png");
  EXPECT_EQ(f.width, 800);
  EXPECT_EQ(f.height, 800);
  const double focal = 400.0 / std::tan(0.5 * 0.6911112070083618);
  EXPECT_NEAR(f.fx, focal, 1e-9);
  EXPECT_NEAR(f.fy, focal, 1e-9);
  EXPECT_EQ(f.cx, 400.0);
  EXPECT_TRUE(f.distortion.none());

  auto small = read_photo_set(path, {.downscale = 8});
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_EQ(small->frames[3].width, 100);
  EXPECT_NEAR(small->frames[3].fx, focal / 8, 1e-9);
  EXPECT_EQ(small->frames[3].cx, 50.0);
  EXPECT_EQ(small->frames[3].camera_to_world, set->frames[3].camera_to_world);
}

TEST(PhotoSet, LegoPhotoIsTheBoxAverageOfThePngOnWhite) {
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  auto set = read_photo_set(test::data_path("nerf/lego/transforms_train.json"), {.downscale = 8});
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto photo = load_photo(*set, 5, {.keep_alpha = true});
  ASSERT_TRUE(photo.ok()) << photo.status().message();
  ASSERT_EQ(photo->width, 100);
  ASSERT_EQ(photo->alpha.size(), 100u * 100u);
  // read_png composites on white too: the two readers must agree pixel for pixel.
  auto png = read_png(set->frames[5].image_path);
  ASSERT_TRUE(png.ok()) << png.status().message();
  EXPECT_LT(test::max_abs_difference(photo->rgb, box_average(*png, 8).rgb), 1e-5f);
  // Corners are background (transparent in the PNG), the middle is the model.
  EXPECT_EQ(photo->alpha[0], 0.0f);
  EXPECT_GT(photo->alpha[50 * 100 + 50], 0.5f);
  EXPECT_EQ(photo->rgb[0], 1.0f);
}

TEST(PhotoSet, ReadsInstantNgpFox) {
  SCZ_REQUIRE_DATA("nerf/fox/transforms.json");
  auto set = read_photo_set(test::data_path("nerf/fox/transforms.json"), {.downscale = 8});
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->layout, PhotoSetLayout::kInstantNgp);
  EXPECT_EQ(set->aabb_scale, 4.0);
  ASSERT_EQ(set->frames.size(), 61u);
  const PhotoFrame& f = set->frames[60];
  EXPECT_EQ(f.name, "images/0115.jpg");
  EXPECT_EQ(f.width, 135);
  EXPECT_EQ(f.height, 240);
  EXPECT_NEAR(f.fx, 1375.52 / 8, 1e-9);
  EXPECT_NEAR(f.fy, 1374.49 / 8, 1e-9);
  EXPECT_NEAR(f.cx, 554.558 / 8, 1e-9);
  EXPECT_NEAR(f.cy, 965.268 / 8, 1e-9);
  EXPECT_EQ(f.distortion.k1, 0.0578421);
  EXPECT_EQ(f.distortion.p2, 0.00015575);
  auto photo = load_photo(*set, 60, {.undistort = false});
  ASSERT_TRUE(photo.ok()) << photo.status().message();
  EXPECT_EQ(photo->rgb.size(), 135u * 240u * 3u);
  auto undistorted = load_photo(*set, 60);
  ASSERT_TRUE(undistorted.ok()) << undistorted.status().message();
  // The fox lens is mild: undistorting moves edges by a few full-size pixels, so the
  // two differ, but not by much on average.
  Image a(photo->width, photo->height), b(photo->width, photo->height);
  a.rgb = photo->rgb;
  b.rgb = undistorted->rgb;
  const double db = psnr(a, b);
  EXPECT_GT(db, 20.0);
  EXPECT_LT(db, 60.0);
}

TEST(PhotoSet, UndistortionSamplesWhereTheLensPutTheRay) {
  test::ScratchDir dir;
  const int w = 64, h = 48;
  const double fx = 50, fy = 52, cx = 30, cy = 25, k1 = 0.08, k2 = -0.02, p1 = 0.003, p2 = -0.002;
  write_gradient_set(dir, w, h,
                     "\"fl_x\": 50, \"fl_y\": 52, \"cx\": 30, \"cy\": 25, \"w\": 64, \"h\": 48, "
                     "\"k1\": 0.08, \"k2\": -0.02, \"p1\": 0.003, \"p2\": -0.002,");
  auto set = read_photo_set(dir.file("transforms.json"));
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto photo = load_photo(*set, 0);
  ASSERT_TRUE(photo.ok()) << photo.status().message();
  int checked = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double px = (x + 0.5 - cx) / fx, py = (y + 0.5 - cy) / fy, r2 = px * px + py * py;
      const double radial = 1 + k1 * r2 + k2 * r2 * r2;
      const double u = fx * (px * radial + 2 * p1 * px * py + p2 * (r2 + 2 * px * px)) + cx;
      const double v = fy * (py * radial + p1 * (r2 + 2 * py * py) + 2 * p2 * px * py) + cy;
      if (u < 1 || v < 1 || u > w - 1 || v > h - 1) continue;  // clamped at the edges
      // The gradient is linear in pixel centres, so bilinear sampling is exact up to
      // the PNG's 8-bit rounding.
      EXPECT_NEAR(photo->rgb[3 * (y * w + x)], u / w, 2.5 / 255) << x << "," << y;
      EXPECT_NEAR(photo->rgb[3 * (y * w + x) + 1], v / h, 2.5 / 255) << x << "," << y;
      ++checked;
    }
  EXPECT_GT(checked, w * h / 2);
}

TEST(PhotoSet, DownscaleCropsTheRemainderAndKeepsCentres) {
  test::ScratchDir dir;
  write_gradient_set(dir, 37, 22);
  auto set = read_photo_set(dir.file("transforms.json"), {.downscale = 4});
  ASSERT_TRUE(set.ok()) << set.status().message();
  const PhotoFrame& f = set->frames[0];
  EXPECT_EQ(f.width, 9);
  EXPECT_EQ(f.height, 5);
  EXPECT_NEAR(f.cx, 37 / 2.0 / 4, 1e-12);
  auto photo = load_photo(*set, 0);
  ASSERT_TRUE(photo.ok()) << photo.status().message();
  // Pixel (i, j) of the small image covers full-size centres 4i + 0.5 .. 4i + 3.5.
  for (int x = 0; x < 9; ++x) EXPECT_NEAR(photo->rgb[3 * x], (4 * x + 2.0) / 37, 1.5 / 255);
}

TEST(PhotoSet, CameraLooksAtTheLegoFromItsPose) {
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  auto set = read_photo_set(test::data_path("nerf/lego/transforms_train.json"), {.require_images = false});
  ASSERT_TRUE(set.ok()) << set.status().message();
  for (const PhotoFrame& f : set->frames) {
    const Camera cam = photo_camera(f);
    // The camera sits at the matrix's translation and the model (around the world
    // origin) is in front of it, projected near the image centre.
    EXPECT_EQ(cam.position[2], f.camera_to_world[11]);
    double t[3];
    for (int i = 0; i < 3; ++i)
      t[i] = -(cam.rotation[3 * i] * cam.position[0] + cam.rotation[3 * i + 1] * cam.position[1] +
               cam.rotation[3 * i + 2] * cam.position[2]);
    ASSERT_GT(t[2], 1.0);
    EXPECT_NEAR(cam.fx * t[0] / t[2] + cam.cx, 400, 120);
    EXPECT_NEAR(cam.fy * t[1] / t[2] + cam.cy, 400, 120);
    // World +z is up in Blender: it points up in the image (COLMAP's y is down).
    EXPECT_LT(cam.rotation[3 + 2], 0.0) << f.name;
  }
}

// The fox capture circles the fox: the point nearest every camera's optical axis (least
// squares) must lie in front of every camera and project inside its photo. With the z
// axis the wrong way round it would lie behind them all.
TEST(PhotoSet, FoxCamerasAllLookAtTheSamePoint) {
  SCZ_REQUIRE_DATA("nerf/fox/transforms.json");
  auto set = read_photo_set(test::data_path("nerf/fox/transforms.json"), {.require_images = false});
  ASSERT_TRUE(set.ok()) << set.status().message();
  std::vector<Camera> cameras;
  double a[3][3] = {}, b[3] = {};
  for (const PhotoFrame& f : set->frames) {
    cameras.push_back(photo_camera(f));
    const Camera& cam = cameras.back();
    // The optical axis is the camera's z row; sum of (I - d d^T) over cameras.
    const double* d = &cam.rotation[6];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const double p = (i == j ? 1.0 : 0.0) - d[i] * d[j];
        a[i][j] += p;
        b[i] += p * cam.position[j];
      }
  }
  const double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                     a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  ASSERT_GT(std::abs(det), 1e-9);
  double point[3];
  for (int k = 0; k < 3; ++k) {
    double m[3][3];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m[i][j] = j == k ? b[i] : a[i][j];
    point[k] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) /
               det;
  }
  for (const Camera& cam : cameras) {
    double t[3];
    for (int i = 0; i < 3; ++i) {
      t[i] = 0;
      for (int j = 0; j < 3; ++j) t[i] += cam.rotation[3 * i + j] * (point[j] - cam.position[j]);
    }
    ASSERT_GT(t[2], 0.0);
    const double u = cam.fx * t[0] / t[2] + cam.cx, v = cam.fy * t[1] / t[2] + cam.cy;
    EXPECT_TRUE(u > 0 && u < cam.width && v > 0 && v < cam.height) << u << ", " << v;
  }
}

TEST(PhotoSet, SplitHoldsOutEveryKthFrame) {
  EXPECT_EQ(photo_split(10, PhotoSplit::kTest, 8), (std::vector<std::size_t>{0, 8}));
  EXPECT_EQ(photo_split(10, PhotoSplit::kTrain, 8), (std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 9}));
  EXPECT_EQ(photo_split(3, PhotoSplit::kAll, 8), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(photo_split(3, PhotoSplit::kTrain, 1), (std::vector<std::size_t>{}));
  EXPECT_EQ(photo_split(90, PhotoSplit::kTest, 8).size(), 12u);
  EXPECT_TRUE(parse_photo_split("test").ok());
  EXPECT_FALSE(parse_photo_split("val").ok());
}

// Each bad set fails with one line naming `file` and containing `words`.
void expect_error(const Result<PhotoSet>& set, const std::string& file, const std::string& words) {
  ASSERT_FALSE(set.ok());
  const std::string& m = set.status().message();
  EXPECT_NE(m.find(file), std::string::npos) << m;
  EXPECT_NE(m.find(words), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

TEST(PhotoSet, RejectsBadSetsWithOneLineNamingTheFile) {
  test::ScratchDir dir;
  write_gradient_set(dir, 8, 8);
  const std::string json = dir.file("bad.json");
  auto with = [&](const std::string& text) {
    test::write_text(json, text);
    return read_photo_set(json);
  };
  const std::string pose = std::string("\"transform_matrix\": ") + kIdentity;
  expect_error(read_photo_set(dir.file("none.json")), "none.json", "no such file");
  expect_error(with("{\"frames\": [ {"), json, "not valid JSON");
  expect_error(with("[1, 2]"), json, "not a transforms.json");
  expect_error(with("{\"camera_angle_x\": 1}"), json, "no \"frames\"");
  expect_error(with("{\"camera_angle_x\": 1, \"frames\": []}"), json, "empty");
  expect_error(with("{\"camera_angle_x\": 1, \"frames\": [{" + pose + "}]}"), json, "file_path");
  expect_error(with("{\"camera_angle_x\": 1, \"frames\": [{\"file_path\": \"img\"}]}"), json, "transform_matrix");
  expect_error(with("{\"camera_angle_x\": 1, \"frames\": [{\"file_path\": \"img\", \"transform_matrix\": "
                    "[[2,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}]}"),
               json, "not a rotation");
  expect_error(with("{\"camera_angle_x\": 1, \"frames\": [{\"file_path\": \"img\", \"transform_matrix\": "
                    "[[1,0,0,0],[0,1,0],[0,0,1,0],[0,0,0,1]]}]}"),
               json, "4x4");
  expect_error(with("{\"camera_angle_x\": 1, \"frames\": [{\"file_path\": \"gone\", " + pose + "}]}"),
               dir.file("gone.png"), "no such image");
  expect_error(with("{\"frames\": [{\"file_path\": \"img\", " + pose + "}]}"), json, "focal length");
  expect_error(with("{\"camera_angle_x\": \"wide\", \"frames\": [{\"file_path\": \"img\", " + pose + "}]}"), json,
               "not a number");
  // Absurd sizes are refused from the JSON, before any image is opened.
  expect_error(with("{\"fl_x\": 10, \"w\": 1e9, \"h\": 8, \"frames\": [{\"file_path\": \"img\", " + pose + "}]}"),
               json, "\"w\"");
  expect_error(with("{\"fl_x\": 10, \"w\": 16000, \"h\": 16000, \"frames\": [{\"file_path\": \"img\", " + pose + "}]}"),
               json, "past the limit");
  // The JSON's size must be the image's.
  expect_error(with("{\"fl_x\": 10, \"w\": 9, \"h\": 8, \"frames\": [{\"file_path\": \"img.png\", " + pose + "}]}"),
               dir.file("img.png"), "says 9x8");
  expect_error(read_photo_set(dir.file("transforms.json"), {.downscale = 9}), "transforms.json", "smaller than");
  EXPECT_FALSE(read_photo_set(dir.file("transforms.json"), {.downscale = 0}).ok());
  // Without images required, a size in the JSON is enough.
  test::write_text(json, "{\"fl_x\": 10, \"w\": 640, \"h\": 480, \"frames\": [{\"file_path\": \"gone.jpg\", " + pose + "}]}");
  auto camera_only = read_photo_set(json, {.require_images = false});
  ASSERT_TRUE(camera_only.ok()) << camera_only.status().message();
  EXPECT_EQ(camera_only->frames[0].width, 640);
  expect_error(read_photo_set(json), dir.file("gone.jpg"), "no such image");
}

TEST(PhotoSet, RefusesFrameCountsAndImageHeadersPastTheLimits) {
  test::ScratchDir dir;
  const std::string json = dir.file("many.json");
  {
    std::ofstream out(json);
    out << "{\"fl_x\": 10, \"w\": 8, \"h\": 8, \"frames\": [";
    for (std::size_t i = 0; i <= kMaxPhotoFrames; ++i) out << (i ? "," : "") << "{}";
    out << "]}";
  }
  expect_error(read_photo_set(json, {.require_images = false}), json, "past the limit");
  // A PNG header claiming 16000 x 8000 pixels (128 M, within stb's own limit): refused
  // before anything is decoded.
  const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                               0, 0, 0x3e, 0x80, 0, 0, 0x1f, 0x40, 8, 6, 0, 0, 0, 0, 0, 0, 0};
  test::write_bytes(dir.file("huge.png"), png, sizeof png);
  test::write_text(dir.file("huge.json"), std::string("{\"camera_angle_x\": 1, \"frames\": [{\"file_path\": \"huge\", "
                                                      "\"transform_matrix\": ") + kIdentity + "}]}");
  expect_error(read_photo_set(dir.file("huge.json")), dir.file("huge.png"), "16000x8000");
}

TEST(PhotoSet, LoadPhotoNamesAnImageThatChangedOrBroke) {
  test::ScratchDir dir;
  write_gradient_set(dir, 16, 16);
  auto set = read_photo_set(dir.file("transforms.json"));
  ASSERT_TRUE(set.ok()) << set.status().message();
  // Replaced by a truncated file after the set was read.
  auto bytes = read_file(dir.file("img.png"));
  ASSERT_TRUE(bytes.ok());
  test::write_bytes(dir.file("img.png"), bytes->data(), 40);
  auto photo = load_photo(*set, 0);
  ASSERT_FALSE(photo.ok());
  EXPECT_NE(photo.status().message().find(dir.file("img.png")), std::string::npos) << photo.status().message();
  EXPECT_FALSE(load_photo(*set, 1).ok());
}

}  // namespace
}  // namespace scenezip
