#include "engine/field/nerf_codec.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "formats/scz/writer.h"

namespace scenezip::field {

std::vector<bool> reachable_entries(const HashGridLayout& layout, const std::vector<std::uint8_t>& occupancy,
                                    int g) {
  std::vector<bool> kept(layout.entries, false);
  std::vector<std::uint32_t> occupied;
  const std::size_t cells = static_cast<std::size_t>(g) * g * g;
  for (std::size_t i = 0; i < cells; ++i) {
    if (occupancy[i / 8] >> (i % 8) & 1) occupied.push_back(static_cast<std::uint32_t>(i));
  }
  for (const HashLevel& level : layout.levels) {
    const std::uint32_t r = level.resolution;
    // The level's cells an occupied grid cell overlaps, and their corner vertices.
    auto first = [&](std::uint32_t c) { return static_cast<std::uint32_t>(std::floor(static_cast<double>(c) * r / g)); };
    auto last = [&](std::uint32_t c) {
      return std::min(r - 1, static_cast<std::uint32_t>(std::floor(static_cast<double>(c + 1) * r / g)));
    };
    const double span = std::ceil(static_cast<double>(r) / g) + 2;
    if (static_cast<double>(occupied.size()) * span * span * span > 16.0 * level.size) {
      for (std::uint32_t e = 0; e < level.size; ++e) kept[level.offset + e] = true;
      continue;
    }
    for (std::uint32_t cell : occupied) {
      const std::uint32_t c[3] = {cell % g, cell / g % g, cell / (static_cast<std::uint32_t>(g) * g)};
      for (std::uint32_t z = first(c[2]); z <= last(c[2]) + 1; ++z) {
        for (std::uint32_t y = first(c[1]); y <= last(c[1]) + 1; ++y) {
          for (std::uint32_t x = first(c[0]); x <= last(c[0]) + 1; ++x) {
            kept[level.offset + hash_vertex_index(level, x, y, z)] = true;
          }
        }
      }
    }
  }
  return kept;
}

namespace {

std::size_t weight_count(const FieldModel& model) { return model.parameter_count() - model.hash_parameter_count(); }

std::vector<std::uint8_t> occupancy_bits(const std::vector<float>& grid, float threshold) {
  std::vector<std::uint8_t> bits((grid.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    if (grid[i] > threshold) bits[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
  }
  return bits;
}

}  // namespace

Result<std::vector<bool>> nerf_prune_mask(const FieldModel& model, std::span<const float> contribution,
                                          const std::vector<bool>& candidates, double keep_fraction) {
  const std::size_t entries = model.layout().entries;
  if (contribution.size() != entries || candidates.size() != entries) {
    return invalid_input("contribution has " + std::to_string(contribution.size()) + " values for " +
                         std::to_string(entries) + " table entries");
  }
  if (!(keep_fraction > 0 && keep_fraction <= 1)) return invalid_input("keep fraction must be in (0, 1]");
  const std::size_t f = static_cast<std::size_t>(model.layout().features);
  std::vector<bool> kept(entries, false);
  std::vector<std::pair<float, std::uint32_t>> scored;
  std::size_t candidate_count = 0;
  for (std::size_t e = 0; e < entries; ++e) {
    if (!candidates[e]) continue;
    ++candidate_count;
    float magnitude = 0;
    for (std::size_t k = 0; k < f; ++k) magnitude += std::fabs(model.params[e * f + k]);
    const float score = contribution[e] * magnitude;
    if (score > 0) scored.emplace_back(score, static_cast<std::uint32_t>(e));
  }
  const std::size_t keep = static_cast<std::size_t>(std::ceil(keep_fraction * static_cast<double>(candidate_count)));
  if (scored.size() > keep) {
    std::nth_element(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    scored.resize(keep);
  }
  for (const auto& [score, e] : scored) kept[e] = true;
  return kept;
}

Result<scz::RadianceFieldStreams> store_nerf(const FieldModel& model, const NerfSettings& settings,
                                             const std::vector<float>& grid, const NerfStoreOptions& options) {
  SCZ_RETURN_IF_ERROR(settings.validate());
  if (options.feature_bits < 1 || options.feature_bits > 8) return invalid_input("feature bits must be in 1..8");
  const float top = static_cast<float>((1 << options.feature_bits) - 1);
  const std::size_t g = static_cast<std::size_t>(settings.grid_resolution);
  if (grid.size() != g * g * g) return invalid_input("occupancy grid of the wrong size");
  const HashGridLayout& layout = model.layout();
  scz::RadianceFieldStreams s;
  s.levels = static_cast<std::uint32_t>(layout.levels.size());
  s.features = static_cast<std::uint32_t>(layout.features);
  s.entries = layout.entries;
  s.grid_resolution = static_cast<std::uint32_t>(g);
  s.occupancy = occupancy_bits(grid, settings.density_threshold);
  std::vector<bool> kept = reachable_entries(layout, s.occupancy, settings.grid_resolution);
  if (!options.keep.empty()) {
    if (options.keep.size() != kept.size()) return invalid_input("keep mask does not match the table's entries");
    for (std::size_t e = 0; e < kept.size(); ++e) kept[e] = kept[e] && options.keep[e];
  }
  s.kept.assign((layout.entries + 7) / 8, 0);
  const std::size_t f = static_cast<std::size_t>(layout.features);
  for (const HashLevel& level : layout.levels) {
    float lo = 0, hi = 0;
    bool any = false;
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!kept[e]) continue;
      for (std::size_t k = 0; k < f; ++k) {
        const float v = model.params[e * f + k];
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
      }
    }
    const float step = hi > lo ? (hi - lo) / top : 0.0f;
    s.level_min.push_back(lo);
    s.level_step.push_back(step);
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!kept[e]) continue;
      s.kept[e / 8] |= static_cast<std::uint8_t>(1u << (e % 8));
      for (std::size_t k = 0; k < f; ++k) {
        const float q = step > 0 ? std::round((model.params[e * f + k] - lo) / step) : 0.0f;
        s.quantized.push_back(static_cast<std::uint8_t>(std::clamp(q, 0.0f, top)));
      }
    }
  }
  s.weights.assign(model.params.begin() + static_cast<std::ptrdiff_t>(model.hash_parameter_count()), model.params.end());
  nlohmann::ordered_json j;
  j["field"] = nlohmann::json::parse(field_config_json(model.config()));
  j["nerf"] = nlohmann::json::parse(nerf_settings_json(settings));
  s.settings_json = j.dump();
  return s;
}

