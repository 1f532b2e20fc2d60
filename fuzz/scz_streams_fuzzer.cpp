// The `.scz` stream decoders behind the container's checks. Every byte of a `.scz` file is
// under a CRC and the streams must lie end to end, so mutated files almost never get past
// parse_container (the `scz` target fuzzes that wall itself). This target repairs each
// input before reading it: streams are laid end to end in table order (stored sizes
// clipped to the file, raw streams given raw size = stored size) and every CRC is
// recomputed, so the mutations reach the Gaussian, mesh and point decoders. The layout
// followed is docs/FORMAT.md's; zlib's crc32 is the format's CRC-32. Colour fields go
// through engine/field's resolver with the C++ reference, as the command line's does.
//
// Inputs that start with "RC" skip the container and go straight to the range-coded
// stream decoders of format version 2 (see decode_ranged), where mutations of the coded
// bytes and of the count and layout they are read with land without a container.
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/field/colour_field_sh.h"
#include "engine/field/nerf_codec.h"
#include "formats/formats.h"
#include "formats/scz/ranged_streams.h"
#include "fuzz/fuzz_support.h"

namespace {

constexpr std::size_t kHeaderBytes = 36;
constexpr std::size_t kEntryBytes = 32;
constexpr std::uint8_t kRawCodec = 0;

std::uint64_t load(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = v << 8 | p[k];
  return v;
}

void store(std::uint8_t* p, std::uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) p[k] = static_cast<std::uint8_t>(v >> (8 * k));
}

std::uint32_t crc_of(const std::uint8_t* p, std::size_t n) {
  return static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), p, static_cast<uInt>(n)));
}

void repair(std::vector<std::uint8_t>& file) {
  if (file.size() < kHeaderBytes) return;
  std::uint8_t* p = file.data();
  const std::uint64_t size = file.size();
  const std::uint64_t streams = load(p + 12, 4);
  const std::uint64_t settings = load(p + 24, 4);
  const std::uint64_t table_at = kHeaderBytes + settings;
  const std::uint64_t payload_at = table_at + streams * kEntryBytes;
  if (streams <= 256 && payload_at <= size) {
    std::uint64_t at = payload_at;
    for (std::uint64_t i = 0; i < streams; ++i) {
      std::uint8_t* e = p + table_at + i * kEntryBytes;
      const std::uint64_t stored = std::min(load(e + 16, 8), size - at);
      store(e + 8, at, 8);
      store(e + 16, stored, 8);
      if (e[2] == kRawCodec) store(e + 24, stored, 8);
      store(e + 4, crc_of(p + at, stored), 4);
      at += stored;
    }
    file.resize(at);  // bytes past the last stream would only be refused
    p = file.data();
    store(p + 28, crc_of(p + kHeaderBytes, payload_at - kHeaderBytes), 4);
  }
  store(p + 32, crc_of(p, 32), 4);
}

[[noreturn]] void accepted_bad(const char* what) {
  std::fprintf(stderr, "scenezip fuzz: a range-coded stream decoded to %s\n", what);
  std::abort();
}

// "RC", a mode byte (even: positions, odd: indices), the grid bits or slice count, a
// 16-bit Gaussian count, up to four 16-bit code counts (indices), then the coded bytes.
void decode_ranged(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kHead = 14;
  if (size < kHead) return;
  const std::size_t n = load(data + 4, 2);
  const scenezip::Bytes coded(data + kHead, data + size);
  if ((data[2] & 1) == 0) {
    const int bits = 1 + data[3] % 21;
    auto codes = scenezip::scz::decode_ranged_positions(coded, n, bits);
    if (!codes.ok()) return;
    for (std::size_t i = 0; i < n; ++i) {
      if ((codes.value()[i] >> (3 * bits)) != 0) accepted_bad("a Morton code off the grid");
      if (i > 0 && codes.value()[i] < codes.value()[i - 1]) accepted_bad("Morton codes out of order");
    }
    return;
  }
  scenezip::scz::AttributeLayout layout;
  const int slices = 1 + data[3] % 4;
  for (int s = 0; s < slices; ++s) layout.slices.push_back({1, 1 + static_cast<int>(load(data + 6 + 2 * s, 2))});
  auto indices = scenezip::scz::decode_ranged_indices(coded, layout, n, "fuzz");
  if (!indices.ok()) return;
  for (std::size_t i = 0; i < n * layout.slices.size(); ++i) {
    if (indices.value()[i] >= static_cast<std::uint32_t>(layout.slices[i % layout.slices.size()].codebook_size)) {
      accepted_bad("an index beyond its codebook");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool installed = [] {
    scenezip::field::install_colour_field_decoding(scenezip::field::cpu_field_evaluator());
    return true;
  }();
  (void)installed;
  if (size >= 2 && data[0] == 'R' && data[1] == 'C') {
    decode_ranged(data, size);
    return 0;
  }
  static const std::filesystem::path path = scenezip::fuzz::scratch_folder() / "input.scz";
  std::vector<std::uint8_t> file(data, data + size);
  repair(file);
  scenezip::fuzz::write_bytes(path, file.data(), file.size());
  scenezip::Result<scenezip::Scene> scene = scenezip::load_scene(path.string());
  if (scene.ok()) scenezip::fuzz::check_scene(*scene);
  // Radiance fields (kind 4) are not Scenes: load_scene refuses them, and their own
  // decoder reads the same repaired bytes. A decoded field must be as large as its
  // settings say: one occupancy value per grid cell, no more occupied cells than cells.
  scenezip::Result<scenezip::field::DecodedNerf> field = scenezip::field::decode_nerf_file(file);
  if (field.ok()) {
    const std::size_t side = static_cast<std::size_t>(field->settings.grid_resolution);
    if (field->grid.size() != side * side * side || field->occupied_cells > field->grid.size()) std::abort();
  }
  return 0;
}
