// The Gaussian formats agree with one another: the same scene in three encodings
// decodes to the same Gaussians, and every readable format converts to every writable
// one without changing the count.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

struct Deviation {
  double position = 0, log_scale = 0, dc = 0, opacity = 0, rotation_deg = 0;
};

// Largest per-Gaussian differences between two clouds in the same order.
Deviation compare(const GaussianCloud& a, const GaussianCloud& b) {
  Deviation d;
  for (std::size_t i = 0; i < a.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      d.position = std::max(d.position, double(std::abs(a.positions[3 * i + k] - b.positions[3 * i + k])));
      d.log_scale = std::max(d.log_scale, double(std::abs(a.log_scales[3 * i + k] - b.log_scales[3 * i + k])));
      d.dc = std::max(d.dc, double(std::abs(activation::dc_to_color(a.sh_dc[3 * i + k]) -
                                            activation::dc_to_color(b.sh_dc[3 * i + k]))));
    }
    d.opacity = std::max(d.opacity, double(std::abs(activation::opacity(a.logit_opacities[i]) -
                                                    activation::opacity(b.logit_opacities[i]))));
    double dot = 0;
    for (int k = 0; k < 4; ++k) dot += a.rotations[4 * i + k] * b.rotations[4 * i + k];
    d.rotation_deg = std::max(d.rotation_deg, 2.0 * std::acos(std::min(1.0, std::abs(dot))) * 180.0 / M_PI);
  }
  return d;
}

// biker.spz (Niantic's quantizer), biker.compressed.ply (PlayCanvas's) and biker.ply
// (a float decode of the .spz) hold the same 152,746 Gaussians in the same order.
TEST(GaussianFormats, BikerAgreesAcrossSpzCompressedPlyAndPly) {
  SCZ_REQUIRE_DATA("splats/biker.spz");
  SCZ_REQUIRE_DATA("splats/biker.compressed.ply");
  SCZ_REQUIRE_DATA("splats/biker.ply");
  auto spz = load_scene(test::data_path("splats/biker.spz"));
  auto cply = load_scene(test::data_path("splats/biker.compressed.ply"));
  auto ply = load_scene(test::data_path("splats/biker.ply"));
  ASSERT_TRUE(spz.ok()) << spz.status().message();
  ASSERT_TRUE(cply.ok()) << cply.status().message();
  ASSERT_TRUE(ply.ok()) << ply.status().message();
  for (const Scene* s : {&*spz, &*cply, &*ply}) ASSERT_EQ(s->gaussians()->count, 152746u);

  // .spz against its own float decode: exact but for opacity, where the float copy
  // holds infinite logits for alpha 0 and 255 and ours a finite stand-in (< 1/255).
  const Deviation spz_ply = compare(*spz->gaussians(), *ply->gaussians());
  EXPECT_LE(spz_ply.position, 1e-6);
  EXPECT_LE(spz_ply.log_scale, 1e-5);
  EXPECT_LE(spz_ply.dc, 1e-5);
  EXPECT_LE(spz_ply.opacity, 1.0 / 255.0);
  EXPECT_LE(spz_ply.rotation_deg, 0.1);  // float32 dot products near 1 resolve ~0.05 degrees

  // Compressed PLY against the float copy: within the sum of both quantizers' steps.
  // Positions: 11/10-bit fractions of 256-Gaussian chunk ranges plus .spz's 1/4096 grid;
  // log-scales: 11/10-bit chunk range steps plus .spz's 1/16 steps (69 Gaussians the
  // .spz clamps at -10 are excluded by the bound on everything else: see below).
  const GaussianCloud& a = *cply->gaussians();
  const GaussianCloud& b = *ply->gaussians();
  std::size_t scale_outliers = 0;
  double position = 0, dc = 0, opacity = 0;
  for (std::size_t i = 0; i < a.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      position = std::max(position, double(std::abs(a.positions[3 * i + k] - b.positions[3 * i + k])));
      dc = std::max(dc, double(std::abs(activation::dc_to_color(a.sh_dc[3 * i + k]) -
                                        activation::dc_to_color(b.sh_dc[3 * i + k]))));
      scale_outliers += std::abs(a.log_scales[3 * i + k] - b.log_scales[3 * i + k]) > 0.07f;
    }
    opacity = std::max(opacity, double(std::abs(activation::opacity(a.logit_opacities[i]) -
                                                activation::opacity(b.logit_opacities[i]))));
  }
  EXPECT_LE(position, 5e-4);
  EXPECT_LE(dc, 1.0 / 128.0);
  EXPECT_LE(opacity, 2.0 / 255.0);
  EXPECT_LE(scale_outliers, 100u);  // the .spz copy clamps tiny scales at log -10
}

class ConvertMatrix : public ::testing::TestWithParam<const char*> {};

// Each readable Gaussian format converts to each writable one and back to a readable
// scene of the same count.
TEST_P(ConvertMatrix, EveryWritableFormatKeepsTheCount) {
  const std::string source = GetParam();
  SCZ_REQUIRE_DATA(source);
  auto original = load_scene(test::data_path(source));
  ASSERT_TRUE(original.ok()) << original.status().message();
  const std::size_t count = original->gaussians()->count;
  test::ScratchDir dir;
  for (const char* ext : {".ply", ".compressed.ply", ".splat", ".spz"}) {
    const std::string out = dir.file(std::string("converted") + ext);
    auto r = test::run_scenezip("convert " + test::data_path(source) + " " + out);
    ASSERT_EQ(r.exit_code, 0) << source << " -> " << ext << ": " << r.err;
    auto again = load_scene(out);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_EQ(again->gaussians()->count, count) << source << " -> " << ext;
  }
}

INSTANTIATE_TEST_SUITE_P(Sources, ConvertMatrix,
                         ::testing::Values("splats/small-sh3-9k.ply", "splats/seal.splat", "splats/angel.sog",
                                           "splats/guitar.compressed.ply", "peers/lego.spz"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace scenezip
