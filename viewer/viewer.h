// `scenezip view`: the interactive window on the engine's renderers, and its scripted
// mode (a fixed camera, N frames through the swapchain, a screenshot, a JSON report).
#pragma once

#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip::viewer {

struct ViewerOptions {
  std::vector<std::string> files;  // one or two scenes
  std::string with;                // opaque scene composited under the first file's Gaussians
  std::string up = "auto";
  std::string cameras;             // INRIA cameras.json or NeRF transforms*.json to step through
  std::string camera;              // FILE:INDEX to start from
  std::string view;                // i/n orbit view to start from
  std::string background = "1,1,1";
  int width = 1280, height = 800;
  bool vsync = true;
  bool hide_panel = false;
  std::string compare = "split";   // two files: "split", "difference" or "one"
  // Scripted mode when frames > 0: renders that many frames and exits; the screenshot
  // (if named) is read back from the swapchain image of the last one.
  int frames = 0;
  std::string screenshot;
  bool screenshot_panel = false;  // the screenshot shows the panel too (drawn over the view)
};

Status run_viewer(const ViewerOptions& options);

}  // namespace scenezip::viewer
