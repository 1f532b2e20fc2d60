// The range coder and the range-coded Gaussian streams of format versions 2 and 3: exact round
// trips (synthetic and on real scenes, where the decoded scene must equal the byte-plane
// file's bit for bit), and damaged streams that must fail cleanly.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/kmeans.h"
#include "formats/formats.h"
#include "formats/scz/container.h"
#include "formats/scz/gaussian_decoder.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/scz/range_coder.h"
#include "formats/scz/ranged_streams.h"
#include "formats/scz/writer.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/test_support.h"

namespace scenezip::scz {
namespace {

TEST(RangeCoder, RoundTripsBitsOfEverySkew) {
  codec::SplitMix64 rng(5);
  constexpr int kModels = 7;
  std::vector<int> bits;
  std::vector<int> which;
  for (int i = 0; i < 200000; ++i) {
    const int m = static_cast<int>(rng.next() % kModels);
    // Model m emits a 1 with probability m / (kModels - 1): from never to always.
    const bool one = (rng.next() % 6000) < static_cast<std::uint64_t>(m) * 1000;
    which.push_back(m);
    bits.push_back(one);
  }
  BitModel enc[kModels], dec[kModels];
  RangeEncoder e;
  for (std::size_t i = 0; i < bits.size(); ++i) e.encode(enc[which[i]], bits[i]);
  const Bytes out = e.finish();
  // The always-0 and always-1 models cost almost nothing, the fair one a bit per bit.
  EXPECT_LT(out.size(), bits.size() / 8);
  RangeDecoder d(out.data(), out.size());
  for (std::size_t i = 0; i < bits.size(); ++i) ASSERT_EQ(d.decode(dec[which[i]]), bits[i]) << i;
  EXPECT_TRUE(d.ok());
  for (std::size_t cut = 0; cut < out.size(); cut += 1 + cut / 4) {
    BitModel again[kModels];
    RangeDecoder t(out.data(), cut);
    for (std::size_t i = 0; i < bits.size(); ++i) t.decode(again[which[i]]);
    EXPECT_FALSE(t.ok()) << "a stream cut to " << cut << " bytes read as whole";
  }
}

TEST(RangeCoder, RoundTripsTrees) {
  codec::SplitMix64 rng(9);
  std::vector<BitModel> enc(1 << 10), dec(1 << 10);
  std::vector<std::uint32_t> values;
  for (int i = 0; i < 50000; ++i) values.push_back(static_cast<std::uint32_t>(rng.next() % (i % 3 ? 40 : 1024)));
  RangeEncoder e;
  for (std::uint32_t v : values) e.encode_tree(enc.data(), 10, v);
  const Bytes out = e.finish();
  RangeDecoder d(out.data(), out.size());
  for (std::uint32_t v : values) ASSERT_EQ(d.decode_tree(dec.data(), 10), v);
  EXPECT_TRUE(d.ok());
}

AttributeLayout layout_of(std::vector<SliceLayout> slices) {
  AttributeLayout a;
  a.attribute = Attribute::kSh;
  a.slices = std::move(slices);
  return a;
}

TEST(RangedStreams, IndicesRoundTripAndRefuseDamage) {
  const AttributeLayout layout = layout_of({{1, 1}, {2, 3}, {3, 300}, {9, 65536}, {4, 256}});
  const std::size_t n = 3000;
  codec::SplitMix64 rng(3);
  std::vector<std::uint32_t> indices(n * layout.slices.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < layout.slices.size(); ++s) {
      // Runs of equal values, as Morton neighbours give, with noise.
      const std::uint32_t codes = static_cast<std::uint32_t>(layout.slices[s].codebook_size);
      const std::uint32_t base = static_cast<std::uint32_t>((i / 50) * 7919 % codes);
      indices[i * layout.slices.size() + s] = rng.next() % 4 == 0 ? static_cast<std::uint32_t>(rng.next() % codes) : base;
    }
  }
  const Bytes coded = encode_ranged_indices(layout, indices, n);
  EXPECT_LT(coded.size(), n * 5);  // less than the byte planes' 7 bytes per Gaussian
  auto back = decode_ranged_indices(coded, layout, n, "sh indices");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, indices);

  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{5}, coded.size() / 2, coded.size() - 1}) {
    auto cut_back = decode_ranged_indices(Bytes(coded.begin(), coded.begin() + cut), layout, n, "sh indices");
    ASSERT_FALSE(cut_back.ok()) << cut;
    EXPECT_NE(cut_back.status().message().find("sh indices"), std::string::npos);
  }
  Bytes longer = coded;
  longer.push_back(0);
  EXPECT_FALSE(decode_ranged_indices(longer, layout, n, "x").ok());
  Bytes first = coded;
  first[0] = 1;  // the encoder's first byte is always 0
  EXPECT_FALSE(decode_ranged_indices(first, layout, n, "x").ok());
  // Flipped bytes: an error or indices within their codebooks, never a crash.
  for (std::size_t at = 1; at < coded.size(); at += coded.size() / 37 + 1) {
    Bytes bad = coded;
    bad[at] ^= 0x5a;
    auto r = decode_ranged_indices(bad, layout, n, "x");
    if (!r.ok()) continue;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t s = 0; s < layout.slices.size(); ++s) {
        ASSERT_LT((*r)[i * layout.slices.size() + s], static_cast<std::uint32_t>(layout.slices[s].codebook_size));
      }
    }
  }
}

