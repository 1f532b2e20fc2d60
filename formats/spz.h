// Niantic `.spz`: reads versions 2 and 3 (one gzip stream) and 4 (zstd streams behind a
// table of contents); writes version 4.
#pragma once

#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"

namespace scenezip {

Result<GaussianCloud> decode_spz(const Bytes& bytes);
Result<Bytes> encode_spz(const GaussianCloud& cloud);

}  // namespace scenezip
