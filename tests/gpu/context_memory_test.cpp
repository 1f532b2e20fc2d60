// gpu::Context refuses buffers beyond the device's limits before allocating them, keeps
// count of the memory its buffers hold, and gives it back as they go.
#include <gtest/gtest.h>

#include <limits>

#include "engine/gpu/context.h"

namespace scenezip {
namespace {

TEST(ContextMemory, BuffersBeyondTheDeviceLimitsAreRefusedUnallocated) {
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  gpu::Context& c = **context;
  // Sizes no host could back: only the checks stand between them and the driver.
  for (VkDeviceSize size : {VkDeviceSize{c.limits().maxStorageBufferRange} + 1,
                            VkDeviceSize{std::numeric_limits<std::uint64_t>::max() / 2}}) {
    auto buffer = c.create_buffer(size, false);
    ASSERT_FALSE(buffer.ok());
    EXPECT_EQ(buffer.status().exit_code(), 2);
    EXPECT_NE(buffer.status().message().find("out of GPU memory: a buffer of "), std::string::npos)
        << buffer.status().message();
    EXPECT_NE(buffer.status().message().find("largest"), std::string::npos) << buffer.status().message();
  }
  EXPECT_EQ(c.memory_in_use(), 0u);
  {
    auto a = c.create_buffer(1 << 20, false);
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_GE(c.memory_in_use(), 1u << 20);
    gpu::Buffer moved = std::move(*a);
    EXPECT_GE(c.memory_in_use(), 1u << 20);
  }
  EXPECT_EQ(c.memory_in_use(), 0u);
  EXPECT_EQ(c.validation_errors(), 0u);
}

}  // namespace
}  // namespace scenezip
