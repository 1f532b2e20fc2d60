// Photo sets: transforms.json, then each image as a section "\n--- NAME\n"
// (fuzz::unpack_sections, as the SOG folder target), so one input mutates the JSON and the
// photos together. Every set read_photo_set accepts has each frame's photo loaded
// (undistorted, alpha kept, at a downscale of 1 to 3 picked by the input's length), and a photo that
// loads must be the frame's size with values in [0, 1].
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "formats/photo_set.h"
#include "fuzz/fuzz_support.h"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "scenezip fuzz: load_photo gave an inconsistent photo: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path transforms = scenezip::fuzz::unpack_sections(data, size, "photos", "transforms.json");

  const int downscale = 1 + static_cast<int>(size % 3);
  auto set = scenezip::read_photo_set(transforms.string(), {.downscale = downscale});
  if (!set.ok()) return 0;
  // A few frames: the JSON can name one image thousands of times.
  for (std::size_t i = 0; i < std::min<std::size_t>(set->frames.size(), 4); ++i) {
    auto photo = scenezip::load_photo(*set, i, {.keep_alpha = true});
    if (!photo.ok()) continue;
    const auto& frame = set->frames[i];
    const std::size_t pixels = std::size_t(frame.width) * frame.height;
    if (photo->width != frame.width || photo->height != frame.height) fail("size differs from the frame's");
    if (photo->rgb.size() != 3 * pixels || photo->alpha.size() != pixels) fail("array sizes");
    for (const float v : photo->rgb)
      if (!(v >= 0.0f && v <= 1.0f + 1e-5f)) fail("colour outside [0, 1]");
  }
  return 0;
}
