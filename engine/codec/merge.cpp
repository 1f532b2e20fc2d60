#include "engine/codec/merge.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "engine/render/covariance.h"
#include "formats/scz/morton_positions.h"

namespace scenezip::codec {

namespace {

constexpr double kMinEigenvalue = 1e-30;
// Candidates per Gaussian: the next ones in Morton order (neighbours in space, mostly).
constexpr int kCandidates = 8;
// Merges per pass, as a share of the Gaussians: merged Gaussians become candidates in
// the next pass, so a cap lets a cheap second merge beat a dear first one.
constexpr double kPassShare = 0.125;
constexpr int kMortonBits = 16;

double footprint_of_eigenvalues(const double l[3]) {
  const double s0 = std::sqrt(std::max(l[0], kMinEigenvalue)), s1 = std::sqrt(std::max(l[1], kMinEigenvalue)),
               s2 = std::sqrt(std::max(l[2], kMinEigenvalue));
  return (s0 * s1 + s1 * s2 + s0 * s2) / 3.0;
}

// Squared colour difference of Gaussians a and b in colour units: the DC term's, plus the
// mean square over the sphere of the higher bands' (orthonormal basis: sum / 4 pi).
double colour_distance2(const GaussianCloud& cloud, std::size_t a, std::size_t b) {
  double d2 = 0.0;
  for (int c = 0; c < 3; ++c) {
    const double d = activation::kShC0 * (cloud.sh_dc[3 * a + c] - cloud.sh_dc[3 * b + c]);
    d2 += d * d;
  }
  const std::size_t stride = static_cast<std::size_t>(cloud.sh_rest_stride());
  double rest = 0.0;
  for (std::size_t k = 0; k < stride; ++k) {
    const double d = cloud.sh_rest[stride * a + k] - cloud.sh_rest[stride * b + k];
    rest += d * d;
  }
  return d2 + rest / (4.0 * std::numbers::pi);
}

// Squared Mahalanobis distance of the two means under the sum of their covariances.
double mahalanobis2(const MergeInput& a, const MergeInput& b) {
  double m[3][3], d[3];
  for (int r = 0; r < 3; ++r) {
    d[r] = a.mean[r] - b.mean[r];
    for (int c = 0; c < 3; ++c) m[r][c] = a.sigma[r][c] + b.sigma[r][c];
  }
  double values[3], vectors[3][3];
  symmetric_eigen3(m, values, vectors);
  double sum = 0.0;
  for (int k = 0; k < 3; ++k) {
    const double p = vectors[0][k] * d[0] + vectors[1][k] * d[1] + vectors[2][k] * d[2];
    sum += p * p / std::max(values[k], kMinEigenvalue);
  }
  return sum;
}

struct Edge {
  double cost;
  std::uint32_t a, b;
};

// Writes the merged Gaussian of a and b into slot `dst` of `out`.
void write_merged(const GaussianCloud& cloud, std::size_t a, std::size_t b, const MergedGaussian& m,
                  GaussianCloud* out, std::size_t dst) {
  double values[3], vectors[3][3];
  symmetric_eigen3(m.sigma, values, vectors);
  for (int k = 0; k < 3; ++k) {
    out->positions[3 * dst + k] = static_cast<float>(m.mean[k]);
    out->log_scales[3 * dst + k] = static_cast<float>(0.5 * std::log(std::max(values[k], kMinEigenvalue)));
  }
  rotation_to_quaternion(vectors, &out->rotations[4 * dst]);
  const double opacity = std::clamp(m.opacity, 1e-6, 1.0 - 1e-6);
  out->logit_opacities[dst] = static_cast<float>(std::log(opacity / (1.0 - opacity)));
  const double wa = m.weight_a, wb = 1.0 - m.weight_a;
  for (int c = 0; c < 3; ++c) {
    out->sh_dc[3 * dst + c] = static_cast<float>(wa * cloud.sh_dc[3 * a + c] + wb * cloud.sh_dc[3 * b + c]);
  }
  const std::size_t stride = static_cast<std::size_t>(cloud.sh_rest_stride());
  for (std::size_t k = 0; k < stride; ++k) {
    out->sh_rest[stride * dst + k] =
        static_cast<float>(wa * cloud.sh_rest[stride * a + k] + wb * cloud.sh_rest[stride * b + k]);
  }
}

// One pass: the cheapest operations first, each Gaussian in at most one, at most
// `budget` Gaussians removed. An operation is merging a pair or, with `prune_weight` > 0,
// removing one Gaussian; both are costed as the share of a Gaussian's contribution to
// the image that changes, times that contribution (its importance, or its mass when no
// importance is given): removing changes all of it (times prune_weight), merging the
// footprint's relative growth plus colour_weight x the pair's colour variance.
GaussianCloud merge_pass(const GaussianCloud& cloud, std::vector<float>* importance, const MergeSettings& s,
                         std::size_t budget, MergeReport* report) {
  const std::size_t n = cloud.count;
  std::vector<MergeInput> inputs(n);
  for (std::size_t i = 0; i < n; ++i) inputs[i] = merge_input(cloud, i);
  const bool by_importance = importance && importance->size() == n;
  auto contribution = [&](std::uint32_t i) {
    return by_importance && s.by_importance ? std::max(0.0, static_cast<double>((*importance)[i]))
                                           : inputs[i].opacity * inputs[i].footprint;
  };

  const Bounds bounds = compute_bounds(cloud.positions);
  const auto order = scz::sorted_morton_codes(cloud.positions, bounds.min, bounds.max, kMortonBits);
  std::vector<Edge> edges;
  edges.reserve(n * (kCandidates + 1));
  for (std::size_t p = 0; p < n; ++p) {
    const std::uint32_t a = order[p].second;
    if (s.prune_weight > 0.0f) edges.push_back({s.prune_weight * contribution(a), a, a});
    for (std::size_t q = p + 1; q < std::min(n, p + 1 + kCandidates); ++q) {
      const std::uint32_t b = order[q].second;
      const MergeInput &ia = inputs[a], &ib = inputs[b];
      const double wa = ia.opacity * ia.footprint, wb = ib.opacity * ib.footprint, w = wa + wb;
      if (!(w > 0.0)) continue;
      if (s.max_distance2 > 0.0f && mahalanobis2(ia, ib) > s.max_distance2) continue;
      const MergedGaussian m = moment_match(ia, ib);
      const double growth = std::log(footprint(m.sigma)) - (wa * std::log(ia.footprint) + wb * std::log(ib.footprint)) / w;
      const double change = growth + s.colour_weight * (wa * wb / (w * w)) * colour_distance2(cloud, a, b);
      const double cost = change * (contribution(a) + contribution(b));
      if (std::isfinite(cost)) edges.push_back({cost, a, b});
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    return x.cost != y.cost ? x.cost < y.cost : (x.a != y.a ? x.a < y.a : x.b < y.b);
  });
  // partner[i]: the Gaussian i merges with (i itself: untouched; kRemoved: pruned); a
  // pair lands in the slot of its lower index.
  constexpr std::uint32_t kRemoved = ~std::uint32_t{0};
  std::vector<std::uint32_t> partner(n);
  for (std::size_t i = 0; i < n; ++i) partner[i] = static_cast<std::uint32_t>(i);
  std::size_t removed = 0;
  for (const Edge& e : edges) {
    if (removed >= budget) break;
    if (partner[e.a] != e.a || partner[e.b] != e.b) continue;
    if (e.a == e.b) {
      partner[e.a] = kRemoved;
      ++report->pruned;
    } else {
      partner[e.a] = e.b;
      partner[e.b] = e.a;
      ++report->merged;
    }
    ++removed;
  }
  GaussianCloud out;
  out.resize(n - removed, cloud.sh_degree);
  std::vector<float> out_importance;
  if (by_importance) out_importance.resize(n - removed);
  std::size_t dst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t j = partner[i];
    if (j == kRemoved || j < i) continue;  // pruned, or written with its partner
    if (j == i) {
      out.copy_from(cloud, i, dst);
    } else {
      write_merged(cloud, i, j, moment_match(inputs[i], inputs[j]), &out, dst);
    }
    if (by_importance) out_importance[dst] = (*importance)[i] + (j == i ? 0.0f : (*importance)[j]);
    ++dst;
  }
  if (by_importance) *importance = std::move(out_importance);
  return out;
}

}  // namespace

