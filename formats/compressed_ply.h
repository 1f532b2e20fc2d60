// PlayCanvas compressed PLY: chunks of 256 Gaussians with min/max ranges, packed
// 11-10-11 positions and scales, smallest-three rotations, RGBA8 colour, optional SH bytes.
#pragma once

#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"
#include "formats/ply.h"

namespace scenezip {

bool is_compressed_ply(const ply::File& header);
Result<GaussianCloud> decode_compressed_ply(const ply::File& file);
Result<Bytes> encode_compressed_ply(const GaussianCloud& cloud);

}  // namespace scenezip
