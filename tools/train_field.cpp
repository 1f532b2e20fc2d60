// `scenezip train-field DATASET OUT.scz`: trains a radiance field (density and
// view-dependent colour on the hash-grid field) from photographs with cameras, on the
// GPU, and stores it as a `.scz` radiance-field file. Progress lines on stderr; the
// result (test PSNR, sizes, settings) on stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

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
  bool fixed_background = false;
  float density_threshold = -1;  // < 0: the settings' default
  int feature_bits = 8;
  bool compare_bits = false;
  double prune_keep = 1;  // 1: no pruning
  int prune_steps = 2500;
  int prune_size = 200;
  bool compare_prune = false;
  bool json = false;
};

// A camera with its picture scaled so that the longer side has at most `longest` pixels
// (the same view, fewer rays).
Camera camera_at_most(const Camera& camera, int longest) {
  const int side = std::max(camera.width, camera.height);
  if (side <= longest) return camera;
  const double k = static_cast<double>(longest) / side;
  return resized_camera(camera, std::max(1, static_cast<int>(std::lround(camera.width * k))),
                        std::max(1, static_cast<int>(std::lround(camera.height * k))));
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

// Mean PSNR over the first `limit` test images; the median render time per image (GPU
// timestamps, and the wall clock from submit to fence) where asked.
Result<double> test_psnr(gpu::NerfRenderer& renderer, const NerfDataset& data, std::size_t limit,
                         double* render_ms = nullptr, double* render_wall_ms = nullptr) {
  double sum = 0;
  std::vector<double> ms, wall_ms;
  const std::size_t n = std::min(limit, data.test_images.size());
  for (std::size_t i = 0; i < n; ++i) {
    SCZ_ASSIGN_OR_RETURN(const Image image, renderer.render(data.test_cameras[i]));
    ms.push_back(renderer.last_ms());
    wall_ms.push_back(renderer.last_wall_ms());
    sum += psnr(image, data.test_images[i]);
  }
  if (render_ms) *render_ms = median(ms);
  if (render_wall_ms) *render_wall_ms = median(wall_ms);
  return n ? sum / n : 0.0;
}

Status run_train_field(const TrainFieldOptions& o) {
  if (o.seconds < 0 || o.seconds > 86400) return invalid_input("--seconds must be in 0..86400");
  if (o.steps < 0 || o.steps > 10000000) return invalid_input("--steps must be in 0..1e7");
  if (o.seconds == 0 && o.steps == 0) return invalid_input("give --seconds or --steps (or both: whichever ends first)");
  if (!(o.prune_keep > 0 && o.prune_keep <= 1)) return invalid_input("--prune-keep must be in (0, 1]");
  if (o.prune_size < 8 || o.prune_size > 4096) return invalid_input("--prune-size must be in 8..4096");
  if (o.prune_steps < 0 || o.prune_steps > 1000000) return invalid_input("--prune-steps must be in 0..1e6");
  if (o.compare_prune && o.prune_keep == 1) return invalid_input("--compare-prune needs --prune-keep below 1");
  SCZ_ASSIGN_OR_RETURN(const std::string user_json, settings_text(o.config));
  NerfDataset data;
  {
    Progress progress("reading " + o.dataset);
    SCZ_ASSIGN_OR_RETURN(data, load_nerf_dataset(o.dataset, o.downscale, o.test_every));
  }
  SCZ_ASSIGN_OR_RETURN(const field::FieldConfig config, nerf_config(data.aabb_scale, user_json, o.seed));
  field::NerfSettings settings = field::nerf_settings_for_scale(data.aabb_scale);
  if (o.density_threshold >= 0) settings.density_threshold = o.density_threshold;
  set_training_rows(&data, settings);
  SCZ_ASSIGN_OR_RETURN(field::FieldModel model, field::FieldModel::create(config));
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  std::fprintf(stderr, "train-field: %zu training and %zu test images of %dx%d from %s on %s, %zu parameters\n",
               data.train_cameras.size(), data.test_images.size(), data.train.width, data.train.height,
               data.transforms.c_str(), context->device_name().c_str(), model.parameter_count());
  gpu::NerfTrainOptions train_options;
  train_options.seed = o.seed;
  train_options.random_background = !o.fixed_background;
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
  double render_ms = 0, render_wall_ms = 0;
  double final_psnr = 0;
  {
    Progress progress("rendering " + std::to_string(data.test_images.size()) + " test images");
    SCZ_ASSIGN_OR_RETURN(final_psnr,
                         test_psnr(*renderer, data, data.test_images.size(), &render_ms, &render_wall_ms));
  }
  std::fprintf(stderr, "trained %d steps in %.1f s: test PSNR %.2f dB over %zu images\n", trainer->steps_done(),
               trained_seconds, final_psnr, data.test_images.size());

  field::FieldModel trained = model;
  std::vector<float> grid;
  // The field as the trainer holds it now; the file keeps the cells the march used
  // last: those over the trainer's threshold.
  auto download = [&]() -> Status {
    SCZ_RETURN_IF_ERROR(trainer->download(&trained));
    SCZ_ASSIGN_OR_RETURN(grid, trainer->download_grid());
    SCZ_ASSIGN_OR_RETURN(settings.density_threshold, trainer->density_threshold());
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(download());
  // A stored field, decoded and rendered again: what the file costs in PSNR.
  auto store = [&](int bits, const std::vector<bool>& keep, field::NerfStoreReport* report,
                   double* stored_psnr) -> Result<Bytes> {
    SCZ_ASSIGN_OR_RETURN(Bytes file, field::encode_nerf_file(trained, settings, grid, report,
                                                             {.feature_bits = bits, .keep = keep}));
    SCZ_ASSIGN_OR_RETURN(const field::DecodedNerf decoded, field::decode_nerf_file(file));
    SCZ_ASSIGN_OR_RETURN(auto stored_renderer,
                         gpu::NerfRenderer::create(*context, decoded.model, decoded.settings, decoded.grid));
    Progress progress("rendering the field stored with " + std::to_string(bits) + "-bit features");
    SCZ_ASSIGN_OR_RETURN(*stored_psnr, test_psnr(*stored_renderer, data, data.test_images.size()));
    return file;
  };

  // Pruning in stages: each measures every entry's contribution to the training views
  // (at --prune-size) on the field as it is, halves the share of the table kept (down to
  // --prune-keep), and fine-tunes the rest with the dropped entries held at zero.
  std::vector<bool> keep;
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  double prune_seconds = 0;
  double share = 1;
  std::vector<Camera> views;
  for (const Camera& camera : data.train_cameras) views.push_back(camera_at_most(camera, o.prune_size));
  while (share > o.prune_keep) {
    const double next = std::max(share / 2, o.prune_keep);
    const auto start = std::chrono::steady_clock::now();
    std::vector<float> contribution;
    {
      Progress progress("measuring each hash entry's contribution to " + std::to_string(views.size()) +
                        " training views");
      SCZ_ASSIGN_OR_RETURN(contribution, renderer->contribution(views));
    }
    if (keep.empty()) keep.assign(contribution.size(), true);
    SCZ_ASSIGN_OR_RETURN(keep, field::nerf_prune_mask(trained, contribution, keep, next / share));
    share = next;
    SCZ_RETURN_IF_ERROR(trainer->keep_only(keep));
    if (o.prune_steps > 0) {
      Progress progress("fine-tuning the pruned field for " + std::to_string(o.prune_steps) + " steps");
      SCZ_RETURN_IF_ERROR(trainer->train(o.prune_steps));
    }
    prune_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    SCZ_RETURN_IF_ERROR(download());
    SCZ_ASSIGN_OR_RETURN(const double live_psnr, test_psnr(*renderer, data, data.test_images.size()));
    const std::size_t kept_count = static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true));
    std::fprintf(stderr, "pruned to %.4f of the table (%zu entries) and fine-tuned %d steps: test PSNR %.2f dB, %.1f s "
                 "of pruning so far\n", share, kept_count, o.prune_steps, live_psnr, prune_seconds);
    nlohmann::ordered_json stage = {{"share", share},
                                    {"kept_entries", kept_count},
                                    {"fine_tune_steps", o.prune_steps},
                                    {"seconds_so_far", prune_seconds},
                                    {"test_psnr", live_psnr}};
    if (o.compare_prune && share > o.prune_keep) {
      nlohmann::ordered_json stored = nlohmann::ordered_json::array();
      for (int bits : {8, 6, 5}) {
        double p = 0;
        field::NerfStoreReport report;
        SCZ_ASSIGN_OR_RETURN(const Bytes other, store(bits, keep, &report, &p));
        std::fprintf(stderr, "  %d-bit features: %u entries stored, %zu bytes, test PSNR %.2f dB\n", bits,
                     report.kept_entries, other.size(), p);
        stored.push_back({{"feature_bits", bits}, {"kept_entries", report.kept_entries}, {"bytes", other.size()},
                          {"test_psnr", p}});
      }
      stage["stored"] = stored;
    }
    stages.push_back(stage);
  }

  field::NerfStoreReport store_report;
  double stored_psnr = 0;
  SCZ_ASSIGN_OR_RETURN(const Bytes file, store(o.feature_bits, keep, &store_report, &stored_psnr));
  SCZ_RETURN_IF_ERROR(write_file_atomic(o.out, file));
  std::fprintf(stderr, "stored %s: %zu bytes (%.2f MB; float32 parameters %.2f MB), test PSNR %.2f dB stored\n",
               o.out.c_str(), file.size(), file.size() / 1e6, store_report.float_bytes / 1e6, stored_psnr);
  nlohmann::ordered_json by_bits = nlohmann::ordered_json::array();
  if (o.compare_bits) {
    for (int bits = 8; bits >= 3; --bits) {
      double p = 0;
      SCZ_ASSIGN_OR_RETURN(const Bytes other, store(bits, keep, nullptr, &p));
      std::fprintf(stderr, "  %d-bit features: %zu bytes, test PSNR %.2f dB\n", bits, other.size(), p);
      by_bits.push_back({{"feature_bits", bits}, {"bytes", other.size()}, {"test_psnr", p}});
    }
  }

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
  j["render_ms_median"] = render_ms;  // GPU timestamps around the dispatch
  j["render_wall_ms_median"] = render_wall_ms;
  j["bytes_float32"] = store_report.float_bytes;
  j["bytes_stored"] = file.size();
  j["kept_entries"] = store_report.kept_entries;
  j["entries"] = store_report.entries;
  j["occupied_cells"] = store_report.occupied_cells;
  j["feature_bits"] = o.feature_bits;
  if (o.prune_keep < 1) {
    j["prune_keep"] = o.prune_keep;
    j["prune_seconds"] = prune_seconds;
    j["prune_stages"] = stages;
  }
  if (o.compare_bits) j["stored_by_feature_bits"] = by_bits;
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
  cmd->add_flag("--fixed-background", o->fixed_background,
                "Composite training rays over white instead of a random colour per ray (for comparisons: a fixed "
                "background lets the field fill empty space with density of that colour)");
  cmd->add_option("--density-threshold", o->density_threshold,
                  "Density (per unit of the scene box's side) over which a grid cell is marched (default: an optical "
                  "thickness of 0.01 over the smallest step; the trainer uses the grid's mean where that is lower)");
  cmd->add_option("--feature-bits", o->feature_bits, "Bits per stored hash feature, 1..8 (default 8)")
      ->check(CLI::Range(1, 8));
  cmd->add_flag("--compare-bits", o->compare_bits,
                "Also store the field with 8 down to 3 bits per feature and report each one's size and test PSNR");
  cmd->add_option("--prune-keep", o->prune_keep,
                  "Prune the hash table to this share (0..1] of its entries, by measured contribution: in stages "
                  "that each halve the share, keeping the entries whose contribution to the training views times "
                  "feature magnitude is highest, then fine-tune the rest with the dropped ones held at zero "
                  "(--prune-steps); dropped entries are not stored and decode as zeros (default 1: no pruning)");
  cmd->add_option("--prune-steps", o->prune_steps,
                  "Fine-tuning steps after each pruning stage (default 2500: on lego, 50 s of training and 2,500 "
                  "steps per stage ended 0.36 dB above 90 s and 1,000 per stage, a sixteenth of the table kept, "
                  "both within two minutes)");
  cmd->add_option("--prune-size", o->prune_size,
                  "Longer side, in pixels, of the training views the contribution is measured on (default 200)");
  cmd->add_flag("--compare-prune", o->compare_prune,
                "Also store the field after each pruning stage before the last, with 8, 6 and 5 bits per feature, "
                "and report each one's size and test PSNR");
  cmd->add_flag("--json", o->json, "Print the result as one line of JSON");
  cmd->callback([o, &run] { run = [o] { return run_train_field(*o); }; });
}

}  // namespace scenezip::cli