// Presence bits (version 3): absent Gaussians come back absent with zero rows, present
// ones with their indices; damage fails cleanly or stays within the codebooks.
TEST(RangedStreams, PresenceBitsRoundTripAndRefuseDamage) {
  const AttributeLayout layout = layout_of({{2, 1024}, {3, 300}, {40, 2}});
  const std::size_t n = 4000, slices = layout.slices.size();
  codec::SplitMix64 rng(5);
  std::vector<std::uint8_t> presence(n);
  std::vector<std::uint32_t> indices(n * slices, 0);
  for (std::size_t i = 0; i < n; ++i) {
    // Clusters of absent Gaussians, as whole regions of a scene lack view dependence.
    presence[i] = (i / 100) % 3 == 0 ? rng.next() % 8 == 0 : rng.next() % 8 != 0;
    if (!presence[i]) continue;
    for (std::size_t s = 0; s < slices; ++s) {
      indices[i * slices + s] = static_cast<std::uint32_t>(rng.next() % layout.slices[s].codebook_size);
    }
  }
  const Bytes coded = encode_ranged_indices_with_presence(layout, presence, indices);
  std::vector<std::uint8_t> got;
  auto back = decode_ranged_indices_with_presence(coded, layout, n, &got, "sh indices");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(got, presence);
  EXPECT_EQ(*back, indices);
  // Absent Gaussians cost about a bit or less: far below a full row of indices.
  const Bytes all = encode_ranged_indices(layout, indices, n);
  EXPECT_LT(coded.size(), all.size());

  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, coded.size() / 2, coded.size() - 1}) {
    auto cut_back = decode_ranged_indices_with_presence(Bytes(coded.begin(), coded.begin() + cut), layout, n, &got,
                                                        "sh indices");
    ASSERT_FALSE(cut_back.ok()) << cut;
    EXPECT_NE(cut_back.status().message().find("sh indices"), std::string::npos);
  }
  for (std::size_t at = 1; at < coded.size(); at += coded.size() / 29 + 1) {
    Bytes bad = coded;
    bad[at] ^= 0xa5;
    auto r = decode_ranged_indices_with_presence(bad, layout, n, &got, "x");
    if (!r.ok()) continue;
    ASSERT_EQ(got.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_LE(got[i], 1);
      for (std::size_t s = 0; s < slices; ++s) {
        ASSERT_LT((*r)[i * slices + s], static_cast<std::uint32_t>(layout.slices[s].codebook_size));
        if (!got[i]) ASSERT_EQ((*r)[i * slices + s], 0u);
      }
    }
  }
}

// A layout naming presence bits is refused in files of version 2 and on any attribute
// but sh.
TEST(RangedStreams, PresenceBitsNeedVersion3AndTheShAttribute) {
  GaussianLayout l;
  l.sh_degree = 1;
  l.position_bits = 12;
  for (Attribute a : attributes_for_degree(1)) {
    AttributeLayout al;
    al.attribute = a;
    al.slices.push_back({attribute_dims(a, 1), 16});
    al.index_coding = a == Attribute::kSh ? StreamCoding::kRangedPresence : StreamCoding::kRanged;
    l.attributes.push_back(al);
  }
  const Bytes bytes = serialize_layout(l);
  EXPECT_TRUE(parse_layout(bytes, 3).ok());
  auto v2 = parse_layout(bytes, 2);
  ASSERT_FALSE(v2.ok());
  EXPECT_NE(v2.status().message().find("unknown stream coding 2"), std::string::npos) << v2.status().message();
  l.attributes[0].index_coding = StreamCoding::kRangedPresence;
  auto on_scale = parse_layout(serialize_layout(l), 3);
  ASSERT_FALSE(on_scale.ok());
  EXPECT_NE(on_scale.status().message().find("only sh"), std::string::npos) << on_scale.status().message();
}

