// `scenezip train-field DATASET OUT.scz`: trains a radiance field (density and
// view-dependent colour on the hash-grid field) from photographs with cameras, on the
// GPU, and stores it as a `.scz` radiance-field file. Progress lines on stderr; the
// result (test PSNR, sizes, settings) on stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/field/nerf.h"
#include "engine/field/nerf_codec.h"
#include "engine/gpu/nerf_trainer.h"
#include "formats/file_io.h"
#include "tools/command.h"
#include "tools/nerf_dataset.h"

namespace scenezip::cli {

namespace {

struct TrainFieldOptions {
  std::string dataset, out;
  double seconds = 0;
  int steps = 0;
  int downscale = 1;
  std::uint32_t seed = 1;
  int test_every = 8;
  int progress_every = 0;
  int test_images_progress = 2;
  std::string config;
  bool json = false;
};

Result<std::string> config_text(const std::string& option) {
  if (option.empty()) return std::string("{}");
  if (option[0] != '@') return option;
  std::ifstream in(option.substr(1));
  if (!in) return io_error("cannot read field settings " + option.substr(1));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The default radiance-field config with the user's JSON keys over it.
Result<field::FieldConfig> nerf_config(float aabb_scale, const std::string& user_json, std::uint32_t seed) {
  nlohmann::json merged = nlohmann::json::parse(field::field_config_json(field::nerf_field_config(aabb_scale)));
  try {
    const nlohmann::json user = nlohmann::json::parse(user_json);
    if (!user.is_object()) return invalid_input("--config must be a JSON object");
    for (auto it = user.begin(); it != user.end(); ++it) merged[it.key()] = *it;
  } catch (const std::exception&) {
    return invalid_input("--config is not valid JSON");
  }
  merged["seed"] = seed;
  SCZ_ASSIGN_OR_RETURN(field::FieldConfig config, field::parse_field_config(merged.dump()));
  if (config.output_dims != 4 || config.output_activation != field::OutputActivation::kNone) {
    return invalid_input("--config: a radiance field has output_dims 4 and no output activation");
  }
  return config;
}

Result<double> test_psnr(gpu::NerfRenderer& renderer, const NerfDataset& data, std::size_t limit,
                         double* render_ms = nullptr) {
  double sum = 0;
  double ms = 0;
  const std::size_t n = std::min(limit, data.test_images.size());
  for (std::size_t i = 0; i < n; ++i) {
    SCZ_ASSIGN_OR_RETURN(const Image image, renderer.render(data.test_cameras[i]));
    ms += renderer.last_ms();
    sum += psnr(image, data.test_images[i]);
  }
  if (render_ms) *render_ms = n ? ms / n : 0;
  return n ? sum / n : 0.0;
}

Status run_train_field(const TrainFieldOptions& o) {
  if (o.seconds < 0 || o.seconds > 86400) return invalid_input("--seconds must be in 0..86400");
  if (o.steps < 0 || o.steps > 10000000) return invalid_input("--steps must be in 0..1e7");
  if (o.seconds == 0 && o.steps == 0) return invalid_input("give --seconds or --steps (or both: whichever ends first)");
  SCZ_ASSIGN_OR_RETURN(const std::string user_json, config_text(o.config));
  NerfDataset data;
  {
    Progress progress("reading " + o.dataset);
    SCZ_ASSIGN_OR_RETURN(data, load_nerf_dataset(o.dataset, o.downscale, o.test_every));
  }
  SCZ_ASSIGN_OR_RETURN(const field::FieldConfig config, nerf_config(data.aabb_scale, user_json, o.seed));
  const field::NerfSettings settings = field::nerf_settings_for_scale(data.aabb_scale);
  set_training_rows(&data, settings);
  SCZ_ASSIGN_OR_RETURN(field::FieldModel model, field::FieldModel::create(config));
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  std::fprintf(stderr, "train-field: %zu training and %zu test images of %dx%d from %s on %s, %zu parameters\n",
               data.train_cameras.size(), data.test_images.size(), data.train.width, data.train.height,
               data.transforms.c_str(), context->device_name().c_str(), model.parameter_count());
  gpu::NerfTrainOptions train_options;
  train_options.seed = o.seed;
  SCZ_ASSIGN_OR_RETURN(auto trainer, gpu::NerfTrainer::create(*context, model, settings, data.train, train_options));
  SCZ_ASSIGN_OR_RETURN(auto renderer, gpu::NerfRenderer::create(*context, *trainer, model, settings));

  const int total_steps = o.steps > 0 ? o.steps : 10000000;
  const int chunk = o.progress_every > 0 ? o.progress_every : 256;
  double trained_seconds = 0;
  int next_test = 0;
  while (trainer->steps_done() < total_steps && (o.seconds == 0 || trained_seconds < o.seconds)) {
    int n = std::min(chunk, total_steps - trainer->steps_done());
    if (o.seconds > 0 && trainer->steps_done() > 0) {
      // Stay within the time budget: as many steps as the measured rate allows.
      const double per_step = trained_seconds / trainer->steps_done();
      n = std::max(1, std::min(n, static_cast<int>((o.seconds - trained_seconds) / per_step)));
    }
    const auto start = std::chrono::steady_clock::now();
    SCZ_RETURN_IF_ERROR(trainer->train(n));
    trained_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    SCZ_ASSIGN_OR_RETURN(const double loss, trainer->last_loss());
    SCZ_ASSIGN_OR_RETURN(const std::uint32_t rays, trainer->last_rays());
    const int done = trainer->steps_done();
    double left = 0;
    if (o.seconds > 0) left = o.seconds - trained_seconds;
    if (o.steps > 0) left = std::max(left, trained_seconds / done * (o.steps - done));
    std::string test;
    if (done >= next_test && o.test_images_progress > 0) {
      SCZ_ASSIGN_OR_RETURN(const double p, test_psnr(*renderer, data, static_cast<std::size_t>(o.test_images_progress)));
      char text[64];
      std::snprintf(text, sizeof(text), "  test PSNR %.2f dB (%d images)", p, o.test_images_progress);
      test = text;
      next_test = done + 8 * chunk;
    }
    std::fprintf(stderr, "step %6d  loss %.5f  (%.2f dB)  rays %6u  %.1f s trained, %.1f s left%s\n", done, loss,
                 loss > 0 ? -10.0 * std::log10(loss) : 100.0, rays, trained_seconds, left, test.c_str());
  }
  double render_ms = 0;
  double final_psnr = 0;
  {
    Progress progress("rendering " + std::to_string(data.test_images.size()) + " test images");
    SCZ_ASSIGN_OR_RETURN(final_psnr, test_psnr(*renderer, data, data.test_images.size(), &render_ms));
  }
  std::fprintf(stderr, "trained %d steps in %.1f s: test PSNR %.2f dB over %zu images\n", trainer->steps_done(),
               trained_seconds, final_psnr, data.test_images.size());

  SCZ_RETURN_IF_ERROR(trainer->download(&model));
  SCZ_ASSIGN_OR_RETURN(const std::vector<float> grid, trainer->download_grid());
  field::NerfStoreReport store_report;
  SCZ_ASSIGN_OR_RETURN(const Bytes file, field::encode_nerf_file(model, settings, grid, &store_report));
  // The stored field, decoded and rendered again: what the file costs in PSNR.
  SCZ_ASSIGN_OR_RETURN(const field::DecodedNerf decoded, field::decode_nerf_file(file));
  SCZ_ASSIGN_OR_RETURN(auto stored_renderer,
                       gpu::NerfRenderer::create(*context, decoded.model, decoded.settings, decoded.grid));
  double stored_psnr = 0;
  {
    Progress progress("rendering the stored field");
    SCZ_ASSIGN_OR_RETURN(stored_psnr, test_psnr(*stored_renderer, data, data.test_images.size()));
  }
  SCZ_RETURN_IF_ERROR(write_file_atomic(o.out, file));
  std::fprintf(stderr, "stored %s: %zu bytes (%.2f MB; float32 parameters %.2f MB), test PSNR %.2f dB stored\n",
               o.out.c_str(), file.size(), file.size() / 1e6, store_report.float_bytes / 1e6, stored_psnr);

  nlohmann::ordered_json j;
  j["dataset"] = data.transforms;
  j["device"] = context->device_name();
  j["train_images"] = data.train_cameras.size();
  j["test_images"] = data.test_images.size();
  j["width"] = data.train.width;
  j["height"] = data.train.height;
  j["steps"] = trainer->steps_done();
  j["train_seconds"] = trained_seconds;
  j["test_psnr"] = final_psnr;
  j["test_psnr_stored"] = stored_psnr;
  j["render_ms_per_test_image"] = render_ms;
  j["bytes_float32"] = store_report.float_bytes;
  j["bytes_stored"] = file.size();
  j["kept_entries"] = store_report.kept_entries;
  j["entries"] = store_report.entries;
  j["occupied_cells"] = store_report.occupied_cells;
  j["config"] = nlohmann::json::parse(field::field_config_json(config));
  j["nerf"] = nlohmann::json::parse(field::nerf_settings_json(settings));
  std::printf("%s\n", o.json ? j.dump().c_str() : j.dump(2).c_str());
  return Status::Ok();
}

}  // namespace

void add_train_field(CLI::App& app, Runner& run) {
  auto o = std::make_shared<TrainFieldOptions>();
  CLI::App* cmd = app.add_subcommand(
      "train-field",
      "Train a radiance field (hash-grid density and view-dependent colour, Instant-NGP style) from photographs "
      "with cameras on the GPU, report its test PSNR, and store it compressed as a .scz radiance-field file "
      "(8-bit features, float16 weights, occupancy bits, zstd). DATASET is a NeRF-synthetic folder "
      "(transforms_train.json, camera_angle_x, RGBA on white) or an Instant-NGP transforms.json (fl_x fl_y cx cy, "
      "aabb_scale; photos with lens distortion k1 k2 p1 p2 are resampled to the pinhole camera first). Every --test-every-th image (from the first) is held out as the "
      "test split. Training stops at --steps or --seconds (of training, tests excluded), whichever comes first.");
  cmd->add_option("dataset", o->dataset, "Folder with transforms_train.json or transforms.json, or the JSON file")
      ->required();
  cmd->add_option("out", o->out, "Output .scz file")->required();
  cmd->add_option("--seconds", o->seconds, "Training time budget in seconds (GPU training only)");
  cmd->add_option("--steps", o->steps, "Training steps");
  cmd->add_option("--downscale", o->downscale, "Divide the image size by this integer (box filter; default 1)");
  cmd->add_option("--seed", o->seed, "Seed of the initial parameters and of the rays (default 1)");
  cmd->add_option("--test-every", o->test_every, "Hold out every K-th image as the test split (default 8)");
  cmd->add_option("--progress-every", o->progress_every, "Steps between progress lines (default 256)");
  cmd->add_option("--progress-test-images", o->test_images_progress,
                  "Test images rendered for the PSNR in progress lines (0: none; default 2)");
  cmd->add_option("--config", o->config,
                  "Field settings over the radiance-field defaults, JSON text or @file (e.g. "
                  "'{\"log2_table_size\": 16}'; output_dims stays 4)");
  cmd->add_flag("--json", o->json, "Print the result as one line of JSON");
  cmd->callback([o, &run] { run = [o] { return run_train_field(*o); }; });
}

}  // namespace scenezip::cli
