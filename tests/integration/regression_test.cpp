// The committed quality tables (tests/regression/gaussians.csv for the Gaussian codec,
// geometry.csv for meshes and point clouds, written by scripts/regression.sh): every
// preset on the shared scenes must keep its bytes and its rendered PSNR, so a change that
// moves either shows up here and is committed with a new table on purpose rather than
// slipping by.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/test_support.h"

namespace scenezip {
namespace {

struct Row {
  std::string scene, preset;
  std::uint64_t bytes = 0;
  double psnr = 0;
};

std::vector<Row> read_table(const std::string& name) {
  std::ifstream in(std::string(SCENEZIP_SOURCE_DIR) + "/tests/regression/" + name);
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Row r;
    std::string bytes, psnr;
    std::getline(fields, r.scene, ',');
    std::getline(fields, r.preset, ',');
    std::getline(fields, bytes, ',');
    std::getline(fields, psnr, ',');
    r.bytes = std::stoull(bytes);
    r.psnr = std::stod(psnr);
    rows.push_back(r);
  }
  return rows;
}

// Compresses and evaluates every row as scripts/regression.sh does and compares.
void check_table(const std::string& name, std::size_t expected_rows) {
  const std::vector<Row> rows = read_table(name);
  ASSERT_EQ(rows.size(), expected_rows) << "tests/regression/" << name;
  test::ScratchDir dir;
  for (const Row& row : rows) {
    if (!std::filesystem::exists(test::data_path(row.scene))) GTEST_SKIP() << "missing test data " << row.scene;
    const std::string in = test::data_path(row.scene), out = dir.file("out.scz");
    auto c = test::run_scenezip("compress " + in + " " + out + " --preset " + row.preset + " --threads 2 --device cpu");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    auto e = test::run_scenezip("eval " + in + " " + out + " --views 2 --width 128 --height 128 --json");
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const double psnr = nlohmann::json::parse(e.out)["psnr"].get<double>();
    const auto bytes = std::filesystem::file_size(out);
    std::printf("%s %s: %ju bytes (table %ju), %.3f dB (table %.3f)\n", row.scene.c_str(), row.preset.c_str(),
                static_cast<std::uintmax_t>(bytes), static_cast<std::uintmax_t>(row.bytes), psnr, row.psnr);
    // The encoders are deterministic; the slack is for another machine's libm and the
    // renderer's float order, not for a real change.
    EXPECT_NEAR(static_cast<double>(bytes), static_cast<double>(row.bytes), 0.005 * row.bytes)
        << row.scene << " " << row.preset << ": rerun scripts/regression.sh if the change is meant";
    EXPECT_NEAR(psnr, row.psnr, 0.3) << row.scene << " " << row.preset
                                     << ": rerun scripts/regression.sh if the change is meant";
  }
}

TEST(RegressionTable, PresetsKeepTheirBytesAndPsnr) { check_table("gaussians.csv", 6); }

// Three meshes (OBJ, textured glTF, PLY with vertex colours) and three point clouds
// (colours, normals, a Kinect frame with missing depths), three presets each.
TEST(RegressionTable, GeometryPresetsKeepTheirBytesAndPsnr) { check_table("geometry.csv", 18); }

}  // namespace
}  // namespace scenezip
