// The colour-field streams of Gaussian `.scz` files (docs/FORMAT.md, "Colour fields"):
// the scene's colour carried by a hash-grid neural field instead of SH coefficients.
// This side knows the bytes only: counts, sizes, ranges. What the field means (its
// hash layout, which table entries the Gaussians touch, evaluating it) is
// engine/field's, which a program installs as the resolver below.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"

namespace scenezip::scz {

// Layout byte 3: where a Gaussian scene's colour comes from. Values never change.
enum class ColourSource : std::uint8_t {
  kSh = 0,                  // the color (and sh) attributes, as before colour fields existed
  kFieldViewDependent = 1,  // the color attribute holds the DC; a field gives SH bands 1..3's part
  kFieldFull = 2,           // a field gives all of the colour; no color attribute
};
inline constexpr std::uint8_t kMaxColourSource = 2;
const char* colour_source_name(ColourSource source);

// Stream IDs.
inline constexpr std::uint16_t kColourFieldHeaderStream = 64;
inline constexpr std::uint16_t kColourFieldFeatureStream = 65;
inline constexpr std::uint16_t kColourFieldWeightStream = 66;

inline constexpr int kColourFieldMaxLevels = 32;
inline constexpr int kColourFieldMaxFeatures = 8;
inline constexpr std::uint32_t kColourFieldMaxWeights = 1u << 20;
inline constexpr std::uint64_t kColourFieldMaxHeaderBytes = 1u << 16;

// The field as stored: 8-bit features of the table entries some Gaussian's cell
// corners touch (ascending table order), each level's dequantization range, MLP weights
// (decoded from float16), and the field's settings as JSON text.
struct ColourFieldStreams {
  ColourSource source = ColourSource::kFieldViewDependent;
  int levels = 0;
  int features = 0;  // per table entry
  std::array<float, 3> centre{0, 0, 0};
  std::array<float, 3> half_extent{1, 1, 1};
  std::vector<float> level_min, level_step;  // feature = min + q * step
  std::string settings_json;
  std::vector<std::uint8_t> quantized;  // kept entries x features
  std::vector<float> weights;           // every MLP layer's [out][in], first layer first

  std::uint32_t kept_entries() const {
    return features > 0 ? static_cast<std::uint32_t>(quantized.size() / features) : 0;
  }
};

// The three raw streams (header, features, weights) of a field; the field must be
// consistent (check_colour_field_streams).
struct ColourFieldBytes {
  Bytes header, features, weights;
};
Result<ColourFieldBytes> serialize_colour_field(const ColourFieldStreams& field);

// Checks what the bytes alone can: counts within the limits (at most 8 entries per level
// per Gaussian of a `count`-Gaussian scene), finite ranges and contraction, finite weights.
Status check_colour_field_streams(const ColourFieldStreams& field, std::uint64_t count);

// Parses the header stream; the feature and weight streams' sizes follow from it.
Result<ColourFieldStreams> parse_colour_field_header(const Bytes& header, ColourSource source, std::uint64_t count,
                                                     std::uint32_t* kept_entries, std::uint32_t* weight_count);

// Turns a decoded field into the cloud's colours (engine/field provides one: it builds
// the field for the cloud's positions and fits SH per Gaussian). Without one, decoding
// a file with a colour field is `unsupported`.
using ColourFieldResolver = std::function<Status(const ColourFieldStreams& field, GaussianCloud& cloud)>;
void set_colour_field_resolver(ColourFieldResolver resolver);
const ColourFieldResolver& colour_field_resolver();

}  // namespace scenezip::scz