double footprint(const double sigma[3][3]) {
  double values[3], vectors[3][3];
  symmetric_eigen3(sigma, values, vectors);
  return footprint_of_eigenvalues(values);
}

MergeInput merge_input(const GaussianCloud& cloud, std::size_t i) {
  MergeInput in;
  float sigma[3][3];
  covariance_3d(cloud, i, 1.0f, sigma);
  for (int r = 0; r < 3; ++r) {
    in.mean[r] = cloud.positions[3 * i + r];
    for (int c = 0; c < 3; ++c) in.sigma[r][c] = sigma[r][c];
  }
  in.opacity = activation::opacity(cloud.logit_opacities[i]);
  // From the scales themselves: exact where the float covariance of a flat Gaussian is not.
  double l[3];
  for (int k = 0; k < 3; ++k) l[k] = std::exp(2.0 * cloud.log_scales[3 * i + k]);
  in.footprint = footprint_of_eigenvalues(l);
  return in;
}

MergedGaussian moment_match(const MergeInput& a, const MergeInput& b) {
  MergedGaussian m;
  const double wa = a.opacity * a.footprint, wb = b.opacity * b.footprint;
  const double w = wa + wb;
  const double ta = w > 0.0 ? wa / w : 0.5, tb = 1.0 - ta;
  double da[3], db[3];
  for (int k = 0; k < 3; ++k) {
    m.mean[k] = ta * a.mean[k] + tb * b.mean[k];
    da[k] = a.mean[k] - m.mean[k];
    db[k] = b.mean[k] - m.mean[k];
  }
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      m.sigma[r][c] = ta * (a.sigma[r][c] + da[r] * da[c]) + tb * (b.sigma[r][c] + db[r] * db[c]);
    }
  }
  const double union_opacity = 1.0 - (1.0 - a.opacity) * (1.0 - b.opacity);
  const double area = footprint(m.sigma);
  m.opacity = area > 0.0 ? std::min(w / area, union_opacity) : union_opacity;
  m.weight_a = ta;
  return m;
}

