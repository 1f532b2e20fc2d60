#include "viewer/viewer.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/render/image.h"
#include "formats/formats.h"
#include "viewer/camera_controller.h"
#include "viewer/compose_kernel.h"
#include "viewer/imgui_layer.h"
#include "viewer/panel.h"
#include "viewer/scene_slot.h"
#include "viewer/swapchain.h"
#include "viewer/window.h"

namespace scenezip::viewer {

namespace io = shaderio;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDividerGrabPixels = 6;

std::string vk_error(const char* what, VkResult r) {
  return std::string(what) + " failed (VkResult " + std::to_string(static_cast<int>(r)) + ")";
}

// Everything one frame in flight needs; the loop waits for the previous frame's fence
// before recording again, so one set is enough.
struct FrameResources {
  VkDevice device = VK_NULL_HANDLE;
  gpu::Context* context = nullptr;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  VkFence done = VK_NULL_HANDLE;
  VkSemaphore acquired = VK_NULL_HANDLE;
  gpu::Buffer readback;
  ~FrameResources() {
    if (!device) return;
    vkDeviceWaitIdle(device);
    if (done) vkDestroyFence(device, done, nullptr);
    if (acquired) vkDestroySemaphore(device, acquired, nullptr);
    context->free_commands(cmd);
  }
};

void image_barrier(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to, VkAccessFlags src_access,
                   VkAccessFlags dst_access, VkPipelineStageFlags src_stage, VkPipelineStageFlags dst_stage) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.oldLayout = from;
  b.newLayout = to;
  b.srcAccessMask = src_access;
  b.dstAccessMask = dst_access;
  b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = image;
  b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 0, nullptr, 0, nullptr, 1, &b);
}

std::string screenshot_name() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::localtime(&now));
  // Two screenshots in one second get -2, -3, ... rather than replacing each other.
  std::string name = std::string("scenezip-view-") + stamp + ".png";
  for (int n = 2; std::filesystem::exists(name) && n < 1000; ++n) {
    name = std::string("scenezip-view-") + stamp + "-" + std::to_string(n) + ".png";
  }
  return name;
}

class Viewer {
 public:
  explicit Viewer(const ViewerOptions& options) : options_(options) {}
  Status run();

 private:
  bool scripted() const { return options_.frames > 0; }
  int slot_count() const { return static_cast<int>(options_.files.size()); }
  Status start_camera();
  void reset_to_home();
  void home_camera();
  Status step_camera(int delta);
  void handle_input(double seconds);
  void handle_key(int key, int mods);
  Status draw_frame();
  Status finish_frame();
  Status rebuild_swapchain();
  std::array<const gpu::Buffer*, 2> frames_shown();

  ViewerOptions options_;
  ViewSettings settings_;
  std::unique_ptr<Window> window_;
  std::unique_ptr<gpu::Context> context_;
  std::unique_ptr<Swapchain> swapchain_;
  std::unique_ptr<ComposeKernel> compose_;
  std::unique_ptr<ImGuiLayer> ui_;
  FrameResources frame_;
  SceneSlot slots_[2];
  CameraController controller_;
  bool camera_placed_ = false;
  int camera_index_ = 0;
  FrameReport report_;
  std::string message_;
  bool divider_drag_ = false;
  bool screenshot_requested_ = false;
  int screenshots_written_ = 0;
  std::string screenshot_path_;
  // Results of the frame in flight, read once its fence is signalled.
  bool in_flight_ = false, in_flight_composed_ = false, in_flight_two_ = false;
  std::string in_flight_screenshot_;
  int in_flight_width_ = 0, in_flight_height_ = 0;
  std::chrono::steady_clock::time_point last_frame_ = std::chrono::steady_clock::now();
};

