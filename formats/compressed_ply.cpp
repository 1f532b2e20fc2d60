#include "formats/compressed_ply.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>

#include "formats/splat.h"

namespace scenezip {

namespace {

// Chunk row in the order the writer stores it; a file without colour ranges reads as if
// they were [0, 1], which is exactly what such files mean.
const char* const kChunkNames[] = {"min_x",       "min_y",       "min_z",       "max_x",       "max_y",
                                   "max_z",       "min_scale_x", "min_scale_y", "min_scale_z", "max_scale_x",
                                   "max_scale_y", "max_scale_z", "min_r",       "min_g",       "min_b",
                                   "max_r",       "max_g",       "max_b"};
constexpr int kChunkFloats = 18;
constexpr int kRequiredChunkFloats = 12;
enum ChunkField { kPosMin = 0, kPosMax = 3, kScaleMin = 6, kScaleMax = 9, kColorMin = 12, kColorMax = 15 };
using ChunkRanges = std::array<float, kChunkFloats>;

const char* const kPackedNames[] = {"packed_position", "packed_rotation", "packed_scale", "packed_color"};

// PlayCanvas clamps log-scale ranges here because trainers leave some scales at -inf.
constexpr float kLogScaleLimit = 20.0f;
// The SH bytes cover [-kShLimit, kShLimit].
constexpr float kShLimit = 4.0f;
// With the largest component dropped, the other three lie within +-1/sqrt(2); times
// sqrt(2) they span [-1, 1].
constexpr double kRotationScale = 1.4142135623730951;

float from_unorm(std::uint32_t value, int bits) {
  const std::uint32_t max = (1u << bits) - 1;
  return static_cast<float>(value & max) / static_cast<float>(max);
}

// Encoder arithmetic is in double, as in PlayCanvas's writer, so that the same input
// gives the same words.
std::uint32_t to_unorm(double t, int bits) {
  const double max = static_cast<double>((1u << bits) - 1);
  return static_cast<std::uint32_t>(std::clamp(std::floor(t * max + 0.5), 0.0, max));
}

// Interpolates in double so t = 0 and t = 1 give the range ends exactly.
float lerp(float lo, float hi, float t) {
  return static_cast<float>(static_cast<double>(lo) * (1.0 - t) + static_cast<double>(hi) * t);
}

double fraction(float value, float lo, float hi) {
  if (!(hi > lo)) return 0.0;
  return std::clamp((static_cast<double>(value) - lo) / (static_cast<double>(hi) - lo), 0.0, 1.0);
}

std::array<float, 3> unpack_11_10_11(std::uint32_t v) {
  return {from_unorm(v >> 21, 11), from_unorm(v >> 11, 10), from_unorm(v, 11)};
}

std::uint32_t pack_11_10_11(double x, double y, double z) {
  return (to_unorm(x, 11) << 21) | (to_unorm(y, 10) << 11) | to_unorm(z, 11);
}

void unpack_rotation(std::uint32_t v, float* wxyz) {
  const int largest = static_cast<int>(v >> 30);
  float sum = 0.0f;
  int shift = 20;
  for (int k = 0; k < 4; ++k) {
    if (k == largest) continue;
    wxyz[k] = static_cast<float>((from_unorm(v >> shift, 10) - 0.5) * kRotationScale);
    sum += wxyz[k] * wxyz[k];
    shift -= 10;
  }
  // Garbage bits can make the three exceed unit length; the caller renormalises.
  wxyz[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
}

std::uint32_t pack_rotation(const float* wxyz) {
  double q[4];
  double len = 0.0;
  for (int k = 0; k < 4; ++k) len += static_cast<double>(wxyz[k]) * wxyz[k];
  len = std::sqrt(len);
  for (int k = 0; k < 4; ++k) q[k] = len > 0.0 ? wxyz[k] / len : (k == 0 ? 1.0 : 0.0);
  int largest = 0;
  for (int k = 1; k < 4; ++k) {
    if (std::abs(q[k]) > std::abs(q[largest])) largest = k;
  }
  // q and -q are the same rotation, so the dropped component can always be positive.
  const double sign = q[largest] < 0.0 ? -1.0 : 1.0;
  std::uint32_t bits = static_cast<std::uint32_t>(largest);
  for (int k = 0; k < 4; ++k) {
    if (k == largest) continue;
    bits = (bits << 10) | to_unorm(sign * q[k] * (0.5 * kRotationScale) + 0.5, 10);
  }
  return bits;
}

float sh_from_byte(std::uint8_t b) {
  if (b == 0) return -kShLimit;
  if (b == 255) return kShLimit;
  return (static_cast<float>(b) + 0.5f) / 256.0f * (2.0f * kShLimit) - kShLimit;
}

// The bin the value falls in, as PlayCanvas writes it. Rounding to the nearest decoded
// level would save a little at the two end bins, which decode to -4 and 4 rather than to
// their centres, but would give other bytes than the reference writer for the same input.
std::uint8_t sh_to_byte(float value) {
  const double u = (static_cast<double>(value) / (2.0 * kShLimit) + 0.5) * 256.0;
  return static_cast<std::uint8_t>(std::clamp(std::trunc(u), 0.0, 255.0));
}

int degree_from_rest_count(int rest) {
  for (int d = 1; d <= kMaxShDegree; ++d) {
    if (sh_rest_per_gaussian(d) == rest) return d;
  }
  return -1;
}

Result<const ply::Property*> scalar_property(const ply::Element& element, const std::string& name) {
  const ply::Property* p = element.find(name);
  if (!p) return invalid_input("compressed PLY element '" + element.name + "' lacks property '" + name + "'");
  if (p->is_list) return invalid_input("compressed PLY property '" + name + "' is a list, expected a scalar");
  return p;
}

Result<const ply::Property*> typed_property(const ply::Element& element, const std::string& name, ply::Type type) {
  SCZ_ASSIGN_OR_RETURN(const ply::Property* p, scalar_property(element, name));
  if (p->type != type) {
    return invalid_input("compressed PLY property '" + name + "' is " + ply::type_name(p->type) + ", expected " +
                         ply::type_name(type));
  }
  return p;
}

Result<std::vector<ChunkRanges>> read_chunks(const ply::Element& chunk) {
  int present_colour = 0;
  for (int k = kRequiredChunkFloats; k < kChunkFloats; ++k) present_colour += chunk.find(kChunkNames[k]) != nullptr;
  if (present_colour != 0 && present_colour != kChunkFloats - kRequiredChunkFloats) {
    return invalid_input("compressed PLY chunk has " + std::to_string(present_colour) +
                         " of the 6 colour range properties (min_r..max_b): expected all or none");
  }
  const int fields = present_colour ? kChunkFloats : kRequiredChunkFloats;
  std::vector<const ply::Property*> props;
  for (int k = 0; k < fields; ++k) {
    SCZ_ASSIGN_OR_RETURN(const ply::Property* p, scalar_property(chunk, kChunkNames[k]));
    props.push_back(p);
  }
  std::vector<ChunkRanges> chunks(chunk.count);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    ChunkRanges& r = chunks[c];
    for (int k = 0; k < 3; ++k) {
      r[kColorMin + k] = 0.0f;
      r[kColorMax + k] = 1.0f;
    }
    for (int k = 0; k < fields; ++k) {
      r[k] = ply::get<float>(chunk, c, *props[k]);
      if (!std::isfinite(r[k])) {
        return invalid_input("compressed PLY chunk " + std::to_string(c) + " has a non-finite " + kChunkNames[k]);
      }
    }
  }
  return chunks;
}

// Sorts `indices` by the Morton code of their positions within the bounds of the set, then
// refines runs that share one code and are larger than a chunk within their own bounds.
void morton_sort(const std::vector<float>& positions, std::uint32_t* indices, std::size_t n) {
  if (n <= 1) return;
  float lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::numeric_limits<float>::infinity();
    hi[a] = -lo[a];
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < 3; ++a) {
      const float v = positions[3 * std::size_t{indices[i]} + a];
      lo[a] = std::min(lo[a], v);
      hi[a] = std::max(hi[a], v);
    }
  }
  double scale[3];
  bool all_equal = true;
  for (int a = 0; a < 3; ++a) {
    const double extent = static_cast<double>(hi[a]) - lo[a];
    if (!std::isfinite(extent)) return;
    all_equal = all_equal && extent == 0.0;
    scale[a] = extent > 0.0 ? 1024.0 / extent : 0.0;
  }
  if (all_equal) return;

