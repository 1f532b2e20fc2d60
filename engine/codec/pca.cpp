#include "engine/codec/pca.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace scenezip::codec {

namespace {

// Diagonalises the symmetric matrix `a` (n x n) in place; `v` receives the eigenvectors
// as columns. Plenty for the at most 45 x 45 matrices the codec builds.
void jacobi_eigen(std::vector<double>& a, int n, std::vector<double>& v) {
  v.assign(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) v[i * n + i] = 1.0;
  double scale = 0.0;
  for (double x : a) scale += x * x;
  for (int sweep = 0; sweep < 64; ++sweep) {
    double off = 0.0;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    }
    if (off <= 1e-30 * scale || off == 0.0) break;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0.0) continue;
        const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) {
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
}

}  // namespace

Pca compute_pca(const float* data, std::size_t n, int dims, const float* weights) {
  Pca pca;
  pca.dims = dims;
  pca.mean.assign(dims, 0.0);
  pca.variances.assign(dims, 0.0);
  pca.basis.assign(static_cast<std::size_t>(dims) * dims, 0.0);
  for (int i = 0; i < dims; ++i) pca.basis[i * dims + i] = 1.0;
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) total += weights ? std::max(0.0f, weights[i]) : 1.0;
  if (dims == 0 || !(total > 0.0)) return pca;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights ? std::max(0.0f, weights[i]) : 1.0;
    for (int k = 0; k < dims; ++k) pca.mean[k] += w * data[i * dims + k];
  }
  for (double& m : pca.mean) m /= total;
  std::vector<double> cov(static_cast<std::size_t>(dims) * dims, 0.0);
  std::vector<double> d(dims);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights ? std::max(0.0f, weights[i]) : 1.0;
    for (int k = 0; k < dims; ++k) d[k] = data[i * dims + k] - pca.mean[k];
    for (int r = 0; r < dims; ++r) {
      const double wr = w * d[r];
      for (int c = r; c < dims; ++c) cov[r * dims + c] += wr * d[c];
    }
  }
  for (int r = 0; r < dims; ++r) {
    for (int c = r; c < dims; ++c) {
      cov[r * dims + c] /= total;
      cov[c * dims + r] = cov[r * dims + c];
    }
  }
  std::vector<double> vectors;
  jacobi_eigen(cov, dims, vectors);
  std::vector<int> order(dims);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cov[a * dims + a] > cov[b * dims + b]; });
  for (int k = 0; k < dims; ++k) {
    const int src = order[k];
    pca.variances[k] = std::max(0.0, cov[src * dims + src]);
    int largest = 0;
    for (int r = 1; r < dims; ++r) {
      if (std::fabs(vectors[r * dims + src]) > std::fabs(vectors[largest * dims + src])) largest = r;
    }
    const double sign = vectors[largest * dims + src] < 0 ? -1.0 : 1.0;
    for (int r = 0; r < dims; ++r) pca.basis[r * dims + k] = sign * vectors[r * dims + src];
  }
  return pca;
}

}  // namespace scenezip::codec
