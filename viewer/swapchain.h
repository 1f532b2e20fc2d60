// The window's swapchain, the render pass the panel draws in, and the per-image
// semaphores of presentation. Rebuilt on resize and on a vsync change.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <vector>

#include "engine/core/status.h"
#include "engine/gpu/context.h"

namespace scenezip::viewer {

class Swapchain {
 public:
  static Result<std::unique_ptr<Swapchain>> create(gpu::Context& context, int width, int height, bool vsync);
  ~Swapchain();
  Swapchain(const Swapchain&) = delete;
  Swapchain& operator=(const Swapchain&) = delete;

  // Waits for the device to idle, then builds the swapchain again.
  Status rebuild(int width, int height, bool vsync);

  // The next image, signalling `acquired` when it may be written; false when the
  // swapchain no longer matches the window and must be rebuilt first.
  Result<bool> acquire(VkSemaphore acquired, std::uint32_t* index);
  // Presents image `index` once its rendering semaphore is signalled; false when the
  // swapchain must be rebuilt.
  Result<bool> present(std::uint32_t index);

  VkExtent2D extent() const { return extent_; }
  VkFormat format() const { return format_; }
  // Bytes of a pixel in memory are B, G, R, A (else R, G, B, A).
  bool bgra() const { return bgra_; }
  std::uint32_t image_count() const { return static_cast<std::uint32_t>(images_.size()); }
  std::uint32_t min_image_count() const { return min_image_count_; }
  VkImage image(std::uint32_t i) const { return images_[i]; }
  VkFramebuffer framebuffer(std::uint32_t i) const { return framebuffers_[i]; }
  // Signalled by the frame that draws image i, waited on by its presentation.
  VkSemaphore rendered(std::uint32_t i) const { return rendered_[i]; }
  // Loads what the copy left in the image and ends in the presentation layout.
  VkRenderPass render_pass() const { return render_pass_; }
  bool vsync() const { return vsync_; }

 private:
  explicit Swapchain(gpu::Context& context) : context_(context) {}
  Status build(int width, int height, bool vsync);
  void release_images();

  gpu::Context& context_;
  VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
  VkExtent2D extent_{0, 0};
  bool bgra_ = true;
  bool vsync_ = true;
  std::uint32_t min_image_count_ = 2;
  std::vector<VkImage> images_;
  std::vector<VkImageView> views_;
  std::vector<VkFramebuffer> framebuffers_;
  std::vector<VkSemaphore> rendered_;
};

}  // namespace scenezip::viewer
