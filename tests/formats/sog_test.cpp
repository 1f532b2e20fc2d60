#include <gtest/gtest.h>
#include <webp/encode.h>
#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "formats/formats.h"
#include "formats/sog.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using json = nlohmann::json;

// --- a tiny SOG written by the test itself ----------------------------------------------

Bytes encode_webp(const std::vector<std::uint8_t>& rgba, int width, int height, bool lossless = true) {
  WebPConfig config;
  EXPECT_TRUE(WebPConfigInit(&config));
  config.lossless = lossless ? 1 : 0;
  // Without `exact` the encoder may rewrite RGB under transparent pixels, and SOG keeps
  // indices there (sh0 colour under zero opacity).
  config.exact = 1;
  WebPPicture picture;
  EXPECT_TRUE(WebPPictureInit(&picture));
  picture.use_argb = 1;
  picture.width = width;
  picture.height = height;
  EXPECT_TRUE(WebPPictureImportRGBA(&picture, rgba.data(), width * 4));
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  EXPECT_TRUE(WebPEncode(&config, &picture));
  Bytes out(writer.mem, writer.mem + writer.size);
  WebPMemoryWriterClear(&writer);
  WebPPictureFree(&picture);
  return out;
}

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

struct SogFixture {
  json meta;
  std::map<std::string, Bytes> files;

  // Writes meta.json and the images into `dir`; returns the meta.json path.
  std::string write_folder(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    for (const auto& [name, bytes] : files) write_bytes((dir / name).string(), bytes);
    write_bytes((dir / "meta.json").string(), test::bytes_of(meta.dump()));
    return (dir / "meta.json").string();
  }

  // Bundles meta.json and the images as a zip, under `folder` inside the archive; `store`
  // leaves entries uncompressed.
  void write_zip(const std::string& path, const std::string& folder = "", bool store = false) const {
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    ASSERT_NE(archive, nullptr);
    const std::string meta_text = meta.dump();
    auto add = [&](const std::string& name, const void* data, std::size_t size) {
      zip_source_t* source = zip_source_buffer(archive, data, size, 0);
      ASSERT_NE(source, nullptr);
      const zip_int64_t index = zip_file_add(archive, (folder + name).c_str(), source, ZIP_FL_OVERWRITE);
      ASSERT_GE(index, 0);
      if (store) {
        ASSERT_EQ(zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0), 0);
      }
    };
    add("meta.json", meta_text.data(), meta_text.size());
    for (const auto& [name, bytes] : files) add(name, bytes.data(), bytes.size());
    ASSERT_EQ(zip_close(archive), 0);
  }
};

// A cloud with every attribute spread over its range, SH degree 2.
GaussianCloud sample_cloud(std::size_t count) {
  std::mt19937 rng(7);
  auto uniform = [&](float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); };
  GaussianCloud cloud;
  cloud.resize(count, 2);
  for (std::size_t i = 0; i < count; ++i) {
    for (int k = 0; k < 3; ++k) {
      cloud.positions[3 * i + k] = uniform(-3.0f, 3.0f);
      cloud.log_scales[3 * i + k] = uniform(-7.0f, -1.0f);
      cloud.sh_dc[3 * i + k] = uniform(-2.0f, 2.0f);
    }
    for (int k = 0; k < 4; ++k) cloud.rotations[4 * i + k] = uniform(-1.0f, 1.0f);
    cloud.logit_opacities[i] = uniform(-4.0f, 4.0f);
    for (int k = 0; k < cloud.sh_rest_stride(); ++k) cloud.sh_rest[cloud.sh_rest_stride() * i + k] = uniform(-0.8f, 0.8f);
  }
  cloud.normalize_rotations();
  return cloud;
}

// Ranges of the fixture's codebooks (version 2) or lerps (version 1): a ramp either way.
constexpr float kScaleLo = -8.0f, kScaleHi = 0.0f;
constexpr float kColorLo = -3.0f, kColorHi = 3.0f;
constexpr float kShLo = -1.0f, kShHi = 1.0f;
constexpr float kLogitLo = -6.0f, kLogitHi = 6.0f;

