#include "tools/target_psnr.h"

#include <algorithm>
#include <cstdio>
#include <cmath>

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
// the Gaussians holding kImportanceKeep[k - 1] of the total importance, and levels in
// between keep what lies between.
constexpr float kImportanceKeep[] = {0.99f, 0.97f, 0.95f, 0.9f};
constexpr int kLowestLevel = -static_cast<int>(sizeof kImportanceKeep / sizeof kImportanceKeep[0]);

float importance_keep_at(double level) {
  if (level >= 0.0) return 1.0f;
  const double depth = std::min(-level, static_cast<double>(-kLowestLevel));
  const int whole = static_cast<int>(std::floor(depth));
  const double t = depth - whole;
  const float upper = whole == 0 ? 1.0f : kImportanceKeep[whole - 1];
  const float lower = whole < -kLowestLevel ? kImportanceKeep[whole] : upper;
  return static_cast<float>(upper + t * (lower - upper));
}

// The level's quantizers and position grid on top of everything else `base` sets
// (pruning, k-means, threads), so only the rate changes from level to level.
// `position_bits` other than 0 holds the grid there instead of the level's own.
Result<codec::GaussianCodecSettings> rung_settings(const codec::GaussianCodecSettings& base, double level,
                                                   int position_bits = 0) {
  SCZ_ASSIGN_OR_RETURN(const codec::GaussianCodecSettings rung, codec::quality_settings(std::max(level, 0.0)));
  codec::GaussianCodecSettings s = base;
  if (level < 0.0) s.importance_keep = std::min(s.importance_keep, importance_keep_at(level));
  s.position_bits = position_bits > 0 ? position_bits : rung.position_bits;
  s.scale = rung.scale;
  s.rotation = rung.rotation;
  s.opacity = rung.opacity;
  s.color = rung.color;
  s.sh = rung.sh;
  // The ladder's per-Gaussian SH threshold too: it falls with the level, and the rungs
  // were tuned with it (a fixed threshold made the searched ladder another one).
  s.sh_gaussian_min_rms = rung.sh_gaussian_min_rms;
  return s;
}

// PSNR gained per level where nothing is known yet: 2.2-3.1 dB between the presets on
// lego-3dgs, small-sh3-9k and tile-sh3-14k (docs/BENCHMARKS.md).
constexpr double kPriorDbPerLevel = 2.7;
// Aim this far above the target while the target is on one side of every trial: the
// curve is not quite straight over a level or more, and a trial that falls short cannot
// be kept. Between two trials that bracket it the line is closer, and the aim too.
constexpr double kAimAboveDb = 0.2;
constexpr double kCloseAboveDb = 0.1;
// A trial this close above the target ends the search: at 2-3 dB per level (a quarter
// more bytes) it is within about 3% of the ladder's file at the target.
constexpr double kGoodEnoughDb = 0.3;
// Trials before giving up on landing closer (the top-of-ladder one aside). Trials reuse
// the importance views (compress hands in a remembering blend-weights function), so
// four stay within 3x one preset's time on the scenes measured (docs/BENCHMARKS.md).
constexpr int kTrials = 4;
constexpr double kStartLevel = 4.0;  // balanced
// Trials closer than this (in levels) give no slope.
constexpr double kMinSlopeSpan = 0.2;
// Levels tried lie on this grid. The renders a trial is measured by vary in the third
// decimal of a dB from run to run (equal depths draw in the GPU's append order); on the
// grid, the level the next trial takes from them, and so the file kept, mostly does not
// (small-sh3-9k at 45 dB took another path in 1 of 3 runs without it). The position
// bits step on it (at 2.5 and 4.25).
constexpr double kLevelGrid = 0.005;

