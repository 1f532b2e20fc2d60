#include "engine/gpu/field_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "engine/gpu/shaders.h"
#include "engine/gpu/tiled_dispatch.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

struct FieldTrainer::Pipelines {
  ComputePipeline encode, linear, loss, linear_backward, weight_grad, weight_reduce, encode_backward, adam, step;
  ComputePipeline mlp_forward_coop, mlp_backward_coop, weight_grad_coop;  // with cooperative_matrix_ only
  struct Entry {
    const ComputePipeline* pipeline;
    VkDescriptorSet set;
    const char* name;  // in profiles
  };
  std::vector<Entry> sets;
  const Entry* entry_of(const ComputePipeline& p) const {
    for (const Entry& e : sets) {
      if (e.pipeline == &p) return &e;
    }
    return nullptr;
  }
};

// Timestamps of profile_steps: one after each dispatch, labelled with the kernel.
struct FieldTrainer::Profile {
  VkQueryPool pool = VK_NULL_HANDLE;
  std::uint32_t capacity = 0;
  std::vector<const char*> labels;  // of timestamps 1.. (0 is the start)
  void mark(VkCommandBuffer cmd, const char* label) {
    if (labels.size() + 1 >= capacity) return;
    labels.push_back(label);
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, static_cast<std::uint32_t>(labels.size()));
  }
};

namespace {

// Steps submitted per wait in train(): enough to keep the queue busy, few enough that
// the submit array stays small.
constexpr int kStepsPerSubmit = 64;

std::uint32_t chunks_of(std::uint32_t batch) {
  return (batch + io::kFieldWeightGradChunk - 1) / io::kFieldWeightGradChunk;
}

std::uint32_t tiles_of(std::uint32_t dims) { return (dims + io::kFieldCoopTile - 1) / io::kFieldCoopTile; }

// Shared memory of the fused matrix-unit kernels (field_mlp_fused_coop.glsl).
constexpr std::uint32_t kCoopSharedBytes =
    io::kFieldCoopMaxWeights * 2 +
    io::kFieldCoopWorkgroupSize / io::kFieldCoopSubgroupSize *
        (2 * io::kFieldCoopTile * io::kFieldCoopMaxWidth * 2 + io::kFieldCoopTile * io::kFieldCoopTile * 4);

bool plain_mlp_forced() {
  const char* want = std::getenv("SCENEZIP_FIELD_MLP");
  return want && std::strcmp(want, "plain") == 0;
}

}  // namespace

FieldTrainer::FieldTrainer(Context& context, const field::FieldModel& model)
    : context_(context), config_(model.config()), layers_(model.layers()), pipelines_(std::make_unique<Pipelines>()) {}

bool FieldTrainer::fits_cooperative_matrix() const {
  if (!context_.cooperative_matrix() || context_.limits().maxComputeSharedMemorySize < kCoopSharedBytes) return false;
  std::uint32_t shared_weights = 0;
  for (const field::LayerShape& shape : layers_) {
    const std::uint32_t in = tiles_of(shape.in_dims) * io::kFieldCoopTile;
    const std::uint32_t out = tiles_of(shape.out_dims) * io::kFieldCoopTile;
    if (in > io::kFieldCoopMaxWidth || out > io::kFieldCoopMaxWidth) return false;
    shared_weights += in * out;
  }
  return shared_weights <= io::kFieldCoopMaxWeights;
}

FieldTrainer::~FieldTrainer() {
  if (pipelines_) {
    for (const auto& entry : pipelines_->sets) context_.free_descriptor_set(entry.set);
  }
}

