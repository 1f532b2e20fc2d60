#include "engine/gpu/context.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/gpu/shaders.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace {

const char* const kValidationLayer = "VK_LAYER_KHRONOS_validation";

std::string vk_error(const char* what, VkResult result) {
  return std::string(what) + " failed (VkResult " + std::to_string(static_cast<int>(result)) + ")";
}

// Set while the instance is created: the loader reports a missing or broken driver
// through the messenger too, and the one-line "no Vulkan device" error says it already.
thread_local bool creating_instance = false;

VKAPI_ATTR VkBool32 VKAPI_CALL on_validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                     VkDebugUtilsMessageTypeFlagsEXT,
                                                     const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  if (creating_instance) return VK_FALSE;
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    ++*static_cast<std::uint32_t*>(user);
    std::fprintf(stderr, "vulkan validation error: %s\n", data->pMessage);
  } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    std::fprintf(stderr, "vulkan validation warning: %s\n", data->pMessage);
  }
  return VK_FALSE;
}

// "123,456,789 bytes (118 MiB)": exact for the record, rounded for the reader.
std::string bytes_text(std::uint64_t bytes) {
  std::string digits = std::to_string(bytes), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  char rounded[32];
  std::snprintf(rounded, sizeof(rounded), " (%.1f MiB)", static_cast<double>(bytes) / (1 << 20));
  return grouped + " bytes" + (bytes >= (1u << 20) ? rounded : "");
}

// No driver, or a driver without devices: the commands that need Vulkan say so, with
// exit code 2, and the others never ask for a context.
Status no_device(const std::string& why) {
  return unsupported("no Vulkan device: " + why +
                     " (install a GPU driver, or mesa-vulkan-drivers for the CPU driver)");
}

bool layer_available(const char* name) {
  std::uint32_t count = 0;
  vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vkEnumerateInstanceLayerProperties(&count, layers.data());
  return std::any_of(layers.begin(), layers.end(), [&](const auto& l) { return std::strcmp(l.layerName, name) == 0; });
}


VkPhysicalDeviceSubgroupProperties subgroup_properties(VkPhysicalDevice physical) {
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties.pNext = &subgroup;
  vkGetPhysicalDeviceProperties2(physical, &properties);
  return subgroup;
}

// Whether the device lists the tile the field's MLP kernels use: 16x16x16, float16
// A and B, float32 C and D, subgroup scope; and runs them as they are written, with
// 32-lane subgroups that can take a maximum.
bool supports_cooperative_matrix(VkInstance instance, VkPhysicalDevice physical) {
  const VkPhysicalDeviceSubgroupProperties subgroup = subgroup_properties(physical);
  if (subgroup.subgroupSize != shaderio::kFieldCoopSubgroupSize ||
      !(subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) ||
      !(subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT)) {
    return false;
  }
  auto get = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV"));
  if (!get) return false;
  std::uint32_t count = 0;
  if (get(physical, &count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkCooperativeMatrixPropertiesNV> shapes(count, {VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV});
  if (get(physical, &count, shapes.data()) != VK_SUCCESS) return false;
  const std::uint32_t tile = shaderio::kFieldCoopTile;
  return std::any_of(shapes.begin(), shapes.end(), [&](const VkCooperativeMatrixPropertiesNV& p) {
    return p.MSize == tile && p.NSize == tile && p.KSize == tile && p.AType == VK_COMPONENT_TYPE_FLOAT16_NV &&
           p.BType == VK_COMPONENT_TYPE_FLOAT16_NV && p.CType == VK_COMPONENT_TYPE_FLOAT32_NV &&
           p.DType == VK_COMPONENT_TYPE_FLOAT32_NV && p.scope == VK_SCOPE_SUBGROUP_NV;
  });
}

}  // namespace

// --- Buffer ---------------------------------------------------------------------------

void Buffer::release() {
  if (device_ == VK_NULL_HANDLE) return;
  if (mapped_) vkUnmapMemory(device_, memory_);
  if (buffer_) vkDestroyBuffer(device_, buffer_, nullptr);
  if (memory_) vkFreeMemory(device_, memory_, nullptr);
  if (in_use_) *in_use_ -= allocated_;
  in_use_.reset();
  allocated_ = 0;
  device_ = VK_NULL_HANDLE;
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
  size_ = 0;
}

Buffer::~Buffer() { release(); }
Buffer::Buffer(Buffer&& other) noexcept { *this = std::move(other); }
Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    release();
    std::swap(device_, other.device_);
    std::swap(buffer_, other.buffer_);
    std::swap(memory_, other.memory_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
    std::swap(in_use_, other.in_use_);
    std::swap(allocated_, other.allocated_);
  }
  return *this;
}

