// `scenezip bench SCENE`: GPU time per stage over frames on an orbit, from timestamps.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "formats/file_io.h"
#include "formats/formats.h"
#include "tools/command.h"
#include "tools/render_support.h"

namespace scenezip::cli {

namespace {

struct BenchOptions {
  std::string scene;
  int width = 1920;
  int height = 1080;
  int frames = 100;
  int warmup = 5;
  int copies = 1;
  std::string view;    // empty: frames walk the orbit
  std::string camera;  // FILE:INDEX: every frame from that camera
  std::string save_image;     // raw float image of the --view frame, for a later --compare-image
  std::string compare_image;  // such a file: report this build's PSNR against it
  long long queued_walk = -1;  // -1: the renderer's default
  bool json = false;
  bool kernel_statistics = false;
};

// The raw image files of --save-image / --compare-image: "SZF1", width, height (uint32),
// then float RGB rows, all in the byte order of the machine that wrote them: the file
// only goes from one build to another on the same benchmark machine.
// Floats rather than PNG so that two builds' renderers can be compared past 8 bits.
constexpr char kRawImageMagic[4] = {'S', 'Z', 'F', '1'};

Status write_raw_image(const Image& image, const std::string& path) {
  const std::uint32_t dims[2] = {static_cast<std::uint32_t>(image.width), static_cast<std::uint32_t>(image.height)};
  std::vector<std::uint8_t> bytes(sizeof(kRawImageMagic) + sizeof(dims) + image.rgb.size() * sizeof(float));
  std::memcpy(bytes.data(), kRawImageMagic, sizeof(kRawImageMagic));
  std::memcpy(bytes.data() + sizeof(kRawImageMagic), dims, sizeof(dims));
  std::memcpy(bytes.data() + sizeof(kRawImageMagic) + sizeof(dims), image.rgb.data(), image.rgb.size() * sizeof(float));
  return write_file_atomic(path, bytes.data(), bytes.size()).with_context(path);
}

Result<Image> read_raw_image(const std::string& path, int width, int height) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return invalid_input(path + ": cannot open");
  char magic[4] = {};
  std::uint32_t dims[2] = {};
  const bool header = std::fread(magic, 1, 4, f) == 4 && std::fread(dims, sizeof(dims), 1, f) == 1;
  if (!header || std::memcmp(magic, kRawImageMagic, 4) != 0) {
    std::fclose(f);
    return invalid_input(path + ": not an image written by bench --save-image");
  }
  if (dims[0] != static_cast<std::uint32_t>(width) || dims[1] != static_cast<std::uint32_t>(height)) {
    std::fclose(f);
    return invalid_input(path + ": image is " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]) +
                         ", this run renders " + std::to_string(width) + "x" + std::to_string(height));
  }
  Image image(width, height);
  const bool body = std::fread(image.rgb.data(), sizeof(float), image.rgb.size(), f) == image.rgb.size();
  const bool at_end = std::fgetc(f) == EOF;
  std::fclose(f);
  if (!body || !at_end) return invalid_input(path + ": truncated or oversized image data");
  return image;
}

// The cameras the frames take: the orbit, walked over the frames; orbit camera
// index/count of --view; or the one camera of --camera.
struct FrameViews {
  int index = -1, count = 1;
  std::optional<Camera> file;
};

// The camera of frame `f` (negative: warm-up).
Camera frame_camera(const Orbit& orbit, int f, const BenchOptions& o, const FrameViews& views) {
  if (views.file) return *views.file;
  return views.index >= 0 ? orbit_view(orbit, views.index, views.count, o.width, o.height)
                          : orbit_view(orbit, std::max(f, 0), o.frames, o.width, o.height);
}

