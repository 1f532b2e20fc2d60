// Niantic `.spz`. Every version stores the same six attribute blocks, one after the other
// for Gaussians 0..n-1:
//   positions  3 x 24-bit signed fixed point, little endian, `fractionalBits` after the point
//   alphas     opacity in 8 bits
//   colours    3 x 8 bits: 0.5 + 0.15 * DC coefficient
//   scales     3 x 8 bits: (log-scale + 10) * 16
//   rotations  v2: x y z as 8 bits each, w >= 0 implied; v3+: smallest three, 32 bits
//   SH         8 bits per coefficient (value * 128 + 128), coefficient-major, RGB inner
// Versions 2 and 3 gzip a 16-byte header and the blocks as one stream. Version 4 keeps a
// 32-byte header and a table of contents in the clear and compresses each non-empty block
// as its own zstd stream.
#include "formats/spz.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "formats/scz/bytes.h"
#include "formats/splat.h"

namespace scenezip {
namespace {

constexpr std::uint32_t kMagic = 0x5053474e;  // "NGSP" read as a little-endian word
constexpr std::size_t kLegacyHeaderBytes = 16;
constexpr std::size_t kHeaderBytes = 32;
constexpr std::size_t kTocEntryBytes = 16;
constexpr std::uint8_t kFlagExtensions = 0x2;
constexpr std::uint32_t kWrittenVersion = 4;
// Far above any captured scene, and low enough that no size derived from it overflows.
constexpr std::uint64_t kMaxGaussians = std::uint64_t{1} << 28;
// A wider DC range than C0 would give, so base colours slightly outside [0, 1] that
// higher bands pull back survive the 8 bits.
constexpr float kColorScale = 0.15f;
// About a quarter millimetre. Readers take the number from the header, so a wide scene
// may use fewer.
constexpr int kMaxFractionalBits = 12;
constexpr std::int32_t kMaxFixed24 = (1 << 23) - 1;
constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr std::uint32_t kSmallestThreeMax = 511;  // 9-bit magnitudes
// The most one compressed byte can stand for: a zstd RLE block is 4 bytes for 128 KiB,
// deflate's longest match 258 bytes for about two bits. A header that needs more is corrupt.
constexpr std::uint64_t kZstdMaxExpansion = 32768;
constexpr std::uint64_t kDeflateMaxExpansion = 1032;
// Band 1 keeps 5 bits, higher bands 4: what Niantic's encoder does by default, which keeps
// files the size users expect; readers need not know, the values stay 8-bit.
constexpr int kShBand1Bits = 5;
constexpr int kShRestBits = 4;
constexpr int kZstdLevel = 12;
// Vendor extension records: type, byte length, payload. The one that matters to decoding
// says which axes the data is stored in (values follow the format's enumeration).
constexpr std::uint32_t kCoordinateSystemExtension = 0xADBE0003u;
constexpr std::uint32_t kAxesUnspecified = 0;
constexpr std::uint32_t kAxesRightUpBack = 4;
constexpr std::uint32_t kAxesRightDownFront = 6;
// Extension records are small metadata; a megabyte of them is a corrupt file.
constexpr std::size_t kMaxLegacyExtensionBytes = std::size_t{1} << 20;

// The signs that a half-turn about x (y and z negated: OpenGL axes <-> PLY axes) puts on
// the 15 higher SH basis functions in 3DGS order: -1 where a function's combined degree
// in y and z is odd (band 1: y z x; band 2: xy yz 3z2-r2 xz x2-y2; band 3 likewise).
constexpr std::array<float, 15> kHalfTurnShSign = {-1, -1, 1, -1, 1, 1, -1, 1, -1, 1, -1, -1, 1, -1, 1};

enum Block { kPositions, kAlphas, kColors, kScales, kRotations, kSh, kBlockCount };
const char* const kBlockNames[kBlockCount] = {"positions", "alphas", "colours", "scales", "rotations", "SH"};

struct Header {
  std::uint32_t version = 0;
  std::uint64_t count = 0;
  int sh_degree = 0;
  int fractional_bits = 0;
  std::uint8_t flags = 0;
};

using scz::load_u32;
using scz::load_u64;
using scz::store_u32;
using scz::store_u64;

// The fields the 16-byte legacy header and the 32-byte version 4 header share.
Header parse_header(const std::uint8_t* p) {
  Header h;
  h.version = load_u32(p + 4);
  h.count = load_u32(p + 8);
  h.sh_degree = p[12];
  h.fractional_bits = p[13];
  h.flags = p[14];
  return h;
}

Status check_header(const Header& h) {
  if (h.count > kMaxGaussians) {
    return invalid_input("header claims " + std::to_string(h.count) + " Gaussians, above the limit of " +
                         std::to_string(kMaxGaussians));
  }
  if (h.sh_degree == 4) return unsupported("SH degree 4 is not supported (scenezip holds degrees 0 to 3)");
  if (h.sh_degree > kMaxShDegree) return invalid_input("SH degree " + std::to_string(h.sh_degree) + " is outside 0..4");
  return Status::Ok();
}

std::array<std::uint64_t, kBlockCount> block_sizes(const Header& h) {
  const std::uint64_t n = h.count;
  return {9 * n, n, 3 * n, 3 * n, (h.version >= 3 ? 4 : 3) * n,
          static_cast<std::uint64_t>(sh_rest_per_gaussian(h.sh_degree)) * n};
}

std::uint64_t total_size(const std::array<std::uint64_t, kBlockCount>& sizes) {
  std::uint64_t total = 0;
  for (std::uint64_t s : sizes) total += s;
  return total;
}

Status check_room(const Header& h, std::uint64_t needed, std::uint64_t most) {
  if (needed <= most) return Status::Ok();
  return invalid_input("header claims " + std::to_string(h.count) + " Gaussians (" + std::to_string(needed) +
                       " bytes), more than the file can hold (truncated or corrupt)");
}

// Reads the coordinate-system extension, if any, from back-to-back extension records.
// Returns whether the data is in OpenGL axes and must be turned into PLY axes.
Result<bool> stored_in_opengl_axes(const std::uint8_t* p, std::size_t size) {
  bool opengl = true;
  std::size_t at = 0;
  while (size - at >= 8) {
    const std::uint32_t type = load_u32(p + at);
    const std::uint32_t length = load_u32(p + at + 4);
    at += 8;
    if (length > size - at) return invalid_input("an extension record runs past the end of its block");
    if (type == kCoordinateSystemExtension && length >= 4) {
      const std::uint32_t axes = load_u32(p + at);
      if (axes == kAxesRightDownFront) {
        opengl = false;
      } else if (axes == kAxesRightUpBack || axes == kAxesUnspecified) {
        opengl = true;
      } else {
        return unsupported("data stored in coordinate system " + std::to_string(axes) +
                           " (only right-up-back and right-down-front are read)");
      }
    }
    at += length;
  }
  return opengl;
}

// A decompressor read piece by piece, so memory grows with data that really arrives
// rather than with what a header claims.
class Source {
 public:
  virtual ~Source() = default;
  // Writes up to `capacity` bytes to `dst` and returns how many; 0 means no more will come.
  virtual Result<std::size_t> read(std::uint8_t* dst, std::size_t capacity) = 0;
  // Whether the stream reached its proper end rather than running out of input.
  virtual bool complete() const = 0;
};

class MemorySource final : public Source {
 public:
  MemorySource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  Result<std::size_t> read(std::uint8_t* dst, std::size_t capacity) override {
    const std::size_t n = std::min(capacity, size_ - at_);
    if (n > 0) std::memcpy(dst, data_ + at_, n);
    at_ += n;
    return n;
  }
  bool complete() const override { return at_ == size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

class GzipSource final : public Source {
 public:
  GzipSource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {
    ready_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;  // 16: expect a gzip wrapper
  }
  ~GzipSource() override {
    if (ready_) inflateEnd(&z_);
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Result<std::size_t> read(std::uint8_t* dst, std::size_t capacity) override {
    if (!ready_) return internal_error("zlib could not start an inflate stream");
    if (ended_) return std::size_t{0};
    z_.next_out = dst;
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity, UINT_MAX));
    const uInt asked = z_.avail_out;
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0 && fed_ < size_) {
        const std::size_t n = std::min<std::size_t>(size_ - fed_, UINT_MAX);
        z_.next_in = const_cast<Bytef*>(data_ + fed_);
        z_.avail_in = static_cast<uInt>(n);
        fed_ += n;
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended_ = true;
        break;
      }
      if (rc == Z_BUF_ERROR) break;  // no progress possible: the input ran out
      if (rc != Z_OK) return invalid_input(std::string("corrupt gzip data (") + (z_.msg ? z_.msg : "inflate failed") + ")");
    }
    return static_cast<std::size_t>(asked - z_.avail_out);
  }
  bool complete() const override { return ended_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t fed_ = 0;
  z_stream z_{};
  bool ready_ = false;
  bool ended_ = false;
};

class ZstdSource final : public Source {
 public:
  ZstdSource(const std::uint8_t* data, std::size_t size) : ctx_(ZSTD_createDCtx()), in_{data, size, 0} {}