// --- ComputePipeline ------------------------------------------------------------------

void ComputePipeline::release() {
  if (device_ == VK_NULL_HANDLE) return;
  if (pipeline_) vkDestroyPipeline(device_, pipeline_, nullptr);
  if (layout_) vkDestroyPipelineLayout(device_, layout_, nullptr);
  if (set_layout_) vkDestroyDescriptorSetLayout(device_, set_layout_, nullptr);
  if (module_) vkDestroyShaderModule(device_, module_, nullptr);
  device_ = VK_NULL_HANDLE;
  pipeline_ = VK_NULL_HANDLE;
  layout_ = VK_NULL_HANDLE;
  set_layout_ = VK_NULL_HANDLE;
  module_ = VK_NULL_HANDLE;
}

ComputePipeline::~ComputePipeline() { release(); }
ComputePipeline::ComputePipeline(ComputePipeline&& other) noexcept { *this = std::move(other); }
ComputePipeline& ComputePipeline::operator=(ComputePipeline&& other) noexcept {
  if (this != &other) {
    release();
    std::swap(device_, other.device_);
    std::swap(pipeline_, other.pipeline_);
    std::swap(layout_, other.layout_);
    std::swap(set_layout_, other.set_layout_);
    std::swap(module_, other.module_);
    std::swap(binding_count_, other.binding_count_);
    std::swap(push_size_, other.push_size_);
    std::swap(statistics_, other.statistics_);
  }
  return *this;
}

// --- Context --------------------------------------------------------------------------

Result<std::unique_ptr<Context>> Context::create(const ContextOptions& options) {
  std::unique_ptr<Context> context(new Context());
  SCZ_RETURN_IF_ERROR(context->init(options));
  return context;
}

std::uint32_t Context::validation_errors() const { return *error_count_; }

