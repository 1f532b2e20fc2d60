// Reading side of the `.scz` container; layout in docs/FORMAT.md.
//
//   header   36 bytes: magic, version, flags, kind, stream count, primitive count,
//            settings length, CRC of settings + table, CRC of the header's first 32 bytes
//   settings JSON text
//   table    32 bytes per stream: id, codec, reserved, CRC, offset, stored size, raw size
//   payloads one per table entry, in table order, end to end up to the end of the file
#include "formats/scz/container.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace scenezip::scz {

namespace {
// Scene kind 4 (formats/scz/radiance_field_layout.h): not a member of SceneKindId, as
// radiance fields are not Scenes.
constexpr std::uint8_t kRadianceFieldKindByte = 4;
}  // namespace

std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length: feed very large buffers in pieces.
  while (size > 0) {
    const std::size_t n = std::min<std::size_t>(size, UINT_MAX / 2);
    crc = crc32(crc, data, static_cast<uInt>(n));
    data += n;
    size -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

const StreamEntry* Container::find(std::uint16_t id) const {
  for (const StreamEntry& s : streams) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

bool has_scz_magic(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, kMagic);
}

namespace {

std::string n(std::uint64_t v) { return std::to_string(v); }

Status check_entry(const StreamEntry& e, std::size_t index) {
  const std::string what = "stream " + n(index) + " (id " + n(e.id) + ")";
  switch (e.codec) {
    case Codec::kRaw:
      if (e.raw_size != e.stored_size) {
        return invalid_input(what + " is stored raw but lists " + n(e.stored_size) + " stored and " + n(e.raw_size) +
                             " raw bytes");
      }
      break;
    case Codec::kZstd:
      if (e.stored_size == 0 || e.raw_size / kZstdMaxExpansion > e.stored_size) {
        return invalid_input(what + " claims " + n(e.raw_size) + " bytes from " + n(e.stored_size) +
                             " compressed ones, more than zstd can expand to (corrupt)");
      }
      break;
    default: return invalid_input(what + " uses unknown codec " + n(static_cast<unsigned>(e.codec)));
  }
  return Status::Ok();
}

}  // namespace

Result<Container> parse_container(std::span<const std::uint8_t> file) {
  const std::size_t size = file.size();
  if (!has_scz_magic(file)) return invalid_input("not an .scz file (it does not start with the SCZ magic)");
  if (size < kHeaderBytes) {
    return invalid_input("file of " + n(size) + " bytes is shorter than the " + n(kHeaderBytes) +
                         "-byte .scz header (truncated)");
  }
  const std::uint8_t* p = file.data();
  // The header checksum comes first: every field below may be garbage otherwise.
  if (crc32_of(p, 32) != load_u32(p + 32)) return invalid_input("header checksum mismatch (corrupt header)");
  Container c;
  c.file = file;
  c.version = load_u16(p + 4);
  if (c.version == 0) return invalid_input("format version 0 does not exist");
  if (c.version > kFormatVersion) {
    return unsupported(".scz format version " + n(c.version) + " is newer than this reader (version " +
                       n(kFormatVersion) + "); update scenezip");
  }
  const std::uint16_t flags = load_u16(p + 6);
  if (flags != 0) return unsupported("unknown header flags 0x" + n(flags));
  const std::uint8_t kind = p[8];
  if (kind != static_cast<std::uint8_t>(SceneKindId::kGaussians) &&
      kind != static_cast<std::uint8_t>(SceneKindId::kMesh) && kind != static_cast<std::uint8_t>(SceneKindId::kPoints) &&
      kind != kRadianceFieldKindByte) {
    return invalid_input("unknown scene kind " + n(kind));
  }
  c.kind = static_cast<SceneKindId>(kind);
  if (p[9] != 0 || p[10] != 0 || p[11] != 0) return invalid_input("reserved header bytes are not zero");
  const std::uint32_t stream_count = load_u32(p + 12);
  c.count = load_u64(p + 16);
  const std::uint32_t settings_bytes = load_u32(p + 24);
  if (stream_count > kMaxStreams) {
    return invalid_input("header lists " + n(stream_count) + " streams, above the limit of " + n(kMaxStreams));
  }
  if (c.count > kMaxPrimitives) {
    return invalid_input("header claims " + n(c.count) + " primitives, above the limit of " + n(kMaxPrimitives));
  }
  if (settings_bytes > kMaxSettingsBytes) {
    return invalid_input("header claims " + n(settings_bytes) + " bytes of settings, above the limit of " +
                         n(kMaxSettingsBytes));
  }
  const std::uint64_t table_at = kHeaderBytes + std::uint64_t{settings_bytes};
  const std::uint64_t payload_at = table_at + std::uint64_t{stream_count} * kEntryBytes;
  if (payload_at > size) {
    return invalid_input("settings and stream table need " + n(payload_at) + " bytes, the file has " + n(size) +
                         " (truncated)");
  }
  if (crc32_of(p + kHeaderBytes, payload_at - kHeaderBytes) != load_u32(p + 28)) {
    return invalid_input("settings/stream table checksum mismatch (corrupt)");
  }
  c.settings.assign(reinterpret_cast<const char*>(p + kHeaderBytes), settings_bytes);

  std::uint64_t at = payload_at;
  for (std::uint32_t i = 0; i < stream_count; ++i) {
    const std::uint8_t* e = p + table_at + std::uint64_t{i} * kEntryBytes;
    StreamEntry s;
    s.id = load_u16(e);
    s.codec = static_cast<Codec>(e[2]);
    if (e[3] != 0) return invalid_input("stream " + n(i) + " has non-zero reserved bits");
    s.crc = load_u32(e + 4);
    s.offset = load_u64(e + 8);
    s.stored_size = load_u64(e + 16);
    s.raw_size = load_u64(e + 24);
    if (i > 0 && s.id <= c.streams.back().id) {
      return invalid_input("stream IDs are not strictly increasing (stream " + n(i) + " has id " + n(s.id) +
                           " after " + n(c.streams.back().id) + ")");
    }
    SCZ_RETURN_IF_ERROR(check_entry(s, i));
    // End to end in table order: no gaps, overlaps or streams outside the file.
    if (s.offset != at) {
      return invalid_input("stream " + n(i) + " (id " + n(s.id) + ") starts at byte " + n(s.offset) +
                           ", expected " + n(at) + " (overlapping or misplaced streams)");
    }
    if (s.stored_size > size - at) {
      return invalid_input("stream " + n(i) + " (id " + n(s.id) + ") runs past the end of the file (truncated)");
    }
    if (crc32_of(p + at, s.stored_size) != s.crc) {
      return invalid_input("stream " + n(i) + " (id " + n(s.id) + ") checksum mismatch (corrupt)");
    }
    at += s.stored_size;
    c.streams.push_back(s);
  }
  if (at != size) return invalid_input(n(size - at) + " stray bytes follow the last stream");
  return c;
}

Result<Bytes> read_stream(const Container& container, std::uint16_t id, std::uint64_t expected_raw_size,
                          const char* name) {
  const std::string what = std::string("stream ") + name + " (id " + n(id) + ")";
  const StreamEntry* s = container.find(id);
  if (!s) return invalid_input(what + " is missing");
  if (s->raw_size != expected_raw_size) {
    return invalid_input(what + " holds " + n(s->raw_size) + " bytes where the scene needs " + n(expected_raw_size));
  }
  const std::uint8_t* src = container.file.data() + s->offset;
  if (s->codec == Codec::kRaw) return Bytes(src, src + s->stored_size);

  // Decompress piece by piece so memory grows with data that really arrives, not with
  // what the table claims.
  struct Free {
    void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
  };
  std::unique_ptr<ZSTD_DCtx, Free> ctx(ZSTD_createDCtx());
  if (!ctx) return internal_error("zstd could not allocate a decompression context");
  ZSTD_inBuffer in{src, static_cast<std::size_t>(s->stored_size), 0};
  Bytes out;
  std::size_t have = 0;
  std::size_t rc = 1;
  const auto expected = static_cast<std::size_t>(expected_raw_size);
  while (true) {
    if (have == out.size()) {
      // One spare byte beyond the expected size lets an over-long frame show itself.
      const std::size_t cap = expected + 1;
      if (out.size() == cap) return invalid_input(what + " decompresses to more than " + n(expected) + " bytes");
      out.resize(std::min(cap, std::max<std::size_t>(2 * out.size(), std::size_t{1} << 16)));
    }
    ZSTD_outBuffer buf{out.data(), out.size(), have};
    const std::size_t in_before = in.pos;
    rc = ZSTD_decompressStream(ctx.get(), &buf, &in);
    if (ZSTD_isError(rc)) return invalid_input(what + ": corrupt zstd data (" + ZSTD_getErrorName(rc) + ")");
    const bool progress = buf.pos != have || in.pos != in_before;
    have = buf.pos;
    if (rc == 0) break;  // the frame ended
    if (!progress) return invalid_input(what + " is cut short (its zstd frame does not end)");
  }
  if (in.pos != in.size) return invalid_input(what + " has bytes after its zstd frame");
  if (have != expected) {
    return invalid_input(what + " decompresses to " + n(have) + " bytes where the scene needs " + n(expected));
  }
  out.resize(have);
  return out;
}

Result<Bytes> read_stream_up_to(const Container& container, std::uint16_t id, std::uint64_t max_raw_size,
                                const char* name) {
  const StreamEntry* s = container.find(id);
  if (!s) return invalid_input(std::string("stream ") + name + " (id " + n(id) + ") is missing");
  if (s->raw_size > max_raw_size) {
    return invalid_input(std::string("stream ") + name + " (id " + n(id) + ") claims " + n(s->raw_size) +
                         " bytes, above its limit of " + n(max_raw_size));
  }
  return read_stream(container, id, s->raw_size, name);
}

}  // namespace scenezip::scz
