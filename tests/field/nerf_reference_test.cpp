// The radiance field's C++ reference (engine/field/nerf.h): compositing against finite
// differences, marching through the occupancy grid, the scene box and camera rows, and
// the `.scz` radiance-field streams (round trip, golden file, damaged files).
#include "engine/field/nerf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/field/field_random.h"
#include "engine/field/nerf_codec.h"
#include "formats/file_io.h"
#include "formats/scz/bytes.h"

namespace scenezip {
namespace {

using field::NerfSettings;

std::string golden_path(const std::string& name) { return std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/" + name; }

TEST(NerfReference, CompositeGradientMatchesFiniteDifferences) {
  field::SplitMix64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 3 + trial % 9;
    std::vector<float> raw(4 * n), steps(n);
    for (std::size_t i = 0; i < n; ++i) {
      raw[4 * i] = rng.uniform(-2.0f, 4.0f);  // densities from 0.1 to 55 per box side
      for (int k = 1; k < 4; ++k) raw[4 * i + k] = rng.uniform(-3.0f, 3.0f);
      steps[i] = rng.uniform(0.002f, 0.05f);
    }
    const float background[3] = {1, 1, 1};
    const float target[3] = {rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1)};
    std::vector<float> grad(4 * n);
    field::nerf_composite_backward(raw.data(), steps.data(), n, background, target, 1.0f, grad.data());
    const field::Composite c = field::nerf_composite(raw.data(), steps.data(), n, background);
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (k / 4 >= c.used) {
        EXPECT_EQ(grad[k], 0.0f);
        continue;
      }
      // Central differences in double precision of the same float function.
      const float h = 1e-2f;
      std::vector<float> plus = raw, minus = raw;
      plus[k] += h;
      minus[k] -= h;
      std::vector<float> scratch(4 * n);
      const double lp = field::nerf_composite_backward(plus.data(), steps.data(), n, background, target, 1, scratch.data());
      const double lm = field::nerf_composite_backward(minus.data(), steps.data(), n, background, target, 1, scratch.data());
      const double numeric = (lp - lm) / (2.0 * h);
      EXPECT_NEAR(grad[k], numeric, 2e-3 + 2e-2 * std::fabs(numeric)) << "trial " << trial << " parameter " << k;
    }
  }
}

TEST(NerfReference, CompositeOfNothingIsTheBackground) {
  const float background[3] = {0.25f, 0.5f, 1.0f};
  const field::Composite c = field::nerf_composite(nullptr, nullptr, 0, background);
  EXPECT_EQ(c.rgb[0], 0.25f);
  EXPECT_EQ(c.rgb[2], 1.0f);
  EXPECT_EQ(c.transmittance, 1.0f);
}

TEST(NerfReference, MarchStepsThroughOccupiedCellsOnly) {
  NerfSettings s = field::nerf_settings_for_scale(1);
  s.grid_resolution = 8;
  std::vector<float> grid(8 * 8 * 8, 0.0f);
  const float o[3] = {-0.5f, 0.51f, 0.52f}, d[3] = {1, 0, 0};
  EXPECT_EQ(field::nerf_march(s, grid, o, d, 0.0f).count(), 0u);
  // One occupied cell on the ray: samples only inside it, one step apart.
  grid[3 + 8 * (4 + 8 * 4)] = 2 * s.density_threshold;
  const field::RaySamples r = field::nerf_march(s, grid, o, d, 0.5f);
  ASSERT_GT(r.count(), 10u);
  for (std::size_t i = 0; i < r.count(); ++i) {
    EXPECT_GE(r.positions[3 * i], 3.0f / 8 - 1e-5f);
    EXPECT_LT(r.positions[3 * i], 4.0f / 8 + 1e-5f);
    if (i > 0) {
      EXPECT_NEAR(r.positions[3 * i] - r.positions[3 * i - 3], s.min_step, 1e-5f);
    }
  }
  // The whole cube occupied: a ray along an axis takes the cube's side in steps.
  std::fill(grid.begin(), grid.end(), 2 * s.density_threshold);
  const field::RaySamples all = field::nerf_march(s, grid, o, d, 0.0f);
  EXPECT_NEAR(static_cast<double>(all.count()), std::ceil(1.0 / s.min_step), 1.0);
  // A ray that misses the cube has no samples.
  const float away[3] = {0, 0, -1};
  EXPECT_EQ(field::nerf_march(s, grid, o, away, 0.0f).count(), 0u);
}

