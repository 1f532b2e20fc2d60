#include "tests/test_support.h"

#include <sys/wait.h>

#include <fstream>
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

CommandResult run_scenezip(const std::string& args) {
  const std::string base = std::filesystem::temp_directory_path() / ("scenezip-cmd-" + std::to_string(::getpid()));
  const std::string out_path = base + ".out";
  const std::string err_path = base + ".err";
  const std::string command = std::string(SCENEZIP_BINARY) + " " + args + " >" + out_path + " 2>" + err_path;
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
