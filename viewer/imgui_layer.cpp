#include "viewer/imgui_layer.h"

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_vulkan.h>

namespace scenezip::viewer {

Result<std::unique_ptr<ImGuiLayer>> ImGuiLayer::create(Window& window, gpu::Context& context,
                                                       const Swapchain& swapchain) {
  std::unique_ptr<ImGuiLayer> layer(new ImGuiLayer(context));
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  pool_info.maxSets = 16;
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &size;
  if (vkCreateDescriptorPool(context.device(), &pool_info, nullptr, &layer->pool_) != VK_SUCCESS) {
    return internal_error("creating the panel's descriptor pool failed");
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini left in the working folder
  ImGui::StyleColorsDark();
  ImGui::GetStyle().Alpha = 0.92f;
  // Chains to the window's own callbacks, installed before.
  ImGui_ImplGlfw_InitForVulkan(window.handle(), true);
  layer->glfw_ready_ = true;

  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = context.instance();
  info.PhysicalDevice = context.physical_device();
  info.Device = context.device();
  info.QueueFamily = context.queue_family();
  info.Queue = context.queue();
  info.DescriptorPool = layer->pool_;
  info.Subpass = 0;
  info.MinImageCount = swapchain.min_image_count();
  info.ImageCount = swapchain.image_count();
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  if (!ImGui_ImplVulkan_Init(&info, swapchain.render_pass())) return internal_error("starting the panel's renderer failed");
  layer->vulkan_ready_ = true;

  SCZ_ASSIGN_OR_RETURN(VkCommandBuffer cmd, context.allocate_commands());
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  ImGui_ImplVulkan_CreateFontsTexture(cmd);
  vkEndCommandBuffer(cmd);
  const Status status = context.submit_and_wait(cmd);
  context.free_commands(cmd);
  ImGui_ImplVulkan_DestroyFontUploadObjects();
  SCZ_RETURN_IF_ERROR(status);
  return layer;
}

ImGuiLayer::~ImGuiLayer() {
  vkDeviceWaitIdle(context_.device());
  if (vulkan_ready_) ImGui_ImplVulkan_Shutdown();
  if (glfw_ready_) ImGui_ImplGlfw_Shutdown();
  if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
  if (pool_) vkDestroyDescriptorPool(context_.device(), pool_, nullptr);
}

void ImGuiLayer::new_frame() {
  ImGui_ImplVulkan_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void ImGuiLayer::render(VkCommandBuffer cmd) {
  ImGui::Render();
  ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
}

void ImGuiLayer::swapchain_rebuilt(const Swapchain& swapchain) {
  ImGui_ImplVulkan_SetMinImageCount(swapchain.min_image_count());
}

bool ImGuiLayer::wants_mouse() const { return ImGui::GetIO().WantCaptureMouse; }
bool ImGuiLayer::wants_keyboard() const { return ImGui::GetIO().WantCaptureKeyboard; }

}  // namespace scenezip::viewer