  Result<std::size_t> read(std::uint8_t* dst, std::size_t capacity) override {
    if (!ctx_) return internal_error("zstd could not allocate a decompression context");
    ZSTD_outBuffer out{dst, capacity, 0};
    while (out.pos < out.size) {
      const std::size_t in_before = in_.pos;
      const std::size_t out_before = out.pos;
      const std::size_t rc = ZSTD_decompressStream(ctx_.get(), &out, &in_);
      if (ZSTD_isError(rc)) return invalid_input(std::string("corrupt zstd data (") + ZSTD_getErrorName(rc) + ")");
      const bool progress = in_.pos != in_before || out.pos != out_before;
      // A call with nothing to do reports the next frame's needs, not this one's end.
      if (progress) frame_done_ = rc == 0;
      // With room left in `out` and no input left, the decoder has flushed all it can.
      if (in_.pos == in_.size || !progress) break;
    }
    return out.pos;
  }
  bool complete() const override { return frame_done_ && in_.pos == in_.size; }

 private:
  struct Free {
    void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
  };
  std::unique_ptr<ZSTD_DCtx, Free> ctx_;
  ZSTD_inBuffer in_;
  bool frame_done_ = false;
};

// Reads exactly `size` bytes, growing the buffer only as data arrives.
Result<Bytes> read_exactly(Source& source, std::size_t size, const std::string& what) {
  Bytes out;
  std::size_t have = 0;
  while (have < size) {
    if (have == out.size()) out.resize(std::min(size, std::max<std::size_t>(2 * out.size(), std::size_t{1} << 16)));
    SCZ_ASSIGN_OR_RETURN(std::size_t got, source.read(out.data() + have, out.size() - have));
    if (got == 0) {
      return invalid_input(what + " ends after " + std::to_string(have) + " of its " + std::to_string(size) +
                           " bytes (truncated or corrupt)");
    }
    have += got;
  }
  return out;
}

// After the expected bytes the stream must end, neither carrying on nor cut short.
Status expect_end(Source& source, const std::string& what, std::size_t size) {
  std::uint8_t probe = 0;
  SCZ_ASSIGN_OR_RETURN(std::size_t got, source.read(&probe, 1));
  if (got > 0) return invalid_input(what + " holds more than the " + std::to_string(size) + " bytes the header implies");
  if (!source.complete()) return invalid_input(what + " is cut short (its compressed stream does not end)");
  return Status::Ok();
}

std::uint8_t quantize8(float value) { return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0f, 255.0f))); }