Result<std::unique_ptr<FieldTrainer>> FieldTrainer::create(Context& context, const field::FieldModel& model,
                                                           std::uint32_t batch_capacity, Atomics atomics, Mlp mlp) {
  if (batch_capacity == 0) return invalid_input("field trainer: a batch needs at least one sample");
  std::unique_ptr<FieldTrainer> t(new FieldTrainer(context, model));
  t->capacity_ = batch_capacity;
  t->levels_ = static_cast<std::uint32_t>(model.layout().levels.size());
  t->parameter_count_ = model.parameter_count();
  t->hash_parameter_count_ = model.hash_parameter_count();
  t->float_atomics_ = atomics == Atomics::kAuto && context.float_atomic_add();
  if (mlp == Mlp::kCooperativeMatrix && !t->fits_cooperative_matrix()) {
    return unsupported("field trainer: no matrix-unit MLP on " + context.device_name() +
                       (context.cooperative_matrix() ? " for layers this wide" : " (no VK_NV_cooperative_matrix)"));
  }
  t->cooperative_matrix_ = mlp == Mlp::kCooperativeMatrix || (mlp == Mlp::kAuto && !plain_mlp_forced() &&
                                                               t->fits_cooperative_matrix());

  // Activations: each layer's input rows, then the raw outputs, all for the capacity.
  std::uint64_t offset = 0;
  std::uint64_t max_weights = 0;
  for (const field::LayerShape& shape : t->layers_) {
    t->activation_offsets_.push_back(static_cast<std::uint32_t>(offset));
    offset += static_cast<std::uint64_t>(batch_capacity) * shape.in_dims;
    max_weights = std::max<std::uint64_t>(max_weights, static_cast<std::uint64_t>(shape.in_dims) * shape.out_dims);
    if (offset > 0xFFFFFFFFull) break;
  }
  t->activation_offsets_.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(offset, 0xFFFFFFFFull)));
  offset += static_cast<std::uint64_t>(batch_capacity) * t->config_.output_dims;
  const std::uint64_t partials = static_cast<std::uint64_t>(chunks_of(batch_capacity)) * max_weights;
  const std::uint64_t limit = context.limits().maxStorageBufferRange / sizeof(float);
  const std::uint64_t per_sample_items = static_cast<std::uint64_t>(batch_capacity) * (t->levels_ + 1 + 256);
  if (offset > limit || partials > limit || t->parameter_count_ > limit || per_sample_items > 0xFFFFFFFFull) {
    return unsupported("field trainer: a batch of " + std::to_string(batch_capacity) +
                       " samples needs more than one storage buffer holds on " + context.device_name() +
                       " (use a smaller batch)");
  }

  std::vector<std::uint32_t> levels;
  for (const field::HashLevel& level : model.layout().levels) {
    levels.insert(levels.end(), {level.resolution, level.offset, level.size, level.dense ? 1u : 0u});
  }
  const std::uint64_t p_bytes = t->parameter_count_ * sizeof(float);
  const std::uint64_t b = batch_capacity;
  std::vector<float> zeros(t->parameter_count_, 0.0f);
  std::vector<std::uint32_t> control(io::kFieldControlSlots, 0);
  t->buffers_.resize(io::kFieldBindingCount);
  auto device_buffer = [&](std::uint32_t binding, std::uint64_t bytes) -> Status {
    SCZ_ASSIGN_OR_RETURN(Buffer buffer, context.create_buffer(bytes, false));
    t->buffers_[binding] = std::make_unique<Buffer>(std::move(buffer));
    return Status::Ok();
  };
  auto upload = [&](std::uint32_t binding, const void* data, std::uint64_t bytes) -> Status {
    SCZ_ASSIGN_OR_RETURN(Buffer buffer, context.upload_device(data, bytes));
    t->buffers_[binding] = std::make_unique<Buffer>(std::move(buffer));
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(upload(io::kFieldBindingLevels, levels.data(), levels.size() * sizeof(std::uint32_t)));
  SCZ_RETURN_IF_ERROR(upload(io::kFieldBindingParams, model.params.data(), p_bytes));
  SCZ_RETURN_IF_ERROR(upload(io::kFieldBindingGradients, zeros.data(), p_bytes));
  SCZ_RETURN_IF_ERROR(upload(io::kFieldBindingAdamM, zeros.data(), p_bytes));
  SCZ_RETURN_IF_ERROR(upload(io::kFieldBindingAdamV, zeros.data(), p_bytes));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingPositions, 3 * b * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingDirections, 3 * b * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingTargets, b * t->config_.output_dims * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingActivations, offset * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingDeltas, offset * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingPartials, partials * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingOutputs, b * t->config_.output_dims * sizeof(float)));
  SCZ_RETURN_IF_ERROR(device_buffer(io::kFieldBindingLosses, b * sizeof(float)));
  SCZ_RETURN_IF_ERROR(upload(io::kFieldBindingControl, control.data(), control.size() * sizeof(std::uint32_t)));

  Pipelines& p = *t->pipelines_;
  // Every field kernel shares one layout: buffers_ is indexed by kFieldBinding* constant.
  BufferBindings all;
  for (std::uint32_t b = 0; b < io::kFieldBindingCount; ++b) all.push_back({b, t->buffers_[b].get()});
  auto make = [&](Spirv spirv, ComputePipeline* out, const char* name) -> Status {
    SCZ_ASSIGN_OR_RETURN(*out, context.create_compute_pipeline(spirv.words, spirv.count, io::kFieldBindingCount,
                                                               sizeof(io::FieldPush)));
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, context.create_descriptor_set(*out, all));
    p.sets.push_back({out, set, name});
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(make(field_encode_spirv(), &p.encode, "encode"));
  SCZ_RETURN_IF_ERROR(make(field_loss_spirv(), &p.loss, "loss"));
  SCZ_RETURN_IF_ERROR(make(field_weight_reduce_spirv(), &p.weight_reduce, "weight_reduce"));
  if (t->cooperative_matrix_) {
    SCZ_RETURN_IF_ERROR(make(field_mlp_forward_coop_spirv(), &p.mlp_forward_coop, "mlp_forward_coop"));
    SCZ_RETURN_IF_ERROR(make(field_mlp_backward_coop_spirv(), &p.mlp_backward_coop, "mlp_backward_coop"));
    SCZ_RETURN_IF_ERROR(make(field_weight_grad_coop_spirv(), &p.weight_grad_coop, "weight_grad_coop"));
  } else {
    SCZ_RETURN_IF_ERROR(make(field_linear_spirv(), &p.linear, "linear"));
    SCZ_RETURN_IF_ERROR(make(field_linear_backward_spirv(), &p.linear_backward, "linear_backward"));
    SCZ_RETURN_IF_ERROR(make(field_weight_grad_spirv(), &p.weight_grad, "weight_grad"));
  }
  SCZ_RETURN_IF_ERROR(make(t->float_atomics_ ? field_encode_backward_spirv() : field_encode_backward_cas_spirv(),
                           &p.encode_backward, "encode_backward"));
  SCZ_RETURN_IF_ERROR(make(field_adam_spirv(), &p.adam, "adam"));
  SCZ_RETURN_IF_ERROR(make(field_step_spirv(), &p.step, "step"));
  return t;
}

