// Niantic `.spz`: reads versions 2 and 3 (one gzip stream) and 4 (zstd streams behind a
// table of contents); writes version 4.
//
// The format stores Gaussians in OpenGL axes (x right, y up, z back) unless a
// coordinate-system extension says otherwise; GaussianCloud holds them in the axes of
// INRIA PLY (y down, z forward). Both functions convert, so an `.spz` written by other
// tools and read here lines up with the same scene read from PLY.
#pragma once

#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"

namespace scenezip {

// Decodes a whole `.spz` file. Any malformed, truncated or absurd input gives an
// invalid_input error (never a crash or an allocation sized by an unchecked count);
// SH degree 4 and version 1 give unsupported. The antialiasing flag is not kept.
Result<GaussianCloud> decode_spz(const Bytes& bytes);

// Encodes as version 4. Quantization (the steps a round trip stays within): positions
// 24-bit fixed point with up to 12 fractional bits (fewer only when the scene is wider
// than +-2048 units), log-scales 1/16 on [-10, 5.94], opacity and DC colour 8 bits,
// rotations smallest-three at 9 bits per component, SH band 1 at 5 bits and bands 2-3 at
// 4 bits on [-1, 1]. Non-finite input gives invalid_input.
Result<Bytes> encode_spz(const GaussianCloud& cloud);

}  // namespace scenezip
