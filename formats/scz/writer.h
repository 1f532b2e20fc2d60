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

// How every scene encoder ends: its layout (GaussianLayout, MeshLayout or PointLayout)
// is checked by the rules its decoder applies, added raw as stream `layout_stream`, and
// the file laid out. A layout that fails its check is the encoder's fault, reported as
// such rather than written into a file no decoder would read.
template <typename Layout>
Result<Bytes> write_scene_file(SceneKindId kind, std::uint64_t count, const std::string& settings,
                               const Layout& layout, std::uint16_t layout_stream, std::vector<StreamToWrite> streams,
                               int threads, std::vector<WrittenStream>* written) {
  SCZ_RETURN_IF_ERROR(check_layout(layout).with_context("encoder produced a bad layout"));
  streams.push_back({layout_stream, serialize_layout(layout), 0});
  return write_container(kind, count, settings, std::move(streams), threads, written);
}

}  // namespace scenezip::scz
