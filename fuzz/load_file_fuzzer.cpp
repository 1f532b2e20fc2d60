// One fuzz target per reader: the input is written to a file whose name selects the
// reader (SCENEZIP_FUZZ_FILE_NAME, set per target in fuzz/CMakeLists.txt) and loaded
// through the public entry point, load_scene, exactly as `scenezip info` would. Targets
// that share an extension (the PLY family) differ by their seeds; the header decides
// which reader runs.
#include <cstddef>
#include <cstdint>

#include "formats/formats.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path = scenezip::fuzz::scratch_folder() / SCENEZIP_FUZZ_FILE_NAME;
  scenezip::fuzz::write_bytes(path, data, size);
  scenezip::Result<scenezip::Scene> scene = scenezip::load_scene(path.string());
  if (scene.ok()) scenezip::fuzz::check_scene(*scene);
  return 0;
}