TEST(NerfReference, CameraRowsPutTheCameraInTheUnitCube) {
  NerfSettings s = field::nerf_settings_for_scale(1);  // box [-1.5, 1.5]^3
  Camera cam;
  cam.width = cam.height = 100;
  cam.fx = cam.fy = 100;
  cam.cx = cam.cy = 50;
  cam.position = {0, 0, -3};  // looking along +z (identity world-to-camera)
  const auto rows = field::nerf_camera_rows(cam, s);
  float o[3], d[3];
  field::nerf_pixel_ray(rows, 50, 50, o, d);
  EXPECT_NEAR(o[0], 0.5f, 1e-6f);
  EXPECT_NEAR(o[2], -0.5f, 1e-6f);
  EXPECT_NEAR(d[2], 1.0f, 1e-6f);
  float t0, t1;
  ASSERT_TRUE(field::nerf_ray_box(o, d, &t0, &t1));
  EXPECT_NEAR(t0, 0.5f, 1e-6f);
  EXPECT_NEAR(t1, 1.5f, 1e-6f);
  // The pixel right of centre looks towards +x (COLMAP axes: x right, y down).
  field::nerf_pixel_ray(rows, 90, 50, o, d);
  EXPECT_GT(d[0], 0.3f);
}

field::FieldConfig tiny_config() {
  field::FieldConfig c = field::nerf_field_config(1);
  c.levels = 4;
  c.log2_table_size = 10;
  c.base_resolution = 4;
  c.per_level_scale = 2.0f;
  c.hidden_width = 8;
  c.hidden_layers = 1;
  c.direction_degree = 1;
  c.batch_size = 256;
  c.seed = 5;
  return c;
}

struct TinyField {
  field::FieldModel model;
  NerfSettings settings;
  std::vector<float> grid;
};

TinyField tiny_field() {
  TinyField t;
  t.model = *field::FieldModel::create(tiny_config());
  // Features spread like a trained table's, not the initial +-1e-4.
  field::SplitMix64 rng(11);
  for (std::size_t i = 0; i < t.model.hash_parameter_count(); ++i) t.model.params[i] = rng.uniform(-0.5f, 0.5f);
  t.settings = field::nerf_settings_for_scale(1);
  t.settings.grid_resolution = 8;
  t.grid.assign(8 * 8 * 8, 0.0f);
  for (int z = 2; z < 6; ++z)
    for (int y = 3; y < 5; ++y)
      for (int x = 1; x < 7; ++x) t.grid[x + 8 * (y + 8 * z)] = 2 * t.settings.density_threshold;
  return t;
}

TEST(NerfCodec, RoundTripKeepsTheFieldWithinQuantization) {
  const TinyField t = tiny_field();
  field::NerfStoreReport report;
  auto file = field::encode_nerf_file(t.model, t.settings, t.grid, &report);
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(report.occupied_cells, 4u * 2 * 6);
  EXPECT_LE(report.kept_entries, report.entries);
  auto decoded = field::decode_nerf_file(*file);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->occupied_cells, report.occupied_cells);
  EXPECT_EQ(decoded->kept_entries, report.kept_entries);
  for (std::size_t i = 0; i < t.grid.size(); ++i) EXPECT_EQ(decoded->grid[i] > 0, t.grid[i] > 0) << i;
  const std::vector<bool> kept = [&] {
    auto s = field::store_nerf(t.model, t.settings, t.grid);
    std::vector<bool> k(s->entries);
    for (std::uint32_t e = 0; e < s->entries; ++e) k[e] = s->kept[e / 8] >> (e % 8) & 1;
    return k;
  }();
  const std::size_t f = static_cast<std::size_t>(t.model.config().features);
  for (std::size_t i = 0; i < t.model.hash_parameter_count(); ++i) {
    if (!kept[i / f]) {
      EXPECT_EQ(decoded->model.params[i], 0.0f);
      continue;
    }
    EXPECT_NEAR(decoded->model.params[i], t.model.params[i], 1.0f / 255 + 1e-6f) << i;  // range 1, 8 bits
  }
  for (std::size_t i = t.model.hash_parameter_count(); i < t.model.parameter_count(); ++i) {
    EXPECT_NEAR(decoded->model.params[i], t.model.params[i], 1e-3f * std::fabs(t.model.params[i]) + 1e-7f) << i;
  }
  // Every point the march can reach in an occupied cell evaluates to the same field
  // with only kept entries: the dropped ones are unreachable.
  field::SplitMix64 rng(3);
  for (int k = 0; k < 200; ++k) {
    const int x = 1 + k % 6, y = 3 + k % 2, z = 2 + k % 4;
    const float p[3] = {(x + rng.uniform(0, 1)) / 8, (y + rng.uniform(0, 1)) / 8, (z + rng.uniform(0, 1)) / 8};
    for (const field::HashLevel& level : t.model.layout().levels) {
      const field::CellCorners corners = field::cell_corners(level, p);
      for (int c = 0; c < 8; ++c) {
        if (corners.weight[c] > 0) {
          EXPECT_TRUE(kept[corners.entry[c]]) << "level " << level.resolution;
        }
      }
    }
  }
}