std::uint8_t ramp_index(float value, float lo, float hi) {
  return static_cast<std::uint8_t>(std::clamp(std::lround((value - lo) / (hi - lo) * 255.0f), 0L, 255L));
}
json ramp(float lo, float hi) {
  json values = json::array();
  for (int b = 0; b < 256; ++b) values.push_back(lo + (hi - lo) * (b / 255.0));
  return values;
}
float log_transform(float x) { return std::copysign(std::log1p(std::fabs(x)), x); }

// Packs `cloud` as SOG following the format's description: one Gaussian per pixel of a
// width x height image, palette entry i holding Gaussian i's SH.
SogFixture encode_fixture(const GaussianCloud& cloud, int width, int height, int version = 2) {
  const std::size_t n = cloud.count;
  const std::size_t pixels = static_cast<std::size_t>(width) * height;
  std::vector<std::uint8_t> means_l(4 * pixels, 255), means_u(4 * pixels, 255), quats(4 * pixels, 255),
      scales(4 * pixels, 255), sh0(4 * pixels, 255), labels(4 * pixels, 255);
  std::array<double, 3> mins{1e9, 1e9, 1e9}, maxs{-1e9, -1e9, -1e9};
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      mins[k] = std::min<double>(mins[k], log_transform(cloud.positions[3 * i + k]));
      maxs[k] = std::max<double>(maxs[k], log_transform(cloud.positions[3 * i + k]));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      const double t = (log_transform(cloud.positions[3 * i + k]) - mins[k]) / (maxs[k] - mins[k]);
      const auto q = static_cast<unsigned>(std::lround(t * 65535.0));
      means_l[4 * i + k] = q & 0xff;
      means_u[4 * i + k] = q >> 8;
      scales[4 * i + k] = ramp_index(cloud.log_scales[3 * i + k], kScaleLo, kScaleHi);
      sh0[4 * i + k] = ramp_index(cloud.sh_dc[3 * i + k], kColorLo, kColorHi);
    }
    const float opacity = activation::opacity(cloud.logit_opacities[i]);
    sh0[4 * i + 3] = version == 2 ? static_cast<std::uint8_t>(std::lround(opacity * 255.0f))
                                  : ramp_index(cloud.logit_opacities[i], kLogitLo, kLogitHi);
    // Smallest three: drop the largest component, flip the sign so it is positive.
    std::array<float, 4> q;
    std::copy_n(&cloud.rotations[4 * i], 4, q.begin());
    int largest = 0;
    for (int k = 1; k < 4; ++k) {
      if (std::fabs(q[k]) > std::fabs(q[largest])) largest = k;
    }
    const float sign = q[largest] < 0 ? -1.0f : 1.0f;
    for (int k = 0, stored = 0; k < 4; ++k) {
      if (k == largest) continue;
      const float v = sign * q[k] * std::sqrt(2.0f);
      quats[4 * i + stored++] = static_cast<std::uint8_t>(std::lround(255.0f * (v * 0.5f + 0.5f)));
    }
    quats[4 * i + 3] = static_cast<std::uint8_t>(252 + largest);
    labels[4 * i + 0] = i & 0xff;
    labels[4 * i + 1] = (i >> 8) & 0xff;
  }
  const int coeffs = sh_coeffs_per_channel(cloud.sh_degree) - 1;
  const int palette_rows = static_cast<int>((n + 63) / 64);
  std::vector<std::uint8_t> centroids(4 * 64 * coeffs * palette_rows, 255);
  for (std::size_t i = 0; i < n; ++i) {
    for (int j = 0; j < coeffs; ++j) {
      const std::size_t px = (i / 64) * 64 * coeffs + (i % 64) * coeffs + j;
      for (int c = 0; c < 3; ++c) {
        centroids[4 * px + c] = ramp_index(cloud.sh_rest[cloud.sh_rest_stride() * i + c * coeffs + j], kShLo, kShHi);
      }
    }
  }

  SogFixture fixture;
  fixture.files["means_l.webp"] = encode_webp(means_l, width, height);
  fixture.files["means_u.webp"] = encode_webp(means_u, width, height);
  fixture.files["quats.webp"] = encode_webp(quats, width, height);
  fixture.files["scales.webp"] = encode_webp(scales, width, height);
  fixture.files["sh0.webp"] = encode_webp(sh0, width, height);
  fixture.files["shN_centroids.webp"] = encode_webp(centroids, 64 * coeffs, palette_rows);
  fixture.files["shN_labels.webp"] = encode_webp(labels, width, height);
  json& meta = fixture.meta;
  meta["means"] = {{"mins", mins}, {"maxs", maxs}, {"files", {"means_l.webp", "means_u.webp"}}};
  meta["quats"] = {{"files", {"quats.webp"}}};
  if (version == 2) {
    meta["version"] = 2;
    meta["count"] = n;
    meta["scales"] = {{"codebook", ramp(kScaleLo, kScaleHi)}, {"files", {"scales.webp"}}};
    meta["sh0"] = {{"codebook", ramp(kColorLo, kColorHi)}, {"files", {"sh0.webp"}}};
    meta["shN"] = {{"count", n},
                   {"bands", cloud.sh_degree},
                   {"codebook", ramp(kShLo, kShHi)},
                   {"files", {"shN_centroids.webp", "shN_labels.webp"}}};
  } else {
    meta["means"]["shape"] = {n, 3};
    meta["scales"] = {{"mins", {kScaleLo, kScaleLo, kScaleLo}},
                      {"maxs", {kScaleHi, kScaleHi, kScaleHi}},
                      {"files", {"scales.webp"}}};
    meta["sh0"] = {{"mins", {kColorLo, kColorLo, kColorLo, kLogitLo}},
                   {"maxs", {kColorHi, kColorHi, kColorHi, kLogitHi}},
                   {"files", {"sh0.webp"}}};
    meta["shN"] = {{"mins", kShLo}, {"maxs", kShHi}, {"files", {"shN_centroids.webp", "shN_labels.webp"}}};
  }
  return fixture;
}

