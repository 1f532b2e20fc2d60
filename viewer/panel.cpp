#include "viewer/panel.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace scenezip::viewer {

namespace io = shaderio;

namespace {
constexpr double kPi = 3.14159265358979323846;

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

const char* count_unit(SceneKind kind) {
  switch (kind) {
    case SceneKind::kGaussians: return "Gaussians";
    case SceneKind::kMesh: return "triangles";
    default: return "points";
  }
}

void scene_section(const SceneSlot& slot, const FrameReport& report, int index) {
  const SceneFacts& f = slot.facts();
  ImGui::Text("%s", file_name(f.path).c_str());
  if (!f.with_path.empty()) ImGui::Text("  over %s", file_name(f.with_path).c_str());
  if (f.field) {
    const auto& t = report.timings[index];
    ImGui::Text("  radiance field, %zu occupied cells of %d^3", f.count, f.field->settings.grid_resolution);
    ImGui::Text("  %.2f MB", f.bytes / 1e6);
    ImGui::Text("  GPU %.2f ms: ray marching", t.field_ms);
    return;
  }
  ImGui::Text("  %zu %s", f.count, count_unit(f.kind));
  if (f.kind == SceneKind::kMesh) ImGui::Text("  %zu vertices", f.vertices);
  if (f.kind == SceneKind::kGaussians) {
    ImGui::Text("  %zu visible, SH degree %d", report.visible[index], f.sh_degree);
  }
  ImGui::Text("  %.2f MB, %.1f bytes per %s", f.bytes / 1e6, f.count ? double(f.bytes) / f.count : 0.0,
              f.kind == SceneKind::kGaussians ? "Gaussian" : f.kind == SceneKind::kMesh ? "triangle" : "point");
  const auto& t = report.timings[index];
  if (t.geometry.total > 0) {
    ImGui::Text("  GPU %.2f ms: transform %.2f, raster %.2f, resolve %.2f", t.geometry.total, t.geometry.transform,
                t.geometry.raster, t.geometry.resolve);
  }
  if (t.splats.total > 0) {
    ImGui::Text("  GPU %.2f ms: preprocess %.2f, sort %.2f", t.splats.total, t.splats.preprocess, t.splats.sort);
    ImGui::Text("    (depth %.2f, emit %.2f, tiles %.2f), raster %.2f", t.splats.sort_depth, t.splats.emit,
                t.splats.sort_tiles, t.splats.raster);
  }
}
}  // namespace

