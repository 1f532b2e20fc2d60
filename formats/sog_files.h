// Where a SOG's meta.json and images come from: the folder that holds meta.json, or a zip
// archive (a bundled `.sog`) with the same files at its root. Both hand out whole files by
// the names meta.json uses, so the decoder never knows which one it reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "formats/file_io.h"

namespace scenezip {

// Largest file taken from a SOG folder or archive. Real images are a few MB; the cap keeps
// a forged size field from turning into an allocation of any size.
inline constexpr std::uint64_t kSogMaxFileBytes = 1ull << 30;

class SogFiles {
 public:
  virtual ~SogFiles() = default;

  // The whole file `name` (as written in meta.json), refused when it is larger than
  // `max_bytes`. Errors do not name the file: callers add it with with_context.
  virtual Result<Bytes> read(const std::string& name, std::uint64_t max_bytes) = 0;
  // The name meta.json has in this source.
  virtual std::string meta_name() const = 0;

  // Opens `path`: a zip archive when the file starts with a zip signature (or is named
  // `.sog`, which must then be one), otherwise a meta.json whose images lie beside it.
  static Result<std::unique_ptr<SogFiles>> open(const std::string& path);
};

}  // namespace scenezip
