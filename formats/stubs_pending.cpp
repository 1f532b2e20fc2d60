// Placeholders for readers under construction; each returns an error until its
// implementation replaces it. This file is removed once every reader has landed.
#include "formats/compressed_ply.h"
#include "formats/mesh_io.h"
#include "formats/sog.h"
#include "formats/spz.h"

namespace scenezip {
Result<GaussianCloud> decode_spz(const Bytes&) { return unsupported(".spz reading is not built yet"); }
Result<Bytes> encode_spz(const GaussianCloud&) { return unsupported(".spz writing is not built yet"); }
bool is_compressed_ply(const ply::File& h) { return h.find("chunk") && h.find("vertex") && h.find("vertex")->find("packed_position"); }
Result<GaussianCloud> decode_compressed_ply(const ply::File&) { return unsupported("compressed PLY is not built yet"); }
Result<Bytes> encode_compressed_ply(const GaussianCloud&) { return unsupported("compressed PLY is not built yet"); }
Result<GaussianCloud> read_sog(const std::string&) { return unsupported("SOG is not built yet"); }
Result<Mesh> read_gltf(const std::string&) { return unsupported("glTF is not built yet"); }
Status write_glb(const Mesh&, const std::string&) { return unsupported("GLB is not built yet"); }
Result<Mesh> read_mesh_open3d(const std::string&) { return unsupported("meshes are not built yet"); }
Status write_mesh_open3d(const Mesh&, const std::string&) { return unsupported("meshes are not built yet"); }
Result<PointCloud> read_points_open3d(const std::string&) { return unsupported("points are not built yet"); }
Status write_points_open3d(const PointCloud&, const std::string&) { return unsupported("points are not built yet"); }
}  // namespace scenezip
