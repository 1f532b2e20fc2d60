// Vulkan objects for compute work: instance, device, queue, buffers and pipelines.
// CPU data lives in engine/scene; this layer only owns GPU resources.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/status.h"
#include "engine/render/image.h"

namespace scenezip::gpu {

struct ContextOptions {
  // Turns on VK_LAYER_KHRONOS_validation and counts its errors. Also on when the
  // environment sets SCENEZIP_VALIDATION=1 (the tests do).
  bool validation = false;
  // For a window (viewer/): the instance extensions its surface needs and a function
  // that makes the surface once the instance exists. The device chosen then has one
  // queue that computes, draws and presents to that surface, with VK_KHR_swapchain on.
  std::vector<const char*> instance_extensions;
  std::function<VkResult(VkInstance, VkSurfaceKHR*)> create_surface;
  // Asks the driver for each compute pipeline's statistics (registers, shared memory and
  // the like, as the driver names them; VK_KHR_pipeline_executable_properties), read with
  // ComputePipeline::statistics(). Devices without the extension report none.
  bool pipeline_statistics = false;
};

class Context;

// A storage buffer in host-visible memory when `host_visible`, else device-local.
class Buffer {
 public:
  Buffer() = default;
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  void* mapped() const { return mapped_; }

 private:
  friend class Context;
  VkDevice device_ = VK_NULL_HANDLE;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  void* mapped_ = nullptr;
  // The context's count of bytes allocated, which this buffer's memory leaves on release.
  std::shared_ptr<std::uint64_t> in_use_;
  VkDeviceSize allocated_ = 0;
  void release();
};

// One storage buffer for one binding of a pipeline; `binding` is a constant of
// shaders/shaderio.h, so the pairing is written by name, never by position in a list.
struct BufferBinding {
  std::uint32_t binding = 0;
  const Buffer* buffer = nullptr;
};
using BufferBindings = std::vector<BufferBinding>;

// A compute pipeline whose bindings are all storage buffers, 0..binding_count-1.
class ComputePipeline {
 public:
  ComputePipeline() = default;
  ~ComputePipeline();
  ComputePipeline(ComputePipeline&& other) noexcept;
  ComputePipeline& operator=(ComputePipeline&& other) noexcept;
  ComputePipeline(const ComputePipeline&) = delete;
  ComputePipeline& operator=(const ComputePipeline&) = delete;

  VkPipeline handle() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }
  std::uint32_t binding_count() const { return binding_count_; }
  std::uint32_t push_size() const { return push_size_; }
  // The driver's statistics of the compiled kernel, name and value as text, where the
  // context was made with ContextOptions::pipeline_statistics; otherwise empty.
  const std::vector<std::pair<std::string, std::string>>& statistics() const { return statistics_; }

 private:
  friend class Context;
  std::vector<std::pair<std::string, std::string>> statistics_;
  VkDevice device_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkShaderModule module_ = VK_NULL_HANDLE;
  std::uint32_t binding_count_ = 0;
  std::uint32_t push_size_ = 0;
  void release();
};

