#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "formats/compressed_ply.h"
#include "formats/formats.h"
#include "formats/inria_ply.h"
#include "formats/ply.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

GaussianCloud random_cloud(std::size_t n, int degree, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::normal_distribution<float> normal;
  GaussianCloud cloud;
  cloud.resize(n, degree);
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < 3; ++a) {
      cloud.positions[3 * i + a] = 5.0f * u(rng);
      cloud.log_scales[3 * i + a] = -4.0f + 3.0f * u(rng);
      cloud.sh_dc[3 * i + a] = 2.0f * u(rng);
    }
    cloud.logit_opacities[i] = 6.0f * u(rng);
    for (int k = 0; k < 4; ++k) cloud.rotations[4 * i + k] = normal(rng);
  }
  for (float& v : cloud.sh_rest) v = 1.5f * u(rng);
  cloud.normalize_rotations();
  return cloud;
}

ply::File parse_or_die(const Bytes& bytes) {
  auto file = ply::parse(bytes);
  EXPECT_TRUE(file.ok()) << file.status().message();
  return file.ok() ? std::move(file).value() : ply::File{};
}

ply::File encoded_file(std::size_t n, int degree, unsigned seed = 7) {
  auto bytes = encode_compressed_ply(random_cloud(n, degree, seed), {.morton_order = false});
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return parse_or_die(*bytes);
}

ply::Element& element(ply::File& file, const std::string& name) {
  for (auto& e : file.elements) {
    if (e.name == name) return e;
  }
  ADD_FAILURE() << "no element " << name;
  return file.elements.front();
}

// Removes a property and its bytes from every row.
void drop_property(ply::File& file, const std::string& element_name, const std::string& property) {
  ply::Element& e = element(file, element_name);
  ply::Element out = e;
  out.properties.clear();
  for (const auto& p : e.properties) {
    if (p.name != property) out.properties.push_back(p);
  }
  ASSERT_EQ(out.properties.size() + 1, e.properties.size()) << property;
  ply::layout(out);
  out.rows.assign(out.count * out.row_size, 0);
  for (std::size_t r = 0; r < e.count; ++r) {
    for (const auto& p : out.properties) {
      const ply::Property* src = e.find(p.name);
      std::memcpy(out.rows.data() + r * out.row_size + p.offset, e.rows.data() + r * e.row_size + src->offset,
                  ply::type_size(p.type));
    }
  }
  e = std::move(out);
}

void set_float(ply::File& file, const std::string& element_name, std::size_t row, const std::string& property,
               float value) {
  ply::Element& e = element(file, element_name);
  const ply::Property* p = e.find(property);
  ASSERT_TRUE(p && p->type == ply::Type::kFloat32);
  std::memcpy(e.rows.data() + row * e.row_size + p->offset, &value, 4);
}

float chunk_float(const ply::File& file, std::size_t chunk, const std::string& name) {
  const ply::Element* e = file.find("chunk");
  return ply::get<float>(*e, chunk, *e->find(name));
}

