#include "engine/codec/importance_prune.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numeric>

#include "engine/core/parallel.h"
#include "engine/render/splat_importance.h"

namespace scenezip::codec {

namespace {

// The C++ reference over views on several threads. Each view's sums are rounded to a
// fixed point (2^-22, the GPU's unit) and added as integers, so the result does not
// depend on the thread count or the order the views finish in.
std::vector<float> blend_weights_threaded(const GaussianCloud& cloud, const std::vector<Camera>& cameras,
                                          int threads) {
  constexpr double kScale = 4194304.0;  // 2^22
  std::vector<std::uint64_t> total(cloud.count, 0);
  std::mutex mutex;
  parallel_chunks(cameras.size(), resolve_threads(threads), [&](std::size_t v) {
    std::vector<double> sums(cloud.count, 0.0);
    add_blend_weights_reference(cloud, cameras[v], sums.data());
    std::lock_guard<std::mutex> lock(mutex);
    for (std::size_t i = 0; i < cloud.count; ++i) total[i] += static_cast<std::uint64_t>(std::llround(sums[i] * kScale));
  });
  std::vector<float> out(cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) out[i] = static_cast<float>(static_cast<double>(total[i]) / kScale);
  return out;
}

}  // namespace

BlendWeightsFunction remembering_blend_weights(BlendWeightsFunction inner, int threads) {
  struct Memory {
    bool filled = false;
    std::vector<float> positions, log_scales, rotations, logit_opacities;
    std::vector<Camera> cameras;
    std::vector<float> weights;
  };
  auto memory = std::make_shared<Memory>();
  auto same_camera = [](const Camera& a, const Camera& b) {
    return a.width == b.width && a.height == b.height && a.fx == b.fx && a.fy == b.fy && a.cx == b.cx &&
           a.cy == b.cy && a.rotation == b.rotation && a.position == b.position && a.znear == b.znear;
  };
  return [inner = std::move(inner), threads, memory, same_camera](
             const GaussianCloud& cloud, const std::vector<Camera>& cameras) -> Result<std::vector<float>> {
    Memory& m = *memory;
    // Blend weights depend on nothing else of a Gaussian (its colour does not matter).
    bool same = m.filled && m.positions == cloud.positions && m.log_scales == cloud.log_scales &&
                m.rotations == cloud.rotations && m.logit_opacities == cloud.logit_opacities &&
                m.cameras.size() == cameras.size();
    for (std::size_t v = 0; same && v < cameras.size(); ++v) same = same_camera(m.cameras[v], cameras[v]);
    if (same) return m.weights;
    std::vector<float> weights;
    if (inner) {
      SCZ_ASSIGN_OR_RETURN(weights, inner(cloud, cameras));
    } else {
      weights = blend_weights_threaded(cloud, cameras, threads);
    }
    m.filled = true;
    m.positions = cloud.positions;
    m.log_scales = cloud.log_scales;
    m.rotations = cloud.rotations;
    m.logit_opacities = cloud.logit_opacities;
    m.cameras = cameras;
    m.weights = weights;
    return weights;
  };
}

bool needs_importance(const GaussianCodecSettings& s) {
  if (s.importance_keep < 1.0f || s.importance_prune_fraction > 0.0f || s.weighting == "importance") return true;
  if (s.sh_gaussian_min_rms > 0.0f && s.entropy_coder == "range") return true;  // SH presence bits
  for (const QuantizerSettings* q : {&s.scale, &s.rotation, &s.opacity, &s.color, &s.sh}) {
    if (q->weighting == "importance") return true;
  }
  return false;
}

Result<std::vector<float>> gaussian_importance(const GaussianCloud& cloud, const GaussianCodecSettings& s,
                                               const BlendWeightsFunction& blend_weights) {
  std::vector<float> importance;
  if (s.importance_source == "opacity") {
    importance.resize(cloud.count);
    for (std::size_t i = 0; i < cloud.count; ++i) importance[i] = activation::opacity(cloud.logit_opacities[i]);
  } else {
    const std::vector<Camera> cameras =
        importance_cameras(cloud.positions, s.importance_views, s.importance_resolution);
    if (blend_weights) {
      SCZ_ASSIGN_OR_RETURN(importance, blend_weights(cloud, cameras));
      if (importance.size() != cloud.count) {
        return internal_error("importance: blend weights came back with " + std::to_string(importance.size()) +
                              " values for " + std::to_string(cloud.count) + " Gaussians");
      }
    } else {
      importance = blend_weights_threaded(cloud, cameras, s.threads);
    }
  }
  if (s.importance_volume == "volume") apply_volume_factor(cloud, s.importance_volume_power, &importance);
  return importance;
}

void apply_volume_factor(const GaussianCloud& cloud, float power, std::vector<float>* importance) {
  const std::size_t n = cloud.count;
  if (n == 0) return;
  // In logs: the product of scales is exp of the sum of log-scales.
  std::vector<double> log_volume(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* ls = &cloud.log_scales[3 * i];
    log_volume[i] = static_cast<double>(ls[0]) + ls[1] + ls[2];
  }
  std::vector<double> sorted = log_volume;
  const std::size_t at = static_cast<std::size_t>(0.1 * static_cast<double>(n - 1));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at), sorted.end());
  const double reference = sorted[at];
  for (std::size_t i = 0; i < n; ++i) {
    (*importance)[i] = static_cast<float>((*importance)[i] * std::exp(power * (log_volume[i] - reference)));
  }
}

