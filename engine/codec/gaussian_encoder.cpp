#include "engine/codec/gaussian_encoder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "formats/scz/float16.h"
#include "formats/scz/gaussian_layout.h"
#include "engine/codec/importance_prune.h"
#include "engine/codec/kmeans.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/ranged_streams.h"
#include "engine/codec/pca.h"

namespace scenezip::codec {

// The encoder fills the streams whose layout formats/scz owns.
using namespace scz;

namespace {

// The vector the codec quantizes for attribute `a` of Gaussian `i` (see Attribute).
void gather(Attribute a, const GaussianCloud& cloud, std::size_t i, float* v) {
  switch (a) {
    case Attribute::kScale: std::copy_n(&cloud.log_scales[3 * i], 3, v); return;
    case Attribute::kRotation: {
      // q and -q are one rotation: w >= 0 halves the space the codebook must cover.
      const float* q = &cloud.rotations[4 * i];
      const float sign = q[0] < 0.0f ? -1.0f : 1.0f;
      for (int k = 0; k < 4; ++k) v[k] = sign * q[k];
      return;
    }
    case Attribute::kOpacity: v[0] = activation::opacity(cloud.logit_opacities[i]); return;
    case Attribute::kColor: std::copy_n(&cloud.sh_dc[3 * i], 3, v); return;
    case Attribute::kSh: {
      const int per_channel = sh_coeffs_per_channel(cloud.sh_degree) - 1;
      const float* rest = &cloud.sh_rest[static_cast<std::size_t>(cloud.sh_rest_stride()) * i];
      for (int j = 0; j < per_channel; ++j) {
        for (int c = 0; c < 3; ++c) v[3 * j + c] = rest[c * per_channel + j];
      }
      return;
    }
  }
}

std::vector<float> codec_weights(const GaussianCloud& cloud, const std::string& weighting) {
  std::vector<float> w(cloud.count, 1.0f);
  if (weighting == "uniform") return w;
  for (std::size_t i = 0; i < cloud.count; ++i) {
    const float alpha = activation::opacity(cloud.logit_opacities[i]);
    float s[3] = {cloud.log_scales[3 * i], cloud.log_scales[3 * i + 1], cloud.log_scales[3 * i + 2]};
    std::sort(s, s + 3);
    if (weighting == "opacity") {
      w[i] = alpha;
    } else if (weighting == "opacity_area") {
      w[i] = alpha * std::exp(0.5f * (s[1] + s[2]));  // square root of the largest cross-section
    } else if (weighting == "footprint") {
      w[i] = alpha * alpha * std::exp(s[1] + s[2]);
    }
  }
  return w;
}

const QuantizerSettings& quantizer_for(const GaussianCodecSettings& s, Attribute a) {
  switch (a) {
    case Attribute::kScale: return s.scale;
    case Attribute::kRotation: return s.rotation;
    case Attribute::kOpacity: return s.opacity;
    case Attribute::kColor: return s.color;
    case Attribute::kSh: return s.sh;
  }
  return s.scale;
}

struct QuantizedAttribute {
  AttributeLayout layout;
  Bytes codebook;
  Bytes indices;              // byte planes, slice after slice
  std::vector<std::uint32_t> by_gaussian;  // the same indices, Gaussian-major
  Bytes transform;
  AttributeReport report;
};

// The leading slices that fit `dims` values, the last one cut short (SH of degree < 3).
std::vector<std::pair<int, int>> fit_slices(const QuantizerSettings& q, int dims) {
  std::vector<std::pair<int, int>> out;
  int left = dims;
  for (std::size_t i = 0; i < q.slices.size() && left > 0; ++i) {
    const int d = std::min(q.slices[i], left);
    out.push_back({d, q.codebook_sizes[i]});
    left -= d;
  }
  return out;
}

// Entropy-constrained assignment: a Gaussian may leave its nearest code for one of the
// most used codes when the bits that saves (-log2 of the codes' shares) outweigh the
// added error: cost = (w_i / mean w) x squared distance + lambda x bits, with lambda =
// `rate_weight` x the mean weighted squared distance of the nearest assignment, so one
// number means the same on every attribute and scene. Only the most used codes are
// candidates: they are where bits are saved, and the search stays linear.
void spend_fewer_bits(const float* data, std::size_t n, int dims, const float* centroids, int k, const float* weights,
                      float rate_weight, std::uint32_t* index, float* distance) {
  constexpr int kCandidates = 16;
  constexpr int kPasses = 2;
  double weight_sum = 0.0, error_sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    weight_sum += weights[i];
    error_sum += static_cast<double>(weights[i]) * distance[i];
  }
  if (!(weight_sum > 0.0) || !(error_sum > 0.0)) return;
  const double mean_weight = weight_sum / static_cast<double>(n);
  const double lambda = rate_weight * error_sum / weight_sum;
  std::vector<double> bits(k);
  std::vector<std::size_t> uses(k);
  std::vector<int> popular(k);
  for (int pass = 0; pass < kPasses; ++pass) {
    std::fill(uses.begin(), uses.end(), 0);
    for (std::size_t i = 0; i < n; ++i) ++uses[index[i]];
    for (int c = 0; c < k; ++c) {
      bits[c] = -std::log2((static_cast<double>(uses[c]) + 0.5) / (static_cast<double>(n) + 0.5 * k));
      popular[c] = c;
    }
    const int m = std::min(k, kCandidates);
    std::partial_sort(popular.begin(), popular.begin() + m, popular.end(),
                      [&](int a, int b) { return uses[a] != uses[b] ? uses[a] > uses[b] : a < b; });
    for (std::size_t i = 0; i < n; ++i) {
      const double scale = weights[i] / mean_weight;
      const float* x = data + i * dims;
      double best = scale * distance[i] + lambda * bits[index[i]];
      for (int j = 0; j < m; ++j) {
        const int c = popular[j];
        const float* y = centroids + static_cast<std::size_t>(c) * dims;
        float d2 = 0.0f;
        for (int t = 0; t < dims; ++t) d2 += (x[t] - y[t]) * (x[t] - y[t]);
        const double cost = scale * d2 + lambda * bits[c];
        if (cost < best) {
          best = cost;
          index[i] = static_cast<std::uint32_t>(c);
          distance[i] = d2;
        }
      }
    }
  }
}

Result<QuantizedAttribute> quantize_attribute(Attribute a, const GaussianCloud& cloud, const std::vector<float>& weights,
                                              const GaussianCodecSettings& s, const EncoderAccelerators& accelerators) {
  const auto start = std::chrono::steady_clock::now();
  const QuantizerSettings& q = quantizer_for(s, a);
  const std::size_t n = cloud.count;
  const int dims = attribute_dims(a, cloud.sh_degree);
  std::vector<float> vectors(n * dims);
  for (std::size_t i = 0; i < n; ++i) gather(a, cloud, i, &vectors[i * dims]);

  QuantizedAttribute out;
  out.layout.attribute = a;
  out.report.name = attribute_name(a);
  if (q.transform == "pca") {
    // Code u = M^T (v - mean); the decoder's v = mean + M u is written with the same
    // float32 numbers, and M is orthonormal, so errors in u are errors in v.
    const Pca pca = compute_pca(vectors.data(), n, dims, weights.data());
    std::vector<float> mean(dims), basis(static_cast<std::size_t>(dims) * dims);
    for (int k = 0; k < dims; ++k) mean[k] = static_cast<float>(pca.mean[k]);
    for (std::size_t k = 0; k < basis.size(); ++k) basis[k] = static_cast<float>(pca.basis[k]);
    std::vector<float> d(dims);
    for (std::size_t i = 0; i < n; ++i) {
      float* v = &vectors[i * dims];
      for (int k = 0; k < dims; ++k) d[k] = v[k] - mean[k];
      for (int c = 0; c < dims; ++c) {
        float sum = 0.0f;
        for (int r = 0; r < dims; ++r) sum += basis[r * dims + c] * d[r];
        v[c] = sum;
      }
    }
    out.layout.transform = Transform::kAffine;
    for (float m : mean) append_f32(out.transform, m);
    for (float b : basis) append_f32(out.transform, b);
  } else if (q.transform == "smallest_three") {
    float rotation[4];
    for (std::size_t i = 0; i < n; ++i) {
      std::copy_n(&vectors[i * dims], 4, rotation);
      rotation_to_smallest_three(rotation, &vectors[i * dims]);
    }
    out.layout.transform = Transform::kSmallestThree;
  }
  double squared_error = 0.0;
  std::vector<float> slice;
  std::vector<std::uint32_t> index(n);
  std::vector<float> distance(n);
  int offset = 0;
  const auto slices = fit_slices(q, dims);
  for (std::size_t si = 0; si < slices.size(); ++si) {
    const int d = slices[si].first;
    slice.resize(n * d);
    for (std::size_t i = 0; i < n; ++i) std::copy_n(&vectors[i * dims + offset], d, &slice[i * d]);
    KMeansOptions options;
    options.k = slices[si].second;
    if (s.min_gaussians_per_code > 0) {
      const std::size_t cap = std::max<std::size_t>(16, n / static_cast<std::size_t>(s.min_gaussians_per_code));
      options.k = static_cast<int>(std::min<std::size_t>(options.k, cap));
    }
    options.iterations = s.kmeans_iterations;
    options.max_samples = static_cast<std::size_t>(s.kmeans_samples);
    // A different stream of random choices per slice, all fixed by the one seed.
    options.seed = SplitMix64(s.seed ^ (0x100ull * static_cast<std::uint64_t>(a) + si)).next();
    options.threads = s.threads;
    KMeansResult km;
    if (accelerators.train_kmeans) {
      SCZ_ASSIGN_OR_RETURN(km, accelerators.train_kmeans(slice.data(), n, d, weights.data(), options));
    } else {
      km = train_kmeans(slice.data(), n, d, weights.data(), options);
    }
    if (km.k == 0) {  // no Gaussians: one zero code keeps the layout valid
      km.k = 1;
      km.centroids.assign(d, 0.0f);
    }
    // Assign against the float16 values the decoder will see, not the float32 ones.
    for (float& c : km.centroids) c = half_to_float(float_to_half(c));
    if (accelerators.assign_nearest) {
      SCZ_RETURN_IF_ERROR(
          accelerators.assign_nearest(slice.data(), n, d, km.centroids.data(), km.k, index.data(), distance.data()));
    } else {
      assign_nearest(slice.data(), n, d, km.centroids.data(), km.k, index.data(), distance.data(), s.threads);
    }
    if (s.rate_weight > 0.0f && km.k > 1) {
      spend_fewer_bits(slice.data(), n, d, km.centroids.data(), km.k, weights.data(), s.rate_weight, index.data(),
                       distance.data());
    }
    std::vector<std::uint32_t> by_use(km.k), rank(km.k);
    for (int c = 0; c < km.k; ++c) by_use[c] = static_cast<std::uint32_t>(c);
    if (s.entropy_coder == "range") {
      // Codes in the order of their first value (the largest principal axis where the
      // attribute has one): nearby indices then mean nearby values, and the range
      // coder's contexts (the index's leading bits in a neighbour) say something.
      const float* c = km.centroids.data();
      std::stable_sort(by_use.begin(), by_use.end(), [&](std::uint32_t a, std::uint32_t b) {
        return c[static_cast<std::size_t>(a) * d] < c[static_cast<std::size_t>(b) * d];
      });
    } else {
      // Most used codes first: the high bytes of two-byte indices then cluster near
      // zero, which zstd's entropy stage turns into fewer bits.
      by_use = most_used_first(index.data(), n, static_cast<std::size_t>(km.k)).by_use;
    }
    for (int r = 0; r < km.k; ++r) rank[by_use[r]] = static_cast<std::uint32_t>(r);
    for (std::size_t i = 0; i < n; ++i) index[i] = rank[index[i]];
    Bytes& book = out.codebook;
    for (int r = 0; r < km.k; ++r) {
      for (int j = 0; j < d; ++j) {
        const std::uint16_t h = float_to_half(km.centroids[static_cast<std::size_t>(by_use[r]) * d + j]);
        book.push_back(static_cast<std::uint8_t>(h));
        book.push_back(static_cast<std::uint8_t>(h >> 8));
      }
    }
    const SliceLayout layout{d, km.k};
    out.by_gaussian.resize(n * slices.size());
    for (std::size_t i = 0; i < n; ++i) out.by_gaussian[i * slices.size() + si] = index[i];
    const std::size_t at = out.indices.size();
    out.indices.resize(at + n * layout.index_bytes());
    for (std::size_t i = 0; i < n; ++i) {
      out.indices[at + i] = static_cast<std::uint8_t>(index[i]);
      if (layout.index_bytes() == 2) out.indices[at + n + i] = static_cast<std::uint8_t>(index[i] >> 8);
      squared_error += distance[i];
    }
    out.layout.slices.push_back(layout);
    out.report.codebook_sizes.push_back(km.k);
    offset += d;
  }
  out.report.rms_error = n ? std::sqrt(squared_error / (static_cast<double>(n) * dims)) : 0.0;
  out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

// Which Gaussians keep their higher SH bands. A Gaussian's bands change the image by
// roughly their RMS colour over the sphere of directions (with the orthonormal real SH
// basis, the mean square is sum(c^2) / (4 pi) per channel; the channels are averaged)
// times the blending weight it gets; the squared error it adds to the image grows with
// that weight summed over pixels, its importance. So a Gaussian keeps its bands when
// sqrt(importance / mean importance) x RMS reaches `min_rms`: an invisible or tiny
// Gaussian drops its view dependence first, one that covers many pixels last.
std::vector<std::uint8_t> sh_presence(const GaussianCloud& cloud, const std::vector<float>& importance,
                                      float min_rms) {
  const std::size_t n = cloud.count;
  std::vector<std::uint8_t> keep(n, 1);
  double mean = 0.0;
  for (float v : importance) mean += v;
  mean /= static_cast<double>(std::max<std::size_t>(n, 1));
  if (!(mean > 0.0)) return keep;  // no view saw the scene: nothing to judge by
  const std::size_t stride = static_cast<std::size_t>(cloud.sh_rest_stride());
  constexpr double kFourPi = 12.566370614359172;
  for (std::size_t i = 0; i < n; ++i) {
    const float* rest = &cloud.sh_rest[stride * i];
    double sum = 0.0;
    for (std::size_t k = 0; k < stride; ++k) sum += static_cast<double>(rest[k]) * rest[k];
    const double rms = std::sqrt(sum / (3.0 * kFourPi));
    keep[i] = std::sqrt(static_cast<double>(importance[i]) / mean) * rms >= min_rms ? 1 : 0;
  }
  return keep;
}

}  // namespace

int position_grid_bits(const std::vector<float>& positions, int bits) {
  const std::size_t n = positions.size() / 3;
  if (n < 2) return bits;
  double worst = 1.0;
  std::vector<float> axis(n);
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = 0; i < n; ++i) axis[i] = positions[3 * i + k];
    const auto at = [&](double q) {
      const auto it = axis.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(n - 1));
      std::nth_element(axis.begin(), it, axis.end());
      return static_cast<double>(*it);
    };
    const double lo = at(0.005), hi = at(0.995), full_lo = at(0.0), full_hi = at(1.0);
    if (hi > lo) worst = std::max(worst, (full_hi - full_lo) / (hi - lo));
  }
  const int extra = static_cast<int>(std::floor(std::log2(worst) + 0.5));
  return std::clamp(bits + extra, kMinPositionBits, kMaxPositionBits);
}

