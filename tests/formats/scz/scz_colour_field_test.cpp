// Gaussian `.scz` files whose colour is a hash-grid field (docs/FORMAT.md, "Colour
// fields"): the golden files of both kinds, forged field streams, and the decode hook.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "engine/codec/gaussian_encoder.h"
#include "engine/field/colour_field_sh.h"
#include "engine/render/splat_reference.h"
#include "formats/formats.h"
#include "formats/scz/container.h"
#include "formats/scz/decoder.h"
#include "formats/scz/gaussian_decoder.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/scz/writer.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

std::string golden_path(const std::string& name) { return std::string(SCENEZIP_SOURCE_DIR) + "/tests/golden/" + name; }

// The test binary reads field files as the command line does, with the C++ reference.
const bool kResolverInstalled = [] {
  field::install_colour_field_decoding(field::cpu_field_evaluator());
  return true;
}();

constexpr std::size_t kCount = 300;

// A small field, so the golden file stays a few kilobytes.
constexpr const char* kGoldenField =
    R"({"levels":4,"log2_table_size":10,"features":2,"base_resolution":4,"per_level_scale":1.5,)"
    R"("hidden_width":16,"hidden_layers":1,"batch_size":512,"steps":60,"seed":3})";

codec::GaussianCodecSettings golden_field_settings(const std::string& colour) {
  codec::GaussianCodecSettings s;
  s.preset = "golden-v2-" + colour;
  s.position_bits = 16;
  s.scale = {{1, 1, 1}, {16, 16, 16}, "none"};
  s.rotation = {{1, 1, 1, 1}, {4, 32, 32, 32}, "smallest_three"};
  s.opacity = {{1}, {32}, "none"};
  s.color = {{3}, {64}, "none"};
  s.sh = {{45}, {2}, "none"};  // unused with a field, but settings always name one
  s.min_gaussians_per_code = 0;
  s.threads = 1;
  s.colour = colour;
  s.colour_field = kGoldenField;
  return s;
}

codec::EncoderAccelerators cpu_field_fitter() {
  codec::EncoderAccelerators a;
  a.fit_colour_field = [](const GaussianCloud& c, const codec::GaussianCodecSettings& s) {
    const auto target = s.colour == "field-full" ? field::ColourTarget::kFull : field::ColourTarget::kViewDependent;
    return field::fit_and_store_colour_field(c, target, s.colour_field, field::fit_colour_field_cpu);
  };
  return a;
}

bool writing_golden() {
  const char* w = std::getenv("SCENEZIP_WRITE_GOLDEN");
  return w && std::string(w) == "1";
}

std::vector<float> slice(const std::vector<float>& v, std::size_t at, std::size_t n) {
  return std::vector<float>(v.begin() + at, v.begin() + at + n);
}

// What the golden file's expected values record: the field streams as formats/ decodes
// them (exact), and a few Gaussians' colours after the field is evaluated (to float
// tolerance: the field's arithmetic may round differently under another compiler).
nlohmann::ordered_json describe(const scz::ColourFieldStreams& f, const GaussianCloud& cloud) {
  nlohmann::ordered_json j;
  j["count"] = cloud.count;
  j["source"] = scz::colour_source_name(f.source);
  j["levels"] = f.levels;
  j["features"] = f.features;
  j["kept_entries"] = f.kept_entries();
  j["weights"] = f.weights.size();
  j["centre"] = f.centre;
  j["half_extent"] = f.half_extent;
  j["settings"] = f.settings_json;
  j["first_features"] = std::vector<int>(f.quantized.begin(), f.quantized.begin() + 16);
  j["first_weights"] = slice(f.weights, 0, 8);
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{150}, kCount - 1}) {
    nlohmann::ordered_json g;
    g["index"] = i;
    g["position"] = slice(cloud.positions, 3 * i, 3);
    g["sh_dc"] = slice(cloud.sh_dc, 3 * i, 3);
    g["sh_rest"] = slice(cloud.sh_rest, 45 * i, 45);
    j["gaussians"].push_back(g);
  }
  return j;
}

