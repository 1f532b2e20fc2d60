// The project's own OBJ/OFF/PLY/PCD readers against what Open3D read from the same
// files before they replaced it: the hashes below are of the float bits of every array
// as Open3D's path produced them (2026-12-02, Open3D 0.16.1), so any drift in parsing,
// rounding, NaN dropping or colour unpacking shows.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

constexpr std::uint64_t kEmpty = 0x14650fb0739d0383ull;  // the hash of no values

std::uint64_t hash_bits(const std::vector<float>& values) {
  std::uint64_t h = 1469598103934665603ull;
  for (float f : values) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    h = (h ^ u) * 1099511628211ull;
  }
  return h;
}

// Weighted so that reordering corners or triangles changes it.
double index_checksum(const std::vector<std::uint32_t>& indices) {
  double sum = 0;
  for (std::size_t k = 0; k < indices.size(); ++k) sum += double(indices[k]) * double((k % 7) + 1);
  return sum;
}

struct MeshReference {
  const char* file;
  std::size_t vertices, triangles;
  std::uint64_t positions, normals;
  double indices;
};

TEST(GeometryReference, MeshesReadAsOpen3dReadThem) {
  SCZ_REQUIRE_DATA("meshes");
  // Open3D gave OBJ files without colours all-white colours (tinyobjloader's fallback);
  // the project's reader gives them none, which is the one intended difference.
  const MeshReference cases[] = {
      {"meshes/armadillo.obj", 49990, 99976, 0xa47aaf406ffa2f59ull, kEmpty, 30008117640.0},
      {"meshes/bunny.obj", 2503, 4968, 0xf951efe9e753e17cull, kEmpty, 74551012.0},
      {"meshes/ChineseDragon-10kv.off", 10000, 19994, 0x4f877c33c2f532bbull, kEmpty, 1202730907.0},
      {"meshes/bunny00.off", 37706, 75408, 0xbf3740422c39c7b0ull, kEmpty, 16471575372.0},
      {"meshes/bunny_40k.ply", 20076, 40000, 0x14d2fce1ae438587ull, kEmpty, 4798258767.0},
      {"meshes/xyzrgb_dragon_50k.ply", 25002, 50000, 0xaee31f46881fea1aull, kEmpty, 7503435238.0},
  };
  for (const MeshReference& c : cases) {
    SCOPED_TRACE(c.file);
    if (!std::filesystem::exists(test::data_path(c.file))) {
      ADD_FAILURE() << "missing test data";
      continue;
    }
    auto scene = load_scene(test::data_path(c.file));
    ASSERT_TRUE(scene.ok()) << scene.status().message();
    const Mesh& mesh = *scene->mesh();
    EXPECT_EQ(mesh.vertex_count(), c.vertices);
    EXPECT_EQ(mesh.triangle_count(), c.triangles);
    EXPECT_EQ(hash_bits(mesh.positions), c.positions);
    EXPECT_EQ(hash_bits(mesh.normals), c.normals);
    EXPECT_TRUE(mesh.colors.empty());
    EXPECT_TRUE(mesh.texcoords.empty());
    EXPECT_EQ(index_checksum(mesh.indices), c.indices);
  }
}

struct PointReference {
  const char* file;
  std::size_t count;
  std::uint64_t positions, normals, colors;
};

TEST(GeometryReference, PointCloudsReadAsOpen3dReadThem) {
  SCZ_REQUIRE_DATA("pointclouds");
  const PointReference cases[] = {
      {"pointclouds/five_people.pcd", 239075, 0xd0e18c25901e9769ull, kEmpty, 0xab1e387c45fc63dbull},
      {"pointclouds/table_scene_mug_stereo_textured.pcd", 209280, 0x33cf26e2e4b3e364ull, kEmpty,
       0x4006c942b03724a9ull},
      {"pointclouds/b9_training.ply", 22300, 0xcd113bccfae32fc2ull, kEmpty, 0xf7aa3ae23b018c54ull},
      {"pointclouds/building.ply", 100000, 0xba8bcbe641965320ull, 0xbe6103df51afe0deull, kEmpty},
  };
  for (const PointReference& c : cases) {
    SCOPED_TRACE(c.file);
    if (!std::filesystem::exists(test::data_path(c.file))) {
      ADD_FAILURE() << "missing test data";
      continue;
    }
    auto scene = load_scene(test::data_path(c.file));
    ASSERT_TRUE(scene.ok()) << scene.status().message();
    const PointCloud& points = *scene->points();
    EXPECT_EQ(points.count(), c.count);
    EXPECT_EQ(hash_bits(points.positions), c.positions);
    EXPECT_EQ(hash_bits(points.normals), c.normals);
    EXPECT_EQ(hash_bits(points.colors), c.colors);
  }
}

}  // namespace
}  // namespace scenezip
