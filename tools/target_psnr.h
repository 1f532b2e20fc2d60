// `compress --target-psnr DB`: the smallest file on the codec's quality ladder whose
// render stays within DB of the original's, found by a secant search over the continuous
// ladder (up to four trials where the target is in reach) with the same orbit views
// `scenezip eval` uses. Below level 0 the ladder goes on by pruning the
// least important Gaussians (levels -1 to -4).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/codec/gaussian_encoder.h"
#include "engine/gpu/context.h"
#include "engine/scene/scene.h"

namespace scenezip::cli {

// The colour field --target-psnr tries: 12 levels of 2^15 entries and a 32-wide MLP, the
// size that came closest to SVQ's SH in bytes per dB on lego (docs/BENCHMARKS.md).
inline constexpr const char* kTargetColourField =
    R"({"levels":12,"log2_table_size":15,"features":2,"base_resolution":16,"per_level_scale":1.5,)"
    R"("hidden_width":32,"hidden_layers":1,"batch_size":65536,"steps":2000})";

struct TargetPsnrOptions {
  double target_db = 40.0;
  int views = 8;
  int width = 512;
  int height = 512;
  std::string up = "auto";
  // Also try the chosen rung and the one above with a colour field for SH bands 1-3 in
  // place of the SH streams, and keep whichever file is smallest at the target. The
  // encoder must then have a field fitter (slow without a GPU).
  bool try_colour_field = false;
  std::string colour_field = kTargetColourField;
};

// One rung tried: what it cost and how it rendered.
struct TargetPsnrTrial {
  double level = 0.0;  // on the continuous ladder (codec::quality_settings); below 0 prunes
  std::string colour = "sh";
  std::uint64_t bytes = 0;
  double psnr = 0.0;
};

struct TargetPsnrResult {
  codec::GaussianCodecSettings settings;  // preset names the target and the level chosen
  Bytes encoded;
  codec::GaussianEncodeReport report;
  double psnr = 0.0;
  std::vector<TargetPsnrTrial> trials;  // in the order tried
};

// Encodes `scene` (Gaussians) at rungs of the ladder, each with `base`'s pruning and
// threads, and keeps the smallest file whose mean PSNR over the views reaches the target.
// PSNR grows with the level on every scene measured, which the search relies on. Renders
// run on `context`; `encode` runs the encoder (so the caller keeps its accelerators and
// progress). A target above what the top rung reaches is invalid_input naming both.
using EncodeFunction = std::function<Result<Bytes>(const codec::GaussianCodecSettings&, codec::GaussianEncodeReport*)>;
Result<TargetPsnrResult> search_target_psnr(const Scene& scene, const TargetPsnrOptions& options,
                                            const codec::GaussianCodecSettings& base, gpu::Context& context,
                                            const EncodeFunction& encode);

}  // namespace scenezip::cli
