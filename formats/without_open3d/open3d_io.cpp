// Stand-in for formats/open3d_io.cpp in builds made with SCENEZIP_WITH_OPEN3D=OFF: lean
// binaries for GPU machines, where Open3D and its dependencies would not fit. Gaussian
// formats, glTF and reading every mesh and point format still work; writing OBJ/OFF/PLY
// meshes and point files reports this build.
#include "formats/mesh_io.h"

namespace scenezip {

namespace {
Status without_open3d() { return unsupported("this scenezip was built without Open3D (SCENEZIP_WITH_OPEN3D=OFF)"); }
}  // namespace

Status write_mesh_open3d(const Mesh&, const std::string&) { return without_open3d(); }
Status write_points_open3d(const PointCloud&, const std::string&) { return without_open3d(); }

}  // namespace scenezip
