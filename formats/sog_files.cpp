#include "formats/sog_files.h"

#include <zip.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace scenezip {

namespace fs = std::filesystem;

namespace {

// meta.json names its files, and a folder source turns names into paths: refuse names that
// would reach outside the scene's folder.
Status check_name(const std::string& name) {
  if (name.empty()) return invalid_input("meta.json names an empty file");
  if (name.find('\0') != std::string::npos) return invalid_input("meta.json names a file with a NUL byte");
  const fs::path path(name);
  if (path.is_absolute() || path.has_root_name() || path.has_root_directory()) {
    return invalid_input("meta.json names '" + name + "', an absolute path");
  }
  for (const fs::path& part : path) {
    if (part == "..") return invalid_input("meta.json names '" + name + "', which leaves the scene's folder");
  }
  return Status::Ok();
}

class FolderFiles final : public SogFiles {
 public:
  explicit FolderFiles(const std::string& meta_path)
      : folder_(fs::path(meta_path).parent_path()), meta_(fs::path(meta_path).filename().string()) {}

  Result<Bytes> read(const std::string& name, std::uint64_t max_bytes) override {
    SCZ_RETURN_IF_ERROR(check_name(name));
    const std::string path = (folder_ / name).string();
    SCZ_ASSIGN_OR_RETURN(std::uint64_t size, file_size(path));
    if (size > max_bytes) {
      return invalid_input("file is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(max_bytes));
    }
    return read_file(path);
  }
  std::string meta_name() const override { return meta_; }

 private:
  fs::path folder_;
  std::string meta_;
};

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

class ZipFiles final : public SogFiles {
 public:
  ZipFiles(zip_t* archive, std::string prefix) : archive_(archive), prefix_(std::move(prefix)) {}

  Result<Bytes> read(const std::string& name, std::uint64_t max_bytes) override {
    SCZ_RETURN_IF_ERROR(check_name(name));
    const std::string entry = prefix_ + name;
    const zip_int64_t index = zip_name_locate(archive_.get(), entry.c_str(), ZIP_FL_ENC_GUESS);
    if (index < 0) return invalid_input("the archive has no entry '" + entry + "'");
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0) {
      return invalid_input(std::string("cannot read the archive entry: ") + zip_strerror(archive_.get()));
    }
    if (!(stat.valid & ZIP_STAT_SIZE)) return invalid_input("the archive entry does not record its size");
    if (stat.size > max_bytes) {
      return invalid_input("archive entry is " + std::to_string(stat.size) + " bytes uncompressed, over the limit of " +
                           std::to_string(max_bytes));
    }
    // Deflate expands at most about 1032-fold, so a recorded size beyond that of the
    // compressed bytes is a lie, refused before it sizes the buffer below.
    if ((stat.valid & ZIP_STAT_COMP_SIZE) && stat.size / 1032 > stat.comp_size + 1) {
      return invalid_input("archive entry claims " + std::to_string(stat.size) + " bytes from " +
                           std::to_string(stat.comp_size) + " compressed ones");
    }
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file) return invalid_input(std::string("cannot open the archive entry: ") + zip_strerror(archive_.get()));
    Bytes bytes(stat.size);
    std::uint64_t got = 0;
    while (got < bytes.size()) {
      const zip_int64_t n = zip_fread(file.get(), bytes.data() + got, bytes.size() - got);
      if (n < 0) return invalid_input(std::string("archive entry is damaged: ") + zip_file_strerror(file.get()));
      if (n == 0) {
        return invalid_input("archive entry ends after " + std::to_string(got) + " of its " +
                             std::to_string(bytes.size()) + " bytes");
      }
      got += static_cast<std::uint64_t>(n);
    }
    // libzip checks the CRC only once it reaches the end of the entry, so read past it.
    std::uint8_t extra = 0;
    const zip_int64_t tail = zip_fread(file.get(), &extra, 1);
    if (tail < 0) return invalid_input(std::string("archive entry is damaged: ") + zip_file_strerror(file.get()));
    if (tail > 0) return invalid_input("archive entry holds more bytes than its recorded size");
    return bytes;
  }
  std::string meta_name() const override { return "meta.json"; }

 private:
  std::unique_ptr<zip_t, ZipCloser> archive_;
  std::string prefix_;  // folder inside the archive that holds meta.json, "" or ending in '/'
};

// The spec puts the files at the archive's root; archives made by zipping a folder hold
// them one level down instead, which is unambiguous when there is a single meta.json.
Result<std::string> find_meta_prefix(zip_t* archive) {
  if (zip_name_locate(archive, "meta.json", ZIP_FL_ENC_GUESS) >= 0) return std::string();
  const zip_int64_t entries = zip_get_num_entries(archive, 0);
  std::string found;
  int matches = 0;
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
    if (!raw) continue;
    const std::string name = raw;
    const std::string tail = "/meta.json";
    if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
      found = name.substr(0, name.size() - std::strlen("meta.json"));
      ++matches;
    }
  }
  if (matches == 0) return invalid_input("the archive holds no meta.json, so it is not a bundled SOG");
  if (matches > 1) return invalid_input("the archive holds several meta.json files and no meta.json at its root");
  return found;
}

bool starts_like_zip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, 4)) return false;
  // Local file header, or the end record of an archive with no entries.
  return std::memcmp(magic, "PK\x03\x04", 4) == 0 || std::memcmp(magic, "PK\x05\x06", 4) == 0;
}

}  // namespace

Result<std::unique_ptr<SogFiles>> SogFiles::open(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(std::uint64_t size, file_size(path));
  const bool named_sog = file_extension(path) == ".sog";
  if (!starts_like_zip(path)) {
    if (named_sog) {
      return invalid_input("not a zip archive (" + std::to_string(size) +
                           " bytes without a zip signature); a bundled .sog is a zip");
    }
    return std::unique_ptr<SogFiles>(new FolderFiles(path));
  }
  int code = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!archive) {
    if (code == ZIP_ER_OPEN || code == ZIP_ER_READ) return io_error("cannot open the archive: " + zip_error_text(code));
    return invalid_input("not a readable zip archive (truncated or damaged?): " + zip_error_text(code));
  }
  std::unique_ptr<zip_t, ZipCloser> owned(archive);
  SCZ_ASSIGN_OR_RETURN(std::string prefix, find_meta_prefix(archive));
  return std::unique_ptr<SogFiles>(new ZipFiles(owned.release(), std::move(prefix)));
}

}  // namespace scenezip