void expect_invalid(const ply::File& file, const std::string& fragment) {
  auto cloud = decode_compressed_ply(file);
  ASSERT_FALSE(cloud.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_EQ(cloud.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(cloud.status().message().find(fragment), std::string::npos) << cloud.status().message();
}

float sigmoid(float x) { return activation::opacity(x); }

// Checks every decoded Gaussian against the original it was written from, within half a
// quantization step of its chunk's range: positions and log scales (11/10/11 bits),
// colours (8 bits of the colour range), opacity (8 bits of sigmoid). Rotation components
// are 10 bits over [-1/sqrt(2), 1/sqrt(2)]; the recomputed largest one and renormalising
// add up to about three such half steps, hence 0.003. SH bytes decode to the centre of
// their 1/32 bin, so within 1/64, except the end bins, which decode to -4 and 4: 1/32.
void expect_within_step(const GaussianCloud& original, const GaussianCloud& decoded, const ply::File& file,
                        const std::vector<std::uint32_t>& order) {
  ASSERT_EQ(decoded.count, original.count);
  ASSERT_EQ(decoded.sh_degree, original.sh_degree);
  const char* axes = "xyz";
  const char* channels = "rgb";
  const float levels[3] = {2047.0f, 1023.0f, 2047.0f};
  const int stride = original.sh_rest_stride();
  int failures = 0;
  for (std::size_t k = 0; k < decoded.count && failures < 10; ++k) {
    const std::size_t i = order[k];
    const std::size_t c = k / kCompressedPlyChunkSize;
    for (int a = 0; a < 3; ++a) {
      const std::string ax(1, axes[a]);
      const float pos_step = (chunk_float(file, c, "max_" + ax) - chunk_float(file, c, "min_" + ax)) / levels[a];
      const float p = original.positions[3 * i + a];
      const float pos_err = std::abs(decoded.positions[3 * k + a] - p);
      failures += pos_err > 0.5f * pos_step + 1e-6f * (1.0f + std::abs(p));
      EXPECT_LE(pos_err, 0.5f * pos_step + 1e-6f * (1.0f + std::abs(p))) << "position " << ax << " of " << i;

      const float scale_step =
          (chunk_float(file, c, "max_scale_" + ax) - chunk_float(file, c, "min_scale_" + ax)) / levels[a];
      const float s = std::clamp(original.log_scales[3 * i + a], -20.0f, 20.0f);
      const float scale_err = std::abs(decoded.log_scales[3 * k + a] - s);
      failures += scale_err > 0.5f * scale_step + 1e-5f;
      EXPECT_LE(scale_err, 0.5f * scale_step + 1e-5f) << "log scale " << ax << " of " << i;

      const std::string ch(1, channels[a]);
      const float color_step = (chunk_float(file, c, "max_" + ch) - chunk_float(file, c, "min_" + ch)) / 255.0f;
      const float color_err = std::abs(activation::dc_to_color(decoded.sh_dc[3 * k + a]) -
                                       activation::dc_to_color(original.sh_dc[3 * i + a]));
      failures += color_err > 0.5f * color_step + 1e-5f;
      EXPECT_LE(color_err, 0.5f * color_step + 1e-5f) << "colour " << ch << " of " << i;
    }
    const float opacity_err = std::abs(sigmoid(decoded.logit_opacities[k]) - sigmoid(original.logit_opacities[i]));
    failures += opacity_err > 0.5f / 255.0f + 1e-5f;
    EXPECT_LE(opacity_err, 0.5f / 255.0f + 1e-5f) << "opacity of " << i;

    const float* q = &original.rotations[4 * i];
    const float* d = &decoded.rotations[4 * k];
    const float dot = q[0] * d[0] + q[1] * d[1] + q[2] * d[2] + q[3] * d[3];
    const float sign = dot < 0 ? -1.0f : 1.0f;
    for (int j = 0; j < 4; ++j) {
      failures += std::abs(d[j] - sign * q[j]) > 0.003f;
      EXPECT_NEAR(d[j], sign * q[j], 0.003f) << "rotation component " << j << " of " << i;
    }
    for (int j = 0; j < stride; ++j) {
      const float o = std::clamp(original.sh_rest[stride * i + j], -4.0f, 4.0f);
      const float d = decoded.sh_rest[stride * k + j];
      const float tolerance = (std::abs(d) == 4.0f ? 1.0f / 32.0f : 1.0f / 64.0f) + 1e-5f;
      failures += std::abs(d - o) > tolerance;
      EXPECT_LE(std::abs(d - o), tolerance) << "SH " << j << " of " << i;
    }
  }
}

std::vector<std::uint32_t> identity_order(std::size_t n) {
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  return order;
}

double mean_position_error(const GaussianCloud& original, const GaussianCloud& decoded,
                           const std::vector<std::uint32_t>& order) {
  double sum = 0;
  for (std::size_t k = 0; k < decoded.count; ++k) {
    for (int a = 0; a < 3; ++a) sum += std::abs(decoded.positions[3 * k + a] - original.positions[3 * order[k] + a]);
  }
  return sum / (3.0 * std::max<std::size_t>(1, decoded.count));
}

// --- real files ---------------------------------------------------------------------

TEST(CompressedPly, ReadsRealFilesThroughTheRegistry) {
  struct Case {
    const char* path;
    std::size_t count;
    int degree;
  };
  for (const Case& c : {Case{"splats/biker.compressed.ply", 152746, 0}, Case{"splats/guitar.compressed.ply", 90854, 0},
                        Case{"peers/lego.compressed.ply", 124480, 3}}) {
    if (!std::filesystem::exists(test::data_path(c.path))) continue;
    FileFormat format = FileFormat::kUnknown;
    auto scene = load_scene(test::data_path(c.path), &format);
    ASSERT_TRUE(scene.ok()) << scene.status().message();
    EXPECT_EQ(format, FileFormat::kCompressedPly) << c.path;
    const GaussianCloud* cloud = scene->gaussians();
    ASSERT_NE(cloud, nullptr);
    EXPECT_EQ(cloud->count, c.count) << c.path;
    EXPECT_EQ(cloud->sh_degree, c.degree) << c.path;
    EXPECT_TRUE(cloud->validate().ok());
  }
}

// biker.ply was decoded from biker.spz, another quantizer's copy of the same scene, in the
// same order. It is read raw because 198 of its opacity logits are infinite (opacity 1),
// which the INRIA reader refuses. The bounds below are about twice what was measured
// (printed): they catch a swapped axis, a wrong bit order or rotation convention, each of
// which moves values by orders of magnitude more. Most of the measured difference is the
// .spz grid (positions 1/4096, log scales 1/16), not this format's.
TEST(CompressedPly, AgreesWithFloatCopyOfTheSameScene) {
  SCZ_REQUIRE_DATA("splats/biker.compressed.ply");
  SCZ_REQUIRE_DATA("splats/biker.ply");
  auto packed = load_scene(test::data_path("splats/biker.compressed.ply"));
  ASSERT_TRUE(packed.ok()) << packed.status().message();
  const GaussianCloud& a = *packed->gaussians();
  auto float_bytes = read_file(test::data_path("splats/biker.ply"));
  ASSERT_TRUE(float_bytes.ok());
  const ply::File floats = parse_or_die(*float_bytes);
  const ply::Element* v = floats.find("vertex");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(a.count, v->count);
  auto value = [&](std::size_t i, const char* name) { return ply::get<float>(*v, i, *v->find(name)); };
  const char* const pos_names[] = {"x", "y", "z"};
  const char* const scale_names[] = {"scale_0", "scale_1", "scale_2"};
  const char* const dc_names[] = {"f_dc_0", "f_dc_1", "f_dc_2"};
  const char* const rot_names[] = {"rot_0", "rot_1", "rot_2", "rot_3"};

  std::vector<float> positions(3 * a.count);
  for (std::size_t i = 0; i < a.count; ++i) {
    for (int k = 0; k < 3; ++k) positions[3 * i + k] = value(i, pos_names[k]);
  }
  const Bounds bounds = compute_bounds(positions);
  float extent = 0;
  for (int k = 0; k < 3; ++k) extent = std::max(extent, bounds.max[k] - bounds.min[k]);

  double pos_max = 0, pos_sum = 0, scale_sum = 0, scale_max = 0, color_sum = 0, color_max = 0, opacity_sum = 0,
         opacity_max = 0, angle_sum = 0;
  std::vector<double> angles, pos_errors;
  for (std::size_t i = 0; i < a.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      const double dp = std::abs(a.positions[3 * i + k] - positions[3 * i + k]);
      pos_max = std::max(pos_max, dp);
      pos_sum += dp;
      pos_errors.push_back(dp);
      const float s = value(i, scale_names[k]);
      const double ds = std::abs(a.log_scales[3 * i + k] - s);
      scale_sum += ds;
      // The .spz copy clamps log scales at -10; the compressed file keeps smaller ones.
      if (s > -10.0f) scale_max = std::max(scale_max, ds);
      const double dc =
          std::abs(activation::dc_to_color(a.sh_dc[3 * i + k]) - activation::dc_to_color(value(i, dc_names[k])));
      color_sum += dc;
      color_max = std::max(color_max, dc);
    }
    const double dop = std::abs(sigmoid(a.logit_opacities[i]) - sigmoid(value(i, "opacity")));
    opacity_sum += dop;
    opacity_max = std::max(opacity_max, dop);
    double q[4], len = 0, dot = 0;
    for (int k = 0; k < 4; ++k) {
      q[k] = value(i, rot_names[k]);
      len += q[k] * q[k];
    }
    for (int k = 0; k < 4; ++k) dot += a.rotations[4 * i + k] * q[k] / std::sqrt(len);
    const double angle = 2.0 * std::acos(std::min(1.0, std::abs(dot))) * 180.0 / M_PI;
    angle_sum += angle;
    angles.push_back(angle);
  }
  const double n = static_cast<double>(a.count);
  auto p99 = [](std::vector<double>& values) {
    std::nth_element(values.begin(), values.begin() + values.size() * 99 / 100, values.end());
    return values[values.size() * 99 / 100];
  };
  const double angle_p99 = p99(angles);
  const double pos_p99 = p99(pos_errors);
  std::printf("biker agreement: extent %.3f; position mean %.3g p99 %.3g max %.3g; log-scale mean %.3g max %.3g; "
              "colour mean %.3g max %.3g; opacity mean %.3g max %.3g; rotation mean %.3g deg p99 %.3g deg\n",
              extent, pos_sum / (3 * n), pos_p99, pos_max, scale_sum / (3 * n), scale_max, color_sum / (3 * n),
              color_max, opacity_sum / n, opacity_max, angle_sum / n, angle_p99);
  EXPECT_LT(pos_sum / (3 * n), 4e-5 * extent);
  EXPECT_LT(pos_max, 1e-4 * extent);
  EXPECT_LT(scale_sum / (3 * n), 0.03);
  EXPECT_LT(scale_max, 0.06);
  EXPECT_LT(color_sum / (3 * n), 0.004);
  EXPECT_LT(color_max, 0.008);
  EXPECT_LT(opacity_sum / n, 1e-4);
  EXPECT_LT(opacity_max, 1.0 / 255.0);
  EXPECT_LT(angle_sum / n, 0.25);
  EXPECT_LT(angle_p99, 0.3);
}

// Re-encoding a PlayCanvas file in its own order finds the same chunk ranges (every range
// end is some Gaussian's value) and so the same position, scale and colour words.
TEST(CompressedPly, ReencodingARealFileKeepsItsWords) {
  SCZ_REQUIRE_DATA("splats/guitar.compressed.ply");
  auto bytes = read_file(test::data_path("splats/guitar.compressed.ply"));
  ASSERT_TRUE(bytes.ok());
  const ply::File original = parse_or_die(*bytes);
  auto cloud = decode_compressed_ply(original);
  ASSERT_TRUE(cloud.ok()) << cloud.status().message();
  auto again = encode_compressed_ply(*cloud, {.morton_order = false});
  ASSERT_TRUE(again.ok()) << again.status().message();
  const ply::File written = parse_or_die(*again);

  const ply::Element* v0 = original.find("vertex");
  const ply::Element* v1 = written.find("vertex");
  ASSERT_EQ(v0->count, v1->count);
  std::size_t moved[4] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < v0->count; ++i) {
    for (int k = 0; k < 4; ++k) {
      static const char* const kNames[] = {"packed_position", "packed_rotation", "packed_scale", "packed_color"};
      const char* name = kNames[k];
      moved[k] += ply::get<std::uint32_t>(*v0, i, *v0->find(name)) != ply::get<std::uint32_t>(*v1, i, *v1->find(name));
    }
  }
  EXPECT_EQ(moved[0], 0u) << "positions";
  EXPECT_EQ(moved[2], 0u) << "scales";
  EXPECT_EQ(moved[3], 0u) << "colours";
  // Rotations are renormalised on read, which can move a component by one step.
  EXPECT_LT(moved[1], v0->count / 4) << "rotations";
  auto decoded = decode_compressed_ply(written);
  ASSERT_TRUE(decoded.ok());
  expect_within_step(*cloud, *decoded, written, identity_order(cloud->count));
}

