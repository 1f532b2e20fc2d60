#include "tests/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "formats/formats.h"
#include "formats/scz/container.h"
#include "formats/scz/writer.h"

extern char** environ;

namespace scenezip::test {

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

void write_bytes(const std::string& path, const void* data, std::size_t size) {
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

void expect_rejected(const std::string& path, const std::string& words) {
  auto scene = load_scene(path);
  ASSERT_FALSE(scene.ok()) << path << " was accepted";
  EXPECT_EQ(scene.status().exit_code(), 2) << scene.status().message();
  EXPECT_NE(scene.status().message().find(path), std::string::npos) << scene.status().message();
  if (!words.empty()) EXPECT_NE(scene.status().message().find(words), std::string::npos) << scene.status().message();
}

void expect_clean_failure(const CommandResult& r, const std::string& file) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

Mesh load_mesh(const std::string& path) {
  auto scene = load_scene(path);
  EXPECT_TRUE(scene.ok()) << scene.status().message();
  if (!scene.ok() || !scene->mesh()) return Mesh();
  return std::move(*scene->mesh());
}

PointCloud load_points(const std::string& path) {
  auto scene = load_scene(path);
  EXPECT_TRUE(scene.ok()) << scene.status().message();
  if (!scene.ok() || !scene->points()) return PointCloud();
  return std::move(*scene->points());
}

float max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

double angle_between(const float* a, const float* b) {
  const double cx = double(a[1]) * b[2] - double(a[2]) * b[1];
  const double cy = double(a[2]) * b[0] - double(a[0]) * b[2];
  const double cz = double(a[0]) * b[1] - double(a[1]) * b[0];
  const double dot = double(a[0]) * b[0] + double(a[1]) * b[1] + double(a[2]) * b[2];
  return std::atan2(std::sqrt(cx * cx + cy * cy + cz * cz), dot);
}

std::size_t drawn_pixels(const Image& image, const std::array<float, 3>& background) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < image.rgb.size() / 3; ++i) {
    for (int c = 0; c < 3; ++c) {
      if (std::abs(image.rgb[3 * i + c] - background[c]) > 1e-3f) {
        ++n;
        break;
      }
    }
  }
  return n;
}

void reseal(Bytes& b) {
  const std::uint64_t settings = scz::load_u32(&b[24]);
  const std::uint64_t streams = std::min<std::uint64_t>(scz::load_u32(&b[12]), 4096);
  const std::uint64_t end = std::min<std::uint64_t>(b.size(), scz::kHeaderBytes + settings + streams * scz::kEntryBytes);
  scz::store_u32(&b[28], scz::crc32_of(&b[scz::kHeaderBytes], end - scz::kHeaderBytes));
  scz::store_u32(&b[32], scz::crc32_of(b.data(), 32));
}

Bytes rebuild(const Bytes& file, const std::function<void(std::uint16_t, Bytes&)>& edit, std::uint64_t count) {
  auto c = scz::parse_container(file);
  EXPECT_TRUE(c.ok());
  if (!c.ok()) return {};
  std::vector<scz::StreamToWrite> streams;
  for (const auto& e : c->streams) {
    auto raw = scz::read_stream(*c, e.id, e.raw_size, "any");
    EXPECT_TRUE(raw.ok());
    Bytes bytes = raw.ok() ? *raw : Bytes();
    edit(e.id, bytes);
    streams.push_back({e.id, std::move(bytes), 3});
  }
  auto out = scz::write_container(c->kind, count ? count : c->count, c->settings, std::move(streams));
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : Bytes();
}

XServer::XServer() {
  int fds[2];
  if (pipe(fds) != 0) return;
  const std::string fd = std::to_string(fds[1]);
  std::vector<std::string> args = {"Xvfb", "-displayfd", fd, "-screen", "0", "1024x768x24", "-nolisten", "tcp"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const int spawned = posix_spawnp(&pid_, "Xvfb", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    pid_ = -1;
    close(fds[0]);
    return;
  }
  // Xvfb writes the display number once it accepts connections.
  std::string number;
  pollfd p{fds[0], POLLIN, 0};
  while (poll(&p, 1, 30000) > 0) {
    char c = 0;
    if (read(fds[0], &c, 1) != 1 || c == '\n') break;
    number += c;
  }
  close(fds[0]);
  if (number.empty()) return;
  const char* old = std::getenv("DISPLAY");
  if (old) old_display_ = old;
  had_display_ = old != nullptr;
  display_ = ":" + number;
  setenv("DISPLAY", display_.c_str(), 1);
}

XServer::~XServer() {
  if (had_display_) {
    setenv("DISPLAY", old_display_.c_str(), 1);
  } else {
    unsetenv("DISPLAY");
  }
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

CommandResult run_scenezip(const std::string& args) { return run_shell(scenezip_binary() + " " + args); }

CommandResult run_shell(const std::string& shell_command) {
  const std::string base = std::filesystem::temp_directory_path() / ("scenezip-cmd-" + std::to_string(::getpid()));
  const std::string out_path = base + ".out";
  const std::string err_path = base + ".err";
  const std::string command = "{ " + shell_command + "\n} >" + out_path + " 2>" + err_path;
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

}  // namespace scenezip::test
