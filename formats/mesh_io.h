// Meshes (glTF/GLB through tinygltf; OBJ, PLY, OFF through the project's own readers)
// and point clouds (PLY, PCD, XYZ, PTS, likewise). Meshes and points are written
// through Open3D where the build has it.
#pragma once

#include <string>

#include "engine/core/status.h"
#include "engine/scene/mesh.h"

namespace scenezip {

Result<Mesh> read_gltf(const std::string& path);
Status write_glb(const Mesh& mesh, const std::string& path);

// By extension: .obj .off .ply meshes; .ply .pcd .xyz .xyzn .xyzrgb .pts points.
Result<Mesh> read_mesh_file(const std::string& path);
Result<PointCloud> read_point_file(const std::string& path);

Status write_mesh_open3d(const Mesh& mesh, const std::string& path);
Status write_points_open3d(const PointCloud& points, const std::string& path);

}  // namespace scenezip
