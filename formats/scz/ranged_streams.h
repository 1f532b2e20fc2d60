// Range-coded Gaussian streams of `.scz` version 2 (docs/FORMAT.md, "Range-coded
// streams"): codebook indices and Morton position deltas, each coded with adaptive
// models whose contexts are the previous Gaussian in Morton order (a spatial neighbour)
// and the same Gaussian's previous slice. One template walks the symbols for both the
// encoder and the decoder, so the two always choose the same contexts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/status.h"
#include "formats/file_io.h"
#include "formats/scz/gaussian_layout.h"

namespace scenezip::scz {

// A range-coded stream never holds more than its byte-plane form plus this: the
// encoder keeps the planes when the model loses, so a reader can bound the size first.
inline constexpr std::uint64_t kRangedSlackBytes = 16;
// Every Gaussian costs a coded stream at least this fraction of a byte whatever the
// data (a saturated model still pays about 1/1500 bit per decision, and a position
// takes at least six); a count above stored bytes x this inverse is refused unread, so
// a forged count cannot buy memory or time the file does not hold.
inline constexpr std::uint64_t kMaxGaussiansPerRangedByte = 4096;

// `indices` holds `n` Gaussians x the layout's slices, Gaussian-major; each below its
// slice's code count.
Bytes encode_ranged_indices(const AttributeLayout& layout, const std::vector<std::uint32_t>& indices, std::size_t n);
// Inverse; any index beyond its codebook, or a stream not read to exactly its end, is
// invalid_input naming `name`.
Result<std::vector<std::uint32_t>> decode_ranged_indices(const Bytes& coded, const AttributeLayout& layout,
                                                         std::size_t n, const std::string& name);

// StreamCoding::kRangedPresence: `presence` holds one 0 or 1 per Gaussian, and
// `indices` the layout's slices for every Gaussian, Gaussian-major (rows of absent
// Gaussians are not coded: any value).
Bytes encode_ranged_indices_with_presence(const AttributeLayout& layout, const std::vector<std::uint8_t>& presence,
                                          const std::vector<std::uint32_t>& indices);
// Inverse: the presence bits into `presence`; rows of absent Gaussians are zero.
Result<std::vector<std::uint32_t>> decode_ranged_indices_with_presence(const Bytes& coded,
                                                                       const AttributeLayout& layout, std::size_t n,
                                                                       std::vector<std::uint8_t>* presence,
                                                                       const std::string& name);

// The Morton codes of the sorted Gaussians (each below 2^(3 bits), not decreasing).
Bytes encode_ranged_positions(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& sorted, int bits);
// Inverse, to the sorted codes.
Result<std::vector<std::uint64_t>> decode_ranged_positions(const Bytes& coded, std::size_t n, int bits);

}  // namespace scenezip::scz