Status Context::init(const ContextOptions& options) {
  const char* env = std::getenv("SCENEZIP_VALIDATION");
  validation_ = options.validation || (env && std::strcmp(env, "1") == 0);
  if (validation_ && !layer_available(kValidationLayer)) {
    return internal_error("Vulkan validation requested but VK_LAYER_KHRONOS_validation is not installed "
                          "(Debian package vulkan-validationlayers)");
  }

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "scenezip";
  app.apiVersion = VK_API_VERSION_1_2;
  std::vector<const char*> layers;
  std::vector<const char*> extensions = options.instance_extensions;
  if (validation_) {
    layers.push_back(kValidationLayer);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  }
  VkDebugUtilsMessengerCreateInfoEXT messenger_info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger_info.messageSeverity =
      VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
  messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger_info.pfnUserCallback = on_validation_message;
  messenger_info.pUserData = error_count_.get();

  VkInstanceCreateInfo instance_info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instance_info.pApplicationInfo = &app;
  instance_info.enabledLayerCount = static_cast<std::uint32_t>(layers.size());
  instance_info.ppEnabledLayerNames = layers.data();
  instance_info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
  instance_info.ppEnabledExtensionNames = extensions.data();
  if (validation_) instance_info.pNext = &messenger_info;
  creating_instance = true;
  VkResult r = vkCreateInstance(&instance_info, nullptr, &instance_);
  creating_instance = false;
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER) return no_device("no Vulkan driver is installed or none loads");
  if (r != VK_SUCCESS) return no_device(vk_error("vkCreateInstance", r));
  if (validation_) {
    auto create_messenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    if (create_messenger) create_messenger(instance_, &messenger_info, nullptr, &messenger_);
  }

  if (options.create_surface) {
    r = options.create_surface(instance_, &surface_);
    if (r != VK_SUCCESS) return internal_error(vk_error("creating the window's Vulkan surface", r));
  }
  // With a surface, only a queue family that computes, draws and presents will do.
  auto usable_family = [&](VkPhysicalDevice d, std::uint32_t family, const VkQueueFamilyProperties& p) {
    if (!(p.queueFlags & VK_QUEUE_COMPUTE_BIT)) return false;
    if (!surface_) return true;
    VkBool32 present = VK_FALSE;
    vkGetPhysicalDeviceSurfaceSupportKHR(d, family, surface_, &present);
    return present == VK_TRUE && (p.queueFlags & VK_QUEUE_GRAPHICS_BIT);
  };
  auto find_family = [&](VkPhysicalDevice d, std::uint32_t* family) {
    std::uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(d, &n, nullptr);
    std::vector<VkQueueFamilyProperties> props(n);
    vkGetPhysicalDeviceQueueFamilyProperties(d, &n, props.data());
    for (std::uint32_t i = 0; i < n; ++i) {
      if (usable_family(d, i, props[i])) {
        *family = i;
        return true;
      }
    }
    return false;
  };

  std::uint32_t count = 0;
  vkEnumeratePhysicalDevices(instance_, &count, nullptr);
  if (count == 0) return no_device("the Vulkan driver lists no device");
  std::vector<VkPhysicalDevice> devices(count);
  vkEnumeratePhysicalDevices(instance_, &count, devices.data());
  if (surface_) {
    std::uint32_t unused = 0;
    devices.erase(std::remove_if(devices.begin(), devices.end(), [&](VkPhysicalDevice d) { return !find_family(d, &unused); }),
                  devices.end());
    if (devices.empty()) return internal_error("no Vulkan device can present to the window");
  }
  // Prefer a real GPU over the CPU driver; SCENEZIP_DEVICE=cpu forces the CPU driver.
  const char* want = std::getenv("SCENEZIP_DEVICE");
  auto rank = [&](VkPhysicalDevice d) {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(d, &p);
    const bool cpu = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    if (want && std::strcmp(want, "cpu") == 0) return cpu ? 0 : 1;
    if (p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU) return 0;
    if (p.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU) return 1;
    return cpu ? 3 : 2;
  };
  physical_ = *std::min_element(devices.begin(), devices.end(),
                                [&](VkPhysicalDevice a, VkPhysicalDevice b) { return rank(a) < rank(b); });
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(physical_, &properties);
  device_name_ = properties.deviceName;
  cpu_driver_ = properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  limits_ = properties.limits;
  vkGetPhysicalDeviceMemoryProperties(physical_, &memory_properties_);
  VkPhysicalDeviceMaintenance3Properties maintenance3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 properties2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties2.pNext = &maintenance3;
  vkGetPhysicalDeviceProperties2(physical_, &properties2);
  max_allocation_ = maintenance3.maxMemoryAllocationSize;
  if (const char* cap = std::getenv("SCENEZIP_GPU_MEMORY_LIMIT"); cap && *cap) {
    char* end = nullptr;
    memory_cap_ = std::strtoull(cap, &end, 10);
    if (*end != '\0' || memory_cap_ == 0) {
      return invalid_input("SCENEZIP_GPU_MEMORY_LIMIT must be a number of bytes, not '" + std::string(cap) + "'");
    }
  }

  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, families.data());
  const bool found = find_family(physical_, &queue_family_);
  if (found && families[queue_family_].timestampValidBits > 0) timestamp_period_ns_ = properties.limits.timestampPeriod;
  if (!found) return internal_error("Vulkan device " + device_name_ + " has no compute queue");

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue_info;
  std::uint32_t extension_count = 0;
  vkEnumerateDeviceExtensionProperties(physical_, nullptr, &extension_count, nullptr);
  std::vector<VkExtensionProperties> device_extensions(extension_count);
  vkEnumerateDeviceExtensionProperties(physical_, nullptr, &extension_count, device_extensions.data());
  auto has_extension = [&](const char* name) {
    return std::any_of(device_extensions.begin(), device_extensions.end(),
                       [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
  };
  // Fills in the device's support for the feature structs of `chain` (linked by pNext).
  auto query_features = [&](void* chain) {
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = chain;
    vkGetPhysicalDeviceFeatures2(physical_, &features);
  };
  // Asks the device for `extension` and the features set in the structs `first` through
  // `last` (linked by pNext), ahead of those asked for already.
  std::vector<const char*> enabled_extensions;
  auto enable = [&](const char* extension, void* first, void* last) {
    static_cast<VkBaseOutStructure*>(last)->pNext =
        static_cast<VkBaseOutStructure*>(const_cast<void*>(device_info.pNext));
    device_info.pNext = first;
    enabled_extensions.push_back(extension);
  };
  // Float atomics where the device has them: the field's hash-table gradients add
  // through them (a compare-and-swap loop elsewhere).
  VkPhysicalDeviceShaderAtomicFloatFeaturesEXT atomic_float{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT};
  if (has_extension(VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME)) {
    query_features(&atomic_float);
    if (atomic_float.shaderBufferFloat32AtomicAdd) {
      atomic_float = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT};
      atomic_float.shaderBufferFloat32AtomicAdd = VK_TRUE;
      enable(VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME, &atomic_float, &atomic_float);
      float_atomic_add_ = true;
    }
  }
  // Matrix units where the device has them: the field's MLP multiplies float16 tiles on
  // them (a plain path elsewhere, e.g. on the CPU driver).
  VkPhysicalDeviceCooperativeMatrixFeaturesNV cooperative{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
  VkPhysicalDeviceVulkan12Features vulkan12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  if (has_extension(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME) && properties.apiVersion >= VK_API_VERSION_1_2 &&
      supports_cooperative_matrix(instance_, physical_)) {
    cooperative.pNext = &vulkan12;
    query_features(&cooperative);
    // Device-scope memory model too: with the memory model on, every shader's device-scope
    // atomics need it (the validation layer reported each one on the H200 without it).
    if (cooperative.cooperativeMatrix && vulkan12.shaderFloat16 && vulkan12.vulkanMemoryModel &&
        vulkan12.vulkanMemoryModelDeviceScope) {
      cooperative = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
      cooperative.cooperativeMatrix = VK_TRUE;
      vulkan12 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
      vulkan12.shaderFloat16 = VK_TRUE;
      vulkan12.vulkanMemoryModel = VK_TRUE;
      vulkan12.vulkanMemoryModelDeviceScope = VK_TRUE;
      cooperative.pNext = &vulkan12;
      enable(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME, &cooperative, &vulkan12);
      cooperative_matrix_ = true;
    }
  }
  // Full 32-wide subgroups where the device can promise them: the splat raster's block
  // kernel gives each 32-invocation subgroup one block of pixels.
  VkPhysicalDeviceSubgroupSizeControlFeaturesEXT size_control{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES_EXT};
  if (has_extension(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME)) {
    const VkPhysicalDeviceSubgroupProperties subgroup = subgroup_properties(physical_);
    const VkSubgroupFeatureFlags needed =
        VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_BALLOT_BIT | VK_SUBGROUP_FEATURE_VOTE_BIT;
    query_features(&size_control);
    if (subgroup.subgroupSize == 32 && (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
        (subgroup.supportedOperations & needed) == needed && size_control.computeFullSubgroups) {
      size_control = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES_EXT};
      size_control.computeFullSubgroups = VK_TRUE;
      enable(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME, &size_control, &size_control);
      full_32_wide_subgroups_ = true;
    }
  }
  VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR executable_properties{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR};
  if (options.pipeline_statistics && has_extension(VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME)) {
    query_features(&executable_properties);
    if (executable_properties.pipelineExecutableInfo) {
      executable_properties = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR};
      executable_properties.pipelineExecutableInfo = VK_TRUE;
      enable(VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME, &executable_properties, &executable_properties);
      pipeline_statistics_ = true;
    }
  }
  if (surface_) enabled_extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  device_info.enabledExtensionCount = static_cast<std::uint32_t>(enabled_extensions.size());
  device_info.ppEnabledExtensionNames = enabled_extensions.data();
  r = vkCreateDevice(physical_, &device_info, nullptr, &device_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateDevice", r));
  vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = queue_family_;
  r = vkCreateCommandPool(device_, &pool_info, nullptr, &command_pool_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateCommandPool", r));

  VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2048};
  VkDescriptorPoolCreateInfo descriptor_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  descriptor_info.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  descriptor_info.maxSets = 256;
  descriptor_info.poolSizeCount = 1;
  descriptor_info.pPoolSizes = &pool_size;
  r = vkCreateDescriptorPool(device_, &descriptor_info, nullptr, &descriptor_pool_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateDescriptorPool", r));
  if (full_32_wide_subgroups_) {
    // Drivers have promised full 32-wide subgroups and run narrower ones: check once. A
    // probe that cannot run (e.g. under SCENEZIP_GPU_MEMORY_LIMIT) leaves the plain kernels.
    const Result<bool> kept = subgroups_run_as_promised();
    full_32_wide_subgroups_ = kept.ok() && *kept;
  }
  return Status::Ok();
}

Result<bool> Context::subgroups_run_as_promised() {
  const Spirv probe = gpu::subgroup_probe_spirv();
  SCZ_ASSIGN_OR_RETURN(ComputePipeline pipeline, create_compute_pipeline(probe.words, probe.count, 1, 0, true));
  constexpr std::uint32_t kSlots = shaderio::kRasterWorkgroupSize + 1, kGroups = 4;
  const std::vector<std::uint32_t> zeros(kSlots, 0);
  SCZ_ASSIGN_OR_RETURN(Buffer slots, upload_device(zeros.data(), kSlots * sizeof(std::uint32_t)));
  SCZ_RETURN_IF_ERROR(dispatch(pipeline, {{shaderio::kSubgroupProbeBindingSlots, &slots}}, nullptr, kGroups));
  std::vector<std::uint32_t> counts(kSlots);
  SCZ_RETURN_IF_ERROR(download(slots, counts.data(), kSlots * sizeof(std::uint32_t)));
  return std::all_of(counts.begin(), counts.end() - 1, [](std::uint32_t c) { return c == kGroups; }) &&
         counts.back() == 0;
}

Context::~Context() {
  if (device_) {
    vkDeviceWaitIdle(device_);
    if (descriptor_pool_) vkDestroyDescriptorPool(device_, descriptor_pool_, nullptr);
    if (command_pool_) vkDestroyCommandPool(device_, command_pool_, nullptr);
    vkDestroyDevice(device_, nullptr);
  }
  if (surface_) vkDestroySurfaceKHR(instance_, surface_, nullptr);
  if (messenger_) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, messenger_, nullptr);
  }
  if (instance_) vkDestroyInstance(instance_, nullptr);
}