Status Viewer::run() {
  SCZ_ASSIGN_OR_RETURN(settings_.background, cli::parse_background(options_.background));
  settings_.vsync = options_.vsync;
  settings_.panel = !options_.hide_panel;
  settings_.up = options_.up;
  if (options_.compare == "split") settings_.mode = io::kComposeModeSplit;
  else if (options_.compare == "difference") settings_.mode = io::kComposeModeDifference;
  else if (options_.compare == "one") settings_.mode = io::kComposeModeFirst;
  else return invalid_input("--compare takes split, difference or one, got '" + options_.compare + "'");
  if (slot_count() == 1) settings_.mode = io::kComposeModeFirst;

  std::string title = "scenezip view";
  for (const auto& f : options_.files) title += " " + f;
  SCZ_ASSIGN_OR_RETURN(window_, Window::create(options_.width, options_.height, title));
  gpu::ContextOptions context_options;
  context_options.instance_extensions = Window::required_instance_extensions();
  context_options.create_surface = [this](VkInstance instance, VkSurfaceKHR* surface) {
    return window_->create_surface(instance, surface);
  };
  SCZ_ASSIGN_OR_RETURN(context_, gpu::Context::create(context_options));
  int fw = 0, fh = 0;
  window_->framebuffer_size(&fw, &fh);
  SCZ_ASSIGN_OR_RETURN(swapchain_, Swapchain::create(*context_, fw, fh, settings_.vsync));
  SCZ_ASSIGN_OR_RETURN(compose_, ComposeKernel::create(*context_));
  frame_.device = context_->device();
  frame_.context = context_.get();
  SCZ_ASSIGN_OR_RETURN(frame_.cmd, context_->allocate_commands());
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  fence_info.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  VkResult r = vkCreateFence(context_->device(), &fence_info, nullptr, &frame_.done);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateFence", r));
  VkSemaphoreCreateInfo sem_info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  r = vkCreateSemaphore(context_->device(), &sem_info, nullptr, &frame_.acquired);
  if (r != VK_SUCCESS) return internal_error(vk_error("vkCreateSemaphore", r));
  SCZ_ASSIGN_OR_RETURN(ui_, ImGuiLayer::create(*window_, *context_, *swapchain_));

  slots_[0].open(options_.files[0], options_.with);
  if (slot_count() == 2) slots_[1].open(options_.files[1]);
  if (scripted()) {
    // The scripted mode has no one to read an error in the window.
    for (int i = 0; i < slot_count(); ++i) {
      const bool loaded = slots_[i].finish(*context_, settings_.up);
      if (!slots_[i].error().empty()) return invalid_input(slots_[i].error());
      if (loaded && i == 0) SCZ_RETURN_IF_ERROR(start_camera());
    }
  }

  int frames = 0;
  while (!window_->should_close()) {
    window_->poll();
    window_->wait_while_minimised();
    if (window_->should_close()) break;
    for (int i = 0; i < slot_count(); ++i) {
      if (slots_[i].update(*context_, settings_.up) && i == 0) {
        SCZ_RETURN_IF_ERROR(start_camera());
      }
    }
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_frame_).count();
    last_frame_ = now;
    report_.frame_ms = 1000.0 * seconds;
    handle_input(seconds);
    if (scripted() && frames == options_.frames - 1 && !options_.screenshot.empty()) {
      screenshot_requested_ = true;
      screenshot_path_ = options_.screenshot;
    }
    SCZ_RETURN_IF_ERROR(draw_frame());
    if (scripted() && ++frames >= options_.frames) break;
  }
  SCZ_RETURN_IF_ERROR(finish_frame());

  if (scripted()) {
    if (!options_.screenshot.empty() && screenshots_written_ == 0) {
      return internal_error("no frame of the scene was drawn, so no screenshot was written");
    }
    nlohmann::ordered_json j;
    j["frames"] = frames;
    j["width"] = report_.width;
    j["height"] = report_.height;
    if (!options_.screenshot.empty()) j["screenshot"] = options_.screenshot;
    nlohmann::ordered_json files = nlohmann::json::array();
    for (int i = 0; i < slot_count(); ++i) {
      const SceneFacts& facts = slots_[i].facts();
      files.push_back({{"path", facts.path},
                       {"kind", facts.field ? "radiance field" : scene_kind_name(facts.kind)},
                       {"bytes", facts.bytes},
                       {"count", facts.count},
                       {"visible", report_.visible[i]}});
    }
    j["files"] = files;
    if (report_.has_psnr) j["psnr"] = report_.psnr;
    if (slot_count() == 2 && slots_[1].facts().bytes > 0) {
      j["ratio"] = double(slots_[0].facts().bytes) / slots_[1].facts().bytes;
    }
    j["device"] = context_->device_name();
    j["validation_errors"] = context_->validation_errors();
    std::printf("%s\n", j.dump().c_str());
    if (context_->validation_errors() > 0) {
      return internal_error(std::to_string(context_->validation_errors()) + " Vulkan validation errors");
    }
  }
  return Status::Ok();
}