constexpr std::size_t kFixtureCount = 70;  // more than one palette row
constexpr int kFixtureWidth = 12, kFixtureHeight = 6;

SogFixture standard_fixture() { return encode_fixture(sample_cloud(kFixtureCount), kFixtureWidth, kFixtureHeight); }

void expect_close_to(const GaussianCloud& decoded, const GaussianCloud& original, bool v1_opacity = false) {
  ASSERT_EQ(decoded.count, original.count);
  ASSERT_EQ(decoded.sh_degree, original.sh_degree);
  const float scale_step = (kScaleHi - kScaleLo) / 255, color_step = (kColorHi - kColorLo) / 255,
              sh_step = (kShHi - kShLo) / 255, logit_step = (kLogitHi - kLogitLo) / 255;
  for (std::size_t i = 0; i < original.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(decoded.positions[3 * i + k], original.positions[3 * i + k], 2e-4) << "Gaussian " << i;
      EXPECT_NEAR(decoded.log_scales[3 * i + k], original.log_scales[3 * i + k], 0.51 * scale_step);
      EXPECT_NEAR(decoded.sh_dc[3 * i + k], original.sh_dc[3 * i + k], 0.51 * color_step);
    }
    float dot = 0;
    for (int k = 0; k < 4; ++k) dot += decoded.rotations[4 * i + k] * original.rotations[4 * i + k];
    EXPECT_GT(std::fabs(dot), 0.9995f) << "Gaussian " << i;
    if (v1_opacity) {
      EXPECT_NEAR(decoded.logit_opacities[i], original.logit_opacities[i], 0.51 * logit_step);
    } else {
      EXPECT_NEAR(activation::opacity(decoded.logit_opacities[i]), activation::opacity(original.logit_opacities[i]),
                  0.51 / 255);
    }
    const int stride = original.sh_rest_stride();
    for (int k = 0; k < stride; ++k) {
      EXPECT_NEAR(decoded.sh_rest[stride * i + k], original.sh_rest[stride * i + k], 0.51 * sh_step)
          << "Gaussian " << i << " coefficient " << k;
    }
  }
}

bool same_cloud(const GaussianCloud& a, const GaussianCloud& b) {
  return a.count == b.count && a.sh_degree == b.sh_degree && a.positions == b.positions &&
         a.log_scales == b.log_scales && a.rotations == b.rotations && a.logit_opacities == b.logit_opacities &&
         a.sh_dc == b.sh_dc && a.sh_rest == b.sh_rest;
}

// --- real files -------------------------------------------------------------------------

struct RealSog {
  const char* path;
  std::size_t count;
  int sh_degree;
};

