// One file open in the viewer: read and decoded on a worker thread, then uploaded to the
// GPU on the render thread (the queue has one owner). A file that fails to load leaves
// the scene already shown in place and reports its error.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "engine/gpu/context.h"
#include "engine/scene/scene.h"
#include "tools/render_support.h"

namespace scenezip::viewer {

// What the panel shows about a loaded file.
struct SceneFacts {
  std::string path;
  std::string with_path;       // the opaque scene under the Gaussians, if any
  SceneKind kind = SceneKind::kGaussians;
  std::size_t count = 0;       // Gaussians, triangles or points
  std::size_t vertices = 0;    // mesh vertices
  int sh_degree = 0;
  std::uint64_t bytes = 0;     // on disk, both files of a composite
  cli::Orbit orbit;
  // A radiance field (no Scene): count is its occupied grid cells, and its orbit is
  // field_orbit_camera's around the field's box, +z up.
  std::shared_ptr<const field::DecodedNerf> field;
};

class SceneSlot {
 public:
  // Starts reading `path` (and `with_path`, composited under it, if not empty) on a
  // worker thread. A load already under way is left to finish and dropped.
  void open(const std::string& path, const std::string& with_path = "");
  // On the render thread, once per frame: when a read has finished, uploads it and
  // releases the previous scene's GPU memory; a failed read or upload sets error().
  // Returns true when a new scene replaced the old one.
  bool update(gpu::Context& context, const std::string& up);
  // Blocks until the read under way is done (scripted mode), then update()s.
  bool finish(gpu::Context& context, const std::string& up);

  bool loading() const { return pending_.valid(); }
  double loading_seconds() const;
  const std::string& loading_path() const { return pending_path_; }
  bool ready() const { return renderer_ != nullptr; }
  const std::string& error() const { return error_; }
  void clear_error() { error_.clear(); }
  const SceneFacts& facts() const { return facts_; }
  cli::SceneRenderer* renderer() { return renderer_.get(); }
  // Re-derives the orbit for another up axis ("auto", "-y", "+y").
  Status set_up(const std::string& up);

 private:
  struct Loaded {
    Scene scene;
    std::optional<Scene> with;
    std::shared_ptr<const field::DecodedNerf> field;  // set instead of scene for a field file
  };
  bool take_field(gpu::Context& context, std::shared_ptr<const field::DecodedNerf> field);

  std::future<Result<Loaded>> pending_;
  std::string pending_path_, pending_with_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<cli::SceneRenderer> renderer_;
  SceneFacts facts_;
  std::string error_;
};

}  // namespace scenezip::viewer
