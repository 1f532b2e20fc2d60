// Decoupled look-back over blocks that publish counts in look-back words (shaderio.h:
// block * kRadixBins + digit). The including shader declares the coherent `lookback`
// buffer, and hands out block indices in the order its workgroups start.

// The count of `digit` over the blocks before `block`: their look-back words, summed
// back to the nearest one that carries its prefix, kRadixLookbackWindow words read at
// once. Every block before this one has started (block indices are handed out in
// order), so each word is published in time.
const uint kRadixLookbackWindow = 4;
uint count_before(uint block, uint digit) {
  uint sum = 0;
  uint before = block;  // the blocks still to sum are [0, before)
  while (before > 0u) {
    uint words[kRadixLookbackWindow];
    [[unroll]] for (uint w = 0; w < kRadixLookbackWindow; ++w) {
      // Past the first block, a prefix of nothing.
      words[w] = before > w ? atomicOr(lookback[(before - 1u - w) * kRadixBins + digit], 0u) : kRadixLookbackPrefix;
    }
    bool found = false;
    [[unroll]] for (uint w = 0; w < kRadixLookbackWindow; ++w) {
      const uint status = words[w] & kRadixLookbackStatusMask;
      if (found || status == 0u) break;  // found: summed; 0: not published, read again
      sum += words[w] & kRadixLookbackValueMask;
      found = status == kRadixLookbackPrefix;
      --before;
    }
    if (found) break;
  }
  return sum;
}