io::FieldPush FieldTrainer::base_push(std::uint32_t batch) const {
  io::FieldPush push{};
  push.batch = batch;
  push.levels = levels_;
  push.features = static_cast<std::uint32_t>(config_.features);
  push.direction_degree = config_.direction_degree;
  push.output_activation = config_.output_activation == field::OutputActivation::kSigmoid
                               ? io::kFieldActivationSigmoid
                               : io::kFieldActivationNone;
  push.learning_rate = config_.learning_rate;
  push.beta1 = config_.beta1;
  push.beta2 = config_.beta2;
  push.epsilon = config_.epsilon;
  return push;
}

void FieldTrainer::dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, io::FieldPush push,
                            std::uint64_t items, std::uint32_t workgroup_size) const {
  if (items == 0) return;
  const Pipelines::Entry* entry = pipelines_->entry_of(pipeline);
  record_tiled_dispatch(context_, cmd, pipeline, entry->set, push, items, workgroup_size);
  Context::compute_barrier(cmd);
  if (profile_) profile_->mark(cmd, entry->name);
}

io::FieldPush FieldTrainer::mlp_push(std::uint32_t batch) const {
  io::FieldPush push = base_push(batch);
  push.in_dims = static_cast<std::uint32_t>(config_.input_dims());
  push.out_dims = static_cast<std::uint32_t>(config_.output_dims);
  push.hidden_width = static_cast<std::uint32_t>(config_.hidden_width);
  push.hidden_layers = static_cast<std::uint32_t>(config_.hidden_layers);
  push.capacity = capacity_;
  push.in_offset = activation_offsets_[0];
  push.weight_offset = static_cast<std::uint32_t>(layers_[0].weight_offset);
  push.grad_dims = static_cast<std::uint32_t>(config_.encoding_dims());
  return push;
}

