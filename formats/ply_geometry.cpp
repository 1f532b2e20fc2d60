// PLY point clouds and meshes through the project's own PLY parser (formats/ply.cpp):
// vertex x y z, optional nx ny nz and red green blue (0-255), and for meshes a face
// element with a vertex_indices (or vertex_index) list, polygons fanned into triangles.
#include <cmath>

#include "formats/geometry_formats.h"
#include "formats/ply.h"

namespace scenezip {

namespace {

// Copies three properties of every row into `out` (3 per row); false when the element
// lacks one of them.
bool read_triple(const ply::Element& element, const char* a, const char* b, const char* c, double scale,
                 std::vector<float>* out) {
  const ply::Property* p[3] = {element.find(a), element.find(b), element.find(c)};
  if (!p[0] || !p[1] || !p[2] || p[0]->is_list || p[1]->is_list || p[2]->is_list) return false;
  out->resize(element.count * 3);
  for (std::size_t row = 0; row < element.count; ++row) {
    for (int k = 0; k < 3; ++k) {
      const double value = ply::get<double>(element, row, *p[k]);
      (*out)[row * 3 + k] = static_cast<float>(scale == 1.0 ? value : value / scale);
    }
  }
  return true;
}

struct Vertices {
  std::vector<float> positions, normals, colors;
};

Result<Vertices> read_vertices(const ply::File& file) {
  const ply::Element* vertex = file.find("vertex");
  if (!vertex || vertex->count == 0) return invalid_input("PLY has no vertices");
  Vertices v;
  if (!read_triple(*vertex, "x", "y", "z", 1.0, &v.positions)) {
    return invalid_input("PLY vertices have no x, y and z properties");
  }
  read_triple(*vertex, "nx", "ny", "nz", 1.0, &v.normals);
  read_triple(*vertex, "red", "green", "blue", 255.0, &v.colors);
  return v;
}

}  // namespace

Result<PointCloud> decode_ply_points(const Bytes& bytes) {
  SCZ_ASSIGN_OR_RETURN(ply::File file, ply::parse(bytes));
  SCZ_ASSIGN_OR_RETURN(Vertices v, read_vertices(file));
  PointCloud points;
  points.positions = std::move(v.positions);
  points.normals = std::move(v.normals);
  points.colors = std::move(v.colors);
  SCZ_RETURN_IF_ERROR(drop_unmeasured_points(points));
  return points;
}

Result<Mesh> decode_ply_mesh(const Bytes& bytes) {
  SCZ_ASSIGN_OR_RETURN(ply::File file, ply::parse(bytes, /*keep_lists=*/true));
  SCZ_ASSIGN_OR_RETURN(Vertices v, read_vertices(file));
  const ply::Element* face = file.find("face");
  const ply::Property* corners = nullptr;
  if (face) corners = face->find("vertex_indices");
  if (face && !corners) corners = face->find("vertex_index");
  if (!face || !corners || !corners->is_list) {
    return invalid_input("PLY faces have no vertex_indices list");
  }
  const std::size_t vertex_count = v.positions.size() / 3;
  Mesh mesh;
  for (std::size_t row = 0; row < face->count; ++row) {
    const std::uint64_t first = corners->list_starts[row], n = corners->list_starts[row + 1] - first;
    const std::string where = "face " + std::to_string(row);
    if (n < 3) return invalid_input(where + ": a face needs 3 or more corners, not " + std::to_string(n));
    std::uint32_t polygon_first = 0, previous = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const double index = corners->list_items[first + i];
      if (!(index >= 0 && index < static_cast<double>(vertex_count)) || index != std::floor(index)) {
        return invalid_input(where + ": corner " + (std::isfinite(index) && std::fabs(index) < 1e18
                                                        ? std::to_string(static_cast<long long>(index))
                                                        : std::string("?")) +
                             " is out of range (" + std::to_string(vertex_count) + " vertices)");
      }
      const auto corner = static_cast<std::uint32_t>(index);
      if (i == 0) polygon_first = corner;
      if (i >= 2) mesh.indices.insert(mesh.indices.end(), {polygon_first, previous, corner});
      previous = corner;
    }
  }
  mesh.positions = std::move(v.positions);
  mesh.normals = std::move(v.normals);
  mesh.colors = std::move(v.colors);
  SCZ_RETURN_IF_ERROR(check_read_mesh(mesh));
  return mesh;
}

}  // namespace scenezip