// Nearest multiple of the bucket size, so coarser precision gives runs of equal bytes
// that zstd packs tighter; 128 (zero) is always a bucket centre.
std::uint8_t quantize_sh(float value, int bits) {
  const long bucket = 1L << (8 - bits);
  const long q = std::lround(std::clamp(value * 128.0f + 128.0f, 0.0f, 255.0f));
  return static_cast<std::uint8_t>(std::min((q + bucket / 2) / bucket * bucket, 255L));
}

// `q` is x y z w of unit length in the file's axes.
std::uint32_t pack_smallest_three(const std::array<float, 4>& q) {
  int largest = 0;
  for (int i = 1; i < 4; ++i) {
    if (std::fabs(q[i]) > std::fabs(q[largest])) largest = i;
  }
  // q and -q are one rotation: making the dropped component positive saves its sign.
  const float sign = q[largest] < 0.0f ? -1.0f : 1.0f;
  std::uint32_t bits = static_cast<std::uint32_t>(largest);
  for (int i = 0; i < 4; ++i) {
    if (i == largest) continue;
    const float v = q[i] * sign;
    const auto magnitude = std::min<std::uint32_t>(
        kSmallestThreeMax, static_cast<std::uint32_t>(std::fabs(v) / kSqrtHalf * kSmallestThreeMax + 0.5f));
    bits = (bits << 10) | (v < 0.0f ? 1u << 9 : 0u) | magnitude;
  }
  return bits;
}

