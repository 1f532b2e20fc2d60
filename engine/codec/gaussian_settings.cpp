#include "engine/codec/gaussian_settings.h"

#include <nlohmann/json.hpp>

#include "engine/codec/gaussian_layout.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

namespace {

QuantizerSettings q(std::vector<int> slices, std::vector<int> codes, std::string transform = "none") {
  return {std::move(slices), std::move(codes), std::move(transform)};
}

// Tuned on lego-3dgs (124,480 Gaussians, SH 3) by rendered PSNR against the original:
// the higher SH bands carry most of the error, so they get most of the bytes, in the
// principal axes, split finest where the variance is; colour likewise in its principal
// axes; rotations as four scalar codebooks; log-scales as three.
GaussianCodecSettings balanced() {
  GaussianCodecSettings s;
  s.preset = "balanced";
  s.position_bits = 12;
  s.scale = q({1, 1, 1}, {128, 128, 128});
  s.rotation = q({1, 1, 1, 1}, {64, 64, 64, 64});
  s.opacity = q({1}, {256});
  s.color = q({1, 2}, {256, 1024}, "pca");
  s.sh = q({3, 3, 4, 5, 6, 24}, {1024, 1024, 1024, 1024, 1024, 128}, "pca");
  return s;
}

GaussianCodecSettings high() {
  GaussianCodecSettings s = balanced();
  s.preset = "high";
  s.position_bits = 16;
  s.scale = q({1, 1, 1}, {256, 256, 256});
  s.rotation = q({1, 1, 1, 1}, {128, 128, 128, 128});
  s.color = q({1, 1, 1}, {256, 256, 256}, "pca");
  s.sh = q({2, 2, 2, 3, 3, 4, 5, 6, 18}, {1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 256}, "pca");
  return s;
}

GaussianCodecSettings small() {
  GaussianCodecSettings s = balanced();
  s.preset = "small";
  s.position_bits = 11;
  s.scale = q({1, 1, 1}, {64, 64, 64});
  s.rotation = q({2, 2}, {256, 256});
  s.opacity = q({1}, {128});
  s.color = q({1, 2}, {256, 256}, "pca");
  s.sh = q({4, 6, 8, 27}, {1024, 1024, 512, 64}, "pca");
  return s;
}

nlohmann::ordered_json quantizer_json(const QuantizerSettings& q) {
  return {{"slices", q.slices}, {"codebook_sizes", q.codebook_sizes}, {"transform", q.transform}};
}

}  // namespace
std::vector<std::string> preset_names() { return {"high", "balanced", "small"}; }

Result<GaussianCodecSettings> preset_settings(const std::string& name) {
  if (name == "high") return high();
  if (name == "balanced") return balanced();
  if (name == "small") return small();
  return invalid_input("unknown preset '" + name + "' (expected high, balanced or small)");
}

std::string settings_to_json(const GaussianCodecSettings& s, int indent) {
  nlohmann::ordered_json j;
  j["codec"] = "gaussians";
  j["preset"] = s.preset;
  j["prune"] = {{"min_opacity", s.min_opacity},
                {"min_scale_fraction", s.min_scale_fraction},
                {"sh_band_min_rms", s.sh_band_min_rms},
                {"max_sh_degree", s.max_sh_degree}};
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
  j["zstd_level"] = s.zstd_level;
  return j.dump(indent);
}

Result<GaussianCodecSettings> settings_from_json(const std::string& text) {
  GaussianCodecSettings s;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    auto quantizer = [&](const char* key, QuantizerSettings& q) {
      const auto& v = j.at(key);
      q.slices = v.at("slices").get<std::vector<int>>();
      q.codebook_sizes = v.at("codebook_sizes").get<std::vector<int>>();
      q.transform = v.at("transform").get<std::string>();
    };
    if (j.value("codec", std::string()) != "gaussians") return invalid_input("settings are not for the Gaussian codec");
    s.preset = j.at("preset").get<std::string>();
    const auto& prune = j.at("prune");
    s.min_opacity = prune.at("min_opacity").get<float>();
    s.min_scale_fraction = prune.at("min_scale_fraction").get<float>();
    s.sh_band_min_rms = prune.at("sh_band_min_rms").get<float>();
    s.max_sh_degree = prune.at("max_sh_degree").get<int>();
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
    s.zstd_level = j.at("zstd_level").get<int>();
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
    if (q[a]->transform != "none" && q[a]->transform != "pca") {
      return invalid_input(name + ": transform must be none or pca");
    }
  }
  if (s.kmeans_iterations < 0 || s.kmeans_iterations > 1000) return invalid_input("k-means iterations must be in 0..1000");
  if (s.min_gaussians_per_code < 0) return invalid_input("min_gaussians_per_code must be >= 0");
  if (s.weighting != "uniform" && s.weighting != "opacity" && s.weighting != "opacity_area") {
    return invalid_input("weighting must be uniform, opacity or opacity_area");
  }
  if (s.zstd_level < 0 || s.zstd_level > 22) return invalid_input("zstd_level must be in 0..22");
  return Status::Ok();
}

}  // namespace scenezip::codec