// The home view of the first file: `render --view 0/1`'s camera, around the scene's
// robust bounds, or around a radiance field's box with +z up.
void Viewer::reset_to_home() {
  const SceneFacts& facts = slots_[0].facts();
  const VkExtent2D extent = swapchain_->extent();
  if (facts.field) {
    controller_.reset(cli::field_orbit_camera(facts.field->settings, 0, 1, extent.width, extent.height),
                      facts.orbit.bounds, std::array<double, 3>{0, 0, 1});
  } else {
    controller_.reset(cli::orbit_view(facts.orbit, 0, 1, extent.width, extent.height), facts.orbit.bounds,
                      facts.orbit.y_up);
  }
}

// The first camera: --camera or --view when given, else the orbit's home view.
Status Viewer::start_camera() {
  const SceneFacts& facts = slots_[0].facts();
  const VkExtent2D extent = swapchain_->extent();
  reset_to_home();
  if (camera_placed_) return Status::Ok();  // a new file in place of the first: its own home view
  camera_placed_ = true;
  if (!options_.camera.empty() || !options_.view.empty()) {
    const std::string view = options_.view.empty() ? "0/1" : options_.view;
    Camera start;
    if (facts.field && options_.camera.empty()) {
      // A field's orbit views are field_orbit_camera's, as `render --view` draws them.
      int index = 0, count = 1;
      SCZ_RETURN_IF_ERROR(cli::parse_view(view, &index, &count));
      start = cli::field_orbit_camera(facts.field->settings, index, count, extent.width, extent.height);
    } else {
      SCZ_ASSIGN_OR_RETURN(start, cli::choose_camera(view, options_.camera, facts.orbit, extent.width, extent.height));
    }
    controller_.set_camera(start);
  } else if (!options_.cameras.empty()) {
    SCZ_RETURN_IF_ERROR(step_camera(0));
  }
  return Status::Ok();
}

void Viewer::home_camera() {
  if (slots_[0].ready()) reset_to_home();
}

Status Viewer::step_camera(int delta) {
  if (options_.cameras.empty()) {
    message_ = "no --cameras file to step through";
    return Status::Ok();
  }
  const VkExtent2D extent = swapchain_->extent();
  int index = std::max(0, camera_index_ + delta);
  Result<Camera> camera = load_camera_file(options_.cameras, index, extent.width, extent.height);
  if (!camera.ok() && index > 0) {
    index = delta < 0 ? index : 0;  // past the last camera: back to the first
    camera = load_camera_file(options_.cameras, index, extent.width, extent.height);
  }
  if (!camera.ok()) {
    message_ = camera.status().message();
    return Status::Ok();
  }
  camera_index_ = index;
  controller_.set_camera(*camera);
  message_ = "camera " + std::to_string(index) + " of " + options_.cameras;
  return Status::Ok();
}

void Viewer::handle_key(int key, int mods) {
  switch (key) {
    case GLFW_KEY_ESCAPE: window_->request_close(); break;
    case GLFW_KEY_R: controller_.reset(); break;
    case GLFW_KEY_F: settings_.fly = !settings_.fly; break;
    case GLFW_KEY_P: screenshot_requested_ = true; break;
    case GLFW_KEY_V:
      settings_.vsync = !settings_.vsync;
      if (Status s = rebuild_swapchain(); !s.ok()) message_ = s.message();
      break;
    case GLFW_KEY_F11: window_->toggle_full_screen(); break;
    case GLFW_KEY_F1: settings_.panel = !settings_.panel; break;
    case GLFW_KEY_TAB: settings_.flipped = !settings_.flipped; break;
    case GLFW_KEY_M:
      if (slot_count() == 2) {
        settings_.mode = settings_.mode == io::kComposeModeSplit       ? io::kComposeModeDifference
                         : settings_.mode == io::kComposeModeDifference ? io::kComposeModeFirst
                                                                        : io::kComposeModeSplit;
      }
      break;
    case GLFW_KEY_RIGHT_BRACKET: (void)step_camera(1); break;
    case GLFW_KEY_LEFT_BRACKET: (void)step_camera(-1); break;
    case GLFW_KEY_EQUAL:
    case GLFW_KEY_KP_ADD: controller_.set_fov_y(controller_.fov_y() + 5.0 * kPi / 180.0); break;
    case GLFW_KEY_MINUS:
    case GLFW_KEY_KP_SUBTRACT: controller_.set_fov_y(controller_.fov_y() - 5.0 * kPi / 180.0); break;
    default: break;
  }
  (void)mods;
}

