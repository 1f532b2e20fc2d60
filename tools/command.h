// Shared plumbing of the `scenezip` subcommands: registration, error reporting, progress.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "formats/formats.h"

namespace scenezip::cli {

// Each subcommand file defines one of these; main.cpp adds them all.
// `run` is set by the subcommand's callback; main calls it after parsing.
using Runner = std::function<Status()>;
void add_info(CLI::App& app, Runner& run);
void add_convert(CLI::App& app, Runner& run);
void add_render(CLI::App& app, Runner& run);
void add_eval(CLI::App& app, Runner& run);
void add_bench(CLI::App& app, Runner& run);
void add_compress(CLI::App& app, Runner& run);
void add_decompress(CLI::App& app, Runner& run);
void add_field_fit(CLI::App& app, Runner& run);
void add_train_field(CLI::App& app, Runner& run);
void add_view(CLI::App& app, Runner& run);

// Reports a long step on stderr: the label at once on a terminal, and its time when it
// took longer than a second (always, so logs show where time went).
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  bool terminal_;
};

// load_scene with a progress line on stderr.
Result<Scene> load_with_progress(const std::string& path, FileFormat* format = nullptr);

// The median of timings (the mean of the middle two for an even count; 0 for none).
double median(std::vector<double> values);

// A JSON settings option: the text itself, or "@FILE" for a file's text ("{}" when empty).
Result<std::string> settings_text(const std::string& option);

}  // namespace scenezip::cli