// lego.compressed.ply was written by PlayCanvas's own tool from lego-3dgs.ply, in Morton
// order. Our Morton order and quantizer reproduce it byte for byte, so each Gaussian in
// the file can be checked against its source: every one decodes within one step.
TEST(CompressedPly, DecodesPlayCanvasFileWithinOneStepOfItsSource) {
  SCZ_REQUIRE_DATA("peers/lego.compressed.ply");
  SCZ_REQUIRE_DATA("splats/lego-3dgs.ply");
  auto bytes = read_file(test::data_path("peers/lego.compressed.ply"));
  ASSERT_TRUE(bytes.ok());
  const ply::File file = parse_or_die(*bytes);
  auto decoded = decode_compressed_ply(file);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  auto raw = load_scene(test::data_path("splats/lego-3dgs.ply"));
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  const GaussianCloud& source = *raw->gaussians();
  expect_within_step(source, *decoded, file, compressed_ply_morton_order(source));
}

TEST(CompressedPly, WritesTheSameBytesAsPlayCanvas) {
  SCZ_REQUIRE_DATA("peers/lego.compressed.ply");
  SCZ_REQUIRE_DATA("splats/lego-3dgs.ply");
  auto theirs_bytes = read_file(test::data_path("peers/lego.compressed.ply"));
  ASSERT_TRUE(theirs_bytes.ok());
  const ply::File theirs = parse_or_die(*theirs_bytes);
  auto raw = load_scene(test::data_path("splats/lego-3dgs.ply"));
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  auto ours_bytes = encode_compressed_ply(*raw->gaussians());
  ASSERT_TRUE(ours_bytes.ok());
  const ply::File ours = parse_or_die(*ours_bytes);
  for (const char* name : {"chunk", "vertex", "sh"}) {
    const ply::Element* a = ours.find(name);
    const ply::Element* b = theirs.find(name);
    ASSERT_TRUE(a && b) << name;
    ASSERT_EQ(a->properties.size(), b->properties.size()) << name;
    for (std::size_t k = 0; k < a->properties.size(); ++k) EXPECT_EQ(a->properties[k].name, b->properties[k].name);
    ASSERT_EQ(a->count, b->count) << name;
    EXPECT_TRUE(a->rows == b->rows) << "element '" << name << "' differs";
  }
}