void symmetric_eigen3(const double m[3][3], double values[3], double vectors[3][3]) {
  double a[3][3];
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      a[r][c] = 0.5 * (m[r][c] + m[c][r]);
      vectors[r][c] = r == c ? 1.0 : 0.0;
    }
  }
  for (int sweep = 0; sweep < 32; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    const double diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
    if (!(off > 1e-30 * diag)) break;
    for (int p = 0; p < 2; ++p) {
      for (int q = p + 1; q < 3; ++q) {
        if (a[p][q] == 0.0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
        const double t = (theta >= 0.0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < 3; ++k) {  // a = J^T a J
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; ++k) {
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < 3; ++k) {
          const double vkp = vectors[k][p], vkq = vectors[k][q];
          vectors[k][p] = c * vkp - s * vkq;
          vectors[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  int order[3] = {0, 1, 2};
  std::sort(order, order + 3, [&](int x, int y) { return a[x][x] < a[y][y]; });
  double sorted[3][3];
  for (int c = 0; c < 3; ++c) {
    values[c] = a[order[c]][order[c]];
    for (int r = 0; r < 3; ++r) sorted[r][c] = vectors[r][order[c]];
  }
  const double det = sorted[0][0] * (sorted[1][1] * sorted[2][2] - sorted[1][2] * sorted[2][1]) -
                     sorted[0][1] * (sorted[1][0] * sorted[2][2] - sorted[1][2] * sorted[2][0]) +
                     sorted[0][2] * (sorted[1][0] * sorted[2][1] - sorted[1][1] * sorted[2][0]);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) vectors[r][c] = sorted[r][c] * (c == 2 && det < 0.0 ? -1.0 : 1.0);
  }
}

void rotation_to_quaternion(const double r[3][3], float q[4]) {
  double w, x, y, z;
  const double trace = r[0][0] + r[1][1] + r[2][2];
  if (trace > 0.0) {
    const double s = 2.0 * std::sqrt(trace + 1.0);
    w = 0.25 * s, x = (r[2][1] - r[1][2]) / s, y = (r[0][2] - r[2][0]) / s, z = (r[1][0] - r[0][1]) / s;
  } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
    const double s = 2.0 * std::sqrt(1.0 + r[0][0] - r[1][1] - r[2][2]);
    w = (r[2][1] - r[1][2]) / s, x = 0.25 * s, y = (r[0][1] + r[1][0]) / s, z = (r[0][2] + r[2][0]) / s;
  } else if (r[1][1] > r[2][2]) {
    const double s = 2.0 * std::sqrt(1.0 + r[1][1] - r[0][0] - r[2][2]);
    w = (r[0][2] - r[2][0]) / s, x = (r[0][1] + r[1][0]) / s, y = 0.25 * s, z = (r[1][2] + r[2][1]) / s;
  } else {
    const double s = 2.0 * std::sqrt(1.0 + r[2][2] - r[0][0] - r[1][1]);
    w = (r[1][0] - r[0][1]) / s, x = (r[0][2] + r[2][0]) / s, y = (r[1][2] + r[2][1]) / s, z = 0.25 * s;
  }
  const double len = std::sqrt(w * w + x * x + y * y + z * z);
  q[0] = static_cast<float>(w / len);
  q[1] = static_cast<float>(x / len);
  q[2] = static_cast<float>(y / len);
  q[3] = static_cast<float>(z / len);
}

GaussianCloud merge_gaussians(const GaussianCloud& cloud, std::vector<float>* importance, const MergeSettings& s,
                              MergeReport* report) {
  MergeReport r;
  r.count_in = cloud.count;
  const std::size_t target =
      static_cast<std::size_t>(std::floor(std::clamp(static_cast<double>(s.fraction), 0.0, 1.0) * cloud.count));
  GaussianCloud current = cloud;
  while (current.count + target > cloud.count && current.count >= 2) {
    const std::size_t cap = std::max<std::size_t>(1, static_cast<std::size_t>(kPassShare * current.count));
    const std::size_t before = current.count;
    current = merge_pass(current, importance, s, std::min(current.count + target - cloud.count, cap), &r);
    ++r.passes;
    if (current.count == before) break;
  }
  if (report) *report = r;
  return current;
}

}  // namespace scenezip::codec
