// SOG as a folder: meta.json and the WebP images beside it. The input is meta.json's
// text, then each image as a section that starts with a line "\n--- NAME\n" (NAME as
// meta.json lists it), so one input mutates the JSON and the images together. Names are
// limited to a plain file name so nothing is written outside the scratch folder.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/formats.h"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path folder = scenezip::fuzz::scratch_folder() / "sog";
  std::error_code ec;
  fs::remove_all(folder, ec);
  fs::create_directories(folder);

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t at = input.find(kMarker);
  scenezip::fuzz::write_bytes(folder / "meta.json", data, std::min(at, size));
  while (at != std::string_view::npos) {
    const std::size_t name_at = at + kMarker.size();
    const std::size_t name_end = input.find('\n', name_at);
    if (name_end == std::string_view::npos) break;
    const std::size_t next = input.find(kMarker, name_end + 1);
    const std::size_t end = std::min(next, size);
    const std::string_view name = input.substr(name_at, name_end - name_at);
    if (plain_name(name) && name != "meta.json") {
      scenezip::fuzz::write_bytes(folder / std::string(name), data + name_end + 1, end - (name_end + 1));
    }
    at = next;
  }

  scenezip::Result<scenezip::Scene> scene = scenezip::load_scene((folder / "meta.json").string());
  if (scene.ok()) scenezip::fuzz::check_scene(*scene);
  return 0;
}