void Viewer::handle_input(double seconds) {
  InputEvents in = window_->take_input(ui_->wants_mouse(), ui_->wants_keyboard());
  for (const auto& k : in.keys) handle_key(k.key, k.mods);
  if (!in.dropped.empty()) {
    // One file dropped replaces the one under the pointer's side of the split; two
    // dropped replace both.
    int target = 0;
    if (slot_count() == 2) {
      int ww = 0, wh = 0;
      glfwGetWindowSize(window_->handle(), &ww, &wh);
      const bool right = in.drop_x >= settings_.divider * ww;
      target = (right != settings_.flipped) ? 1 : 0;
    }
    if (in.dropped.size() >= 2 && slot_count() == 2) {
      slots_[0].open(in.dropped[0]);
      slots_[1].open(in.dropped[1]);
    } else {
      slots_[target].open(in.dropped[0], target == 0 ? options_.with : "");
    }
  }
  const bool split = slot_count() == 2 && settings_.mode == io::kComposeModeSplit;
  if (in.left_pressed && split) {
    int ww = 0, wh = 0;
    glfwGetWindowSize(window_->handle(), &ww, &wh);
    divider_drag_ = std::abs(in.left_press[0] - settings_.divider * ww) <= kDividerGrabPixels;
  }
  if (!window_->left_button_down()) divider_drag_ = false;
  if (divider_drag_) {
    int ww = 0, wh = 0;
    glfwGetWindowSize(window_->handle(), &ww, &wh);
    if (ww > 0) settings_.divider = std::clamp(settings_.divider + in.drag_left[0] / ww, 0.0, 1.0);
  } else if (in.drag_left[0] != 0 || in.drag_left[1] != 0) {
    if (settings_.fly) controller_.look(in.drag_left[0], in.drag_left[1]);
    else controller_.orbit(in.drag_left[0], in.drag_left[1]);
  }
  if (in.drag_right[0] != 0 || in.drag_right[1] != 0) {
    controller_.pan(in.drag_right[0], in.drag_right[1], static_cast<int>(swapchain_->extent().height));
  }
  if (in.scroll != 0) controller_.zoom(in.scroll);
  if (!ui_->wants_keyboard()) {
    const double fast = window_->key_down(GLFW_KEY_LEFT_SHIFT) || window_->key_down(GLFW_KEY_RIGHT_SHIFT) ? 4.0 : 1.0;
    const double forward = window_->key_down(GLFW_KEY_W) - window_->key_down(GLFW_KEY_S);
    const double right = window_->key_down(GLFW_KEY_D) - window_->key_down(GLFW_KEY_A);
    const double up = window_->key_down(GLFW_KEY_E) - window_->key_down(GLFW_KEY_Q);
    // A long stall (a file uploading) must not throw the camera far away.
    if (forward || right || up) controller_.fly(forward, right, up, fast * std::min(seconds, 0.1));
  }
}

Status Viewer::rebuild_swapchain() {
  SCZ_RETURN_IF_ERROR(finish_frame());
  int w = 0, h = 0;
  window_->framebuffer_size(&w, &h);
  if (w == 0 || h == 0) return Status::Ok();
  SCZ_RETURN_IF_ERROR(swapchain_->rebuild(w, h, settings_.vsync));
  ui_->swapchain_rebuilt(*swapchain_);
  return Status::Ok();
}

