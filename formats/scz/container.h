// The `.scz` container: a fixed header, the settings the encoder used (JSON text), a
// table of streams and the stream payloads, every byte covered by a CRC-32. This is the
// reading side; the writing side is formats/scz/writer.h. The byte layout is specified
// in docs/FORMAT.md, which this file follows.
//
// The container knows nothing about what streams mean: a scene codec (for Gaussians,
// formats/scz/gaussian_decoder.h) asks for its streams by ID with the raw size it
// expects, so no size from the file is trusted before the codec has derived it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "formats/file_io.h"
#include "formats/scz/bytes.h"

namespace scenezip::scz {

// 'S' 'C' 'Z' then a zero byte, which a text tool mangling line ends or a file cut at
// the first NUL would not keep.
inline constexpr std::uint8_t kMagic[4] = {'S', 'C', 'Z', 0};
// Version 2 added range-coded Gaussian streams, version 3 per-Gaussian SH presence bits
// (docs/FORMAT.md, "Versions"); files of versions 1 and 2 still decode.
inline constexpr std::uint16_t kFormatVersion = 3;
inline constexpr std::size_t kHeaderBytes = 36;
inline constexpr std::size_t kEntryBytes = 32;
// Limits that no real file comes near and that bound what a forged header can cost.
inline constexpr std::uint32_t kMaxStreams = 256;
inline constexpr std::uint32_t kMaxSettingsBytes = 1u << 16;
inline constexpr std::uint64_t kMaxPrimitives = std::uint64_t{1} << 28;
// The most one stored byte can stand for in a zstd stream (an RLE block is a few bytes
// for 128 KiB); a table entry claiming more is corrupt.
inline constexpr std::uint64_t kZstdMaxExpansion = 32768;

// Scene kinds, as stored in the header. Values never change.
enum class SceneKindId : std::uint8_t { kGaussians = 1, kMesh = 2, kPoints = 3 };

// Stream codecs, as stored in the table. Values never change.
enum class Codec : std::uint8_t { kRaw = 0, kZstd = 1 };

// "raw" or "zstd", as reports print it.
inline const char* codec_name(Codec codec) { return codec == Codec::kZstd ? "zstd" : "raw"; }

struct StreamEntry {
  std::uint16_t id = 0;
  Codec codec = Codec::kRaw;
  std::uint32_t crc = 0;  // CRC-32 of the stored bytes
  std::uint64_t offset = 0;
  std::uint64_t stored_size = 0;
  std::uint64_t raw_size = 0;
};

// A parsed, checked container. It points into the caller's bytes, which must outlive it.
struct Container {
  std::uint16_t version = 0;
  SceneKindId kind = SceneKindId::kGaussians;
  std::uint64_t count = 0;
  std::string settings;  // JSON text, as the encoder wrote it; decoding never needs it
  std::vector<StreamEntry> streams;
  std::span<const std::uint8_t> file;

  const StreamEntry* find(std::uint16_t id) const;
};

// Whether `bytes` starts with the `.scz` magic.
bool has_scz_magic(std::span<const std::uint8_t> bytes);

// Parses and checks the header, settings and stream table: magic, version, flags, limits,
// both header checksums, stream IDs strictly increasing, streams laid end to end from the
// table to the end of the file, sizes possible for their codec, and each payload's CRC.
// Any failure is invalid_input (unsupported for a newer version or unknown flags).
Result<Container> parse_container(std::span<const std::uint8_t> file);

// The raw bytes of stream `id`, which must exist and hold exactly `expected_raw_size`
// bytes; the size is compared before anything is allocated, and a zstd payload must
// decompress to exactly that many bytes in one frame. `name` goes into error messages.
Result<Bytes> read_stream(const Container& container, std::uint16_t id, std::uint64_t expected_raw_size,
                          const char* name);
// The same for a stream whose size the codec cannot derive in advance (a small layout
// description): any raw size up to `max_raw_size` is accepted.
Result<Bytes> read_stream_up_to(const Container& container, std::uint16_t id, std::uint64_t max_raw_size,
                                const char* name);

// zlib's CRC-32 (the polynomial of gzip and PNG) of `size` bytes.
std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size);

}  // namespace scenezip::scz
