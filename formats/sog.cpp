// Placeholder until the real implementation lands: every call reports it is not built yet.
#include "formats/sog.h"

namespace scenezip {
Result<GaussianCloud> read_sog(const std::string&) { return unsupported("SOG is not built yet"); }
}  // namespace scenezip