// --- round trips --------------------------------------------------------------------

TEST(CompressedPly, RoundTripInInputOrderIsWithinOneStep) {
  for (int degree : {0, 1, 3}) {
    const GaussianCloud original = random_cloud(1000, degree, 11 + degree);  // last chunk partial
    auto bytes = encode_compressed_ply(original, {.morton_order = false});
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    const ply::File file = parse_or_die(*bytes);
    ASSERT_EQ(file.find("chunk")->count, 4u);
    EXPECT_EQ(file.find("sh") != nullptr, degree > 0);
    auto decoded = decode_compressed_ply(file);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    expect_within_step(original, *decoded, file, identity_order(original.count));
  }
}

TEST(CompressedPly, MortonOrderKeepsEveryGaussianAndTightensChunks) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto scene = load_scene(test::data_path("splats/small-sh3-9k.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& original = *scene->gaussians();

  const std::vector<std::uint32_t> order = compressed_ply_morton_order(original);
  std::vector<std::uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, identity_order(original.count)) << "not a permutation";

  auto bytes = encode_compressed_ply(original);  // Morton by default
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const ply::File file = parse_or_die(*bytes);
  auto decoded = decode_compressed_ply(file);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  expect_within_step(original, *decoded, file, order);

  auto unsorted_bytes = encode_compressed_ply(original, {.morton_order = false});
  ASSERT_TRUE(unsorted_bytes.ok());
  auto unsorted = decode_compressed_ply(parse_or_die(*unsorted_bytes));
  ASSERT_TRUE(unsorted.ok());
  const double sorted_err = mean_position_error(original, *decoded, order);
  const double unsorted_err = mean_position_error(original, *unsorted, identity_order(original.count));
  // This sparse early-training scene spans ~1000 units with 9k Gaussians; Morton chunks
  // were measured 2.5x finer than the trainer's order.
  EXPECT_LT(sorted_err * 2, unsorted_err) << "Morton chunks should be tighter";
}