// Workgroups of the fused matrix-unit kernels, as invocations for record_tiled_dispatch.
std::uint64_t FieldTrainer::coop_items(std::uint32_t batch) const {
  return static_cast<std::uint64_t>((batch + io::kFieldCoopRows - 1) / io::kFieldCoopRows) *
         io::kFieldCoopWorkgroupSize;
}

void FieldTrainer::record_forward(VkCommandBuffer cmd, std::uint32_t batch, bool loss) const {
  const Pipelines& p = *pipelines_;
  io::FieldPush push = base_push(batch);
  push.in_dims = static_cast<std::uint32_t>(config_.input_dims());
  push.out_offset = activation_offsets_[0];
  dispatch(cmd, p.encode, push, static_cast<std::uint64_t>(batch) * (levels_ + 1));
  if (cooperative_matrix_) {
    dispatch(cmd, p.mlp_forward_coop, mlp_push(batch), coop_items(batch), io::kFieldCoopWorkgroupSize);
  } else {
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      io::FieldPush layer = layer_push(batch, l);
      layer.flags = layers_[l].relu ? io::kFieldFlagRelu : 0u;
      dispatch(cmd, p.linear, layer, static_cast<std::uint64_t>(batch) * layer.out_dims);
    }
  }
  io::FieldPush out = base_push(batch);
  out.out_dims = static_cast<std::uint32_t>(config_.output_dims);
  out.out_offset = activation_offsets_.back();
  out.flags = loss ? io::kFieldFlagLoss : 0u;
  dispatch(cmd, p.loss, out, batch);
}

io::FieldPush FieldTrainer::layer_push(std::uint32_t batch, std::size_t l) const {
  io::FieldPush push = base_push(batch);
  push.in_dims = static_cast<std::uint32_t>(layers_[l].in_dims);
  push.out_dims = static_cast<std::uint32_t>(layers_[l].out_dims);
  push.in_offset = activation_offsets_[l];
  push.out_offset = activation_offsets_[l + 1];
  push.weight_offset = static_cast<std::uint32_t>(layers_[l].weight_offset);
  return push;
}

void FieldTrainer::record_backward(VkCommandBuffer cmd, std::uint32_t batch) const {
  const Pipelines& p = *pipelines_;
  // The hash part accumulates; every weight gradient is written whole by the reduce.
  vkCmdFillBuffer(cmd, buffers_[io::kFieldBindingGradients]->handle(), 0,
                  std::max<VkDeviceSize>(4, hash_parameter_count_ * sizeof(float)), 0);
  Context::compute_barrier(cmd);
  const std::uint32_t chunks = chunks_of(batch);
  // The matrix units take every layer's input deltas in one dispatch first; the weight
  // gradients then read them.
  if (cooperative_matrix_) {
    dispatch(cmd, p.mlp_backward_coop, mlp_push(batch), coop_items(batch), io::kFieldCoopWorkgroupSize);
  }
  for (std::size_t l = layers_.size(); l-- > 0;) {
    io::FieldPush push = layer_push(batch, l);
    push.flags = l > 0 ? io::kFieldFlagRelu : 0u;
    push.count = chunks;
    const std::uint64_t weights = static_cast<std::uint64_t>(push.in_dims) * push.out_dims;
    if (cooperative_matrix_) {
      const std::uint64_t tiles = static_cast<std::uint64_t>(tiles_of(push.in_dims)) * tiles_of(push.out_dims);
      dispatch(cmd, p.weight_grad_coop, push, chunks * tiles * io::kFieldCoopSubgroupSize,
               io::kFieldCoopSubgroupSize);
      dispatch(cmd, p.weight_reduce, push, weights);
      continue;
    }
    dispatch(cmd, p.weight_grad, push, chunks * weights);
    dispatch(cmd, p.weight_reduce, push, weights);
    push.grad_dims = l == 0 ? static_cast<std::uint32_t>(config_.encoding_dims()) : push.in_dims;
    dispatch(cmd, p.linear_backward, push, static_cast<std::uint64_t>(batch) * push.grad_dims);
  }
  io::FieldPush push = base_push(batch);
  push.in_dims = static_cast<std::uint32_t>(config_.input_dims());
  push.in_offset = activation_offsets_[0];
  dispatch(cmd, p.encode_backward, push, static_cast<std::uint64_t>(batch) * levels_);
}

