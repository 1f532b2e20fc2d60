#include "formats/scz/writer.h"

#include <zstd.h>

#include <algorithm>

#include "engine/core/parallel.h"

namespace scenezip::scz {

namespace {

struct Packed {
  Codec codec = Codec::kRaw;
  Bytes stored;
  std::string error;
};

Packed pack(const StreamToWrite& s) {
  Packed p;
  if (s.zstd_level != 0 && !s.raw.empty()) {
    Bytes out(ZSTD_compressBound(s.raw.size()));
    // The frame records its content size, and the reader insists on exactly one frame.
    const std::size_t n = ZSTD_compress(out.data(), out.size(), s.raw.data(), s.raw.size(), s.zstd_level);
    if (ZSTD_isError(n)) {
      p.error = std::string("zstd compression failed: ") + ZSTD_getErrorName(n);
      return p;
    }
    if (n < s.raw.size()) {
      out.resize(n);
      p.codec = Codec::kZstd;
      p.stored = std::move(out);
      return p;
    }
  }
  p.stored = s.raw;
  return p;
}

}  // namespace

Result<Bytes> write_container(SceneKindId kind, std::uint64_t count, const std::string& settings,
                              std::vector<StreamToWrite> streams, int threads, std::vector<WrittenStream>* written) {
  if (count > kMaxPrimitives) {
    return unsupported(std::to_string(count) + " primitives are more than an .scz file holds (" +
                       std::to_string(kMaxPrimitives) + ")");
  }
  if (settings.size() > kMaxSettingsBytes) return internal_error("settings text is larger than the format allows");
  if (streams.size() > kMaxStreams) return internal_error("more streams than the format allows");
  std::sort(streams.begin(), streams.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (std::size_t i = 1; i < streams.size(); ++i) {
    if (streams[i].id == streams[i - 1].id) return internal_error("two streams share id " + std::to_string(streams[i].id));
  }

  std::vector<Packed> packed(streams.size());
  // Largest first, so one big stream does not start last and leave the other threads idle.
  std::vector<std::size_t> order(streams.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return streams[a].raw.size() > streams[b].raw.size(); });
  parallel_chunks(order.size(), resolve_threads(threads),
                         [&](std::size_t c) { packed[order[c]] = pack(streams[order[c]]); });
  for (const Packed& p : packed) {
    if (!p.error.empty()) return internal_error(p.error);
  }

  const std::uint64_t table_at = kHeaderBytes + settings.size();
  const std::uint64_t payload_at = table_at + streams.size() * kEntryBytes;
  std::uint64_t total = payload_at;
  for (const Packed& p : packed) total += p.stored.size();
  Bytes out(payload_at, 0);
  out.reserve(total);
  std::copy(kMagic, kMagic + 4, out.begin());
  store_u16(&out[4], kFormatVersion);
  store_u16(&out[6], 0);  // flags: none defined
  out[8] = static_cast<std::uint8_t>(kind);
  store_u32(&out[12], static_cast<std::uint32_t>(streams.size()));
  store_u64(&out[16], count);
  store_u32(&out[24], static_cast<std::uint32_t>(settings.size()));
  std::copy(settings.begin(), settings.end(), out.begin() + kHeaderBytes);
  std::uint64_t at = payload_at;
  if (written) written->clear();
  for (std::size_t i = 0; i < streams.size(); ++i) {
    std::uint8_t* e = &out[table_at + i * kEntryBytes];
    store_u16(e, streams[i].id);
    e[2] = static_cast<std::uint8_t>(packed[i].codec);
    e[3] = 0;
    store_u32(e + 4, crc32_of(packed[i].stored.data(), packed[i].stored.size()));
    store_u64(e + 8, at);
    store_u64(e + 16, packed[i].stored.size());
    store_u64(e + 24, streams[i].raw.size());
    at += packed[i].stored.size();
    if (written) written->push_back({streams[i].id, packed[i].codec, streams[i].raw.size(), packed[i].stored.size()});
  }
  store_u32(&out[28], crc32_of(out.data() + kHeaderBytes, payload_at - kHeaderBytes));
  store_u32(&out[32], crc32_of(out.data(), 32));
  for (const Packed& p : packed) out.insert(out.end(), p.stored.begin(), p.stored.end());
  return out;
}

}  // namespace scenezip::scz
