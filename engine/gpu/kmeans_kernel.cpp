#include "engine/gpu/kmeans_kernel.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "engine/gpu/shaders.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

struct KMeansKernels::Pipelines {
  ComputePipeline assign, update, refill, histogram, scatter;
};

namespace {

// One command buffer and the descriptor sets it uses, released together whether or not
// it was submitted (submit_and_wait returns only after the GPU is done with them).
class Recording {
 public:
  explicit Recording(Context& context) : context_(context) {}
  ~Recording() {
    for (VkDescriptorSet set : sets_) context_.free_descriptor_set(set);
    context_.free_commands(cmd_);
  }
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  Status begin() {
    SCZ_ASSIGN_OR_RETURN(cmd_, context_.allocate_commands());
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(cmd_, &begin);
    return Status::Ok();
  }
  VkCommandBuffer cmd() const { return cmd_; }

  Result<VkDescriptorSet> set(const ComputePipeline& pipeline, const BufferBindings& buffers) {
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet s, context_.create_descriptor_set(pipeline, buffers));
    sets_.push_back(s);
    return s;
  }

  // Workgroups along x for `groups` tiled in 2D, what KMeansPush.groups_x must say.
  std::uint32_t groups_x(std::uint32_t groups) const {
    std::uint32_t x = 1, y = 1;
    context_.tile_groups(groups, &x, &y);
    return x;
  }

  // One dispatch, then a barrier so the next one sees its writes.
  void dispatch(const ComputePipeline& pipeline, VkDescriptorSet set, const void* push, std::uint32_t groups) {
    if (groups == 0) return;
    vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
    vkCmdPushConstants(cmd_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, pipeline.push_size(), push);
    std::uint32_t x = 1, y = 1;
    context_.tile_groups(groups, &x, &y);
    vkCmdDispatch(cmd_, x, y, 1);
    Context::compute_barrier(cmd_);
  }

  Status submit() {
    vkEndCommandBuffer(cmd_);
    return context_.submit_and_wait(cmd_);
  }

 private:
  Context& context_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  std::vector<VkDescriptorSet> sets_;
};

std::uint32_t groups_for(std::size_t items, std::uint32_t per_group) {
  return static_cast<std::uint32_t>((items + per_group - 1) / per_group);
}

// Vectors of `dims` floats that one storage buffer (and 32-bit shader indexing) can hold.
std::size_t max_vectors(const Context& context, int dims) {
  const std::uint64_t bytes = context.limits().maxStorageBufferRange;
  const std::uint64_t by_range = bytes / (static_cast<std::uint64_t>(dims) * sizeof(float));
  const std::uint64_t by_index = std::numeric_limits<std::uint32_t>::max() / static_cast<std::uint64_t>(dims);
  // The radix sort of assignments counts keys below kRadixMaxKeys.
  return static_cast<std::size_t>(std::min({by_range, by_index, std::uint64_t{io::kRadixMaxKeys - 1}}));
}

Status check_dims(int dims) {
  if (dims <= 0 || dims > static_cast<int>(io::kKMeansMaxDims)) {
    return unsupported("GPU k-means handles 1.." + std::to_string(io::kKMeansMaxDims) + " floats per vector, not " +
                       std::to_string(dims));
  }
  return Status::Ok();
}

// Radix passes of 8 bits that sort keys below k.
int radix_passes(int k) {
  int bits = 0;
  while (bits < 32 && (static_cast<std::uint64_t>(k) - 1) >> bits) ++bits;
  return std::max(1, (bits + 7) / 8);
}

}  // namespace

KMeansKernels::KMeansKernels(Context& context) : context_(context), pipelines_(std::make_unique<Pipelines>()) {}
KMeansKernels::~KMeansKernels() = default;