PanelRequests draw_panel(ViewSettings& s, CameraController& controller, const SceneSlot* slots, int slot_count,
                         const FrameReport& report, const std::string& device, const std::string& message) {
  PanelRequests requests;
  if (!s.panel) return requests;
  ImGui::SetNextWindowPos(ImVec2(8, 8), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(430, 0), ImGuiCond_FirstUseEver);
  ImGui::Begin("scenezip view (F1 hides)");
  ImGui::Text("%dx%d on %s", report.width, report.height, device.c_str());
  ImGui::Text("frame %.2f ms (%.1f fps)", report.frame_ms, report.frame_ms > 0 ? 1000.0 / report.frame_ms : 0.0);
  for (int i = 0; i < slot_count; ++i) {
    if (slots[i].ready()) scene_section(slots[i], report, i);
  }
  if (slot_count == 2 && slots[0].ready() && slots[1].ready()) {
    const double a = double(slots[0].facts().bytes), b = double(slots[1].facts().bytes);
    ImGui::Separator();
    ImGui::Text("bytes %.2f MB vs %.2f MB, ratio %.2fx", a / 1e6, b / 1e6, b > 0 ? a / b : 0.0);
    if (report.has_psnr) ImGui::Text("PSNR of this view: %.2f dB", report.psnr);
    int mode = s.mode == io::kComposeModeSplit ? 0 : s.mode == io::kComposeModeDifference ? 1 : 2;
    ImGui::RadioButton("split", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("difference", &mode, 1);
    ImGui::SameLine();
    ImGui::RadioButton("one file", &mode, 2);
    s.mode = mode == 0 ? io::kComposeModeSplit : mode == 1 ? io::kComposeModeDifference : io::kComposeModeFirst;
    ImGui::Checkbox("flip (Tab)", &s.flipped);
    if (s.mode == io::kComposeModeDifference) ImGui::SliderFloat("heat scale", &s.heat_scale, 0.005f, 0.5f, "%.3f");
  }
  if (ImGui::CollapsingHeader("Render settings", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::SliderInt("SH degree shown", &s.sh_degree_shown, 0, 3);
    ImGui::SliderFloat("splat scale", &s.splat_scale, 0.05f, 2.0f, "%.2f");
    ImGui::ColorEdit3("background", s.background.data());
    int up = s.up == "auto" ? 0 : s.up == "-y" ? 1 : 2;
    const int before = up;
    ImGui::Text("up axis");
    ImGui::SameLine();
    ImGui::RadioButton("auto", &up, 0);
    ImGui::SameLine();
    ImGui::RadioButton("-y", &up, 1);
    ImGui::SameLine();
    ImGui::RadioButton("+y", &up, 2);
    if (up != before) {
      s.up = up == 0 ? "auto" : up == 1 ? "-y" : "+y";
      requests.up_changed = true;
    }
    float fov = static_cast<float>(controller.fov_y() * 180.0 / kPi);
    if (ImGui::SliderFloat("vertical fov", &fov, 5.0f, 120.0f, "%.1f deg")) controller.set_fov_y(fov * kPi / 180.0);
    if (ImGui::Checkbox("vsync (V)", &s.vsync)) requests.vsync_changed = true;
    ImGui::Checkbox("fly mode (F)", &s.fly);
    if (ImGui::Button("reset camera (R)")) requests.reset_camera = true;
    ImGui::SameLine();
    if (ImGui::Button("screenshot (P)")) requests.screenshot = true;
  }
  if (!message.empty()) ImGui::TextWrapped("%s", message.c_str());
  ImGui::End();
  return requests;
}

void draw_status_overlay(const SceneSlot* slots, int slot_count) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  float y = viewport->Size.y - 8;
  for (int i = slot_count - 1; i >= 0; --i) {
    const SceneSlot& slot = slots[i];
    if (!slot.loading() && slot.error().empty()) continue;
    ImGui::SetNextWindowPos(ImVec2(8, y), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowSize(ImVec2(viewport->Size.x - 16, 0));
    char name[32];
    std::snprintf(name, sizeof(name), "##status%d", i);
    ImGui::Begin(name, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_AlwaysAutoResize);
    if (slot.loading()) {
      // Readers report no progress of their own: the bar sweeps while the time counts.
      const double seconds = slot.loading_seconds();
      ImGui::Text("reading %s (%.1f s)", file_name(slot.loading_path()).c_str(), seconds);
      const float sweep = static_cast<float>(std::fmod(seconds * 0.5, 1.0));
      ImGui::ProgressBar(sweep, ImVec2(-1, 0), "");
    }
    if (!slot.error().empty()) {
      ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", slot.error().c_str());
      ImGui::TextDisabled("(the scene shown before stays open; drop another file to try again)");
    }
    y = ImGui::GetWindowPos().y - 4;
    ImGui::End();
  }
}

void draw_split_overlay(const ViewSettings& s, const SceneSlot* slots, int width) {
  if (s.mode != io::kComposeModeSplit) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImDrawList* draw = ImGui::GetBackgroundDrawList();
  const float scale = width > 0 ? viewport->Size.x / width : 1.0f;
  const float x = static_cast<float>(std::round(s.divider * width)) * scale;
  draw->AddLine(ImVec2(x, 0), ImVec2(x, viewport->Size.y), IM_COL32(255, 200, 0, 220), 2.0f);
  const SceneSlot& left = slots[s.flipped ? 1 : 0];
  const SceneSlot& right = slots[s.flipped ? 0 : 1];
  const ImU32 text = IM_COL32(255, 200, 0, 255);
  draw->AddText(ImVec2(x - 8 - ImGui::CalcTextSize(file_name(left.facts().path).c_str()).x, viewport->Size.y - 24),
                text, file_name(left.facts().path).c_str());
  draw->AddText(ImVec2(x + 8, viewport->Size.y - 24), text, file_name(right.facts().path).c_str());
}

}  // namespace scenezip::viewer