  auto spread = [](std::uint32_t v) {  // 10 bits to every third bit of 30
    v &= 0x3ffu;
    v = (v | (v << 16)) & 0x030000ffu;
    v = (v | (v << 8)) & 0x0300f00fu;
    v = (v | (v << 4)) & 0x030c30c3u;
    v = (v | (v << 2)) & 0x09249249u;
    return v;
  };
  // Code in the high word, the original slot in the low word: ties keep input order.
  std::vector<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t cell[3];
    for (int a = 0; a < 3; ++a) {
      const double t = (static_cast<double>(positions[3 * std::size_t{indices[i]} + a]) - lo[a]) * scale[a];
      cell[a] = static_cast<std::uint32_t>(std::min(1023.0, t));
    }
    const std::uint64_t code = spread(cell[0]) | (spread(cell[1]) << 1) | (spread(cell[2]) << 2);
    keys[i] = (code << 32) | i;
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::uint32_t> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = indices[keys[i] & 0xffffffffu];
  std::copy(sorted.begin(), sorted.end(), indices);

  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && (keys[end] >> 32) == (keys[start] >> 32)) ++end;
    if (end - start > kCompressedPlyChunkSize) morton_sort(positions, indices + start, end - start);
    start = end;
  }
}

}  // namespace

bool is_compressed_ply(const ply::File& h) {
  return h.find("chunk") && h.find("vertex") && h.find("vertex")->find("packed_position");
}