Result<std::uint32_t> Context::find_memory_type(std::uint32_t type_bits, VkMemoryPropertyFlags flags) const {
  for (std::uint32_t i = 0; i < memory_properties_.memoryTypeCount; ++i) {
    if ((type_bits & (1u << i)) && (memory_properties_.memoryTypes[i].propertyFlags & flags) == flags) return i;
  }
  return internal_error("no Vulkan memory type with the needed properties");
}

Result<Buffer> Context::create_buffer(VkDeviceSize size, bool host_visible) {
  auto out_of_memory = [&](const std::string& why) {
    return unsupported("out of GPU memory: a buffer of " + bytes_text(size) + " " + why + " on " + device_name_);
  };
  if (size > limits_.maxStorageBufferRange) {
    return out_of_memory("is larger than the largest storage buffer, " + bytes_text(limits_.maxStorageBufferRange));
  }
  if (max_allocation_ > 0 && size > max_allocation_) {
    return out_of_memory("is larger than the largest allocation, " + bytes_text(max_allocation_));
  }
  Buffer buffer;
  buffer.device_ = device_;
  // Zero-sized buffers are invalid in Vulkan; keep a minimal one so empty scenes bind.
  buffer.size_ = std::max<VkDeviceSize>(size, 16);
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = buffer.size_;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
               VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkResult r = vkCreateBuffer(device_, &info, nullptr, &buffer.buffer_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateBuffer", r));
  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(device_, buffer.buffer_, &requirements);
  const VkMemoryPropertyFlags flags = host_visible
                                          ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                                          : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  SCZ_ASSIGN_OR_RETURN(std::uint32_t type, find_memory_type(requirements.memoryTypeBits, flags));
  const VkDeviceSize heap = memory_properties_.memoryHeaps[memory_properties_.memoryTypes[type].heapIndex].size;
  const std::uint64_t budget = memory_cap_ > 0 ? std::min<std::uint64_t>(memory_cap_, heap) : heap;
  if (requirements.size > budget || *in_use_ > budget - requirements.size) {
    return out_of_memory("does not fit: " + bytes_text(*in_use_) + " of the " + bytes_text(budget) +
                         (memory_cap_ > 0 && memory_cap_ < heap ? " allowed (SCENEZIP_GPU_MEMORY_LIMIT)" : " there") +
                         " are in use");
  }
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = requirements.size;
  alloc.memoryTypeIndex = type;
  r = vkAllocateMemory(device_, &alloc, nullptr, &buffer.memory_);
  if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY) {
    return out_of_memory("was refused by the driver (" + bytes_text(*in_use_) + " in use)");
  }
  if (r != VK_SUCCESS) return internal_error(vk_error("vkAllocateMemory", r) + " for " + bytes_text(size));
  buffer.in_use_ = in_use_;
  buffer.allocated_ = requirements.size;
  *in_use_ += requirements.size;
  vkBindBufferMemory(device_, buffer.buffer_, buffer.memory_, 0);
  if (host_visible) {
    r = vkMapMemory(device_, buffer.memory_, 0, VK_WHOLE_SIZE, 0, &buffer.mapped_);
    if (r != VK_SUCCESS) return internal_error(vk_error("vkMapMemory", r));
  }
  return buffer;
}

