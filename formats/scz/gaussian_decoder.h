// Decodes the Gaussian scenes of `.scz` files (docs/FORMAT.md). Links only the container
// reader and the shared layout, never the encoder, so readers and viewers stay small.
#pragma once

#include <span>

#include "engine/scene/gaussian_cloud.h"
#include "formats/scz/colour_field_layout.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

// Decodes a parsed container of kind Gaussians. The Gaussians come out in the file's
// (Morton) order. Every stream size is derived from the layout and count before it is
// read, every codebook index is range-checked, and a codebook holding Inf or NaN is
// rejected: a bad file gives invalid_input, never a crash. A file whose colours are a
// field (colour_field_layout.h) goes through the installed resolver (none: unsupported).
Result<GaussianCloud> decode_gaussians(const Container& container);

// The same without the resolver: a file with a colour field gives the cloud as stored
// (SH degree 0; the DC of the view-dependent kind, zero colour for the full kind) and
// the field in `field`; other files leave field->source kSh.
Result<GaussianCloud> decode_gaussians_and_field(const Container& container, ColourFieldStreams* field);

// Parses and decodes a whole `.scz` file that holds Gaussians (other kinds: unsupported).
Result<GaussianCloud> decode_scz_gaussians(std::span<const std::uint8_t> file);

}  // namespace scenezip::scz
