// INRIA 3DGS PLY: the layout the 3D Gaussian Splatting trainer writes. Properties are
// found by name in any order; ASCII and both binary encodings are read.
#pragma once

#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"
#include "formats/ply.h"

namespace scenezip {

// True when a PLY header describes Gaussians in the INRIA layout.
bool is_inria_gaussian_ply(const ply::File& header);
Result<GaussianCloud> decode_inria_ply(const ply::File& file);
// Writes binary little endian float32: x y z nx ny nz f_dc_* f_rest_* opacity scale_* rot_*.
Bytes encode_inria_ply(const GaussianCloud& cloud);

}  // namespace scenezip
