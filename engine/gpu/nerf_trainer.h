// Radiance fields on Vulkan compute: training from photographs on the hash-grid
// FieldTrainer (shaders/nerf_*.comp around its forward and backward passes), and the
// ray-marching renderer. The C++ twins are in engine/field/nerf.h.
//
// A training step is recorded once: march (random rays from the step count, samples
// through the occupancy grid), the field's forward pass, composite (loss and output
// gradients), the ray count for the next step, the field's backward pass and Adam.
// Every grid_interval-th step a second recorded buffer re-estimates a slice of the
// grid first. The CPU only picks which of the two buffers to submit; the images live
// on the GPU.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "engine/field/nerf.h"
#include "engine/gpu/field_kernels.h"
#include "engine/gpu/shaders.h"

namespace scenezip::gpu {

// Photographs as training needs them: one size, cameras as nerf_camera_rows, pixels
// RGBA8 packed (r in the low byte), colour premultiplied by alpha (a photograph without
// alpha: 255), images one after another, rows from the top.
struct NerfImages {
  int width = 0, height = 0;
  std::vector<std::array<float, 16>> cameras;
  std::vector<std::uint32_t> pixels;
};

struct NerfTrainOptions {
  std::uint32_t seed = 1;
  std::uint32_t max_rays = 1 << 16;  // per step; the actual count adapts to fill the batch
  std::uint32_t grid_interval = 16;  // steps between grid updates
  float grid_decay = 0.95f;
  // Each ray composites over its own random colour (and its premultiplied pixel over the
  // same), as Instant-NGP trains: empty space must become transparent. False: the
  // settings' background.
  bool random_background = true;
};

class NerfTrainer {
 public:
  static Result<std::unique_ptr<NerfTrainer>> create(Context& context, const field::FieldModel& model,
                                                     const field::NerfSettings& settings, const NerfImages& images,
                                                     const NerfTrainOptions& options);
  ~NerfTrainer();
  NerfTrainer(const NerfTrainer&) = delete;
  NerfTrainer& operator=(const NerfTrainer&) = delete;

  // `steps` more training steps (waits for them).
  Status train(int steps);
  int steps_done() const { return steps_done_; }
  // Mean squared error per channel of the last step's rays, and how many rays it drew.
  Result<double> last_loss();
  Result<std::uint32_t> last_rays();
  // The density threshold the march uses now: min(the settings', the grid's mean at the
  // last update). A field stored or rendered as trained takes this one.
  Result<float> density_threshold() const;

  // Pruning: from now on, every step ends by zeroing the hash entries whose `keep` flag
  // is false (one flag per table entry), and they are zeroed at once; training goes on
  // fine-tuning the rest. An empty vector keeps every entry again.
  Status keep_only(const std::vector<bool>& keep);

  Status download(field::FieldModel* model) const;
  Result<std::vector<float>> download_grid() const;
  Status upload_grid(const std::vector<float>& grid);
  FieldTrainer& field() { return *field_; }
  const Buffer& grid() const { return *grid_; }

  // For tests: run only the march, the field's forward pass and composite of one step
  // (no update; the step count stays), then read back what they wrote.
  Status run_march_and_composite();
  struct StepState {
    std::vector<std::uint32_t> rays;  // 4 per ray: first, count, image, pixel
    std::vector<float> ray_loss, steps, positions, directions, outputs, deltas;
    std::uint32_t ray_count = 0;
  };
  Result<StepState> download_step_state();

 private:
  struct Pipelines;
  explicit NerfTrainer(Context& context);
  shaderio::NerfPush base_push() const;
  void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, VkDescriptorSet set,
                shaderio::NerfPush push, std::uint64_t items) const;
  void record_grid_update(VkCommandBuffer cmd) const;
  void record_march_composite(VkCommandBuffer cmd) const;
  void record_step(VkCommandBuffer cmd) const;
  void record_prune(VkCommandBuffer cmd) const;
  Status record_commands();
  // Copies `bytes` from the CPU into `target`, then records `then` in the same submit.
  Status copy_into(const Buffer& target, const void* data, VkDeviceSize bytes,
                   const std::function<void(VkCommandBuffer)>& then);