TEST(Sog, ReadsRealFiles) {
  const RealSog files[] = {
      {"splats/playbot/lod0/meta.json", 500000, 2}, {"splats/angel.sog", 71359, 0},
      {"splats/st-peter.sog", 133618, 0},           {"splats/angel-kneeling.sog", 83547, 0},
      {"peers/lego.sog", 124480, 3},
  };
  for (const RealSog& file : files) {
    SCOPED_TRACE(file.path);
    if (!std::filesystem::exists(test::data_path(file.path))) continue;
    auto cloud = read_sog(test::data_path(file.path));
    ASSERT_TRUE(cloud.ok()) << cloud.status().message();
    EXPECT_EQ(cloud->count, file.count);
    EXPECT_EQ(cloud->sh_degree, file.sh_degree);
    EXPECT_TRUE(cloud->validate().ok());
  }
}

TEST(Sog, LoadsFolderAndMetaPathAlike) {
  SCZ_REQUIRE_DATA("splats/playbot/lod0/meta.json");
  FileFormat format = FileFormat::kUnknown;
  auto by_folder = load_scene(test::data_path("splats/playbot/lod0"), &format);
  ASSERT_TRUE(by_folder.ok()) << by_folder.status().message();
  EXPECT_EQ(format, FileFormat::kSog);
  auto by_meta = load_scene(test::data_path("splats/playbot/lod0/meta.json"));
  ASSERT_TRUE(by_meta.ok()) << by_meta.status().message();
  EXPECT_TRUE(same_cloud(*by_folder->gaussians(), *by_meta->gaussians()));
}

// Points of `xyz` near a query point, found through a uniform grid of cells.
class PointGrid {
 public:
  PointGrid(const std::vector<float>& xyz, float cell) : xyz_(xyz), cell_(cell) {
    for (std::size_t i = 0; i < xyz.size() / 3; ++i) cells_[key(cell_of(&xyz[3 * i]))].push_back(i);
  }
  // Indices of the points within `radius` (at most one cell) of `p`, with their distances.
  std::vector<std::pair<std::size_t, float>> near(const float* p, float radius) const {
    std::vector<std::pair<std::size_t, float>> out;
    const auto c = cell_of(p);
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dz = -1; dz <= 1; ++dz) {
          const auto it = cells_.find(key({c[0] + dx, c[1] + dy, c[2] + dz}));
          if (it == cells_.end()) continue;
          for (std::size_t j : it->second) {
            float d2 = 0;
            for (int k = 0; k < 3; ++k) d2 += (xyz_[3 * j + k] - p[k]) * (xyz_[3 * j + k] - p[k]);
            if (d2 <= radius * radius) out.emplace_back(j, std::sqrt(d2));
          }
        }
      }
    }
    return out;
  }

 private:
  std::array<long, 3> cell_of(const float* p) const {
    return {std::lround(std::floor(p[0] / cell_)), std::lround(std::floor(p[1] / cell_)),
            std::lround(std::floor(p[2] / cell_))};
  }
  static std::uint64_t key(const std::array<long, 3>& c) {
    return (static_cast<std::uint64_t>(c[0] & 0x1fffff) << 42) | (static_cast<std::uint64_t>(c[1] & 0x1fffff) << 21) |
           static_cast<std::uint64_t>(c[2] & 0x1fffff);
  }
  const std::vector<float>& xyz_;
  float cell_;
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> cells_;
};

