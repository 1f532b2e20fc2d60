// PlayCanvas SOG: meta.json plus lossless WebP images, either as a folder (pass the
// meta.json path) or bundled in a zip (`.sog`).
//
// Version 2 stores one Gaussian per pixel, row-major, in every per-Gaussian image:
// positions as 16 bits per axis split over means_l/means_u, lerped within meta's
// mins/maxs and then mapped through x = sign(n) * (exp(|n|) - 1); rotations as
// smallest-three (three components in RGB, 252 + index of the dropped largest one in A);
// log-scales and DC colours as indices into 256-entry codebooks; opacity as A of sh0
// (sigmoid * 255); higher SH bands as 16-bit labels into a palette whose entries are
// rows of RGB pixels of codebook indices. Version 1 (no "version" field) lerps scales, DC,
// logit opacity and SH within meta's mins/maxs instead of using codebooks.
#pragma once

#include <string>

#include "engine/scene/gaussian_cloud.h"

namespace scenezip {

// Largest Gaussian count accepted: above any published scene, and the bound on what a
// small forged file can make the reader allocate.
inline constexpr std::uint64_t kSogMaxGaussians = 1ull << 25;

// Reads a SOG from a `.sog` zip or a meta.json path. Malformed, truncated or inconsistent
// input gives invalid_input (or io_error when a file cannot be read), never an exception.
Result<GaussianCloud> read_sog(const std::string& path);

}  // namespace scenezip