  Context& context_;
  field::NerfSettings settings_;
  NerfTrainOptions options_;
  std::unique_ptr<FieldTrainer> field_;
  std::uint32_t images_ = 0, width_ = 0, height_ = 0, capacity_ = 0, entries_ = 0, features_ = 0;
  bool pruned_ = false;  // steps end with nerf_prune.comp
  std::unique_ptr<Buffer> cameras_, pixels_, grid_, rays_, ray_loss_, steps_, control_, keep_;
  std::unique_ptr<Pipelines> pipelines_;
  VkCommandBuffer step_cmd_ = VK_NULL_HANDLE, grid_step_cmd_ = VK_NULL_HANDLE;
  int steps_done_ = 0;
};

// Renders a radiance field: the parameters and grid uploaded once, any camera after.
// On llvmpipe (the CPU Vulkan driver) a shader loop ends after 65,535 iterations in all:
// there the renderer takes nerf_render_llvmpipe.comp, whose loops run few trips per
// sample, and even so a pixel's samples times its hash levels x 8 must stay under that
// (tests use small fields: 8 levels, one hidden layer of 32, 256 samples per ray).
class NerfRenderer {
 public:
  // kAuto: nerf_render_llvmpipe.comp on the CPU driver, nerf_render.comp elsewhere; the
  // others force one (tests run both on the CPU driver, on fields small enough for it).
  enum class Variant { kAuto, kLoops, kForLlvmpipe };
  static Result<std::unique_ptr<NerfRenderer>> create(Context& context, const field::FieldModel& model,
                                                      const field::NerfSettings& settings,
                                                      const std::vector<float>& grid, Variant variant = Variant::kAuto);
  // Renders with a trainer's live parameters and grid (no copies); the trainer must
  // outlive the renderer.
  static Result<std::unique_ptr<NerfRenderer>> create(Context& context, NerfTrainer& trainer,
                                                      const field::FieldModel& model,
                                                      const field::NerfSettings& settings);
  ~NerfRenderer();
  Result<Image> render(const Camera& camera);
  // How much each hash entry shows in the pictures of `cameras` (nerf_contribution.comp):
  // over every pixel's samples, the sample's compositing weight (transmittance x alpha)
  // times the entry's trilinear weight at that sample, summed. One float per table entry;
  // what pruning ranks entries by (field::NerfStoreOptions).
  Result<std::vector<float>> contribution(const std::vector<Camera>& cameras);
  // Milliseconds of the last render's dispatch on the GPU, from timestamps around it
  // (where the queue has none: last_wall_ms()).
  double last_ms() const { return last_ms_; }
  // The same dispatch from submit to the fence on the CPU's clock (the image download
  // is not counted in either).
  double last_wall_ms() const { return last_wall_ms_; }

 private:
  NerfRenderer(Context& context) : context_(context) {}
  Status init(const Buffer& levels, const Buffer& params, const Buffer& grid, Variant variant);
  Status make_pipeline(const Spirv& spirv, std::uint32_t bindings, std::unique_ptr<ComputePipeline>* out);
  Result<shaderio::NerfRenderPush> push_for(const Camera& camera);
  Status dispatch_timed(const ComputePipeline& pipeline, const BufferBindings& bindings,
                        const shaderio::NerfRenderPush& push);
  Status ensure_image(int pixels);
  Context& context_;
  field::FieldConfig config_;
  field::NerfSettings settings_;
  const NerfTrainer* live_ = nullptr;  // rendering a trainer's field: its threshold at each render
  std::unique_ptr<Buffer> levels_, params_, grid_, image_;
  const Buffer* bound_levels_ = nullptr;
  const Buffer* bound_params_ = nullptr;
  const Buffer* bound_grid_ = nullptr;
  std::unique_ptr<ComputePipeline> pipeline_, contribution_pipeline_;
  bool for_llvmpipe_ = false;
  int image_pixels_ = 0;
  VkQueryPool timestamps_ = VK_NULL_HANDLE;
  double last_ms_ = 0, last_wall_ms_ = 0;
};

// Renders a field once (creating a renderer): the function other tools call.
Result<Image> render_field(Context& context, const field::FieldModel& model, const field::NerfSettings& settings,
                           const std::vector<float>& grid, const Camera& camera);

}  // namespace scenezip::gpu
