// Mesh and point files by extension, through the project's own readers.
#include <cmath>

#include "formats/geometry_formats.h"
#include "formats/mesh_io.h"

namespace scenezip {

Status check_read_mesh(const Mesh& mesh) {
  const std::size_t n = mesh.vertex_count();
  if (n == 0 || mesh.positions.size() != n * 3) return invalid_input("no vertices read");
  if (n > std::numeric_limits<std::uint32_t>::max()) return invalid_input("more vertices than 32-bit indices reach");
  if ((!mesh.normals.empty() && mesh.normals.size() != n * 3) ||
      (!mesh.colors.empty() && mesh.colors.size() != n * 3) ||
      (!mesh.texcoords.empty() && mesh.texcoords.size() != n * 2)) {
    return invalid_input("vertex attributes do not match the vertex count");
  }
  for (std::size_t v = 0; v < n; ++v) {
    const float* p = &mesh.positions[v * 3];
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) {
      return invalid_input("vertex " + std::to_string(v) + " has a non-finite position");
    }
  }
  // OBJ has no counts in a header, so a file cut short inside its vertex list would
  // otherwise pass as a mesh without faces.
  if (mesh.indices.empty()) return invalid_input("no faces read");
  if (mesh.indices.size() % 3 != 0) return invalid_input("a partial triangle");
  for (std::uint32_t i : mesh.indices) {
    if (i >= n) return invalid_input("triangle corner " + std::to_string(i) + " is out of range");
  }
  return Status::Ok();
}

Status drop_unmeasured_points(PointCloud& points) {
  const std::size_t n = points.count();
  if (n == 0) return invalid_input("no points read");
  const bool colors = points.colors.size() == n * 3, normals = points.normals.size() == n * 3;
  if (!colors) points.colors.clear();
  if (!normals) points.normals.clear();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float* p = &points.positions[i * 3];
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) continue;
    for (int k = 0; k < 3; ++k) {
      points.positions[kept * 3 + k] = points.positions[i * 3 + k];
      if (colors) points.colors[kept * 3 + k] = points.colors[i * 3 + k];
      if (normals) points.normals[kept * 3 + k] = points.normals[i * 3 + k];
    }
    ++kept;
  }
  if (kept == 0) return invalid_input("all " + std::to_string(n) + " points have non-finite positions");
  points.positions.resize(kept * 3);
  if (colors) points.colors.resize(kept * 3);
  if (normals) points.normals.resize(kept * 3);
  points.positions.shrink_to_fit();
  points.colors.shrink_to_fit();
  points.normals.shrink_to_fit();
  return Status::Ok();
}

Result<Mesh> read_mesh_file(const std::string& path) {
  const std::string ext = file_extension(path);
  if (ext != ".ply" && ext != ".off" && ext != ".obj") {
    return unsupported("cannot read a mesh from '" + ext + "' (readable: .obj .off .ply)");
  }
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  if (bytes.empty()) return invalid_input("file is empty");
  if (ext == ".ply") return decode_ply_mesh(bytes);
  if (ext == ".off") return decode_off(bytes);
  return decode_obj(bytes);
}

Result<PointCloud> read_point_file(const std::string& path) {
  const std::string ext = file_extension(path);
  Result<PointCloud> (*decode)(const Bytes&) = nullptr;
  if (ext == ".ply") decode = decode_ply_points;
  else if (ext == ".pcd") decode = decode_pcd;
  else if (ext == ".pts") decode = decode_pts;
  else if (ext == ".xyz") decode = [](const Bytes& b) { return decode_xyz(b, XyzColumns::kPositions); };
  else if (ext == ".xyzn") decode = [](const Bytes& b) { return decode_xyz(b, XyzColumns::kNormals); };
  else if (ext == ".xyzrgb") decode = [](const Bytes& b) { return decode_xyz(b, XyzColumns::kColors); };
  else return unsupported("cannot read points from '" + ext + "' (readable: .ply .pcd .xyz .xyzn .xyzrgb .pts)");
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  if (bytes.empty()) return invalid_input("file is empty");
  return decode(bytes);
}

}  // namespace scenezip