Result<std::unique_ptr<KMeansKernels>> KMeansKernels::create(Context& context) {
  std::unique_ptr<KMeansKernels> kernels(new KMeansKernels(context));
  Pipelines& p = *kernels->pipelines_;
  auto make = [&](Spirv spirv, std::uint32_t bindings, std::uint32_t push, ComputePipeline* out) -> Status {
    SCZ_ASSIGN_OR_RETURN(*out, context.create_compute_pipeline(spirv.words, spirv.count, bindings, push));
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(make(kmeans_assign_spirv(), io::kKMeansAssignBindingCount, sizeof(io::KMeansPush), &p.assign));
  SCZ_RETURN_IF_ERROR(make(kmeans_update_spirv(), io::kKMeansUpdateBindingCount, sizeof(io::KMeansPush), &p.update));
  SCZ_RETURN_IF_ERROR(make(kmeans_refill_spirv(), io::kKMeansRefillBindingCount, sizeof(io::KMeansPush), &p.refill));
  SCZ_RETURN_IF_ERROR(make(radix_histogram_spirv(), io::kHistogramBindingCount, sizeof(io::RadixPush), &p.histogram));
  SCZ_RETURN_IF_ERROR(make(radix_scatter_spirv(), io::kScatterBindingCount, sizeof(io::RadixPush), &p.scatter));
  return kernels;
}

Result<codec::KMeansResult> KMeansKernels::train(const float* data, std::size_t n, int dims, const float* weights,
                                                 const codec::KMeansOptions& options) {
  codec::KMeansResult result;
  result.dims = dims;
  if (n == 0 || dims <= 0 || options.k <= 0) return result;
  SCZ_RETURN_IF_ERROR(check_dims(dims));
  return lloyd(data, n, dims, codec::kmeans_start(data, n, dims, weights, options), options.iterations);
}

Result<codec::KMeansResult> KMeansKernels::lloyd(const float* data, std::size_t n, int dims,
                                                 const codec::KMeansStart& start, int max_iterations) {
  codec::KMeansResult result;
  result.dims = dims;
  if (n == 0 || dims <= 0 || start.k <= 0) return result;
  SCZ_RETURN_IF_ERROR(check_dims(dims));
  const std::size_t m = start.picked.empty() ? n : start.picked.size();
  const float* train = start.picked.empty() ? data : start.train.data();
  const int k = start.k;
  if (start.weights.size() != m || start.centroids.size() != static_cast<std::size_t>(k) * dims ||
      (!start.picked.empty() && start.train.size() != m * dims)) {
    return invalid_input("k-means start: training set, weights and seeds disagree in size");
  }
  if (m > max_vectors(context_, dims) || static_cast<std::size_t>(k) > max_vectors(context_, dims)) {
    return unsupported("GPU k-means: a training set of " + std::to_string(m) + " vectors of " + std::to_string(dims) +
                       " floats passes the device's storage buffer limit (train on fewer samples)");
  }
  result.k = k;
  const int iterations = std::max(0, max_iterations);
  const std::size_t vector_bytes = static_cast<std::size_t>(dims) * sizeof(float);

  std::vector<float> w(m);
  for (std::size_t i = 0; i < m; ++i) w[i] = static_cast<float>(start.weights[i]);
  std::vector<std::uint32_t> iota(m);
  std::iota(iota.begin(), iota.end(), 0u);
  const std::uint32_t blocks = groups_for(m, io::kRadixBlockSize);
  std::vector<std::uint32_t> control(io::kKMeansControlChanged + static_cast<std::size_t>(iterations) + 1, 0);
  control[io::kKMeansControlSortCount] = static_cast<std::uint32_t>(m);
  control[io::kKMeansControlSortBlocks] = blocks;

  Context& c = context_;
  SCZ_ASSIGN_OR_RETURN(Buffer data_buf, c.upload_device(train, m * vector_bytes));
  SCZ_ASSIGN_OR_RETURN(Buffer weight_buf, c.upload_device(w.data(), m * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(Buffer centroid_buf, c.upload_device(start.centroids.data(), k * vector_bytes));
  SCZ_ASSIGN_OR_RETURN(Buffer index_buf, c.upload_device(iota.data(), m * sizeof(std::uint32_t)));
  SCZ_ASSIGN_OR_RETURN(Buffer control_buf, c.upload_device(control.data(), control.size() * sizeof(std::uint32_t)));
  SCZ_ASSIGN_OR_RETURN(Buffer assignment_buf, c.create_buffer(m * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(Buffer distance_buf, c.create_buffer(m * sizeof(float), false));
  SCZ_ASSIGN_OR_RETURN(Buffer size_buf, c.create_buffer(static_cast<std::size_t>(k) * sizeof(std::uint32_t), false));
  // Sort ping-pong: keys and vector indices, the first pass reading the assignment and
  // the identity, so both survive the sort.
  SCZ_ASSIGN_OR_RETURN(Buffer keys0, c.create_buffer(m * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(Buffer keys1, c.create_buffer(m * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(Buffer sorted0, c.create_buffer(m * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(Buffer sorted1, c.create_buffer(m * sizeof(std::uint32_t), false));
  // The sort's look-back words (a pass's and the next's) and state (shaderio.h).
  Buffer lookback[2];
  for (Buffer& words : lookback) {
    SCZ_ASSIGN_OR_RETURN(words, c.create_buffer(static_cast<std::size_t>(io::kRadixBins) * blocks * sizeof(std::uint32_t), false));
  }
  SCZ_ASSIGN_OR_RETURN(Buffer state_buf, c.create_buffer(io::kRadixStateWords * sizeof(std::uint32_t), false));

  const Pipelines& p = *pipelines_;
  Recording rec(c);
  SCZ_RETURN_IF_ERROR(rec.begin());
  SCZ_ASSIGN_OR_RETURN(VkDescriptorSet assign_set,
                       rec.set(p.assign, {{io::kKMeansAssignBindingData, &data_buf},
                                          {io::kKMeansAssignBindingCentroids, &centroid_buf},
                                          {io::kKMeansAssignBindingAssignment, &assignment_buf},
                                          {io::kKMeansAssignBindingDistance, &distance_buf},
                                          {io::kKMeansAssignBindingControl, &control_buf}}));
  const int passes = radix_passes(k);
  const Buffer* keys[2] = {&keys0, &keys1};
  const Buffer* sorted[2] = {&sorted0, &sorted1};
  SCZ_ASSIGN_OR_RETURN(VkDescriptorSet histogram_set,
                       rec.set(p.histogram, {{io::kHistogramBindingCounters, &control_buf},
                                             {io::kHistogramBindingKeys, &assignment_buf},
                                             {io::kHistogramBindingState, &state_buf},
                                             {io::kHistogramBindingLookback, &lookback[0]}}));
  std::vector<VkDescriptorSet> scatter_sets;
  for (int pass = 0; pass < passes; ++pass) {
    const Buffer* keys_in = pass == 0 ? &assignment_buf : keys[(pass - 1) % 2];
    const Buffer* index_in = pass == 0 ? &index_buf : sorted[(pass - 1) % 2];
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet s, rec.set(p.scatter, {{io::kScatterBindingCounters, &control_buf},
                                                                {io::kScatterBindingState, &state_buf},
                                                                {io::kScatterBindingLookback, &lookback[pass % 2]},
                                                                {io::kScatterBindingLookbackNext, &lookback[1 - pass % 2]},
                                                                {io::kScatterBindingKeysIn, keys_in},
                                                                {io::kScatterBindingKeysOut, keys[pass % 2]},
                                                                {io::kScatterBindingValuesIn, index_in},
                                                                {io::kScatterBindingValuesOut, sorted[pass % 2]},
                                                                // Untouched: RadixPush.tile_ranges is 0.
                                                                {io::kScatterBindingTileRanges, &state_buf}}));
    scatter_sets.push_back(s);
  }
  SCZ_ASSIGN_OR_RETURN(VkDescriptorSet update_set,
                       rec.set(p.update, {{io::kKMeansUpdateBindingData, &data_buf},
                                          {io::kKMeansUpdateBindingWeights, &weight_buf},
                                          {io::kKMeansUpdateBindingSortedKeys, keys[(passes - 1) % 2]},
                                          {io::kKMeansUpdateBindingSortedIndex, sorted[(passes - 1) % 2]},
                                          {io::kKMeansUpdateBindingCentroids, &centroid_buf},
                                          {io::kKMeansUpdateBindingSizes, &size_buf},
                                          {io::kKMeansUpdateBindingControl, &control_buf}}));
  SCZ_ASSIGN_OR_RETURN(VkDescriptorSet refill_set, rec.set(p.refill, {{io::kKMeansRefillBindingData, &data_buf},
                                                                      {io::kKMeansRefillBindingWeights, &weight_buf},
                                                                      {io::kKMeansRefillBindingDistance, &distance_buf},
                                                                      {io::kKMeansRefillBindingSizes, &size_buf},
                                                                      {io::kKMeansRefillBindingCentroids, &centroid_buf},
                                                                      {io::kKMeansRefillBindingControl, &control_buf}}));

  // No vector has an assignment yet: the first iteration always counts as a change.
  vkCmdFillBuffer(rec.cmd(), assignment_buf.handle(), 0, VK_WHOLE_SIZE, 0xFFFFFFFFu);
  Context::compute_barrier(rec.cmd());
  const std::uint32_t assign_groups = groups_for(m, io::kKMeansAssignWorkgroupSize);
  const std::uint32_t update_groups = static_cast<std::uint32_t>(k);
  io::KMeansPush push{static_cast<std::uint32_t>(m), static_cast<std::uint32_t>(dims), static_cast<std::uint32_t>(k),
                      0, 0, 0, 0, 0};
  for (int it = 0; it < iterations; ++it) {
    push.iteration = static_cast<std::uint32_t>(it);
    push.groups_x = rec.groups_x(assign_groups);
    rec.dispatch(p.assign, assign_set, &push, assign_groups);
    // The sort's state starts at zero each time (its block counters and digit totals).
    vkCmdFillBuffer(rec.cmd(), state_buf.handle(), 0, VK_WHOLE_SIZE, 0);
    Context::compute_barrier(rec.cmd());
    const io::RadixPush counts{0, io::kKMeansControlSortCount, io::kKMeansControlSortBlocks, 0,
                               static_cast<std::uint32_t>(passes), 0, 0, 0};
    rec.dispatch(p.histogram, histogram_set, &counts, blocks);
    for (int pass = 0; pass < passes; ++pass) {
      const io::RadixPush radix{static_cast<std::uint32_t>(8 * pass), io::kKMeansControlSortCount,
                                io::kKMeansControlSortBlocks, 0, static_cast<std::uint32_t>(pass), 0, 0, 0};
      rec.dispatch(p.scatter, scatter_sets[pass], &radix, blocks);
    }
    push.groups_x = rec.groups_x(update_groups);
    rec.dispatch(p.update, update_set, &push, update_groups);
    push.groups_x = 1;
    rec.dispatch(p.refill, refill_set, &push, 1);
  }
  // The final centroids' distances, for the inertia.
  push.iteration = io::kKMeansPlainAssign;
  push.groups_x = rec.groups_x(assign_groups);
  rec.dispatch(p.assign, assign_set, &push, assign_groups);
  SCZ_RETURN_IF_ERROR(rec.submit());

  result.centroids.resize(static_cast<std::size_t>(k) * dims);
  std::vector<float> distance(m);
  SCZ_RETURN_IF_ERROR(c.download(centroid_buf, result.centroids.data(), k * vector_bytes));
  SCZ_RETURN_IF_ERROR(c.download(distance_buf, distance.data(), m * sizeof(float)));
  SCZ_RETURN_IF_ERROR(c.download(control_buf, control.data(), control.size() * sizeof(std::uint32_t)));
  result.iterations = static_cast<int>(control[io::kKMeansControlIterations]);
  double inertia = 0.0;
  for (std::size_t i = 0; i < m; ++i) inertia += start.weights[i] * distance[i];
  result.inertia = inertia;
  return result;
}

Status KMeansKernels::assign(const float* data, std::size_t n, int dims, const float* centroids, int k,
                             std::uint32_t* out, float* distances) {
  if (n == 0 || k <= 0) return Status::Ok();
  SCZ_RETURN_IF_ERROR(check_dims(dims));
  const std::size_t vector_bytes = static_cast<std::size_t>(dims) * sizeof(float);
  const std::size_t batch = max_vectors(context_, dims);
  if (static_cast<std::size_t>(k) > batch) return unsupported("GPU k-means: too many centroids for one storage buffer");
  Context& c = context_;
  SCZ_ASSIGN_OR_RETURN(Buffer centroid_buf, c.upload_device(centroids, k * vector_bytes));
  SCZ_ASSIGN_OR_RETURN(Buffer control_buf, c.create_buffer(16, false));  // bound, unused outside the loop
  for (std::size_t first = 0; first < n; first += batch) {
    const std::size_t count = std::min(batch, n - first);
    SCZ_ASSIGN_OR_RETURN(Buffer data_buf, c.upload_device(data + first * dims, count * vector_bytes));
    SCZ_ASSIGN_OR_RETURN(Buffer assignment_buf, c.create_buffer(count * sizeof(std::uint32_t), false));
    SCZ_ASSIGN_OR_RETURN(Buffer distance_buf, c.create_buffer(count * sizeof(float), false));
    {
      Recording rec(c);
      SCZ_RETURN_IF_ERROR(rec.begin());
      SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, rec.set(pipelines_->assign,
                                                        {{io::kKMeansAssignBindingData, &data_buf},
                                                         {io::kKMeansAssignBindingCentroids, &centroid_buf},
                                                         {io::kKMeansAssignBindingAssignment, &assignment_buf},
                                                         {io::kKMeansAssignBindingDistance, &distance_buf},
                                                         {io::kKMeansAssignBindingControl, &control_buf}}));
      const std::uint32_t groups = groups_for(count, io::kKMeansAssignWorkgroupSize);
      const io::KMeansPush push{static_cast<std::uint32_t>(count), static_cast<std::uint32_t>(dims),
                                static_cast<std::uint32_t>(k), rec.groups_x(groups), io::kKMeansPlainAssign, 0, 0, 0};
      rec.dispatch(pipelines_->assign, set, &push, groups);
      SCZ_RETURN_IF_ERROR(rec.submit());
    }
    SCZ_RETURN_IF_ERROR(c.download(assignment_buf, out + first, count * sizeof(std::uint32_t)));
    if (distances) SCZ_RETURN_IF_ERROR(c.download(distance_buf, distances + first, count * sizeof(float)));
  }
  return Status::Ok();
}

Result<codec::KMeansResult> train_kmeans_gpu(Context& context, const float* data, std::size_t n, int dims,
                                             const float* weights, const codec::KMeansOptions& options) {
  SCZ_ASSIGN_OR_RETURN(std::unique_ptr<KMeansKernels> kernels, KMeansKernels::create(context));
  return kernels->train(data, n, dims, weights, options);
}

Status assign_nearest_gpu(Context& context, const float* data, std::size_t n, int dims, const float* centroids,
                          int k, std::uint32_t* out, float* distances) {
  SCZ_ASSIGN_OR_RETURN(std::unique_ptr<KMeansKernels> kernels, KMeansKernels::create(context));
  return kernels->assign(data, n, dims, centroids, k, out, distances);
}

Status use_gpu_kmeans(Context& context, codec::EncoderAccelerators* accelerators) {
  SCZ_ASSIGN_OR_RETURN(std::unique_ptr<KMeansKernels> created, KMeansKernels::create(context));
  std::shared_ptr<KMeansKernels> kernels = std::move(created);
  accelerators->train_kmeans = [kernels](const float* data, std::size_t n, int dims, const float* weights,
                                         const codec::KMeansOptions& options) {
    return kernels->train(data, n, dims, weights, options);
  };
  accelerators->assign_nearest = [kernels](const float* data, std::size_t n, int dims, const float* centroids, int k,
                                           std::uint32_t* out, float* distances) {
    return kernels->assign(data, n, dims, centroids, k, out, distances);
  };
  return Status::Ok();
}

}  // namespace scenezip::gpu