// Waits for the frame in flight and takes its results: the PSNR and the screenshot.
Status Viewer::finish_frame() {
  if (!in_flight_) return Status::Ok();
  const VkResult r = vkWaitForFences(context_->device(), 1, &frame_.done, VK_TRUE, UINT64_MAX);
  if (r != VK_SUCCESS) return internal_error(vk_error("waiting for the frame", r));
  in_flight_ = false;
  if (in_flight_composed_ && in_flight_two_) {
    report_.psnr = psnr_from_error_sum(compose_->error_sum(), in_flight_width_, in_flight_height_);
    report_.has_psnr = true;
  }
  if (!in_flight_screenshot_.empty()) {
    const std::string path = std::move(in_flight_screenshot_);
    in_flight_screenshot_.clear();
    const auto* bytes = static_cast<const std::uint8_t*>(frame_.readback.mapped());
    Image image(in_flight_width_, in_flight_height_);
    const bool bgra = swapchain_->bgra();
    for (std::size_t i = 0; i < static_cast<std::size_t>(in_flight_width_) * in_flight_height_; ++i) {
      for (int c = 0; c < 3; ++c) image.rgb[3 * i + c] = bytes[4 * i + (bgra ? 2 - c : c)] / 255.0f;
    }
    const Status written = write_png(image, path);
    if (!written.ok()) {
      if (scripted()) return written;
      message_ = written.message();
    } else {
      message_ = "wrote " + path;
      screenshots_written_++;
    }
  }
  return Status::Ok();
}

// The two frames composed, in the order shown (the first file's frame twice with one).
std::array<const gpu::Buffer*, 2> Viewer::frames_shown() {
  const gpu::Buffer* a = &slots_[0].renderer()->image_buffer();
  const gpu::Buffer* b = a;
  if (slot_count() == 2 && slots_[1].ready()) b = &slots_[1].renderer()->image_buffer();
  if (settings_.flipped) std::swap(a, b);
  return {a, b};
}

