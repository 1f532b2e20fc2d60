// Integer attribute streams of the mesh and point codecs (docs/FORMAT.md): values of a
// fixed bit width, each stored as the wrapped, zigzagged difference to the previous value
// of the same component, split into byte planes. Neighbouring vertices and points hold
// similar values, so the differences are small, their high planes nearly all zero, and
// zstd codes planes of like bytes far better than interleaved ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/file_io.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

// Bytes per value of `bits` (1..32) bits.
inline constexpr int plane_bytes(int bits) { return (bits + 7) / 8; }

inline constexpr std::uint32_t bit_mask(int bits) {
  return bits >= 32 ? 0xffffffffu : (std::uint32_t{1} << bits) - 1;
}

// The difference value - previous taken modulo 2^bits, read as a signed number in
// [-2^(bits-1), 2^(bits-1)) and zigzagged (0, -1, 1, -2, ... to 0, 1, 2, 3, ...): the
// result fits in `bits` bits whatever the inputs, and small steps either way stay small.
inline std::uint32_t wrap_zigzag(std::uint32_t value, std::uint32_t previous, int bits) {
  const std::uint64_t d = (value - previous) & bit_mask(bits);
  const std::int64_t s = d >> (bits - 1) ? static_cast<std::int64_t>(d) - (std::int64_t{1} << bits)
                                         : static_cast<std::int64_t>(d);
  return static_cast<std::uint32_t>(s >= 0 ? 2 * s : -2 * s - 1);
}

// Inverse of wrap_zigzag for a code below 2^bits.
inline std::uint32_t unwrap_zigzag(std::uint32_t code, std::uint32_t previous, int bits) {
  const std::int64_t s = code & 1 ? -static_cast<std::int64_t>(code >> 1) - 1 : static_cast<std::int64_t>(code >> 1);
  return static_cast<std::uint32_t>(previous + static_cast<std::uint32_t>(s)) & bit_mask(bits);
}

// Writes `n` values (stride `stride` in `values`) as `width` byte planes at `out`:
// byte b of value i goes to out[b * n + i].
inline void put_planes(std::uint8_t* out, std::size_t n, int width, const std::uint32_t* values,
                       std::size_t stride = 1) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = values[i * stride];
    for (int b = 0; b < width; ++b) out[b * n + i] = static_cast<std::uint8_t>(v >> (8 * b));
  }
}

// Value i of `width` byte planes of `n` values at `in`.
inline std::uint32_t get_plane_value(const std::uint8_t* in, std::size_t n, int width, std::size_t i) {
  std::uint32_t v = 0;
  for (int b = 0; b < width; ++b) v |= std::uint32_t{in[b * n + i]} << (8 * b);
  return v;
}

// A delta-coded attribute stream of `n` elements of `components` values of `bits` bits:
// component-major, each component `plane_bytes(bits)` planes of `n` bytes, each
// component its own chain of wrap_zigzag differences starting from 0. `values` holds
// the elements interleaved (n x components).
inline Bytes delta_stream(const std::uint32_t* values, std::size_t n, int components, int bits) {
  const int width = plane_bytes(bits);
  Bytes out(n * components * width);
  std::vector<std::uint32_t> codes(n);
  for (int c = 0; c < components; ++c) {
    std::uint32_t previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t v = values[i * components + c];
      codes[i] = wrap_zigzag(v, previous, bits);
      previous = v;
    }
    put_planes(out.data() + static_cast<std::size_t>(c) * width * n, n, width, codes.data());
  }
  return out;
}

inline std::uint64_t delta_stream_bytes(std::uint64_t n, int components, int bits) {
  return n * static_cast<std::uint64_t>(components) * plane_bytes(bits);
}

// Inverse of delta_stream; `raw` must hold delta_stream_bytes(n, components, bits). A
// code of 2^bits or more cannot come from an encoder: false, with `bad` set to the
// element that holds it.
inline bool undelta_stream(const Bytes& raw, std::size_t n, int components, int bits, std::uint32_t* values,
                           std::size_t* bad) {
  const int width = plane_bytes(bits);
  const std::uint32_t mask = bit_mask(bits);
  for (int c = 0; c < components; ++c) {
    const std::uint8_t* planes = raw.data() + static_cast<std::size_t>(c) * width * n;
    std::uint32_t previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t code = get_plane_value(planes, n, width, i);
      if (code > mask) {
        *bad = i;
        return false;
      }
      previous = unwrap_zigzag(code, previous, bits);
      values[i * components + c] = previous;
    }
  }
  return true;
}

// Reads stream `id` (`name` in errors) of `count` elements of `components` values of
// `bits` bits and undoes the delta coding; a value beyond `bits` names the `element`
// ("vertex", "point") it belongs to.
inline Result<std::vector<std::uint32_t>> read_delta_stream(const Container& c, const char* element,
                                                            std::uint16_t id, const char* name, std::size_t count,
                                                            int components, int bits) {
  SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(c, id, delta_stream_bytes(count, components, bits), name));
  std::vector<std::uint32_t> values(count * components);
  std::size_t bad = 0;
  if (!undelta_stream(raw, count, components, bits, values.data(), &bad)) {
    return invalid_input(std::string("stream ") + name + ": " + element + " " + std::to_string(bad) +
                         " has a code beyond " + std::to_string(bits) + " bits");
  }
  return values;
}

}  // namespace scenezip::scz
