// The interactive viewer driven by synthetic X input (xdotool) on an Xvfb the test
// starts: a drag orbits, M switches to the difference heat map, a resize rebuilds the
// swapchain, V toggles vsync, P writes screenshots, Esc quits; the validation layer
// stays silent throughout.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "engine/render/image.h"
#include "tests/test_support.h"

extern char** environ;

namespace scenezip {
namespace {

using test::XServer;

pid_t spawn_shell(const std::string& command) {
  std::string sh = "/bin/sh", c = "-c", cmd = command;
  char* argv[] = {sh.data(), c.data(), cmd.data(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, environ) != 0) return -1;
  return pid;
}

std::string shell_output(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof(buf), p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Waits up to `seconds` for `done`, checking every 100 ms.
template <typename F>
bool wait_for(F done, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

TEST(ViewInput, KeysAndDragsDriveTheWindow) {
  if (shell_output("command -v xdotool").empty()) GTEST_SKIP() << "xdotool is not installed";
  test::ScratchDir dir;
  XServer x;
  ASSERT_TRUE(x.ok()) << "Xvfb did not start (Debian package xvfb)";
  // The same file twice: the difference heat map must be black everywhere.
  const std::string scene = std::string(SCENEZIP_SOURCE_DIR) + "/assets/demo-knot.ply";
  const pid_t viewer = spawn_shell("cd " + dir.path().string() + " && exec " + test::scenezip_binary() + " view " + scene +
                                   " " + scene + " --width 160 --height 120 --hide-panel 2>" + dir.file("stderr.txt"));
  ASSERT_GT(viewer, 0);
  std::string window;
  ASSERT_TRUE(wait_for([&] { return !(window = shell_output("xdotool search --name 'scenezip view' 2>/dev/null | head -1")).empty(); }, 60))
      << "no window appeared";
  int shots = 0;
  auto screenshot = [&]() -> Result<Image> {
    ++shots;
    std::system(("xdotool key --window " + window + " p").c_str());
    auto count = [&] {
      int n = 0;
      for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        n += e.path().extension() == ".png" && e.path().filename().string().rfind("scenezip-view-", 0) == 0;
      }
      return n;
    };
    // Each one taken is renamed below, so one new file is the next.
    if (!wait_for([&] { return count() >= 1; }, 60)) return internal_error("no screenshot appeared");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // written atomically, but let it land
    std::filesystem::path newest;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (e.path().filename().string().rfind("scenezip-view-", 0) != 0) continue;
      if (newest.empty() || std::filesystem::last_write_time(e.path()) > std::filesystem::last_write_time(newest)) {
        newest = e.path();
      }
    }
    auto image = read_png(newest.string());
    std::filesystem::rename(newest, dir.path() / ("taken-" + std::to_string(shots) + ".png"));
    return image;
  };

  auto home = screenshot();
  ASSERT_TRUE(home.ok()) << home.status().message();
  EXPECT_EQ(home->width, 160);
  EXPECT_EQ(home->height, 120);
  // A drag across the window (left button, away from the split's divider; the panel is
  // hidden so it takes no input) orbits.
  std::system(("xdotool mousemove --window " + window + " 30 60 sleep 0.3 mousedown 1 sleep 0.3 mousemove --window " +
               window + " 50 60 sleep 0.3 mousemove --window " + window + " 70 62 sleep 0.3 mouseup 1")
                  .c_str());
  auto turned = screenshot();
  ASSERT_TRUE(turned.ok()) << turned.status().message();
  EXPECT_LT(psnr(*home, *turned), 30.0) << "the drag did not move the camera";
  // M: split -> difference; identical files give black.
  std::system(("xdotool key --window " + window + " m").c_str());
  auto heat = screenshot();
  ASSERT_TRUE(heat.ok()) << heat.status().message();
  float brightest = 0;
  for (float v : heat->rgb) brightest = std::max(brightest, v);
  EXPECT_EQ(brightest, 0.0f);
  // R returns home (in the difference view still black), M again to one file at a
  // time: the home view again.
  std::system(("xdotool key --window " + window + " r m").c_str());
  auto back = screenshot();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_GE(psnr(*home, *back), 60.0);
  // A resize rebuilds the swapchain; V rebuilds it again with vsync off.
  std::system(("xdotool windowsize " + window + " 200 150").c_str());
  std::system(("xdotool key --window " + window + " v").c_str());
  Result<Image> resized = internal_error("not taken");
  for (int attempt = 0; attempt < 5; ++attempt) {
    resized = screenshot();
    if (!resized.ok() || resized->width == 200) break;
  }
  ASSERT_TRUE(resized.ok()) << resized.status().message();
  EXPECT_EQ(resized->width, 200);
  EXPECT_EQ(resized->height, 150);
  std::system(("xdotool key --window " + window + " Escape").c_str());
  int status = -1;
  const bool exited = wait_for([&] { return waitpid(viewer, &status, WNOHANG) == viewer; }, 60);
  if (!exited) {
    kill(viewer, SIGKILL);
    waitpid(viewer, nullptr, 0);
  }
  EXPECT_TRUE(exited) << "Esc did not close the window";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::string err = shell_output("cat " + dir.file("stderr.txt"));
  EXPECT_EQ(err.find("validation error"), std::string::npos) << err;
}

}  // namespace
}  // namespace scenezip
