// What the viewer shows and how: set by keys, the panel and the command line.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "shaders/shaderio.h"
#include "tools/render_support.h"

namespace scenezip::viewer {

struct ViewSettings {
  int sh_degree_shown = 3;
  float splat_scale = 1.0f;
  std::array<float, 3> background{1, 1, 1};
  std::string up = "auto";  // "auto", "-y" or "+y"
  bool vsync = true;
  // Two files: kComposeModeSplit, kComposeModeDifference, or kComposeModeFirst (one at
  // a time; flipped picks which).
  std::uint32_t mode = shaderio::kComposeModeSplit;
  bool flipped = false;        // the second file on the left (or shown alone)
  double divider = 0.5;        // split position as a fraction of the width
  float heat_scale = 0.05f;    // mean absolute difference shown as white
  bool panel = true;
  bool fly = false;            // left drag looks around instead of orbiting
};

// Measurements of the last frame, for the panel and the scripted mode's report.
struct FrameReport {
  double frame_ms = 0;  // wall time between frames
  cli::SceneRenderer::Timings timings[2];
  std::size_t visible[2] = {0, 0};  // Gaussians that survived culling
  double psnr = 0;                  // of the two files' frames, computed on the GPU
  bool has_psnr = false;
  int width = 0, height = 0;
};

}  // namespace scenezip::viewer