// lego.sog was made from lego-3dgs.ply; the writer reorders Gaussians (Morton order), so
// each decoded Gaussian is matched to the nearest original by position, and every
// attribute must then agree within what SOG's quantisation allows.
TEST(Sog, AgreesWithTheFloatSceneItWasMadeFrom) {
  SCZ_REQUIRE_DATA("peers/lego.sog");
  SCZ_REQUIRE_DATA("splats/lego-3dgs.ply");
  auto sog = read_sog(test::data_path("peers/lego.sog"));
  ASSERT_TRUE(sog.ok()) << sog.status().message();
  auto ply_scene = load_scene(test::data_path("splats/lego-3dgs.ply"));
  ASSERT_TRUE(ply_scene.ok()) << ply_scene.status().message();
  const GaussianCloud& ply = *ply_scene->gaussians();
  ASSERT_EQ(sog->count, ply.count);
  ASSERT_EQ(sog->sh_degree, ply.sh_degree);

  // Positions keep 16 bits of a log-mapped range, a few 1e-5 here. Trainers leave clones
  // at nearly one spot, so among originals that close the other attributes decide.
  constexpr float kSearch = 0.002f, kPositionSlack = 2e-4f;
  const PointGrid grid(ply.positions, kSearch);
  auto attribute_cost = [&](std::size_t i, std::size_t j) {
    float cost = std::fabs(activation::opacity(sog->logit_opacities[i]) - activation::opacity(ply.logit_opacities[j]));
    for (int k = 0; k < 3; ++k) {
      cost += std::fabs(sog->log_scales[3 * i + k] - ply.log_scales[3 * j + k]);
      cost += std::fabs(sog->sh_dc[3 * i + k] - ply.sh_dc[3 * j + k]);
    }
    return cost;
  };

  std::vector<double> position, scale, angle, opacity, dc;
  std::vector<int> hits(ply.count, 0);
  double rest_error2 = 0, rest_value2 = 0;
  const int stride = ply.sh_rest_stride();
  for (std::size_t i = 0; i < sog->count; ++i) {
    const auto candidates = grid.near(&sog->positions[3 * i], kSearch);
    if (candidates.empty()) continue;
    float closest = INFINITY;
    for (const auto& c : candidates) closest = std::min(closest, c.second);
    std::size_t j = 0;
    float distance = 0, best_cost = INFINITY;
    for (const auto& [index, d] : candidates) {
      if (d > closest + kPositionSlack) continue;
      const float cost = attribute_cost(i, index);
      if (cost < best_cost) best_cost = cost, j = index, distance = d;
    }
    ++hits[j];
    position.push_back(distance);
    for (int k = 0; k < 3; ++k) {
      scale.push_back(std::fabs(sog->log_scales[3 * i + k] - ply.log_scales[3 * j + k]));
      dc.push_back(std::fabs(sog->sh_dc[3 * i + k] - ply.sh_dc[3 * j + k]));
    }
    double dot = 0;
    for (int k = 0; k < 4; ++k) dot += sog->rotations[4 * i + k] * ply.rotations[4 * j + k];
    angle.push_back(2.0 * std::acos(std::min(1.0, std::fabs(dot))) * 180.0 / M_PI);
    opacity.push_back(
        std::fabs(activation::opacity(sog->logit_opacities[i]) - activation::opacity(ply.logit_opacities[j])));
    for (int k = 0; k < stride; ++k) {
      const double d = sog->sh_rest[stride * i + k] - ply.sh_rest[stride * j + k];
      rest_error2 += d * d;
      rest_value2 += double(ply.sh_rest[stride * j + k]) * ply.sh_rest[stride * j + k];
    }
  }
  const std::size_t matched = position.size();
  ASSERT_GT(matched, 0u);
  const std::size_t shared = std::count_if(hits.begin(), hits.end(), [](int h) { return h > 1; });
  struct Summary {
    double mean, p999, max;
  };
  auto summarize = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v) sum += x;
    return Summary{sum / v.size(), v[v.size() * 999 / 1000], v.back()};
  };
  const Summary p = summarize(position), s = summarize(scale), a = summarize(angle), o = summarize(opacity),
                c = summarize(dc);
  const double rest_rmse = std::sqrt(rest_error2 / (double(matched) * stride));
  const double rest_rms = std::sqrt(rest_value2 / (double(matched) * stride));
  std::printf(
      "lego.sog vs lego-3dgs.ply: %zu of %zu matched, %zu originals matched twice (mean / p99.9 / max)\n"
      "  position   %.2e / %.2e / %.2e\n  log-scale  %.4f / %.4f / %.4f\n  rotation   %.3f / %.3f / %.3f deg\n"
      "  opacity    %.5f / %.5f / %.5f\n  DC         %.4f / %.4f / %.4f\n  SH rest RMSE %.4f (original RMS %.4f)\n",
      matched, sog->count, shared, p.mean, p.p999, p.max, s.mean, s.p999, s.max, a.mean, a.p999, a.max, o.mean,
      o.p999, o.max, c.mean, c.p999, c.max, rest_rmse, rest_rms);

  // Bounds from the encoding: 16-bit log positions; smallest-three rotations in 8 bits;
  // opacity truncated to 8 bits; 256-entry codebooks; a 64K-entry k-means SH palette. The
  // few matches past p99.9 pair a Gaussian with a near twin, not a decoding error.
  EXPECT_EQ(matched, sog->count);
  EXPECT_LT(shared, sog->count / 1000);
  EXPECT_LT(p.p999, 1e-4);
  EXPECT_LT(o.p999, 1.0 / 255 + 1e-6);
  EXPECT_LT(s.mean, 0.02);
  EXPECT_LT(a.mean, 1.0);
  EXPECT_LT(a.p999, 2.0);
  EXPECT_LT(c.mean, 0.01);
  EXPECT_LT(rest_rmse, 0.35 * rest_rms);
}