void check_field_golden(const std::string& colour, scz::ColourSource source) {
  const std::string stem = "gaussians-" + colour + "-v2";
  const std::string path = golden_path(stem + ".scz"), expected_path = golden_path(stem + ".expected.json");
  const GaussianCloud original = test::synthetic_cloud(kCount, 3, 2024);
  // Version 2's files stay as they are once a later version is the writer's.
  if (writing_golden() && scz::kFormatVersion == 2) {
    auto bytes = codec::encode_gaussians(original, golden_field_settings(colour), nullptr, {}, cpu_field_fitter());
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    ASSERT_TRUE(write_file_atomic(path, *bytes).ok());
    auto container = scz::parse_container(*bytes);
    ASSERT_TRUE(container.ok());
    scz::ColourFieldStreams f;
    ASSERT_TRUE(scz::decode_gaussians_and_field(*container, &f).ok());
    auto cloud = scz::decode_gaussians(*container);
    ASSERT_TRUE(cloud.ok()) << cloud.status().message();
    std::ofstream(expected_path) << describe(f, *cloud).dump(1) << "\n";
  }
  auto bytes = read_file(path);
  ASSERT_TRUE(bytes.ok()) << "missing golden file " << path;
  auto container = scz::parse_container(*bytes);
  ASSERT_TRUE(container.ok()) << container.status().message();
  EXPECT_EQ(container->version, 2);
  std::ifstream in(expected_path);
  ASSERT_TRUE(in) << expected_path;
  const nlohmann::json want = nlohmann::json::parse(in);

  // formats/ alone: the cloud as stored and the field's streams, exactly.
  scz::ColourFieldStreams f;
  auto stored = scz::decode_gaussians_and_field(*container, &f);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(f.source, source);
  EXPECT_EQ(stored->sh_degree, 0);
  auto cloud = scz::decode_gaussians(*container);
  ASSERT_TRUE(cloud.ok()) << cloud.status().message();
  EXPECT_EQ(cloud->sh_degree, 3);
  const nlohmann::json got = describe(f, *cloud);
  for (const char* key : {"count", "source", "levels", "features", "kept_entries", "weights", "centre", "half_extent",
                          "settings", "first_features", "first_weights"}) {
    EXPECT_EQ(got[key], want[key]) << key;
  }
  ASSERT_EQ(got["gaussians"].size(), want["gaussians"].size());
  for (std::size_t g = 0; g < want["gaussians"].size(); ++g) {
    EXPECT_EQ(got["gaussians"][g]["position"], want["gaussians"][g]["position"]);
    for (const char* key : {"sh_dc", "sh_rest"}) {
      const auto& a = got["gaussians"][g][key];
      const auto& b = want["gaussians"][g][key];
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_NEAR(a[k].get<float>(), b[k].get<float>(), 1e-4f + 1e-4f * std::fabs(b[k].get<float>()))
            << key << " of Gaussian " << g << " [" << k << "]";
      }
    }
  }
  // And the colours still stand for the scene they came from: compare along the fit
  // directions the colour the original SH give with what the decoded SH give.
  const Bounds b = compute_bounds(original.positions);
  const auto order = codec::morton_order(original.positions, b.min, b.max, codec::position_grid_bits(original.positions, 16));
  const std::vector<float> dirs = field::sh_fit_directions();
  double err = 0;
  std::size_t samples = 0;
  for (std::size_t i = 0; i < kCount; ++i) {
    for (int k = 0; k < field::kShFitDirections; k += 7) {
      float basis[16];
      sh_basis(&dirs[3 * k], 3, basis);
      for (int c = 0; c < 3; ++c) {
        double want_c = 0.5, got_c = 0.5;
        for (int j = 0; j < 16; ++j) {
          const std::size_t o = order[i];
          want_c += basis[j] * (j == 0 ? original.sh_dc[3 * o + c] : original.sh_rest[45 * o + 15 * c + j - 1]);
          got_c += basis[j] * (j == 0 ? cloud->sh_dc[3 * i + c] : cloud->sh_rest[45 * i + 15 * c + j - 1]);
        }
        err += std::pow(std::clamp(want_c, 0.0, 1.0) - std::clamp(got_c, 0.0, 1.0), 2.0);
        ++samples;
      }
    }
  }
  const double psnr = 10 * std::log10(samples / err);
  std::printf("%s: %zu bytes, colour PSNR against the original SH %.2f dB\n", stem.c_str(), bytes->size(), psnr);
  // A field of 4 levels at 60 steps on random colours: well above the 0 dB of nonsense,
  // far below SH's; view-dependent keeps the DC and so most of the colour.
  EXPECT_GT(psnr, source == scz::ColourSource::kFieldViewDependent ? 20.0 : 8.0);
}

