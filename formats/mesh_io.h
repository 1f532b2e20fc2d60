// Meshes (glTF/GLB through tinygltf; OBJ, PLY, OFF through Open3D) and point clouds
// (PLY, PCD, XYZ through Open3D).
#pragma once

#include <string>

#include "engine/core/status.h"
#include "engine/scene/mesh.h"

namespace scenezip {

Result<Mesh> read_gltf(const std::string& path);
Status write_glb(const Mesh& mesh, const std::string& path);

Result<Mesh> read_mesh_open3d(const std::string& path);
Status write_mesh_open3d(const Mesh& mesh, const std::string& path);

Result<PointCloud> read_points_open3d(const std::string& path);
Status write_points_open3d(const PointCloud& points, const std::string& path);

}  // namespace scenezip
