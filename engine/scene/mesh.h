// Triangle meshes and point clouds as plain arrays.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scenezip {

// An RGBA8 image held in memory, or the encoded bytes of one (PNG/JPEG) when
// `encoded_mime` is set, so textures pass through untouched unless re-encoding is asked for.
struct Texture {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;     // width*height*4 when decoded
  std::vector<std::uint8_t> encoded;  // original file bytes, if any
  std::string encoded_mime;           // "image/png", "image/jpeg", ...
  std::string name;
};

struct Material {
  std::string name;
  float base_color[4] = {1, 1, 1, 1};
  int base_color_texture = -1;  // index into Mesh::textures, or -1
};

// A primitive group: a range of triangles drawn with one material.
struct SubMesh {
  std::uint32_t first_index = 0;  // into Mesh::indices
  std::uint32_t index_count = 0;
  int material = -1;              // index into Mesh::materials, or -1
};

struct Mesh {
  std::vector<float> positions;  // 3 per vertex
  std::vector<float> normals;    // 3 per vertex, or empty
  std::vector<float> texcoords;  // 2 per vertex, or empty
  std::vector<float> colors;     // 3 per vertex in [0,1], or empty
  std::vector<std::uint32_t> indices;  // 3 per triangle
  std::vector<SubMesh> submeshes;      // empty: one group, no material
  std::vector<Material> materials;
  std::vector<Texture> textures;

  std::size_t vertex_count() const { return positions.size() / 3; }
  std::size_t triangle_count() const { return indices.size() / 3; }
};

struct PointCloud {
  std::vector<float> positions;  // 3 per point
  std::vector<float> colors;     // 3 per point in [0,1], or empty
  std::vector<float> normals;    // 3 per point, or empty

  std::size_t count() const { return positions.size() / 3; }
};

}  // namespace scenezip
