// PlayCanvas compressed PLY: chunks of 256 Gaussians with min/max ranges, packed
// 11-10-11 positions and scales, smallest-three rotations, RGBA8 colour, optional SH bytes.
//
// Layout, as PlayCanvas's reader and writer define it:
//   element chunk  ceil(N / 256) rows of float min_x min_y min_z max_x max_y max_z,
//                  min_scale_x..z max_scale_x..z (log scales), and optionally
//                  min_r min_g min_b max_r max_g max_b (colour = 0.5 + C0 * f_dc).
//   element vertex N rows of uint packed_position, packed_rotation, packed_scale, packed_color.
//     position, scale: x in bits 21-31 (11 bits), y in 11-20 (10), z in 0-10 (11), each a
//       fraction of its chunk's [min, max].
//     rotation: bits 30-31 index (in PLY order rot_0..rot_3 = w x y z) of the largest
//       |component|, made positive; the other three in index order at bits 20, 10, 0, each
//       10 bits of component * sqrt(2)/2 + 0.5.
//     colour: R bits 24-31, G 16-23, B 8-15 as fractions of the chunk's colour range (of
//       [0, 1] when the chunk has none); A bits 0-7 = sigmoid(opacity).
//   element sh     optional, N rows of uchar f_rest_0.. (9, 24 or 45: SH degree 1-3),
//     channel-major like INRIA f_rest; byte b means 8 * (b + 0.5) / 256 - 4, except that
//     0 means -4 and 255 means +4.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/scene/gaussian_cloud.h"
#include "formats/file_io.h"
#include "formats/ply.h"

namespace scenezip {

inline constexpr std::size_t kCompressedPlyChunkSize = 256;

struct CompressedPlyOptions {
  // Reorder Gaussians along a Morton curve before chunking, as PlayCanvas's writers do:
  // neighbours then share a chunk, so its ranges are tight and the steps fine. Off keeps
  // the input order, with ranges as wide as 256 consecutive Gaussians happen to span.
  bool morton_order = true;
};

// True when the header has the chunk and packed vertex elements of this format.
bool is_compressed_ply(const ply::File& header);
// Decodes a parsed file; any missing property, count mismatch or non-finite range is an
// invalid_input error.
Result<GaussianCloud> decode_compressed_ply(const ply::File& file);
// Encodes with per-chunk ranges. Log scales are clamped to [-20, 20], SH coefficients to
// [-4, 4], as the format's ranges allow. With Morton order on, the data matches what
// PlayCanvas's own writer produces from the same cloud, byte for byte. The cloud must be
// valid (finite values).
Result<Bytes> encode_compressed_ply(const GaussianCloud& cloud, const CompressedPlyOptions& options = {});
// The order the Morton option stores Gaussians in: entry k is the input index written k-th.
std::vector<std::uint32_t> compressed_ply_morton_order(const GaussianCloud& cloud);

}  // namespace scenezip