TEST(RangedStreams, PositionsRoundTripAndStayOnTheGrid) {
  for (int bits : {1, 7, 16, 21}) {
    codec::SplitMix64 rng(static_cast<std::uint64_t>(bits));
    const std::uint64_t end = std::uint64_t{1} << (3 * bits);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted;
    for (std::uint32_t i = 0; i < 5000; ++i) sorted.push_back({rng.next() % end, i});
    sorted.push_back({end - 1, 5000});  // the grid's last cell
    sorted.push_back({0, 5001});
    sorted.push_back({0, 5002});  // a repeat: a delta of zero
    std::sort(sorted.begin(), sorted.end());
    const Bytes coded = encode_ranged_positions(sorted, bits);
    auto back = decode_ranged_positions(coded, sorted.size(), bits);
    ASSERT_TRUE(back.ok()) << back.status().message();
    for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ((*back)[i], sorted[i].first) << bits << " " << i;
    // The same stream read on a coarser grid leaves it.
    if (bits > 1) EXPECT_FALSE(decode_ranged_positions(coded, sorted.size(), bits - 1).ok()) << bits;
    EXPECT_FALSE(decode_ranged_positions(Bytes(coded.begin(), coded.end() - 1), sorted.size(), bits).ok());
  }
}

// --- Real scenes -------------------------------------------------------------------

GaussianCloud load_cloud(const std::string& relative) {
  auto scene = load_scene(test::data_path(relative));
  EXPECT_TRUE(scene.ok()) << scene.status().message();
  return *scene->gaussians();
}

bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  // An empty vector's data() may be null, which memcmp must not be given (UBSan).
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// The range-coded file decodes to exactly the scene the byte-plane file decodes to (the
// same codebooks in another order), and is the smaller of the two.
void check_same_scene(const std::string& relative, const char* preset) {
  const GaussianCloud cloud = load_cloud(relative);
  auto s = *codec::preset_settings(preset);
  s.threads = 2;
  s.sh_gaussian_min_rms = 0.0f;  // presence bits exist only range coded
  s.entropy_coder = "zstd";
  auto planes = codec::encode_gaussians(cloud, s);
  s.entropy_coder = "range";
  codec::GaussianEncodeReport report;
  auto ranged = codec::encode_gaussians(cloud, s, &report);
  ASSERT_TRUE(planes.ok() && ranged.ok());
  EXPECT_LT(ranged->size(), planes->size()) << relative << " " << preset;
  auto a = decode_scz_gaussians(*planes);
  auto b = decode_scz_gaussians(*ranged);
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().message();
  ASSERT_EQ(a->count, b->count);
  EXPECT_TRUE(same_floats(a->positions, b->positions));
  EXPECT_TRUE(same_floats(a->log_scales, b->log_scales));
  EXPECT_TRUE(same_floats(a->rotations, b->rotations));
  EXPECT_TRUE(same_floats(a->logit_opacities, b->logit_opacities));
  EXPECT_TRUE(same_floats(a->sh_dc, b->sh_dc));
  EXPECT_TRUE(same_floats(a->sh_rest, b->sh_rest));
  auto container = parse_container(*ranged);
  ASSERT_TRUE(container.ok());
  EXPECT_EQ(container->version, kFormatVersion);
  auto layout = parse_layout(*read_stream_up_to(*container, kLayoutStream, kMaxLayoutBytes, "layout"));
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->position_coding, StreamCoding::kRanged);
  for (const auto& attribute : layout->attributes) {
    EXPECT_EQ(attribute.index_coding, StreamCoding::kRanged) << attribute_name(attribute.attribute);
  }
}

