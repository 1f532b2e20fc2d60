// Placeholder until the real implementation lands: every call reports it is not built yet.
#include "formats/mesh_io.h"

namespace scenezip {
Result<Mesh> read_mesh_open3d(const std::string&) { return unsupported("meshes are not built yet"); }
Status write_mesh_open3d(const Mesh&, const std::string&) { return unsupported("meshes are not built yet"); }
Result<PointCloud> read_points_open3d(const std::string&) { return unsupported("points are not built yet"); }
Status write_points_open3d(const PointCloud&, const std::string&) { return unsupported("points are not built yet"); }
}  // namespace scenezip
