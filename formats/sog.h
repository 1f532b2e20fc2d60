// PlayCanvas SOG: meta.json plus lossless WebP images, either as a folder (pass the
// meta.json path) or bundled in a zip (`.sog`).
#pragma once

#include <string>

#include "engine/scene/gaussian_cloud.h"

namespace scenezip {

Result<GaussianCloud> read_sog(const std::string& path);

}  // namespace scenezip