TEST(RangedStreams, RealScenesDecodeExactlyAsBytePlanes) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  SCZ_REQUIRE_DATA("splats/tile-sh3-14k.ply");
  check_same_scene("splats/small-sh3-9k.ply", "small");
  check_same_scene("splats/tile-sh3-14k.ply", "balanced");
}

// A real scene with SH dropped per Gaussian: the Gaussians judged invisible come back
// with zero bands, the others with bands close to their own, and the file is smaller.
TEST(RangedStreams, RealSceneDropsShPerGaussian) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  const GaussianCloud cloud = load_cloud("splats/small-sh3-9k.ply");
  auto s = *codec::preset_settings("small");
  s.threads = 2;
  s.importance_source = "opacity";  // no rendering in a unit test
  s.sh_gaussian_min_rms = 0.0f;
  auto plain = codec::encode_gaussians(cloud, s);
  s.sh_gaussian_min_rms = 0.01f;
  auto masked = codec::encode_gaussians(cloud, s);
  ASSERT_TRUE(plain.ok() && masked.ok()) << masked.status().message();
  EXPECT_LT(masked->size(), plain->size());
  auto container = parse_container(*masked);
  ASSERT_TRUE(container.ok());
  auto layout = parse_layout(*read_stream_up_to(*container, kLayoutStream, kMaxLayoutBytes, "layout"), 3);
  ASSERT_TRUE(layout.ok());
  const AttributeLayout* sh = layout->find(Attribute::kSh);
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->index_coding, StreamCoding::kRangedPresence);
  auto decoded = decode_scz_gaussians(*masked);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  const std::size_t stride = decoded->sh_rest_stride();
  std::size_t zero = 0;
  for (std::size_t i = 0; i < decoded->count; ++i) {
    bool all_zero = true;
    for (std::size_t k = 0; k < stride; ++k) all_zero = all_zero && decoded->sh_rest[stride * i + k] == 0.0f;
    zero += all_zero;
  }
  EXPECT_GT(zero, decoded->count / 10);
  EXPECT_LT(zero, decoded->count);
}

// Every coded stream of a real file, cut short or with a forged count, fails with an
// error naming the stream; the checksums are resealed so the decoder itself must notice.
TEST(RangedStreams, DamagedRealFileFailsCleanly) {
  SCZ_REQUIRE_DATA("splats/small-sh3-9k.ply");
  auto s = *codec::preset_settings("small");
  s.threads = 2;
  auto good = codec::encode_gaussians(load_cloud("splats/small-sh3-9k.ply"), s);
  ASSERT_TRUE(good.ok());
  const auto rebuild = [&](const std::function<void(std::uint16_t, Bytes&)>& edit, std::uint64_t count) {
    auto c = parse_container(*good);
    EXPECT_TRUE(c.ok());
    std::vector<StreamToWrite> streams;
    for (const auto& e : c->streams) {
      Bytes raw = *read_stream(*c, e.id, e.raw_size, "any");
      edit(e.id, raw);
      streams.push_back({e.id, std::move(raw), 0});
    }
    return *write_container(c->kind, count ? count : c->count, c->settings, std::move(streams));
  };
  const auto fails_with = [](const Bytes& file, const std::string& fragment) {
    auto cloud = decode_scz_gaussians(file);
    ASSERT_FALSE(cloud.ok()) << fragment;
    EXPECT_EQ(cloud.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(cloud.status().message().find(fragment), std::string::npos) << cloud.status().message();
  };
  fails_with(rebuild([](std::uint16_t id, Bytes& raw) { if (id == kPositionStream) raw.pop_back(); }, 0),
             "positions");
  fails_with(rebuild([](std::uint16_t id, Bytes& raw) { if (id == index_stream(Attribute::kSh)) raw.resize(raw.size() / 2); }, 0),
             "sh indices");
  fails_with(rebuild([](std::uint16_t id, Bytes& raw) { if (id == index_stream(Attribute::kScale)) raw.push_back(7); }, 0),
             "scale indices");
  // A count the streams cannot hold: refused before decoding.
  fails_with(rebuild([](std::uint16_t, Bytes&) {}, std::uint64_t{1} << 28), "too short for");
  // A count a little off: the streams do not end where they should.
  fails_with(rebuild([](std::uint16_t, Bytes&) {}, parse_container(*good)->count - 1), "corrupt");
}

}  // namespace
}  // namespace scenezip::scz
