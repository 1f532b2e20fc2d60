#include "tools/target_psnr.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "formats/scz/gaussian_decoder.h"
#include "engine/render/image.h"
#include "tools/command.h"
#include "tools/render_support.h"

namespace scenezip::cli {

namespace {

// Below the ladder's lowest level the search prunes by importance: already-quantized
// scenes (a SOG or SPZ re-encoded) keep far more PSNR than a 40 dB target needs at level
// 0, and removing the Gaussians that contribute least to the views is the cheapest way
// left to spend it (measured on playbot and angel, docs/BENCHMARKS.md). Level -k keeps
// the Gaussians holding kImportanceKeep[k - 1] of the total importance.
constexpr float kImportanceKeep[] = {0.99f, 0.97f, 0.95f, 0.9f};
constexpr int kLowestLevel = -static_cast<int>(sizeof kImportanceKeep / sizeof kImportanceKeep[0]);

// The rung's quantizers and position grid on top of everything else `base` sets
// (pruning, k-means, threads), so only the rate changes from rung to rung.
Result<codec::GaussianCodecSettings> rung_settings(const codec::GaussianCodecSettings& base, int level) {
  SCZ_ASSIGN_OR_RETURN(const codec::GaussianCodecSettings rung, codec::quality_level_settings(std::max(level, 0)));
  codec::GaussianCodecSettings s = base;
  if (level < 0) s.importance_keep = std::min(s.importance_keep, kImportanceKeep[-level - 1]);
  s.position_bits = rung.position_bits;
  s.scale = rung.scale;
  s.rotation = rung.rotation;
  s.opacity = rung.opacity;
  s.color = rung.color;
  s.sh = rung.sh;
  return s;
}

}  // namespace

Result<TargetPsnrResult> search_target_psnr(const Scene& scene, const TargetPsnrOptions& o,
                                            const codec::GaussianCodecSettings& base, gpu::Context& context,
                                            const EncodeFunction& encode) {
  if (!scene.gaussians()) return invalid_input("--target-psnr applies to Gaussian scenes");
  if (!(o.target_db > 0.0 && o.target_db < 200.0)) return invalid_input("--target-psnr must be in (0, 200) dB");
  if (o.views < 1 || o.views > 1000) return invalid_input("--target-views must be in 1..1000");
  if (o.width < 16 || o.width > 8192 || o.height < 16 || o.height > 8192) {
    return invalid_input("--target-width and --target-height must be in 16..8192");
  }
  SCZ_ASSIGN_OR_RETURN(const Orbit orbit, scene_orbit(scene, o.up));
  std::vector<Camera> cameras;
  for (int v = 0; v < o.views; ++v) cameras.push_back(orbit_view(orbit, v, o.views, o.width, o.height));
  const std::array<float, 3> background{1.0f, 1.0f, 1.0f};

  std::vector<Image> reference;
  {
    Progress progress("rendering the original from " + std::to_string(o.views) + " views");
    SCZ_ASSIGN_OR_RETURN(auto renderer, SceneRenderer::create(scene, context));
    for (const Camera& camera : cameras) {
      SCZ_ASSIGN_OR_RETURN(Image image, renderer->render(camera, background));
      reference.push_back(std::move(image));
    }
  }

  struct Tried {
    codec::GaussianCodecSettings settings;
    Bytes encoded;
    codec::GaussianEncodeReport report;
    double psnr = 0.0;
  };
  std::map<int, Tried> tried;
  TargetPsnrResult result;
  auto try_rung = [&](int level, const std::string& colour) -> Result<Tried> {
    SCZ_ASSIGN_OR_RETURN(codec::GaussianCodecSettings settings, rung_settings(base, level));
    // The file's stored settings say how they were chosen.
    char name[96];
    std::snprintf(name, sizeof name, "target-psnr-%.2f/level %d%s", o.target_db, level,
                  colour == "sh" ? "" : ("/" + colour).c_str());
    settings.preset = name;
    settings.colour = colour;
    if (colour != "sh") settings.colour_field = o.colour_field;
    Tried t;
    SCZ_ASSIGN_OR_RETURN(t.encoded, encode(settings, &t.report));
    SCZ_ASSIGN_OR_RETURN(GaussianCloud decoded, scz::decode_scz_gaussians(t.encoded));
    Scene candidate{std::move(decoded)};
    double sum = 0.0;
    {
      Progress progress("rendering level " + std::to_string(level) + " from " + std::to_string(o.views) + " views");
      SCZ_ASSIGN_OR_RETURN(auto renderer, SceneRenderer::create(candidate, context));
      for (std::size_t v = 0; v < cameras.size(); ++v) {
        SCZ_ASSIGN_OR_RETURN(Image image, renderer->render(cameras[v], background));
        sum += psnr(reference[v], image);
      }
    }
    t.psnr = sum / static_cast<double>(cameras.size());
    t.settings = std::move(settings);
    std::fprintf(stderr, "level %d%s: %zu bytes, PSNR %.2f dB (target %.2f)\n", level,
                 colour == "sh" ? "" : (" with colour " + colour).c_str(), t.encoded.size(), t.psnr, o.target_db);
    result.trials.push_back({level, colour, t.encoded.size(), t.psnr});
    return t;
  };
  auto try_level = [&](int level) -> Result<double> {
    SCZ_ASSIGN_OR_RETURN(Tried t, try_rung(level, "sh"));
    const double p = t.psnr;
    tried[level] = std::move(t);
    return p;
  };

  // Bisection for the lowest rung that reaches the target, starting at the default.
  int low = kLowestLevel, high = codec::quality_levels() - 1;
  int mid = 4 < high ? 4 : high / 2;
  while (low < high) {
    SCZ_ASSIGN_OR_RETURN(const double p, try_level(mid));
    if (p >= o.target_db) {
      high = mid;
    } else {
      low = mid + 1;
    }
    mid = low + (high - low) / 2;
  }
  if (!tried.count(low)) SCZ_RETURN_IF_ERROR(try_level(low).status());
  Tried& best = tried[low];
  if (best.psnr < o.target_db) {
    char message[160];
    std::snprintf(message, sizeof message, "cannot reach %.2f dB: the top level (%d) renders at %.2f dB", o.target_db,
                  low, best.psnr);
    return invalid_input(message);
  }
  // Whether a colour field beats the SH streams is measured, scene by scene: at the rung
  // found, and the rung above (finer other attributes making up for the field's colour
  // error). Scenes without view-dependent colour have no SH streams to replace.
  Tried with_field;
  if (o.try_colour_field && scene.gaussians()->sh_degree > 0) {
    for (int level = low; level <= std::min(low + 1, codec::quality_levels() - 1); ++level) {
      SCZ_ASSIGN_OR_RETURN(Tried t, try_rung(level, "field-view"));
      if (t.psnr >= o.target_db && t.encoded.size() < best.encoded.size() &&
          (with_field.encoded.empty() || t.encoded.size() < with_field.encoded.size())) {
        with_field = std::move(t);
      }
    }
  }
  Tried& chosen = with_field.encoded.empty() ? best : with_field;
  result.settings = std::move(chosen.settings);
  result.encoded = std::move(chosen.encoded);
  result.report = std::move(chosen.report);
  result.psnr = chosen.psnr;
  return result;
}

}  // namespace scenezip::cli