// Meshes and point clouds: the geometry renderer's stages (transform, raster, resolve).
Status run_geometry_bench(const BenchOptions& o, const Scene& scene, const FrameViews& views) {
  if (o.copies != 1) return invalid_input("--copies applies to Gaussian scenes only");
  if (!o.save_image.empty() || !o.compare_image.empty()) {
    return invalid_input("--save-image and --compare-image apply to Gaussian scenes only");
  }
  SCZ_ASSIGN_OR_RETURN(const Orbit orbit, scene_orbit(scene));
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  if (context->timestamp_period_ns() <= 0) return unsupported("the Vulkan device has no GPU timestamps");
  std::unique_ptr<gpu::GeometryRenderer> renderer;
  if (const Mesh* mesh = scene.mesh()) {
    SCZ_ASSIGN_OR_RETURN(renderer, gpu::GeometryRenderer::create(*context, *mesh));
  } else {
    SCZ_ASSIGN_OR_RETURN(renderer, gpu::GeometryRenderer::create(*context, *scene.points()));
  }
  std::vector<double> transform, raster, resolve, total;
  {
    Progress progress("rendering " + std::to_string(o.frames) + " frames");
    for (int f = -o.warmup; f < o.frames; ++f) {
      const Camera camera = frame_camera(orbit, f, o, views);
      SCZ_ASSIGN_OR_RETURN(gpu::GeometryTimings t, renderer->render_timed(camera, {1, 1, 1}));
      if (f < 0) continue;
      transform.push_back(t.transform);
      raster.push_back(t.raster);
      resolve.push_back(t.resolve);
      total.push_back(t.total);
    }
  }
  const double total_ms = median(total);
  nlohmann::ordered_json j;
  j["scene"] = o.scene;
  j["device"] = context->device_name();
  j["kind"] = scene_kind_name(scene.kind());
  j["count"] = scene.primitive_count();
  if (const Mesh* mesh = scene.mesh()) j["triangles"] = mesh->triangle_count();
  j["width"] = o.width;
  j["height"] = o.height;
  j["frames"] = o.frames;
  if (!o.camera.empty()) j["camera"] = o.camera;
  j["ms"] = {{"transform", median(transform)}, {"raster", median(raster)}, {"resolve", median(resolve)},
             {"total", total_ms}};
  j["fps"] = total_ms > 0 ? 1000.0 / total_ms : 0.0;
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s on %s: %zu %s at %dx%d, median over %d frames\n", o.scene.c_str(), context->device_name().c_str(),
                scene.primitive_count(), scene.mesh() ? "vertices" : "points", o.width, o.height, o.frames);
    std::printf("transform %.3f ms, raster %.3f ms, resolve %.3f ms, total %.3f ms (%.0f FPS)\n", median(transform),
                median(raster), median(resolve), total_ms, j["fps"].get<double>());
  }
  return Status::Ok();
}

// Radiance fields: the ray marcher's time per frame (gpu::NerfRenderer::last_ms, its one
// dispatch from submit to fence, not GPU timestamps), frames on field_orbit_camera's ring.
Status run_field_bench(const BenchOptions& o, const field::DecodedNerf& f, int fixed_index, int fixed_count) {
  if (o.copies != 1) return invalid_input("--copies applies to Gaussian scenes only");
  std::optional<Image> compare_to;
  if (!o.compare_image.empty()) {
    SCZ_ASSIGN_OR_RETURN(Image image, read_raw_image(o.compare_image, o.width, o.height));
    compare_to = std::move(image);
  }
  auto camera_of = [&](int frame) {
    return fixed_index >= 0 ? field_orbit_camera(f.settings, fixed_index, fixed_count, o.width, o.height)
                            : field_orbit_camera(f.settings, std::max(frame, 0), o.frames, o.width, o.height);
  };
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  if (context->timestamp_period_ns() <= 0) return unsupported("the Vulkan device has no GPU timestamps");
  SCZ_ASSIGN_OR_RETURN(auto renderer, gpu::NerfRenderer::create(*context, f.model, f.settings, f.grid));
  std::vector<double> total;
  std::optional<Image> first;
  {
    Progress progress("ray marching " + std::to_string(o.frames) + " frames");
    for (int frame = -o.warmup; frame < o.frames; ++frame) {
      SCZ_ASSIGN_OR_RETURN(Image image, renderer->render(camera_of(frame)));
      if (frame < 0) continue;
      total.push_back(renderer->last_ms());
      if (frame == 0 && (!o.save_image.empty() || compare_to)) first = std::move(image);
    }
  }
  if (!o.save_image.empty()) SCZ_RETURN_IF_ERROR(write_raw_image(*first, o.save_image));
  const double total_ms = median(total);
  nlohmann::ordered_json j;
  j["scene"] = o.scene;
  j["device"] = context->device_name();
  j["kind"] = "radiance field";
  j["count"] = f.occupied_cells;  // occupied grid cells, what the marcher samples
  j["width"] = o.width;
  j["height"] = o.height;
  j["frames"] = o.frames;
  j["ms"] = {{"total", total_ms}};
  j["fps"] = total_ms > 0 ? 1000.0 / total_ms : 0.0;
  if (compare_to) j["psnr_vs_image"] = psnr(*first, *compare_to);
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s on %s: radiance field, %u occupied cells of %d^3, at %dx%d, median over %d frames\n",
                o.scene.c_str(), context->device_name().c_str(), f.occupied_cells, f.settings.grid_resolution, o.width,
                o.height, o.frames);
    std::printf("ray marching %.3f ms (%.0f FPS)\n", total_ms, j["fps"].get<double>());
  }
  return Status::Ok();
}

