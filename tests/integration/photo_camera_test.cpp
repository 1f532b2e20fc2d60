// Camera conventions checked against real photographs: lego-3dgs.ply was trained on the
// NeRF-synthetic lego photos, so rendering it from a photo's transforms.json camera must
// reproduce that photo closely. A flipped axis or a half-pixel shift would not.
#include <gtest/gtest.h>

#include "engine/gpu/splat_renderer.h"
#include "engine/render/camera.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

// Averages factor x factor blocks: the photos are 800x800, the scene was trained at
// 400x400 (rendering it smaller aliases and costs about 14 dB, which says nothing about
// the camera).
Image box_downsample(const Image& image, int factor) {
  Image out(image.width / factor, image.height / factor);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < 3; ++c) {
        float sum = 0;
        for (int dy = 0; dy < factor; ++dy)
          for (int dx = 0; dx < factor; ++dx)
            sum += image.rgb[3 * ((y * factor + dy) * image.width + x * factor + dx) + c];
        out.rgb[3 * (y * out.width + x) + c] = sum / (factor * factor);
      }
  return out;
}

TEST(PhotoCamera, TrainedLegoMatchesItsTrainingPhotographs) {
  SCZ_REQUIRE_DATA("splats/lego-3dgs.ply");
  SCZ_REQUIRE_DATA("nerf/lego/transforms_train.json");
  auto scene = load_scene(test::data_path("splats/lego-3dgs.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  auto renderer = gpu::SplatRenderer::create(**context, *scene->gaussians());
  ASSERT_TRUE(renderer.ok()) << renderer.status().message();
  for (int index : {0}) {
    auto camera = load_camera_file(test::data_path("nerf/lego/transforms_train.json"), index, 400, 400);
    ASSERT_TRUE(camera.ok()) << camera.status().message();
    auto image = (*renderer)->render(*camera, {1, 1, 1});
    ASSERT_TRUE(image.ok()) << image.status().message();
    // Frame i of transforms_train.json is train/r_i.png here.
    auto photo = read_png(test::data_path("nerf/lego/train/r_" + std::to_string(index) + ".png"));
    ASSERT_TRUE(photo.ok()) << photo.status().message();
    const double db = psnr(*image, box_downsample(*photo, 2));
    std::printf("lego training view %d: %.2f dB against the photograph\n", index, db);
    EXPECT_GE(db, 35.0) << "view " << index;  // 39.9 dB measured
  }
  EXPECT_EQ((*context)->validation_errors(), 0u);
}

}  // namespace
}  // namespace scenezip
