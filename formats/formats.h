// One entry point to every reader and writer: the format follows the file name, and
// for `.ply` the header (Gaussians, PlayCanvas compressed, mesh or point cloud).
#pragma once

#include <string>

#include "engine/scene/scene.h"

namespace scenezip {

enum class FileFormat {
  kUnknown,
  kInriaPly,
  kCompressedPly,
  kSplat,
  kSpz,
  kSog,
  kGltf,
  kMeshFile,   // OBJ, OFF or mesh PLY, through Open3D
  kPointFile,  // point PLY, PCD or XYZ, through Open3D
  kScz,        // scenezip's own compressed format (written by `scenezip compress`)
};

const char* format_name(FileFormat format);

// Loads any supported file. Errors carry the file's path.
Result<Scene> load_scene(const std::string& path, FileFormat* format = nullptr);
// Bytes a scene takes on disk: the file's size; for a `.gltf` its JSON plus the buffers
// and images it references; for a SOG folder (or its meta.json) everything in the
// folder; 0 when it cannot be read.
std::uint64_t scene_bytes_on_disk(const std::string& path);

// Writes `scene` in the format its name asks for, atomically. Errors carry the path.
Status save_scene(const Scene& scene, const std::string& path);

}  // namespace scenezip
