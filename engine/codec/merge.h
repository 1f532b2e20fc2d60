// Merging Gaussians as an alternative to pruning them: pairs of near neighbours with
// similar colour become one Gaussian by moment matching (the mixture's mean and
// covariance), so the mass of a pruned Gaussian is moved to its neighbour instead of
// lost. Measured against importance pruning and the quality ladder in
// docs/BENCHMARKS.md ("Merging Gaussians").
#pragma once

#include <cstddef>
#include <vector>

#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

struct MergeSettings {
  // Merge until at least this share of the Gaussians is gone (0: off).
  float fraction = 0.0f;
  // Nats of footprint growth one unit of squared colour difference is worth.
  float colour_weight = 100.0f;
  // Only pairs whose means are closer than this squared Mahalanobis distance under the
  // sum of their covariances (0: any pair of candidates).
  float max_distance2 = 0.0f;
  // Removing a Gaussian outright is an operation too, costed at this times its
  // contribution (0: merges only).
  float prune_weight = 0.0f;
  // Contributions from the importance the encoder measured (when it did), else from
  // each Gaussian's mass (opacity x footprint).
  bool by_importance = true;
};

struct MergeReport {
  std::size_t count_in = 0;
  std::size_t merged = 0;  // Gaussians removed by merging
  std::size_t pruned = 0;  // removed outright, where that changes the image less than any merge
  int passes = 0;
};

// One Gaussian as the moment matching sees it.
struct MergeInput {
  double mean[3];
  double sigma[3][3];  // world-space covariance
  double opacity;      // activated
  double footprint;    // footprint(sigma)
};

// Gaussian i of `cloud` as the moment matching sees it.
MergeInput merge_input(const GaussianCloud& cloud, std::size_t i);

struct MergedGaussian {
  double mean[3];
  double sigma[3][3];
  double opacity;
  double weight_a;  // share of the first Gaussian in the merged colour (mass weighted)
};

// Mean projected footprint of a Gaussian with covariance eigenvalues l0..l2: the mean of
// the products of its scales in pairs (the area of its cross-sections, so that a flat
// Gaussian, the common case in trained scenes, keeps a finite, useful footprint).
double footprint(const double sigma[3][3]);

// Moment matching of a and b with masses opacity x footprint: mean = weighted mean,
// sigma = weighted sum of (sigma_k + d_k d_k^T), d_k = mean_k - mean; opacity keeps the
// total mass over the merged footprint, at most 1 - (1 - a)(1 - b), what the two give
// where they overlap fully.
MergedGaussian moment_match(const MergeInput& a, const MergeInput& b);

// Symmetric 3x3 eigen decomposition (cyclic Jacobi): values ascending, vectors[r][c] the
// c-th eigenvector's r-th entry, a right-handed basis.
void symmetric_eigen3(const double m[3][3], double values[3], double vectors[3][3]);

// Unit quaternion (w x y z) of a rotation matrix, in the convention of covariance_3d.
void rotation_to_quaternion(const double r[3][3], float q[4]);

// Merges cheapest pairs first (candidates: the next Gaussians in Morton order), the cost
// being the relative growth of the footprint they cover (in nats) plus colour_weight x
// their colour variance, times their contribution (importance, when given and
// by_importance, so pairs the views hardly see go first; else mass), in passes, until
// `fraction` of the Gaussians is gone or nothing is left to merge. With prune_weight > 0
// removing one Gaussian competes at prune_weight x its contribution. `importance` (may be
// null or empty) follows: a merged Gaussian gets the sum.
GaussianCloud merge_gaussians(const GaussianCloud& cloud, std::vector<float>* importance, const MergeSettings& s,
                              MergeReport* report);

}  // namespace scenezip::codec
