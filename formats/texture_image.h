// A bound on the memory a texture image (PNG, JPEG inside a glTF or a `.scz` mesh) can
// make a reader allocate. Image decoders size their buffers from the image header, so a
// file of a few hundred bytes can claim 30,000 x 30,000 pixels; the header is checked
// before anything is decoded, and so is the length of every PNG chunk.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "engine/core/status.h"

namespace scenezip {

// 8192 x 8192: an RGBA8 texture of 256 MB, above the textures of published scenes.
inline constexpr std::uint64_t kMaxTexturePixels = std::uint64_t{1} << 26;

// invalid_input when `encoded` has no PNG/JPEG header that an image decoder can read, is a
// PNG whose chunks do not fit in it, or declares more than kMaxTexturePixels pixels.
// `label` names the image in the message.
Status check_texture_image_size(std::span<const std::uint8_t> encoded, const std::string& label);

}  // namespace scenezip