std::array<float, 4> unpack_smallest_three(std::uint32_t bits) {
  std::array<float, 4> q{};
  const int largest = static_cast<int>(bits >> 30);
  float sum = 0.0f;
  for (int i = 3; i >= 0; --i) {  // the first component sits in the highest bits
    if (i == largest) continue;
    const float v = kSqrtHalf * static_cast<float>(bits & kSmallestThreeMax) / kSmallestThreeMax;
    q[i] = (bits >> 9) & 1u ? -v : v;
    sum += q[i] * q[i];
    bits >>= 10;
  }
  q[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));  // garbage bits may sum past 1
  return q;
}

// Turns the six blocks into a cloud in PLY axes.
Result<GaussianCloud> unpack(const Header& h, const std::array<const std::uint8_t*, kBlockCount>& block,
                             bool opengl_axes) {
  GaussianCloud cloud;
  cloud.resize(h.count, h.sh_degree);
  const float step = std::ldexp(1.0f, -h.fractional_bits);
  const float axis_sign[3] = {1.0f, opengl_axes ? -1.0f : 1.0f, opengl_axes ? -1.0f : 1.0f};
  const int per_channel = sh_coeffs_per_channel(h.sh_degree) - 1;
  const std::size_t stride = cloud.sh_rest_stride();
  for (std::size_t i = 0; i < cloud.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      const std::uint8_t* p = block[kPositions] + 9 * i + 3 * k;
      std::int32_t fixed = static_cast<std::int32_t>(p[0] | p[1] << 8 | p[2] << 16);
      if (fixed & 0x800000) fixed -= 1 << 24;
      // + 0 turns the -0 a flipped zero would give into +0.
      cloud.positions[3 * i + k] = axis_sign[k] * static_cast<float>(fixed) * step + 0.0f;
      cloud.log_scales[3 * i + k] = block[kScales][3 * i + k] / 16.0f - 10.0f;
      cloud.sh_dc[3 * i + k] = (block[kColors][3 * i + k] / 255.0f - 0.5f) / kColorScale;
    }
    cloud.logit_opacities[i] = logit_from_unorm8(block[kAlphas][i]);

    std::array<float, 4> q{};  // x y z w
    if (h.version >= 3) {
      q = unpack_smallest_three(load_u32(block[kRotations] + 4 * i));
    } else {
      const std::uint8_t* r = block[kRotations] + 3 * i;
      float sum = 0.0f;
      for (int k = 0; k < 3; ++k) {
        q[k] = r[k] / 127.5f - 1.0f;
        sum += q[k] * q[k];
      }
      q[3] = std::sqrt(std::max(0.0f, 1.0f - sum));
    }
    // A half-turn about x conjugates the rotation: w and x stay, y and z change sign.
    float* out = &cloud.rotations[4 * i];
    out[0] = q[3];
    out[1] = q[0];
    out[2] = axis_sign[1] * q[1];
    out[3] = axis_sign[2] * q[2];

    const std::uint8_t* sh = block[kSh] + static_cast<std::size_t>(3 * per_channel) * i;
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < per_channel; ++k) {
        const float sign = opengl_axes ? kHalfTurnShSign[k] : 1.0f;
        cloud.sh_rest[stride * i + c * per_channel + k] = sign * (sh[3 * k + c] - 128.0f) / 128.0f;
      }
    }
  }
  SCZ_RETURN_IF_ERROR(cloud.validate());
  cloud.normalize_rotations();
  return cloud;
}