// --- round trips through the test's own encoder ------------------------------------------

TEST(Sog, DecodesWhatTheFormatDescribes) {
  test::ScratchDir dir;
  const GaussianCloud original = sample_cloud(kFixtureCount);
  const SogFixture fixture = encode_fixture(original, kFixtureWidth, kFixtureHeight);
  auto decoded = read_sog(fixture.write_folder(dir.path() / "folder"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  expect_close_to(*decoded, original);

  // The same files bundled, at the archive's root and one folder down, decode the same.
  fixture.write_zip(dir.file("root.sog"));
  fixture.write_zip(dir.file("nested.sog"), "scene/");
  for (const char* name : {"root.sog", "nested.sog"}) {
    auto bundled = read_sog(dir.file(name));
    ASSERT_TRUE(bundled.ok()) << name << ": " << bundled.status().message();
    EXPECT_TRUE(same_cloud(*bundled, *decoded)) << name;
  }
}

TEST(Sog, DecodesVersionOne) {
  test::ScratchDir dir;
  const GaussianCloud original = sample_cloud(kFixtureCount);
  const SogFixture fixture = encode_fixture(original, kFixtureWidth, kFixtureHeight, 1);
  auto decoded = read_sog(fixture.write_folder(dir.path()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  expect_close_to(*decoded, original, /*v1_opacity=*/true);
}

TEST(Sog, WithoutHigherBandsIsDegreeZero) {
  test::ScratchDir dir;
  SogFixture fixture = standard_fixture();
  fixture.meta.erase("shN");
  auto decoded = read_sog(fixture.write_folder(dir.path()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->sh_degree, 0);
  EXPECT_EQ(decoded->count, kFixtureCount);
}

// --- malformed input ---------------------------------------------------------------------

// Reads a fixture from a folder and expects an error of `code` whose message holds `needle`.
void expect_folder_error(const SogFixture& fixture, ErrorCode code, const std::string& needle) {
  test::ScratchDir dir;
  auto cloud = read_sog(fixture.write_folder(dir.path()));
  ASSERT_FALSE(cloud.ok()) << "expected an error mentioning '" << needle << "'";
  EXPECT_EQ(cloud.status().code(), code) << cloud.status().message();
  EXPECT_NE(cloud.status().message().find(needle), std::string::npos) << cloud.status().message();
}

TEST(Sog, RejectsMetaMissingAKey) {
  SogFixture fixture = standard_fixture();
  fixture.meta.erase("quats");
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "lacks 'quats'");
  fixture = standard_fixture();
  fixture.meta["means"].erase("maxs");
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'means.maxs'");
  fixture = standard_fixture();
  fixture.meta["shN"].erase("codebook");
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'shN.codebook'");
  fixture = standard_fixture();
  fixture.meta.erase("version");
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "lacks 'version'");
}

TEST(Sog, RejectsMetaFieldsOfTheWrongType) {
  SogFixture fixture = standard_fixture();
  fixture.meta["count"] = "70";
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'count' must be a whole number");
  fixture = standard_fixture();
  fixture.meta["count"] = -1;
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'count' must be a whole number");
  fixture = standard_fixture();
  fixture.meta["means"]["mins"] = {0, 0};
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'means.mins' must be an array of 3 numbers");
  fixture = standard_fixture();
  fixture.meta["scales"]["codebook"].erase(0);
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'scales.codebook' must be an array of 256 numbers");
  fixture = standard_fixture();
  fixture.meta["sh0"]["codebook"][3] = "x";
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'sh0.codebook[3]'");
  fixture = standard_fixture();
  fixture.meta["quats"]["files"] = {17};
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'quats.files'");
  fixture = standard_fixture();
  fixture.meta["shN"]["count"] = 70000;
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'shN.count'");
  fixture = standard_fixture();
  fixture.meta["shN"]["bands"] = 4;
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'shN.bands'");
  fixture = standard_fixture();
  fixture.meta["version"] = 3;
  expect_folder_error(fixture, ErrorCode::kUnsupported, "version 3");
  fixture = standard_fixture();
  fixture.meta = json::array({1, 2});
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "JSON object");
}

TEST(Sog, RejectsMetaThatIsNotJson) {
  test::ScratchDir dir;
  const std::string meta = standard_fixture().write_folder(dir.path());
  write_bytes(meta, test::bytes_of("{\"version\": 2, \"count\": "));
  auto cloud = read_sog(meta);
  ASSERT_FALSE(cloud.ok());
  EXPECT_EQ(cloud.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(cloud.status().message().find("not valid JSON"), std::string::npos) << cloud.status().message();
}

TEST(Sog, RejectsCountBeyondTheImages) {
  SogFixture fixture = standard_fixture();
  fixture.meta["count"] = kFixtureWidth * kFixtureHeight + 1;
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "fewer than the 73 Gaussians");
  fixture = standard_fixture();
  fixture.meta["count"] = kSogMaxGaussians + 1;
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "'count' must be a whole number");
}

TEST(Sog, RejectsImagesTooSmallOrMismatched) {
  SogFixture fixture = standard_fixture();
  fixture.files["scales.webp"] = encode_webp(std::vector<std::uint8_t>(4 * 8 * 8, 0), 8, 8);
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "scales.webp: image is 8x8 (64 pixels), fewer than the 70");
  // Enough pixels, but Gaussian i would sit at another pixel than in means_l.
  fixture = standard_fixture();
  fixture.files["quats.webp"] = encode_webp(std::vector<std::uint8_t>(4 * 9 * 9, 255), 9, 9);
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "quats.webp: image is 9x9 but means_l.webp is 12 pixels wide");
  fixture = standard_fixture();
  fixture.files["shN_centroids.webp"] = encode_webp(std::vector<std::uint8_t>(4 * 100 * 2, 0), 100, 2);
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "expected 512 pixels wide for 2 SH bands");
}

