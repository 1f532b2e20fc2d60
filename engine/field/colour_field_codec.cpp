#include "engine/field/colour_field_codec.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "formats/scz/bytes.h"
#include "formats/scz/float16.h"

namespace scenezip::field {

namespace {

constexpr std::uint8_t kVersion = 1;
// Largest payload a decoder expands: the largest table (2^24 entries x 32 levels x 8
// features at one byte) plus weights stays far below it.
constexpr std::uint64_t kMaxPayload = std::uint64_t{1} << 32;

class Reader {
 public:
  Reader(const std::vector<std::uint8_t>& bytes) : bytes_(bytes) {}
  bool has(std::uint64_t n) const { return n <= bytes_.size() - pos_; }
  std::uint8_t u8() { return bytes_[pos_++]; }
  std::uint32_t u32() { return scz::load_u32(take(4)); }
  float f32() { return scz::load_f32(take(4)); }
  const std::uint8_t* take(std::size_t n) {
    const std::uint8_t* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  const std::vector<std::uint8_t>& bytes_;
  std::size_t pos_ = 0;
};

std::vector<float> contract_all(const Contraction& contraction, const std::vector<float>& world) {
  std::vector<float> unit(world.size());
  for (std::size_t i = 0; i + 2 < world.size(); i += 3) contraction.apply(&world[i], &unit[i]);
  return unit;
}

}  // namespace

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

Result<std::vector<std::uint8_t>> encode_colour_field(const FieldModel& model, ColourTarget target,
                                                      const Contraction& contraction,
                                                      const std::vector<float>& world_positions, int zstd_level) {
  const HashGridLayout& layout = model.layout();
  const int features = layout.features;
  const std::vector<bool> touched = touched_entries(layout, contract_all(contraction, world_positions));
  std::vector<std::uint8_t> raw;
  raw.push_back(kVersion);
  raw.push_back(target == ColourTarget::kFull ? 0 : 1);
  raw.push_back(0);
  raw.push_back(0);
  const std::string json = field_config_json(model.config());
  scz::append_u32(raw, static_cast<std::uint32_t>(json.size()));
  raw.insert(raw.end(), json.begin(), json.end());
  for (float v : contraction.centre) scz::append_f32(raw, v);
  for (float v : contraction.half_extent) scz::append_f32(raw, v);
  // Per level: the range of its kept features, 255 steps across it.
  std::vector<float> level_min(layout.levels.size()), level_step(layout.levels.size());
  for (std::size_t l = 0; l < layout.levels.size(); ++l) {
    const HashLevel& level = layout.levels[l];
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
    level_min[l] = lo;
    level_step[l] = hi > lo ? (hi - lo) / 255.0f : 0.0f;
    scz::append_f32(raw, level_min[l]);
    scz::append_f32(raw, level_step[l]);
  }
  const std::uint32_t kept = static_cast<std::uint32_t>(std::count(touched.begin(), touched.end(), true));
  scz::append_u32(raw, kept);
  for (std::size_t l = 0; l < layout.levels.size(); ++l) {
    const HashLevel& level = layout.levels[l];
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!touched[e]) continue;
      for (int f = 0; f < features; ++f) {
        const float v = model.params[static_cast<std::size_t>(e) * features + f];
        const float q = level_step[l] > 0 ? std::round((v - level_min[l]) / level_step[l]) : 0.0f;
        raw.push_back(static_cast<std::uint8_t>(std::clamp(q, 0.0f, 255.0f)));
      }
    }
  }
  for (std::size_t i = model.hash_parameter_count(); i < model.parameter_count(); ++i) {
    const std::uint16_t h = scz::float_to_half(model.params[i]);
    raw.push_back(static_cast<std::uint8_t>(h & 0xFF));
    raw.push_back(static_cast<std::uint8_t>(h >> 8));
  }
  std::vector<std::uint8_t> out(ZSTD_compressBound(raw.size()));
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (!ctx) return internal_error("zstd could not allocate a compression context");
  // The frame's checksum makes any damaged byte an error rather than a different field.
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, zstd_level);
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_checksumFlag, 1);
  const std::size_t n = ZSTD_compress2(ctx.get(), out.data(), out.size(), raw.data(), raw.size());
  if (ZSTD_isError(n)) return internal_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<DecodedColourField> decode_colour_field(const std::uint8_t* bytes, std::size_t size,
                                               const std::vector<float>& world_positions) {
  const unsigned long long content = ZSTD_getFrameContentSize(bytes, size);
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN || content > kMaxPayload) {
    return invalid_input("colour field: not a zstd frame of known size");
  }
  std::vector<std::uint8_t> raw(content);
  const std::size_t got = ZSTD_decompress(raw.data(), raw.size(), bytes, size);
  if (ZSTD_isError(got) || got != content) return invalid_input("colour field: corrupt zstd data");
  Reader r(raw);
  if (!r.has(8)) return invalid_input("colour field: truncated header");
  const std::uint8_t version = r.u8();
  if (version != kVersion) return invalid_input("colour field: unknown version " + std::to_string(version));
  const std::uint8_t target = r.u8();
  if (target > 1 || r.u8() != 0 || r.u8() != 0) return invalid_input("colour field: bad target or reserved bytes");
  const std::uint32_t json_size = r.u32();
  if (!r.has(json_size)) return invalid_input("colour field: truncated settings");
  const std::uint8_t* json = r.take(json_size);
  Result<FieldConfig> config = parse_field_config(std::string(json, json + json_size));
  if (!config.ok()) return config.status().with_context("colour field");
  if (config->output_dims != 3 || config->direction_degree < 0) {
    return invalid_input("colour field: settings without 3 outputs and a direction encoding");
  }
  DecodedColourField out;
  out.target = target == 0 ? ColourTarget::kFull : ColourTarget::kViewDependent;
  if (!r.has(24)) return invalid_input("colour field: truncated contraction");
  for (float& v : out.contraction.centre) v = r.f32();
  for (float& v : out.contraction.half_extent) v = r.f32();
  for (int a = 0; a < 3; ++a) {
    if (!std::isfinite(out.contraction.centre[a]) || !(out.contraction.half_extent[a] > 0) ||
        !std::isfinite(out.contraction.half_extent[a])) {
      return invalid_input("colour field: bad contraction");
    }
  }
  // The table's size follows from validated settings; allocate only after checking
  // the payload holds at least what the settings need.
  const HashGridLayout layout = make_hash_layout(*config);
  const std::size_t levels = layout.levels.size();
  if (!r.has(8 * levels + 4)) return invalid_input("colour field: truncated level ranges");
  std::vector<float> level_min(levels), level_step(levels);
  for (std::size_t l = 0; l < levels; ++l) {
    level_min[l] = r.f32();
    level_step[l] = r.f32();
    if (!std::isfinite(level_min[l]) || !std::isfinite(level_step[l]) || level_step[l] < 0) {
      return invalid_input("colour field: bad feature range");
    }
  }
  const std::uint32_t kept = r.u32();
  const int features = config->features;
  std::uint64_t weights = 0;
  {
    int in = config->input_dims();
    for (int l = 0; l <= config->hidden_layers; ++l) {
      const int o = l == config->hidden_layers ? config->output_dims : config->hidden_width;
      weights += static_cast<std::uint64_t>(in) * o;
      in = o;
    }
  }
  if (kept > layout.entries || r.left() != static_cast<std::uint64_t>(kept) * features + 2 * weights) {
    return invalid_input("colour field: payload size disagrees with its settings");
  }
  const std::vector<bool> touched = touched_entries(layout, contract_all(out.contraction, world_positions));
  if (static_cast<std::uint32_t>(std::count(touched.begin(), touched.end(), true)) != kept) {
    return invalid_input("colour field: stored for other positions (" + std::to_string(kept) +
                         " entries kept, these positions touch a different number)");
  }
  Result<FieldModel> model = FieldModel::create(*config);
  if (!model.ok()) return model.status();
  out.model = std::move(*model);
  std::fill(out.model.params.begin(), out.model.params.begin() + out.model.hash_parameter_count(), 0.0f);
  const std::uint8_t* q = r.take(static_cast<std::size_t>(kept) * features);
  for (std::size_t l = 0; l < levels; ++l) {
    const HashLevel& level = layout.levels[l];
    for (std::uint32_t e = level.offset; e < level.offset + level.size; ++e) {
      if (!touched[e]) continue;
      for (int f = 0; f < features; ++f) {
        out.model.params[static_cast<std::size_t>(e) * features + f] = level_min[l] + *q++ * level_step[l];
      }
    }
  }
  const std::uint8_t* w = r.take(2 * weights);
  for (std::size_t i = out.model.hash_parameter_count(); i < out.model.parameter_count(); ++i, w += 2) {
    out.model.params[i] = scz::half_to_float(static_cast<std::uint16_t>(w[0] | (w[1] << 8)));
    if (!std::isfinite(out.model.params[i])) return invalid_input("colour field: a weight is not finite");
  }
  return out;
}

}  // namespace scenezip::field
