// Placeholder until the real implementation lands: every call reports it is not built yet.
#include "formats/compressed_ply.h"

namespace scenezip {
bool is_compressed_ply(const ply::File& h) { return h.find("chunk") && h.find("vertex") && h.find("vertex")->find("packed_position"); }
Result<GaussianCloud> decode_compressed_ply(const ply::File&) { return unsupported("compressed PLY is not built yet"); }
Result<Bytes> encode_compressed_ply(const GaussianCloud&) { return unsupported("compressed PLY is not built yet"); }
}  // namespace scenezip