TEST(Sog, RejectsOutOfRangeIndices) {
  // Labels past the palette: meta.json claims a shorter palette than the labels use.
  SogFixture fixture = standard_fixture();
  fixture.meta["shN"]["count"] = 64;
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "Gaussian 64 uses SH palette entry 64, but the palette has 64");
  // A quaternion mode byte outside 252..255.
  fixture = standard_fixture();
  std::vector<std::uint8_t> quats(4 * kFixtureWidth * kFixtureHeight, 128);
  fixture.files["quats.webp"] = encode_webp(quats, kFixtureWidth, kFixtureHeight);
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "quats.webp: Gaussian 0 has mode byte 128");
}

TEST(Sog, RejectsMissingOrDamagedImages) {
  SogFixture fixture = standard_fixture();
  fixture.files.erase("sh0.webp");
  expect_folder_error(fixture, ErrorCode::kIo, "sh0.webp: no such file");

  fixture = standard_fixture();
  Bytes& means = fixture.files["means_u.webp"];
  means.resize(means.size() / 2);
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "means_u.webp: ");

  fixture = standard_fixture();
  fixture.files["scales.webp"] = test::bytes_of("GIF89a not a webp at all");
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "scales.webp: not a WebP image");

  fixture = standard_fixture();
  fixture.files["sh0.webp"] =
      encode_webp(std::vector<std::uint8_t>(4 * kFixtureWidth * kFixtureHeight, 200), kFixtureWidth, kFixtureHeight, false);
  expect_folder_error(fixture, ErrorCode::kUnsupported, "sh0.webp: is lossy WebP");

  fixture = standard_fixture();
  fixture.meta["sh0"]["files"] = {"../sh0.webp"};
  expect_folder_error(fixture, ErrorCode::kInvalidInput, "leaves the scene's folder");
}

