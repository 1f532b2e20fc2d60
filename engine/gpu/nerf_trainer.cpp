#include "engine/gpu/nerf_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "engine/gpu/shaders.h"
#include "engine/gpu/tiled_dispatch.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

struct NerfTrainer::Pipelines {
  ComputePipeline march, composite, rays, grid_sample, grid_update, grid_mean, prune;
  std::vector<std::pair<const ComputePipeline*, VkDescriptorSet>> sets;
  VkDescriptorSet set_of(const ComputePipeline& p) const {
    for (const auto& [pipeline, set] : sets) {
      if (pipeline == &p) return set;
    }
    return VK_NULL_HANDLE;
  }
};

NerfTrainer::NerfTrainer(Context& context) : context_(context), pipelines_(std::make_unique<Pipelines>()) {}

NerfTrainer::~NerfTrainer() {
  if (step_cmd_) context_.free_commands(step_cmd_);
  if (grid_step_cmd_) context_.free_commands(grid_step_cmd_);
  if (pipelines_) {
    for (const auto& entry : pipelines_->sets) context_.free_descriptor_set(entry.second);
  }
}

Result<std::unique_ptr<NerfTrainer>> NerfTrainer::create(Context& context, const field::FieldModel& model,
                                                         const field::NerfSettings& settings,
                                                         const NerfImages& images, const NerfTrainOptions& options) {
  SCZ_RETURN_IF_ERROR(settings.validate());
  const field::FieldConfig& config = model.config();
  if (config.output_dims != static_cast<int>(io::kNerfOutputs) ||
      config.output_activation != field::OutputActivation::kNone) {
    return invalid_input("a radiance field needs 4 raw outputs (density, r g b) and no output activation");
  }
  if (images.cameras.empty() || images.width <= 0 || images.height <= 0 ||
      images.pixels.size() != images.cameras.size() * static_cast<std::size_t>(images.width) * images.height) {
    return invalid_input("radiance field training: no images, or pixels that do not match the cameras");
  }
  if (options.max_rays == 0 || options.grid_interval == 0) return invalid_input("radiance field training: bad options");
  std::unique_ptr<NerfTrainer> t(new NerfTrainer(context));
  t->settings_ = settings;
  t->options_ = options;
  t->images_ = static_cast<std::uint32_t>(images.cameras.size());
  t->width_ = static_cast<std::uint32_t>(images.width);
  t->height_ = static_cast<std::uint32_t>(images.height);
  t->capacity_ = static_cast<std::uint32_t>(config.batch_size);
  t->entries_ = model.layout().entries;
  t->features_ = static_cast<std::uint32_t>(model.layout().features);
  SCZ_ASSIGN_OR_RETURN(t->field_, FieldTrainer::create(context, model, t->capacity_));

  auto upload = [&](std::unique_ptr<Buffer>* out, const void* data, std::uint64_t bytes) -> Status {
    SCZ_ASSIGN_OR_RETURN(Buffer buffer, context.upload_device(data, bytes));
    *out = std::make_unique<Buffer>(std::move(buffer));
    return Status::Ok();
  };
  auto device = [&](std::unique_ptr<Buffer>* out, std::uint64_t bytes) -> Status {
    SCZ_ASSIGN_OR_RETURN(Buffer buffer, context.create_buffer(bytes, false));
    *out = std::make_unique<Buffer>(std::move(buffer));
    return Status::Ok();
  };
  std::vector<float> cameras;
  for (const auto& rows : images.cameras) cameras.insert(cameras.end(), rows.begin(), rows.end());
  SCZ_RETURN_IF_ERROR(upload(&t->cameras_, cameras.data(), cameras.size() * sizeof(float)));
  SCZ_RETURN_IF_ERROR(upload(&t->pixels_, images.pixels.data(), images.pixels.size() * sizeof(std::uint32_t)));
  const std::size_t g = static_cast<std::size_t>(settings.grid_resolution);
  // Every cell starts occupied, and stays so until its slice is first sampled (every
  // update decays all cells): from then on the field's density decides.
  const std::uint64_t cells = g * g * g;
  const std::uint64_t slices = (cells + t->capacity_ - 1) / t->capacity_;
  const float start = settings.density_threshold * 2.0f / std::pow(options.grid_decay, static_cast<float>(slices));
  const std::vector<float> grid(cells, start);
  SCZ_RETURN_IF_ERROR(upload(&t->grid_, grid.data(), grid.size() * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device(&t->rays_, static_cast<std::uint64_t>(options.max_rays) * 4 * sizeof(std::uint32_t)));
  SCZ_RETURN_IF_ERROR(device(&t->ray_loss_, static_cast<std::uint64_t>(options.max_rays) * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device(&t->steps_, static_cast<std::uint64_t>(t->capacity_) * sizeof(float)));
  // The first step draws few rays; the count adapts from there.
  std::vector<std::uint32_t> control(io::kNerfControlSlots, 0);
  control[io::kNerfControlRays] = std::min<std::uint32_t>(options.max_rays, std::max(1u, t->capacity_ / 256));
  std::memcpy(&control[io::kNerfControlThreshold], &settings.density_threshold, sizeof(float));
  SCZ_RETURN_IF_ERROR(upload(&t->control_, control.data(), control.size() * sizeof(std::uint32_t)));
  const std::vector<std::uint32_t> keep_all((t->entries_ + 31) / 32, ~0u);
  SCZ_RETURN_IF_ERROR(upload(&t->keep_, keep_all.data(), keep_all.size() * sizeof(std::uint32_t)));

  Pipelines& p = *t->pipelines_;
  FieldTrainer& f = *t->field_;
  const BufferBindings all = {
      {io::kNerfBindingCameras, t->cameras_.get()},   {io::kNerfBindingPixels, t->pixels_.get()},
      {io::kNerfBindingGrid, t->grid_.get()},         {io::kNerfBindingRays, t->rays_.get()},
      {io::kNerfBindingRayLoss, t->ray_loss_.get()},  {io::kNerfBindingSteps, t->steps_.get()},
      {io::kNerfBindingPositions, &f.positions()},    {io::kNerfBindingDirections, &f.directions()},
      {io::kNerfBindingOutputs, &f.outputs()},        {io::kNerfBindingDeltas, &f.deltas()},
      {io::kNerfBindingFieldControl, &f.control()},   {io::kNerfBindingControl, t->control_.get()},
      {io::kNerfBindingKeep, t->keep_.get()},         {io::kNerfBindingFieldParams, &f.params()}};
  auto make = [&](Spirv spirv, ComputePipeline* out) -> Status {
    SCZ_ASSIGN_OR_RETURN(*out, context.create_compute_pipeline(spirv.words, spirv.count, io::kNerfBindingCount,
                                                               sizeof(io::NerfPush)));
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, context.create_descriptor_set(*out, all));
    p.sets.emplace_back(out, set);
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(make(nerf_march_spirv(), &p.march));
  SCZ_RETURN_IF_ERROR(make(nerf_composite_spirv(), &p.composite));
  SCZ_RETURN_IF_ERROR(make(nerf_rays_spirv(), &p.rays));
  SCZ_RETURN_IF_ERROR(make(nerf_grid_sample_spirv(), &p.grid_sample));
  SCZ_RETURN_IF_ERROR(make(nerf_grid_update_spirv(), &p.grid_update));
  SCZ_RETURN_IF_ERROR(make(nerf_grid_mean_spirv(), &p.grid_mean));

  SCZ_RETURN_IF_ERROR(make(nerf_prune_spirv(), &p.prune));
  SCZ_RETURN_IF_ERROR(t->record_commands());
  return t;
}

namespace {

// How rays march and composite, as the training and the rendering shaders both read it.
template <typename Push>
void set_march_settings(const field::NerfSettings& settings, Push* push) {
  push->max_samples = static_cast<std::uint32_t>(settings.max_samples);
  push->min_step = settings.min_step;
  push->max_step = settings.max_step;
  push->cone = settings.cone;
  push->density_threshold = settings.density_threshold;
  push->background_r = settings.background[0];
  push->background_g = settings.background[1];
  push->background_b = settings.background[2];
}

}  // namespace

// The two recorded steps, replayed for the whole training (recorded again when pruning
// starts or stops).
Status NerfTrainer::record_commands() {
  for (int with_grid = 0; with_grid < 2; ++with_grid) {
    VkCommandBuffer& cmd = with_grid ? grid_step_cmd_ : step_cmd_;
    if (cmd) context_.free_commands(cmd);
    cmd = VK_NULL_HANDLE;
    SCZ_ASSIGN_OR_RETURN(cmd, context_.allocate_commands());
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
    vkBeginCommandBuffer(cmd, &begin);
    Context::compute_barrier(cmd);  // the previous step's writes before this one's reads
    if (with_grid) record_grid_update(cmd);
    record_step(cmd);
    vkEndCommandBuffer(cmd);
  }
  return Status::Ok();
}

io::NerfPush NerfTrainer::base_push() const {
  io::NerfPush push{};
  push.max_rays = options_.max_rays;
  push.capacity = capacity_;
  push.images = images_;
  push.width = width_;
  push.height = height_;
  push.grid_resolution = static_cast<std::uint32_t>(settings_.grid_resolution);
  push.seed = options_.seed;
  push.delta_offset = field_->output_delta_offset();
  push.cells_per_update = capacity_;
  push.grid_interval = options_.grid_interval;
  set_march_settings(settings_, &push);
  push.decay = options_.grid_decay;
  push.random_background = options_.random_background ? 1u : 0u;
  push.hash_entries = entries_;
  push.features = features_;
  return push;
}

void NerfTrainer::dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, VkDescriptorSet set,
                           io::NerfPush push, std::uint64_t items) const {
  if (items == 0) return;
  record_tiled_dispatch(context_, cmd, pipeline, set, push, items, io::kNerfWorkgroupSize);
  Context::compute_barrier(cmd);
}

void NerfTrainer::record_grid_update(VkCommandBuffer cmd) const {
  const Pipelines& p = *pipelines_;
  const io::NerfPush push = base_push();
  dispatch(cmd, p.grid_sample, p.set_of(p.grid_sample), push, capacity_);
  field_->record_forward(cmd, capacity_, false);
  const std::uint64_t g = static_cast<std::uint64_t>(settings_.grid_resolution);
  dispatch(cmd, p.grid_update, p.set_of(p.grid_update), push, g * g * g);
  dispatch(cmd, p.grid_mean, p.set_of(p.grid_mean), push, io::kNerfWorkgroupSize);  // one workgroup
}

void NerfTrainer::record_march_composite(VkCommandBuffer cmd) const {
  const Pipelines& p = *pipelines_;
  const io::NerfPush push = base_push();
  dispatch(cmd, p.march, p.set_of(p.march), push, options_.max_rays);
  field_->record_forward(cmd, capacity_, false);
  // Samples no ray claimed keep zero gradients.
  vkCmdFillBuffer(cmd, field_->deltas().handle(), static_cast<VkDeviceSize>(field_->output_delta_offset()) * 4,
                  static_cast<VkDeviceSize>(capacity_) * io::kNerfOutputs * 4, 0);
  Context::compute_barrier(cmd);
  dispatch(cmd, p.composite, p.set_of(p.composite), push, options_.max_rays);
}

void NerfTrainer::record_step(VkCommandBuffer cmd) const {
  const Pipelines& p = *pipelines_;
  record_march_composite(cmd);
  dispatch(cmd, p.rays, p.set_of(p.rays), base_push(), 1);
  field_->record_backward(cmd, capacity_);
  field_->record_update(cmd);
  if (pruned_) record_prune(cmd);
}

void NerfTrainer::record_prune(VkCommandBuffer cmd) const {
  const Pipelines& p = *pipelines_;
  dispatch(cmd, p.prune, p.set_of(p.prune), base_push(), entries_);
}

Status NerfTrainer::keep_only(const std::vector<bool>& keep) {
  if (!keep.empty() && keep.size() != entries_) return invalid_input("keep mask does not match the table's entries");
  std::vector<std::uint32_t> bits((entries_ + 31) / 32, keep.empty() ? ~0u : 0u);
  for (std::size_t e = 0; e < keep.size(); ++e) {
    if (keep[e]) bits[e / 32] |= 1u << (e % 32);
  }
  pruned_ = !keep.empty();
  SCZ_RETURN_IF_ERROR(copy_into(*keep_, bits.data(), bits.size() * sizeof(std::uint32_t), [&](VkCommandBuffer cmd) {
    if (pruned_) record_prune(cmd);  // zero the dropped entries now, not only after the next step
  }));
  return record_commands();
}

Status NerfTrainer::train(int steps) {
  // Groups of up to 64 steps per submit; the CPU only chooses which recorded step.
  constexpr int kGroup = 64;
  std::vector<VkCommandBuffer> cmds;
  int done = 0;
  while (done < steps) {
    cmds.clear();
    while (done < steps && static_cast<int>(cmds.size()) < kGroup) {
      const bool grid = steps_done_ % static_cast<int>(options_.grid_interval) == 0;
      cmds.push_back(grid ? grid_step_cmd_ : step_cmd_);
      ++steps_done_;
      ++done;
    }
    SCZ_RETURN_IF_ERROR(context_.submit_and_wait_all(cmds.data(), static_cast<std::uint32_t>(cmds.size())));
  }
  return Status::Ok();
}

Result<double> NerfTrainer::last_loss() {
  std::vector<float> loss(options_.max_rays);
  SCZ_RETURN_IF_ERROR(context_.download(*ray_loss_, loss.data(), loss.size() * sizeof(float)));
  std::vector<std::uint32_t> rays(4 * static_cast<std::size_t>(options_.max_rays));
  SCZ_RETURN_IF_ERROR(context_.download(*rays_, rays.data(), rays.size() * sizeof(std::uint32_t)));
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < loss.size(); ++i) {
    if (rays[4 * i + 1] == 0) continue;  // dropped or missing the box
    sum += loss[i];
    ++n;
  }
  return n ? sum / (3.0 * n) : 0.0;
}