Status run_bench(const BenchOptions& o) {
  if (o.frames < 1 || o.frames > 100000) return invalid_input("--frames must be in 1..100000");
  if (o.width < 1 || o.height < 1 || o.width > kMaxImageSide || o.height > kMaxImageSide) {
    return invalid_input("--width and --height must be in 1.." + std::to_string(kMaxImageSide));
  }
  if (o.warmup < 0 || o.warmup > 100000) return invalid_input("--warmup must be in 0..100000");
  if (!o.view.empty() && !o.camera.empty()) return invalid_input("give --view or --camera, not both");
  // The cameras first: a bad --view or camera file fails before a large scene loads.
  FrameViews views;
  if (!o.view.empty()) SCZ_RETURN_IF_ERROR(parse_view(o.view, &views.index, &views.count));
  if (!o.camera.empty()) {
    SCZ_ASSIGN_OR_RETURN(views.file, camera_from_file(o.camera, o.width, o.height));
  }
  SCZ_ASSIGN_OR_RETURN(const std::optional<field::DecodedNerf> radiance, load_radiance_field(o.scene));
  if (radiance) {
    if (views.file) return invalid_input("--camera applies to Gaussians, meshes and point clouds");
    return run_field_bench(o, *radiance, views.index, views.count);
  }
  Result<Scene> loaded = load_with_progress(o.scene);
  if (!loaded.ok()) return loaded.status();
  if (o.copies < 1 || o.copies > kMaxCopies) return invalid_input("--copies must be in 1.." + std::to_string(kMaxCopies));
  GaussianCloud* original = loaded->gaussians();
  if (!original) return run_geometry_bench(o, *loaded, views);
  std::optional<Image> compare_to;  // read first: a bad file fails before minutes of frames
  if (!o.compare_image.empty()) {
    SCZ_ASSIGN_OR_RETURN(Image image, read_raw_image(o.compare_image, o.width, o.height));
    compare_to = std::move(image);
  }
  if (o.copies > 1) {
    SCZ_ASSIGN_OR_RETURN(GaussianCloud copies, replicate_on_grid(*original, o.copies));
    *original = std::move(copies);
  }
  const GaussianCloud* cloud = original;
  const Orbit orbit{robust_bounds(cloud->positions), false};
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create({.pipeline_statistics = o.kernel_statistics}));
  if (context->timestamp_period_ns() <= 0) return unsupported("the Vulkan device has no GPU timestamps");
  SCZ_ASSIGN_OR_RETURN(auto renderer, gpu::SplatRenderer::create(*context, *cloud));
  if (o.queued_walk >= 0) renderer->set_queued_walk(static_cast<std::uint32_t>(o.queued_walk));

  std::vector<double> pre, sort, sort_depth, emit, sort_tiles, raster, total;
  std::size_t instances = 0;
  int queued_frames = 0;
  std::vector<std::string> step_names;
  std::map<std::string, std::vector<double>> step_ms;
  {
    Progress progress("rendering " + std::to_string(o.frames) + " frames");
    for (int f = -o.warmup; f < o.frames; ++f) {
      const Camera camera = frame_camera(orbit, f, o, views);
      SCZ_ASSIGN_OR_RETURN(gpu::SplatTimings t, renderer->render_timed(camera, {1, 1, 1}));
      if (f < 0) continue;
      pre.push_back(t.preprocess);
      sort.push_back(t.sort);
      sort_depth.push_back(t.sort_depth);
      emit.push_back(t.emit);
      sort_tiles.push_back(t.sort_tiles);
      raster.push_back(t.raster);
      total.push_back(t.total);
      instances += renderer->last_stats().instances;
      queued_frames += renderer->last_frame_queued() ? 1 : 0;
      for (const auto& [name, ms] : t.steps) {
        auto& v = step_ms[name];
        if (v.empty()) step_names.push_back(name);
        v.push_back(ms);
      }
    }
  }
  // The first timed camera's frame once more, read back, to keep or to compare with
  // another build's.
  double psnr_vs_image = -1;
  if (!o.save_image.empty() || compare_to) {
    SCZ_ASSIGN_OR_RETURN(const Image image,
                         renderer->render(frame_camera(orbit, 0, o, views), {1, 1, 1}));
    if (!o.save_image.empty()) SCZ_RETURN_IF_ERROR(write_raw_image(image, o.save_image));
    if (compare_to) psnr_vs_image = psnr(image, *compare_to);
  }
  const double total_ms = median(total);
  nlohmann::ordered_json j;
  j["scene"] = o.scene;
  j["device"] = context->device_name();
  j["count"] = cloud->count;
  j["sh_degree"] = cloud->sh_degree;
  j["width"] = o.width;
  j["height"] = o.height;
  j["frames"] = o.frames;
  if (!o.camera.empty()) j["camera"] = o.camera;
  j["ms"] = {{"preprocess", median(pre)}, {"sort", median(sort)},          {"raster", median(raster)},
             {"total", total_ms},        {"sort_depth", median(sort_depth)}, {"emit", median(emit)},
             {"sort_tiles", median(sort_tiles)}};
  j["fps"] = total_ms > 0 ? 1000.0 / total_ms : 0.0;
  nlohmann::ordered_json steps = nlohmann::ordered_json::object();
  for (const std::string& name : step_names) steps[name] = median(step_ms[name]);
  j["steps"] = steps;
  j["mean_instances"] = static_cast<double>(instances) / o.frames;
  // Buffers as sized after the last frame (the tile-instance buffers grow to the most
  // instances any frame needed, with headroom).
  j["gpu_bytes"] = renderer->device_bytes();
  j["instance_capacity"] = renderer->instance_capacity();
  j["raster_kernel"] = renderer->raster_kernel();
  j["queued_walk"] = renderer->queued_walk();
  j["queued_frames"] = queued_frames;
  if (o.kernel_statistics) {
    nlohmann::ordered_json kernels = nlohmann::ordered_json::object();
    for (const auto& [kernel, statistics] : renderer->kernel_statistics()) {
      for (const auto& [name, value] : statistics) kernels[kernel][name] = value;
    }
    j["kernel_statistics"] = kernels;
  }
  if (psnr_vs_image >= 0) j["psnr_vs_image"] = psnr_vs_image;
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s on %s: %zu Gaussians at %dx%d, median over %d frames\n", o.scene.c_str(),
                context->device_name().c_str(), cloud->count, o.width, o.height, o.frames);
    std::printf("preprocess %.3f ms, sort %.3f ms, raster %.3f ms (%s kernel), total %.3f ms (%.0f FPS)\n",
                median(pre), median(sort), median(raster), renderer->raster_kernel(), total_ms,
                j["fps"].get<double>());
    if (o.kernel_statistics) {
      const auto statistics = renderer->kernel_statistics();
      if (statistics.empty()) std::printf("the Vulkan driver reports no kernel statistics\n");
      for (const auto& [kernel, values] : statistics) {
        std::string line;
        for (const auto& [name, value] : values) line += (line.empty() ? "" : ", ") + name + " " + value;
        std::printf("%s: %s\n", kernel.c_str(), line.c_str());
      }
    }
  }
  return Status::Ok();
}

}  // namespace

