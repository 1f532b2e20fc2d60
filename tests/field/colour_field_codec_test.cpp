// The colour field as stored (engine/field/colour_field_codec): round trips on a real
// scene lose little, untouched entries are dropped, and mismatched streams are rejected
// with an error, never a crash (damaged bytes: tests/formats/scz/scz_colour_field_test).
#include "engine/field/colour_field_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip::field {
namespace {

constexpr const char* kScene = "splats/small-sh3-9k.ply";

struct Fitted {
  GaussianCloud cloud;
  ColourFieldData data;
  FieldModel model;
};

// A short CPU fit of the view-dependent bands (enough for realistic parameter ranges).
Fitted fitted(ColourTarget target) {
  auto scene = load_scene(test::data_path(kScene));
  EXPECT_TRUE(scene.ok());
  Fitted f{*scene->gaussians(), {}, {}};
  f.data = *make_colour_field_data(f.cloud, 16);
  FieldConfig c;
  c.levels = 6;
  c.log2_table_size = 13;
  c.base_resolution = 8;
  c.per_level_scale = 1.8f;
  c.hidden_width = 16;
  c.hidden_layers = 1;
  c.batch_size = 1024;
  c.steps = 150;
  f.model = *FieldModel::create(colour_field_config(c, target));
  EXPECT_TRUE(fit_colour_field_cpu(f.data, target, &f.model).ok());
  return f;
}

TEST(ColourFieldCodec, RoundTripLosesLittleAndDropsUntouchedEntries) {
  SCZ_REQUIRE_DATA(kScene);
  for (const ColourTarget target : {ColourTarget::kFull, ColourTarget::kViewDependent}) {
    const Fitted f = fitted(target);
    auto stored = store_colour_field(f.model, target, f.data.contraction, f.cloud.positions);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    auto decoded = load_colour_field(*stored, f.cloud.positions);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(decoded->target, target);
    EXPECT_EQ(field_config_json(decoded->model.config()), field_config_json(f.model.config()));
    EXPECT_EQ(decoded->contraction.centre, f.data.contraction.centre);
    std::size_t kept = 0;
    std::vector<float> unit;
    for (std::size_t i = 0; i < f.data.count; ++i) {
      for (int a = 0; a < 3; ++a) unit.push_back(f.data.gaussians[8 * i + a]);
    }
    for (bool t : touched_entries(f.model.layout(), unit)) kept += t;
    EXPECT_EQ(kept, stored->kept_entries());
    EXPECT_LT(kept, f.model.layout().entries);
    EXPECT_GT(kept, 0u);
    // Dropped entries come back as zero; kept ones within half a quantization step.
    const double before = colour_field_psnr(f.model, f.data, target, 20000, 5);
    const double after = colour_field_psnr(decoded->model, f.data, target, 20000, 5);
    auto bytes = colour_field_file_bytes(*stored);
    ASSERT_TRUE(bytes.ok());
    std::printf("%s: %zu bytes (%zu of %u entries kept), PSNR %.2f -> %.2f dB\n", colour_target_name(target),
                *bytes, kept, f.model.layout().entries, before, after);
    EXPECT_GT(after, before - 0.5);
    // Under half of the parameters as float32.
    EXPECT_LT(*bytes, f.model.parameter_count() * 2);
  }
}

TEST(ColourFieldCodec, RejectsMismatchedStreams) {
  SCZ_REQUIRE_DATA(kScene);
  const Fitted f = fitted(ColourTarget::kViewDependent);
  auto stored = store_colour_field(f.model, ColourTarget::kViewDependent, f.data.contraction, f.cloud.positions);
  ASSERT_TRUE(stored.ok());
  // Positions other than those encoded touch other entries.
  std::vector<float> moved = f.cloud.positions;
  moved.resize(moved.size() / 2);
  EXPECT_FALSE(load_colour_field(*stored, moved).ok());
  // The other kind of colour field needs the other output activation.
  scz::ColourFieldStreams other = *stored;
  other.source = scz::ColourSource::kFieldFull;
  EXPECT_FALSE(load_colour_field(other, f.cloud.positions).ok());
  // Settings that disagree with the stored counts, or are no settings at all.
  for (const char* settings : {"{\"levels\": 5}", "{", "[]", "{\"levels\": 6, \"nonsense\": 1}"}) {
    scz::ColourFieldStreams bad = *stored;
    bad.settings_json = settings;
    auto r = load_colour_field(bad, f.cloud.positions);
    ASSERT_FALSE(r.ok()) << settings;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  }
  scz::ColourFieldStreams fewer = *stored;
  fewer.weights.pop_back();
  EXPECT_FALSE(load_colour_field(fewer, f.cloud.positions).ok());
  scz::ColourFieldStreams nan = *stored;
  nan.level_min[0] = std::nanf("");
  EXPECT_FALSE(load_colour_field(nan, f.cloud.positions).ok());
}

}  // namespace
}  // namespace scenezip::field
