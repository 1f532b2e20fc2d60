// Helpers shared by the tests: where the real scenes are, scratch folders, running the CLI.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "formats/file_io.h"

namespace scenezip::test {

// Folder of real scenes: $SCENEZIP_DATA, else ../shared/data beside the checkout.
inline std::string data_dir() {
  const char* env = std::getenv("SCENEZIP_DATA");
  return env && *env ? env : SCENEZIP_DEFAULT_DATA;
}

inline std::string data_path(const std::string& relative) { return data_dir() + "/" + relative; }

// Skips the calling test when a data file is missing (a checkout without shared/).
#define SCZ_REQUIRE_DATA(relative)                                                       \
  do {                                                                                   \
    if (!std::filesystem::exists(::scenezip::test::data_path(relative)))                 \
      GTEST_SKIP() << "missing test data " << ::scenezip::test::data_path(relative);     \
  } while (0)

// A fresh empty folder for one test, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("scenezip-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built `scenezip` binary with `args` (already shell-quoted as needed).
CommandResult run_scenezip(const std::string& args);
// Runs a /bin/sh command line (e.g. "ulimit -v N; exec BINARY ..."), capturing its
// output; the exit code is 128 + the signal for a command killed by one.
CommandResult run_shell(const std::string& shell_command);
inline std::string scenezip_binary() { return SCENEZIP_BINARY; }
// `text` quoted for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

void write_text(const std::string& path, const std::string& text);
void write_bytes(const std::string& path, const void* data, std::size_t size);

// load_scene refuses `path` as bad input (exit code 2) with a message naming the file
// and, when given, containing `words`: never a crash or an internal error.
void expect_rejected(const std::string& path, const std::string& words = "");

}  // namespace scenezip::test
