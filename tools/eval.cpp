// `scenezip eval REFERENCE CANDIDATE`: how close a candidate scene renders to a reference.
// `scenezip eval SCENE PHOTOS.json`: how close a scene renders to the photographs of a
// NeRF-synthetic or Instant-NGP set, from their own cameras.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "formats/file_io.h"
#include "formats/formats.h"
#include "formats/photo_set.h"
#include "tools/command.h"
#include "tools/render_support.h"

namespace scenezip::cli {

namespace {

struct EvalOptions {
  std::string reference;
  std::string candidate;
  int views = 8;
  int width = 512;
  int height = 512;
  std::string background = "1,1,1";
  std::string up = "auto";
  bool json = false;
  // Photographs (CANDIDATE is a transforms*.json).
  std::string split = "auto";
  int test_every = 8;
  int downscale = 1;
  int limit = 0;  // 0: every frame of the split
  std::string save_images;  // folder for each frame's render and photo as PNGs
  // Options given that only the other mode takes (named in the error).
  std::string orbit_only_given, photo_only_given;
};

// The split `auto` picks: a set that is all test views by its name (NeRF-synthetic's
// transforms_test.json and transforms_val.json) is scored whole; any other set is scored
// on its held-out frames, the ones train-field and 3DGS's evaluations leave out of
// training (every test_every-th).
Result<PhotoSplit> choose_split(const std::string& split, const std::string& photos) {
  if (split != "auto") return parse_photo_split(split);
  const std::string name = std::filesystem::path(photos).filename().string();
  return name == "transforms_test.json" || name == "transforms_val.json" ? PhotoSplit::kAll : PhotoSplit::kTest;
}

// What eval draws each photograph's view with. Every kind `load_scene` reads goes through
// SceneRenderer; a radiance field, which is not a Scene, goes through its ray marcher.
struct PhotoSceneRenderer {
  std::function<Result<Image>(const Camera&)> render;
  std::uint64_t primitive_count = 0;  // Gaussians, vertices or points; 0 where not counted
  std::vector<std::shared_ptr<void>> keep_alive;  // what `render` draws with
};

Result<PhotoSceneRenderer> open_photo_scene(const std::string& path, gpu::Context& context,
                                            const std::array<float, 3>& background) {
  // A radiance field is not a Scene: SceneRenderer ray-marches it from the same cameras.
  SCZ_ASSIGN_OR_RETURN(std::optional<field::DecodedNerf> decoded, load_radiance_field(path));
  if (decoded) {
    auto field = std::make_shared<field::DecodedNerf>(std::move(*decoded));
    Result<std::unique_ptr<SceneRenderer>> made = SceneRenderer::create_field(field, context);
    if (!made.ok()) return made.status().with_context(path);
    std::shared_ptr<SceneRenderer> marcher = std::move(*made);
    PhotoSceneRenderer out;
    out.primitive_count = field->occupied_cells;
    out.render = [marcher, background](const Camera& camera) { return marcher->render(camera, background); };
    out.keep_alive = {field, marcher};
    return out;
  }
  SCZ_ASSIGN_OR_RETURN(Scene loaded, load_with_progress(path));
  auto scene = std::make_shared<Scene>(std::move(loaded));
  Result<std::unique_ptr<SceneRenderer>> created = SceneRenderer::create(*scene, context);
  if (!created.ok()) return created.status().with_context(path);
  std::shared_ptr<SceneRenderer> renderer = std::move(*created);
  PhotoSceneRenderer out;
  out.primitive_count = scene->primitive_count();
  out.render = [renderer, background](const Camera& camera) { return renderer->render(camera, background); };
  out.keep_alive = {scene, renderer};
  return out;
}

Status run_photo_eval(const EvalOptions& o) {
  if (!o.orbit_only_given.empty()) {
    return invalid_input(o.orbit_only_given + " is for orbit views: photographs are compared at their own cameras "
                         "and size (--downscale K makes them smaller)");
  }
  if (o.test_every < 1 || o.test_every > 100000) return invalid_input("--test-every must be in 1..100000");
  if (o.limit < 0) return invalid_input("--limit must be 0 (every frame) or more");
  SCZ_ASSIGN_OR_RETURN(const PhotoSplit split, choose_split(o.split, o.candidate));
  SCZ_ASSIGN_OR_RETURN(auto background, parse_background(o.background));
  // Every image's header is checked now, so a missing photo stops the run before the
  // scene is loaded rather than at frame 80.
  SCZ_ASSIGN_OR_RETURN(const PhotoSet set, read_photo_set(o.candidate, {.downscale = o.downscale}));
  std::vector<std::size_t> frames = photo_split(set.frames.size(), split, o.test_every);
  if (o.limit > 0 && frames.size() > static_cast<std::size_t>(o.limit)) frames.resize(o.limit);
  if (frames.empty()) {
    return invalid_input(o.candidate + ": the " + std::string(photo_split_name(split)) + " split of " +
                         std::to_string(set.frames.size()) + " frames with --test-every " +
                         std::to_string(o.test_every) + " is empty");
  }
  if (!o.save_images.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.save_images, ec);
    if (ec) return io_error(o.save_images + ": cannot create the folder (" + ec.message() + ")");
  }
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  SCZ_ASSIGN_OR_RETURN(const PhotoSceneRenderer renderer, open_photo_scene(o.reference, *context, background));

