// Indirect dispatch sizes written on the GPU, so a frame never reads a count back. The
// including shader declares the writable `counters` buffer (kCounter* slots).

// Dispatches tile in 2D past the device's x limit.
void write_dispatch_args(uint slot, uint groups, uint max_groups_x) {
  const uint x = max(1u, min(groups, max_groups_x));
  counters[slot] = groups == 0 ? 0 : x;
  counters[slot + 1] = groups == 0 ? 0 : (groups + x - 1) / x;
  counters[slot + 2] = 1;
}

// `visible` Gaussians survived culling: the depth sort's counts and the sizes of the
// dispatches over them. Dispatches by block get a workgroup even with nothing visible:
// splat_emit_count.comp's sizes the raster then.
void write_visible_args(uint visible, uint max_groups_x) {
  const uint blocks = (visible + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterVisibleCount] = visible;
  counters[kCounterVisibleBlocks] = blocks;
  write_dispatch_args(kCounterVisibleSortArgs, max(blocks, 1u), max_groups_x);
  write_dispatch_args(kCounterVisibleArgs, (visible + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize, max_groups_x);
}
