// A fitted colour field as the `.scz` colour-field streams (formats/scz/
// colour_field_layout.h, docs/FORMAT.md "Colour fields"): the hash entries that no
// Gaussian's cell corners touch are dropped (the decoder finds the same set from the
// positions it has already decoded), features are quantized to 8 bits per level and MLP
// weights stored as float16; the container then zstd-compresses each stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/field/colour_field.h"
#include "formats/scz/colour_field_layout.h"

namespace scenezip::field {

struct DecodedColourField {
  ColourTarget target = ColourTarget::kFull;
  Contraction contraction;
  FieldModel model;
};

// `world_positions` (3 floats per Gaussian) are the positions the decoder will have:
// entries their cells do not touch are dropped.
Result<scz::ColourFieldStreams> store_colour_field(const FieldModel& model, ColourTarget target,
                                                   const Contraction& contraction,
                                                   const std::vector<float>& world_positions);

// The field the streams hold, for the Gaussians at `world_positions`. Checks the
// settings, that they agree with the streams' counts, and that these positions touch
// exactly as many entries as were kept (invalid_input otherwise).
Result<DecodedColourField> load_colour_field(const scz::ColourFieldStreams& streams,
                                             const std::vector<float>& world_positions);

// Bytes the three streams take in a file, each zstd-compressed at `zstd_level` (or raw
// where that is smaller), as the container writer stores them.
Result<std::size_t> colour_field_file_bytes(const scz::ColourFieldStreams& streams, int zstd_level = 19);

// Which table entries the cells of these unit-cube positions touch, per entry.
std::vector<bool> touched_entries(const HashGridLayout& layout, const std::vector<float>& unit_positions);

// Fits a colour field (in place, from its initial parameters): the CPU reference
// (fit_colour_field_cpu) or the GPU's (engine/gpu's fit_colour_field_gpu).
using ColourFitFunction =
    std::function<Result<ColourFitReport>(const ColourFieldData& data, ColourTarget target, FieldModel* model)>;

// What a `.scz` encoder stores for `cloud`'s colours (its positions already those the
// decoder will have): a field of `settings_json` (FieldConfig, made a colour field of
// `target`), fitted with `fit` to directions uniform over the sphere, as the decoder
// fits SH over the sphere.
Result<scz::ColourFieldStreams> fit_and_store_colour_field(const GaussianCloud& cloud, ColourTarget target,
                                                           const std::string& settings_json,
                                                           const ColourFitFunction& fit);

ColourTarget colour_target_of(scz::ColourSource source);
scz::ColourSource colour_source_of(ColourTarget target);

}  // namespace scenezip::field