// Position bits per axis at a level (whole numbers: the ladder steps where they change).
int position_bits_at(double level) {
  const auto s = codec::quality_settings(std::clamp(level, 0.0, static_cast<double>(codec::quality_levels() - 1)));
  return s.ok() ? s->position_bits : 0;
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
    double level = 0.0;
    int bits = 0;  // position bits
  };
  std::vector<Tried> tried;
  TargetPsnrResult result;
  auto try_level = [&](double level, const std::string& colour = "sh", int bits = 0) -> Result<double> {
    SCZ_ASSIGN_OR_RETURN(codec::GaussianCodecSettings settings, rung_settings(base, level, bits));
    // The file's stored settings say how they were chosen.
    char name[96];
    const std::string grid = bits > 0 ? "/" + std::to_string(bits) + " position bits" : "";
    std::snprintf(name, sizeof name, "target-psnr-%.2f/level %.2f%s%s", o.target_db, level, grid.c_str(),
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
      char what[96];
      std::snprintf(what, sizeof what, "rendering level %.2f from %d views", level, o.views);
      Progress progress(what);
      SCZ_ASSIGN_OR_RETURN(auto renderer, SceneRenderer::create(candidate, context));
      for (std::size_t v = 0; v < cameras.size(); ++v) {
        SCZ_ASSIGN_OR_RETURN(Image image, renderer->render(cameras[v], background));
        sum += psnr(reference[v], image);
      }
    }
    t.psnr = sum / static_cast<double>(cameras.size());
    t.level = level;
    t.bits = settings.position_bits;
    t.settings = std::move(settings);
    std::fprintf(stderr, "level %.2f%s%s: %zu bytes, PSNR %.2f dB (target %.2f)\n", level, grid.c_str(),
                 colour == "sh" ? "" : (" with colour " + colour).c_str(), t.encoded.size(), t.psnr, o.target_db);
    result.trials.push_back({level, colour, t.encoded.size(), t.psnr});
    const double p = t.psnr;
    tried.push_back(std::move(t));
    return p;
  };

  // A secant search on the continuous ladder: start at balanced, step by the prior slope
  // towards a little above the target, then, once two trials bracket the target, along
  // the line through them to just above it. Position bits are whole numbers, so the
  // ladder steps where they change (12 -> 13 at level 4.25): a line across such a step
  // overshoots, so within a bracket that holds one the search extrapolates the lower
  // side's own slope and, where that does not reach the aim before the step, tries the
  // step itself (the cheapest level with the finer grid). It stops once a trial lands
  // within kGoodEnoughDb above the target, after kTrials otherwise; a further trial goes
  // to the top of the ladder only when none reached the target.
  const double lowest = kLowestLevel, highest = codec::quality_levels() - 1;
  const double target = o.target_db;
  // The slope between two trials, or 0 where it says nothing: falling, or too close to
  // tell from the PSNR's noise (lego: 0.75 dB per level from 4.00 to 4.12, 2.2 from 4.12
  // to 4.16; the prior is the better guess there).
  auto slope_of = [](const Tried& a, const Tried& b) {
    if (std::fabs(b.level - a.level) < kMinSlopeSpan) return 0.0;
    const double s = (b.psnr - a.psnr) / (b.level - a.level);
    return s > 0.3 ? s : 0.0;
  };
  // The slope from `from` to the nearest other trial on `bits` position bits that gives
  // one (slope_of), else 0: a slope measured across a position-bit step includes the step.
  auto segment_slope = [&](int bits, const Tried& from) {
    double best = 0.0, best_gap = 1e9;
    for (const Tried& t : tried) {
      if (&t == &from || t.bits != bits) continue;
      const double s = slope_of(from, t);
      if (s > 0.0 && std::fabs(t.level - from.level) < best_gap) best = s, best_gap = std::fabs(t.level - from.level);
    }
    return best;
  };
  double level = kStartLevel;
  int hold_bits = 0;  // a finer grid held at a lower level's codebooks (see below)
  for (int trial = 0; trial < kTrials; ++trial) {
    level = std::round(level / kLevelGrid) * kLevelGrid;
    SCZ_RETURN_IF_ERROR(try_level(level, "sh", hold_bits).status());
    hold_bits = 0;
    bool landed = false;
    for (const Tried& t : tried) landed = landed || (t.psnr >= target && t.psnr <= target + kGoodEnoughDb);
    if (landed) break;
    // The closest trial below the target and the closest above bracket it.
    const Tried* below = nullptr;
    const Tried* above = nullptr;
    for (const Tried& t : tried) {
      if (t.psnr < target && (!below || t.level > below->level)) below = &t;
      if (t.psnr >= target && (!above || t.level < above->level)) above = &t;
    }
    if (below && above && above->level > below->level) {
      const double aim = target + kCloseAboveDb;
      const int low_bits = below->bits;
      double step = above->level;  // the first level past `below` with more position bits
      for (int k = 1;; ++k) {
        // On the grid exactly (a running sum drifts off it and past the step).
        const double l = std::round(below->level / kLevelGrid + k) * kLevelGrid;
        if (l >= above->level) break;
        if (position_bits_at(l) > low_bits) {
          step = l;
          break;
        }
      }
      if (step < above->level) {
        // A step inside the bracket: the lower side's slope says whether the aim is
        // reached before it.
        double s = segment_slope(low_bits, *below);
        if (s == 0.0) s = kPriorDbPerLevel;
        const double before = below->level + (aim - below->psnr) / s;
        level = before < step - 0.01 ? before : step;
      } else if (above->bits > low_bits && above->level - below->level < 0.5) {
        // `above` is the step itself, and the coarser grid fell short just below it: the
        // finer grid alone overshoots, so keep it and back its codebooks off along the
        // ladder's slope (an off-ladder point: the ladder cannot land in this gap).
        double s = segment_slope(low_bits, *below);
        if (s == 0.0) s = kPriorDbPerLevel;
        const double before = below->level + (aim - below->psnr) / s;
        if (before >= above->level - 0.01) {
          // Aimed as high as a one-sided step: nothing has measured this grid's slope yet.
          level = std::max(lowest, above->level - (above->psnr - target - kAimAboveDb) / s);
          hold_bits = above->bits;
          bool repeat = false;
          for (const Tried& t : tried) repeat = repeat || (std::fabs(level - t.level) < 0.01 && t.bits == hold_bits);
          if (repeat) break;
          continue;
        }
        level = before;
      } else {
        double s = slope_of(*below, *above);
        if (s == 0.0) s = kPriorDbPerLevel;
        level = below->level + (aim - below->psnr) / s;
      }
      level = std::clamp(level, below->level + 0.01, above->level - 0.01);
    } else {
      // One side only: from the trial nearest the aim, by the last two trials' slope.
      const double aim = target + kAimAboveDb;
      const Tried* from = &tried.back();
      for (const Tried& t : tried) {
        if (std::fabs(t.psnr - aim) < std::fabs(from->psnr - aim)) from = &t;
      }
      double s = tried.size() >= 2 ? slope_of(tried[tried.size() - 2], tried.back()) : 0.0;
      if (s == 0.0) s = kPriorDbPerLevel;
      level = std::clamp(from->level + (aim - from->psnr) / s, lowest, highest);
    }
    bool repeat = false;  // the line points where a trial already is
    for (const Tried& t : tried) repeat = repeat || std::fabs(level - t.level) < 0.01;
    if (repeat) break;
  }
  const auto best_of = [&]() -> const Tried* {
    const Tried* best = nullptr;
    for (const Tried& t : tried) {
      if (t.psnr >= o.target_db && (!best || t.encoded.size() < best->encoded.size())) best = &t;
    }
    return best;
  };
  if (!best_of()) {
    bool top_tried = false;
    for (const Tried& t : tried) top_tried = top_tried || t.level >= highest;
    if (!top_tried) SCZ_RETURN_IF_ERROR(try_level(highest).status());
  }
  const Tried* found = best_of();
  if (!found) {
    char message[160];
    std::snprintf(message, sizeof message, "cannot reach %.2f dB: the top level (%d) renders at %.2f dB", o.target_db,
                  static_cast<int>(highest), tried.back().psnr);
    return invalid_input(message);
  }
  // Whether a colour field beats the SH streams is measured, scene by scene: at the level
  // found and one above (finer other attributes making up for the field's colour error).
  // Scenes without view-dependent colour have no SH streams to replace.
  if (o.try_colour_field && scene.gaussians()->sh_degree > 0) {
    const double at = found->level;
    SCZ_RETURN_IF_ERROR(try_level(at, "field-view").status());
    SCZ_RETURN_IF_ERROR(try_level(std::min(at + 1.0, highest), "field-view").status());
    found = best_of();
  }
  Tried& best = tried[static_cast<std::size_t>(found - tried.data())];
  result.settings = std::move(best.settings);
  result.encoded = std::move(best.encoded);
  result.report = std::move(best.report);
  result.psnr = best.psnr;
  return result;
}

}  // namespace scenezip::cli