TEST(CompressedPly, EmptyCloudRoundTrips) {
  GaussianCloud empty;
  empty.resize(0, 2);
  auto bytes = encode_compressed_ply(empty);
  ASSERT_TRUE(bytes.ok());
  auto decoded = decode_compressed_ply(parse_or_die(*bytes));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->count, 0u);
  EXPECT_EQ(decoded->sh_degree, 2);
}

TEST(CompressedPly, ClampsOutOfRangeValuesOnWrite) {
  GaussianCloud cloud = random_cloud(3, 1, 5);
  cloud.log_scales[0] = -40.0f;
  cloud.sh_rest[0] = 9.0f;
  cloud.sh_rest[1] = -9.0f;
  cloud.logit_opacities[0] = 80.0f;
  auto bytes = encode_compressed_ply(cloud, {.morton_order = false});
  ASSERT_TRUE(bytes.ok());
  auto decoded = decode_compressed_ply(parse_or_die(*bytes));
  ASSERT_TRUE(decoded.ok());
  EXPECT_FLOAT_EQ(decoded->log_scales[0], -20.0f);
  EXPECT_FLOAT_EQ(decoded->sh_rest[0], 4.0f);
  EXPECT_FLOAT_EQ(decoded->sh_rest[1], -4.0f);
  EXPECT_TRUE(std::isfinite(decoded->logit_opacities[0]));
  EXPECT_GT(sigmoid(decoded->logit_opacities[0]), 0.998f);
}