Result<GaussianCloud> decode_compressed_ply(const ply::File& file) {
  const ply::Element* chunk = file.find("chunk");
  const ply::Element* vertex = file.find("vertex");
  if (!chunk) return invalid_input("compressed PLY has no 'chunk' element");
  if (!vertex) return invalid_input("compressed PLY has no 'vertex' element");
  const ply::Property* packed[4];
  for (int k = 0; k < 4; ++k) {
    SCZ_ASSIGN_OR_RETURN(packed[k], typed_property(*vertex, kPackedNames[k], ply::Type::kUint32));
  }
  const std::uint64_t needed = (vertex->count + kCompressedPlyChunkSize - 1) / kCompressedPlyChunkSize;
  if (chunk->count != needed) {
    return invalid_input("compressed PLY has " + std::to_string(chunk->count) + " chunks but its " +
                         std::to_string(vertex->count) + " Gaussians need " + std::to_string(needed) +
                         " (one per 256)");
  }
  SCZ_ASSIGN_OR_RETURN(std::vector<ChunkRanges> chunks, read_chunks(*chunk));

  int degree = 0;
  std::vector<const ply::Property*> rest;
  const ply::Element* sh = file.find("sh");
  if (sh) {
    int rest_count = 0;
    while (sh->find("f_rest_" + std::to_string(rest_count))) ++rest_count;
    degree = degree_from_rest_count(rest_count);
    if (degree < 0) {
      return invalid_input("compressed PLY 'sh' element has " + std::to_string(rest_count) +
                           " f_rest properties, which matches no SH degree 1..3 (expected 9, 24 or 45)");
    }
    if (sh->count != vertex->count) {
      return invalid_input("compressed PLY has " + std::to_string(sh->count) + " SH rows for " +
                           std::to_string(vertex->count) + " Gaussians");
    }
    for (int k = 0; k < rest_count; ++k) {
      SCZ_ASSIGN_OR_RETURN(const ply::Property* p, typed_property(*sh, "f_rest_" + std::to_string(k), ply::Type::kUint8));
      rest.push_back(p);
    }
  }

  GaussianCloud cloud;
  cloud.resize(vertex->count, degree);
  const std::size_t stride = cloud.sh_rest_stride();
  for (std::size_t i = 0; i < cloud.count; ++i) {
    const ChunkRanges& r = chunks[i / kCompressedPlyChunkSize];
    const auto pos = unpack_11_10_11(ply::get<std::uint32_t>(*vertex, i, *packed[0]));
    const auto scl = unpack_11_10_11(ply::get<std::uint32_t>(*vertex, i, *packed[2]));
    const std::uint32_t color = ply::get<std::uint32_t>(*vertex, i, *packed[3]);
    for (int a = 0; a < 3; ++a) {
      cloud.positions[3 * i + a] = lerp(r[kPosMin + a], r[kPosMax + a], pos[a]);
      cloud.log_scales[3 * i + a] = lerp(r[kScaleMin + a], r[kScaleMax + a], scl[a]);
      const float c = lerp(r[kColorMin + a], r[kColorMax + a], from_unorm(color >> (24 - 8 * a), 8));
      cloud.sh_dc[3 * i + a] = activation::color_to_dc(c);
    }
    cloud.logit_opacities[i] = logit_from_unorm8(static_cast<std::uint8_t>(color & 0xffu));
    unpack_rotation(ply::get<std::uint32_t>(*vertex, i, *packed[1]), &cloud.rotations[4 * i]);
    if (stride > 0) {
      const std::uint8_t* row = sh->rows.data() + i * sh->row_size;
      for (std::size_t k = 0; k < stride; ++k) cloud.sh_rest[stride * i + k] = sh_from_byte(row[rest[k]->offset]);
    }
  }
  SCZ_RETURN_IF_ERROR(cloud.validate());
  cloud.normalize_rotations();
  return cloud;
}