Result<Buffer> Context::upload(const void* data, VkDeviceSize size) {
  SCZ_ASSIGN_OR_RETURN(Buffer buffer, create_buffer(size, true));
  if (size > 0) std::memcpy(buffer.mapped(), data, size);
  return buffer;
}

Result<ComputePipeline> Context::create_compute_pipeline(
    const std::uint32_t* spirv, std::size_t spirv_words, std::uint32_t binding_count, std::uint32_t push_size,
    bool full_subgroups, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& specialization) {
  if (full_subgroups && !full_32_wide_subgroups_) {
    return internal_error("a kernel asks for full subgroups, which " + device_name_ + " cannot promise");
  }
  ComputePipeline pipeline;
  pipeline.device_ = device_;
  pipeline.binding_count_ = binding_count;
  pipeline.push_size_ = push_size;
  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = spirv_words * 4;
  module_info.pCode = spirv;
  VkResult r = vkCreateShaderModule(device_, &module_info, nullptr, &pipeline.module_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateShaderModule", r));

  std::vector<VkDescriptorSetLayoutBinding> bindings(binding_count);
  for (std::uint32_t i = 0; i < binding_count; ++i) {
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.bindingCount = binding_count;
  set_info.pBindings = bindings.data();
  r = vkCreateDescriptorSetLayout(device_, &set_info, nullptr, &pipeline.set_layout_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateDescriptorSetLayout", r));

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &pipeline.set_layout_;
  layout_info.pushConstantRangeCount = push_size > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &range;
  r = vkCreatePipelineLayout(device_, &layout_info, nullptr, &pipeline.layout_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreatePipelineLayout", r));

  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  if (full_subgroups) info.stage.flags = VK_PIPELINE_SHADER_STAGE_CREATE_REQUIRE_FULL_SUBGROUPS_BIT_EXT;
  info.stage.module = pipeline.module_;
  info.stage.pName = "main";
  std::vector<VkSpecializationMapEntry> entries;
  std::vector<std::uint32_t> values;
  for (const auto& [id, value] : specialization) {
    entries.push_back({id, static_cast<std::uint32_t>(values.size() * sizeof(std::uint32_t)), sizeof(std::uint32_t)});
    values.push_back(value);
  }
  VkSpecializationInfo constants{static_cast<std::uint32_t>(entries.size()), entries.data(),
                                 values.size() * sizeof(std::uint32_t), values.data()};
  if (!entries.empty()) info.stage.pSpecializationInfo = &constants;
  info.layout = pipeline.layout_;
  if (pipeline_statistics_) info.flags |= VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR;
  r = vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline.pipeline_);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateComputePipelines", r));
  if (pipeline_statistics_) pipeline.statistics_ = read_pipeline_statistics(pipeline.pipeline_);
  return pipeline;
}

std::vector<std::pair<std::string, std::string>> Context::read_pipeline_statistics(VkPipeline pipeline) const {
  std::vector<std::pair<std::string, std::string>> out;
  // Extension entry points: the loader does not export them.
  const auto get_statistics = reinterpret_cast<PFN_vkGetPipelineExecutableStatisticsKHR>(
      vkGetDeviceProcAddr(device_, "vkGetPipelineExecutableStatisticsKHR"));
  if (!get_statistics) return out;
  // A compute pipeline has one executable, its shader.
  VkPipelineExecutableInfoKHR executable{VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_INFO_KHR};
  executable.pipeline = pipeline;
  executable.executableIndex = 0;
  std::uint32_t count = 0;
  if (get_statistics(device_, &executable, &count, nullptr) != VK_SUCCESS) return out;
  std::vector<VkPipelineExecutableStatisticKHR> statistics(count, {VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_STATISTIC_KHR});
  if (get_statistics(device_, &executable, &count, statistics.data()) != VK_SUCCESS) return out;
  for (std::uint32_t i = 0; i < count; ++i) {
    const VkPipelineExecutableStatisticKHR& st = statistics[i];
    std::string value;
    switch (st.format) {
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR: value = st.value.b32 ? "true" : "false"; break;
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR: value = std::to_string(st.value.i64); break;
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR: value = std::to_string(st.value.u64); break;
      case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_FLOAT64_KHR: value = std::to_string(st.value.f64); break;
      default: continue;
    }
    out.emplace_back(st.name, value);
  }
  return out;
}

void Context::tile_groups(std::uint32_t groups, std::uint32_t* x, std::uint32_t* y) const {
  const std::uint32_t max_x = limits_.maxComputeWorkGroupCount[0];
  *x = std::max<std::uint32_t>(1, std::min(groups, max_x));
  // In 64 bits: where the x limit is 2^31 - 1 (NVIDIA), groups + x - 1 passes 2^32.
  *y = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (std::uint64_t{groups} + *x - 1) / *x));
}

Result<VkDescriptorSet> Context::create_descriptor_set(const ComputePipeline& pipeline, const BufferBindings& buffers) {
  if (buffers.size() != pipeline.binding_count()) {
    return internal_error("descriptor set: " + std::to_string(buffers.size()) + " buffers for " +
                          std::to_string(pipeline.binding_count()) + " bindings");
  }
  std::vector<bool> given(buffers.size(), false);
  for (const BufferBinding& b : buffers) {
    if (b.binding >= buffers.size() || given[b.binding] || b.buffer == nullptr) {
      return internal_error("descriptor set: binding " + std::to_string(b.binding) +
                            " is out of range, given twice or without a buffer");
    }
    given[b.binding] = true;
  }
  VkDescriptorSetAllocateInfo set_alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  set_alloc.descriptorPool = descriptor_pool_;
  set_alloc.descriptorSetCount = 1;
  VkDescriptorSetLayout set_layout = pipeline.set_layout();
  set_alloc.pSetLayouts = &set_layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkResult r = vkAllocateDescriptorSets(device_, &set_alloc, &set);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkAllocateDescriptorSets", r));
  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkWriteDescriptorSet> writes(buffers.size());
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    infos[i] = {buffers[i].buffer->handle(), 0, VK_WHOLE_SIZE};
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = set;
    writes[i].dstBinding = buffers[i].binding;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(device_, static_cast<std::uint32_t>(writes.size()), writes.data(), 0, nullptr);
  return set;
}

void Context::free_descriptor_set(VkDescriptorSet set) {
  if (set) vkFreeDescriptorSets(device_, descriptor_pool_, 1, &set);
}

Result<VkCommandBuffer> Context::allocate_commands() {
  VkCommandBufferAllocateInfo cmd_alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cmd_alloc.commandPool = command_pool_;
  cmd_alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cmd_alloc.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  VkResult r = vkAllocateCommandBuffers(device_, &cmd_alloc, &cmd);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkAllocateCommandBuffers", r));
  return cmd;
}

void Context::free_commands(VkCommandBuffer cmd) {
  if (cmd) vkFreeCommandBuffers(device_, command_pool_, 1, &cmd);
}

Status Context::submit_and_wait(VkCommandBuffer cmd) { return submit_and_wait_all(&cmd, 1); }

Status Context::submit_and_wait_all(const VkCommandBuffer* cmds, std::uint32_t count) {
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  VkResult r = vkCreateFence(device_, &fence_info, nullptr, &fence);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateFence", r));
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = count;
  submit.pCommandBuffers = cmds;
  r = vkQueueSubmit(queue_, 1, &submit, fence);
  if (r == VK_SUCCESS) r = vkWaitForFences(device_, 1, &fence, VK_TRUE, UINT64_MAX);
  vkDestroyFence(device_, fence, nullptr);
  if (r != VK_SUCCESS) return internal_error(vk_error("queue submit", r));
  return Status::Ok();
}

Result<VkQueryPool> Context::create_timestamp_pool(std::uint32_t count) {
  VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = count;
  VkQueryPool pool = VK_NULL_HANDLE;
  VkResult r = vkCreateQueryPool(device_, &info, nullptr, &pool);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateQueryPool", r));
  return pool;
}

void Context::destroy_query_pool(VkQueryPool pool) {
  if (pool) vkDestroyQueryPool(device_, pool, nullptr);
}

void Context::host_read_barrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0,
                       nullptr, 0, nullptr);
}

