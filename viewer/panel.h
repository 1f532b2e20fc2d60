// The ImGui panel: timings, counts, sizes and the render settings.
#pragma once

#include <string>

#include "viewer/camera_controller.h"
#include "viewer/scene_slot.h"
#include "viewer/view_settings.h"

namespace scenezip::viewer {

// What the panel asked for this frame, beyond the settings it edits in place.
struct PanelRequests {
  bool reset_camera = false;
  bool up_changed = false;
  bool vsync_changed = false;
  bool screenshot = false;
};

PanelRequests draw_panel(ViewSettings& settings, CameraController& controller, const SceneSlot* slots, int slot_count,
                         const FrameReport& report, const std::string& device, const std::string& message);

// Progress of a file being read, and load errors, drawn over the view even when the
// panel is hidden.
void draw_status_overlay(const SceneSlot* slots, int slot_count);

// The split view's divider line and the files' names on each side.
void draw_split_overlay(const ViewSettings& settings, const SceneSlot* slots, int width);

}  // namespace scenezip::viewer
