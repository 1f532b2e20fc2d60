#include "viewer/compose.h"

#include <algorithm>
#include <cmath>

namespace scenezip::viewer {

namespace io = shaderio;

namespace {
std::uint32_t to_byte(float v) {
  return static_cast<std::uint32_t>(std::floor(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f));
}
}  // namespace

ComposeResult compose_reference(const std::vector<float>& first, const std::vector<float>& second,
                                const io::ComposePush& push) {
  const std::size_t pixels = static_cast<std::size_t>(push.width) * push.height;
  const std::size_t groups = (pixels + io::kComposeWorkgroupSize - 1) / io::kComposeWorkgroupSize;
  ComposeResult out;
  out.pixels.resize(pixels);
  out.error_sums.assign(groups, 0.0);
  std::vector<double> partial(io::kComposeWorkgroupSize);
  for (std::size_t g = 0; g < groups; ++g) {
    std::fill(partial.begin(), partial.end(), 0.0);
    for (std::uint32_t l = 0; l < io::kComposeWorkgroupSize; ++l) {
      const std::size_t i = g * io::kComposeWorkgroupSize + l;
      if (i >= pixels) break;
      float a[3], b[3], d[3];
      for (int c = 0; c < 3; ++c) {
        a[c] = std::clamp(first[4 * i + c], 0.0f, 1.0f);
        b[c] = std::clamp(second[4 * i + c], 0.0f, 1.0f);
        d[c] = a[c] - b[c];
      }
      partial[l] = double(d[0]) * d[0] + double(d[1]) * d[1] + double(d[2]) * d[2];
      float shown[3];
      if (push.mode == io::kComposeModeDifference) {
        const float t =
            std::clamp((std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2])) / (3.0f * push.heat_scale), 0.0f, 1.0f);
        for (int c = 0; c < 3; ++c) shown[c] = std::clamp(3.0f * t - c, 0.0f, 1.0f);
      } else {
        const bool second_side = push.mode == io::kComposeModeSecond ||
                                 (push.mode == io::kComposeModeSplit && i % push.width >= push.divider);
        std::copy_n(second_side ? b : a, 3, shown);
      }
      const std::uint32_t r = to_byte(shown[0]), gr = to_byte(shown[1]), bl = to_byte(shown[2]);
      out.pixels[i] = push.bgra ? (bl | (gr << 8) | (r << 16) | (255u << 24)) : (r | (gr << 8) | (bl << 16) | (255u << 24));
    }
    for (std::uint32_t stride = io::kComposeWorkgroupSize / 2; stride > 0; stride /= 2) {
      for (std::uint32_t l = 0; l < stride; ++l) partial[l] += partial[l + stride];
    }
    out.error_sums[g] = partial[0];
  }
  return out;
}

double psnr_from_error_sum(double error_sum, int width, int height) {
  const double values = 3.0 * width * height;
  if (values <= 0) return 0.0;
  const double mse = error_sum / values;
  return mse <= 1e-10 ? 100.0 : -10.0 * std::log10(mse);
}

io::ComposePush compose_push(int width, int height, std::uint32_t mode, int divider, bool bgra, float heat_scale) {
  io::ComposePush p{};
  p.width = static_cast<std::uint32_t>(width);
  p.height = static_cast<std::uint32_t>(height);
  p.mode = mode;
  p.divider = static_cast<std::uint32_t>(std::clamp(divider, 0, width));
  p.bgra = bgra ? 1u : 0u;
  p.heat_scale = heat_scale > 0 ? heat_scale : 0.1f;
  return p;
}

}  // namespace scenezip::viewer
