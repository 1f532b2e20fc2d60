// What the Gaussian streams of an `.scz` file hold and how they are laid out: the part
// of the format the encoder and the decoder share (docs/FORMAT.md, "Gaussian scenes").
// Stream IDs and attribute IDs are part of the format and never change.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "formats/file_io.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

// Every attribute is coded as a vector per Gaussian, split into slices, each slice an
// index into its own codebook (sub-vector quantization).
enum class Attribute : std::uint8_t {
  kScale = 0,     // log-scales x y z
  kRotation = 1,  // unit quaternion w x y z with w >= 0; the decoder renormalises
  kOpacity = 2,   // sigmoid(logit opacity), in [0, 1]
  kColor = 3,     // SH DC coefficients R G B
  kSh = 4,        // higher SH bands: R G B of each basis function in turn, bands 1..degree
};
inline constexpr int kAttributeCount = 5;

// How an attribute's coded vector u maps back to its values v.
enum class Transform : std::uint8_t {
  kNone = 0,    // v = u
  kAffine = 1,  // v = mean + M u, with mean (dims) and M (dims x dims, row-major) in float32
                // in the attribute's transform stream; the encoder makes M the PCA basis
  // Rotations only: u = (i, a, b, c), where i (a whole number 0..3) names the quaternion
  // component of largest magnitude, taken positive, and a, b, c are the other three in
  // w x y z order, times sqrt(2) so they span [-1, 1]. The largest one follows from unit
  // length, so three values carry the rotation, each with finer steps than four would.
  kSmallestThree = 2,
};

const char* attribute_name(Attribute a);
// Floats per Gaussian in the attribute's vector for a scene of SH degree `sh_degree`.
int attribute_dims(Attribute a, int sh_degree);
// The attributes a scene of SH degree `degree` carries, in ID order.
std::vector<Attribute> attributes_for_degree(int degree);
// The same when a colour field carries the colour (layout byte 3, ColourSource in
// colour_field_layout.h: 0 SH, 1 field for SH bands 1..3, 2 field for all of it): the
// field replaces the sh attribute, and for all of the colour the color attribute too.
std::vector<Attribute> attributes_for(int degree, std::uint8_t colour_source);

// Stream IDs.
inline constexpr std::uint16_t kLayoutStream = 1;
inline constexpr std::uint16_t kPositionStream = 2;
inline constexpr std::uint16_t codebook_stream(Attribute a) { return static_cast<std::uint16_t>(16 + 2 * static_cast<int>(a)); }
inline constexpr std::uint16_t index_stream(Attribute a) { return static_cast<std::uint16_t>(17 + 2 * static_cast<int>(a)); }
inline constexpr std::uint16_t transform_stream(Attribute a) { return static_cast<std::uint16_t>(48 + static_cast<int>(a)); }

inline constexpr int kMaxCodebookSize = 65536;
inline constexpr int kMinPositionBits = 1;
inline constexpr int kMaxPositionBits = 21;  // three axes fill a 63-bit Morton code
// Opacity codes are clamped into this range before the logit, so 0 and 1 stay finite.
inline constexpr float kMinAlpha = 1e-7f;
inline constexpr float kMaxAlpha = 1.0f - 1e-7f;
// Transform entries beyond this are refused: with float16 codes (at most 65504) and at
// most 45 values, v = mean + M u then stays far inside the float range.
inline constexpr float kMaxTransformValue = 1e6f;

// How the position stream and each index stream hold their values (format version 2;
// version 1 knows only byte planes).
enum class StreamCoding : std::uint8_t {
  kPlanes = 0,  // fixed-width values in byte planes, for the container's zstd
  kRanged = 1,  // range coded with adaptive context models (formats/scz/ranged_streams.h)
  // Version 3, the sh attribute only: range coded as kRanged, each Gaussian led by a
  // presence bit; a Gaussian without it has no indices and all its higher SH bands zero
  // (most Gaussians of a trained scene show no view dependence worth its bits).
  kRangedPresence = 2,
};

struct SliceLayout {
  int dims = 1;
  int codebook_size = 1;
  // Index bytes per Gaussian: one up to 256 codes, else two.
  int index_bytes() const { return codebook_size <= 256 ? 1 : 2; }
};

struct AttributeLayout {
  Attribute attribute = Attribute::kScale;
  Transform transform = Transform::kNone;
  std::vector<SliceLayout> slices;
  StreamCoding index_coding = StreamCoding::kPlanes;
  int dims() const;
};

// The layout stream: everything the decoder needs besides the count.
struct GaussianLayout {
  int sh_degree = 0;
  std::uint8_t colour_source = 0;  // scz::ColourSource; non-zero needs SH degree 0
  int position_bits = 16;
  std::array<float, 3> bounds_min{0, 0, 0};
  std::array<float, 3> bounds_max{0, 0, 0};
  std::vector<AttributeLayout> attributes;  // exactly attributes_for_degree(sh_degree), in order
  StreamCoding position_coding = StreamCoding::kPlanes;

  const AttributeLayout* find(Attribute a) const;
};

// Raw sizes of the streams for `count` Gaussians.
std::uint64_t position_stream_bytes(const GaussianLayout& layout, std::uint64_t count);
int position_delta_bytes(int position_bits);
std::uint64_t codebook_stream_bytes(const AttributeLayout& attribute);
std::uint64_t index_stream_bytes(const AttributeLayout& attribute, std::uint64_t count);
std::uint64_t transform_stream_bytes(const AttributeLayout& attribute);
// The layout stream is the one variable-size stream read before the others are known.
inline constexpr std::uint64_t kMaxLayoutBytes = 4096;

// Transform::kSmallestThree: `q` (w x y z, unit length, either sign) to the coded
// vector u, and back. Back accepts any u: the index is rounded and clamped, the three
// values clamped, so a damaged file still yields a unit quaternion.
void rotation_to_smallest_three(const float* q, float* u);
void smallest_three_to_rotation(const float* u, float* q);

// Encodes the layout stream. The layout must be valid (check_layout).
Bytes serialize_layout(const GaussianLayout& layout);
// Decodes and checks a layout stream of a file of format `version`; any inconsistency
// is invalid_input (a stream coding other than byte planes needs version 2, presence
// bits version 3).
Result<GaussianLayout> parse_layout(const Bytes& bytes, int version = kFormatVersion);
// Checks a layout built in memory against the rules parse_layout enforces.
Status check_layout(const GaussianLayout& layout);

}  // namespace scenezip::scz
