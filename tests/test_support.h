// Helpers shared by the tests: where the real scenes are, scratch folders, running the
// CLI, reading scenes and comparing them, `.scz` files edited by hand, an X server.
// A helper two test files need lives here, not in a copy in each.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/render/image.h"
#include "engine/scene/mesh.h"
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

// Runs the `scenezip` binary (scenezip_binary()) with `args` (already shell-quoted as needed).
CommandResult run_scenezip(const std::string& args);
// Runs a /bin/sh command line (e.g. "ulimit -v N; exec BINARY ..."), capturing its
// output; the exit code is 128 + the signal for a command killed by one.
CommandResult run_shell(const std::string& shell_command);
// The `scenezip` binary the CLI tests run: the build's, unless SCENEZIP_BINARY names
// another (a bundle copied to a GPU machine, where the build path does not exist).
inline std::string scenezip_binary() {
  const char* other = std::getenv("SCENEZIP_BINARY");
  return other && *other ? std::string(other) : std::string(SCENEZIP_BINARY);
}
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

// A command that failed on bad input as the CLI promises: exit code 2 and one line on
// stderr naming `file`.
void expect_clean_failure(const CommandResult& result, const std::string& file);

// The mesh or point cloud load_scene reads from `path`; a failure or another kind fails
// the test and gives an empty one.
Mesh load_mesh(const std::string& path);
PointCloud load_points(const std::string& path);

// --- Comparing ---------------------------------------------------------------------

// The largest |a[i] - b[i]|; arrays of different sizes fail the test.
float max_abs_difference(const std::vector<float>& a, const std::vector<float>& b);
// Angle in radians between two 3-vectors, as atan2 of the cross and dot products: acos
// of the dot product alone loses small angles to rounding (1e-7 in the dot is 5e-4 rad).
double angle_between(const float* a, const float* b);
// Pixels of `image` that differ from `background` by more than 1e-3 in some channel.
std::size_t drawn_pixels(const Image& image, const std::array<float, 3>& background);

// --- `.scz` files edited by hand -----------------------------------------------------

// Rewrites the two header checksums after a test edits the header, settings or table,
// so the edit reaches the checks behind them.
void reseal(Bytes& scz_file);
// A valid `.scz` file made from `scz_file` with each raw stream passed through `edit`
// (checksums all correct), to reach the decoder's own checks; `count`, when not 0,
// replaces the header's primitive count.
Bytes rebuild(const Bytes& scz_file, const std::function<void(std::uint16_t id, Bytes& raw)>& edit,
              std::uint64_t count = 0);

// --- Windows -------------------------------------------------------------------------

// An Xvfb server on a display number it picks itself (-displayfd), so tests running in
// parallel never collide; DISPLAY points at it while the object lives.
class XServer {
 public:
  XServer();
  ~XServer();
  XServer(const XServer&) = delete;
  XServer& operator=(const XServer&) = delete;
  bool ok() const { return !display_.empty(); }

 private:
  pid_t pid_ = -1;
  std::string display_, old_display_;
  bool had_display_ = false;
};

}  // namespace scenezip::test
