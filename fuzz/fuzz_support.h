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

// Inputs of readers that take a folder (a JSON beside the files it names): the input is
// the main file's text, then each further file as a section that starts with a line
// "\n--- NAME\n", so one input mutates the JSON and its files together. Empties
// scratch_folder()/`folder`, writes the files there and returns the main file's path.
// Names are limited to a plain file name so nothing is written outside that folder.
std::filesystem::path unpack_sections(const std::uint8_t* data, std::size_t size, const std::string& folder,
                                      const std::string& main_file);

// Aborts (a finding) when an accepted scene is inconsistent: array sizes that disagree
// with the count, mesh indices past the vertices, sub-meshes past the indices, material
// or texture references that point nowhere. Later stages index by these without checks.
void check_scene(const Scene& scene);

}  // namespace scenezip::fuzz