void FieldTrainer::record_update(VkCommandBuffer cmd) const {
  const Pipelines& p = *pipelines_;
  io::FieldPush push = base_push(0);
  push.count = static_cast<std::uint32_t>(parameter_count_);
  dispatch(cmd, p.adam, push, parameter_count_);
  dispatch(cmd, p.step, push, 1);
}

void FieldTrainer::record_poison(VkCommandBuffer cmd, std::uint32_t bits) const {
  for (std::uint32_t binding : {io::kFieldBindingActivations, io::kFieldBindingDeltas, io::kFieldBindingPartials}) {
    vkCmdFillBuffer(cmd, buffers_[binding]->handle(), 0, VK_WHOLE_SIZE, bits);
  }
  Context::compute_barrier(cmd);
}

void FieldTrainer::record_step(VkCommandBuffer cmd, std::uint32_t batch) const {
  record_forward(cmd, batch, true);
  record_backward(cmd, batch);
  record_update(cmd);
}

namespace {

// A command buffer freed with the object.
class Commands {
 public:
  explicit Commands(Context& context) : context_(context) {}
  ~Commands() { context_.free_commands(cmd_); }
  Status begin(VkCommandBufferUsageFlags flags) {
    SCZ_ASSIGN_OR_RETURN(cmd_, context_.allocate_commands());
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = flags;
    vkBeginCommandBuffer(cmd_, &begin);
    // Earlier submissions' writes (the previous step) before this one's reads.
    Context::compute_barrier(cmd_);
    return Status::Ok();
  }
  VkCommandBuffer cmd() const { return cmd_; }

 private:
  Context& context_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
};

}  // namespace

Status FieldTrainer::run_once(const std::function<void(VkCommandBuffer)>& record) {
  Commands commands(context_);
  SCZ_RETURN_IF_ERROR(commands.begin(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT));
  record(commands.cmd());
  vkEndCommandBuffer(commands.cmd());
  return context_.submit_and_wait(commands.cmd());
}

Status FieldTrainer::train(const std::function<void(VkCommandBuffer)>& before, std::uint32_t batch, int steps) {
  if (batch == 0 || batch > capacity_) return invalid_input("field trainer: batch outside 1..capacity");
  if (steps <= 0) return Status::Ok();
  Commands commands(context_);
  SCZ_RETURN_IF_ERROR(commands.begin(VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT));
  if (before) {
    before(commands.cmd());
    Context::compute_barrier(commands.cmd());
  }
  record_step(commands.cmd(), batch);
  vkEndCommandBuffer(commands.cmd());
  std::vector<VkCommandBuffer> repeated(kStepsPerSubmit, commands.cmd());
  for (int done = 0; done < steps;) {
    const int n = std::min(kStepsPerSubmit, steps - done);
    SCZ_RETURN_IF_ERROR(context_.submit_and_wait_all(repeated.data(), static_cast<std::uint32_t>(n)));
    done += n;
  }
  return Status::Ok();
}

Result<std::vector<double>> FieldTrainer::timed_steps(const std::function<void(VkCommandBuffer)>& before,
                                                      std::uint32_t batch, int steps) {
  if (batch == 0 || batch > capacity_) return invalid_input("field trainer: batch outside 1..capacity");
  if (context_.timestamp_period_ns() <= 0) return unsupported("the device's queue has no timestamps");
  const std::uint32_t queries = static_cast<std::uint32_t>(steps) + 1;
  SCZ_ASSIGN_OR_RETURN(VkQueryPool pool, context_.create_timestamp_pool(queries));
  Commands commands(context_);
  Status status = commands.begin(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
  if (status.ok()) {
    VkCommandBuffer cmd = commands.cmd();
    vkCmdResetQueryPool(cmd, pool, 0, queries);
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 0);
    for (int s = 0; s < steps; ++s) {
      if (before) {
        before(cmd);
        Context::compute_barrier(cmd);
      }
      record_step(cmd, batch);
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, static_cast<std::uint32_t>(s) + 1);
    }
    vkEndCommandBuffer(cmd);
    status = context_.submit_and_wait(cmd);
  }
  Result<std::vector<double>> ms = status.ok() ? context_.read_timestamps_ms(pool, queries) : Result<std::vector<double>>(status);
  context_.destroy_query_pool(pool);
  if (!ms.ok()) return ms.status();
  std::vector<double> per_step(steps);
  for (int s = 0; s < steps; ++s) per_step[s] = (*ms)[s + 1] - (*ms)[s];
  return per_step;
}

