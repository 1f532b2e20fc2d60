// shaders/view_compose.comp on the GPU: the viewer's picture packed for the swapchain
// and the per-workgroup squared error of its two frames (C++ twin: viewer/compose.h).
#pragma once

#include <memory>

#include "engine/gpu/context.h"
#include "viewer/compose.h"

namespace scenezip::viewer {

class ComposeKernel {
 public:
  static Result<std::unique_ptr<ComposeKernel>> create(gpu::Context& context);
  ~ComposeKernel();
  ComposeKernel(const ComposeKernel&) = delete;
  ComposeKernel& operator=(const ComposeKernel&) = delete;

  // Records the dispatch into `cmd` for frames of push.width x push.height (the buffers
  // grow to fit), then a barrier that lets transfers read output() and the host read
  // the sums once the command buffer's fence is signalled. The descriptor set is
  // rewritten, so the previous recording must have finished.
  Status record(VkCommandBuffer cmd, const gpu::Buffer& first, const gpu::Buffer& second,
                shaderio::ComposePush push);
  // uint per pixel, packed for the swapchain.
  const gpu::Buffer& output() const { return output_; }
  // The squared error summed over the recorded frame (after its fence).
  double error_sum() const;

  // Records, submits and waits; returns the pixels and per-workgroup sums (for tests).
  Result<ComposeResult> run(const gpu::Buffer& first, const gpu::Buffer& second, shaderio::ComposePush push);

 private:
  explicit ComposeKernel(gpu::Context& context) : context_(context) {}

  gpu::Context& context_;
  gpu::ComputePipeline pipeline_;
  gpu::Buffer output_, sums_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
  std::uint32_t groups_ = 0;  // workgroups of the last recording, x * y
};

}  // namespace scenezip::viewer
