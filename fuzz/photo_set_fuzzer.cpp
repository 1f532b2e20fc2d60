// Photo sets: transforms.json, then each image as a section that starts with a line
// "\n--- NAME\n" (the SOG folder target's layout), so one input mutates the JSON and the
// photos together. Names are limited to a plain file name so nothing is written outside
// the scratch folder. Every set read_photo_set accepts has each frame's photo loaded
// (undistorted, alpha kept, at a downscale of 1 to 3 picked by the input's length), and a photo that
// loads must be the frame's size with values in [0, 1].
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "formats/photo_set.h"
#include "fuzz/fuzz_support.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = "\n--- ";

bool plain_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "scenezip fuzz: load_photo gave an inconsistent photo: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path folder = scenezip::fuzz::scratch_folder() / "photos";
  std::error_code ec;
  fs::remove_all(folder, ec);
  fs::create_directories(folder);

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t at = input.find(kMarker);
  scenezip::fuzz::write_bytes(folder / "transforms.json", data, std::min(at, size));
  while (at != std::string_view::npos) {
    const std::size_t name_at = at + kMarker.size();
    const std::size_t name_end = input.find('\n', name_at);
    if (name_end == std::string_view::npos) break;
    const std::size_t next = input.find(kMarker, name_end + 1);
    const std::size_t end = std::min(next, size);
    const std::string_view name = input.substr(name_at, name_end - name_at);
    if (plain_name(name) && name != "transforms.json") {
      scenezip::fuzz::write_bytes(folder / std::string(name), data + name_end + 1, end - (name_end + 1));
    }
    at = next;
  }

  const int downscale = 1 + static_cast<int>(size % 3);
  auto set = scenezip::read_photo_set((folder / "transforms.json").string(), {.downscale = downscale});
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
