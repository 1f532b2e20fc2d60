// antimatter15 `.splat`: 32-byte records, no header. Per Gaussian: position float32 x3,
// linear scale float32 x3, colour and opacity RGBA8, rotation uint8 x4 (w x y z, q*128+128).
#pragma once

#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"

namespace scenezip {

inline constexpr std::size_t kSplatRecordBytes = 32;

Result<GaussianCloud> decode_splat(const Bytes& bytes);
// Keeps SH degree 0 only: the format has no room for higher bands.
Bytes encode_splat(const GaussianCloud& cloud);

// Opacity stored in 8 bits, mapped back to a logit that stays finite at 0 and 255.
float logit_from_unorm8(std::uint8_t value);
std::uint8_t unorm8_from_unit(float value);

}  // namespace scenezip