TEST(Sog, RejectsZipProblems) {
  test::ScratchDir dir;
  SogFixture fixture = standard_fixture();
  fixture.files.erase("quats.webp");
  fixture.write_zip(dir.file("missing.sog"));
  auto missing = read_sog(dir.file("missing.sog"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(missing.status().message().find("quats.webp: the archive has no entry 'quats.webp'"), std::string::npos)
      << missing.status().message();

  write_bytes(dir.file("text.sog"), test::bytes_of("this is not a zip archive"));
  auto text = read_sog(dir.file("text.sog"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(text.status().message().find("not a zip archive"), std::string::npos) << text.status().message();

  standard_fixture().write_zip(dir.file("whole.sog"));
  auto whole = read_file(dir.file("whole.sog"));
  ASSERT_TRUE(whole.ok());
  Bytes truncated(whole->begin(), whole->begin() + whole->size() * 2 / 3);
  write_bytes(dir.file("truncated.sog"), truncated);
  auto cut = read_sog(dir.file("truncated.sog"));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(cut.status().message().find("zip archive"), std::string::npos) << cut.status().message();

  SogFixture no_meta = standard_fixture();
  no_meta.meta = json::object();
  no_meta.write_zip(dir.file("renamed.sog"), "a/");
  zip_t* archive = zip_open(dir.file("renamed.sog").c_str(), 0, nullptr);
  ASSERT_NE(archive, nullptr);
  ASSERT_EQ(zip_file_rename(archive, zip_name_locate(archive, "a/meta.json", 0), "a/other.json", 0), 0);
  ASSERT_EQ(zip_close(archive), 0);
  auto renamed = read_sog(dir.file("renamed.sog"));
  ASSERT_FALSE(renamed.ok());
  EXPECT_NE(renamed.status().message().find("no meta.json"), std::string::npos) << renamed.status().message();
}

TEST(Sog, RejectsTruncatedRealBundle) {
  SCZ_REQUIRE_DATA("splats/angel.sog");
  test::ScratchDir dir;
  auto whole = read_file(test::data_path("splats/angel.sog"));
  ASSERT_TRUE(whole.ok());
  for (std::size_t keep : {std::size_t{0}, std::size_t{3}, std::size_t{100}, whole->size() / 2, whole->size() - 1}) {
    write_bytes(dir.file("cut.sog"), Bytes(whole->begin(), whole->begin() + keep));
    auto cloud = read_sog(dir.file("cut.sog"));
    ASSERT_FALSE(cloud.ok()) << "kept " << keep << " bytes";
    EXPECT_EQ(cloud.status().code(), ErrorCode::kInvalidInput) << cloud.status().message();
  }
}

// Every truncation and a spread of byte flips of a small bundle must give a value or an
// error, never a crash: the reader's contract on untrusted input.
TEST(Sog, SurvivesDamagedBundles) {
  test::ScratchDir dir;
  SogFixture fixture = encode_fixture(sample_cloud(20), 5, 4);
  // Stored, not deflated, so that flipped bytes reach the images and meta.json rather
  // than failing the CRC check every time.
  fixture.write_zip(dir.file("small.sog"), "", /*store=*/true);
  auto bytes = read_file(dir.file("small.sog"));
  ASSERT_TRUE(bytes.ok());
  const std::string path = dir.file("damaged.sog");
  std::size_t errors = 0;
  for (std::size_t keep = 0; keep < bytes->size(); keep += 23) {
    write_bytes(path, Bytes(bytes->begin(), bytes->begin() + keep));
    errors += !read_sog(path).ok();
  }
  std::mt19937 rng(11);
  for (int trial = 0; trial < 120; ++trial) {
    Bytes damaged = *bytes;
    for (int flips = 0; flips < 4; ++flips) damaged[rng() % damaged.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    write_bytes(path, damaged);
    errors += !read_sog(path).ok();
  }
  EXPECT_GT(errors, 0u);

  // The same for the files of a folder, where no CRC guards them.
  for (const char* name : {"meta.json", "means_l.webp", "quats.webp", "shN_centroids.webp", "shN_labels.webp"}) {
    const std::string meta = fixture.write_folder(dir.path() / "folder");
    const std::string target = (dir.path() / "folder" / name).string();
    auto original = read_file(target);
    ASSERT_TRUE(original.ok());
    for (int trial = 0; trial < 25; ++trial) {
      Bytes damaged = *original;
      damaged[rng() % damaged.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      write_bytes(target, damaged);
      (void)read_sog(meta).ok();
    }
  }
}

}  // namespace
}  // namespace scenezip
