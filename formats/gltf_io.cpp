// Placeholder until the real implementation lands: every call reports it is not built yet.
#include "formats/mesh_io.h"

namespace scenezip {
Result<Mesh> read_gltf(const std::string&) { return unsupported("glTF is not built yet"); }
Status write_glb(const Mesh&, const std::string&) { return unsupported("GLB is not built yet"); }
}  // namespace scenezip
