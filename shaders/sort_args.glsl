// Indirect dispatch sizes from counts made on the GPU, so a frame never reads a count
// back: written into the counters by the kernel that learns the count last
// (splat_preprocess.comp's last workgroup: visible Gaussians; splat_sort_args.comp:
// tile instances). Dispatches tile in 2D past the device's x limit. The including
// shader declares `params` (FrameParams) and a writable `counters`.

void write_dispatch_args(uint slot, uint groups) {
  const uint x = max(1u, min(groups, params.max_groups_x));
  counters[slot] = groups == 0 ? 0 : x;
  counters[slot + 1] = groups == 0 ? 0 : (groups + x - 1) / x;
  counters[slot + 2] = 1;
}

// `culled_in` Gaussians survived culling (at most params.count).
void write_visible_args(uint culled_in) {
  const uint visible = min(culled_in, params.count);
  const uint blocks = (visible + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterVisibleCount] = visible;
  counters[kCounterVisibleBlocks] = blocks;
  write_dispatch_args(kCounterVisibleSortArgs, blocks);
  write_dispatch_args(kCounterVisibleArgs, (visible + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
}

// The frame needs `total` tile instances; those past the buffers' capacity are dropped
// (the host grows the buffers and draws the frame again).
void write_instance_args(uint total) {
  const uint instances = min(total, params.instance_capacity);
  const uint blocks = (instances + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterInstances] = total;
  counters[kCounterInstanceCount] = instances;
  counters[kCounterInstanceBlocks] = blocks;
  write_dispatch_args(kCounterInstanceSortArgs, blocks);
  write_dispatch_args(kCounterInstanceArgs, (instances + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
}
