// Decodes any `.scz` file into a Scene, by the scene kind in its header: Gaussians
// (gaussian_decoder.h), meshes (mesh_decoder.h) or point clouds (point_decoder.h).
#pragma once

#include <span>
#include <string>

#include "engine/scene/scene.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

Result<Scene> decode_scene(const Container& container);

// Parses and decodes a whole file; `settings`, when given, receives the encoder's JSON.
Result<Scene> decode_scz(std::span<const std::uint8_t> file, std::string* settings = nullptr);

// What stream `id` of a file of this kind holds ("positions", "sh indices", "texture 2",
// ...), as reports name it; "stream N" for an ID the kind does not define.
std::string stream_name(SceneKind kind, std::uint16_t id);

}  // namespace scenezip::scz