void add_bench(CLI::App& app, Runner& run) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure GPU time per stage (preprocess, sort, raster, total) with timestamp queries, as the median "
               "over frames on an orbit, and the FPS that median gives. Radiance fields: the ray marcher's time per "
               "frame from submit to fence (total; a wall clock, not timestamps), on the field's orbit (+z up).");
  cmd->add_option("scene", o->scene, "Scene: Gaussians (preprocess/sort/raster), a mesh or point cloud "
                                     "(transform/raster/resolve) or a radiance-field .scz (total)")->required();
  cmd->add_option("--width", o->width, "Image width (default 1920)");
  cmd->add_option("--height", o->height, "Image height (default 1080)");
  cmd->add_option("--frames", o->frames, "Frames to time (default 100)");
  cmd->add_option("--warmup", o->warmup, "Untimed frames first (default 5)");
  cmd->add_option("--copies", o->copies,
                  "Measure this many copies of the scene side by side on a grid (default 1), for scaling runs");
  cmd->add_option("--view", o->view, "Time every frame from orbit camera i/n instead of walking the orbit");
  cmd->add_option("--camera", o->camera,
                  "Gaussians, meshes and point clouds: time every frame from camera FILE:INDEX (an INRIA cameras.json, "
                  "e.g. from render --save-camera, or a transforms*.json), drawn at --width x --height");
  cmd->add_option("--save-image", o->save_image,
                  "Gaussians and radiance fields: also write the image of the first timed camera as raw floats, for --compare-image");
  cmd->add_option("--compare-image", o->compare_image,
                  "Gaussians and radiance fields: report the PSNR of the first timed camera's image against a --save-image file "
                  "(e.g. from another build)");
  cmd->add_option("--queued-walk", o->queued_walk,
                  "Gaussians, where the block raster runs: frames with at least this many tile instances walk each "
                  "tile's list through a queue (default " + std::to_string(shaderio::kQueuedWalkInstances) +
                  "; 0: never)")
      ->check(CLI::Range(0LL, 0xFFFFFFFFLL));
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_flag("--kernel-statistics", o->kernel_statistics,
                "Gaussians: report each kernel's statistics as the Vulkan driver gives them (registers, shared memory "
                "and the like; VK_KHR_pipeline_executable_properties), a line per kernel, or in the JSON object as "
                "kernel_statistics");
  cmd->callback([o, &run] { run = [o] { return run_bench(*o); }; });
}

}  // namespace scenezip::cli
