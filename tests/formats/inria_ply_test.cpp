#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "formats/formats.h"
#include "formats/inria_ply.h"
#include "formats/ply.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::bytes_of;

TEST(InriaPly, ReadsRawTrainerOutputWithShDegree3) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud* g = scene->gaussians();
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->count, 9080u);
  EXPECT_EQ(g->sh_degree, 3);
  EXPECT_EQ(g->sh_rest.size(), 9080u * 45);
  ASSERT_TRUE(g->validate().ok());
  for (std::size_t i = 0; i < g->count; ++i) {
    const float* q = &g->rotations[4 * i];
    EXPECT_NEAR(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3], 1.0f, 1e-5f);
  }
}

TEST(InriaPly, WriteThenReadIsExact) {
  SCZ_REQUIRE_DATA("splats/tile-sh3-14k.ply");
  auto scene = load_scene(test::data_path("splats/tile-sh3-14k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const Bytes bytes = encode_inria_ply(*scene->gaussians());
  auto file = ply::parse(bytes);
  ASSERT_TRUE(file.ok());
  auto again = decode_inria_ply(*file);
  ASSERT_TRUE(again.ok()) << again.status().message();
  const GaussianCloud& a = *scene->gaussians();
  EXPECT_EQ(again->count, a.count);
  EXPECT_EQ(again->sh_degree, a.sh_degree);
  EXPECT_EQ(again->positions, a.positions);
  EXPECT_EQ(again->sh_rest, a.sh_rest);
  EXPECT_EQ(again->log_scales, a.log_scales);
  EXPECT_EQ(again->logit_opacities, a.logit_opacities);
}

// A tiny ASCII file with properties in an unusual order and degree 1.
std::string ascii_degree1(const std::string& first_value = "0.5") {
  std::string header =
      "ply\nformat ascii 1.0\nelement vertex 2\n"
      "property float opacity\nproperty float rot_1\nproperty float rot_0\nproperty float rot_2\nproperty float rot_3\n"
      "property float scale_2\nproperty float scale_1\nproperty float scale_0\n"
      "property float z\nproperty float y\nproperty float x\n"
      "property float f_dc_0\nproperty float f_dc_1\nproperty float f_dc_2\n";
  for (int k = 0; k < 9; ++k) header += "property float f_rest_" + std::to_string(k) + "\n";
  header += "end_header\n";
  std::string rows = first_value + " 0 2 0 0 -1 -2 -3 3 2 1 0.1 0.2 0.3 1 2 3 4 5 6 7 8 9\n";
  rows += "-0.5 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  return header + rows;
}

TEST(InriaPly, ReadsAsciiWithPropertiesInAnyOrder) {
  auto file = ply::parse(bytes_of(ascii_degree1()));
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto cloud = decode_inria_ply(*file);
  ASSERT_TRUE(cloud.ok()) << cloud.status().message();
  EXPECT_EQ(cloud->count, 2u);
  EXPECT_EQ(cloud->sh_degree, 1);
  EXPECT_FLOAT_EQ(cloud->positions[0], 1);
  EXPECT_FLOAT_EQ(cloud->positions[2], 3);
  EXPECT_FLOAT_EQ(cloud->log_scales[0], -3);
  EXPECT_FLOAT_EQ(cloud->rotations[0], 1);  // rot_0 = w = 2 normalised
  EXPECT_FLOAT_EQ(cloud->logit_opacities[0], 0.5f);
  EXPECT_FLOAT_EQ(cloud->sh_rest[8], 9);
}

TEST(InriaPly, ReadsBigEndian) {
  std::string header = "ply\nformat binary_big_endian 1.0\nelement vertex 1\n";
  const char* names[] = {"x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2",
                         "rot_0", "rot_1", "rot_2", "rot_3"};
  for (const char* n : names) header += std::string("property float ") + n + "\n";
  header += "end_header\n";
  Bytes bytes = bytes_of(header);
  for (int k = 0; k < 14; ++k) {
    float v = k == 10 ? 1.0f : static_cast<float>(k) * 0.25f;
    std::uint8_t b[4];
    std::memcpy(b, &v, 4);
    for (int j = 3; j >= 0; --j) bytes.push_back(b[j]);
  }
  auto file = ply::parse(bytes);
  ASSERT_TRUE(file.ok());
  auto cloud = decode_inria_ply(*file);
  ASSERT_TRUE(cloud.ok()) << cloud.status().message();
  EXPECT_FLOAT_EQ(cloud->positions[1], 0.25f);
  EXPECT_FLOAT_EQ(cloud->log_scales[2], 2.25f);
}

TEST(InriaPly, RejectsNaN) {
  auto file = ply::parse(bytes_of(ascii_degree1("nan")));
  ASSERT_TRUE(file.ok());
  auto cloud = decode_inria_ply(*file);
  ASSERT_FALSE(cloud.ok());
  EXPECT_NE(cloud.status().message().find("non-finite"), std::string::npos) << cloud.status().message();
}

TEST(InriaPly, ClampsInfiniteOpacityAndZeroScale) {
  auto file = ply::parse(bytes_of(ascii_degree1("inf")));
  ASSERT_TRUE(file.ok());
  auto cloud = decode_inria_ply(*file);
  ASSERT_TRUE(cloud.ok()) << cloud.status().message();
  EXPECT_FLOAT_EQ(cloud->logit_opacities[0], 20.0f);
  EXPECT_NEAR(activation::opacity(cloud->logit_opacities[0]), 1.0f, 1e-6f);
}

TEST(InriaPly, RejectsMissingProperty) {
  std::string text = ascii_degree1();
  text.replace(text.find("property float opacity\n"), 23, "property float opacitz\n");
  auto file = ply::parse(bytes_of(text));
  ASSERT_TRUE(file.ok());
  auto cloud = decode_inria_ply(*file);
  ASSERT_FALSE(cloud.ok());
  EXPECT_NE(cloud.status().message().find("opacity"), std::string::npos);
}

TEST(InriaPly, RejectsShCountOfNoDegree) {
  std::string text = ascii_degree1();
  text.replace(text.find("property float f_rest_8\n"), 24, "");
  auto file = ply::parse(bytes_of(text));
  // The rows now hold one value too many for the header; either the parse or decode fails.
  if (file.ok()) {
    auto cloud = decode_inria_ply(*file);
    ASSERT_FALSE(cloud.ok());
    EXPECT_NE(cloud.status().message().find("f_rest"), std::string::npos);
  }
}

}  // namespace
}  // namespace scenezip