Status Viewer::draw_frame() {
  SCZ_RETURN_IF_ERROR(finish_frame());
  std::uint32_t index = 0;
  SCZ_ASSIGN_OR_RETURN(bool acquired, swapchain_->acquire(frame_.acquired, &index));
  if (!acquired) return rebuild_swapchain();
  const VkExtent2D extent = swapchain_->extent();
  const int width = static_cast<int>(extent.width), height = static_cast<int>(extent.height);
  report_.width = width;
  report_.height = height;

  // The scenes render into their own buffers (each renderer submits and waits).
  const Camera camera = controller_.camera(width, height);
  bool composed = false;
  if (slots_[0].ready() && camera_placed_) {
    for (int i = 0; i < slot_count(); ++i) {
      if (!slots_[i].ready()) continue;
      cli::SceneRenderer* renderer = slots_[i].renderer();
      if (gpu::SplatRenderer* splats = renderer->splats()) {
        splats->set_scale_modifier(settings_.splat_scale);
        splats->set_shown_sh_degree(settings_.sh_degree_shown);
      }
      auto timings = renderer->draw(camera, settings_.background);
      if (!timings.ok()) {
        message_ = timings.status().message();
        if (scripted()) return timings.status();
        continue;
      }
      report_.timings[i] = *timings;
      report_.visible[i] = renderer->splats() ? renderer->splats()->last_stats().visible : 0;
    }
    composed = true;
  }

  ui_->new_frame();
  const PanelRequests requests = draw_panel(settings_, controller_, slots_, slot_count(), report_,
                                            context_->device_name(), message_);
  draw_status_overlay(slots_, slot_count());
  if (composed && slot_count() == 2 && slots_[1].ready()) draw_split_overlay(settings_, slots_, width);
  if (requests.reset_camera) controller_.reset();
  if (requests.screenshot) screenshot_requested_ = true;
  if (requests.up_changed) {
    for (int i = 0; i < slot_count(); ++i) (void)slots_[i].set_up(settings_.up);
    home_camera();
  }

  VkCommandBuffer cmd = frame_.cmd;
  vkResetCommandBuffer(cmd, 0);
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  VkImage image = swapchain_->image(index);
  if (composed) {
    const auto shown = frames_shown();
    std::uint32_t mode = settings_.mode;
    if (slot_count() == 1 || !slots_[1].ready()) mode = io::kComposeModeFirst;
    const int divider = static_cast<int>(std::lround(settings_.divider * width));
    SCZ_RETURN_IF_ERROR(compose_->record(cmd, *shown[0], *shown[1],
                                         compose_push(width, height, mode, divider, swapchain_->bgra(), settings_.heat_scale)));
  }
  image_barrier(cmd, image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
  if (composed) {
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {extent.width, extent.height, 1};
    vkCmdCopyBufferToImage(cmd, compose_->output().handle(), image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
  } else {
    const VkClearColorValue clear{{settings_.background[0], settings_.background[1], settings_.background[2], 1.0f}};
    const VkImageSubresourceRange range{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdClearColorImage(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &clear, 1, &range);
  }
  const bool screenshot = screenshot_requested_ && composed;
  const VkDeviceSize screenshot_bytes = static_cast<VkDeviceSize>(width) * height * 4;
  if (screenshot && frame_.readback.size() < screenshot_bytes) {
    SCZ_ASSIGN_OR_RETURN(frame_.readback, context_->create_buffer(screenshot_bytes, true));
  }
  auto copy_to_readback = [&](VkImageLayout layout) {
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {extent.width, extent.height, 1};
    vkCmdCopyImageToBuffer(cmd, image, layout, frame_.readback.handle(), 1, &region);
    VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr, 0,
                         nullptr);
  };
  if (screenshot && !options_.screenshot_panel) {
    // Read back what was copied into the swapchain image, before the panel draws on it.
    image_barrier(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT);
    copy_to_readback(VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    image_barrier(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_ACCESS_TRANSFER_READ_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT);
  } else {
    image_barrier(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                  VK_ACCESS_TRANSFER_WRITE_BIT,
                  VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT);
  }
  VkRenderPassBeginInfo pass{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  pass.renderPass = swapchain_->render_pass();
  pass.framebuffer = swapchain_->framebuffer(index);
  pass.renderArea.extent = extent;
  vkCmdBeginRenderPass(cmd, &pass, VK_SUBPASS_CONTENTS_INLINE);
  ui_->render(cmd);
  vkCmdEndRenderPass(cmd);
  if (screenshot && options_.screenshot_panel) {
    // The whole window as shown, panel included.
    image_barrier(cmd, image, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT,
                  VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
    copy_to_readback(VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    image_barrier(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                  VK_ACCESS_TRANSFER_READ_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT);
  }
  vkEndCommandBuffer(cmd);

  vkResetFences(context_->device(), 1, &frame_.done);
  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkSemaphore rendered = swapchain_->rendered(index);
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &frame_.acquired;
  submit.pWaitDstStageMask = &wait_stage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &rendered;
  const VkResult r = vkQueueSubmit(context_->queue(), 1, &submit, frame_.done);
  if (r != VK_SUCCESS) return internal_error(vk_error("submitting the frame", r));
  in_flight_ = true;
  in_flight_composed_ = composed;
  in_flight_two_ = slot_count() == 2 && slots_[1].ready();
  in_flight_width_ = width;
  in_flight_height_ = height;
  if (screenshot) {
    in_flight_screenshot_ = screenshot_path_.empty() ? screenshot_name() : screenshot_path_;
    screenshot_requested_ = false;
    screenshot_path_.clear();
  }
  SCZ_ASSIGN_OR_RETURN(bool presented, swapchain_->present(index));
  if (!presented) return rebuild_swapchain();
  int fw = 0, fh = 0;
  window_->framebuffer_size(&fw, &fh);
  if (fw > 0 && fh > 0 && (static_cast<std::uint32_t>(fw) != extent.width || static_cast<std::uint32_t>(fh) != extent.height)) {
    return rebuild_swapchain();
  }
  return Status::Ok();
}

}  // namespace

Status run_viewer(const ViewerOptions& options) {
  if (options.files.empty() || options.files.size() > 2) return invalid_input("view takes one or two scene files");
  if (options.width < 1 || options.height < 1 || options.width > 16384 || options.height > 16384) {
    return invalid_input("--width and --height must be in 1..16384");
  }
  if (options.frames < 0) return invalid_input("--frames must be 0 or more");
  if (!options.screenshot.empty() && options.frames == 0) {
    return invalid_input("--screenshot needs --frames N (the scripted mode)");
  }
  Viewer viewer(options);
  return viewer.run();
}

}  // namespace scenezip::viewer
