#include "engine/field/colour_field_codec.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "formats/scz/float16.h"

namespace scenezip::field {

namespace {

std::vector<float> contract_all(const Contraction& contraction, const std::vector<float>& world) {
  std::vector<float> unit(world.size());
  for (std::size_t i = 0; i + 2 < world.size(); i += 3) contraction.apply(&world[i], &unit[i]);
  return unit;
}

}  // namespace

ColourTarget colour_target_of(scz::ColourSource source) {
  return source == scz::ColourSource::kFieldFull ? ColourTarget::kFull : ColourTarget::kViewDependent;
}

scz::ColourSource colour_source_of(ColourTarget target) {
  return target == ColourTarget::kFull ? scz::ColourSource::kFieldFull : scz::ColourSource::kFieldViewDependent;
}

std::vector<bool> touched_entries(const HashGridLayout& layout, const std::vector<float>& unit_positions) {
  std::vector<bool> touched(layout.entries, false);
  for (std::size_t i = 0; i + 2 < unit_positions.size(); i += 3) {
    for (const HashLevel& level : layout.levels) {
      const CellCorners corners = cell_corners(level, &unit_positions[i]);
      for (std::uint32_t e : corners.entry) touched[e] = true;
    }
  }
  return touched;
}

Result<scz::ColourFieldStreams> store_colour_field(const FieldModel& model, ColourTarget target,
                                                   const Contraction& contraction,
                                                   const std::vector<float>& world_positions) {
  const HashGridLayout& layout = model.layout();
  const int features = layout.features;
  const std::vector<bool> touched = touched_entries(layout, contract_all(contraction, world_positions));
  scz::ColourFieldStreams s;
  s.source = colour_source_of(target);
  s.levels = static_cast<int>(layout.levels.size());
  s.features = features;
  s.centre = contraction.centre;
  s.half_extent = contraction.half_extent;
  s.settings_json = field_config_json(model.config());
  // Per level: the range of its kept features, 255 steps across it.
  for (const HashLevel& level : layout.levels) {
    float lo = 0.0f, hi = 0.0f;
    bool any = false;
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!touched[e]) continue;
      for (int f = 0; f < features; ++f) {
        const float v = model.params[static_cast<std::size_t>(e) * features + f];
        if (!std::isfinite(v)) return invalid_input("colour field: a hash feature is not finite");
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
      }
    }
    s.level_min.push_back(lo);
    s.level_step.push_back(hi > lo ? (hi - lo) / 255.0f : 0.0f);
  }
  for (std::size_t l = 0; l < layout.levels.size(); ++l) {
    const HashLevel& level = layout.levels[l];
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!touched[e]) continue;
      for (int f = 0; f < features; ++f) {
        const float v = model.params[static_cast<std::size_t>(e) * features + f];
        const float q = s.level_step[l] > 0 ? std::round((v - s.level_min[l]) / s.level_step[l]) : 0.0f;
        s.quantized.push_back(static_cast<std::uint8_t>(std::clamp(q, 0.0f, 255.0f)));
      }
    }
  }
  for (std::size_t i = model.hash_parameter_count(); i < model.parameter_count(); ++i) {
    // What the decoder will have: float16.
    s.weights.push_back(scz::half_to_float(scz::float_to_half(model.params[i])));
  }
  SCZ_RETURN_IF_ERROR(scz::check_colour_field_streams(s, world_positions.size() / 3));
  return s;
}