Camera tiny_field_camera() {
  Camera camera;
  camera.width = camera.height = 24;
  camera.fx = camera.fy = 30;
  camera.cx = camera.cy = 12;
  camera.position = {0.1, -0.2, -4};  // identity rotation: looking along +z at the box
  return camera;
}

// The contribution reference spreads each composited weight over a cell's corners at
// every level: a camera adds levels x (1 - transmittance left) per pixel in all, the
// transmittance being what a white background shows through (white render - black).
TEST(NerfReference, ContributionAddsUpToWhatThePixelsCover) {
  const TinyField t = tiny_field();
  const Camera camera = tiny_field_camera();
  std::vector<double> contribution;
  field::nerf_contribution_reference(t.model, t.settings, t.grid, camera, &contribution);
  ASSERT_EQ(contribution.size(), t.model.layout().entries);
  NerfSettings black = t.settings, white = t.settings;
  black.background = {0, 0, 0};
  white.background = {1, 1, 1};
  const Image on_black = field::render_nerf_reference(t.model, black, t.grid, camera);
  const Image on_white = field::render_nerf_reference(t.model, white, t.grid, camera);
  double covered = 0;
  for (std::size_t i = 0; i < on_black.rgb.size(); i += 3) covered += 1.0 - (on_white.rgb[i] - on_black.rgb[i]);
  double total = 0;
  std::size_t touched = 0;
  for (double c : contribution) {
    EXPECT_GE(c, 0.0);
    total += c;
    touched += c > 0;
  }
  EXPECT_GT(covered, 1.0) << "the camera sees the field";
  EXPECT_NEAR(total, t.model.layout().levels.size() * covered, 1e-3 * total);
  EXPECT_LT(touched, contribution.size()) << "some entries lie where no ray composites";
}

// Pruning by contribution keeps the asked share of the candidates, those scoring highest
// (contribution x feature magnitude), drops every entry no ray touches; a file stored
// with that mask keeps only those entries and decodes the others as zeros.
TEST(NerfCodec, PruningKeepsTheEntriesThatShowMost) {
  const TinyField t = tiny_field();
  std::vector<double> measured;
  field::nerf_contribution_reference(t.model, t.settings, t.grid, tiny_field_camera(), &measured);
  const std::vector<float> contribution(measured.begin(), measured.end());
  const std::size_t entries = contribution.size();
  const std::size_t f = static_cast<std::size_t>(t.model.config().features);
  auto score = [&](std::size_t e) {
    float m = 0;
    for (std::size_t k = 0; k < f; ++k) m += std::fabs(t.model.params[e * f + k]);
    return contribution[e] * m;
  };
  // Candidates: every other entry, so the fraction is of them, not of the table.
  std::vector<bool> candidates(entries);
  for (std::size_t e = 0; e < entries; ++e) candidates[e] = e % 2 == 0;
  const std::size_t candidate_count = (entries + 1) / 2;
  for (double keep : {1.0, 0.5, 0.2}) {
    auto mask = field::nerf_prune_mask(t.model, contribution, candidates, keep);
    ASSERT_TRUE(mask.ok()) << mask.status().message();
    std::size_t count = 0;
    float lowest_kept = 1e30f, highest_dropped = 0;
    for (std::size_t e = 0; e < entries; ++e) {
      if ((*mask)[e]) {
        ++count;
        EXPECT_TRUE(candidates[e]);
        EXPECT_GT(contribution[e], 0.0f);
        lowest_kept = std::min(lowest_kept, score(e));
      } else if (candidates[e]) {
        highest_dropped = std::max(highest_dropped, score(e));
      }
    }
    EXPECT_LE(count, static_cast<std::size_t>(std::ceil(keep * candidate_count))) << keep;
    EXPECT_GT(count, 0u);
    if (keep < 1) {
      EXPECT_GE(lowest_kept, highest_dropped) << keep;
    }

    field::NerfStoreOptions options;
    options.keep = *mask;
    auto streams = field::store_nerf(t.model, t.settings, t.grid, options);
    ASSERT_TRUE(streams.ok()) << streams.status().message();
    auto file = field::encode_nerf_file(t.model, t.settings, t.grid, nullptr, options);
    ASSERT_TRUE(file.ok());
    auto decoded = field::decode_nerf_file(*file);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_LE(decoded->kept_entries, count);
    for (std::size_t e = 0; e < entries; ++e) {
      const bool stored = streams->kept[e / 8] >> (e % 8) & 1;
      if (stored) {
        EXPECT_TRUE((*mask)[e]) << e;
      } else {
        EXPECT_EQ(decoded->model.params[e * f], 0.0f) << e;
      }
    }
  }
  EXPECT_FALSE(field::nerf_prune_mask(t.model, std::span<const float>(contribution.data(), entries - 1), candidates, 0.5).ok());
  EXPECT_FALSE(field::nerf_prune_mask(t.model, contribution, candidates, 0).ok());
  field::NerfStoreOptions wrong;
  wrong.keep.assign(entries - 1, true);
  EXPECT_FALSE(field::store_nerf(t.model, t.settings, t.grid, wrong).ok());
}

