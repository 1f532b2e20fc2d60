// Recording a compute dispatch whose workgroups may outnumber one dimension's limit:
// shared by the kernels that replay recorded command buffers (field training, NeRF
// training, the colour-field sampler).
#pragma once

#include <cstdint>

#include "engine/gpu/context.h"

namespace scenezip::gpu {

// Records `items` invocations of `pipeline` in workgroups of `workgroup_size`, the groups
// tiled in 2D past the x limit (the push constant's groups_x tells the shader the width).
// Records nothing for zero items. The caller adds the barrier it needs.
template <typename Push>
void record_tiled_dispatch(const Context& context, VkCommandBuffer cmd, const ComputePipeline& pipeline,
                           VkDescriptorSet set, Push push, std::uint64_t items, std::uint32_t workgroup_size) {
  if (items == 0) return;
  const std::uint32_t groups = static_cast<std::uint32_t>((items + workgroup_size - 1) / workgroup_size);
  std::uint32_t x = 1, y = 1;
  context.tile_groups(groups, &x, &y);
  push.groups_x = x;
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(cmd, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
  vkCmdDispatch(cmd, x, y, 1);
}

}  // namespace scenezip::gpu
