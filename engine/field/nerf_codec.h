// A trained radiance field as a `.scz` file (scene kind 4, formats/scz/
// radiance_field_layout.h, docs/FORMAT.md "Radiance fields"): hash entries that no
// occupied cell's points can reach are dropped, features quantized to 8 bits (or fewer)
// with a range per level, MLP weights stored as float16, the occupancy grid as bits, each
// stream zstd-compressed.
#pragma once

#include <span>
#include <vector>

#include "engine/field/nerf.h"
#include "formats/scz/radiance_field_layout.h"

namespace scenezip::field {

struct NerfStoreReport {
  std::size_t float_bytes = 0;  // parameters as float32 plus the grid as bits: the size before
  std::uint32_t entries = 0, kept_entries = 0, occupied_cells = 0;
};

struct DecodedNerf {
  FieldModel model;
  NerfSettings settings;
  std::vector<float> grid;  // nerf_grid_from_bits of the stored occupancy
  std::uint32_t occupied_cells = 0;
  std::uint32_t kept_entries = 0;
};

// Which table entries the points of occupied cells can touch (a level whose cells
// would take more than 16 visits per entry to enumerate keeps every entry).
std::vector<bool> reachable_entries(const HashGridLayout& layout, const std::vector<std::uint8_t>& occupancy,
                                    int grid_resolution);

// How features are stored: each level's [min, max] in 2^feature_bits - 1 steps (the
// decoder reads any step count, so fewer bits need no format change; zstd's entropy
// coder turns the smaller alphabet into fewer bytes).
struct NerfStoreOptions {
  int feature_bits = 8;  // 1..8
  // Entries the writer may keep (one flag per table entry; empty: all). Those outside it
  // are dropped as unreachable ones are and decode as zeros: pruning (nerf_prune_mask).
  std::vector<bool> keep;
};

// Pruning by measured contribution (HollowNeRF's idea, without its training-time mask).
// `contribution` has one value per table entry, how much the entry shows in the training
// pictures (gpu::NerfRenderer::contribution); an entry's score is that times the sum of
// its features' magnitudes (how far zeroing it moves what the MLP reads, weighted by how
// visible that is). Of the `candidates` (one flag per entry), entries scoring 0 are
// dropped and of the rest the ceil(keep_fraction x candidates) scoring highest are kept.
Result<std::vector<bool>> nerf_prune_mask(const FieldModel& model, std::span<const float> contribution,
                                          const std::vector<bool>& candidates, double keep_fraction);

Result<scz::RadianceFieldStreams> store_nerf(const FieldModel& model, const NerfSettings& settings,
                                             const std::vector<float>& grid, const NerfStoreOptions& options = {});
Result<DecodedNerf> load_nerf(const scz::RadianceFieldStreams& streams);

Result<Bytes> encode_nerf_file(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                               NerfStoreReport* report = nullptr, const NerfStoreOptions& options = {});
Result<DecodedNerf> decode_nerf_file(std::span<const std::uint8_t> file);

}  // namespace scenezip::field