Result<std::uint32_t> NerfTrainer::last_rays() {
  std::vector<std::uint32_t> control(io::kNerfControlSlots);
  SCZ_RETURN_IF_ERROR(context_.download(*control_, control.data(), control.size() * sizeof(std::uint32_t)));
  return control[io::kNerfControlRays];
}

Result<float> NerfTrainer::density_threshold() const {
  std::vector<std::uint32_t> control(io::kNerfControlSlots);
  SCZ_RETURN_IF_ERROR(context_.download(*control_, control.data(), control.size() * sizeof(std::uint32_t)));
  float threshold;
  std::memcpy(&threshold, &control[io::kNerfControlThreshold], sizeof(float));
  return threshold;
}

Status NerfTrainer::download(field::FieldModel* model) const { return field_->download_params(&model->params); }

Result<std::vector<float>> NerfTrainer::download_grid() const {
  const std::size_t g = static_cast<std::size_t>(settings_.grid_resolution);
  std::vector<float> grid(g * g * g);
  SCZ_RETURN_IF_ERROR(context_.download(*grid_, grid.data(), grid.size() * sizeof(float)));
  return grid;
}

Status NerfTrainer::upload_grid(const std::vector<float>& grid) {
  const std::size_t g = static_cast<std::size_t>(settings_.grid_resolution);
  if (grid.size() != g * g * g) return invalid_input("occupancy grid of the wrong size");
  return copy_into(*grid_, grid.data(), grid.size() * sizeof(float), [](VkCommandBuffer) {});
}

