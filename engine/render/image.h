// Linear RGB images in [0,1] floats, and the metrics that compare them.
#pragma once

#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<float> rgb;  // 3 per pixel, row-major from the top-left

  Image() = default;
  Image(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3, 0.0f) {}
};

// Peak signal-to-noise ratio in dB over all channels, values clamped to [0,1];
// identical images give 100 dB rather than infinity so results stay printable.
double psnr(const Image& a, const Image& b);
// Mean structural similarity (11x11 Gaussian window, sigma 1.5), averaged over channels.
double ssim(const Image& a, const Image& b);

// 8-bit PNG, written whole or not at all.
Status write_png(const Image& image, const std::string& path);
Result<Image> read_png(const std::string& path);

}  // namespace scenezip