// Versions 2 and 3: header and blocks back to back, then extension records if flagged.
Result<GaussianCloud> decode_legacy(Source& source, std::uint64_t most_payload) {
  SCZ_ASSIGN_OR_RETURN(Bytes head, read_exactly(source, kLegacyHeaderBytes, "the .spz header"));
  if (load_u32(head.data()) != kMagic) return invalid_input("gzip payload does not start with the NGSP magic");
  const Header h = parse_header(head.data());
  if (h.version == 1) return unsupported(".spz version 1 (half-float positions, never released) is not supported");
  if (h.version == kWrittenVersion) return invalid_input(".spz version 4 must not be gzipped");
  if (h.version != 2 && h.version != 3) return invalid_input("unknown .spz version " + std::to_string(h.version));
  SCZ_RETURN_IF_ERROR(check_header(h));
  const auto sizes = block_sizes(h);
  const std::uint64_t total = total_size(sizes);
  SCZ_RETURN_IF_ERROR(check_room(h, total, most_payload));
  SCZ_ASSIGN_OR_RETURN(Bytes payload, read_exactly(source, static_cast<std::size_t>(total), "the .spz payload"));

  bool opengl_axes = true;
  if (h.flags & kFlagExtensions) {
    Bytes records(kMaxLegacyExtensionBytes + 1);
    std::size_t have = 0;
    while (have < records.size()) {
      SCZ_ASSIGN_OR_RETURN(std::size_t got, source.read(records.data() + have, records.size() - have));
      if (got == 0) break;
      have += got;
    }
    if (have > kMaxLegacyExtensionBytes) return invalid_input("more than 1 MiB of extension records follow the Gaussians");
    if (!source.complete()) return invalid_input("the extension records are cut short");
    SCZ_ASSIGN_OR_RETURN(opengl_axes, stored_in_opengl_axes(records.data(), have));
  } else {
    SCZ_RETURN_IF_ERROR(expect_end(source, "the .spz payload", static_cast<std::size_t>(total)));
  }

  std::array<const std::uint8_t*, kBlockCount> block{};
  const std::uint8_t* at = payload.data();
  for (int b = 0; b < kBlockCount; ++b) {
    block[b] = at;
    at += sizes[b];
  }
  return unpack(h, block, opengl_axes);
}

