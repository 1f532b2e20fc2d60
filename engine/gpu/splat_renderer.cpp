#include "engine/gpu/splat_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/gpu/shaders.h"
#include "formats/scz/float16.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

namespace {
// One timestamp after each dispatch of a frame, and one at its start.
constexpr std::uint32_t kTimestampCount = 64;

std::uint32_t ceil_div(std::size_t a, std::size_t b) { return static_cast<std::uint32_t>((a + b - 1) / b); }

// The fewest low bits of (depth - znear)'s float bits to drop so that every depth from
// znear to `far` keys within kDepthKeyBits (positive floats order as their bits).
std::uint32_t depth_key_shift(float znear, float far) {
  if (!(znear > 0) || !(far > znear)) return 0;
  if (!std::isfinite(far)) return 32 - io::kDepthKeyBits;
  std::uint32_t near_bits = 0, far_bits = 0;
  std::memcpy(&near_bits, &znear, sizeof near_bits);
  std::memcpy(&far_bits, &far, sizeof far_bits);
  const std::uint32_t range = far_bits - near_bits;
  std::uint32_t shift = 0;
  while ((range >> shift) >= (1u << io::kDepthKeyBits)) ++shift;
  return shift;
}

// Bits needed to tell `values` distinct values apart (at least one).
std::uint32_t bits_for(std::uint32_t values) {
  std::uint32_t bits = 1;
  while (bits < 32 && (1u << bits) < values) ++bits;
  return bits;
}
}  // namespace

Result<std::unique_ptr<SplatRenderer>> SplatRenderer::create(Context& context, const GaussianCloud& cloud,
                                                             std::size_t initial_capacity) {
  std::unique_ptr<SplatRenderer> renderer(new SplatRenderer(context));
  renderer->capacity_ = initial_capacity;
  // Names the scene's size, so that running out of GPU memory says for what.
  SCZ_RETURN_IF_ERROR(renderer->init(cloud).with_context("a scene of " + std::to_string(cloud.count) +
                                                         " Gaussians (SH degree " + std::to_string(cloud.sh_degree) + ")"));
  return renderer;
}

SplatRenderer::~SplatRenderer() {
  release_recording();
  context_.destroy_query_pool(timestamps_);
}

void SplatRenderer::release_recording() {
  for (VkDescriptorSet set : sets_) context_.free_descriptor_set(set);
  sets_.clear();
  context_.free_commands(commands_);
  commands_ = VK_NULL_HANDLE;
}

