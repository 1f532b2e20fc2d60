#include "viewer/swapchain.h"

#include <algorithm>

namespace scenezip::viewer {

namespace {
std::string vk_error(const char* what, VkResult r) {
  return std::string(what) + " failed (VkResult " + std::to_string(static_cast<int>(r)) + ")";
}
}  // namespace

Result<std::unique_ptr<Swapchain>> Swapchain::create(gpu::Context& context, int width, int height, bool vsync) {
  std::unique_ptr<Swapchain> swapchain(new Swapchain(context));
  SCZ_RETURN_IF_ERROR(swapchain->build(width, height, vsync));
  return swapchain;
}

Swapchain::~Swapchain() {
  vkDeviceWaitIdle(context_.device());
  release_images();
  if (swapchain_) vkDestroySwapchainKHR(context_.device(), swapchain_, nullptr);
  if (render_pass_) vkDestroyRenderPass(context_.device(), render_pass_, nullptr);
}

void Swapchain::release_images() {
  VkDevice device = context_.device();
  for (VkFramebuffer f : framebuffers_) vkDestroyFramebuffer(device, f, nullptr);
  for (VkImageView v : views_) vkDestroyImageView(device, v, nullptr);
  for (VkSemaphore s : rendered_) vkDestroySemaphore(device, s, nullptr);
  framebuffers_.clear();
  views_.clear();
  rendered_.clear();
  images_.clear();
}

Status Swapchain::rebuild(int width, int height, bool vsync) {
  vkDeviceWaitIdle(context_.device());
  release_images();
  return build(width, height, vsync);
}

Status Swapchain::build(int width, int height, bool vsync) {
  VkPhysicalDevice physical = context_.physical_device();
  VkSurfaceKHR surface = context_.surface();
  VkDevice device = context_.device();
  VkSurfaceCapabilitiesKHR caps;
  VkResult r = vkGetPhysicalDeviceSurfaceCapabilitiesKHR(physical, surface, &caps);
  if (r != VK_SUCCESS) return internal_error(vk_error("reading the window surface's capabilities", r));
  const VkImageUsageFlags usage =
      VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT;
  if ((caps.supportedUsageFlags & usage) != usage) {
    return internal_error("the window's swapchain images cannot be copied to and from on this device");
  }

  if (format_ == VK_FORMAT_UNDEFINED) {
    std::uint32_t count = 0;
    vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface, &count, nullptr);
    std::vector<VkSurfaceFormatKHR> formats(count);
    vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface, &count, formats.data());
    // UNORM: the bytes shown are the bytes `render` writes to its PNGs.
    for (VkFormat want : {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM}) {
      for (const auto& f : formats) {
        if (f.format == want && f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR && format_ == VK_FORMAT_UNDEFINED) {
          format_ = want;
        }
      }
    }
    if (format_ == VK_FORMAT_UNDEFINED) return internal_error("the window offers no 8-bit UNORM RGBA or BGRA format");
    bgra_ = format_ == VK_FORMAT_B8G8R8A8_UNORM;

    VkAttachmentDescription attachment{};
    attachment.format = format_;
    attachment.samples = VK_SAMPLE_COUNT_1_BIT;
    attachment.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
    attachment.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    attachment.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    attachment.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    attachment.initialLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    attachment.finalLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
    VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription subpass{};
    subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    subpass.colorAttachmentCount = 1;
    subpass.pColorAttachments = &ref;
    VkSubpassDependency dependency{};
    dependency.srcSubpass = VK_SUBPASS_EXTERNAL;
    dependency.dstSubpass = 0;
    dependency.srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependency.dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependency.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT;
    dependency.dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    VkRenderPassCreateInfo pass_info{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    pass_info.attachmentCount = 1;
    pass_info.pAttachments = &attachment;
    pass_info.subpassCount = 1;
    pass_info.pSubpasses = &subpass;
    pass_info.dependencyCount = 1;
    pass_info.pDependencies = &dependency;
    r = vkCreateRenderPass(device, &pass_info, nullptr, &render_pass_);
    if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateRenderPass", r));
  }

