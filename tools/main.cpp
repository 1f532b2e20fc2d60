// `scenezip`: compress, convert, inspect and render 3D scenes.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include <string>
#include <vector>

#include "engine/gpu/colour_field_kernel.h"
#include "tools/command.h"

namespace scenezip::cli {

namespace {
// Times of the slow stages, printed once the command has succeeded: a failure prints
// its one error line and nothing else.
std::vector<std::string>& stage_times() {
  static std::vector<std::string> lines;
  return lines;
}
}  // namespace

Progress::Progress(std::string label)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()), terminal_(isatty(STDERR_FILENO)) {
  if (terminal_) std::fprintf(stderr, "%s ...\r", label_.c_str());
}

Progress::~Progress() {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (seconds >= 1.0) {
    char text[64];
    std::snprintf(text, sizeof(text), ": %.1f s", seconds);
    stage_times().push_back(label_ + text);
  }
  if (terminal_) std::fprintf(stderr, "\33[2K\r");  // erase the pending label
}

// The `.scz` decoder's colour-field resolver for this run: fields are evaluated on the
// GPU when there is one (a Vulkan context made on the first file that needs it), else by
// the C++ reference. The device is released when this object goes, before main returns:
// left to static destruction, it would outlive the Vulkan driver's own teardown.
class ColourFieldDecoding {
 public:
  ColourFieldDecoding() {
    auto state = state_;
    field::FieldEvaluator evaluate = [state](const field::FieldModel& model, const float* positions,
                                             const float* directions, std::size_t count) -> Result<std::vector<float>> {
      if (!state->tried) {
        state->tried = true;
        Result<std::unique_ptr<gpu::Context>> made = gpu::Context::create();
        if (made.ok()) {
          state->context = std::move(*made);
          state->on_device = gpu::gpu_field_evaluator(*state->context);
        } else {
          std::fprintf(stderr, "scenezip: no Vulkan device (%s): colour field evaluated on the CPU\n",
                       made.status().message().c_str());
        }
      }
      if (state->on_device) return state->on_device(model, positions, directions, count);
      return field::evaluate(model, {positions, directions, count});
    };
    field::install_colour_field_decoding(std::move(evaluate), [](const std::string& line) {
      std::fprintf(stderr, "scenezip: %s\n", line.c_str());
    });
  }
  ~ColourFieldDecoding() {
    scz::set_colour_field_resolver({});
    state_->on_device = {};  // its trainer before the context it was made on
    state_->context.reset();
  }

 private:
  struct State {
    bool tried = false;
    std::unique_ptr<gpu::Context> context;
    field::FieldEvaluator on_device;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

Result<Scene> load_with_progress(const std::string& path, FileFormat* format) {
  Progress progress("reading " + path);
  return load_scene(path, format);
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Result<std::string> settings_text(const std::string& option) {
  if (option.empty()) return std::string("{}");
  if (option[0] != '@') return option;
  std::ifstream in(option.substr(1));
  if (!in) return io_error("cannot read settings file " + option.substr(1));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace scenezip::cli

int main(int argc, char** argv) {
  using namespace scenezip;
  CLI::App app{"scenezip: compress, convert, inspect and render 3D scenes "
               "(Gaussian splats, meshes, point clouds)."};
  app.set_version_flag("--version", std::string("scenezip ") + SCENEZIP_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'scenezip SUBCOMMAND --help' for a subcommand's options.\n"
             "Exit codes: 0 success, 2 bad input or arguments, 1 internal error.");
  const cli::ColourFieldDecoding colour_field_decoding;
  cli::Runner run;
  cli::add_info(app, run);
  cli::add_convert(app, run);
  cli::add_render(app, run);
  cli::add_eval(app, run);
  cli::add_bench(app, run);
  cli::add_compress(app, run);
  cli::add_decompress(app, run);
  cli::add_field_fit(app, run);
  cli::add_train_field(app, run);
  cli::add_view(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "scenezip: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (!run) return 2;
  try {
    const Status status = run();
    if (!status.ok()) {
      std::cerr << "scenezip: error: " << status.message() << "\n";
      return status.exit_code();
    }
    for (const std::string& line : cli::stage_times()) std::fprintf(stderr, "%s\n", line.c_str());
  } catch (const std::bad_alloc&) {
    std::cerr << "scenezip: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "scenezip: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
