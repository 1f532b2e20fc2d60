#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "formats/formats.h"
#include "formats/splat.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

TEST(Splat, ReadsRealCapture) {
  SCZ_REQUIRE_DATA("splats/seal.splat");
  auto scene = load_scene(test::data_path("splats/seal.splat"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(scene->gaussians()->count, 101780u);
  EXPECT_EQ(scene->gaussians()->sh_degree, 0);
}

TEST(Splat, WriteThenReadKeepsEveryByte) {
  SCZ_REQUIRE_DATA("splats/seal.splat");
  auto original = read_file(test::data_path("splats/seal.splat"));
  ASSERT_TRUE(original.ok());
  auto cloud = decode_splat(*original);
  ASSERT_TRUE(cloud.ok());
  const Bytes again = encode_splat(*cloud);
  ASSERT_EQ(again.size(), original->size());
  // Positions, scales, colours and opacity survive exactly; rotations are renormalised
  // on read, so their bytes may move by one step.
  std::size_t rotation_moves = 0;
  for (std::size_t i = 0; i < again.size(); ++i) {
    const std::size_t field = i % kSplatRecordBytes;
    if (field >= 28) {
      EXPECT_LE(std::abs(int(again[i]) - int((*original)[i])), 1) << "byte " << i;
      rotation_moves += again[i] != (*original)[i];
    } else if (field < 12 || field >= 24) {
      ASSERT_EQ(again[i], (*original)[i]) << "byte " << i;
    }
  }
  EXPECT_LT(rotation_moves, again.size() / 8);
}

TEST(Splat, RejectsPartialRecord) {
  Bytes bytes(32 * 3 + 5, 0);
  auto cloud = decode_splat(bytes);
  ASSERT_FALSE(cloud.ok());
  EXPECT_NE(cloud.status().message().find("multiple of 32"), std::string::npos);
}

TEST(Splat, RejectsNaNPosition) {
  Bytes bytes(32, 128);
  const float nan = std::nanf("");
  std::memcpy(bytes.data(), &nan, 4);
  EXPECT_FALSE(decode_splat(bytes).ok());
}

}  // namespace
}  // namespace scenezip