  double psnr_sum = 0, ssim_sum = 0;
  nlohmann::ordered_json per_frame = nlohmann::json::array();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t n = 0; n < frames.size(); ++n) {
    const std::size_t index = frames[n];
    const PhotoFrame& frame = set.frames[index];
    SCZ_ASSIGN_OR_RETURN(Photo photo, load_photo(set, index, {.background = background}));
    Result<Image> rendered = renderer.render(photo_camera(frame));
    if (!rendered.ok()) return rendered.status().with_context(o.reference);
    Image taken(photo.width, photo.height);
    taken.rgb = std::move(photo.rgb);
    const double p = psnr(*rendered, taken), s = ssim(*rendered, taken);
    if (!o.save_images.empty()) {
      char stem[32];
      std::snprintf(stem, sizeof stem, "/frame-%05zu", index);
      SCZ_RETURN_IF_ERROR(write_png(*rendered, o.save_images + stem + "-render.png"));
      SCZ_RETURN_IF_ERROR(write_png(taken, o.save_images + stem + "-photo.png"));
    }
    psnr_sum += p;
    ssim_sum += s;
    per_frame.push_back({{"frame", index}, {"file", frame.name}, {"psnr", p}, {"ssim", s}});
    // One line per frame on stderr: long runs show progress, and a bad frame shows
    // which one it was.
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "frame %zu/%zu (%s): %.2f dB, SSIM %.4f, %.0f s left\n", n + 1, frames.size(),
                 frame.name.c_str(), p, s, elapsed / (n + 1) * (frames.size() - n - 1));
  }
  const double count = static_cast<double>(frames.size());
  nlohmann::ordered_json j;
  j["scene"] = o.reference;
  j["photos"] = o.candidate;
  j["split"] = photo_split_name(split);
  j["test_every"] = o.test_every;
  j["downscale"] = o.downscale;
  j["frames"] = frames.size();
  j["psnr"] = psnr_sum / count;
  j["ssim"] = ssim_sum / count;
  j["width"] = set.frames[frames[0]].width;
  j["height"] = set.frames[frames[0]].height;
  j["scene_bytes"] = scene_bytes_on_disk(o.reference);
  j["scene_count"] = renderer.primitive_count;
  j["device"] = context->device_name();
  j["per_frame"] = per_frame;
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("PSNR %.2f dB, SSIM %.4f over %zu frames (split %s) of %s at %dx%d (downscale %d)\n", psnr_sum / count,
                ssim_sum / count, frames.size(), photo_split_name(split), o.candidate.c_str(),
                j["width"].get<int>(), j["height"].get<int>(), o.downscale);
  }
  return Status::Ok();
}