Result<std::vector<std::pair<std::string, double>>> FieldTrainer::profile_steps(
    const std::function<void(VkCommandBuffer)>& before, std::uint32_t batch, int steps) {
  if (batch == 0 || batch > capacity_) return invalid_input("field trainer: batch outside 1..capacity");
  if (steps <= 0) return invalid_input("field trainer: profile at least one step");
  if (context_.timestamp_period_ns() <= 0) return unsupported("the device's queue has no timestamps");
  // A step has fewer than 64 dispatches (a handful per layer).
  Profile profile;
  profile.capacity = static_cast<std::uint32_t>(steps) * 64 + 1;
  SCZ_ASSIGN_OR_RETURN(profile.pool, context_.create_timestamp_pool(profile.capacity));
  std::vector<std::size_t> step_ends;
  Commands commands(context_);
  Status status = commands.begin(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
  if (status.ok()) {
    VkCommandBuffer cmd = commands.cmd();
    vkCmdResetQueryPool(cmd, profile.pool, 0, profile.capacity);
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, profile.pool, 0);
    profile_ = &profile;
    for (int s = 0; s < steps; ++s) {
      if (before) {
        before(cmd);
        Context::compute_barrier(cmd);
        profile.mark(cmd, "sample");
      }
      record_step(cmd, batch);
      step_ends.push_back(profile.labels.size());
    }
    profile_ = nullptr;
    vkEndCommandBuffer(cmd);
    status = context_.submit_and_wait(cmd);
  }
  const std::uint32_t written = static_cast<std::uint32_t>(profile.labels.size()) + 1;
  Result<std::vector<double>> ms =
      status.ok() ? context_.read_timestamps_ms(profile.pool, written) : Result<std::vector<double>>(status);
  context_.destroy_query_pool(profile.pool);
  if (!ms.ok()) return ms.status();
  if (step_ends.back() + 1 > written || profile.labels.size() + 1 >= profile.capacity) {
    return internal_error("field trainer: more dispatches per step than the profile holds");
  }
  // Per kernel, its milliseconds in each step (summed over layers), then the median.
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> per_step;
  std::size_t first = 0;
  for (std::size_t end : step_ends) {
    std::map<std::string, double> sums;
    for (std::size_t i = first; i < end; ++i) {
      const std::string name = profile.labels[i];
      if (!per_step.count(name) && std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
      sums[name] += (*ms)[i + 1] - (*ms)[i];
    }
    for (const auto& [name, value] : sums) per_step[name].push_back(value);
    first = end;
  }
  std::vector<std::pair<std::string, double>> out;
  for (const std::string& name : order) {
    std::vector<double> v = per_step[name];
    std::sort(v.begin(), v.end());
    out.emplace_back(name, v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
  }
  return out;
}

Status FieldTrainer::upload_batch(const float* positions, const float* directions, const float* targets,
                                  std::uint32_t count) {
  if (count > capacity_) return invalid_input("field trainer: batch larger than the capacity");
  if (count == 0) return Status::Ok();
  auto copy = [&](std::uint32_t binding, const float* data, std::size_t floats) -> Status {
    if (!data) return Status::Ok();
    SCZ_ASSIGN_OR_RETURN(Buffer staging, context_.upload(data, floats * sizeof(float)));
    const VkDeviceSize bytes = floats * sizeof(float);
    VkBuffer dst = buffers_[binding]->handle();
    return run_once([&](VkCommandBuffer cmd) {
      VkBufferCopy region{0, 0, bytes};
      vkCmdCopyBuffer(cmd, staging.handle(), dst, 1, &region);
      Context::compute_barrier(cmd);
    });
  };
  SCZ_RETURN_IF_ERROR(copy(io::kFieldBindingPositions, positions, 3 * static_cast<std::size_t>(count)));
  SCZ_RETURN_IF_ERROR(copy(io::kFieldBindingDirections, directions, 3 * static_cast<std::size_t>(count)));
  SCZ_RETURN_IF_ERROR(
      copy(io::kFieldBindingTargets, targets, static_cast<std::size_t>(count) * config_.output_dims));
  return Status::Ok();
}

Status FieldTrainer::download_params(std::vector<float>* params) const {
  params->resize(parameter_count_);
  return context_.download(*buffers_[io::kFieldBindingParams], params->data(), parameter_count_ * sizeof(float));
}

Status FieldTrainer::download_gradients(std::vector<float>* gradients) const {
  gradients->resize(parameter_count_);
  return context_.download(*buffers_[io::kFieldBindingGradients], gradients->data(), parameter_count_ * sizeof(float));
}

Status FieldTrainer::download_adam(field::AdamState* state) const {
  state->m.resize(parameter_count_);
  state->v.resize(parameter_count_);
  SCZ_RETURN_IF_ERROR(context_.download(*buffers_[io::kFieldBindingAdamM], state->m.data(), parameter_count_ * sizeof(float)));
  SCZ_RETURN_IF_ERROR(context_.download(*buffers_[io::kFieldBindingAdamV], state->v.data(), parameter_count_ * sizeof(float)));
  std::uint32_t control[io::kFieldControlSlots];
  SCZ_RETURN_IF_ERROR(context_.download(*buffers_[io::kFieldBindingControl], control, sizeof(control)));
  state->step = control[io::kFieldControlStep];
  return Status::Ok();
}

Status FieldTrainer::download_outputs(std::vector<float>* outputs, std::uint32_t count) const {
  outputs->resize(static_cast<std::size_t>(count) * config_.output_dims);
  return context_.download(*buffers_[io::kFieldBindingOutputs], outputs->data(), outputs->size() * sizeof(float));
}

Status FieldTrainer::download_losses(std::vector<float>* losses, std::uint32_t count) const {
  losses->resize(count);
  return context_.download(*buffers_[io::kFieldBindingLosses], losses->data(), count * sizeof(float));
}

Status FieldTrainer::upload_params(const std::vector<float>& params) {
  if (params.size() != parameter_count_) return invalid_input("field trainer: parameter count differs");
  SCZ_ASSIGN_OR_RETURN(Buffer staging, context_.upload(params.data(), params.size() * sizeof(float)));
  VkBuffer dst = buffers_[io::kFieldBindingParams]->handle();
  const VkDeviceSize bytes = params.size() * sizeof(float);
  return run_once([&](VkCommandBuffer cmd) {
    VkBufferCopy region{0, 0, bytes};
    vkCmdCopyBuffer(cmd, staging.handle(), dst, 1, &region);
    Context::compute_barrier(cmd);
  });
}

Result<std::vector<float>> FieldTrainer::evaluate(const float* positions, const float* directions, std::size_t count) {
  std::vector<float> outputs(count * config_.output_dims);
  const bool with_directions = config_.direction_degree >= 0;
  for (std::size_t first = 0; first < count; first += capacity_) {
    const std::uint32_t n = static_cast<std::uint32_t>(std::min<std::size_t>(capacity_, count - first));
    SCZ_RETURN_IF_ERROR(upload_batch(positions + 3 * first, with_directions ? directions + 3 * first : nullptr,
                                     nullptr, n));
    SCZ_RETURN_IF_ERROR(run_once([&](VkCommandBuffer cmd) { record_forward(cmd, n, false); }));
    std::vector<float> part;
    SCZ_RETURN_IF_ERROR(download_outputs(&part, n));
    std::copy(part.begin(), part.end(), outputs.begin() + first * config_.output_dims);
  }
  return outputs;
}

}  // namespace scenezip::gpu
