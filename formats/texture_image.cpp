#include "formats/texture_image.h"

#include <stb/stb_image.h>

#include <climits>
#include <cstring>
#include <string>

namespace scenezip {

namespace {

// stb_image grows its buffer for PNG data to the length a chunk claims before it reads
// the chunk, so a flipped bit in one length costs gigabytes: every chunk must fit.
bool png_chunks_fit(std::span<const std::uint8_t> png) {
  std::size_t at = 8;
  while (png.size() - at >= 12) {
    const std::uint64_t length = std::uint64_t{png[at]} << 24 | png[at + 1] << 16 | png[at + 2] << 8 | png[at + 3];
    if (length > png.size() - at - 12) return false;
    if (std::memcmp(&png[at + 4], "IEND", 4) == 0) return true;
    at += 12 + length;
  }
  return false;
}

}  // namespace

Status check_texture_image_size(std::span<const std::uint8_t> encoded, const std::string& label) {
  int width = 0, height = 0, channels = 0;
  if (encoded.size() > static_cast<std::size_t>(INT_MAX) ||
      !stbi_info_from_memory(encoded.data(), static_cast<int>(encoded.size()), &width, &height, &channels)) {
    return invalid_input(label + " cannot be decoded as PNG or JPEG");
  }
  constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (encoded.size() >= 8 && std::memcmp(encoded.data(), kPngSignature, 8) == 0 && !png_chunks_fit(encoded)) {
    return invalid_input(label + " is a PNG whose chunks run past its end (truncated or corrupt)");
  }
  const std::uint64_t pixels = std::uint64_t(width) * std::uint64_t(height);
  if (width <= 0 || height <= 0 || pixels > kMaxTexturePixels) {
    return invalid_input(label + " claims " + std::to_string(width) + "x" + std::to_string(height) +
                         " pixels, above the limit of " + std::to_string(kMaxTexturePixels));
  }
  return Status::Ok();
}

}  // namespace scenezip
