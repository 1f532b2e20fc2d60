// Decodes the mesh scenes of `.scz` files (docs/FORMAT.md, scene kind 2). Links only the
// container reader and the shared layout, never the encoder.
#pragma once

#include "engine/scene/mesh.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

// Decodes a parsed container of kind mesh. Vertices come out in the file's order (first
// use by the index buffer), triangles in the file's order. Every stream size is derived
// from the layout and count before it is read, every index code is range-checked, and
// textures that are image files are decoded (their texel size must match the header): a
// bad file gives invalid_input, never a crash.
Result<Mesh> decode_mesh(const Container& container);

}  // namespace scenezip::scz