void Context::compute_barrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_INDIRECT_COMMAND_READ_BIT |
                          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT |
                           VK_PIPELINE_STAGE_TRANSFER_BIT,
                       0, 1, &barrier, 0, nullptr, 0, nullptr);
}

Result<Buffer> Context::upload_device(const void* data, VkDeviceSize size) {
  SCZ_ASSIGN_OR_RETURN(Buffer staging, upload(data, size));
  SCZ_ASSIGN_OR_RETURN(Buffer buffer, create_buffer(size, false));
  SCZ_ASSIGN_OR_RETURN(VkCommandBuffer cmd, allocate_commands());
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  VkBufferCopy region{0, 0, std::min(staging.size(), buffer.size())};
  vkCmdCopyBuffer(cmd, staging.handle(), buffer.handle(), 1, &region);
  vkEndCommandBuffer(cmd);
  Status status = submit_and_wait(cmd);
  free_commands(cmd);
  SCZ_RETURN_IF_ERROR(status);
  return buffer;
}

Status Context::download(const Buffer& buffer, void* out, VkDeviceSize size) {
  if (size > buffer.size()) return internal_error("download larger than the buffer");
  if (buffer.mapped()) {
    std::memcpy(out, buffer.mapped(), size);
    return Status::Ok();
  }
  SCZ_ASSIGN_OR_RETURN(Buffer staging, create_buffer(size, true));
  SCZ_ASSIGN_OR_RETURN(VkCommandBuffer cmd, allocate_commands());
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cmd, buffer.handle(), staging.handle(), 1, &region);
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
  vkEndCommandBuffer(cmd);
  Status status = submit_and_wait(cmd);
  free_commands(cmd);
  SCZ_RETURN_IF_ERROR(status);
  std::memcpy(out, staging.mapped(), size);
  return Status::Ok();
}

