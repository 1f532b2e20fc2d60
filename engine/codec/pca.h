// Principal component analysis for the codec's attribute transforms: rotating a vector
// attribute into its principal axes puts most of the variance into the first few values,
// so sub-vector quantization can spend its codes where the variance is.
#pragma once

#include <cstddef>
#include <vector>

namespace scenezip::codec {

struct Pca {
  int dims = 0;
  std::vector<double> mean;       // dims
  std::vector<double> basis;      // dims x dims, row-major; column k is the k-th axis
  std::vector<double> variances;  // per axis, largest first
};

// Weighted mean and principal axes of `n` vectors of `dims` floats (row-major);
// `weights` may be nullptr. Deterministic: cyclic Jacobi rotations on the covariance,
// axes sorted by variance (ties by index) and signed so their largest entry is positive.
Pca compute_pca(const float* data, std::size_t n, int dims, const float* weights);

}  // namespace scenezip::codec
