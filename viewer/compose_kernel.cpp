#include "viewer/compose_kernel.h"

#include <cstring>

namespace scenezip::viewer {

namespace io = shaderio;

namespace {
const std::uint32_t kComposeSpirv[] =
#include "shaders/view_compose.comp.spv.inc"
    ;
}  // namespace

Result<std::unique_ptr<ComposeKernel>> ComposeKernel::create(gpu::Context& context) {
  std::unique_ptr<ComposeKernel> kernel(new ComposeKernel(context));
  SCZ_ASSIGN_OR_RETURN(kernel->pipeline_,
                       context.create_compute_pipeline(kComposeSpirv, sizeof(kComposeSpirv) / sizeof(std::uint32_t),
                                                       io::kComposeBindingCount, sizeof(io::ComposePush)));
  return kernel;
}

ComposeKernel::~ComposeKernel() { context_.free_descriptor_set(set_); }

Status ComposeKernel::record(VkCommandBuffer cmd, const gpu::Buffer& first, const gpu::Buffer& second,
                             io::ComposePush push) {
  const VkDeviceSize pixels = static_cast<VkDeviceSize>(push.width) * push.height;
  if (pixels == 0) return internal_error("compose: empty frame");
  if (first.size() < pixels * 16 || second.size() < pixels * 16) return internal_error("compose: frame buffers too small");
  std::uint32_t gx = 1, gy = 1;
  context_.tile_groups(static_cast<std::uint32_t>((pixels + io::kComposeWorkgroupSize - 1) / io::kComposeWorkgroupSize),
                       &gx, &gy);
  push.groups_x = gx;
  groups_ = gx * gy;
  if (output_.size() < pixels * 4) {
    SCZ_ASSIGN_OR_RETURN(output_, context_.create_buffer(pixels * 4, false));
  }
  if (sums_.size() < groups_ * sizeof(float)) {
    SCZ_ASSIGN_OR_RETURN(sums_, context_.create_buffer(groups_ * sizeof(float), true));
  }
  const gpu::BufferBindings bindings = {{io::kComposeBindingFirst, &first},
                                         {io::kComposeBindingSecond, &second},
                                         {io::kComposeBindingOutput, &output_},
                                         {io::kComposeBindingErrorSums, &sums_}};
  if (!set_) {
    SCZ_ASSIGN_OR_RETURN(set_, context_.create_descriptor_set(pipeline_, bindings));
  } else {
    // The frames' buffers change with the window's size: the set is rewritten each time.
    VkDescriptorBufferInfo infos[io::kComposeBindingCount];
    VkWriteDescriptorSet writes[io::kComposeBindingCount];
    for (std::uint32_t i = 0; i < io::kComposeBindingCount; ++i) {
      infos[i] = {bindings[i].buffer->handle(), 0, VK_WHOLE_SIZE};
      writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      writes[i].dstSet = set_;
      writes[i].dstBinding = bindings[i].binding;
      writes[i].descriptorCount = 1;
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
    vkUpdateDescriptorSets(context_.device(), io::kComposeBindingCount, writes, 0, nullptr);
  }
  // The renderers' frames were written by earlier submissions; this makes them visible.
  gpu::Context::compute_barrier(cmd);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.handle());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.layout(), 0, 1, &set_, 0, nullptr);
  vkCmdPushConstants(cmd, pipeline_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
  vkCmdDispatch(cmd, gx, gy, 1);
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
  return Status::Ok();
}

double ComposeKernel::error_sum() const {
  if (!sums_.mapped()) return 0;
  const float* sums = static_cast<const float*>(sums_.mapped());
  double total = 0;
  for (std::uint32_t g = 0; g < groups_; ++g) total += sums[g];
  return total;
}

Result<ComposeResult> ComposeKernel::run(const gpu::Buffer& first, const gpu::Buffer& second, io::ComposePush push) {
  SCZ_ASSIGN_OR_RETURN(VkCommandBuffer cmd, context_.allocate_commands());
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  Status status = record(cmd, first, second, push);
  vkEndCommandBuffer(cmd);
  if (status.ok()) status = context_.submit_and_wait(cmd);
  context_.free_commands(cmd);
  SCZ_RETURN_IF_ERROR(status);
  const std::size_t pixels = static_cast<std::size_t>(push.width) * push.height;
  ComposeResult result;
  result.pixels.resize(pixels);
  SCZ_RETURN_IF_ERROR(context_.download(output_, result.pixels.data(), pixels * 4));
  const std::size_t groups = (pixels + io::kComposeWorkgroupSize - 1) / io::kComposeWorkgroupSize;
  const float* sums = static_cast<const float*>(sums_.mapped());
  result.error_sums.assign(sums, sums + groups);
  return result;
}

}  // namespace scenezip::viewer
