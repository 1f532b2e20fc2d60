// A fitted colour field as compact bytes: the hash entries that no Gaussian's cell
// corners touch are dropped (the decoder finds the same set from the positions it has
// already decoded), features are quantized to 8 bits per level, MLP weights stored as
// float16, and the whole compressed with zstd. Layout (before zstd, little endian):
//
//   u8 version (1), u8 target (0 all of the colour, 1 SH bands 1..3), u16 zero
//   u32 n, n bytes: the FieldConfig as JSON
//   6 x f32: contraction centre, half extent
//   per level 2 x f32: minimum and step of its 8-bit features (value = min + q * step)
//   u32 kept entries K, then K x features u8: kept entries in ascending table order
//   per layer, [out][in] weights as float16
//
// The zstd frame carries its content size and a checksum. Decoding checks every count
// against the bytes present and the configuration's limits.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/field/colour_field.h"

namespace scenezip::field {

struct DecodedColourField {
  ColourTarget target = ColourTarget::kFull;
  Contraction contraction;
  FieldModel model;
};

// `world_positions` (3 floats per Gaussian) are the positions the decoder will have:
// entries their cells do not touch are dropped.
Result<std::vector<std::uint8_t>> encode_colour_field(const FieldModel& model, ColourTarget target,
                                                      const Contraction& contraction,
                                                      const std::vector<float>& world_positions, int zstd_level = 19);

Result<DecodedColourField> decode_colour_field(const std::uint8_t* bytes, std::size_t size,
                                               const std::vector<float>& world_positions);

// Which table entries the cells of these unit-cube positions touch, per entry.
std::vector<bool> touched_entries(const HashGridLayout& layout, const std::vector<float>& unit_positions);

}  // namespace scenezip::field