Result<DecodedColourField> load_colour_field(const scz::ColourFieldStreams& s,
                                             const std::vector<float>& world_positions) {
  SCZ_RETURN_IF_ERROR(scz::check_colour_field_streams(s, world_positions.size() / 3));
  Result<FieldConfig> config = parse_field_config(s.settings_json);
  if (!config.ok()) return config.status().with_context("colour field");
  if (config->output_dims != 3 || config->direction_degree < 0) {
    return invalid_input("colour field: settings without 3 outputs and a direction encoding");
  }
  const ColourTarget target = colour_target_of(s.source);
  const OutputActivation expected =
      target == ColourTarget::kFull ? OutputActivation::kSigmoid : OutputActivation::kNone;
  if (config->output_activation != expected) {
    return invalid_input("colour field: output activation does not suit the colour source");
  }
  const HashGridLayout layout = make_hash_layout(*config);
  if (static_cast<int>(layout.levels.size()) != s.levels || config->features != s.features) {
    return invalid_input("colour field: settings disagree with the stored levels or features");
  }
  std::uint64_t weights = 0;
  {
    int in = config->input_dims();
    for (int l = 0; l <= config->hidden_layers; ++l) {
      const int o = l == config->hidden_layers ? config->output_dims : config->hidden_width;
      weights += static_cast<std::uint64_t>(in) * o;
      in = o;
    }
  }
  if (weights != s.weights.size()) {
    return invalid_input("colour field: " + std::to_string(s.weights.size()) + " weights stored where the settings need " +
                         std::to_string(weights));
  }
  DecodedColourField out;
  out.target = target;
  out.contraction.centre = s.centre;
  out.contraction.half_extent = s.half_extent;
  const std::vector<bool> touched = touched_entries(layout, contract_all(out.contraction, world_positions));
  const std::uint32_t kept = s.kept_entries();
  if (kept > layout.entries || static_cast<std::uint32_t>(std::count(touched.begin(), touched.end(), true)) != kept) {
    return invalid_input("colour field: stored for other positions (" + std::to_string(kept) +
                         " entries kept, these positions touch a different number)");
  }
  Result<FieldModel> model = FieldModel::create(*config);
  if (!model.ok()) return model.status();
  out.model = std::move(*model);
  std::fill(out.model.params.begin(), out.model.params.begin() + out.model.hash_parameter_count(), 0.0f);
  const std::uint8_t* q = s.quantized.data();
  for (std::size_t l = 0; l < layout.levels.size(); ++l) {
    const HashLevel& level = layout.levels[l];
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!touched[e]) continue;
      for (int f = 0; f < s.features; ++f) {
        out.model.params[static_cast<std::size_t>(e) * s.features + f] = s.level_min[l] + *q++ * s.level_step[l];
      }
    }
  }
  std::copy(s.weights.begin(), s.weights.end(), out.model.params.begin() + out.model.hash_parameter_count());
  return out;
}

Result<std::size_t> colour_field_file_bytes(const scz::ColourFieldStreams& streams, int zstd_level) {
  SCZ_ASSIGN_OR_RETURN(const scz::ColourFieldBytes bytes, scz::serialize_colour_field(streams));
  std::size_t total = 0;
  for (const Bytes* b : {&bytes.header, &bytes.features, &bytes.weights}) {
    std::vector<std::uint8_t> out(ZSTD_compressBound(b->size()));
    const std::size_t n = ZSTD_compress(out.data(), out.size(), b->data(), b->size(), zstd_level);
    if (ZSTD_isError(n)) return internal_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    total += std::min(n, b->size());
  }
  return total;
}

Result<scz::ColourFieldStreams> fit_and_store_colour_field(const GaussianCloud& cloud, ColourTarget target,
                                                           const std::string& settings_json,
                                                           const ColourFitFunction& fit) {
  Result<FieldConfig> parsed = parse_field_config(settings_json);
  if (!parsed.ok()) return parsed.status().with_context("colour field settings");
  const FieldConfig config = colour_field_config(*parsed, target);
  SCZ_RETURN_IF_ERROR(config.validate().with_context("colour field settings"));
  SCZ_ASSIGN_OR_RETURN(const ColourFieldData data, make_colour_field_data(cloud, 0));
  SCZ_ASSIGN_OR_RETURN(FieldModel model, FieldModel::create(config));
  SCZ_RETURN_IF_ERROR(fit(data, target, &model).status());
  return store_colour_field(model, target, data.contraction, cloud.positions);
}

}  // namespace scenezip::field