TEST(CompressedPly, RejectsNonFiniteCloudOnWrite) {
  GaussianCloud cloud = random_cloud(3, 0, 5);
  cloud.positions[4] = std::nanf("");
  auto bytes = encode_compressed_ply(cloud);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), ErrorCode::kInvalidInput);
}

// --- the bit layout, by hand ----------------------------------------------------------

TEST(CompressedPly, DecodesHandPackedWords) {
  ply::File file = encoded_file(1, 1);
  const char* names[] = {"min_x", "min_y", "min_z", "max_x", "max_y", "max_z", "min_scale_x", "min_scale_y",
                         "min_scale_z", "max_scale_x", "max_scale_y", "max_scale_z", "min_r", "min_g", "min_b",
                         "max_r", "max_g", "max_b"};
  const float values[] = {0, 10, 20, 1, 11, 21, -5, -5, -5, 5, 5, 5, 0.25f, 0.25f, 0.25f, 0.75f, 0.75f, 0.75f};
  for (int k = 0; k < 18; ++k) set_float(file, "chunk", 0, names[k], values[k]);
  ply::Element& vertex = element(file, "vertex");
  const std::uint32_t words[4] = {
      (2047u << 21) | (0u << 11) | 1023u,             // x at max, y at min, z at 1023/2047
      (2u << 30) | (700u << 20) | (512u << 10) | 300u,  // rot_2 (y) largest, then w x z
      (0u << 21) | (1023u << 11) | 2047u,             // scale x min, y max, z max
      (255u << 24) | (0u << 16) | (51u << 8) | 128u,  // r max, g min, b 0.2 of range, alpha 128
  };
  std::memcpy(vertex.rows.data(), words, sizeof(words));
  ply::Element& sh = element(file, "sh");
  sh.rows[0] = 0;
  sh.rows[1] = 255;
  sh.rows[2] = 128;

  auto decoded = decode_compressed_ply(file);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const GaussianCloud& c = *decoded;
  EXPECT_FLOAT_EQ(c.positions[0], 1.0f);
  EXPECT_FLOAT_EQ(c.positions[1], 10.0f);
  EXPECT_NEAR(c.positions[2], 20.0f + 1023.0f / 2047.0f, 1e-5);
  EXPECT_FLOAT_EQ(c.log_scales[0], -5.0f);
  EXPECT_FLOAT_EQ(c.log_scales[1], 5.0f);
  EXPECT_FLOAT_EQ(c.log_scales[2], 5.0f);
  EXPECT_NEAR(activation::dc_to_color(c.sh_dc[0]), 0.75f, 1e-5);
  EXPECT_NEAR(activation::dc_to_color(c.sh_dc[1]), 0.25f, 1e-5);
  EXPECT_NEAR(activation::dc_to_color(c.sh_dc[2]), 0.35f, 1e-5);
  EXPECT_NEAR(sigmoid(c.logit_opacities[0]), 128.0f / 255.0f, 1e-5);
  auto field = [](float v) { return (v / 1023.0f - 0.5f) * std::sqrt(2.0f); };
  const float w = field(700), x = field(512), z = field(300);
  const float y = std::sqrt(1.0f - w * w - x * x - z * z);  // rebuilt, about 0.92
  EXPECT_NEAR(c.rotations[0], w, 1e-5);
  EXPECT_NEAR(c.rotations[1], x, 1e-5);
  EXPECT_NEAR(c.rotations[2], y, 1e-5);
  EXPECT_NEAR(c.rotations[3], z, 1e-5);
  EXPECT_FLOAT_EQ(c.sh_rest[0], -4.0f);
  EXPECT_FLOAT_EQ(c.sh_rest[1], 4.0f);
  EXPECT_FLOAT_EQ(c.sh_rest[2], (128.5f / 256.0f - 0.5f) * 8.0f);
}

