#include "formats/file_io.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <unistd.h>

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

Result<Bytes> read_file(const std::string& path) { return read_file_head(path, SIZE_MAX); }

Result<Bytes> read_file_head(const std::string& path, std::size_t max_bytes) {
  SCZ_ASSIGN_OR_RETURN(std::uint64_t size, file_size(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(std::string("cannot open: ") + std::strerror(errno));
  Bytes bytes(static_cast<std::size_t>(std::min<std::uint64_t>(size, max_bytes)));
  if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    return io_error("read failed");
  }
  return bytes;
}

namespace {

std::string random_tag() {
  std::random_device rd;
  return std::to_string(rd() % 1000000000u);
}

// A hidden name beside `path` that keeps its extension last, so writers that pick the
// format by name still work.
std::string temporary_path_for(const std::string& path) {
  const fs::path target(path);
  const std::string ext = file_extension(path);
  std::string stem = target.filename().string();
  stem = stem.substr(0, stem.size() - ext.size());
  return (target.parent_path() / ("." + stem + ".tmp-" + random_tag() + ext)).string();
}

std::string folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

Status check_parent_directory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return io_error("output directory " + parent.string() + " does not exist");
  }
  return Status::Ok();
}

Status cannot_create(const std::string& path, int error) {
  return io_error("cannot create output in " + folder_of(path) + ": " + std::strerror(error));
}

// An output under construction. Where the system allows it, it is an unnamed file in the
// target's folder (O_TMPFILE), so a process killed mid-write leaves nothing behind; it
// gets a name only once complete. Elsewhere it is a hidden named file beside the target,
// removed on every failure this process lives through.
class PendingFile {
 public:
  explicit PendingFile(std::string target) : target_(std::move(target)) {}
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  ~PendingFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!named_.empty() && !committed_) ::unlink(named_.c_str());
  }

  Status create() {
#ifdef O_TMPFILE
    if (::access("/proc/self/fd", X_OK) == 0) {
      fd_ = ::open(folder_of(target_).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
      if (fd_ >= 0) {
        path_ = "/proc/self/fd/" + std::to_string(fd_);
        return Status::Ok();
      }
      // Permission, space and read-only errors are the folder's; anything else means the
      // file system has no unnamed files, and a named one is tried.
      if (errno == EACCES || errno == EPERM || errno == EROFS || errno == ENOSPC || errno == EDQUOT) {
        return cannot_create(target_, errno);
      }
    }
#endif
    named_ = temporary_path_for(target_);
    fd_ = ::open(named_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0) {
      const int error = errno;
      named_.clear();
      return cannot_create(target_, error);
    }
    path_ = named_;
    return Status::Ok();
  }

  // Where writers that take a file name write (re-opening it truncates it).
  const std::string& path() const { return path_; }

  Status write_all(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, std::min<std::size_t>(size, 1u << 30));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return write_failed(n < 0 ? errno : ENOSPC);
      p += n;
      size -= static_cast<std::size_t>(n);
    }
    return Status::Ok();
  }

  // Makes the finished file the target, replacing any old one in one step.
  Status commit() {
    if (::fsync(fd_) != 0 && errno != EINVAL) return write_failed(errno);
    // Test hook: stops the process with its output complete but unnamed, so a test can
    // kill it there (tests/tools/fault_test.cpp).
    if (std::getenv("SCENEZIP_TEST_STOP_BEFORE_RENAME")) std::raise(SIGSTOP);
    if (named_.empty()) {
      // The unnamed file gets a hidden name first (linkat cannot replace a file), then
      // rename puts it over the target atomically.
      named_ = temporary_path_for(target_);
      if (::linkat(AT_FDCWD, path_.c_str(), AT_FDCWD, named_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        const int error = errno;
        named_.clear();
        return io_error(std::string("cannot name the output: ") + std::strerror(error));
      }
    }
    if (::rename(named_.c_str(), target_.c_str()) != 0) {
      return io_error(std::string("cannot move output into place: ") + std::strerror(errno));
    }
    committed_ = true;
    return Status::Ok();
  }

 private:
  static Status write_failed(int error) {
    if (error == ENOSPC || error == EFBIG || error == EDQUOT) {
      return io_error(std::string("write failed: ") + std::strerror(error) + " (disk full or file too large)");
    }
    return io_error(std::string("write failed: ") + std::strerror(error));
  }

  std::string target_;
  std::string path_;
  std::string named_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

Status write_via_temporary(const std::string& path, const std::function<Status(const std::string&)>& write) {
  SCZ_RETURN_IF_ERROR(check_parent_directory(path));
  PendingFile pending(path);
  SCZ_RETURN_IF_ERROR(pending.create());
  SCZ_RETURN_IF_ERROR(write(pending.path()));
  return pending.commit();
}

Status write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  SCZ_RETURN_IF_ERROR(check_parent_directory(path));
  PendingFile pending(path);
  SCZ_RETURN_IF_ERROR(pending.create());
  SCZ_RETURN_IF_ERROR(pending.write_all(data, size));
  return pending.commit();
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
