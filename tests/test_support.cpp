#include "tests/test_support.h"

#include <sys/wait.h>

#include <fstream>

#include "formats/formats.h"
#include <sstream>

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

CommandResult run_scenezip(const std::string& args) { return run_shell(std::string(SCENEZIP_BINARY) + " " + args); }

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
