// Gaussian splatting in Vulkan compute: preprocess, radix sort of (tile, depth) keys,
// tile ranges, tile rasterization. The frame is recorded once per image size and
// submitted as often as wanted; counts flow through indirect dispatches, and nothing is
// read back inside a frame. The C++ twin is engine/render/splat_reference.h.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/gpu/context.h"
#include "engine/render/camera.h"
#include "engine/render/image.h"
#include "engine/render/splat_reference.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::gpu {

// Milliseconds per stage, from GPU timestamps.
struct SplatTimings {
  double preprocess = 0;
  double sort = 0;        // depth sort + instance emission + tile sort
  double sort_depth = 0;  // parts of `sort`
  double emit = 0;
  double sort_tiles = 0;
  double raster = 0;
  double total = 0;
  // Every dispatch's own time, in frame order, named by step (e.g. "depth sort scatter 2").
  std::vector<std::pair<std::string, double>> steps;
};

class SplatRenderer {
 public:
  // `initial_capacity` sets the first size of the tile-instance buffers (0: a guess from
  // the Gaussian count); frames that need more grow them.
  static Result<std::unique_ptr<SplatRenderer>> create(Context& context, const GaussianCloud& cloud,
                                                       std::size_t initial_capacity = 0);
  ~SplatRenderer();
  SplatRenderer(const SplatRenderer&) = delete;
  SplatRenderer& operator=(const SplatRenderer&) = delete;

  // Renders one frame and reads the image back.
  Result<Image> render(const Camera& camera, const std::array<float, 3>& background);
  // Blends the following frames over an opaque frame of the same size already on the
  // GPU (per pixel: colour vec4, camera-z depth float, as GeometryRenderer leaves them)
  // instead of the plain background; null buffers go back to the background.
  void set_underlay(const Buffer* color, const Buffer* depth);
  // Renders one frame without reading the image back; returns its GPU stage times.
  Result<SplatTimings> render_timed(const Camera& camera, const std::array<float, 3>& background);
  // Runs the frame with shaders/splat_importance.comp in place of the raster: adds each
  // Gaussian's blending weight alpha * T summed over the image's pixels into `sums`
  // (uvec2 per Gaussian: 64-bit fixed point, shaderio::kImportanceFixedScale per unit
  // weight), writing no image. The sums stay on the GPU across frames.
  Status accumulate_blend_weights(const Camera& camera, const Buffer& sums);
  // Counts of the last frame.
  const SplatStats& last_stats() const { return stats_; }
  // After a frame: vec4 (rgb, alpha) per pixel, row-major from the top-left.
  const Buffer& image_buffer() const { return image_; }
  // Viewer settings for the frames that follow: every Gaussian's scale multiplied by
  // `scale` (1: as stored), and SH evaluated up to min(degree, the cloud's degree).
  void set_scale_modifier(float scale) { scale_modifier_ = scale; }
  void set_shown_sh_degree(int degree) { shown_sh_degree_ = degree; }
  int sh_degree() const { return sh_degree_; }
  std::size_t count() const { return count_; }
  std::size_t instance_capacity() const { return capacity_; }
  // Which raster kernel draws: "blocks" (a 32-wide subgroup per 8x4 block of pixels,
  // where the device runs full 32-wide subgroups) or "tiles" (any device).
  const char* raster_kernel() const { return raster_by_block_ ? "blocks" : "tiles"; }
  // Where the block kernel runs, frames with at least this many tile instances take its
  // queued walk (splat_raster.glsl); 0: never. Whether the last frame took it.
  void set_queued_walk(std::uint32_t instances) { queued_walk_ = instances; }
  std::uint32_t queued_walk() const { return queued_walk_; }
  bool last_frame_queued() const {
    return raster_by_block_ && queued_walk_ != 0 && stats_.instances >= queued_walk_;
  }
  // Each kernel's driver statistics (ContextOptions::pipeline_statistics), by kernel.
  using KernelStatistics = std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>;
  KernelStatistics kernel_statistics() const;
  // Bytes of GPU memory the renderer holds now: the scene, its per-Gaussian frame
  // buffers and the image-sized and tile-instance buffers of the last frame size.
  std::size_t device_bytes() const;

 private:
  explicit SplatRenderer(Context& context) : context_(context) {}
  Status init(const GaussianCloud& cloud);
  Status prepare(const Camera& camera, const std::array<float, 3>& background);
  Status allocate_frame(int width, int height, std::size_t capacity);
  Status record();
  void release_recording();
  Status run_frame(const Camera& camera, const std::array<float, 3>& background);

  Context& context_;
  std::size_t count_ = 0;
  int sh_degree_ = 0;
  int shown_sh_degree_ = 3;
  float scale_modifier_ = 1.0f;
  // A sphere holding every Gaussian's centre: the farthest depth a frame can see, which
  // sets the depth key's precision (FrameParams::depth_key_shift).
  std::array<double, 3> bound_centre_{0, 0, 0};
  double bound_radius_ = 0;

  ComputePipeline preprocess_, histogram_, scatter_, emit_count_, emit_, raster_;
  ComputePipeline raster_queued_;  // where raster_by_block_
  std::uint32_t queued_walk_ = shaderio::kQueuedWalkInstances;
  bool raster_by_block_ = false;
  // Keys per invocation of the radix and emission kernels' blocks (their specialization
  // constant, shaderio.h), and keys per block.
  std::uint32_t radix_items_ = shaderio::kRadixItemsPerThread;
  std::size_t radix_block() const { return std::size_t{radix_items_} * shaderio::kRadixWorkgroupSize; }
  ComputePipeline importance_;           // built on the first accumulate_blend_weights
  const Buffer* weight_sums_ = nullptr;  // set: frames end in the importance pass
  Buffer params_, positions_, log_scales_, rotations_, logits_, sh_;
  Buffer splats_, counters_, dummy_;
  Buffer depth_keys_[2], depth_values_[2];  // visible Gaussians, sorted by depth
  Buffer keys_tile_[2], values_[2];         // tile instances, sorted by tile
  Buffer tile_counts_;                      // per Gaussian
  // The radix sorts' look-back words, a pass's in one and the next pass's in the other,
  // and their state (shaderio.h), the depth sort's then the tile sort's.
  Buffer lookback_[2], radix_state_[2];
  Buffer block_sums_, tile_ranges_, image_;

  int width_ = 0, height_ = 0, tiles_x_ = 0, tiles_y_ = 0;
  std::size_t capacity_ = 0;
  int final_buffer_ = 0;
  const Buffer* underlay_color_ = nullptr;
  const Buffer* underlay_depth_ = nullptr;  // which of the ping-pong buffers holds the sorted result
  VkCommandBuffer commands_ = VK_NULL_HANDLE;
  std::vector<VkDescriptorSet> sets_;
  VkQueryPool timestamps_ = VK_NULL_HANDLE;
  std::vector<std::string> timestamp_labels_;  // what ended before each timestamp
  std::uint32_t stage_timestamps_[6] = {};     // start, preprocess, depth sort, emit, tile sort, raster
  SplatStats stats_;
};

}  // namespace scenezip::gpu