  std::uint32_t mode_count = 0;
  vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface, &mode_count, nullptr);
  std::vector<VkPresentModeKHR> modes(mode_count);
  vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface, &mode_count, modes.data());
  VkPresentModeKHR mode = VK_PRESENT_MODE_FIFO_KHR;  // always there, and vsync
  if (!vsync) {
    for (VkPresentModeKHR want : {VK_PRESENT_MODE_IMMEDIATE_KHR, VK_PRESENT_MODE_MAILBOX_KHR}) {
      if (mode == VK_PRESENT_MODE_FIFO_KHR && std::find(modes.begin(), modes.end(), want) != modes.end()) mode = want;
    }
  }
  vsync_ = vsync;

  if (caps.currentExtent.width != 0xFFFFFFFFu) {
    extent_ = caps.currentExtent;
  } else {
    extent_.width = std::clamp<std::uint32_t>(width, caps.minImageExtent.width, caps.maxImageExtent.width);
    extent_.height = std::clamp<std::uint32_t>(height, caps.minImageExtent.height, caps.maxImageExtent.height);
  }
  if (extent_.width == 0 || extent_.height == 0) return internal_error("the window has no area to draw in");
  min_image_count_ = std::max(2u, caps.minImageCount);
  std::uint32_t image_count = caps.minImageCount + 1;
  if (caps.maxImageCount > 0) image_count = std::min(image_count, caps.maxImageCount);

  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = surface;
  info.minImageCount = image_count;
  info.imageFormat = format_;
  info.imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
  info.imageExtent = extent_;
  info.imageArrayLayers = 1;
  info.imageUsage = usage;
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = (caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR)
                            ? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
                            : static_cast<VkCompositeAlphaFlagBitsKHR>(caps.supportedCompositeAlpha &
                                                                       -caps.supportedCompositeAlpha);
  info.presentMode = mode;
  info.clipped = VK_TRUE;
  VkSwapchainKHR old = swapchain_;
  info.oldSwapchain = old;
  r = vkCreateSwapchainKHR(device, &info, nullptr, &swapchain_);
  if (old) vkDestroySwapchainKHR(device, old, nullptr);
  if (r != VK_SUCCESS) {
    swapchain_ = VK_NULL_HANDLE;
    return internal_error(vk_error("vkCreateSwapchainKHR", r));
  }

  std::uint32_t count = 0;
  vkGetSwapchainImagesKHR(device, swapchain_, &count, nullptr);
  images_.resize(count);
  vkGetSwapchainImagesKHR(device, swapchain_, &count, images_.data());
  for (VkImage image : images_) {
    VkImageViewCreateInfo view_info{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    view_info.image = image;
    view_info.viewType = VK_IMAGE_VIEW_TYPE_2D;
    view_info.format = format_;
    view_info.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView view = VK_NULL_HANDLE;
    r = vkCreateImageView(device, &view_info, nullptr, &view);
    if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateImageView", r));
    views_.push_back(view);
    VkFramebufferCreateInfo fb_info{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fb_info.renderPass = render_pass_;
    fb_info.attachmentCount = 1;
    fb_info.pAttachments = &view;
    fb_info.width = extent_.width;
    fb_info.height = extent_.height;
    fb_info.layers = 1;
    VkFramebuffer framebuffer = VK_NULL_HANDLE;
    r = vkCreateFramebuffer(device, &fb_info, nullptr, &framebuffer);
    if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateFramebuffer", r));
    framebuffers_.push_back(framebuffer);
    VkSemaphoreCreateInfo sem_info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore semaphore = VK_NULL_HANDLE;
    r = vkCreateSemaphore(device, &sem_info, nullptr, &semaphore);
    if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateSemaphore", r));
    rendered_.push_back(semaphore);
  }
  return Status::Ok();
}

Result<bool> Swapchain::acquire(VkSemaphore acquired, std::uint32_t* index) {
  const VkResult r = vkAcquireNextImageKHR(context_.device(), swapchain_, UINT64_MAX, acquired, VK_NULL_HANDLE, index);
  if (r == VK_ERROR_OUT_OF_DATE_KHR) return false;
  if (r != VK_SUCCESS && r != VK_SUBOPTIMAL_KHR) return internal_error(vk_error("vkAcquireNextImageKHR", r));
  return true;
}

Result<bool> Swapchain::present(std::uint32_t index) {
  VkPresentInfoKHR info{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  info.waitSemaphoreCount = 1;
  info.pWaitSemaphores = &rendered_[index];
  info.swapchainCount = 1;
  info.pSwapchains = &swapchain_;
  info.pImageIndices = &index;
  const VkResult r = vkQueuePresentKHR(context_.queue(), &info);
  if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR) return false;
  if (r != VK_SUCCESS) return internal_error(vk_error("vkQueuePresentKHR", r));
  return true;
}

}  // namespace scenezip::viewer
