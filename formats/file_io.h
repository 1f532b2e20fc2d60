// Whole-file reads and all-or-nothing writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip {

using Bytes = std::vector<std::uint8_t>;

// Reads a whole file. Errors name no file: callers add it with Status::with_context.
Result<Bytes> read_file(const std::string& path);
// The first `max_bytes` of a file (fewer when it is shorter): enough to tell a format by
// its magic without reading a large file whole.
Result<Bytes> read_file_head(const std::string& path, std::size_t max_bytes);
// Size of a file in bytes, or an error if it does not exist.
Result<std::uint64_t> file_size(const std::string& path);

// Writes `bytes` to a file that has no name until it is complete (O_TMPFILE; a hidden
// temporary beside `path` where the file system lacks it), then renames it into place:
// a failure, a full disk or a process killed mid-write never leaves a partial file at
// `path`, and an old file there stays whole until the new one replaces it.
Status write_file_atomic(const std::string& path, const void* data, std::size_t size);
inline Status write_file_atomic(const std::string& path, const Bytes& bytes) {
  return write_file_atomic(path, bytes.data(), bytes.size());
}

// For writers that only take a file name (Open3D): calls `write` with the path of the
// unnamed file (/proc/self/fd/N; or of the hidden temporary, which keeps the final
// extension), then renames it to `path`, as write_file_atomic does.
Status write_via_temporary(const std::string& path, const std::function<Status(const std::string&)>& write);

// Lower-case file extension including the dot, with compound endings kept whole
// (".compressed.ply"); "" when there is none.
std::string file_extension(const std::string& path);

}  // namespace scenezip
