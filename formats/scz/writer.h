// Writing side of the `.scz` container (reading side: formats/scz/container.h; layout:
// docs/FORMAT.md). Scene encoders hand it raw streams; it compresses each, keeps the
// smaller of compressed and raw, checksums everything and lays the file out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/scz/container.h"

namespace scenezip::scz {

struct StreamToWrite {
  std::uint16_t id = 0;
  Bytes raw;
  // zstd level for this stream; 0 stores it raw. A stream zstd cannot shrink is stored raw.
  int zstd_level = 19;
};

struct WrittenStream {
  std::uint16_t id = 0;
  Codec codec = Codec::kRaw;
  std::uint64_t raw_size = 0;
  std::uint64_t stored_size = 0;
};

// Lays out a whole file. Streams are sorted by ID (IDs must be distinct); they are
// compressed on up to `threads` threads. `written`, when given, receives one entry per
// stream in file order.
Result<Bytes> write_container(SceneKindId kind, std::uint64_t count, const std::string& settings,
                              std::vector<StreamToWrite> streams, int threads = 2,
                              std::vector<WrittenStream>* written = nullptr);

}  // namespace scenezip::scz
