// Encodes Gaussian scenes as `.scz` files: prune, order along a Morton curve, quantize
// positions and delta-code them, sub-vector-quantize every other attribute with k-means
// codebooks, range-code positions and indices (where that beats zstd byte planes) and
// zstd the rest. The decoder (gaussian_decoder.h) shares only the layout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/codec/gaussian_settings.h"
#include "engine/codec/importance_prune.h"
#include "engine/codec/kmeans.h"
#include "engine/codec/prune.h"
#include "formats/scz/colour_field_layout.h"
#include "formats/scz/writer.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

// How well one attribute's codebooks fit: RMS over Gaussians and values of the
// difference between the vector coded and the vector the decoder gets back.
struct AttributeReport {
  std::string name;
  std::vector<int> codebook_sizes;  // per slice, as learned (may be below the setting)
  double rms_error = 0;
  double seconds = 0;
};

struct GaussianEncodeReport {
  PruneReport prune;
  std::size_t count_out = 0;
  int position_bits = 0;     // bits per axis of the position grid actually used
  double position_step = 0;  // largest quantization step of the position grid
  std::vector<AttributeReport> attributes;
  std::vector<scz::WrittenStream> streams;
};

// Called with a short name as each stage starts ("pruning", "k-means sh1", ...).
using StageCallback = std::function<void(const std::string& stage)>;

// Work the encoder can hand to a GPU. The codec library does not depend on Vulkan: the
// caller (the CLI) fills these from engine/gpu. An empty member runs the CPU reference;
// a filled one must keep that reference's contract (kmeans.h), and may return an error
// (a lost device, say), which the encoder reports instead of falling back silently.
struct EncoderAccelerators {
  std::function<Result<KMeansResult>(const float* data, std::size_t n, int dims, const float* weights,
                                     const KMeansOptions& options)>
      train_kmeans;
  std::function<Status(const float* data, std::size_t n, int dims, const float* centroids, int k,
                       std::uint32_t* out, float* distances)>
      assign_nearest;
  // Blend weights of importance pruning (blend_weights_reference's contract). Empty: the
  // C++ reference, on the settings' threads (slow on large scenes, never refused).
  BlendWeightsFunction blend_weights;
  // Fits the colour field settings.colour asks for to `cloud`'s colours, the cloud's
  // positions being those the decoder will have, and returns its streams. engine/field
  // provides it (make_colour_field_fitter), so this library does not depend on it. Empty:
  // a field setting is refused.
  std::function<Result<scz::ColourFieldStreams>(const GaussianCloud& cloud, const GaussianCodecSettings& settings)>
      fit_colour_field;
};

// Encodes `cloud` with `settings` into the bytes of an `.scz` file. The settings are
// checked first (invalid_input); a cloud whose arrays disagree with its count is
// internal_error; non-finite Gaussians are pruned, not refused.
Result<Bytes> encode_gaussians(const GaussianCloud& cloud, const GaussianCodecSettings& settings,
                               GaussianEncodeReport* report = nullptr, const StageCallback& stage = {},
                               const EncoderAccelerators& accelerators = {});

// Bits per axis of the position grid: `bits` buy that precision over the central 99%
// of the scene on each axis, and each doubling of the full extent past it (floaters far
// out) adds a bit, so outliers do not coarsen the grid where the scene is.
int position_grid_bits(const std::vector<float>& positions, int bits);

// The Morton order the encoder stores Gaussians in: indices of `positions` (xyz
// triples) sorted by the Morton code of their quantized coordinates, ties by index.
std::vector<std::size_t> morton_order(const std::vector<float>& positions, const std::array<float, 3>& bounds_min,
                                      const std::array<float, 3>& bounds_max, int bits);

}  // namespace scenezip::codec
