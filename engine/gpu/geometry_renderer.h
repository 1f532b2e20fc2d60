// Opaque meshes and point clouds in Vulkan compute, no graphics pipeline: a vertex pass,
// two raster passes into a depth buffer and a visibility buffer (nearest depth, then
// the lowest id at that depth), and a per-pixel resolve that shades. A frame is recorded
// once per image size and submitted as often as wanted. The C++ twins and the rules
// both follow are in engine/render/mesh_reference.h.
#pragma once

#include <array>
#include <memory>

#include "engine/gpu/context.h"
#include "engine/render/camera.h"
#include "engine/render/image.h"
#include "engine/render/mesh_reference.h"
#include "engine/scene/mesh.h"

namespace scenezip::gpu {

// Milliseconds per stage, from GPU timestamps.
struct GeometryTimings {
  double transform = 0;  // mesh vertices projected (0 for points)
  double raster = 0;     // both raster passes
  double resolve = 0;
  double total = 0;
};

class GeometryRenderer {
 public:
  static Result<std::unique_ptr<GeometryRenderer>> create(Context& context, const Mesh& mesh);
  // `point_size`: side of each point's pixel square; 0 picks default_point_size(height)
  // for each frame.
  static Result<std::unique_ptr<GeometryRenderer>> create(Context& context, const PointCloud& cloud,
                                                          int point_size = 0);
  ~GeometryRenderer();
  GeometryRenderer(const GeometryRenderer&) = delete;
  GeometryRenderer& operator=(const GeometryRenderer&) = delete;

  // Renders one frame and reads the image back.
  Result<Image> render(const Camera& camera, const std::array<float, 3>& background);
  // Renders one frame and reads back the image and the depth buffer.
  Result<GeometryFrame> render_frame(const Camera& camera, const std::array<float, 3>& background);
  // Renders one frame and leaves it on the GPU, in image_buffer() and depth_buffer().
  Status draw(const Camera& camera, const std::array<float, 3>& background);
  // Renders one frame without reading it back; returns its GPU stage times.
  Result<GeometryTimings> render_timed(const Camera& camera, const std::array<float, 3>& background);

  // After a frame: per pixel, row-major from the top-left, width * height entries.
  // Colour as vec4 (rgb, alpha 1 where something was drawn, 0 on the background).
  const Buffer& image_buffer() const { return image_; }
  // Camera z as float, +infinity where nothing was drawn: what translucent layers
  // (Gaussians) test against when composited over this frame.
  const Buffer& depth_buffer() const { return depth_; }
  bool is_mesh() const { return mesh_; }
  // Triangles of a mesh, or points of a cloud.
  std::size_t primitive_count() const { return primitives_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  explicit GeometryRenderer(Context& context) : context_(context) {}
  Status init_pipelines();
  Status check_size(VkDeviceSize bytes, const char* what) const;
  Status prepare(const Camera& camera, const std::array<float, 3>& background);
  Status record();
  void release_recording();

  Context& context_;
  bool mesh_ = false;
  std::size_t vertices_ = 0;    // mesh vertices, or points
  std::size_t primitives_ = 0;  // triangles, or points
  int fixed_point_size_ = 0;
  bool has_normals_ = false, has_texcoords_ = false, has_colors_ = false;
  std::uint32_t material_count_ = 0;

  ComputePipeline vertex_, raster_, resolve_;
  Buffer params_, positions_, normals_, texcoords_, colors_;
  Buffer indices_, projected_, triangle_material_, materials_, textures_, texels_;
  Buffer big_, big_args_;  // triangles for the workgroup-per-triangle raster path
  Buffer depth_, ids_, image_;

  int width_ = 0, height_ = 0;
  VkCommandBuffer commands_ = VK_NULL_HANDLE;
  std::vector<VkDescriptorSet> sets_;
  VkQueryPool timestamps_ = VK_NULL_HANDLE;
};

}  // namespace scenezip::gpu