TEST(NerfCodec, DamagedFilesGiveOneLineErrors) {
  const TinyField t = tiny_field();
  auto file = field::encode_nerf_file(t.model, t.settings, t.grid);
  ASSERT_TRUE(file.ok());
  for (std::size_t cut : {std::size_t{10}, file->size() / 2, file->size() - 1}) {
    const Bytes part(file->begin(), file->begin() + static_cast<std::ptrdiff_t>(cut));
    auto r = field::decode_nerf_file(part);
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
  // Streams that disagree with the settings: the header's entry count changed (and the
  // checksums fixed up, as a forger would) is caught before any table is sized by it.
  auto streams = field::store_nerf(t.model, t.settings, t.grid);
  ASSERT_TRUE(streams.ok());
  streams->grid_resolution = 4;
  streams->occupancy.assign(8, 0xFF);
  auto serialized = scz::serialize_radiance_field(*streams);
  ASSERT_TRUE(serialized.ok());
  auto forged = scz::write_container(scz::kRadianceFieldKind, 64, streams->settings_json, *serialized);
  ASSERT_TRUE(forged.ok());
  auto r = field::decode_nerf_file(*forged);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("grid size"), std::string::npos) << r.status().message();
}

bool writing_golden() {
  const char* w = std::getenv("SCENEZIP_WRITE_GOLDEN");
  return w && std::string(w) == "1";
}

// The golden radiance-field file: the tiny field above, stored. Its streams must keep
// decoding to the recorded values.
TEST(NerfCodec, GoldenFileDecodes) {
  const std::string path = golden_path("radiance-field-v2.scz");
  const std::string expected_path = golden_path("radiance-field-v2.expected.json");
  auto describe = [](const field::DecodedNerf& d, const scz::Container& c) {
    nlohmann::ordered_json j;
    j["kind"] = static_cast<int>(c.kind);
    j["occupied_cells"] = d.occupied_cells;
    j["kept_entries"] = d.kept_entries;
    j["parameters"] = d.model.parameter_count();
    j["settings"] = nlohmann::json::parse(field::nerf_settings_json(d.settings));
    double feature_sum = 0;  // every decoded feature, in table order
    for (std::size_t i = 0; i < d.model.hash_parameter_count(); ++i) feature_sum += d.model.params[i];
    std::vector<float> weights(d.model.params.end() - 8, d.model.params.end());
    j["feature_sum"] = feature_sum;
    j["last_weights"] = weights;
    return j;
  };
  // The file keeps the version it was written with: rewrite it only while the writer
  // stamps that version.
  if (writing_golden() && scz::kFormatVersion == 2) {
    const TinyField t = tiny_field();
    auto file = field::encode_nerf_file(t.model, t.settings, t.grid);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(write_file_atomic(path, *file).ok());
    auto c = scz::parse_container(*file);
    auto d = field::decode_nerf_file(*file);
    ASSERT_TRUE(c.ok() && d.ok());
    std::ofstream(expected_path) << describe(*d, *c).dump(1) << "\n";
  }
  auto bytes = read_file(path);
  ASSERT_TRUE(bytes.ok()) << "missing golden file " << path;
  auto c = scz::parse_container(*bytes);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->version, 2);
  auto d = field::decode_nerf_file(*bytes);
  ASSERT_TRUE(d.ok()) << d.status().message();
  std::ifstream in(expected_path);
  ASSERT_TRUE(in);
  const nlohmann::json want = nlohmann::json::parse(in);
  EXPECT_EQ(nlohmann::json(describe(*d, *c)), want);
}

}  // namespace
}  // namespace scenezip
