// Dear ImGui on the window and the swapchain's render pass (the GLFW and Vulkan
// backends built into Debian's libimgui-dev).
#pragma once

#include <vulkan/vulkan.h>

#include <memory>

#include "engine/gpu/context.h"
#include "viewer/swapchain.h"
#include "viewer/window.h"

namespace scenezip::viewer {

class ImGuiLayer {
 public:
  static Result<std::unique_ptr<ImGuiLayer>> create(Window& window, gpu::Context& context, const Swapchain& swapchain);
  ~ImGuiLayer();
  ImGuiLayer(const ImGuiLayer&) = delete;
  ImGuiLayer& operator=(const ImGuiLayer&) = delete;

  // Starts a frame: the panel's widgets may be built until render().
  void new_frame();
  // Ends the frame and records its drawing into `cmd`, inside the swapchain's render pass.
  void render(VkCommandBuffer cmd);
  void swapchain_rebuilt(const Swapchain& swapchain);
  bool wants_mouse() const;
  bool wants_keyboard() const;

 private:
  explicit ImGuiLayer(gpu::Context& context) : context_(context) {}
  gpu::Context& context_;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  bool glfw_ready_ = false, vulkan_ready_ = false;
};

}  // namespace scenezip::viewer
