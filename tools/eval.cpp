// `scenezip eval REFERENCE CANDIDATE`: how close a candidate scene renders to a reference.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "formats/formats.h"
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
};

Status run_eval(const EvalOptions& o) {
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
      "eval", "Render a reference and a candidate scene from the same orbit views (placed by the reference's "
              "bounds) and report mean PSNR and SSIM, both files' bytes and the ratio.");
  cmd->add_option("reference", o->reference, "Reference scene (e.g. the original)")->required();
  cmd->add_option("candidate", o->candidate, "Candidate scene (e.g. a compressed copy)")->required();
  cmd->add_option("--views", o->views, "Orbit views to average over (default 8)");
  cmd->add_option("--width", o->width, "Image width (default 512)");
  cmd->add_option("--height", o->height, "Image height (default 512)");
  cmd->add_option("--up", o->up, kUpHelp);
  cmd->add_option("--background", o->background, "Background colour r,g,b in [0,1] (default 1,1,1)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->callback([o, &run] { run = [o] { return run_eval(*o); }; });
}

}  // namespace scenezip::cli