TEST(SczColourFieldGolden, ViewDependentVersion2) {
  check_field_golden("field-view", scz::ColourSource::kFieldViewDependent);
}
TEST(SczColourFieldGolden, FullVersion2) { check_field_golden("field-full", scz::ColourSource::kFieldFull); }

// Rebuilds a valid file whose raw streams `edit` may change (checksums all correct).
Bytes rebuild(const Bytes& file, const std::function<void(std::uint16_t, Bytes&)>& edit) {
  auto c = scz::parse_container(file);
  EXPECT_TRUE(c.ok());
  std::vector<scz::StreamToWrite> streams;
  for (const auto& e : c->streams) {
    auto raw = scz::read_stream(*c, e.id, e.raw_size, "any");
    EXPECT_TRUE(raw.ok());
    Bytes bytes = *raw;
    edit(e.id, bytes);
    streams.push_back({e.id, std::move(bytes), 3});
  }
  auto out = scz::write_container(c->kind, c->count, c->settings, std::move(streams));
  EXPECT_TRUE(out.ok());
  return *out;
}

void expect_refused(const Bytes& b, const std::string& fragment, ErrorCode code = ErrorCode::kInvalidInput) {
  auto scene = scz::decode_scz(b);
  ASSERT_FALSE(scene.ok()) << "accepted a file that should fail with '" << fragment << "'";
  EXPECT_EQ(scene.status().code(), code) << scene.status().message();
  EXPECT_NE(scene.status().message().find(fragment), std::string::npos) << scene.status().message();
}

TEST(SczColourField, ForgedFieldStreamsAreRefused) {
  auto good = read_file(golden_path("gaussians-field-view-v2.scz"));
  ASSERT_TRUE(good.ok());
  auto header = [&](const std::function<void(Bytes&)>& edit) {
    return rebuild(*good, [&](std::uint16_t id, Bytes& raw) {
      if (id == scz::kColourFieldHeaderStream) edit(raw);
    });
  };
  if (writing_golden()) {
    // Two of these for tests/corpus/must-fail, which `scenezip info` must refuse.
    const std::string corpus = std::string(SCENEZIP_SOURCE_DIR) + "/tests/corpus/must-fail/";
    const Bytes huge = header([](Bytes& h) { scz::store_u32(&h[4], 0xFFFFFFFFu); });
    ASSERT_TRUE(write_file_atomic(corpus + "scz-field-huge-kept-entries.scz", huge).ok());
    const Bytes other = header([](Bytes& h) {
      const std::string s(h.begin(), h.end());
      h[s.find("\"hidden_width\":16") + 16] = '7';
    });
    ASSERT_TRUE(write_file_atomic(corpus + "scz-field-settings-disagree.scz", other).ok());
  }
  expect_refused(header([](Bytes& h) { h[0] = 0; }), "0 levels");
  expect_refused(header([](Bytes& h) { h[0] = 33; }), "33 levels");
  expect_refused(header([](Bytes& h) { h[0] = 5; }), "");  // ranges shift: any refusal
  expect_refused(header([](Bytes& h) { h[1] = 9; }), "9 features");
  expect_refused(header([](Bytes& h) { h[2] = 1; }), "reserved");
  // Counts far beyond what 300 Gaussians can touch, before anything is allocated.
  expect_refused(header([](Bytes& h) { scz::store_u32(&h[4], 0xFFFFFFFFu); }), "table entries kept");
  expect_refused(header([](Bytes& h) { scz::store_u32(&h[8], 0xFFFFFFFFu); }), "MLP weights");
  expect_refused(header([](Bytes& h) { scz::store_u32(&h[8], 5); }), "colour field weights");
  expect_refused(header([](Bytes& h) { scz::store_u32(&h[4], 3); }), "colour field features");
  const float nan = std::nanf("");
  expect_refused(header([&](Bytes& h) { std::memcpy(&h[12], &nan, 4); }), "contraction");
  expect_refused(header([](Bytes& h) { std::memset(&h[24], 0, 4); }), "contraction");
  expect_refused(header([&](Bytes& h) { std::memcpy(&h[40], &nan, 4); }), "feature range");
  expect_refused(header([](Bytes& h) { h.pop_back(); }), "settings of");
  expect_refused(header([](Bytes& h) { h.back() = '#'; }), "colour field");  // JSON broken
  // Settings that disagree with the stored counts.
  expect_refused(header([](Bytes& h) {
                   const std::string s(h.begin(), h.end());
                   const std::size_t at = s.find("\"hidden_width\":16");
                   ASSERT_NE(at, std::string::npos);
                   h[at + 16] = '7';  // 17 wide: another weight count
                 }),
                 "weights stored where the settings need");
  // A weight of infinity, and the streams missing.
  expect_refused(rebuild(*good, [](std::uint16_t id, Bytes& raw) {
                   if (id == scz::kColourFieldWeightStream) raw[1] = 0x7C, raw[0] = 0;
                 }),
                 "not finite");
  // A layout naming a colour source with SH beside it, or an unknown source.
  expect_refused(rebuild(*good, [](std::uint16_t id, Bytes& raw) {
                   if (id == scz::kLayoutStream) raw[0] = 0x13;  // source 1, SH degree 3
                 }),
                 "beside a colour field");
  expect_refused(rebuild(*good, [](std::uint16_t id, Bytes& raw) {
                   if (id == scz::kLayoutStream) raw[0] = 0x30;  // source 3
                 }),
                 "unknown colour source");
}

