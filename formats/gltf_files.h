// The files a `.gltf` is made of: its JSON and the buffers and images it references by
// relative URI (data: URIs live inside the JSON).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip {

// Paths of the external buffers and images of the `.gltf` at `path`, resolved against
// its folder (percent-escapes decoded), each listed once, in the order the JSON names them.
Result<std::vector<std::string>> gltf_referenced_files(const std::string& path);

// Bytes of the JSON plus every file it references that exists; missing files count 0
// (reading the scene reports them).
Result<std::uint64_t> gltf_bytes_on_disk(const std::string& path);

}  // namespace scenezip