std::vector<std::size_t> select_important(const std::vector<float>& importance, double keep, double prune_fraction) {
  const std::size_t n = importance.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Least important first; a non-finite or negative value counts as 0.
  auto value = [&](std::size_t i) {
    const float v = importance[i];
    return std::isfinite(v) && v > 0.0f ? static_cast<double>(v) : 0.0;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
  std::size_t remove = static_cast<std::size_t>(std::floor(std::clamp(prune_fraction, 0.0, 1.0) * n));
  remove = std::min(remove, n);
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) total += value(i);
  if (keep < 1.0 && total > 0.0) {
    // Remove while what stays still holds `keep` of the total.
    const double may_remove = (1.0 - std::max(keep, 0.0)) * total;
    double removed = 0.0;
    std::size_t by_share = 0;
    while (by_share < n && removed + value(order[by_share]) <= may_remove) removed += value(order[by_share++]);
    remove = std::max(remove, by_share);
  }
  std::vector<std::size_t> kept(order.begin() + static_cast<std::ptrdiff_t>(remove), order.end());
  std::sort(kept.begin(), kept.end());
  return kept;
}

GaussianCloud prune_by_importance(const GaussianCloud& cloud, std::vector<float>* importance,
                                  const GaussianCodecSettings& s, PruneReport* report) {
  const std::vector<std::size_t> kept = select_important(*importance, s.importance_keep, s.importance_prune_fraction);
  double total = 0.0, kept_total = 0.0;
  for (float v : *importance) total += std::isfinite(v) && v > 0.0f ? v : 0.0f;
  GaussianCloud out;
  out.resize(kept.size(), cloud.sh_degree);
  std::vector<float> kept_importance(kept.size());
  for (std::size_t d = 0; d < kept.size(); ++d) {
    out.copy_from(cloud, kept[d], d);
    kept_importance[d] = (*importance)[kept[d]];
    kept_total += std::isfinite(kept_importance[d]) && kept_importance[d] > 0.0f ? kept_importance[d] : 0.0f;
  }
  *importance = std::move(kept_importance);
  if (report) {
    report->unimportant = cloud.count - kept.size();
    report->importance_kept = total > 0.0 ? kept_total / total : 1.0;
    report->count_out = out.count;
  }
  return out;
}

}  // namespace scenezip::codec
