// `scenezip view FILE [FILE2]`: the interactive viewer (viewer/), or its scripted mode.
#include "tools/command.h"
#include "tools/render_support.h"
#include "viewer/viewer.h"

namespace scenezip::cli {

void add_view(CLI::App& app, Runner& run) {
  auto o = std::make_shared<viewer::ViewerOptions>();
  CLI::App* cmd = app.add_subcommand(
      "view", "Open scenes in a window, drawn by the same GPU renderers as render and eval (radiance-field .scz "
              "files too: ray marched, orbiting the field's box with +z up). With two files: a split view, a difference "
              "heat map and the live PSNR of the view. Keys are listed in the README.");
  cmd->add_option("files", o->files, "One scene, or two to compare (e.g. an original and its .scz)")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--with", o->with,
                  "An opaque scene (mesh or point cloud) in the same world as the first file's Gaussians, "
                  "composited under them with depth, as render --with");
  cmd->add_option("--up", o->up, kUpHelp);
  cmd->add_option("--cameras", o->cameras,
                  "INRIA cameras.json or NeRF-synthetic / Instant-NGP transforms*.json whose cameras ] and [ step through");
  cmd->add_option("--camera", o->camera, "Start at camera FILE:INDEX (INRIA cameras.json, or NeRF-synthetic / Instant-NGP transforms*.json)");
  cmd->add_option("--view", o->view, "Start at orbit camera i/n, as render --view");
  cmd->add_option("--background", o->background, "Background colour r,g,b in [0,1] (default 1,1,1)");
  cmd->add_option("--compare", o->compare,
                  "Two files: start in split view, difference (heat map) or one (one file at a time) (default split)");
  cmd->add_option("--width", o->width, "Window width in pixels (default 1280)");
  cmd->add_option("--height", o->height, "Window height in pixels (default 800)");
  cmd->add_flag("!--no-vsync", o->vsync, "Start with vsync off");
  cmd->add_flag("--hide-panel", o->hide_panel, "Start with the panel hidden (F1 shows it)");
  cmd->add_option("--frames", o->frames,
                  "Scripted mode: render this many frames through the window's swapchain, print a JSON report "
                  "(size, files, PSNR of two files) and exit");
  cmd->add_option("--screenshot", o->screenshot,
                  "Scripted mode: write the last frame, read back from the swapchain image, to this PNG");
  cmd->add_flag("--screenshot-panel", o->screenshot_panel,
                "Scripted mode: the screenshot shows the window as drawn, panel included");
  cmd->callback([o, &run] { run = [o] { return viewer::run_viewer(*o); }; });
}

}  // namespace scenezip::cli