Status SplatRenderer::init(const GaussianCloud& cloud) {
  // Below kRadixMaxKeys too, the radix sort's bound.
  static_assert(0xFFFFFFFFull / 64 < io::kRadixMaxKeys);
  if (cloud.count > 0xFFFFFFFFull / 64) return invalid_input("too many Gaussians for the GPU renderer");
  count_ = cloud.count;
  // Bounding sphere of the centres (box centre, farthest centre from it); non-finite
  // positions are culled by the preprocess and ignored here.
  std::array<double, 3> low{HUGE_VAL, HUGE_VAL, HUGE_VAL}, high{-HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
  for (std::size_t g = 0; g < cloud.count; ++g) {
    for (int k = 0; k < 3; ++k) {
      const double x = cloud.positions[3 * g + k];
      if (!std::isfinite(x)) continue;
      low[k] = std::min(low[k], x);
      high[k] = std::max(high[k], x);
    }
  }
  for (int k = 0; k < 3; ++k) bound_centre_[k] = low[k] <= high[k] ? 0.5 * (low[k] + high[k]) : 0.0;
  bound_radius_ = 0;
  for (std::size_t g = 0; g < cloud.count; ++g) {
    double d2 = 0;
    for (int k = 0; k < 3; ++k) {
      const double d = cloud.positions[3 * g + k] - bound_centre_[k];
      d2 += d * d;
    }
    if (std::isfinite(d2)) bound_radius_ = std::max(bound_radius_, std::sqrt(d2));
  }
  sh_degree_ = cloud.sh_degree;
  // Radix blocks of 4,096 keys where the scatter's shared memory fits (shaderio.h).
  radix_items_ = context_.limits().maxComputeSharedMemorySize >= io::kRadixWideSharedBytes ? io::kRadixWideItemsPerThread
                                                                                           : io::kRadixItemsPerThread;
  auto make = [&](Spirv spirv, std::uint32_t bindings, std::uint32_t push, ComputePipeline* out,
                  bool full_subgroups = false) -> Status {
    SCZ_ASSIGN_OR_RETURN(*out, context_.create_compute_pipeline(spirv.words, spirv.count, bindings, push, full_subgroups,
                                                                {{io::kRadixItemsConstantId, radix_items_}}));
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(make(splat_preprocess_spirv(), io::kPreprocessBindingCount, 0, &preprocess_));
  SCZ_RETURN_IF_ERROR(make(radix_histogram_spirv(), io::kHistogramBindingCount, sizeof(io::RadixPush), &histogram_));
  SCZ_RETURN_IF_ERROR(make(splat_emit_count_spirv(), io::kEmitCountBindingCount, 0, &emit_count_));
  SCZ_RETURN_IF_ERROR(make(splat_emit_spirv(), io::kEmitBindingCount, 0, &emit_));
  SCZ_RETURN_IF_ERROR(make(radix_scatter_spirv(), io::kScatterBindingCount, sizeof(io::RadixPush), &scatter_));
  // The block kernel where subgroups are 32 wide and full (splat_raster.glsl): 1.7-2.5x
  // faster than the tile kernel on the H200 (BENCHMARKS, fifth round).
  raster_by_block_ = context_.full_32_wide_subgroups();
  SCZ_RETURN_IF_ERROR(make(raster_by_block_ ? splat_raster_blocks_spirv() : splat_raster_spirv(),
                           io::kRasterBindingCount, 0, &raster_, raster_by_block_));
  if (raster_by_block_) {
    SCZ_RETURN_IF_ERROR(make(splat_raster_queued_spirv(), io::kRasterBindingCount, 0, &raster_queued_, true));
  }

  const std::size_t n = cloud.count;
  SCZ_ASSIGN_OR_RETURN(params_, context_.create_buffer(sizeof(io::FrameParams), true));
  SCZ_ASSIGN_OR_RETURN(positions_, context_.upload_device(cloud.positions.data(), n * 3 * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(log_scales_, context_.upload_device(cloud.log_scales.data(), n * 3 * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(rotations_, context_.upload_device(cloud.rotations.data(), n * 4 * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(logits_, context_.upload_device(cloud.logit_opacities.data(), n * sizeof(float)));
  // The SH layout of shaderio.h: binary16 pairs, coefficient by coefficient.
  const auto coeffs = static_cast<std::uint32_t>(sh_coeffs_per_channel(cloud.sh_degree));
  const std::uint32_t rest = coeffs - 1;
  const auto gaussians = static_cast<std::uint32_t>(n);
  std::vector<std::uint16_t> sh(static_cast<std::size_t>(coeffs) * 3 * ((n + 1) & ~std::size_t{1}), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::uint32_t>(i);
    for (std::uint32_t c = 0; c < 3; ++c) {
      sh[io::sh_half_index(g, c, 0, gaussians)] = scz::float_to_half(cloud.sh_dc[3 * i + c]);
      for (std::uint32_t k = 0; k < rest; ++k) {
        sh[io::sh_half_index(g, c, 1 + k, gaussians)] = scz::float_to_half(cloud.sh_rest[(3 * i + c) * rest + k]);
      }
    }
  }
  SCZ_ASSIGN_OR_RETURN(sh_, context_.upload_device(sh.data(), sh.size() * sizeof(std::uint16_t)));
  static_assert(sizeof(io::Splat2D) == 3 * 16, "splat_record.glsl: three 16-byte words a splat");
  SCZ_ASSIGN_OR_RETURN(splats_, context_.create_buffer(n * sizeof(io::Splat2D), false));
  SCZ_ASSIGN_OR_RETURN(counters_, context_.create_buffer(io::kCounterSlots * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(dummy_, context_.create_buffer(16, false));
  for (Buffer& state : radix_state_) {
    SCZ_ASSIGN_OR_RETURN(state, context_.create_buffer(io::kRadixStateWords * sizeof(std::uint32_t), false));
  }
  for (int k = 0; k < 2; ++k) {
    SCZ_ASSIGN_OR_RETURN(depth_keys_[k], context_.create_buffer(n * sizeof(std::uint32_t), false));
    SCZ_ASSIGN_OR_RETURN(depth_values_[k], context_.create_buffer(n * sizeof(std::uint32_t), false));
  }
  SCZ_ASSIGN_OR_RETURN(tile_counts_, context_.create_buffer(n * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(block_sums_, context_.create_buffer(ceil_div(n, radix_block()) * sizeof(std::uint32_t), false));
  if (context_.timestamp_period_ns() > 0) {
    SCZ_ASSIGN_OR_RETURN(timestamps_, context_.create_timestamp_pool(kTimestampCount));
  }
  return Status::Ok();
}

std::size_t SplatRenderer::device_bytes() const {
  std::size_t bytes = 0;
  for (const Buffer* b : {&params_, &positions_, &log_scales_, &rotations_, &logits_, &sh_, &splats_, &counters_,
                          &dummy_, &depth_keys_[0], &depth_keys_[1], &depth_values_[0], &depth_values_[1],
                          &keys_tile_[0], &keys_tile_[1], &values_[0], &values_[1], &tile_counts_,
                          &lookback_[0], &lookback_[1], &radix_state_[0], &radix_state_[1], &block_sums_, &tile_ranges_, &image_}) {
    bytes += b->size();
  }
  return bytes;
}

Status SplatRenderer::allocate_frame(int width, int height, std::size_t capacity) {
  release_recording();
  width_ = width;
  height_ = height;
  tiles_x_ = static_cast<int>(ceil_div(width, io::kTileSize));
  tiles_y_ = static_cast<int>(ceil_div(height, io::kTileSize));
  capacity_ = std::max<std::size_t>(capacity, radix_block());
  if (capacity_ >= io::kRadixMaxKeys) {
    return unsupported("a frame of " + std::to_string(capacity_) + " tile instances passes the radix sort's " +
                       std::to_string(io::kRadixMaxKeys) + " (fewer Gaussians or a smaller image)");
  }
  const VkDeviceSize instance_bytes = capacity_ * sizeof(std::uint32_t);
  for (int k = 0; k < 2; ++k) {
    SCZ_ASSIGN_OR_RETURN(keys_tile_[k], context_.create_buffer(instance_bytes, false));
    SCZ_ASSIGN_OR_RETURN(values_[k], context_.create_buffer(instance_bytes, false));
  }
  // One pair of look-back buffers serves both sorts: sized for the larger of the two.
  const std::size_t blocks = ceil_div(std::max(capacity_, count_), radix_block());
  for (Buffer& lookback : lookback_) {
    SCZ_ASSIGN_OR_RETURN(lookback, context_.create_buffer(blocks * io::kRadixBins * sizeof(std::uint32_t), false));
  }
  SCZ_ASSIGN_OR_RETURN(tile_ranges_,
                       context_.create_buffer(static_cast<std::size_t>(tiles_x_) * tiles_y_ * 2 * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(image_, context_.create_buffer(static_cast<std::size_t>(width) * height * 4 * sizeof(float), false));
  return record();
}

Status SplatRenderer::record() {
  SCZ_ASSIGN_OR_RETURN(commands_, context_.allocate_commands());
  VkCommandBuffer cmd = commands_;
  auto bind = [&](const ComputePipeline& pipeline, const BufferBindings& buffers,
                  const void* push) -> Status {
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, context_.create_descriptor_set(pipeline, buffers));
    sets_.push_back(set);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
    if (pipeline.push_size() > 0) {
      vkCmdPushConstants(cmd, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, pipeline.push_size(), push);
    }
    return Status::Ok();
  };
  // A timestamp after each dispatch's barrier times it alone; `stage` also marks the end
  // of one of the stages of SplatTimings.
  timestamp_labels_.clear();
  auto mark = [&](std::string label) {
    const auto index = static_cast<std::uint32_t>(timestamp_labels_.size());
    if (!timestamps_ || index >= kTimestampCount) return index;
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, timestamps_, index);
    timestamp_labels_.push_back(std::move(label));
    return index;
  };
  auto stage = [&](int which, std::string label) { stage_timestamps_[which] = mark(std::move(label)); };
  // A stage that ends with the last dispatch marked.
  auto stage_ends_here = [&](int which) {
    if (!timestamp_labels_.empty()) stage_timestamps_[which] = static_cast<std::uint32_t>(timestamp_labels_.size() - 1);
  };

  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  vkBeginCommandBuffer(cmd, &begin);
  if (timestamps_) vkCmdResetQueryPool(cmd, timestamps_, 0, kTimestampCount);
  vkCmdFillBuffer(cmd, counters_.handle(), 0, VK_WHOLE_SIZE, 0);
  for (const Buffer& state : radix_state_) vkCmdFillBuffer(cmd, state.handle(), 0, VK_WHOLE_SIZE, 0);
  // Tile ranges (shaderio.h): every tile empty until the tile sort's last pass says otherwise.
  const VkDeviceSize tile_words = static_cast<VkDeviceSize>(tiles_x_) * tiles_y_ * sizeof(std::uint32_t);
  vkCmdFillBuffer(cmd, tile_ranges_.handle(), 0, tile_words, io::kEmptyTileStart);
  vkCmdFillBuffer(cmd, tile_ranges_.handle(), tile_words, tile_words, 0);
  Context::compute_barrier(cmd);
  stage(0, "start");

  // Preprocess: one thread per Gaussian, tiled in 2D past the workgroup-count limit.
  SCZ_RETURN_IF_ERROR(bind(preprocess_,
                           {{io::kPreprocessBindingParams, &params_},
                            {io::kPreprocessBindingPositions, &positions_},
                            {io::kPreprocessBindingLogScales, &log_scales_},
                            {io::kPreprocessBindingRotations, &rotations_},
                            {io::kPreprocessBindingLogits, &logits_},
                            {io::kPreprocessBindingSh, &sh_},
                            {io::kPreprocessBindingSplats, &splats_},
                            {io::kPreprocessBindingCounters, &counters_},
                            {io::kPreprocessBindingDepthKeys, &depth_keys_[0]},
                            {io::kPreprocessBindingDepthValues, &depth_values_[0]},
                            {io::kPreprocessBindingTileCounts, &tile_counts_}},
                           nullptr));
  std::uint32_t gx = 1, gy = 1;
  context_.tile_groups(ceil_div(count_, io::kSplatWorkgroupSize), &gx, &gy);
  if (count_ > 0) vkCmdDispatch(cmd, gx, gy, 1);
  Context::compute_barrier(cmd);
  stage(1, "preprocess");

  // A stable LSD radix sort of `bits` bits (8 a pass) over keys[cur], moving the values
  // with them: the digit totals of every pass, then one scatter a pass. `state` is the
  // sort's radix_state_; `tile_ranges`: 0, or the tile count where the last
  // pass leaves tile keys in their final order and records the tile ranges;
  // `visible_limit`: 0, or (the depth sort) the Gaussian count, where the histogram runs
  // over every Gaussian and writes the visible counts the rest of the sort reads.
  struct SortSlots {
    std::uint32_t count, blocks, args;
  };
  auto sort = [&](Buffer* keys, Buffer* values, int& cur, std::uint32_t bits, const SortSlots& slots,
                  Buffer* state, const std::string& name, std::uint32_t tile_ranges,
                  std::uint32_t visible_limit) -> Status {
    const std::uint32_t passes = (bits + 7) / 8;
    const VkDeviceSize args = slots.args * sizeof(std::uint32_t);
    const io::RadixPush counts{
        0, slots.count, slots.blocks, 0, passes, visible_limit, context_.limits().maxComputeWorkGroupCount[0], 0};
    SCZ_RETURN_IF_ERROR(bind(histogram_,
                             {{io::kHistogramBindingCounters, &counters_},
                              {io::kHistogramBindingKeys, &keys[cur]},
                              {io::kHistogramBindingState, state},
                              {io::kHistogramBindingLookback, &lookback_[0]}},
                             &counts));
    if (visible_limit != 0) {
      std::uint32_t x = 1, y = 1;
      context_.tile_groups(static_cast<std::uint32_t>(ceil_div(visible_limit, radix_block())), &x, &y);
      vkCmdDispatch(cmd, x, y, 1);
    } else {
      vkCmdDispatchIndirect(cmd, counters_.handle(), args);
    }
    Context::compute_barrier(cmd);
    mark(name + " digit totals");
    for (std::uint32_t pass = 0; pass < passes; ++pass) {
      const bool last = pass + 1 == passes;
      const io::RadixPush push{8 * pass, slots.count, slots.blocks, last ? tile_ranges : 0, pass, 0, 0, 0};
      const int next = 1 - cur;
      SCZ_RETURN_IF_ERROR(bind(scatter_,
                               {{io::kScatterBindingCounters, &counters_},
                                {io::kScatterBindingState, state},
                                {io::kScatterBindingLookback, &lookback_[pass % 2]},
                                {io::kScatterBindingLookbackNext, &lookback_[1 - pass % 2]},
                                {io::kScatterBindingKeysIn, &keys[cur]},
                                {io::kScatterBindingKeysOut, &keys[next]},
                                {io::kScatterBindingValuesIn, &values[cur]},
                                {io::kScatterBindingValuesOut, &values[next]},
                                {io::kScatterBindingTileRanges, &tile_ranges_}},
                               &push));
      vkCmdDispatchIndirect(cmd, counters_.handle(), args);
      Context::compute_barrier(cmd);
      mark(name + " " + std::to_string(pass) + " scatter");
      cur = next;
    }
    return Status::Ok();
  };

  // Visible Gaussians by depth (shaderio.h's depth keys).
  const SortSlots visible{io::kCounterVisibleCount, io::kCounterVisibleBlocks, io::kCounterVisibleSortArgs};
  int depth_cur = 0;
  const std::uint32_t depth_bits = weight_sums_ ? 32 : io::kDepthKeyBits;  // FrameParams::exact_depth
  SCZ_RETURN_IF_ERROR(sort(depth_keys_, depth_values_, depth_cur, depth_bits, visible, &radix_state_[0], "depth sort", 0,
                           static_cast<std::uint32_t>(std::max<std::size_t>(count_, 1))));
  stage_ends_here(2);

  // Tile instances laid out in depth order: offsets within blocks and each block's first
  // instance (by look-back, on the words the depth sort's last pass left zero), then one
  // thread per visible Gaussian writes its instances. The offsets take the sorted depth
  // keys' place: nothing reads those keys again.
  Buffer& item_offsets = depth_keys_[depth_cur];
  const std::uint32_t depth_passes = (depth_bits + 7) / 8;
  SCZ_RETURN_IF_ERROR(bind(emit_count_,
                           {{io::kEmitCountBindingCounters, &counters_},
                            {io::kEmitCountBindingSorted, &depth_values_[depth_cur]},
                            {io::kEmitCountBindingTileCounts, &tile_counts_},
                            {io::kEmitCountBindingItemOffsets, &item_offsets},
                            {io::kEmitCountBindingBlockSums, &block_sums_},
                            {io::kEmitCountBindingParams, &params_},
                            {io::kEmitCountBindingLookback, &lookback_[depth_passes % 2]}},
                           nullptr));
  vkCmdDispatchIndirect(cmd, counters_.handle(), io::kCounterVisibleSortArgs * sizeof(std::uint32_t));
  Context::compute_barrier(cmd);
  mark("emit count");
  SCZ_RETURN_IF_ERROR(bind(emit_,
                           {{io::kEmitBindingParams, &params_},
                            {io::kEmitBindingCounters, &counters_},
                            {io::kEmitBindingSorted, &depth_values_[depth_cur]},
                            {io::kEmitBindingSplats, &splats_},
                            {io::kEmitBindingItemOffsets, &item_offsets},
                            {io::kEmitBindingBlockOffsets, &block_sums_},
                            {io::kEmitBindingKeysTile, &keys_tile_[0]},
                            {io::kEmitBindingValues, &values_[0]}},
                           nullptr));
  vkCmdDispatchIndirect(cmd, counters_.handle(), io::kCounterVisibleArgs * sizeof(std::uint32_t));
  Context::compute_barrier(cmd);
  stage(3, "emit");

  // A stable sort by tile keeps each tile's instances front to back; only the bits the
  // tile index needs are sorted.
  const auto tiles = static_cast<std::uint32_t>(tiles_x_ * tiles_y_);
  const std::uint32_t tile_bits = bits_for(tiles);
  const SortSlots instances{io::kCounterInstanceCount, io::kCounterInstanceBlocks, io::kCounterInstanceSortArgs};
  int cur = 0;
  SCZ_RETURN_IF_ERROR(sort(keys_tile_, values_, cur, tile_bits, instances, &radix_state_[1], "tile sort", tiles, 0));
  final_buffer_ = cur;
  stage_ends_here(4);

  const bool underlay = underlay_color_ && underlay_depth_;
  if (weight_sums_) {
    SCZ_RETURN_IF_ERROR(
        bind(importance_,
             {{io::kImportanceBindingParams, &params_},
              {io::kImportanceBindingRanges, &tile_ranges_},
              {io::kImportanceBindingValues, &values_[cur]},
              {io::kImportanceBindingSplats, &splats_},
              {io::kImportanceBindingCounters, &counters_},
              {io::kImportanceBindingSums, weight_sums_}},
             nullptr));
    vkCmdDispatch(cmd, tiles_x_, tiles_y_, 1);
  } else {
    const BufferBindings raster_buffers = {
        {io::kRasterBindingParams, &params_},
        {io::kRasterBindingRanges, &tile_ranges_},
        {io::kRasterBindingValues, &values_[cur]},
        {io::kRasterBindingSplats, &splats_},
        {io::kRasterBindingImage, &image_},
        {io::kRasterBindingUnderlayColor, underlay ? underlay_color_ : &dummy_},
        {io::kRasterBindingUnderlayDepth, underlay ? underlay_depth_ : &dummy_},
        {io::kRasterBindingKeysTile, &keys_tile_[cur]}};
    SCZ_RETURN_IF_ERROR(bind(raster_, raster_buffers, nullptr));
    if (raster_by_block_) {
      // splat_emit_count sized one of the two walks to every tile and the other to none.
      vkCmdDispatchIndirect(cmd, counters_.handle(), io::kCounterRasterArgs * sizeof(std::uint32_t));
      SCZ_RETURN_IF_ERROR(bind(raster_queued_, raster_buffers, nullptr));
      vkCmdDispatchIndirect(cmd, counters_.handle(), io::kCounterRasterQueuedArgs * sizeof(std::uint32_t));
    } else {
      vkCmdDispatch(cmd, tiles_x_, tiles_y_, 1);
    }
  }
  Context::compute_barrier(cmd);
  stage(5, weight_sums_ ? "blend weights" : "raster");
  vkEndCommandBuffer(cmd);
  return Status::Ok();
}

SplatRenderer::KernelStatistics SplatRenderer::kernel_statistics() const {
  KernelStatistics out;
  const std::pair<const char*, const ComputePipeline*> kernels[] = {
      {"preprocess", &preprocess_},   {"radix histogram", &histogram_},
      {"radix scatter", &scatter_},    {"emit count", &emit_count_},
      {"emit", &emit_},               {"raster", &raster_},            {"raster queued", &raster_queued_}};
  for (const auto& [name, pipeline] : kernels) {
    if (!pipeline->statistics().empty()) out.emplace_back(name, pipeline->statistics());
  }
  return out;
}

void SplatRenderer::set_underlay(const Buffer* color, const Buffer* depth) {
  if (color == underlay_color_ && depth == underlay_depth_) return;
  underlay_color_ = color;
  underlay_depth_ = depth;
  release_recording();  // the raster's bindings change: record the frame again
}

Status SplatRenderer::prepare(const Camera& camera, const std::array<float, 3>& background) {
  if (camera.width <= 0 || camera.height <= 0 || camera.width > 16384 || camera.height > 16384) {
    return invalid_input("image size " + std::to_string(camera.width) + "x" + std::to_string(camera.height) +
                         " is outside 1..16384");
  }
  const VkDeviceSize pixels = static_cast<VkDeviceSize>(camera.width) * camera.height;
  if (underlay_color_ && underlay_depth_ &&
      (underlay_color_->size() < pixels * 4 * sizeof(float) || underlay_depth_->size() < pixels * sizeof(float))) {
    return internal_error("the opaque frame under the splats is smaller than the image");
  }
  if (camera.width != width_ || camera.height != height_ || !commands_) {
    // A first guess of tile instances per Gaussian; run_frame grows it when exceeded.
    const std::size_t guess = std::max<std::size_t>(count_ * 4, std::size_t{1} << 20);
    SCZ_RETURN_IF_ERROR(allocate_frame(camera.width, camera.height, capacity_ ? capacity_ : guess));
  }
  io::FrameParams p{};
  const auto view = camera.view_matrix();
  std::copy(view.begin(), view.end(), p.view);
  for (int k = 0; k < 3; ++k) p.camera_pos[k] = static_cast<float>(camera.position[k]);
  p.fx = static_cast<float>(camera.fx);
  p.fy = static_cast<float>(camera.fy);
  p.cx = static_cast<float>(camera.cx);
  p.cy = static_cast<float>(camera.cy);
  p.tan_fovx = static_cast<float>(camera.tan_fovx());
  p.tan_fovy = static_cast<float>(camera.tan_fovy());
  p.znear = static_cast<float>(camera.znear);
  p.scale_modifier = scale_modifier_;
  for (int k = 0; k < 3; ++k) p.background[k] = background[k];
  p.width = camera.width;
  p.height = camera.height;
  p.tiles_x = tiles_x_;
  p.tiles_y = tiles_y_;
  p.count = static_cast<std::uint32_t>(count_);
  p.sh_degree = std::clamp(shown_sh_degree_, 0, sh_degree_);
  p.sh_coeffs = sh_coeffs_per_channel(sh_degree_);
  p.instance_capacity = static_cast<std::uint32_t>(capacity_);
  p.use_underlay = underlay_color_ && underlay_depth_ ? 1u : 0u;
  p.exact_depth = weight_sums_ ? 1u : 0u;
  // No Gaussian lies deeper than the camera's distance to the bounding sphere's far side.
  double distance2 = 0;
  for (int k = 0; k < 3; ++k) distance2 += (camera.position[k] - bound_centre_[k]) * (camera.position[k] - bound_centre_[k]);
  p.depth_key_shift = depth_key_shift(p.znear, static_cast<float>((std::sqrt(distance2) + bound_radius_) * 1.001));
  std::uint32_t gy = 1;
  context_.tile_groups(ceil_div(count_, io::kSplatWorkgroupSize), &p.groups_x, &gy);
  p.max_groups_x = context_.limits().maxComputeWorkGroupCount[0];
  p.queued_walk = raster_by_block_ ? queued_walk_ : 0u;
  std::memcpy(params_.mapped(), &p, sizeof(p));
  return Status::Ok();
}

Status SplatRenderer::run_frame(const Camera& camera, const std::array<float, 3>& background) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    SCZ_RETURN_IF_ERROR(prepare(camera, background));
    SCZ_RETURN_IF_ERROR(context_.submit_and_wait(commands_));
    std::uint32_t counters[io::kCounterSlots];
    SCZ_RETURN_IF_ERROR(context_.download(counters_, counters, sizeof(counters)));
    stats_.visible = counters[io::kCounterVisible];
    stats_.instances = counters[io::kCounterInstances];
    if (stats_.instances <= capacity_) return Status::Ok();
    // Too many tile instances for the buffers: grow with headroom and render again.
    // The headroom stops short of the radix sort's bound (allocate_frame refuses past it).
    const std::size_t headroom = std::max<std::size_t>(stats_.instances, io::kRadixMaxKeys - 1);
    SCZ_RETURN_IF_ERROR(allocate_frame(camera.width, camera.height,
                                       std::min<std::size_t>(stats_.instances + stats_.instances / 4, headroom)));
  }
  return internal_error("tile instance buffers could not hold the frame");
}

Status SplatRenderer::accumulate_blend_weights(const Camera& camera, const Buffer& sums) {
  if (sums.size() < count_ * 2 * sizeof(std::uint32_t)) return internal_error("blend weight sums buffer too small");
  if (!importance_.handle()) {
    const Spirv spirv = splat_importance_spirv();
    SCZ_ASSIGN_OR_RETURN(importance_, context_.create_compute_pipeline(spirv.words, spirv.count,
                                                                       io::kImportanceBindingCount, 0));
  }
  if (weight_sums_ != &sums) {
    weight_sums_ = &sums;
    release_recording();  // the last pass changes: record the frame again
  }
  // run_frame redraws a frame whose instances overflowed; the shader adds nothing then.
  const Status status = run_frame(camera, {0, 0, 0});
  weight_sums_ = nullptr;
  release_recording();  // the next render() records the colour pass again
  return status;
}

Result<Image> SplatRenderer::render(const Camera& camera, const std::array<float, 3>& background) {
  SCZ_RETURN_IF_ERROR(run_frame(camera, background));
  return context_.download_image(image_, camera.width, camera.height);
}

Result<SplatTimings> SplatRenderer::render_timed(const Camera& camera, const std::array<float, 3>& background) {
  SCZ_RETURN_IF_ERROR(run_frame(camera, background));
  SplatTimings t;
  if (!timestamps_) return t;
  const auto stamps = static_cast<std::uint32_t>(timestamp_labels_.size());
  SCZ_ASSIGN_OR_RETURN(const std::vector<double> at, context_.read_timestamps_ms(timestamps_, stamps));
  const std::uint32_t* s = stage_timestamps_;
  if (std::any_of(s, s + 6, [&](std::uint32_t k) { return k >= stamps; })) return t;  // more dispatches than stamps
  t.preprocess = at[s[1]];
  t.sort_depth = at[s[2]] - at[s[1]];
  t.emit = at[s[3]] - at[s[2]];
  t.sort_tiles = at[s[4]] - at[s[3]];
  t.sort = at[s[4]] - at[s[1]];
  t.raster = at[s[5]] - at[s[4]];
  t.total = at[s[5]];
  for (std::uint32_t k = 1; k < stamps; ++k) t.steps.emplace_back(timestamp_labels_[k], at[k] - at[k - 1]);
  return t;
}

}  // namespace scenezip::gpu