Result<GaussianCloud> decode_version4(const Bytes& bytes) {
  const std::size_t size = bytes.size();
  if (size < kHeaderBytes) {
    return invalid_input("file of " + std::to_string(size) + " bytes is shorter than the 32-byte .spz header");
  }
  const Header h = parse_header(bytes.data());
  SCZ_RETURN_IF_ERROR(check_header(h));
  const int streams = bytes[15];
  const std::uint32_t toc = load_u32(bytes.data() + 16);
  const auto sizes = block_sizes(h);
  int expected_streams = 0;
  for (std::uint64_t s : sizes) expected_streams += s > 0;
  if (streams != expected_streams) {
    return invalid_input("header lists " + std::to_string(streams) + " streams where " + std::to_string(h.count) +
                         " Gaussians of SH degree " + std::to_string(h.sh_degree) + " need " +
                         std::to_string(expected_streams));
  }
  if (toc < kHeaderBytes || toc > size || streams * kTocEntryBytes > size - toc) {
    return invalid_input("table of contents at byte " + std::to_string(toc) + " lies outside the file of " +
                         std::to_string(size) + " bytes (truncated or corrupt)");
  }
  SCZ_RETURN_IF_ERROR(check_room(h, total_size(sizes), static_cast<std::uint64_t>(size) * kZstdMaxExpansion));

  struct Stream {
    int block;
    std::size_t offset, compressed, size;
  };
  std::vector<Stream> table;
  std::size_t offset = toc + streams * kTocEntryBytes;
  int block = 0;
  for (int i = 0; i < streams; ++i) {
    while (sizes[block] == 0) ++block;  // empty blocks get no stream
    const std::uint8_t* entry = bytes.data() + toc + i * kTocEntryBytes;
    const std::uint64_t compressed = load_u64(entry);
    const std::uint64_t plain = load_u64(entry + 8);
    const std::string what = std::string("stream ") + std::to_string(i) + " (" + kBlockNames[block] + ")";
    if (plain != sizes[block]) {
      return invalid_input(what + " is listed as " + std::to_string(plain) + " bytes where " +
                           std::to_string(h.count) + " Gaussians need " + std::to_string(sizes[block]));
    }
    if (compressed > size - offset) return invalid_input(what + " runs past the end of the file (truncated)");
    table.push_back({block, offset, static_cast<std::size_t>(compressed), static_cast<std::size_t>(plain)});
    offset += compressed;
    ++block;
  }
  if (offset != size) return invalid_input(std::to_string(size - offset) + " stray bytes follow the last stream");

  bool opengl_axes = true;
  if (h.flags & kFlagExtensions) {
    SCZ_ASSIGN_OR_RETURN(opengl_axes, stored_in_opengl_axes(bytes.data() + kHeaderBytes, toc - kHeaderBytes));
  }

  std::array<Bytes, kBlockCount> storage;
  std::array<const std::uint8_t*, kBlockCount> blocks{};
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Stream& s = table[i];
    const std::string what = "zstd stream " + std::to_string(i) + " (" + kBlockNames[s.block] + ")";
    ZstdSource source(bytes.data() + s.offset, s.compressed);
    SCZ_ASSIGN_OR_RETURN(storage[s.block], read_exactly(source, s.size, what));
    SCZ_RETURN_IF_ERROR(expect_end(source, what, s.size));
    blocks[s.block] = storage[s.block].data();
  }
  return unpack(h, blocks, opengl_axes);
}

// Largest number of fractional bits (at most 12) that keeps every coordinate, in the
// file's axes, within the signed 24-bit range.
Result<int> choose_fractional_bits(const std::vector<float>& positions, const float axis_sign[3]) {
  double lo = 0.0, hi = 0.0;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const double v = axis_sign[i % 3] * static_cast<double>(positions[i]);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  for (int bits = kMaxFractionalBits; bits >= 0; --bits) {
    if (std::round(std::ldexp(hi, bits)) <= kMaxFixed24 && std::round(std::ldexp(lo, bits)) >= -kMaxFixed24 - 1) {
      return bits;
    }
  }
  return invalid_input("a coordinate of " + std::to_string(std::max(hi, -lo)) +
                       " is beyond the range of .spz's 24-bit positions (-8388608 to 8388607)");
}

}  // namespace

Result<GaussianCloud> decode_spz(const Bytes& bytes) {
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    GzipSource source(bytes.data(), bytes.size());
    return decode_legacy(source, static_cast<std::uint64_t>(bytes.size()) * kDeflateMaxExpansion);
  }
  if (bytes.size() < 8 || load_u32(bytes.data()) != kMagic) {
    return invalid_input("not an .spz file: it starts with neither the NGSP magic nor a gzip stream");
  }
  const std::uint32_t version = load_u32(bytes.data() + 4);
  if (version == kWrittenVersion) return decode_version4(bytes);
  if (version == 2 || version == 3) {
    // Some tools wrote the legacy layout without its gzip wrapper.
    MemorySource source(bytes.data(), bytes.size());
    return decode_legacy(source, bytes.size());
  }
  if (version == 1) return unsupported(".spz version 1 (half-float positions, never released) is not supported");
  return invalid_input("unknown .spz version " + std::to_string(version));
}