TEST(SczColourField, WithoutAResolverTheFileIsUnsupported) {
  auto good = read_file(golden_path("gaussians-field-full-v2.scz"));
  ASSERT_TRUE(good.ok());
  const scz::ColourFieldResolver saved = scz::colour_field_resolver();
  scz::set_colour_field_resolver({});
  auto scene = scz::decode_scz(*good);
  scz::set_colour_field_resolver(saved);
  ASSERT_FALSE(scene.ok());
  EXPECT_EQ(scene.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(scene.status().message().find("neural field"), std::string::npos);
  EXPECT_TRUE(scz::decode_scz(*good).ok());
}

// The command line says where the colours came from, and every command reads the file.
TEST(SczColourField, CommandsReadFieldFiles) {
  test::ScratchDir dir;
  const std::string file = golden_path("gaussians-field-view-v2.scz");
  const test::CommandResult info = test::run_shell(test::scenezip_binary() + " info " + test::shell_quote(file));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.err.find("colours from a hash-grid field"), std::string::npos) << info.err;
  const test::CommandResult ply = test::run_shell(test::scenezip_binary() + " decompress " + test::shell_quote(file) +
                                                  " " + test::shell_quote(dir.file("out.ply")));
  ASSERT_EQ(ply.exit_code, 0) << ply.err;
  EXPECT_NE(ply.err.find("fitted per Gaussian to SH degree 3"), std::string::npos) << ply.err;
  auto scene = load_scene(dir.file("out.ply"));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(scene->gaussians()->count, kCount);
  EXPECT_EQ(scene->gaussians()->sh_degree, 3);
  // compress writes a field when asked (the C++ reference fits it), and render reads it.
  const std::string field = std::string("'") + kGoldenField + "'";
  const test::CommandResult compressed =
      test::run_shell(test::scenezip_binary() + " compress " + test::shell_quote(dir.file("out.ply")) + " " +
                      test::shell_quote(dir.file("again.scz")) + " --preset small --device cpu --colour field-full " +
                      "--colour-field " + field + " --json");
  ASSERT_EQ(compressed.exit_code, 0) << compressed.err;
  EXPECT_NE(compressed.out.find("colour field features"), std::string::npos);
  EXPECT_NE(compressed.out.find("\"source\":\"field-full\""), std::string::npos) << compressed.out;
  const test::CommandResult rendered =
      test::run_shell(test::scenezip_binary() + " render " + test::shell_quote(dir.file("again.scz")) +
                      " --width 48 --height 48 -o " + test::shell_quote(dir.file("again.png")));
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  EXPECT_NE(rendered.err.find("colours from a hash-grid field (full)"), std::string::npos) << rendered.err;
  // Bad field settings are refused as bad input, naming the setting.
  const test::CommandResult bad =
      test::run_shell(test::scenezip_binary() + " compress " + test::shell_quote(dir.file("out.ply")) + " " +
                      test::shell_quote(dir.file("bad.scz")) + " --device cpu --colour field-view " +
                      "--colour-field '{\"levels\": 99}'");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("levels"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace scenezip
