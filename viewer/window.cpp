#include "viewer/window.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

namespace scenezip::viewer {

namespace {
std::string& last_glfw_error() {
  static std::string message;
  return message;
}
void on_glfw_error(int, const char* description) { last_glfw_error() = description ? description : ""; }

Window* owner(GLFWwindow* w) { return static_cast<Window*>(glfwGetWindowUserPointer(w)); }
}  // namespace

Result<std::unique_ptr<Window>> Window::create(int width, int height, const std::string& title) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    return unsupported("no display to open a window on (" + last_glfw_error() +
                       "); use 'scenezip render' to write images instead");
  }
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    return unsupported("this display has no Vulkan support for windows; use 'scenezip render' to write images instead");
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
  std::unique_ptr<Window> window(new Window());
  window->window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window->window_) {
    glfwTerminate();
    return unsupported("could not open a window (" + last_glfw_error() +
                       "); use 'scenezip render' to write images instead");
  }
  glfwSetWindowUserPointer(window->window_, window.get());
  // Installed before the panel's, which calls these after its own.
  glfwSetKeyCallback(window->window_, on_key);
  glfwSetCursorPosCallback(window->window_, on_cursor);
  glfwSetMouseButtonCallback(window->window_, on_button);
  glfwSetScrollCallback(window->window_, on_scroll);
  glfwSetDropCallback(window->window_, on_drop);
  return window;
}

Window::~Window() {
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

std::vector<const char*> Window::required_instance_extensions() {
  std::uint32_t count = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&count);
  return names ? std::vector<const char*>(names, names + count) : std::vector<const char*>{};
}

VkResult Window::create_surface(VkInstance instance, VkSurfaceKHR* surface) const {
  return glfwCreateWindowSurface(instance, window_, nullptr, surface);
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }
void Window::request_close() { glfwSetWindowShouldClose(window_, GLFW_TRUE); }
void Window::poll() { glfwPollEvents(); }

void Window::wait_while_minimised() {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  while ((w == 0 || h == 0) && !glfwWindowShouldClose(window_)) {
    glfwWaitEvents();
    glfwGetFramebufferSize(window_, &w, &h);
  }
}

void Window::framebuffer_size(int* width, int* height) const { glfwGetFramebufferSize(window_, width, height); }
bool Window::key_down(int key) const { return glfwGetKey(window_, key) == GLFW_PRESS; }
bool Window::left_button_down() const { return glfwGetMouseButton(window_, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS; }
void Window::set_title(const std::string& title) { glfwSetWindowTitle(window_, title.c_str()); }

void Window::toggle_full_screen() {
  if (full_screen_) {
    glfwSetWindowMonitor(window_, nullptr, windowed_[0], windowed_[1], windowed_[2], windowed_[3], GLFW_DONT_CARE);
    full_screen_ = false;
    return;
  }
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
  if (!mode) return;
  glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
  glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
  glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  full_screen_ = true;
}

InputEvents Window::take_input(bool ui_wants_mouse, bool ui_wants_keyboard) {
  InputEvents events = std::move(pending_);
  pending_ = InputEvents{};
  if (ui_wants_mouse) {
    events.left_pressed = false;
    events.drag_left[0] = events.drag_left[1] = 0;
    events.drag_right[0] = events.drag_right[1] = 0;
    events.scroll = 0;
  }
  if (ui_wants_keyboard) events.keys.clear();
  return events;
}

void Window::on_key(GLFWwindow* w, int key, int, int action, int mods) {
  if (action == GLFW_PRESS || action == GLFW_REPEAT) owner(w)->pending_.keys.push_back({key, mods});
}

void Window::on_button(GLFWwindow* w, int button, int action, int) {
  if (button != GLFW_MOUSE_BUTTON_LEFT || action != GLFW_PRESS) return;
  Window* self = owner(w);
  glfwGetCursorPos(w, &self->pending_.left_press[0], &self->pending_.left_press[1]);
  self->pending_.left_pressed = true;
}

void Window::on_cursor(GLFWwindow* w, double x, double y) {
  Window* self = owner(w);
  if (self->cursor_known_) {
    const double dx = x - self->cursor_[0], dy = y - self->cursor_[1];
    if (glfwGetMouseButton(w, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS) {
      self->pending_.drag_left[0] += dx;
      self->pending_.drag_left[1] += dy;
    } else if (glfwGetMouseButton(w, GLFW_MOUSE_BUTTON_RIGHT) == GLFW_PRESS ||
               glfwGetMouseButton(w, GLFW_MOUSE_BUTTON_MIDDLE) == GLFW_PRESS) {
      self->pending_.drag_right[0] += dx;
      self->pending_.drag_right[1] += dy;
    }
  }
  self->cursor_[0] = x;
  self->cursor_[1] = y;
  self->cursor_known_ = true;
}

void Window::on_scroll(GLFWwindow* w, double, double dy) { owner(w)->pending_.scroll += dy; }

void Window::on_drop(GLFWwindow* w, int count, const char** paths) {
  Window* self = owner(w);
  for (int i = 0; i < count; ++i) self->pending_.dropped.emplace_back(paths[i]);
  self->pending_.drop_x = self->cursor_[0];
}

}  // namespace scenezip::viewer
