#include "engine/render/image.h"

#include <algorithm>
#include <cmath>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "formats/file_io.h"

namespace scenezip {

double psnr(const Image& a, const Image& b) {
  if (a.rgb.size() != b.rgb.size() || a.rgb.empty()) return 0.0;
  double sum = 0.0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = std::clamp(a.rgb[i], 0.0f, 1.0f) - std::clamp(b.rgb[i], 0.0f, 1.0f);
    sum += d * d;
  }
  const double mse = sum / a.rgb.size();
  return mse <= 1e-10 ? 100.0 : -10.0 * std::log10(mse);
}

double ssim(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.rgb.empty()) return 0.0;
  const int w = a.width, h = a.height;
  constexpr int kRadius = 5;
  float kernel[2 * kRadius + 1];
  float ksum = 0;
  for (int i = -kRadius; i <= kRadius; ++i) ksum += kernel[i + kRadius] = std::exp(-(i * i) / (2.0f * 1.5f * 1.5f));
  for (float& k : kernel) k /= ksum;
  // Separable blur with clamped borders.
  auto blur = [&](const std::vector<float>& in) {
    std::vector<float> tmp(in.size()), out(in.size());
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float s = 0;
        for (int k = -kRadius; k <= kRadius; ++k) s += kernel[k + kRadius] * in[y * w + std::clamp(x + k, 0, w - 1)];
        tmp[y * w + x] = s;
      }
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float s = 0;
        for (int k = -kRadius; k <= kRadius; ++k) s += kernel[k + kRadius] * tmp[std::clamp(y + k, 0, h - 1) * w + x];
        out[y * w + x] = s;
      }
    return out;
  };
  constexpr double kC1 = 0.01 * 0.01, kC2 = 0.03 * 0.03;
  const std::size_t n = static_cast<std::size_t>(w) * h;
  double total = 0;
  for (int c = 0; c < 3; ++c) {
    std::vector<float> x(n), y(n), xx(n), yy(n), xy(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = std::clamp(a.rgb[3 * i + c], 0.0f, 1.0f);
      y[i] = std::clamp(b.rgb[3 * i + c], 0.0f, 1.0f);
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    const auto mx = blur(x), my = blur(y), sxx = blur(xx), syy = blur(yy), sxy = blur(xy);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double vx = sxx[i] - mx[i] * mx[i], vy = syy[i] - my[i] * my[i], cxy = sxy[i] - mx[i] * my[i];
      sum += ((2 * mx[i] * my[i] + kC1) * (2 * cxy + kC2)) /
             ((mx[i] * mx[i] + my[i] * my[i] + kC1) * (vx + vy + kC2));
    }
    total += sum / n;
  }
  return total / 3.0;
}

Status write_png(const Image& image, const std::string& path) {
  std::vector<unsigned char> bytes(image.rgb.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(std::lround(std::clamp(image.rgb[i], 0.0f, 1.0f) * 255.0f));
  }
  Bytes png;
  auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<Bytes*>(context);
    out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
  };
  if (!stbi_write_png_to_func(append, &png, image.width, image.height, 3, bytes.data(), image.width * 3)) {
    return internal_error("PNG encoding failed");
  }
  return write_file_atomic(path, png).with_context(path);
}

Result<Image> read_png(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels, 4);
  if (!pixels) return invalid_input(path + ": not a readable image (" + stbi_failure_reason() + ")");
  Image image(w, h);
  for (std::size_t i = 0; i < static_cast<std::size_t>(w) * h; ++i) {
    // Transparent pixels composite on white, the NeRF-synthetic convention.
    const float alpha = pixels[4 * i + 3] / 255.0f;
    for (int c = 0; c < 3; ++c) image.rgb[3 * i + c] = pixels[4 * i + c] / 255.0f * alpha + (1.0f - alpha);
  }
  stbi_image_free(pixels);
  return image;
}

}  // namespace scenezip
