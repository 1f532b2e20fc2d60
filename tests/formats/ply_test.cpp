#include <gtest/gtest.h>

#include <cmath>

#include "formats/ply.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::bytes_of;

TEST(Ply, RejectsWrongMagic) {
  auto r = ply::parse(bytes_of("plx\nformat ascii 1.0\nend_header\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("magic"), std::string::npos);
}

TEST(Ply, RejectsMissingEndHeader) {
  auto r = ply::parse(bytes_of("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("end_header"), std::string::npos);
}

TEST(Ply, RejectsAbsurdCountBeforeAllocating) {
  // 2^40 rows of 4 bytes would be 4 TiB: must fail from the count alone.
  auto r = ply::parse(bytes_of("ply\nformat binary_little_endian 1.0\nelement vertex 1099511627776\n"
                               "property float x\nend_header\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("absurd"), std::string::npos) << r.status().message();
}

TEST(Ply, RejectsCountLargerThanData) {
  Bytes bytes = bytes_of("ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\nend_header\n");
  bytes.resize(bytes.size() + 400);  // 100 rows present of the 1000 claimed
  auto r = ply::parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
}

TEST(Ply, RejectsTruncatedAscii) {
  auto r = ply::parse(bytes_of("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
                               "end_header\n1 2\n3 4\n5\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
}

TEST(Ply, RejectsGarbageNumbers) {
  auto r = ply::parse(bytes_of("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\nabc\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad value"), std::string::npos);
}

TEST(Ply, RejectsUnknownTypesAndKeywords) {
  EXPECT_FALSE(ply::parse(bytes_of("ply\nformat ascii 1.0\nelement v 1\nproperty quad x\nend_header\n1\n")).ok());
  EXPECT_FALSE(ply::parse(bytes_of("ply\nformat ascii 1.0\nbogus line\nend_header\n")).ok());
  EXPECT_FALSE(ply::parse(bytes_of("ply\nformat xml 1.0\nend_header\n")).ok());
}

TEST(Ply, SkipsListsInBinaryAndAscii) {
  Bytes bytes = bytes_of("ply\nformat binary_little_endian 1.0\nelement face 2\nproperty list uchar int idx\n"
                         "property uchar tag\nend_header\n");
  const std::uint8_t rows[] = {3, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7,  // 3 indices, tag 7
                               1, 5, 0, 0, 0, 9};                        // 1 index, tag 9
  bytes.insert(bytes.end(), std::begin(rows), std::end(rows));
  auto r = ply::parse(bytes);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& face = r->elements[0];
  EXPECT_EQ(ply::get<std::uint8_t>(face, 1, *face.find("tag")), 9);

  auto a = ply::parse(bytes_of("ply\nformat ascii 1.0\nelement face 1\nproperty list uchar int idx\n"
                               "property uchar tag\nend_header\n3 0 1 2 7\n"));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(ply::get<std::uint8_t>(a->elements[0], 0, *a->elements[0].find("tag")), 7);
}

TEST(Ply, RejectsListLongerThanFile) {
  Bytes bytes = bytes_of("ply\nformat binary_little_endian 1.0\nelement face 1\nproperty list uint int idx\n"
                         "end_header\n");
  const std::uint8_t rows[] = {0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0};
  bytes.insert(bytes.end(), std::begin(rows), std::end(rows));
  EXPECT_FALSE(ply::parse(bytes).ok());
}

// A list's length is stored in whatever type the header names, float included: every
// value that is not a whole number within the bytes left is refused before it moves the
// read position (a NaN once moved it by about 2^63).
TEST(Ply, RejectsListLengthsThatAreNotWholeCounts) {
  const std::string header =
      "ply\nformat binary_little_endian 1.0\nelement face 1\nproperty list float uchar items\nend_header\n";
  for (float length : {NAN, -1.0f, 2.5f, INFINITY, 1e30f, 5.0f}) {
    SCOPED_TRACE(length);
    Bytes bytes = bytes_of(header);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&length);
    bytes.insert(bytes.end(), p, p + 4);
    bytes.insert(bytes.end(), {1, 2, 3});  // three items, fewer than 5
    auto r = ply::parse(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("bad list length"), std::string::npos) << r.status().message();
  }
}

TEST(Ply, KeepsListItemsWhenAsked) {
  const std::string ascii =
      "ply\nformat ascii 1.0\nelement face 2\nproperty uchar flag\nproperty list uchar int corners\nend_header\n"
      "7 3 0 1 2\n9 4 3 -2 1 0\n";
  auto r = ply::parse(bytes_of(ascii), /*keep_lists=*/true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const ply::Property& corners = *r->find("face")->find("corners");
  EXPECT_EQ(corners.list_starts, std::vector<std::uint64_t>({0, 3, 7}));
  EXPECT_EQ(corners.list_items, std::vector<double>({0, 1, 2, 3, -2, 1, 0}));
  EXPECT_EQ(ply::get<std::uint32_t>(*r->find("face"), 1, *r->find("face")->find("flag")), 9u);
}

TEST(Ply, RejectsAsciiIntegersBeyondTheirType) {
  for (const char* value : {"1e300", "300", "-1", "4294967296"}) {
    SCOPED_TRACE(value);
    const std::string text =
        std::string("ply\nformat ascii 1.0\nelement v 1\nproperty uchar a\nend_header\n") + value + "\n";
    auto r = ply::parse(bytes_of(text));
    EXPECT_FALSE(r.ok());
  }
}

}  // namespace
}  // namespace scenezip
