// Placeholder until the real implementation lands: every call reports it is not built yet.
#include "formats/spz.h"

namespace scenezip {
Result<GaussianCloud> decode_spz(const Bytes&) { return unsupported(".spz reading is not built yet"); }
Result<Bytes> encode_spz(const GaussianCloud&) { return unsupported(".spz writing is not built yet"); }
}  // namespace scenezip
