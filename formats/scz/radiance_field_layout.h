// The streams of radiance-field `.scz` files (scene kind 4; docs/FORMAT.md, "Radiance
// fields"). This side knows the bytes only: counts, sizes, ranges. What the field means
// (hash layout, evaluating it, marching rays) is engine/field's (nerf_codec.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "formats/file_io.h"
#include "formats/scz/container.h"
#include "formats/scz/writer.h"

namespace scenezip::scz {

// The header's scene kind of radiance fields. Not a member of SceneKindId (container.h),
// whose kinds decode to Scenes; the container accepts it, decode_scene refuses it.
inline constexpr SceneKindId kRadianceFieldKind = static_cast<SceneKindId>(4);

// Stream IDs.
inline constexpr std::uint16_t kRadianceHeaderStream = 96;
inline constexpr std::uint16_t kRadianceOccupancyStream = 97;
inline constexpr std::uint16_t kRadianceKeptStream = 98;
inline constexpr std::uint16_t kRadianceFeatureStream = 99;
inline constexpr std::uint16_t kRadianceWeightStream = 100;

inline constexpr std::uint32_t kRadianceMaxLevels = 32;
inline constexpr std::uint32_t kRadianceMaxFeatures = 8;
inline constexpr std::uint32_t kRadianceMaxEntries = 1u << 26;  // 32 levels of 2^21
inline constexpr std::uint32_t kRadianceMaxWeights = 1u << 20;
inline constexpr std::uint32_t kRadianceMaxGrid = 512;
inline constexpr std::uint32_t kRadianceMaxSettingsBytes = 1u << 16;
inline constexpr std::size_t kRadianceFixedHeaderBytes = 28;

// A radiance field as stored: which hash-table entries are kept (a bit per entry of the
// whole table), their 8-bit features (kept entries ascending, features of an entry
// together), each level's dequantization (feature = min + q * step), MLP weights
// (float16 in the file), the occupancy grid as bits, and the field's settings as JSON
// text ({"field": FieldConfig, "nerf": NerfSettings}).
struct RadianceFieldStreams {
  std::uint32_t levels = 0;
  std::uint32_t features = 0;
  std::uint32_t entries = 0;  // of the whole table
  std::uint32_t grid_resolution = 0;
  std::vector<float> level_min, level_step;
  std::vector<std::uint8_t> kept;       // ceil(entries / 8) bytes, bit e of byte e / 8 (low bit first)
  std::vector<std::uint8_t> quantized;  // kept entries x features
  std::vector<float> weights;
  std::vector<std::uint8_t> occupancy;  // ceil(G^3 / 8) bytes, cell x + G (y + G z)
  std::string settings_json;
};

std::uint32_t count_bits(const std::vector<std::uint8_t>& bits, std::uint64_t bit_count);

// Streams to hand to write_container (kind kRadianceFieldKind, count = occupied cells).
Result<std::vector<StreamToWrite>> serialize_radiance_field(const RadianceFieldStreams& field);
// Reads and checks every stream of a radiance-field container: sizes derived from the
// header before anything is read, counts within the limits, the kept bits agreeing with
// the feature count, finite ranges and weights, occupied cells agreeing with the count.
Result<RadianceFieldStreams> read_radiance_field(const Container& container);

std::string radiance_stream_name(std::uint16_t id);

}  // namespace scenezip::scz