TEST(CompressedPly, WritesRotationLargestIndexAndSign) {
  GaussianCloud cloud = random_cloud(1, 0, 3);
  // -z largest: stored as +z with the others negated, index 3 in w x y z order.
  const float q[4] = {0.1f, -0.2f, 0.3f, -0.9f};
  std::copy(q, q + 4, cloud.rotations.begin());
  cloud.normalize_rotations();
  auto bytes = encode_compressed_ply(cloud);
  ASSERT_TRUE(bytes.ok());
  const ply::File file = parse_or_die(*bytes);
  const ply::Element* v = file.find("vertex");
  const std::uint32_t word = ply::get<std::uint32_t>(*v, 0, *v->find("packed_rotation"));
  EXPECT_EQ(word >> 30, 3u);
  const float* n = cloud.rotations.data();
  auto field = [&](int shift) { return (static_cast<float>((word >> shift) & 1023u) / 1023.0f - 0.5f) * std::sqrt(2.0f); };
  EXPECT_NEAR(field(20), -n[0], 1e-3);
  EXPECT_NEAR(field(10), -n[1], 1e-3);
  EXPECT_NEAR(field(0), -n[2], 1e-3);
}

// Files from before PlayCanvas added colour ranges store colour itself in the bytes.
TEST(CompressedPly, ReadsFilesWithoutColourRanges) {
  ply::File file = encoded_file(300, 0);
  for (std::size_t c = 0; c < 2; ++c) {
    for (const char* n : {"min_r", "min_g", "min_b"}) set_float(file, "chunk", c, n, 0.0f);
    for (const char* n : {"max_r", "max_g", "max_b"}) set_float(file, "chunk", c, n, 1.0f);
  }
  auto with_unit_ranges = decode_compressed_ply(file);
  ASSERT_TRUE(with_unit_ranges.ok());
  for (const char* n : {"min_r", "min_g", "min_b", "max_r", "max_g", "max_b"}) drop_property(file, "chunk", n);
  auto without = decode_compressed_ply(file);
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_EQ(without->sh_dc, with_unit_ranges->sh_dc);
  EXPECT_EQ(without->positions, with_unit_ranges->positions);
}

// --- bad input ------------------------------------------------------------------------

TEST(CompressedPly, RejectsChunkCountThatDoesNotMatchGaussians) {
  ply::File file = encoded_file(300, 0);
  ply::Element& chunk = element(file, "chunk");
  chunk.count = 3;
  chunk.rows.resize(chunk.count * chunk.row_size, 0);
  expect_invalid(file, "3 chunks but its 300 Gaussians need 2");

  ply::File fewer = encoded_file(300, 0);
  ply::Element& vertex = element(fewer, "vertex");
  vertex.count = 256;
  vertex.rows.resize(vertex.count * vertex.row_size);
  expect_invalid(fewer, "2 chunks but its 256 Gaussians need 1");
}

TEST(CompressedPly, RejectsMissingElements) {
  ply::File file = encoded_file(10, 0);
  file.elements.erase(file.elements.begin());  // chunk
  expect_invalid(file, "no 'chunk' element");
  ply::File no_vertex = encoded_file(10, 0);
  no_vertex.elements.erase(no_vertex.elements.begin() + 1);
  expect_invalid(no_vertex, "no 'vertex' element");
}

