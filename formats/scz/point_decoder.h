// Decodes the point-cloud scenes of `.scz` files (docs/FORMAT.md, scene kind 3). Links
// only the container reader and the shared layout, never the encoder.
#pragma once

#include "engine/scene/mesh.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

// Decodes a parsed container of kind points. Points come out in the file's (Morton)
// order. Stream sizes are derived from the layout and count before they are read, and
// every code is range-checked: a bad file gives invalid_input, never a crash.
Result<PointCloud> decode_points(const Container& container);

}  // namespace scenezip::scz