Result<Image> Context::download_image(const Buffer& buffer, int width, int height) {
  std::vector<float> rgba(static_cast<std::size_t>(width) * height * 4);
  SCZ_RETURN_IF_ERROR(download(buffer, rgba.data(), rgba.size() * sizeof(float)));
  Image image(width, height);
  for (std::size_t i = 0; i < rgba.size() / 4; ++i) {
    for (int c = 0; c < 3; ++c) image.rgb[3 * i + c] = rgba[4 * i + c];
  }
  return image;
}

Result<std::vector<double>> Context::read_timestamps_ms(VkQueryPool pool, std::uint32_t count) {
  std::vector<std::uint64_t> ticks(count);
  const VkResult r = vkGetQueryPoolResults(device_, pool, 0, count, ticks.size() * sizeof(std::uint64_t), ticks.data(),
                                           sizeof(std::uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
  if (r != VK_SUCCESS) return internal_error(vk_error("reading GPU timestamps", r));
  std::vector<double> ms(count);
  for (std::uint32_t i = 0; i < count; ++i) ms[i] = (ticks[i] - ticks[0]) * timestamp_period_ns_ * 1e-6;
  return ms;
}

Status Context::dispatch(const ComputePipeline& pipeline, const BufferBindings& buffers, const void* push,
                         std::uint32_t groups) {
  SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, create_descriptor_set(pipeline, buffers));
  auto allocated = allocate_commands();
  if (!allocated.ok()) {
    free_descriptor_set(set);
    return allocated.status();
  }
  VkCommandBuffer cmd = *allocated;
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
  if (pipeline.push_size() > 0) {
    vkCmdPushConstants(cmd, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, pipeline.push_size(), push);
  }
  std::uint32_t gx = 1, gy = 1;
  tile_groups(groups, &gx, &gy);
  if (groups > 0) vkCmdDispatch(cmd, gx, gy, 1);
  host_read_barrier(cmd);
  vkEndCommandBuffer(cmd);
  Status status = submit_and_wait(cmd);
  free_commands(cmd);
  free_descriptor_set(set);
  return status;
}

}  // namespace scenezip::gpu
