#include "engine/codec/gaussian_settings.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/codec/presets.h"
#include "engine/scene/gaussian_cloud.h"
#include "formats/scz/gaussian_layout.h"

namespace scenezip::codec {

// Settings are bounded by the limits of the stream layouts formats/scz owns.
using namespace scz;

namespace {

QuantizerSettings q(std::vector<int> slices, std::vector<int> codes, std::string transform = "none",
                    std::string weighting = "") {
  return {std::move(slices), std::move(codes), std::move(transform), std::move(weighting)};
}

// One rung of the quality ladder: bits and codes per attribute.
struct Rung {
  int position_bits;
  int scale_codes;     // per log-scale axis
  int rotation_codes;  // per smallest-three component
  int opacity_codes;
  std::vector<int> color_slices, color_codes;
  std::vector<int> sh_slices, sh_codes;
  // sh_gaussian_min_rms: lower rungs let more Gaussians drop their bands.
  float sh_gaussian_min_rms;
};

// Tuned on lego-3dgs (124,480 Gaussians, SH 3), tile-sh3-14k and small-sh3-9k by rendered
// PSNR against the original (docs/BENCHMARKS.md). The higher SH bands carry most of
// lego's error, so they get most of its bytes, in their principal axes, split finest
// where the variance is; colour likewise. Rotations are coded as their smallest three
// components, and their precision matters more than their bytes suggest (128 codes
// rather than 64 gave small-sh3-9k 5 dB for 2% more bytes). Log-scales are three scalar
// codebooks whose codes go where large opaque Gaussians are ("footprint": uniform
// weights cost the tile 3 dB). Each rung adds roughly a quarter to the bytes. Gaussians
// whose view dependence the image hardly shows drop their SH bands (format version 3):
// on lego `small` 7.8% fewer bytes at the same PSNR, `balanced` 6.0% for 0.26 dB, judged
// by importance from 8 views of 256x256 (docs/BENCHMARKS.md).
const std::vector<Rung>& ladder() {
  static const std::vector<Rung> rungs = {
      {10, 32, 32, 16, {1, 2}, {128, 128}, {6, 12, 27}, {512, 256, 32}, 0.04f},
      {11, 48, 48, 32, {1, 2}, {256, 256}, {4, 8, 33}, {1024, 512, 64}, 0.035f},
      {11, 64, 64, 32, {1, 2}, {256, 256}, {4, 6, 8, 27}, {1024, 1024, 512, 64}, 0.03f},
      {12, 96, 96, 48, {1, 2}, {256, 512}, {3, 3, 4, 5, 6, 24}, {1024, 1024, 1024, 1024, 1024, 128}, 0.025f},
      {12, 128, 128, 64, {1, 2}, {256, 512}, {2, 3, 3, 4, 5, 6, 22}, {1024, 1024, 1024, 1024, 1024, 1024, 128}, 0.02f},
      {14, 192, 192, 128, {1, 2}, {256, 1024}, {2, 2, 3, 3, 4, 5, 6, 20}, {1024, 1024, 1024, 1024, 1024, 1024, 1024, 256}, 0.015f},
      {16, 256, 256, 256, {1, 1, 1}, {256, 256, 256}, {2, 2, 2, 3, 3, 4, 5, 6, 18},
       {1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 256}, 0.01f},
      {17, 512, 512, 512, {1, 1, 1}, {512, 512, 512}, {1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 16},
       {1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 512}, 0.007f},
      {18, 1024, 1024, 1024, {1, 1, 1}, {1024, 1024, 1024}, {1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 14},
       {1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024}, 0.005f},
  };
  return rungs;
}

constexpr int kPresenceImportanceViews = 8;
constexpr int kPresenceImportanceResolution = 256;

struct GaussianPreset {
  const char* name;
  int level;  // on the ladder
};

const std::vector<GaussianPreset>& presets() {
  static const std::vector<GaussianPreset> list = {{"high", 6}, {"balanced", 4}, {"small", 2}};
  return list;
}

nlohmann::ordered_json quantizer_json(const QuantizerSettings& q) {
  nlohmann::ordered_json j = {{"slices", q.slices}, {"codebook_sizes", q.codebook_sizes}, {"transform", q.transform}};
  if (!q.weighting.empty()) j["weighting"] = q.weighting;
  return j;
}

bool known_weighting(const std::string& w) {
  return w == "uniform" || w == "opacity" || w == "opacity_area" || w == "footprint" || w == "importance";
}

// Written only when some value differs from the defaults (importance pruning off), so
// files and settings of encoders that never prune by importance stay as they were.
bool importance_is_default(const GaussianCodecSettings& s) {
  const GaussianCodecSettings d;
  return s.importance_keep == d.importance_keep && s.importance_prune_fraction == d.importance_prune_fraction &&
         s.importance_source == d.importance_source && s.importance_views == d.importance_views &&
         s.importance_resolution == d.importance_resolution && s.importance_volume == d.importance_volume &&
         s.importance_volume_power == d.importance_volume_power;
}

}  // namespace
std::vector<std::string> preset_names() { return names_of(presets()); }

int quality_levels() { return static_cast<int>(ladder().size()); }

Result<GaussianCodecSettings> quality_level_settings(int level) {
  if (level < 0 || level >= quality_levels()) {
    return invalid_input("quality level " + std::to_string(level) + " is outside 0.." +
                         std::to_string(quality_levels() - 1));
  }
  const Rung& r = ladder()[static_cast<std::size_t>(level)];
  GaussianCodecSettings s;
  s.preset = "level-" + std::to_string(level);
  s.position_bits = r.position_bits;
  s.scale = q({1, 1, 1}, {r.scale_codes, r.scale_codes, r.scale_codes}, "none", "footprint");
  // Rotations and colours matter where the image shows them: their codebooks are
  // weighted by importance from views (on balanced: tile-sh3-14k +1.45 dB, small-sh3-9k
  // +1.0 dB for under 1% more bytes; opacity lost 0.3 dB that way, scale gained no more
  // than its bytes' worth over "footprint", docs/BENCHMARKS.md).
  s.rotation = q({1, 1, 1, 1}, {4, r.rotation_codes, r.rotation_codes, r.rotation_codes}, "smallest_three",
                 "importance");
  s.opacity = q({1}, {r.opacity_codes});
  s.color = q(r.color_slices, r.color_codes, "pca", "importance");
  s.sh = q(r.sh_slices, r.sh_codes, "pca");
  s.sh_gaussian_min_rms = r.sh_gaussian_min_rms;
  // The importance that judges them and weights the codebooks above: a few small views
  // are enough to tell which Gaussians the image shows (nothing is pruned by it).
  s.importance_views = kPresenceImportanceViews;
  s.importance_resolution = kPresenceImportanceResolution;
  return s;
}

namespace {

double total_code_bits(const std::vector<int>& codes) {
  double bits = 0.0;
  for (int k : codes) bits += std::log2(static_cast<double>(k));
  return bits;
}

// `from`'s slices with every codebook scaled so that their log2 sum moves `share` of
// the way towards `to`'s: the bits an index costs then change smoothly even where the
// two rungs cut the attribute into different slices.
QuantizerSettings blend_quantizer(const QuantizerSettings& from, const QuantizerSettings& to, double share) {
  QuantizerSettings out = from;
  // A smallest-three rotation's first slice names one of four components: it stays.
  const std::size_t fixed = from.transform == "smallest_three" ? 1 : 0;
  if (out.codebook_sizes.size() <= fixed) return out;
  const double step = (total_code_bits(to.codebook_sizes) - total_code_bits(from.codebook_sizes)) * share /
                      static_cast<double>(from.codebook_sizes.size() - fixed);
  for (std::size_t i = fixed; i < out.codebook_sizes.size(); ++i) {
    const double k = from.codebook_sizes[i] * std::exp2(step);
    out.codebook_sizes[i] = static_cast<int>(std::clamp(std::lround(k), 2l, static_cast<long>(kMaxCodebookSize)));
  }
  return out;
}

}  // namespace

Result<GaussianCodecSettings> quality_settings(double level) {
  const double top = quality_levels() - 1;
  if (!(level >= 0.0 && level <= top)) {
    return invalid_input("quality level " + std::to_string(level) + " is outside 0.." + std::to_string(quality_levels() - 1));
  }
  const int below = static_cast<int>(std::floor(level));
  const double t = level - below;
  if (t == 0.0) return quality_level_settings(below);
  SCZ_ASSIGN_OR_RETURN(const GaussianCodecSettings lo, quality_level_settings(below));
  SCZ_ASSIGN_OR_RETURN(const GaussianCodecSettings hi, quality_level_settings(below + 1));
  // The nearer rung's slices, its codebooks scaled towards the other rung.
  const bool near_low = t < 0.5;
  GaussianCodecSettings s = near_low ? lo : hi;
  const double share = near_low ? t : 1.0 - t;
  const GaussianCodecSettings& other = near_low ? hi : lo;
  s.scale = blend_quantizer(s.scale, other.scale, share);
  s.rotation = blend_quantizer(s.rotation, other.rotation, share);
  s.opacity = blend_quantizer(s.opacity, other.opacity, share);
  s.color = blend_quantizer(s.color, other.color, share);
  s.sh = blend_quantizer(s.sh, other.sh, share);
  s.position_bits = static_cast<int>(std::lround(lo.position_bits + t * (hi.position_bits - lo.position_bits)));
  s.sh_gaussian_min_rms = static_cast<float>(lo.sh_gaussian_min_rms + t * (hi.sh_gaussian_min_rms - lo.sh_gaussian_min_rms));
  char name[32];
  std::snprintf(name, sizeof name, "level-%.2f", level);
  s.preset = name;
  return s;
}

Result<GaussianCodecSettings> preset_settings(const std::string& name) {
  SCZ_ASSIGN_OR_RETURN(const GaussianPreset* preset, find_preset(presets(), name));
  SCZ_ASSIGN_OR_RETURN(GaussianCodecSettings s, quality_level_settings(preset->level));
  s.preset = name;
  return s;
}

nlohmann::ordered_json settings_json(const GaussianCodecSettings& s) {
  nlohmann::ordered_json j;
  j["codec"] = "gaussians";
  j["preset"] = s.preset;
  j["prune"] = {{"min_opacity", s.min_opacity},
                {"min_scale_fraction", s.min_scale_fraction},
                {"sh_band_min_rms", s.sh_band_min_rms},
                {"max_sh_degree", s.max_sh_degree}};
  // Written only when on, so settings of files without presence bits stay as they were.
  if (s.sh_gaussian_min_rms != 0.0f) j["prune"]["sh_gaussian_min_rms"] = s.sh_gaussian_min_rms;
  if (!importance_is_default(s)) {
    j["importance"] = {{"keep", s.importance_keep},
                       {"prune_fraction", s.importance_prune_fraction},
                       {"source", s.importance_source},
                       {"views", s.importance_views},
                       {"resolution", s.importance_resolution},
                       {"volume", s.importance_volume},
                       {"volume_power", s.importance_volume_power}};
  }
  j["position_bits"] = s.position_bits;
  j["scale"] = quantizer_json(s.scale);
  j["rotation"] = quantizer_json(s.rotation);
  j["opacity"] = quantizer_json(s.opacity);
  j["color"] = quantizer_json(s.color);
  j["sh"] = quantizer_json(s.sh);
  j["kmeans"] = {{"iterations", s.kmeans_iterations},
                 {"samples", s.kmeans_samples},
                 {"min_gaussians_per_code", s.min_gaussians_per_code},
                 {"seed", s.seed},
                 {"weighting", s.weighting}};
  if (s.rate_weight != 0.0f) j["kmeans"]["rate_weight"] = s.rate_weight;
  j["entropy_coder"] = s.entropy_coder;
  j["zstd_level"] = s.zstd_level;
  // Written only for a field, so files with SH colours keep their settings text.
  if (s.colour != "sh") {
    j["colour"] = {{"source", s.colour}, {"field", nlohmann::ordered_json::parse(s.colour_field, nullptr, false)}};
  }
  return j;
}

Result<GaussianCodecSettings> settings_from_json(const nlohmann::json& j) {
  GaussianCodecSettings s;
  try {
    auto quantizer = [&](const char* key, QuantizerSettings& q) {
      const auto& v = j.at(key);
      q.slices = v.at("slices").get<std::vector<int>>();
      q.codebook_sizes = v.at("codebook_sizes").get<std::vector<int>>();
      q.transform = v.at("transform").get<std::string>();
      q.weighting = v.value("weighting", std::string());
    };
    if (j.value("codec", std::string()) != "gaussians") return invalid_input("settings are not for the Gaussian codec");
    s.preset = j.at("preset").get<std::string>();
    const auto& prune = j.at("prune");
    s.min_opacity = prune.at("min_opacity").get<float>();
    s.min_scale_fraction = prune.at("min_scale_fraction").get<float>();
    s.sh_band_min_rms = prune.at("sh_band_min_rms").get<float>();
    s.max_sh_degree = prune.at("max_sh_degree").get<int>();
    s.sh_gaussian_min_rms = prune.value("sh_gaussian_min_rms", 0.0f);  // absent: off, as before version 3
    if (j.contains("importance")) {  // absent: off, as files written before it
      const auto& imp = j.at("importance");
      s.importance_keep = imp.value("keep", s.importance_keep);
      s.importance_prune_fraction = imp.value("prune_fraction", s.importance_prune_fraction);
      s.importance_source = imp.value("source", s.importance_source);
      s.importance_views = imp.value("views", s.importance_views);
      s.importance_resolution = imp.value("resolution", s.importance_resolution);
      s.importance_volume = imp.value("volume", s.importance_volume);
      s.importance_volume_power = imp.value("volume_power", s.importance_volume_power);
    }
    s.position_bits = j.at("position_bits").get<int>();
    quantizer("scale", s.scale);
    quantizer("rotation", s.rotation);
    quantizer("opacity", s.opacity);
    quantizer("color", s.color);
    quantizer("sh", s.sh);
    const auto& kmeans = j.at("kmeans");
    s.kmeans_iterations = kmeans.at("iterations").get<int>();
    s.kmeans_samples = kmeans.at("samples").get<std::uint64_t>();
    s.min_gaussians_per_code = kmeans.at("min_gaussians_per_code").get<int>();
    s.seed = kmeans.at("seed").get<std::uint64_t>();
    s.weighting = kmeans.at("weighting").get<std::string>();
    s.rate_weight = kmeans.value("rate_weight", 0.0f);
    // Absent in files written before range coding: they used byte planes.
    s.entropy_coder = j.value("entropy_coder", std::string("zstd"));
    s.zstd_level = j.at("zstd_level").get<int>();
    if (j.contains("colour")) {  // absent: SH colours, as files written before colour fields
      s.colour = j.at("colour").at("source").get<std::string>();
      s.colour_field = j.at("colour").at("field").dump();
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid_input(std::string("settings JSON: ") + e.what());
  }
  SCZ_RETURN_IF_ERROR(check_settings(s));
  return s;
}

Status check_settings(const GaussianCodecSettings& s) {
  if (!(s.min_opacity >= 0.0f && s.min_opacity < 1.0f)) return invalid_input("min_opacity must be in [0, 1)");
  if (!(s.min_scale_fraction >= 0.0f && s.min_scale_fraction < 1.0f)) {
    return invalid_input("min_scale_fraction must be in [0, 1)");
  }
  if (!(s.sh_band_min_rms >= 0.0f)) return invalid_input("sh_band_min_rms must be >= 0");
  if (s.max_sh_degree < 0 || s.max_sh_degree > 3) return invalid_input("max_sh_degree must be in 0..3");
  if (!(s.sh_gaussian_min_rms >= 0.0f && s.sh_gaussian_min_rms <= 1.0f)) {
    return invalid_input("sh_gaussian_min_rms must be in [0, 1]");
  }
  if (!(s.importance_keep > 0.0f && s.importance_keep <= 1.0f)) return invalid_input("importance keep must be in (0, 1]");
  if (!(s.importance_prune_fraction >= 0.0f && s.importance_prune_fraction < 1.0f)) {
    return invalid_input("importance prune_fraction must be in [0, 1)");
  }
  if (s.importance_source != "views" && s.importance_source != "opacity") {
    return invalid_input("importance source must be views or opacity");
  }
  if (s.importance_views < 1 || s.importance_views > 1024) return invalid_input("importance views must be in 1..1024");
  if (s.importance_resolution < 16 || s.importance_resolution > 4096) {
    return invalid_input("importance resolution must be in 16..4096");
  }
  if (s.importance_volume != "none" && s.importance_volume != "volume") {
    return invalid_input("importance volume must be none or volume");
  }
  if (!(s.importance_volume_power >= 0.0f && s.importance_volume_power <= 10.0f)) {
    return invalid_input("importance volume_power must be in [0, 10]");
  }
  if (s.position_bits < kMinPositionBits || s.position_bits > kMaxPositionBits) {
    return invalid_input("position_bits must be in 1..21");
  }
  const QuantizerSettings* q[kAttributeCount] = {&s.scale, &s.rotation, &s.opacity, &s.color, &s.sh};
  for (int a = 0; a < kAttributeCount; ++a) {
    const auto attribute = static_cast<Attribute>(a);
    const std::string name = attribute_name(attribute);
    if (q[a]->codebook_sizes.size() != q[a]->slices.size()) {
      return invalid_input(name + ": give one codebook size per slice");
    }
    for (int k : q[a]->codebook_sizes) {
      if (k < 1 || k > kMaxCodebookSize) return invalid_input(name + ": codebook sizes must be in 1..65536");
    }
    int sum = 0;
    for (int d : q[a]->slices) {
      if (d < 1 || d > 255) return invalid_input(name + ": slice sizes must be in 1..255");
      sum += d;
    }
    const int dims = attribute_dims(attribute, kMaxShDegree);
    if (sum != dims) {
      return invalid_input(name + ": slices sum to " + std::to_string(sum) + ", the attribute has " +
                           std::to_string(dims) + " values");
    }
    if (q[a]->transform == "smallest_three") {
      if (attribute != Attribute::kRotation) return invalid_input(name + ": smallest_three is for rotations only");
      if (q[a]->slices[0] != 1 || q[a]->codebook_sizes[0] < 4) {
        return invalid_input(name + ": smallest_three needs a first slice of 1 value with at least 4 codes");
      }
    } else if (q[a]->transform != "none" && q[a]->transform != "pca") {
      return invalid_input(name + ": transform must be none, pca or (rotation) smallest_three");
    }
    if (!q[a]->weighting.empty() && !known_weighting(q[a]->weighting)) {
      return invalid_input(name + ": weighting must be uniform, opacity, opacity_area, footprint or importance");
    }
  }
  if (s.kmeans_iterations < 0 || s.kmeans_iterations > 1000) return invalid_input("k-means iterations must be in 0..1000");
  if (!(s.rate_weight >= 0.0f && s.rate_weight <= 100.0f)) return invalid_input("kmeans rate_weight must be in [0, 100]");
  if (s.min_gaussians_per_code < 0) return invalid_input("min_gaussians_per_code must be >= 0");
  if (!known_weighting(s.weighting)) {
    return invalid_input("weighting must be uniform, opacity, opacity_area, footprint or importance");
  }
  if (s.zstd_level < 0 || s.zstd_level > 22) return invalid_input("zstd_level must be in 0..22");
  if (s.entropy_coder != "range" && s.entropy_coder != "zstd") return invalid_input("entropy_coder must be range or zstd");
  if (s.colour != "sh" && s.colour != "field-view" && s.colour != "field-full") {
    return invalid_input("colour must be sh, field-view or field-full");
  }
  if (s.colour != "sh" && !nlohmann::json::accept(s.colour_field)) {
    return invalid_input("colour field settings are not JSON");
  }
  return Status::Ok();
}

}  // namespace scenezip::codec
