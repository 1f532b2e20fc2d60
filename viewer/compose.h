// What the viewer shows from one or two rendered frames, and how close they are: the
// C++ twin of shaders/view_compose.comp, and the PSNR from its per-workgroup sums.
#pragma once

#include <cstdint>
#include <vector>

#include "shaders/shaderio.h"

namespace scenezip::viewer {

struct ComposeResult {
  std::vector<std::uint32_t> pixels;  // packed as ComposePush::bgra says
  std::vector<double> error_sums;     // one per workgroup of kComposeWorkgroupSize pixels
};

// `first` and `second`: width * height vec4 (rgb, alpha) each, as the renderers leave
// them. Sums pair their terms as the shader's tree does, in double.
ComposeResult compose_reference(const std::vector<float>& first, const std::vector<float>& second,
                                const shaderio::ComposePush& push);

// PSNR in dB of two width x height frames from their summed squared error, the way
// psnr() of engine/render/image.h computes it (100 dB for identical frames).
double psnr_from_error_sum(double error_sum, int width, int height);

// Camera-independent settings of the picture: the push constants for a frame.
shaderio::ComposePush compose_push(int width, int height, std::uint32_t mode, int divider, bool bgra,
                                   float heat_scale);

}  // namespace scenezip::viewer
