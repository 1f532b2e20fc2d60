// SOG as a folder: meta.json and the WebP images beside it. The input is meta.json's
// text, then each image as a section "\n--- NAME\n" (NAME as meta.json lists it;
// fuzz::unpack_sections), so one input mutates the JSON and the images together.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "formats/formats.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path meta = scenezip::fuzz::unpack_sections(data, size, "sog", "meta.json");
  scenezip::Result<scenezip::Scene> scene = scenezip::load_scene(meta.string());
  if (scene.ok()) scenezip::fuzz::check_scene(*scene);
  return 0;
}
