// What every fuzz target shares: a scratch folder of the process's own (readers take
// paths, so inputs go through a file) and the invariants a scene must meet whenever a
// reader accepts a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "engine/scene/scene.h"

namespace scenezip::fuzz {

// A fresh folder for this process, in memory-backed /dev/shm when there is one, removed
// at exit. libFuzzer's -jobs/-workers run targets as separate processes, so each gets its own.
const std::filesystem::path& scratch_folder();

void write_bytes(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size);

// Aborts (a finding) when an accepted scene is inconsistent: array sizes that disagree
// with the count, mesh indices past the vertices, sub-meshes past the indices, material
// or texture references that point nowhere. Later stages index by these without checks.
void check_scene(const Scene& scene);

}  // namespace scenezip::fuzz