Status run_eval(const EvalOptions& o) {
  if (file_extension(o.candidate) == ".json") return run_photo_eval(o);
  if (!o.photo_only_given.empty()) {
    return invalid_input(o.photo_only_given + " is for photographs: give a transforms*.json as the second file");
  }
  if (o.views < 1 || o.views > 1000) return invalid_input("--views must be in 1..1000");
  SCZ_ASSIGN_OR_RETURN(auto background, parse_background(o.background));
  SCZ_ASSIGN_OR_RETURN(Scene reference, load_with_progress(o.reference));
  SCZ_ASSIGN_OR_RETURN(Scene candidate, load_with_progress(o.candidate));
  if (reference.kind() != candidate.kind()) {
    return invalid_input(o.candidate + ": holds " + scene_kind_name(candidate.kind()) + " but the reference holds " +
                         scene_kind_name(reference.kind()));
  }
  // The reference's bounds place the cameras, so both scenes are seen from the same views.
  SCZ_ASSIGN_OR_RETURN(const Orbit orbit, scene_orbit(reference, o.up));
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  SCZ_ASSIGN_OR_RETURN(auto reference_renderer, SceneRenderer::create(reference, *context));
  SCZ_ASSIGN_OR_RETURN(auto candidate_renderer, SceneRenderer::create(candidate, *context));

  double psnr_sum = 0, ssim_sum = 0;
  nlohmann::ordered_json per_view = nlohmann::json::array();
  {
    Progress progress("rendering " + std::to_string(o.views) + " views");
    for (int v = 0; v < o.views; ++v) {
      const Camera camera = orbit_view(orbit, v, o.views, o.width, o.height);
      SCZ_ASSIGN_OR_RETURN(Image a, reference_renderer->render(camera, background));
      SCZ_ASSIGN_OR_RETURN(Image b, candidate_renderer->render(camera, background));
      const double p = psnr(a, b), s = ssim(a, b);
      psnr_sum += p;
      ssim_sum += s;
      per_view.push_back({{"view", v}, {"psnr", p}, {"ssim", s}});
    }
  }
  const std::uint64_t reference_bytes = scene_bytes_on_disk(o.reference);
  const std::uint64_t candidate_bytes = scene_bytes_on_disk(o.candidate);
  nlohmann::ordered_json j;
  j["reference"] = o.reference;
  j["candidate"] = o.candidate;
  j["psnr"] = psnr_sum / o.views;
  j["ssim"] = ssim_sum / o.views;
  j["views"] = o.views;
  j["width"] = o.width;
  j["height"] = o.height;
  j["reference_bytes"] = reference_bytes;
  j["candidate_bytes"] = candidate_bytes;
  j["ratio"] = candidate_bytes ? static_cast<double>(reference_bytes) / candidate_bytes : 0.0;
  j["reference_count"] = reference.primitive_count();
  j["candidate_count"] = candidate.primitive_count();
  j["device"] = context->device_name();
  j["per_view"] = per_view;
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("PSNR %.2f dB, SSIM %.4f over %d views at %dx%d\n", psnr_sum / o.views, ssim_sum / o.views, o.views,
                o.width, o.height);
    std::printf("reference %llu bytes, candidate %llu bytes, ratio %.2fx\n",
                static_cast<unsigned long long>(reference_bytes), static_cast<unsigned long long>(candidate_bytes),
                j["ratio"].get<double>());
  }
  return Status::Ok();
}

}  // namespace

void add_eval(CLI::App& app, Runner& run) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Render a reference and a candidate scene from the same orbit views (placed by the reference's bounds) and "
      "report mean PSNR and SSIM, both files' bytes and the ratio. With a transforms*.json (NeRF-synthetic or "
      "Instant-NGP) in place of the candidate, render the scene from each photograph's camera (its intrinsics, "
      "pose and size) and report PSNR and SSIM against the photographs, per frame and mean: RGBA photos are "
      "composited on --background, distorted ones (k1 k2 p1 p2) undistorted to the pinhole camera the renderers "
      "draw. The scene may be a radiance field (.scz from train-field), ray-marched from each camera.");
  cmd->add_option("reference", o->reference,
                  "Reference scene (e.g. the original), or the scene to score (any scene kind, or a radiance field)")->required();
  cmd->add_option("candidate", o->candidate,
                  "Candidate scene (e.g. a compressed copy), or PHOTOS: a transforms*.json")
      ->required();
  cmd->add_option("--views", o->views, "Orbit views to average over (default 8)");
  cmd->add_option("--width", o->width, "Image width (default 512; photographs: their own size)");
  cmd->add_option("--height", o->height, "Image height (default 512; photographs: their own size)");
  cmd->add_option("--split", o->split,
                  "Photographs: all, train or test frames; test is every --test-every-th frame (0, K, 2K, ...), "
                  "train the rest; auto (the default) is all for transforms_test.json and transforms_val.json, "
                  "test for any other set (the frames train-field holds out)");
  cmd->add_option("--test-every", o->test_every, "Photographs: every K-th frame is a test frame (default 8)");
  cmd->add_option("--downscale", o->downscale,
                  "Photographs: render and compare at 1/K of the photos' size, the photos box-filtered (default 1)")
      ->check(CLI::Range(1, kMaxPhotoDownscale));
  cmd->add_option("--limit", o->limit, "Photographs: score only the first N frames of the split (default 0: all)");
  cmd->add_option("--save-images", o->save_images,
                  "Photographs: also write each frame's render and photo (as compared: downscaled, composited, "
                  "undistorted) to DIR/frame-NNNNN-render.png and -photo.png");
  cmd->add_option("--up", o->up, kUpHelp);
  cmd->add_option("--background", o->background, "Background colour r,g,b in [0,1] (default 1,1,1)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->callback([o, cmd, &run] {
    for (const char* name : {"--views", "--width", "--height", "--up"})
      if (cmd->count(name) > 0 && o->orbit_only_given.empty()) o->orbit_only_given = name;
    for (const char* name : {"--split", "--test-every", "--downscale", "--limit", "--save-images"})
      if (cmd->count(name) > 0 && o->photo_only_given.empty()) o->photo_only_given = name;
    run = [o] { return run_eval(*o); };
  });
}

}  // namespace scenezip::cli
