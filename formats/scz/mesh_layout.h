// What the mesh streams of an `.scz` file hold and how they are laid out: the part of
// the format the mesh encoder and decoder share (docs/FORMAT.md, "Mesh scenes"). Stream
// IDs are part of the format and never change.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "engine/scene/mesh.h"
#include "formats/file_io.h"

namespace scenezip::scz {

// Stream IDs of scene kind 2.
inline constexpr std::uint16_t kMeshLayoutStream = 1;
inline constexpr std::uint16_t kMeshPositionStream = 2;
inline constexpr std::uint16_t kMeshIndexStream = 3;
inline constexpr std::uint16_t kMeshNormalStream = 4;
inline constexpr std::uint16_t kMeshTexcoordStream = 5;
inline constexpr std::uint16_t kMeshColorStream = 6;
inline constexpr std::uint16_t kMeshMaterialStream = 7;
inline constexpr std::uint16_t kMeshFirstTextureStream = 64;  // texture t: 64 + t

inline constexpr std::size_t kMeshLayoutBytes = 64;
// Limits no real mesh comes near, which bound what a forged layout can cost.
inline constexpr std::uint32_t kMaxMeshTextures = 128;
inline constexpr std::uint32_t kMaxSubmeshes = 65536;
inline constexpr std::uint32_t kMaxMaterials = 65536;
inline constexpr std::uint32_t kMaxMaterialStreamBytes = 1u << 24;
inline constexpr std::uint64_t kMaxTextureBytes = std::uint64_t{1} << 30;
inline constexpr std::uint32_t kMaxTextureSide = 1u << 15;
inline constexpr std::uint64_t kMaxTriangles = std::uint64_t{1} << 28;

// The layout stream: the bit depths, the counts and the quantization ranges.
struct MeshLayout {
  int position_bits = 14;  // 1..21
  int normal_bits = 0;     // 0: no normals, else 2..16
  int texcoord_bits = 0;   // 0: no texture coordinates, else 1..24
  int color_bits = 0;      // 0: no vertex colours, else 1..16
  std::uint32_t triangle_count = 0;
  std::array<float, 3> bounds_min{0, 0, 0};
  std::array<float, 3> bounds_max{0, 0, 0};
  std::array<float, 2> texcoord_min{0, 0};
  std::array<float, 2> texcoord_max{0, 0};
  std::uint32_t submesh_count = 0;
  std::uint32_t material_count = 0;
  std::uint32_t texture_count = 0;
  std::uint32_t material_stream_bytes = 0;
};

Bytes serialize_layout(const MeshLayout& layout);
// Decodes and checks a layout stream of exactly kMeshLayoutBytes bytes.
Result<MeshLayout> parse_mesh_layout(const Bytes& bytes);
Status check_layout(const MeshLayout& layout);

// Bytes per index code for a mesh of `vertex_count` vertices: codes run up to the count.
int index_code_bytes(std::uint64_t vertex_count);

// One texture as the material stream describes it; its bytes are stream 64 + t.
struct TextureHeader {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint64_t bytes = 0;  // of the texture stream
  std::string mime;         // "" for width x height x 4 bytes of RGBA, else the image file's type
  std::string name;
};

// The material stream: submeshes, materials and texture headers. `mesh` gives the first
// two; every string must fit its length field (255 mime, 65535 name bytes).
Bytes serialize_materials(const Mesh& mesh, const std::vector<TextureHeader>& textures);
// Reads it back into `mesh` (submeshes, materials) and `textures`, checking every field
// against the layout (counts, material and texture references, index ranges within
// `index_count`) and that the stream is used up exactly.
Status parse_materials(const Bytes& bytes, const MeshLayout& layout, Mesh& mesh, std::vector<TextureHeader>& textures);

}  // namespace scenezip::scz