std::vector<std::size_t> morton_order(const std::vector<float>& positions, const std::array<float, 3>& lo,
                                      const std::array<float, 3>& hi, int bits) {
  const auto keyed = sorted_morton_codes(positions, lo, hi, bits);
  std::vector<std::size_t> order(keyed.size());
  for (std::size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

namespace {

// The field is fitted at the positions the decoder gets back from the position stream,
// so it finds the same table entries touched.
Result<scz::ColourFieldStreams> fit_colour_field(const GaussianCloud& cloud, const Bytes& position_stream,
                                                 const GaussianLayout& layout, const GaussianCodecSettings& settings,
                                                 const EncoderAccelerators& accelerators) {
  if (!accelerators.fit_colour_field) {
    return invalid_input("colour " + settings.colour + " needs a colour-field fitter, which this program lacks");
  }
  GaussianCloud decoded = cloud;
  SCZ_RETURN_IF_ERROR(scz::decode_morton_deltas(position_stream, decoded.count, layout.position_bits,
                                                layout.bounds_min, layout.bounds_max, decoded.positions.data()));
  Result<scz::ColourFieldStreams> field = accelerators.fit_colour_field(decoded, settings);
  if (!field.ok()) return field.status().with_context("colour field");
  const auto wanted = settings.colour == "field-full" ? scz::ColourSource::kFieldFull
                                                      : scz::ColourSource::kFieldViewDependent;
  if (field->source != wanted) return internal_error("colour-field fitter returned the other kind of field");
  return field;
}

}  // namespace

Result<Bytes> encode_gaussians(const GaussianCloud& input, const GaussianCodecSettings& settings,
                               GaussianEncodeReport* report, const StageCallback& stage,
                               const EncoderAccelerators& accelerators) {
  SCZ_RETURN_IF_ERROR(check_settings(settings));
  const std::size_t n_in = input.count;
  if (input.sh_degree < 0 || input.sh_degree > kMaxShDegree || input.positions.size() != 3 * n_in ||
      input.log_scales.size() != 3 * n_in || input.rotations.size() != 4 * n_in ||
      input.logit_opacities.size() != n_in || input.sh_dc.size() != 3 * n_in ||
      input.sh_rest.size() != static_cast<std::size_t>(input.sh_rest_stride()) * n_in) {
    return internal_error("Gaussian arrays disagree with their count or SH degree");
  }
  auto begin = [&](const std::string& name) {
    if (stage) stage(name);
  };
  GaussianEncodeReport r;

  begin("pruning");
  PruneSettings prune;
  prune.min_opacity = settings.min_opacity;
  prune.min_scale_fraction = settings.min_scale_fraction;
  prune.sh_band_min_rms = settings.sh_band_min_rms;
  prune.max_sh_degree = settings.max_sh_degree;
  GaussianCloud pruned = prune_gaussians(input, prune, &r.prune);
  // Importance is measured after the cheap pruning, so nothing non-finite is rendered,
  // and follows the Gaussians into the Morton order for k-means weights.
  std::vector<float> importance;
  // SH presence bits judge by importance, but a scene left without SH bands (or whose
  // colour goes to a field) has no bands to judge: it is not rendered for them.
  const bool sh_presence_wanted = settings.sh_gaussian_min_rms > 0.0f && settings.entropy_coder == "range" &&
                                  pruned.sh_degree > 0 && settings.colour == "sh";
  GaussianCodecSettings without_presence = settings;
  without_presence.sh_gaussian_min_rms = 0.0f;
  const bool importance_elsewhere = needs_importance(without_presence);
  if (importance_elsewhere || sh_presence_wanted) {
    begin("importance");
    Result<std::vector<float>> measured = gaussian_importance(pruned, settings, accelerators.blend_weights);
    if (!measured.ok()) return measured.status().with_context("importance");
    importance = std::move(measured).value();
    if (settings.importance_keep < 1.0f || settings.importance_prune_fraction > 0.0f) {
      pruned = prune_by_importance(pruned, &importance, settings, &r.prune);
    }
  }

  begin("Morton ordering");
  GaussianLayout layout;
  layout.sh_degree = pruned.sh_degree;
  layout.position_bits = position_grid_bits(pruned.positions, settings.position_bits);
  const Bounds bounds = compute_bounds(pruned.positions);
  layout.bounds_min = bounds.min;
  layout.bounds_max = bounds.max;
  const std::size_t n = pruned.count;
  // Sorted once: the order moves the Gaussians and the codes become the position stream.
  const auto keyed = sorted_morton_codes(pruned.positions, bounds.min, bounds.max, layout.position_bits);
  GaussianCloud cloud;
  cloud.resize(n, pruned.sh_degree);
  for (std::size_t i = 0; i < n; ++i) cloud.copy_from(pruned, keyed[i].second, i);
  pruned = GaussianCloud();
  if (!importance.empty()) {
    std::vector<float> ordered(n);
    for (std::size_t i = 0; i < n; ++i) ordered[i] = importance[keyed[i].second];
    importance = std::move(ordered);
  }
  const double levels = static_cast<double>((std::uint32_t{1} << layout.position_bits) - 1);
  r.position_bits = layout.position_bits;
  for (int k = 0; k < 3; ++k) r.position_step = std::max(r.position_step, (bounds.max[k] - bounds.min[k]) / levels);

  std::vector<scz::StreamToWrite> streams;
  const bool ranged = settings.entropy_coder == "range";
  // Each stream keeps the range-coded form only where it is no larger than the byte
  // planes, which bounds what a reader must accept (kRangedSlackBytes).
  auto add_coded = [&](std::uint16_t id, Bytes planes, Bytes coded, StreamCoding& coding) {
    if (ranged && coded.size() <= planes.size()) {
      coding = StreamCoding::kRanged;
      streams.push_back({id, std::move(coded), 0});
    } else {
      coding = StreamCoding::kPlanes;
      streams.push_back({id, std::move(planes), settings.zstd_level});
    }
  };
  Bytes position_planes = morton_delta_stream(keyed, layout.position_bits);
  // What the colour field is fitted at: the positions the decoder gets back, whichever coding.
  const bool wants_field =
      settings.colour == "field-full" || (settings.colour == "field-view" && cloud.sh_degree > 0);
  const Bytes planes_for_field = wants_field ? position_planes : Bytes();
  add_coded(kPositionStream, std::move(position_planes),
            ranged ? encode_ranged_positions(keyed, layout.position_bits) : Bytes(), layout.position_coding);
  auto weights_for = [&](const std::string& w) { return w == "importance" ? importance : codec_weights(cloud, w); };
  const std::vector<float> shared_weights = weights_for(settings.weighting);
  // A scene left without view-dependent colour (SH bands all pruned as empty) has
  // nothing for a view-dependent field to carry: the plain DC is smaller.
  if (wants_field) {
    begin("colour field");
    SCZ_ASSIGN_OR_RETURN(scz::ColourFieldStreams field, fit_colour_field(cloud, planes_for_field, layout,
                                                                         settings, accelerators));
    layout.sh_degree = 0;
    layout.colour_source = static_cast<std::uint8_t>(field.source);
    cloud.set_sh_degree(0);
    SCZ_ASSIGN_OR_RETURN(scz::ColourFieldBytes bytes, scz::serialize_colour_field(field));
    streams.push_back({scz::kColourFieldHeaderStream, std::move(bytes.header), settings.zstd_level});
    streams.push_back({scz::kColourFieldFeatureStream, std::move(bytes.features), settings.zstd_level});
    streams.push_back({scz::kColourFieldWeightStream, std::move(bytes.weights), settings.zstd_level});
  }
  for (Attribute a : attributes_for(cloud.sh_degree, layout.colour_source)) {
    begin(std::string("k-means ") + attribute_name(a));
    const std::string& own = quantizer_for(settings, a).weighting;
    const std::vector<float> weights =
        own.empty() || own == settings.weighting ? shared_weights : weights_for(own);
    // SH presence bits (version 3): the codebooks are trained on, and index, only the
    // Gaussians that keep their bands. Not when every Gaussian keeps them or none does
    // (then the plain stream is smaller), nor when the stream would be so small that a
    // reader's bound on Gaussians per byte (kMaxGaussiansPerRangedByte) refuses it.
    std::vector<std::uint8_t> presence;
    std::size_t present = n;
    if (a == Attribute::kSh && sh_presence_wanted && !importance.empty()) {
      presence = sh_presence(cloud, importance, settings.sh_gaussian_min_rms);
      present = static_cast<std::size_t>(std::count(presence.begin(), presence.end(), std::uint8_t{1}));
      if (present == n || present == 0) presence.clear(), present = n;
    }
    auto quantize = [&]() -> Result<QuantizedAttribute> {
      if (presence.empty()) return quantize_attribute(a, cloud, weights, settings, accelerators);
      GaussianCloud kept;
      kept.resize(present, cloud.sh_degree);
      std::vector<float> kept_weights(present);
      for (std::size_t i = 0, j = 0; i < n; ++i) {
        if (!presence[i]) continue;
        kept.copy_from(cloud, i, j);
        kept_weights[j++] = weights[i];
      }
      return quantize_attribute(a, kept, kept_weights, settings, accelerators);
    };
    Result<QuantizedAttribute> quantized = quantize();
    if (!quantized.ok()) return quantized.status().with_context(std::string("k-means ") + attribute_name(a));
    QuantizedAttribute q = std::move(quantized).value();
    Bytes coded;
    if (!presence.empty()) {
      const std::size_t slices = q.layout.slices.size();
      std::vector<std::uint32_t> rows(n * slices, 0);
      for (std::size_t i = 0, j = 0; i < n; ++i) {
        if (presence[i]) std::copy_n(&q.by_gaussian[j++ * slices], slices, &rows[i * slices]);
      }
      coded = encode_ranged_indices_with_presence(q.layout, presence, rows);
      const std::uint64_t bound = index_stream_bytes(q.layout, n) + (n + 7) / 8 + kRangedSlackBytes;
      if (coded.size() * kMaxGaussiansPerRangedByte < n || coded.size() > bound) {
        // Only a scene with a handful of SH-bearing Gaussians among very many comes here.
        presence.clear();
        present = n;
        quantized = quantize();
        if (!quantized.ok()) return quantized.status().with_context(std::string("k-means ") + attribute_name(a));
        q = std::move(quantized).value();
      }
    }
    streams.push_back({codebook_stream(a), std::move(q.codebook), settings.zstd_level});
    if (!presence.empty()) {
      q.layout.index_coding = StreamCoding::kRangedPresence;
      // The report's error is the decoder's: a Gaussian without bands misses all of them.
      const std::size_t stride = static_cast<std::size_t>(cloud.sh_rest_stride());
      double dropped = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        if (presence[i]) continue;
        for (std::size_t k = 0; k < stride; ++k) dropped += static_cast<double>(cloud.sh_rest[stride * i + k]) * cloud.sh_rest[stride * i + k];
      }
      const double values = static_cast<double>(stride);
      q.report.rms_error = std::sqrt((q.report.rms_error * q.report.rms_error * static_cast<double>(present) * values +
                                      dropped) / (static_cast<double>(n) * values));
      streams.push_back({index_stream(a), std::move(coded), 0});
    } else {
      add_coded(index_stream(a), std::move(q.indices),
                ranged ? encode_ranged_indices(q.layout, q.by_gaussian, n) : Bytes(), q.layout.index_coding);
    }
    if (!q.transform.empty()) streams.push_back({transform_stream(a), std::move(q.transform), settings.zstd_level});
    layout.attributes.push_back(std::move(q.layout));
    r.attributes.push_back(std::move(q.report));
  }

  begin("entropy coding");
  r.count_out = n;
  SCZ_ASSIGN_OR_RETURN(Bytes file,
                       scz::write_scene_file(scz::SceneKindId::kGaussians, n, settings_json(settings).dump(), layout,
                                             kLayoutStream, std::move(streams), settings.threads, &r.streams));
  if (report) *report = std::move(r);
  return file;
}

}  // namespace scenezip::codec