TEST(CompressedPly, RejectsMissingProperties) {
  for (const char* name : {"packed_position", "packed_rotation", "packed_scale", "packed_color"}) {
    ply::File file = encoded_file(10, 0);
    drop_property(file, "vertex", name);
    expect_invalid(file, std::string("lacks property '") + name + "'");
  }
  for (const char* name : {"min_x", "max_z", "min_scale_y", "max_scale_x"}) {
    ply::File file = encoded_file(10, 0);
    drop_property(file, "chunk", name);
    expect_invalid(file, std::string("lacks property '") + name + "'");
  }
}

TEST(CompressedPly, RejectsPartialColourRanges) {
  ply::File file = encoded_file(10, 0);
  drop_property(file, "chunk", "max_b");
  expect_invalid(file, "5 of the 6 colour range properties");
}

TEST(CompressedPly, RejectsPackedWordsOfTheWrongType) {
  ply::File file = encoded_file(10, 0);
  ply::Element& vertex = element(file, "vertex");
  vertex.properties[1].type = ply::Type::kFloat32;  // same size, so rows stay consistent
  expect_invalid(file, "'packed_rotation' is float, expected uint");
}

TEST(CompressedPly, RejectsNonFiniteRanges) {
  for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
    for (const char* name : {"min_y", "max_scale_z", "max_g"}) {
      ply::File file = encoded_file(300, 0);
      set_float(file, "chunk", 1, name, bad);
      expect_invalid(file, std::string("chunk 1 has a non-finite ") + name);
    }
  }
}

TEST(CompressedPly, RejectsBadShElement) {
  {
    ply::File file = encoded_file(10, 1);
    drop_property(file, "sh", "f_rest_8");
    expect_invalid(file, "8 f_rest properties");
  }
  {
    ply::File file = encoded_file(10, 1);
    ply::Element& sh = element(file, "sh");
    sh.count = 9;
    sh.rows.resize(sh.count * sh.row_size);
    expect_invalid(file, "9 SH rows for 10 Gaussians");
  }
  {
    ply::File file = encoded_file(10, 1);
    element(file, "sh").properties[4].type = ply::Type::kInt8;
    expect_invalid(file, "'f_rest_4' is char, expected uchar");
  }
}

// Flipped bytes anywhere in the data must give either a finite cloud or an error.
TEST(CompressedPly, SurvivesCorruptedBytes) {
  auto bytes = encode_compressed_ply(random_cloud(300, 1, 9));
  ASSERT_TRUE(bytes.ok());
  std::size_t header_end = 0;
  ASSERT_TRUE(ply::parse_header(*bytes, &header_end).ok());
  std::mt19937 rng(1);
  int errors = 0;
  for (int trial = 0; trial < 200; ++trial) {
    Bytes corrupt = *bytes;
    for (int k = 0; k < 8; ++k) {
      corrupt[header_end + rng() % (corrupt.size() - header_end)] = static_cast<std::uint8_t>(rng());
    }
    auto file = ply::parse(corrupt);
    ASSERT_TRUE(file.ok());
    auto cloud = decode_compressed_ply(*file);
    if (!cloud.ok()) {
      ++errors;
      EXPECT_EQ(cloud.status().code(), ErrorCode::kInvalidInput);
      continue;
    }
    EXPECT_TRUE(cloud->validate().ok());
  }
  EXPECT_LT(errors, 200);
}

TEST(CompressedPly, TruncatedFileIsAnErrorNamingTheFile) {
  SCZ_REQUIRE_DATA("splats/guitar.compressed.ply");
  auto bytes = read_file(test::data_path("splats/guitar.compressed.ply"));
  ASSERT_TRUE(bytes.ok());
  test::ScratchDir dir;
  const std::string path = dir.file("cut.compressed.ply");
  Bytes cut(bytes->begin(), bytes->begin() + bytes->size() / 2);
  ASSERT_TRUE(write_file_atomic(path, cut).ok());
  auto scene = load_scene(path);
  ASSERT_FALSE(scene.ok());
  EXPECT_EQ(scene.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(scene.status().message().rfind(path + ": ", 0), 0u) << scene.status().message();
}

}  // namespace
}  // namespace scenezip
