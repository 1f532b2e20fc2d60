// Faults around the command line: a full disk, a folder it may not write, a process
// killed mid-write, a machine without any Vulkan device, a GPU without enough memory.
// In each, an old output stays whole, nothing partial or temporary is left, and the
// command says what happened in one line.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "formats/formats.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/codec/synthetic_geometry.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

namespace fs = std::filesystem;
using test::shell_quote;

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

std::size_t line_count(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// A folder with a Gaussian scene of `n` splats and an old output that must survive.
struct Workspace {
  test::ScratchDir dir;
  std::string input = dir.file("scene.ply");
  std::string output = dir.file("old.splat");
  Bytes old_output;

  explicit Workspace(std::size_t n = 4000) {
    EXPECT_TRUE(save_scene(Scene{test::synthetic_cloud(n, 0, 7)}, input).ok());
    old_output = test::bytes_of("an earlier output that must stay whole");
    test::write_bytes(output, old_output.data(), old_output.size());
  }
  bool old_output_intact() const {
    auto bytes = read_file(output);
    return bytes.ok() && *bytes == old_output;
  }
};

TEST(Faults, DiskFullLeavesTheOldOutputAndNothingElse) {
  Workspace w;
  const auto before = listing(w.dir.path());
  // 4,000 splats take 128,000 bytes as .splat; the limit allows 16 KiB (dash counts
  // 512-byte blocks). With SIGXFSZ ignored, the write fails with EFBIG, as on a full disk.
  const auto r = test::run_shell("trap '' XFSZ; ulimit -f 32; exec " + test::scenezip_binary() + " convert " +
                                 shell_quote(w.input) + " " + shell_quote(w.output));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("disk full"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(w.output), std::string::npos) << r.err;
  EXPECT_TRUE(w.old_output_intact());
  EXPECT_EQ(listing(w.dir.path()), before);
}

TEST(Faults, UnwritableFolderIsOneLineAndWritesNothing) {
  Workspace w;
  const fs::path locked = w.dir.path() / "locked";
  fs::create_directory(locked);
  const std::string target = (locked / "out.splat").string();
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(w.dir.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  // Root may write anywhere: the command then runs as nobody, from a copy of the binary
  // that nobody can reach (the checkout may sit in a folder only root can enter).
  std::string binary = test::scenezip_binary(), as_user;
  if (::geteuid() == 0) {
    binary = w.dir.file("scenezip");
    fs::copy_file(test::scenezip_binary(), binary);
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  const auto r = test::run_shell("exec " + as_user + shell_quote(binary) + " convert " + shell_quote(w.input) + " " +
                                 shell_quote(target));
  fs::permissions(locked, fs::perms::owner_all);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(locked));
}

// The file system of `dir` can hold unnamed files (O_TMPFILE).
bool supports_unnamed_files(const fs::path& dir) {
#ifdef O_TMPFILE
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (fd < 0) return false;
  ::close(fd);
  return true;
#else
  return false;
#endif
}

TEST(Faults, KillNineMidWriteLeavesTheOldOutputAndNothingElse) {
  Workspace w;
  const auto before = listing(w.dir.path());
  const std::string binary = test::scenezip_binary();  // before fork: the child only execs
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Stops itself once the new output is complete but not yet in place (file_io.cpp).
    ::setenv("SCENEZIP_TEST_STOP_BEFORE_RENAME", "1", 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execl(binary.c_str(), binary.c_str(), "convert", w.input.c_str(), w.output.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, WUNTRACED), child);
  ASSERT_TRUE(WIFSTOPPED(status)) << "the command ended before writing: status " << status;
  const bool unnamed = supports_unnamed_files(w.dir.path());
  if (unnamed) {
    EXPECT_EQ(listing(w.dir.path()), before);  // the new output has no name yet
  }
  ::kill(child, SIGKILL);
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(w.old_output_intact());
  if (!unnamed) GTEST_SKIP() << "this file system has no O_TMPFILE: a named temporary may remain";
  EXPECT_EQ(listing(w.dir.path()), before);

  // Unstopped, the same command replaces the old output.
  ASSERT_EQ(test::run_scenezip("convert " + shell_quote(w.input) + " " + shell_quote(w.output)).exit_code, 0);
  EXPECT_FALSE(w.old_output_intact());
  EXPECT_EQ(listing(w.dir.path()), before);
}

// Every command run with a Vulkan loader that finds no driver at all.
test::CommandResult without_vulkan(const std::string& args) {
  return test::run_shell("VK_DRIVER_FILES=/nonexistent/icd.json VK_ICD_FILENAMES=/nonexistent/icd.json exec " +
                         test::scenezip_binary() + " " + args);
}

TEST(Faults, NoVulkanDeviceStopsOnlyTheGpuCommands) {
  Workspace w(300);
  const std::string scene = shell_quote(w.input), scz = shell_quote(w.dir.file("scene.scz"));
  for (const std::string& args : {"render " + scene + " --out " + shell_quote(w.dir.file("out.png")),
                                   "eval " + scene + " " + scene + " --views 1 --width 32 --height 32",
                                   "bench " + scene + " --frames 1 --width 32 --height 32",
                                   "compress " + scene + " " + scz + " --device gpu"}) {
    SCOPED_TRACE(args);
    const auto r = without_vulkan(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("no Vulkan device"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(w.dir.file("out.png")));
  EXPECT_FALSE(fs::exists(w.dir.file("scene.scz")));

  EXPECT_EQ(without_vulkan("info " + scene).exit_code, 0);
  EXPECT_EQ(without_vulkan("convert " + scene + " " + shell_quote(w.dir.file("scene.spz"))).exit_code, 0);
  EXPECT_EQ(without_vulkan("compress " + scene + " " + scz + " --device cpu --preset small").exit_code, 0);
  const auto automatic = without_vulkan("compress " + scene + " " + scz + " --device auto --preset small");
  EXPECT_EQ(automatic.exit_code, 0) << automatic.err;
  EXPECT_NE(automatic.err.find("k-means runs on the CPU"), std::string::npos) << automatic.err;
  const auto back = without_vulkan("decompress " + scz + " " + shell_quote(w.dir.file("back.ply")));
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_TRUE(fs::exists(w.dir.file("back.ply")));
}

TEST(Faults, GpuOutOfMemoryNamesTheSceneAndTheBytes) {
  Workspace w(20000);
  const std::string out = w.dir.file("out.png");
  // 20,000 Gaussians need about 2 MB of buffers; the cap allows 1 MB.
  const auto r = test::run_shell("SCENEZIP_GPU_MEMORY_LIMIT=1000000 exec " + test::scenezip_binary() + " render " +
                                 shell_quote(w.input) + " --out " + shell_quote(out) + " --width 32 --height 32");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  for (const char* words : {"out of GPU memory", "20000 Gaussians", "bytes", "SCENEZIP_GPU_MEMORY_LIMIT"}) {
    EXPECT_NE(r.err.find(words), std::string::npos) << words << " in " << r.err;
  }
  EXPECT_FALSE(fs::exists(out));

  // A mesh and a point cloud say so in their own terms.
  const std::string mesh = w.dir.file("mesh.ply"), points = w.dir.file("points.ply");
  const Status mesh_saved = save_scene(Scene{test::synthetic_mesh(200, 100)}, mesh);
  // Builds without Open3D (the lean bundles for GPU machines) cannot write mesh PLY files.
  if (mesh_saved.code() == ErrorCode::kUnsupported) GTEST_SKIP() << mesh_saved.message();
  ASSERT_TRUE(mesh_saved.ok()) << mesh_saved.message();
  ASSERT_TRUE(save_scene(Scene{test::synthetic_points(30000, 3)}, points).ok());
  for (const auto& [file, words] : {std::pair{mesh, "vertices and"}, std::pair{points, "30000 points"}}) {
    const auto g = test::run_shell("SCENEZIP_GPU_MEMORY_LIMIT=200000 exec " + test::scenezip_binary() + " render " +
                                   shell_quote(file) + " --out " + shell_quote(out) + " --width 32 --height 32");
    EXPECT_EQ(g.exit_code, 2) << g.err;
    EXPECT_EQ(line_count(g.err), 1u) << g.err;
    EXPECT_NE(g.err.find(words), std::string::npos) << g.err;
    EXPECT_NE(g.err.find("out of GPU memory"), std::string::npos) << g.err;
  }
}

}  // namespace
}  // namespace scenezip
