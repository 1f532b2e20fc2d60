// Encodes triangle meshes as `.scz` files (scene kind 2): triangles reordered for a
// vertex cache, vertices renumbered by first use, positions, normals (octahedral),
// texture coordinates and colours quantized and delta coded along that order, indices
// coded against the count of vertices seen so far, materials and textures kept as they
// are, zstd on every stream. The decoder (mesh_decoder.h) shares only mesh_layout.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/codec/geometry_settings.h"
#include "formats/scz/writer.h"
#include "engine/scene/mesh.h"

namespace scenezip::codec {

struct MeshEncodeReport {
  std::size_t vertices = 0;
  std::size_t triangles = 0;
  double position_step = 0;  // largest quantization step of the position grid
  double texcoord_step = 0;  // largest step of the texture coordinate grid (0: none)
  // Average cache misses per triangle (16-entry FIFO) before and after reordering.
  double cache_misses_in = 0;
  double cache_misses_out = 0;
  // Vertex i of the file is vertex vertex_order[i] of the input.
  std::vector<std::uint32_t> vertex_order;
  std::vector<scz::WrittenStream> streams;
};

// Called with a short name as each stage starts.
using StageCallback = std::function<void(const std::string& stage)>;

// Encodes `mesh` with `settings` into the bytes of an `.scz` file. Bad settings or a
// mesh that breaks its own rules (array sizes, indices or references out of range,
// non-finite positions, normals or texture coordinates) give invalid_input.
Result<Bytes> encode_mesh(const Mesh& mesh, const MeshCodecSettings& settings, MeshEncodeReport* report = nullptr,
                          const StageCallback& stage = {});

}  // namespace scenezip::codec