Status NerfTrainer::copy_into(const Buffer& target, const void* data, VkDeviceSize bytes,
                              const std::function<void(VkCommandBuffer)>& then) {
  SCZ_ASSIGN_OR_RETURN(Buffer staging, context_.upload(data, bytes));
  return field_->run_once([&](VkCommandBuffer cmd) {
    VkBufferCopy region{0, 0, bytes};
    vkCmdCopyBuffer(cmd, staging.handle(), target.handle(), 1, &region);
    Context::compute_barrier(cmd);
    then(cmd);
  });
}

Status NerfTrainer::run_march_and_composite() {
  return field_->run_once([&](VkCommandBuffer cmd) { record_march_composite(cmd); });
}

Result<NerfTrainer::StepState> NerfTrainer::download_step_state() {
  StepState s;
  s.rays.resize(4 * static_cast<std::size_t>(options_.max_rays));
  SCZ_RETURN_IF_ERROR(context_.download(*rays_, s.rays.data(), s.rays.size() * 4));
  s.ray_loss.resize(options_.max_rays);
  SCZ_RETURN_IF_ERROR(context_.download(*ray_loss_, s.ray_loss.data(), s.ray_loss.size() * 4));
  s.steps.resize(capacity_);
  SCZ_RETURN_IF_ERROR(context_.download(*steps_, s.steps.data(), s.steps.size() * 4));
  s.positions.resize(3 * static_cast<std::size_t>(capacity_));
  SCZ_RETURN_IF_ERROR(context_.download(field_->positions(), s.positions.data(), s.positions.size() * 4));
  s.directions.resize(3 * static_cast<std::size_t>(capacity_));
  SCZ_RETURN_IF_ERROR(context_.download(field_->directions(), s.directions.data(), s.directions.size() * 4));
  SCZ_RETURN_IF_ERROR(field_->download_outputs(&s.outputs, capacity_));
  std::vector<float> deltas(field_->deltas().size() / 4);
  SCZ_RETURN_IF_ERROR(context_.download(field_->deltas(), deltas.data(), deltas.size() * 4));
  const std::size_t off = field_->output_delta_offset();
  s.deltas.assign(deltas.begin() + off, deltas.begin() + off + static_cast<std::size_t>(capacity_) * io::kNerfOutputs);
  std::vector<std::uint32_t> control(io::kNerfControlSlots);
  SCZ_RETURN_IF_ERROR(context_.download(*control_, control.data(), control.size() * 4));
  s.ray_count = control[io::kNerfControlRays];
  return s;
}

