// `scenezip info --json` on every scene listed in the shared data's README: the counts,
// kinds and SH degrees it gives must be the ones the catalogue states.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace scenezip {
namespace {

struct CatalogEntry {
  const char* file;
  const char* kind;
  long long count;     // Gaussians, vertices or kept points
  int sh_degree;       // -1 when not Gaussians
  long long triangles; // -1 when not a mesh
};

// Test names and failures name the file rather than dumping the struct's bytes.
void PrintTo(const CatalogEntry& c, std::ostream* os) { *os << c.file; }

class DataCatalog : public ::testing::TestWithParam<CatalogEntry> {};

TEST_P(DataCatalog, InfoJsonGivesTheCataloguedCounts) {
  const CatalogEntry& e = GetParam();
  SCZ_REQUIRE_DATA(e.file);
  auto r = test::run_scenezip("info --json " + test::data_path(e.file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], e.kind);
  EXPECT_EQ(j["count"].get<long long>(), e.count);
  if (e.sh_degree >= 0) EXPECT_EQ(j["sh_degree"].get<int>(), e.sh_degree);
  if (e.triangles >= 0) {
    EXPECT_EQ(j["vertices"].get<long long>(), e.count);
    EXPECT_EQ(j["triangles"].get<long long>(), e.triangles);
  }
  EXPECT_GT(j["bytes"].get<long long>(), 0);
  for (int k = 0; k < 3; ++k) EXPECT_LE(j["bounds"]["min"][k].get<double>(), j["bounds"]["max"][k].get<double>());
}

// Counts from ../shared/data/README.md. Organised Kinect frames count their measured
// points (NaN pixels are dropped); triangle counts are the files' own.
INSTANTIATE_TEST_SUITE_P(
    SharedData, DataCatalog,
    ::testing::Values(CatalogEntry{"splats/playbot/lod0/meta.json", "gaussians", 500000, 2, -1},
                      CatalogEntry{"splats/biker.spz", "gaussians", 152746, 0, -1},
                      CatalogEntry{"splats/biker.compressed.ply", "gaussians", 152746, 0, -1},
                      CatalogEntry{"splats/biker.ply", "gaussians", 152746, 0, -1},
                      CatalogEntry{"splats/seal.splat", "gaussians", 101780, 0, -1},
                      CatalogEntry{"splats/angel.sog", "gaussians", 71359, 0, -1},
                      CatalogEntry{"splats/st-peter.sog", "gaussians", 133618, 0, -1},
                      CatalogEntry{"splats/angel-kneeling.sog", "gaussians", 83547, 0, -1},
                      CatalogEntry{"splats/guitar.compressed.ply", "gaussians", 90854, 0, -1},
                      CatalogEntry{"splats/lego-3dgs.ply", "gaussians", 124480, 3, -1},
                      CatalogEntry{"splats/small-sh3-9k.ply", "gaussians", 9080, 3, -1},
                      CatalogEntry{"splats/tile-sh3-14k.ply", "gaussians", 14051, 3, -1},
                      CatalogEntry{"peers/lego.sog", "gaussians", 124480, 3, -1},
                      CatalogEntry{"peers/lego.spz", "gaussians", 124480, 3, -1},
                      CatalogEntry{"peers/lego.compressed.ply", "gaussians", 124480, 3, -1},
                      CatalogEntry{"meshes/DamagedHelmet/DamagedHelmet.gltf", "mesh", 14556, -1, 15452},
                      CatalogEntry{"meshes/bunny.obj", "mesh", 2503, -1, 4968},
                      CatalogEntry{"meshes/armadillo.obj", "mesh", 49990, -1, 99976},
                      CatalogEntry{"meshes/bunny00.off", "mesh", 37706, -1, 75408},
                      CatalogEntry{"meshes/ChineseDragon-10kv.off", "mesh", 10000, -1, 19994},
                      CatalogEntry{"meshes/bunny_40k.ply", "mesh", 20076, -1, 40000},
                      CatalogEntry{"meshes/xyzrgb_dragon_50k.ply", "mesh", 25002, -1, 50000},
                      CatalogEntry{"pointclouds/table_scene_mug_stereo_textured.pcd", "points", 209280, -1, -1},
                      CatalogEntry{"pointclouds/five_people.pcd", "points", 239075, -1, -1},
                      CatalogEntry{"pointclouds/building.ply", "points", 100000, -1, -1},
                      CatalogEntry{"pointclouds/b9_training.ply", "points", 22300, -1, -1}),
    [](const auto& info) {
      std::string name = info.param.file;
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

TEST(DataCatalog, LazIsReportedAsUnsupported) {
  SCZ_REQUIRE_DATA("pointclouds/autzen_trim.laz");
  auto r = test::run_scenezip("info " + test::data_path("pointclouds/autzen_trim.laz"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("LAS/LAZ"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace scenezip