Result<DecodedNerf> load_nerf(const scz::RadianceFieldStreams& s) {
  DecodedNerf d;
  FieldConfig config;
  try {
    const nlohmann::json j = nlohmann::json::parse(s.settings_json);
    if (!j.is_object() || !j.contains("field") || !j.contains("nerf")) {
      return invalid_input("field header settings lack \"field\" or \"nerf\"");
    }
    SCZ_ASSIGN_OR_RETURN(config, parse_field_config(j["field"].dump()));
    SCZ_ASSIGN_OR_RETURN(d.settings, parse_nerf_settings(j["nerf"].dump()));
  } catch (const std::exception&) {
    return invalid_input("field header settings are not valid JSON");
  }
  if (config.output_dims != 4 || config.output_activation != OutputActivation::kNone) {
    return invalid_input("field header settings: not a radiance field (4 raw outputs)");
  }
  // Size the table from the settings only once they agree with the header's counts.
  const HashGridLayout layout = make_hash_layout(config);
  if (layout.levels.size() != s.levels || static_cast<std::uint32_t>(layout.features) != s.features ||
      layout.entries != s.entries) {
    return invalid_input("field header counts do not match its settings");
  }
  if (static_cast<std::uint32_t>(d.settings.grid_resolution) != s.grid_resolution) {
    return invalid_input("field header grid size does not match its settings");
  }
  SCZ_ASSIGN_OR_RETURN(d.model, FieldModel::create(config));
  if (weight_count(d.model) != s.weights.size()) return invalid_input("field header weight count does not match its settings");
  const std::size_t f = s.features;
  std::fill(d.model.params.begin(), d.model.params.begin() + static_cast<std::ptrdiff_t>(d.model.hash_parameter_count()),
            0.0f);
  std::size_t q = 0;
  for (std::size_t l = 0; l < layout.levels.size(); ++l) {
    const HashLevel& level = layout.levels[l];
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!(s.kept[e / 8] >> (e % 8) & 1)) continue;
      if (q + f > s.quantized.size()) return invalid_input("features stream is shorter than the kept entries");
      for (std::size_t k = 0; k < f; ++k) d.model.params[e * f + k] = s.level_min[l] + s.quantized[q++] * s.level_step[l];
      ++d.kept_entries;
    }
  }
  std::copy(s.weights.begin(), s.weights.end(),
            d.model.params.begin() + static_cast<std::ptrdiff_t>(d.model.hash_parameter_count()));
  d.grid = nerf_grid_from_bits(s.occupancy, d.settings.grid_resolution, d.settings);
  d.occupied_cells = scz::count_bits(s.occupancy, d.grid.size());
  return d;
}

Result<Bytes> encode_nerf_file(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                               NerfStoreReport* report, const NerfStoreOptions& options) {
  SCZ_ASSIGN_OR_RETURN(const scz::RadianceFieldStreams s, store_nerf(model, settings, grid, options));
  const std::uint32_t occupied = scz::count_bits(s.occupancy, grid.size());
  SCZ_ASSIGN_OR_RETURN(std::vector<scz::StreamToWrite> streams, scz::serialize_radiance_field(s));
  SCZ_ASSIGN_OR_RETURN(Bytes file, scz::write_container(scz::kRadianceFieldKind, occupied, s.settings_json,
                                                        std::move(streams)));
  if (report) {
    report->float_bytes = model.parameter_count() * sizeof(float) + s.occupancy.size();
    report->entries = s.entries;
    report->kept_entries = scz::count_bits(s.kept, s.entries);
    report->occupied_cells = occupied;
  }
  return file;
}

Result<DecodedNerf> decode_nerf_file(std::span<const std::uint8_t> file) {
  SCZ_ASSIGN_OR_RETURN(const scz::Container c, scz::parse_container(file));
  SCZ_ASSIGN_OR_RETURN(const scz::RadianceFieldStreams s, scz::read_radiance_field(c));
  return load_nerf(s);
}

}  // namespace scenezip::field