class Context {
 public:
  static Result<std::unique_ptr<Context>> create(const ContextOptions& options = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkDevice device() const { return device_; }
  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical_device() const { return physical_; }
  VkQueue queue() const { return queue_; }
  std::uint32_t queue_family() const { return queue_family_; }
  // The window surface of ContextOptions::create_surface (null without one).
  VkSurfaceKHR surface() const { return surface_; }
  const std::string& device_name() const { return device_name_; }
  // True when the device is a CPU implementation of Vulkan (such as lavapipe), which
  // runs the kernels but is no faster than the C++ references.
  bool cpu_driver() const { return cpu_driver_; }
  const VkPhysicalDeviceLimits& limits() const { return limits_; }
  // Validation messages of severity error seen since creation (0 when validation is off).
  std::uint32_t validation_errors() const;
  bool validation_enabled() const { return validation_; }
  // Whether shaders may atomicAdd floats in storage buffers (VK_EXT_shader_atomic_float's
  // shaderBufferFloat32AtomicAdd, enabled at creation when the device has it).
  bool float_atomic_add() const { return float_atomic_add_; }
  // Whether shaders may multiply 16x16x16 float16 tiles into float32 on the matrix units
  // (VK_NV_cooperative_matrix with that shape at subgroup scope, float16 arithmetic, the
  // Vulkan memory model and 32-lane subgroups, all enabled at creation when present).
  // NV rather than VK_KHR_cooperative_matrix: Debian 12's glslc compiles only the NV
  // extension's GLSL; the tiles are the same.
  bool cooperative_matrix() const { return cooperative_matrix_; }
  // Whether compute shaders run in subgroups of exactly 32 invocations with ballot and
  // vote, and a pipeline can be made to run only full ones (create_compute_pipeline's
  // full_subgroups; VK_EXT_subgroup_size_control's computeFullSubgroups, enabled at
  // creation when present). Kernels written for 32-wide subgroups need both.
  // A probe kernel checks the promise on the device at creation.
  bool full_32_wide_subgroups() const { return full_32_wide_subgroups_; }

  // Buffers larger than the device allows (maxStorageBufferRange, maxMemoryAllocationSize,
  // the memory heap less what this context holds) are refused before anything is
  // allocated, and an allocation the driver refuses becomes an error too: both say
  // "out of GPU memory" with the bytes asked for, as kUnsupported (exit code 2).
  // SCENEZIP_GPU_MEMORY_LIMIT=BYTES caps the memory a context may hold, which is how
  // tests reach these errors on any machine.
  Result<Buffer> create_buffer(VkDeviceSize size, bool host_visible);
  // Bytes of device memory this context's buffers hold now.
  std::uint64_t memory_in_use() const { return *in_use_; }
  // A host-visible buffer holding a copy of `data`.
  Result<Buffer> upload(const void* data, VkDeviceSize size);
  // `full_subgroups`: every subgroup of a workgroup is full (needs full_32_wide_subgroups()
  // and a workgroup size that is a multiple of 32). `specialization`: (constant id, value)
  // of the shader's uint specialization constants to set.
  Result<ComputePipeline> create_compute_pipeline(
      const std::uint32_t* spirv, std::size_t spirv_words, std::uint32_t binding_count, std::uint32_t push_size,
      bool full_subgroups = false, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& specialization = {});

  // Records one dispatch of `pipeline` over `groups` workgroups (tiled into x and y so
  // no dimension passes the device limit), submits it and waits.
  Status dispatch(const ComputePipeline& pipeline, const BufferBindings& buffers, const void* push,
                  std::uint32_t groups);

  // Splits a 1D workgroup count into x*y within maxComputeWorkGroupCount.
  void tile_groups(std::uint32_t groups, std::uint32_t* x, std::uint32_t* y) const;

  // A device-local buffer holding a copy of `data`, uploaded through a staging buffer.
  Result<Buffer> upload_device(const void* data, VkDeviceSize size);
  // Copies `size` bytes of a buffer back into `out` through a staging buffer.
  Status download(const Buffer& buffer, void* out, VkDeviceSize size);
  // Reads back a width x height image stored as one vec4 (rgb, alpha) per pixel.
  Result<Image> download_image(const Buffer& buffer, int width, int height);

  // Lower-level pieces for work recorded once and submitted many times.
  // `buffers` must give every binding of the pipeline exactly once (internal_error if not).
  Result<VkDescriptorSet> create_descriptor_set(const ComputePipeline& pipeline, const BufferBindings& buffers);
  void free_descriptor_set(VkDescriptorSet set);
  Result<VkCommandBuffer> allocate_commands();
  void free_commands(VkCommandBuffer cmd);
  Status submit_and_wait(VkCommandBuffer cmd);
  // Submits `count` command buffers in order in one batch (the same one may repeat when
  // recorded with VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT) and waits once.
  Status submit_and_wait_all(const VkCommandBuffer* cmds, std::uint32_t count);
  Result<VkQueryPool> create_timestamp_pool(std::uint32_t count);
  void destroy_query_pool(VkQueryPool pool);
  // The `count` timestamps of a pool as milliseconds since the first one (waits for them).
  Result<std::vector<double>> read_timestamps_ms(VkQueryPool pool, std::uint32_t count);
  // Nanoseconds per timestamp tick; 0 when the queue has no timestamps.
  double timestamp_period_ns() const { return timestamp_period_ns_; }
  // Makes compute writes visible to later compute reads and indirect-argument fetches.
  static void compute_barrier(VkCommandBuffer cmd);
  // Makes compute writes visible to host reads after the submit's fence.
  static void host_read_barrier(VkCommandBuffer cmd);

 private:
  Context() = default;
  Status init(const ContextOptions& options);
  std::vector<std::pair<std::string, std::string>> read_pipeline_statistics(VkPipeline pipeline) const;
  Result<std::uint32_t> find_memory_type(std::uint32_t type_bits, VkMemoryPropertyFlags flags) const;

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  std::uint32_t queue_family_ = 0;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  VkDescriptorPool descriptor_pool_ = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory_properties_{};
  VkPhysicalDeviceLimits limits_{};
  VkDeviceSize max_allocation_ = 0;  // maxMemoryAllocationSize
  std::uint64_t memory_cap_ = 0;     // SCENEZIP_GPU_MEMORY_LIMIT, 0 for none
  std::shared_ptr<std::uint64_t> in_use_ = std::make_shared<std::uint64_t>(0);
  std::string device_name_;
  bool cpu_driver_ = false;
  double timestamp_period_ns_ = 0;
  bool validation_ = false;
  bool float_atomic_add_ = false;
  bool cooperative_matrix_ = false;
  bool full_32_wide_subgroups_ = false;
  bool pipeline_statistics_ = false;  // ContextOptions::pipeline_statistics, where the device has it
  Result<bool> subgroups_run_as_promised();  // runs shaders/subgroup_probe.comp
  std::unique_ptr<std::uint32_t> error_count_ = std::make_unique<std::uint32_t>(0);
};

}  // namespace scenezip::gpu
