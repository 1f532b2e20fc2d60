// The GLFW window: creation (with the one-line error when there is no display), the
// input gathered between frames, full screen and the Vulkan surface.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/core/status.h"

struct GLFWwindow;

namespace scenezip::viewer {

// Input since the last take_input(): what the camera and the key bindings consume.
struct InputEvents {
  struct Key {
    int key;   // GLFW_KEY_*
    int mods;  // GLFW_MOD_*
  };
  std::vector<Key> keys;  // presses and repeats, in order
  double drag_left[2] = {0, 0};   // pointer motion in pixels with the button held
  double drag_right[2] = {0, 0};  // right or middle button
  double scroll = 0;              // wheel clicks, positive away from the user
  bool left_pressed = false;      // the left button went down, at left_press
  double left_press[2] = {0, 0};
  std::vector<std::string> dropped;  // files dropped onto the window
  double drop_x = 0;                 // pointer x when they were dropped
};

class Window {
 public:
  // Fails with a one-line, exit-code-2 error when no display can be opened.
  static Result<std::unique_ptr<Window>> create(int width, int height, const std::string& title);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  GLFWwindow* handle() const { return window_; }
  // Instance extensions a Vulkan surface on this window needs.
  static std::vector<const char*> required_instance_extensions();
  VkResult create_surface(VkInstance instance, VkSurfaceKHR* surface) const;

  bool should_close() const;
  void request_close();
  void poll();
  // Blocks until an event arrives while the window is minimised.
  void wait_while_minimised();
  void framebuffer_size(int* width, int* height) const;
  bool key_down(int key) const;
  bool left_button_down() const;
  void set_title(const std::string& title);
  void toggle_full_screen();
  // Events since the last call; `ui_wants_mouse`/`ui_wants_keyboard` drop what the panel
  // takes.
  InputEvents take_input(bool ui_wants_mouse, bool ui_wants_keyboard);

 private:
  Window() = default;
  static void on_key(GLFWwindow* w, int key, int scancode, int action, int mods);
  static void on_button(GLFWwindow* w, int button, int action, int mods);
  static void on_cursor(GLFWwindow* w, double x, double y);
  static void on_scroll(GLFWwindow* w, double dx, double dy);
  static void on_drop(GLFWwindow* w, int count, const char** paths);

  GLFWwindow* window_ = nullptr;
  InputEvents pending_;
  double cursor_[2] = {0, 0};
  bool cursor_known_ = false;
  bool full_screen_ = false;
  int windowed_[4] = {0, 0, 0, 0};  // x, y, width, height before full screen
};

}  // namespace scenezip::viewer