// --- Renderer -------------------------------------------------------------------------

namespace {
Result<std::vector<std::uint32_t>> level_table(const field::FieldModel& model) {
  std::vector<std::uint32_t> levels;
  for (const field::HashLevel& level : model.layout().levels) {
    levels.insert(levels.end(), {level.resolution, level.offset, level.size, level.dense ? 1u : 0u});
  }
  return levels;
}

Status check_renderable(const field::FieldModel& model, const field::NerfSettings& settings) {
  const field::FieldConfig& c = model.config();
  SCZ_RETURN_IF_ERROR(settings.validate());
  if (c.output_dims != static_cast<int>(io::kNerfOutputs) || c.input_dims() > static_cast<int>(io::kNerfRenderMaxWidth) ||
      (c.hidden_layers > 0 && c.hidden_width > static_cast<int>(io::kNerfRenderMaxWidth))) {
    return unsupported("the radiance field renderer takes 4 outputs and layers of at most " +
                       std::to_string(io::kNerfRenderMaxWidth) + " units");
  }
  return Status::Ok();
}
}  // namespace

NerfRenderer::~NerfRenderer() {
  if (timestamps_) context_.destroy_query_pool(timestamps_);
}

Result<std::unique_ptr<NerfRenderer>> NerfRenderer::create(Context& context, const field::FieldModel& model,
                                                           const field::NerfSettings& settings,
                                                           const std::vector<float>& grid, Variant variant) {
  SCZ_RETURN_IF_ERROR(check_renderable(model, settings));
  const std::size_t g = static_cast<std::size_t>(settings.grid_resolution);
  if (grid.size() != g * g * g) return invalid_input("occupancy grid of the wrong size");
  std::unique_ptr<NerfRenderer> r(new NerfRenderer(context));
  r->config_ = model.config();
  r->settings_ = settings;
  SCZ_ASSIGN_OR_RETURN(const std::vector<std::uint32_t> levels, level_table(model));
  auto upload = [&](std::unique_ptr<Buffer>* out, const void* data, std::uint64_t bytes) -> Status {
    SCZ_ASSIGN_OR_RETURN(Buffer buffer, context.upload_device(data, bytes));
    *out = std::make_unique<Buffer>(std::move(buffer));
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(upload(&r->levels_, levels.data(), levels.size() * 4));
  SCZ_RETURN_IF_ERROR(upload(&r->params_, model.params.data(), model.params.size() * 4));
  SCZ_RETURN_IF_ERROR(upload(&r->grid_, grid.data(), grid.size() * 4));
  SCZ_RETURN_IF_ERROR(r->init(*r->levels_, *r->params_, *r->grid_, variant));
  return r;
}

Result<std::unique_ptr<NerfRenderer>> NerfRenderer::create(Context& context, NerfTrainer& trainer,
                                                           const field::FieldModel& model,
                                                           const field::NerfSettings& settings) {
  SCZ_RETURN_IF_ERROR(check_renderable(model, settings));
  std::unique_ptr<NerfRenderer> r(new NerfRenderer(context));
  r->config_ = model.config();
  r->settings_ = settings;
  r->live_ = &trainer;
  SCZ_RETURN_IF_ERROR(r->init(trainer.field().levels(), trainer.field().params(), trainer.grid(), Variant::kAuto));
  return r;
}

Status NerfRenderer::init(const Buffer& levels, const Buffer& params, const Buffer& grid, Variant variant) {
  bound_levels_ = &levels;
  bound_params_ = &params;
  bound_grid_ = &grid;
  // The CPU driver stops long shader loops: it gets the variant written around that.
  for_llvmpipe_ = variant == Variant::kForLlvmpipe || (variant == Variant::kAuto && context_.cpu_driver());
  return make_pipeline(for_llvmpipe_ ? nerf_render_llvmpipe_spirv() : nerf_render_spirv(),
                       io::kNerfRenderBindingCount, &pipeline_);
}

Status NerfRenderer::make_pipeline(const Spirv& spirv, std::uint32_t bindings,
                                   std::unique_ptr<ComputePipeline>* out) {
  SCZ_ASSIGN_OR_RETURN(ComputePipeline pipeline, context_.create_compute_pipeline(spirv.words, spirv.count, bindings,
                                                                                  sizeof(io::NerfRenderPush)));
  *out = std::make_unique<ComputePipeline>(std::move(pipeline));
  return Status::Ok();
}

Status NerfRenderer::ensure_image(int pixels) {
  if (!image_ || image_pixels_ != pixels) {
    SCZ_ASSIGN_OR_RETURN(Buffer buffer, context_.create_buffer(static_cast<std::uint64_t>(pixels) * 16, true));
    image_ = std::make_unique<Buffer>(std::move(buffer));
    image_pixels_ = pixels;
  }
  return Status::Ok();
}

Result<io::NerfRenderPush> NerfRenderer::push_for(const Camera& camera) {
  if (camera.width <= 0 || camera.height <= 0) return invalid_input("render size must be positive");
  if (live_) {
    SCZ_ASSIGN_OR_RETURN(settings_.density_threshold, live_->density_threshold());
  }
  const std::array<float, 16> rows = field::nerf_camera_rows(camera, settings_);
  io::NerfRenderPush push{};
  std::memcpy(push.rows, rows.data(), 12 * sizeof(float));
  push.fx = rows[12];
  push.fy = rows[13];
  push.cx = rows[14];
  push.cy = rows[15];
  push.width = static_cast<std::uint32_t>(camera.width);
  push.height = static_cast<std::uint32_t>(camera.height);
  push.grid_resolution = static_cast<std::uint32_t>(settings_.grid_resolution);
  push.levels = static_cast<std::uint32_t>(config_.levels);
  push.features = static_cast<std::uint32_t>(config_.features);
  push.direction_degree = config_.direction_degree;
  push.hidden_width = static_cast<std::uint32_t>(config_.hidden_width);
  push.hidden_layers = static_cast<std::uint32_t>(config_.hidden_layers);
  set_march_settings(settings_, &push);
  return push;
}

Result<Image> NerfRenderer::render(const Camera& camera) {
  SCZ_ASSIGN_OR_RETURN(const io::NerfRenderPush push, push_for(camera));
  SCZ_RETURN_IF_ERROR(ensure_image(camera.width * camera.height));
  const BufferBindings bindings = {{io::kNerfRenderBindingLevels, bound_levels_},
                                   {io::kNerfRenderBindingParams, bound_params_},
                                   {io::kNerfRenderBindingGrid, bound_grid_},
                                   {io::kNerfRenderBindingImage, image_.get()}};
  SCZ_RETURN_IF_ERROR(dispatch_timed(*pipeline_, bindings, push));
  return context_.download_image(*image_, camera.width, camera.height);
}

Result<std::vector<float>> NerfRenderer::contribution(const std::vector<Camera>& cameras) {
  if (!contribution_pipeline_) {
    SCZ_RETURN_IF_ERROR(make_pipeline(for_llvmpipe_ ? nerf_contribution_llvmpipe_spirv() : nerf_contribution_spirv(),
                                      io::kNerfContributionBindingCount, &contribution_pipeline_));
  }
  const std::size_t entries = field::make_hash_layout(config_).entries;
  std::vector<float> sums(entries, 0.0f);
  SCZ_ASSIGN_OR_RETURN(Buffer buffer, context_.upload_device(sums.data(), sums.size() * sizeof(float)));
  for (const Camera& camera : cameras) {
    SCZ_ASSIGN_OR_RETURN(const io::NerfRenderPush push, push_for(camera));
    SCZ_RETURN_IF_ERROR(ensure_image(camera.width * camera.height));
    const BufferBindings bindings = {{io::kNerfRenderBindingLevels, bound_levels_},
                                     {io::kNerfRenderBindingParams, bound_params_},
                                     {io::kNerfRenderBindingGrid, bound_grid_},
                                     {io::kNerfRenderBindingImage, image_.get()},
                                     {io::kNerfRenderBindingContribution, &buffer}};
    SCZ_RETURN_IF_ERROR(dispatch_timed(*contribution_pipeline_, bindings, push));
  }
  SCZ_RETURN_IF_ERROR(context_.download(buffer, sums.data(), sums.size() * sizeof(float)));
  return sums;
}

Status NerfRenderer::dispatch_timed(const ComputePipeline& pipeline, const BufferBindings& bindings,
                                    const io::NerfRenderPush& push) {
  const std::uint32_t pixels = push.width * push.height;
  const std::uint32_t groups = (pixels + io::kNerfRenderWorkgroupSize - 1) / io::kNerfRenderWorkgroupSize;
  if (!timestamps_ && context_.timestamp_period_ns() > 0) {
    SCZ_ASSIGN_OR_RETURN(timestamps_, context_.create_timestamp_pool(2));
  }
  SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, context_.create_descriptor_set(pipeline, bindings));
  auto allocated = context_.allocate_commands();
  if (!allocated.ok()) {
    context_.free_descriptor_set(set);
    return allocated.status();
  }
  VkCommandBuffer cmd = *allocated;
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(cmd, &begin);
  if (timestamps_) {
    vkCmdResetQueryPool(cmd, timestamps_, 0, 2);
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, timestamps_, 0);
  }
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(cmd, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
  std::uint32_t gx = 1, gy = 1;
  context_.tile_groups(groups, &gx, &gy);
  vkCmdDispatch(cmd, gx, gy, 1);
  if (timestamps_) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, timestamps_, 1);
  Context::host_read_barrier(cmd);
  vkEndCommandBuffer(cmd);
  const auto start = std::chrono::steady_clock::now();
  Status status = context_.submit_and_wait(cmd);
  last_wall_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  context_.free_commands(cmd);
  context_.free_descriptor_set(set);
  SCZ_RETURN_IF_ERROR(status);
  last_ms_ = last_wall_ms_;
  if (timestamps_) {
    SCZ_ASSIGN_OR_RETURN(const std::vector<double> at, context_.read_timestamps_ms(timestamps_, 2));
    last_ms_ = at[1];
  }
  return Status::Ok();
}

Result<Image> render_field(Context& context, const field::FieldModel& model, const field::NerfSettings& settings,
                           const std::vector<float>& grid, const Camera& camera) {
  SCZ_ASSIGN_OR_RETURN(auto renderer, NerfRenderer::create(context, model, settings, grid));
  return renderer->render(camera);
}

}  // namespace scenezip::gpu