Result<Bytes> encode_spz(const GaussianCloud& cloud) {
  SCZ_RETURN_IF_ERROR(cloud.validate());
  if (cloud.count > kMaxGaussians) {
    return unsupported(std::to_string(cloud.count) + " Gaussians are more than .spz writing allows (" +
                       std::to_string(kMaxGaussians) + ")");
  }
  // PLY axes to the format's OpenGL axes: the same half-turn about x as on reading.
  const float axis_sign[3] = {1.0f, -1.0f, -1.0f};
  SCZ_ASSIGN_OR_RETURN(int fractional_bits, choose_fractional_bits(cloud.positions, axis_sign));
  Header h;
  h.version = kWrittenVersion;
  h.count = cloud.count;
  h.sh_degree = cloud.sh_degree;
  h.fractional_bits = fractional_bits;
  const auto sizes = block_sizes(h);
  std::array<Bytes, kBlockCount> block;
  for (int b = 0; b < kBlockCount; ++b) block[b].resize(sizes[b]);

  const float unit = std::ldexp(1.0f, fractional_bits);
  const int per_channel = sh_coeffs_per_channel(h.sh_degree) - 1;
  const std::size_t stride = cloud.sh_rest_stride();
  for (std::size_t i = 0; i < cloud.count; ++i) {
    for (int k = 0; k < 3; ++k) {
      const auto fixed = static_cast<std::int32_t>(std::lround(axis_sign[k] * cloud.positions[3 * i + k] * unit));
      std::uint8_t* p = &block[kPositions][9 * i + 3 * k];
      for (int byte = 0; byte < 3; ++byte) p[byte] = static_cast<std::uint8_t>(fixed >> (8 * byte));
      block[kScales][3 * i + k] = quantize8((cloud.log_scales[3 * i + k] + 10.0f) * 16.0f);
      block[kColors][3 * i + k] = quantize8(cloud.sh_dc[3 * i + k] * kColorScale * 255.0f + 127.5f);
    }
    block[kAlphas][i] = unorm8_from_unit(activation::opacity(cloud.logit_opacities[i]));

    const float* r = &cloud.rotations[4 * i];  // w x y z
    const float length = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + r[3] * r[3]);
    std::array<float, 4> q = {0.0f, 0.0f, 0.0f, 1.0f};
    if (length > 0.0f && std::isfinite(length)) {
      q = {r[1] / length, axis_sign[1] * r[2] / length, axis_sign[2] * r[3] / length, r[0] / length};
    }
    store_u32(&block[kRotations][4 * i], pack_smallest_three(q));

    std::uint8_t* sh = block[kSh].data() + static_cast<std::size_t>(3 * per_channel) * i;
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < per_channel; ++k) {
        const float v = kHalfTurnShSign[k] * cloud.sh_rest[stride * i + c * per_channel + k];
        sh[3 * k + c] = quantize_sh(v, k < 3 ? kShBand1Bits : kShRestBits);
      }
    }
  }

  std::vector<Bytes> streams;
  std::vector<std::uint64_t> plain_sizes;
  for (int b = 0; b < kBlockCount; ++b) {
    if (block[b].empty()) continue;  // readers expect no stream for an empty block
    Bytes packed(ZSTD_compressBound(block[b].size()));
    const std::size_t n = ZSTD_compress(packed.data(), packed.size(), block[b].data(), block[b].size(), kZstdLevel);
    if (ZSTD_isError(n)) return internal_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    packed.resize(n);
    streams.push_back(std::move(packed));
    plain_sizes.push_back(block[b].size());
  }

  Bytes out(kHeaderBytes + streams.size() * kTocEntryBytes, 0);
  store_u32(&out[0], kMagic);
  store_u32(&out[4], kWrittenVersion);
  store_u32(&out[8], static_cast<std::uint32_t>(h.count));
  out[12] = static_cast<std::uint8_t>(h.sh_degree);
  out[13] = static_cast<std::uint8_t>(h.fractional_bits);
  out[14] = 0;  // flags: not antialiased, no extensions
  out[15] = static_cast<std::uint8_t>(streams.size());
  store_u32(&out[16], static_cast<std::uint32_t>(kHeaderBytes));
  for (std::size_t i = 0; i < streams.size(); ++i) {
    store_u64(&out[kHeaderBytes + i * kTocEntryBytes], streams[i].size());
    store_u64(&out[kHeaderBytes + i * kTocEntryBytes + 8], plain_sizes[i]);
  }
  for (const Bytes& s : streams) out.insert(out.end(), s.begin(), s.end());
  return out;
}

}  // namespace scenezip
