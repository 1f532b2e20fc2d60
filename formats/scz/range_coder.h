// The adaptive binary range coder of `.scz` version 2 (docs/FORMAT.md, "Range coding"):
// every decision is one bit coded with an adaptive probability, so a model is nothing but
// the choice of which probability codes which bit. Symbols are coded as paths down a
// binary tree of their bits, most significant first. Linear time both ways; the encoder
// and decoder share this file so the two can never drift apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/file_io.h"

namespace scenezip::scz {

// An adaptive probability that the next bit is 0, in 1/65536ths. It learns fast at
// first (the step halves as it sees more bits, down to 1/32 of the distance), so a
// context that is rarely used still ends near its true statistics.
struct BitModel {
  std::uint16_t p0 = 32768;
  std::uint8_t seen = 0;

  static constexpr int kBits = 16;
  static constexpr std::uint8_t kFastUpdates = 30;

  void update(int bit) {
    // Shifts 1, 2, 2, 3, 3, 3, 3, 4 ... 5: about 1/(seen + 2) while few bits were seen.
    static constexpr std::uint8_t kShift[kFastUpdates + 1] = {1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4,
                                                              4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    const int shift = kShift[seen];
    if (seen < kFastUpdates) ++seen;
    // p0 stays within [1, 65535]: neither outcome ever becomes impossible.
    if (bit) {
      p0 = static_cast<std::uint16_t>(p0 - (p0 >> shift));
      if (p0 == 0) p0 = 1;
    } else {
      p0 = static_cast<std::uint16_t>(p0 + ((65536u - p0) >> shift));
    }
  }
};

class RangeEncoder {
 public:
  void encode(BitModel& m, int bit) {
    const std::uint32_t bound = (range_ >> BitModel::kBits) * m.p0;
    if (bit) {
      low_ += bound;
      range_ -= bound;
    } else {
      range_ = bound;
    }
    m.update(bit);
    while (range_ < kTop) {
      range_ <<= 8;
      shift_low();
    }
  }

  // `bits` low bits of `value`, most significant first, down the tree `tree` (1 << bits
  // models; node 1 is the root, node n's children are 2n and 2n + 1).
  void encode_tree(BitModel* tree, int bits, std::uint32_t value) {
    std::uint32_t node = 1;
    for (int b = bits - 1; b >= 0; --b) {
      const int bit = (value >> b) & 1;
      encode(tree[node], bit);
      node = 2 * node + bit;
    }
  }

  // Ends the stream; the encoder must not be used after.
  Bytes finish() {
    for (int i = 0; i < 5; ++i) shift_low();
    return std::move(out_);
  }

 private:
  static constexpr std::uint32_t kTop = 1u << 24;

  // Moves the top byte of `low_` out; a run of 0xFF bytes waits in `pending_` until a
  // carry either passes through it or is ruled out.
  void shift_low() {
    if (static_cast<std::uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      const auto carry = static_cast<std::uint8_t>(low_ >> 32);
      std::uint8_t byte = cache_;
      do {
        out_.push_back(static_cast<std::uint8_t>(byte + carry));
        byte = 0xFF;
      } while (--pending_ != 0);
      cache_ = static_cast<std::uint8_t>(low_ >> 24);
    }
    ++pending_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  std::uint64_t low_ = 0;
  std::uint32_t range_ = 0xFFFFFFFFu;
  std::uint8_t cache_ = 0;
  std::uint64_t pending_ = 1;
  Bytes out_;
};

// Decodes what RangeEncoder wrote. Reading past the end yields zeros and marks the
// stream overrun; a caller checks `ok()` once at the end (an encoder's stream is read to
// exactly its last byte), so a damaged stream costs at most the symbols it claims.
class RangeDecoder {
 public:
  RangeDecoder(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {
    // The encoder's first byte is always 0 (the carry slot before any output).
    first_byte_ok_ = size_ > 0 && data_[0] == 0;
    for (int i = 0; i < 5; ++i) code_ = (code_ << 8) | next();
  }

  int decode(BitModel& m) {
    const std::uint32_t bound = (range_ >> BitModel::kBits) * m.p0;
    int bit;
    if (code_ < bound) {
      range_ = bound;
      bit = 0;
    } else {
      code_ -= bound;
      range_ -= bound;
      bit = 1;
    }
    m.update(bit);
    while (range_ < kTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | next();
    }
    return bit;
  }

  std::uint32_t decode_tree(BitModel* tree, int bits) {
    std::uint32_t node = 1;
    for (int b = 0; b < bits; ++b) node = 2 * node + static_cast<std::uint32_t>(decode(tree[node]));
    return node - (std::uint32_t{1} << bits);
  }

  // Whether the stream was well formed and read to exactly its end.
  bool ok() const { return first_byte_ok_ && at_ == size_; }
  bool overrun() const { return at_ > size_; }

 private:
  static constexpr std::uint32_t kTop = 1u << 24;

  std::uint8_t next() {
    const std::uint8_t b = at_ < size_ ? data_[at_] : 0;
    ++at_;
    return b;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
  std::uint32_t code_ = 0;
  std::uint32_t range_ = 0xFFFFFFFFu;
  bool first_byte_ok_ = false;
};

}  // namespace scenezip::scz