std::vector<std::uint32_t> compressed_ply_morton_order(const GaussianCloud& cloud) {
  std::vector<std::uint32_t> order(cloud.count);
  std::iota(order.begin(), order.end(), 0u);
  morton_sort(cloud.positions, order.data(), order.size());
  return order;
}

Result<Bytes> encode_compressed_ply(const GaussianCloud& cloud, const CompressedPlyOptions& options) {
  SCZ_RETURN_IF_ERROR(cloud.validate());
  if (cloud.count > std::numeric_limits<std::uint32_t>::max()) {
    return invalid_input("compressed PLY holds at most 2^32-1 Gaussians, got " + std::to_string(cloud.count));
  }
  std::vector<std::uint32_t> order;
  if (options.morton_order) {
    order = compressed_ply_morton_order(cloud);
  } else {
    order.resize(cloud.count);
    std::iota(order.begin(), order.end(), 0u);
  }
  const std::size_t n = cloud.count;
  const std::size_t num_chunks = (n + kCompressedPlyChunkSize - 1) / kCompressedPlyChunkSize;
  const int stride = cloud.sh_rest_stride();

  ply::File file;
  file.comments.push_back("Generated by scenezip");
  ply::Element chunk;
  chunk.name = "chunk";
  chunk.count = num_chunks;
  for (const char* name : kChunkNames) chunk.properties.push_back({name, ply::Type::kFloat32});
  ply::Element vertex;
  vertex.name = "vertex";
  vertex.count = n;
  for (const char* name : kPackedNames) vertex.properties.push_back({name, ply::Type::kUint32});
  ply::Element sh;
  sh.name = "sh";
  sh.count = n;
  for (int k = 0; k < stride; ++k) sh.properties.push_back({"f_rest_" + std::to_string(k), ply::Type::kUint8});
  for (ply::Element* e : {&chunk, &vertex, &sh}) {
    ply::layout(*e);
    e->rows.resize(e->count * e->row_size);
  }

  std::vector<float> colors;
  for (std::size_t c = 0; c < num_chunks; ++c) {
    const std::size_t begin = c * kCompressedPlyChunkSize;
    const std::size_t end = std::min(n, begin + kCompressedPlyChunkSize);
    ChunkRanges r;
    for (int a = 0; a < 3; ++a) {
      r[kPosMin + a] = r[kScaleMin + a] = r[kColorMin + a] = std::numeric_limits<float>::infinity();
      r[kPosMax + a] = r[kScaleMax + a] = r[kColorMax + a] = -std::numeric_limits<float>::infinity();
    }
    colors.assign(3 * (end - begin), 0.0f);
    for (std::size_t j = begin; j < end; ++j) {
      const std::size_t i = order[j];
      for (int a = 0; a < 3; ++a) {
        const float p = cloud.positions[3 * i + a];
        const float s = std::clamp(cloud.log_scales[3 * i + a], -kLogScaleLimit, kLogScaleLimit);
        // In double, then rounded, as the reference writer does: same ranges, same bytes.
        const float col = static_cast<float>(0.5 + activation::kShC0 * cloud.sh_dc[3 * i + a]);
        colors[3 * (j - begin) + a] = col;
        r[kPosMin + a] = std::min(r[kPosMin + a], p);
        r[kPosMax + a] = std::max(r[kPosMax + a], p);
        r[kScaleMin + a] = std::min(r[kScaleMin + a], s);
        r[kScaleMax + a] = std::max(r[kScaleMax + a], s);
        r[kColorMin + a] = std::min(r[kColorMin + a], col);
        r[kColorMax + a] = std::max(r[kColorMax + a], col);
      }
    }
    std::memcpy(chunk.rows.data() + c * chunk.row_size, r.data(), sizeof(r));

    for (std::size_t j = begin; j < end; ++j) {
      const std::size_t i = order[j];
      double t[3][3];  // position, scale, colour fractions
      for (int a = 0; a < 3; ++a) {
        t[0][a] = fraction(cloud.positions[3 * i + a], r[kPosMin + a], r[kPosMax + a]);
        t[1][a] = fraction(cloud.log_scales[3 * i + a], r[kScaleMin + a], r[kScaleMax + a]);
        t[2][a] = fraction(colors[3 * (j - begin) + a], r[kColorMin + a], r[kColorMax + a]);
      }
      const double opacity = 1.0 / (1.0 + std::exp(-static_cast<double>(cloud.logit_opacities[i])));
      const std::uint32_t alpha = to_unorm(opacity, 8);
      const std::uint32_t words[4] = {
          pack_11_10_11(t[0][0], t[0][1], t[0][2]), pack_rotation(&cloud.rotations[4 * i]),
          pack_11_10_11(t[1][0], t[1][1], t[1][2]),
          (to_unorm(t[2][0], 8) << 24) | (to_unorm(t[2][1], 8) << 16) | (to_unorm(t[2][2], 8) << 8) | alpha};
      std::memcpy(vertex.rows.data() + j * vertex.row_size, words, sizeof(words));
      std::uint8_t* sh_row = sh.rows.data() + j * sh.row_size;
      for (int k = 0; k < stride; ++k) sh_row[k] = sh_to_byte(cloud.sh_rest[static_cast<std::size_t>(stride) * i + k]);
    }
  }

  file.elements.push_back(std::move(chunk));
  file.elements.push_back(std::move(vertex));
  if (stride > 0) file.elements.push_back(std::move(sh));
  return ply::serialize(file);
}

}  // namespace scenezip
