#include "engine/gpu/field_kernels.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/gpu/shaders.h"
#include "engine/gpu/tiled_dispatch.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

struct FieldTrainer::Pipelines {
  ComputePipeline encode, linear, loss, linear_backward, weight_grad, weight_reduce, encode_backward, adam, step;
  std::vector<std::pair<const ComputePipeline*, VkDescriptorSet>> sets;
  VkDescriptorSet set_of(const ComputePipeline& p) const {
    for (const auto& [pipeline, set] : sets) {
      if (pipeline == &p) return set;
    }
    return VK_NULL_HANDLE;
  }
};

namespace {

// Steps submitted per wait in train(): enough to keep the queue busy, few enough that
// the submit array stays small.
constexpr int kStepsPerSubmit = 64;

std::uint32_t chunks_of(std::uint32_t batch) {
  return (batch + io::kFieldWeightGradChunk - 1) / io::kFieldWeightGradChunk;
}

}  // namespace

FieldTrainer::FieldTrainer(Context& context, const field::FieldModel& model)
    : context_(context), config_(model.config()), layers_(model.layers()), pipelines_(std::make_unique<Pipelines>()) {}

FieldTrainer::~FieldTrainer() {
  if (pipelines_) {
    for (const auto& entry : pipelines_->sets) context_.free_descriptor_set(entry.second);
  }
}

Result<std::unique_ptr<FieldTrainer>> FieldTrainer::create(Context& context, const field::FieldModel& model,
                                                           std::uint32_t batch_capacity, Atomics atomics) {
  if (batch_capacity == 0) return invalid_input("field trainer: a batch needs at least one sample");
  std::unique_ptr<FieldTrainer> t(new FieldTrainer(context, model));
  t->capacity_ = batch_capacity;
  t->levels_ = static_cast<std::uint32_t>(model.layout().levels.size());
  t->parameter_count_ = model.parameter_count();
  t->hash_parameter_count_ = model.hash_parameter_count();
  t->float_atomics_ = atomics == Atomics::kAuto && context.float_atomic_add();

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
  auto make = [&](Spirv spirv, ComputePipeline* out) -> Status {
    SCZ_ASSIGN_OR_RETURN(*out, context.create_compute_pipeline(spirv.words, spirv.count, io::kFieldBindingCount,
                                                               sizeof(io::FieldPush)));
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, context.create_descriptor_set(*out, all));
    p.sets.emplace_back(out, set);
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(make(field_encode_spirv(), &p.encode));
  SCZ_RETURN_IF_ERROR(make(field_linear_spirv(), &p.linear));
  SCZ_RETURN_IF_ERROR(make(field_loss_spirv(), &p.loss));
  SCZ_RETURN_IF_ERROR(make(field_linear_backward_spirv(), &p.linear_backward));
  SCZ_RETURN_IF_ERROR(make(field_weight_grad_spirv(), &p.weight_grad));
  SCZ_RETURN_IF_ERROR(make(field_weight_reduce_spirv(), &p.weight_reduce));
  SCZ_RETURN_IF_ERROR(make(t->float_atomics_ ? field_encode_backward_spirv() : field_encode_backward_cas_spirv(),
                           &p.encode_backward));
  SCZ_RETURN_IF_ERROR(make(field_adam_spirv(), &p.adam));
  SCZ_RETURN_IF_ERROR(make(field_step_spirv(), &p.step));
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

void FieldTrainer::dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, VkDescriptorSet set,
                            io::FieldPush push, std::uint64_t items) const {
  if (items == 0) return;
  record_tiled_dispatch(context_, cmd, pipeline, set, push, items, io::kFieldWorkgroupSize);
  Context::compute_barrier(cmd);
}

void FieldTrainer::record_forward(VkCommandBuffer cmd, std::uint32_t batch, bool loss) const {
  const Pipelines& p = *pipelines_;
  io::FieldPush push = base_push(batch);
  push.in_dims = static_cast<std::uint32_t>(config_.input_dims());
  push.out_offset = activation_offsets_[0];
  dispatch(cmd, p.encode, p.set_of(p.encode), push, static_cast<std::uint64_t>(batch) * (levels_ + 1));
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    io::FieldPush layer = base_push(batch);
    layer.in_dims = static_cast<std::uint32_t>(layers_[l].in_dims);
    layer.out_dims = static_cast<std::uint32_t>(layers_[l].out_dims);
    layer.in_offset = activation_offsets_[l];
    layer.out_offset = activation_offsets_[l + 1];
    layer.weight_offset = static_cast<std::uint32_t>(layers_[l].weight_offset);
    layer.flags = layers_[l].relu ? io::kFieldFlagRelu : 0u;
    dispatch(cmd, p.linear, p.set_of(p.linear), layer, static_cast<std::uint64_t>(batch) * layer.out_dims);
  }
  io::FieldPush out = base_push(batch);
  out.out_dims = static_cast<std::uint32_t>(config_.output_dims);
  out.out_offset = activation_offsets_.back();
  out.flags = loss ? io::kFieldFlagLoss : 0u;
  dispatch(cmd, p.loss, p.set_of(p.loss), out, batch);
}

void FieldTrainer::record_backward(VkCommandBuffer cmd, std::uint32_t batch) const {
  const Pipelines& p = *pipelines_;
  // The hash part accumulates; every weight gradient is written whole by the reduce.
  vkCmdFillBuffer(cmd, buffers_[io::kFieldBindingGradients]->handle(), 0,
                  std::max<VkDeviceSize>(4, hash_parameter_count_ * sizeof(float)), 0);
  Context::compute_barrier(cmd);
  const std::uint32_t chunks = chunks_of(batch);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    io::FieldPush push = base_push(batch);
    push.in_dims = static_cast<std::uint32_t>(layers_[l].in_dims);
    push.out_dims = static_cast<std::uint32_t>(layers_[l].out_dims);
    push.in_offset = activation_offsets_[l];
    push.out_offset = activation_offsets_[l + 1];
    push.weight_offset = static_cast<std::uint32_t>(layers_[l].weight_offset);
    push.flags = l > 0 ? io::kFieldFlagRelu : 0u;
    push.count = chunks;
    const std::uint64_t weights = static_cast<std::uint64_t>(push.in_dims) * push.out_dims;
    dispatch(cmd, p.weight_grad, p.set_of(p.weight_grad), push, chunks * weights);
    dispatch(cmd, p.weight_reduce, p.set_of(p.weight_reduce), push, weights);
    push.grad_dims = l == 0 ? static_cast<std::uint32_t>(config_.encoding_dims()) : push.in_dims;
    dispatch(cmd, p.linear_backward, p.set_of(p.linear_backward), push,
             static_cast<std::uint64_t>(batch) * push.grad_dims);
  }
  io::FieldPush push = base_push(batch);
  push.in_dims = static_cast<std::uint32_t>(config_.input_dims());
  push.in_offset = activation_offsets_[0];
  dispatch(cmd, p.encode_backward, p.set_of(p.encode_backward), push, static_cast<std::uint64_t>(batch) * levels_);
}

void FieldTrainer::record_update(VkCommandBuffer cmd) const {
  const Pipelines& p = *pipelines_;
  io::FieldPush push = base_push(0);
  push.count = static_cast<std::uint32_t>(parameter_count_);
  dispatch(cmd, p.adam, p.set_of(p.adam), push, parameter_count_);
  dispatch(cmd, p.step, p.set_of(p.step), push, 1);
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
