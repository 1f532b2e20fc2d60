#include "formats/file_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace scenezip {

namespace fs = std::filesystem;

Result<std::uint64_t> file_size(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return io_error("no such file");
  if (fs::is_directory(path, ec)) return io_error("is a directory, expected a file");
  const auto size = fs::file_size(path, ec);
  if (ec) return io_error("cannot read size: " + ec.message());
  return static_cast<std::uint64_t>(size);
}

Result<Bytes> read_file(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(std::uint64_t size, file_size(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(std::string("cannot open: ") + std::strerror(errno));
  Bytes bytes(size);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    return io_error("read failed");
  }
  return bytes;
}

namespace {
std::string temporary_path_for(const std::string& path) {
  const fs::path target(path);
  std::random_device rd;
  const std::string tag = ".tmp-" + std::to_string(rd() % 1000000000u);
  // Keep the extension last so writers that pick the format by name still work.
  const std::string ext = file_extension(path);
  std::string stem = target.filename().string();
  stem = stem.substr(0, stem.size() - ext.size());
  return (target.parent_path() / (stem + tag + ext)).string();
}

Status check_parent_directory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return io_error("output directory " + parent.string() + " does not exist");
  }
  return Status::Ok();
}
}  // namespace

Status write_via_temporary(const std::string& path, const std::function<Status(const std::string&)>& write) {
  SCZ_RETURN_IF_ERROR(check_parent_directory(path));
  const std::string tmp = temporary_path_for(path);
  Status status = write(tmp);
  std::error_code ec;
  if (status.ok()) {
    fs::rename(tmp, path, ec);
    if (ec) status = io_error("cannot move output into place: " + ec.message());
  }
  if (!status.ok()) fs::remove(tmp, ec);
  return status;
}

Status write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  return write_via_temporary(path, [&](const std::string& tmp) -> Status {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return io_error(std::string("cannot create output: ") + std::strerror(errno));
    const bool written = size == 0 || std::fwrite(data, 1, size, f) == size;
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed) return io_error("write failed (disk full?)");
    return Status::Ok();
  });
}

std::string file_extension(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* compound : {".compressed.ply"}) {
    const std::string c(compound);
    if (name.size() > c.size() && name.compare(name.size() - c.size(), c.size(), c) == 0) return c;
  }
  const auto dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : name.substr(dot);
}

}  // namespace scenezip
