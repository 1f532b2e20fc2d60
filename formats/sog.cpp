#include "formats/sog.h"

#include <webp/decode.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <new>
#include <nlohmann/json.hpp>
#include <vector>

#include "formats/sog_files.h"
#include "formats/splat.h"

namespace scenezip {

namespace {

using json = nlohmann::json;
// What each 8-bit channel value means: a codebook (version 2) or a lerp (version 1),
// tabulated so that both versions decode through the same loops.
using ByteTable = std::array<float, 256>;

// meta.json of real scenes is tens of KB.
constexpr std::uint64_t kMaxMetaBytes = 16ull << 20;
// Writers pad images to multiples of 4 or to powers of two. An image header that claims far
// more pixels than the Gaussians need is refused before the pixels are allocated.
constexpr std::uint64_t kSlackPixels = 1ull << 22;
// The SH palette has 64 entries per row of shN_centroids, and 16-bit labels address it.
constexpr int kPaletteColumns = 64;
constexpr std::uint64_t kMaxPalette = 65536;

struct SogLayout {
  int version = 2;
  std::size_t count = 0;
  std::array<double, 3> means_min{}, means_max{};
  std::string means_l, means_u, quats, scales, sh0;
  std::array<ByteTable, 3> scale{};
  std::array<ByteTable, 3> color{};
  ByteTable opacity{};
  bool has_sh = false;
  int sh_bands = 0;              // version 1 leaves it to the width of shN_centroids
  std::uint64_t palette_size = 0;  // version 2 only; version 1 takes the image's capacity
  ByteTable sh{};
  std::string centroids, labels;
};

// --- meta.json -------------------------------------------------------------------------

std::string dotted(const std::string& parent, const char* key) { return parent.empty() ? key : parent + "." + key; }

Result<const json*> get(const json& object, const std::string& parent, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return invalid_input("meta.json lacks '" + dotted(parent, key) + "'");
  return &*it;
}

Result<const json*> get_object(const json& object, const std::string& parent, const char* key) {
  SCZ_ASSIGN_OR_RETURN(const json* value, get(object, parent, key));
  if (!value->is_object()) return invalid_input("meta.json: '" + dotted(parent, key) + "' must be an object");
  return value;
}

Status check_number(const json& value, const std::string& name) {
  if (!value.is_number() || !std::isfinite(value.get<double>())) {
    return invalid_input("meta.json: '" + name + "' must be a finite number");
  }
  return Status::Ok();
}

Result<double> get_number(const json& object, const std::string& parent, const char* key) {
  SCZ_ASSIGN_OR_RETURN(const json* value, get(object, parent, key));
  SCZ_RETURN_IF_ERROR(check_number(*value, dotted(parent, key)));
  return value->get<double>();
}

// A count: a non-negative whole number up to `max` (JSON writers may spell it 5.0).
Result<std::uint64_t> whole_number(const json& value, const std::string& name, std::uint64_t max) {
  const Status bad = invalid_input("meta.json: '" + name + "' must be a whole number from 0 to " + std::to_string(max));
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n > max) return bad;
    return n;
  }
  if (value.is_number_integer()) return bad;  // signed and not unsigned: negative
  if (!value.is_number_float()) return bad;
  const double d = value.get<double>();
  if (!(d >= 0.0 && d <= static_cast<double>(max) && d == std::floor(d))) return bad;
  return static_cast<std::uint64_t>(d);
}

Result<std::uint64_t> get_whole(const json& object, const std::string& parent, const char* key, std::uint64_t max) {
  SCZ_ASSIGN_OR_RETURN(const json* value, get(object, parent, key));
  return whole_number(*value, dotted(parent, key), max);
}

template <std::size_t N>
Result<std::array<double, N>> get_numbers(const json& object, const std::string& parent, const char* key) {
  SCZ_ASSIGN_OR_RETURN(const json* value, get(object, parent, key));
  const std::string name = dotted(parent, key);
  if (!value->is_array() || value->size() != N) {
    return invalid_input("meta.json: '" + name + "' must be an array of " + std::to_string(N) + " numbers");
  }
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    SCZ_RETURN_IF_ERROR(check_number((*value)[i], name + "[" + std::to_string(i) + "]"));
    out[i] = (*value)[i].template get<double>();
  }
  return out;
}

Result<ByteTable> get_codebook(const json& object, const std::string& parent) {
  SCZ_ASSIGN_OR_RETURN(const json* value, get(object, parent, "codebook"));
  const std::string name = dotted(parent, "codebook");
  if (!value->is_array() || value->size() != 256) {
    return invalid_input("meta.json: '" + name + "' must be an array of 256 numbers" +
                         (value->is_array() ? " (it has " + std::to_string(value->size()) + ")" : ""));
  }
  ByteTable table{};
  for (std::size_t i = 0; i < 256; ++i) {
    SCZ_RETURN_IF_ERROR(check_number((*value)[i], name + "[" + std::to_string(i) + "]"));
    table[i] = static_cast<float>((*value)[i].get<double>());
  }
  return table;
}

// The first `n` names of `files`; the order says which file is which.
Result<std::vector<std::string>> get_files(const json& object, const std::string& parent, std::size_t n) {
  SCZ_ASSIGN_OR_RETURN(const json* value, get(object, parent, "files"));
  const std::string name = dotted(parent, "files");
  if (!value->is_array() || value->size() < n) {
    return invalid_input("meta.json: '" + name + "' must be an array of at least " + std::to_string(n) + " file names");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(*value)[i].is_string()) return invalid_input("meta.json: '" + name + "' must hold file names (strings)");
    out.push_back((*value)[i].get<std::string>());
  }
  return out;
}

ByteTable lerp_table(double min, double max) {
  ByteTable table{};
  for (int b = 0; b < 256; ++b) table[b] = static_cast<float>(min + (max - min) * (b / 255.0));
  return table;
}

Status parse_means(const json& meta, SogLayout* layout) {
  SCZ_ASSIGN_OR_RETURN(const json* means, get_object(meta, "", "means"));
  SCZ_ASSIGN_OR_RETURN(layout->means_min, get_numbers<3>(*means, "means", "mins"));
  SCZ_ASSIGN_OR_RETURN(layout->means_max, get_numbers<3>(*means, "means", "maxs"));
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> files, get_files(*means, "means", 2));
  layout->means_l = files[0];
  layout->means_u = files[1];
  SCZ_ASSIGN_OR_RETURN(const json* quats, get_object(meta, "", "quats"));
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> quat_files, get_files(*quats, "quats", 1));
  layout->quats = quat_files[0];
  return Status::Ok();
}

Result<SogLayout> parse_meta_v2(const json& meta) {
  SogLayout layout;
  layout.version = 2;
  SCZ_ASSIGN_OR_RETURN(layout.count, get_whole(meta, "", "count", kSogMaxGaussians));
  SCZ_RETURN_IF_ERROR(parse_means(meta, &layout));

  SCZ_ASSIGN_OR_RETURN(const json* scales, get_object(meta, "", "scales"));
  SCZ_ASSIGN_OR_RETURN(const ByteTable scale_codebook, get_codebook(*scales, "scales"));
  layout.scale = {scale_codebook, scale_codebook, scale_codebook};
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> scale_files, get_files(*scales, "scales", 1));
  layout.scales = scale_files[0];

  SCZ_ASSIGN_OR_RETURN(const json* sh0, get_object(meta, "", "sh0"));
  SCZ_ASSIGN_OR_RETURN(const ByteTable color_codebook, get_codebook(*sh0, "sh0"));
  layout.color = {color_codebook, color_codebook, color_codebook};
  // Alpha holds sigmoid(opacity) * 255; the shared 8-bit helper keeps 0 and 255 finite.
  for (int b = 0; b < 256; ++b) layout.opacity[b] = logit_from_unorm8(static_cast<std::uint8_t>(b));
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> sh0_files, get_files(*sh0, "sh0", 1));
  layout.sh0 = sh0_files[0];

  if (const auto shn_it = meta.find("shN"); shn_it != meta.end() && !shn_it->is_null()) {
    SCZ_ASSIGN_OR_RETURN(const json* shn, get_object(meta, "", "shN"));
    SCZ_ASSIGN_OR_RETURN(const std::uint64_t bands, get_whole(*shn, "shN", "bands", kMaxShDegree));
    SCZ_ASSIGN_OR_RETURN(layout.palette_size, get_whole(*shn, "shN", "count", kMaxPalette));
    if (bands > 0) {
      if (layout.palette_size == 0) return invalid_input("meta.json: 'shN.count' is 0, so there is no SH palette");
      layout.has_sh = true;
      layout.sh_bands = static_cast<int>(bands);
      SCZ_ASSIGN_OR_RETURN(layout.sh, get_codebook(*shn, "shN"));
      SCZ_ASSIGN_OR_RETURN(std::vector<std::string> files, get_files(*shn, "shN", 2));
      layout.centroids = files[0];
      layout.labels = files[1];
    }
  }
  return layout;
}

Result<SogLayout> parse_meta_v1(const json& meta) {
  SogLayout layout;
  layout.version = 1;
  // Version 1 has no count field: the first axis of the means array's shape is the count.
  SCZ_ASSIGN_OR_RETURN(const json* means, get_object(meta, "", "means"));
  SCZ_ASSIGN_OR_RETURN(const json* shape, get(*means, "means", "shape"));
  if (!shape->is_array() || shape->empty()) return invalid_input("meta.json: 'means.shape' must be a non-empty array");
  SCZ_ASSIGN_OR_RETURN(layout.count, whole_number((*shape)[0], "means.shape[0]", kSogMaxGaussians));
  SCZ_RETURN_IF_ERROR(parse_means(meta, &layout));

  SCZ_ASSIGN_OR_RETURN(const json* scales, get_object(meta, "", "scales"));
  SCZ_ASSIGN_OR_RETURN(const auto scale_min, get_numbers<3>(*scales, "scales", "mins"));
  SCZ_ASSIGN_OR_RETURN(const auto scale_max, get_numbers<3>(*scales, "scales", "maxs"));
  for (int k = 0; k < 3; ++k) layout.scale[k] = lerp_table(scale_min[k], scale_max[k]);
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> scale_files, get_files(*scales, "scales", 1));
  layout.scales = scale_files[0];

  // Four ranges: three DC channels, then opacity as a logit.
  SCZ_ASSIGN_OR_RETURN(const json* sh0, get_object(meta, "", "sh0"));
  SCZ_ASSIGN_OR_RETURN(const auto sh0_min, get_numbers<4>(*sh0, "sh0", "mins"));
  SCZ_ASSIGN_OR_RETURN(const auto sh0_max, get_numbers<4>(*sh0, "sh0", "maxs"));
  for (int k = 0; k < 3; ++k) layout.color[k] = lerp_table(sh0_min[k], sh0_max[k]);
  layout.opacity = lerp_table(sh0_min[3], sh0_max[3]);
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> sh0_files, get_files(*sh0, "sh0", 1));
  layout.sh0 = sh0_files[0];

  if (const auto shn_it = meta.find("shN"); shn_it != meta.end() && !shn_it->is_null()) {
    SCZ_ASSIGN_OR_RETURN(const json* shn, get_object(meta, "", "shN"));
    SCZ_ASSIGN_OR_RETURN(const double sh_min, get_number(*shn, "shN", "mins"));
    SCZ_ASSIGN_OR_RETURN(const double sh_max, get_number(*shn, "shN", "maxs"));
    layout.sh = lerp_table(sh_min, sh_max);
    SCZ_ASSIGN_OR_RETURN(std::vector<std::string> files, get_files(*shn, "shN", 2));
    layout.has_sh = true;
    layout.centroids = files[0];
    layout.labels = files[1];
  }
  return layout;
}

Result<SogLayout> parse_meta(const Bytes& bytes) {
  json meta;
  try {
    meta = json::parse(bytes.begin(), bytes.end());
  } catch (const json::parse_error& e) {
    return invalid_input(std::string("meta.json is not valid JSON: ") + e.what());
  }
  if (!meta.is_object()) return invalid_input("meta.json must hold a JSON object");
  if (!meta.contains("version")) {
    // Version 1 predates the field; a file with a count but no version is a broken v2.
    if (meta.contains("count")) return invalid_input("meta.json lacks 'version'");
    return parse_meta_v1(meta);
  }
  SCZ_ASSIGN_OR_RETURN(const std::uint64_t version, whole_number(*meta.find("version"), "version", 1u << 30));
  if (version == 2) return parse_meta_v2(meta);
  return unsupported("SOG version " + std::to_string(version) + " is not supported (this reader knows 1 and 2)");
}

// --- images ----------------------------------------------------------------------------

struct Image {
  std::uint64_t width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
  std::uint64_t pixels() const { return width * height; }
  const std::uint8_t* pixel(std::size_t index) const { return rgba.data() + 4 * index; }
  const std::uint8_t* pixel(std::size_t x, std::size_t y) const { return pixel(y * width + x); }
};

std::string dims(const Image& image) { return std::to_string(image.width) + "x" + std::to_string(image.height); }

// Reads and decodes image `name`; `check_size` sees the header's dimensions first, so a
// refused image never has its pixels allocated. Errors are prefixed with the name.
Result<Image> load_image(SogFiles& files, const std::string& name, const std::function<Status(const Image&)>& check_size) {
  auto in_context = [&](const Status& status) { return status.with_context(name); };
  Result<Bytes> bytes = files.read(name, kSogMaxFileBytes);
  if (!bytes.ok()) return in_context(bytes.status());
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(bytes->data(), bytes->size(), &features) != VP8_STATUS_OK) {
    return in_context(invalid_input("not a WebP image, or its header is damaged"));
  }
  if (features.has_animation) return in_context(unsupported("is an animated WebP; SOG images are still images"));
  if (features.format == 1) {
    return in_context(unsupported("is lossy WebP; SOG stores exact 8-bit indices and needs lossless images"));
  }
  if (features.width <= 0 || features.height <= 0) return in_context(invalid_input("WebP image has no pixels"));
  Image image;
  image.width = static_cast<std::uint64_t>(features.width);
  image.height = static_cast<std::uint64_t>(features.height);
  SCZ_RETURN_IF_ERROR(in_context(check_size(image)));
  image.rgba.resize(4 * image.pixels());
  const int stride = static_cast<int>(4 * image.width);
  if (!WebPDecodeRGBAInto(bytes->data(), bytes->size(), image.rgba.data(), image.rgba.size(), stride)) {
    return in_context(invalid_input("WebP image data is truncated or damaged"));
  }
  return image;
}

// --- decoding --------------------------------------------------------------------------

class Decoder {
 public:
  Decoder(SogFiles& files, const SogLayout& layout) : files_(files), layout_(layout) {}

  Result<GaussianCloud> run() {
    // The cloud is sized in decode_means, once the first image has shown that meta.json's
    // count matches pixels that exist: a forged count must not size an allocation.
    SCZ_RETURN_IF_ERROR(decode_means());
    SCZ_RETURN_IF_ERROR(decode_quats());
    SCZ_RETURN_IF_ERROR(decode_scales());
    SCZ_RETURN_IF_ERROR(decode_sh0());
    if (layout_.has_sh) SCZ_RETURN_IF_ERROR(decode_sh());
    SCZ_RETURN_IF_ERROR(cloud_.validate());
    cloud_.normalize_rotations();
    return std::move(cloud_);
  }

 private:
  // Every per-Gaussian image addresses Gaussian i at pixel (i % W, i / W), so all of them
  // must share means_l's width and hold at least `count` pixels.
  Result<Image> load_per_gaussian(const std::string& name) {
    const std::uint64_t count = layout_.count;
    return load_image(files_, name, [&](const Image& image) {
      if (image.pixels() < count) {
        return invalid_input("image is " + dims(image) + " (" + std::to_string(image.pixels()) +
                             " pixels), fewer than the " + std::to_string(count) + " Gaussians meta.json counts");
      }
      if (image.pixels() > 4 * count + kSlackPixels) {
        return invalid_input("image is " + dims(image) + ", absurdly large for " + std::to_string(count) + " Gaussians");
      }
      if (width_ != 0 && image.width != width_) {
        return invalid_input("image is " + dims(image) + " but " + layout_.means_l + " is " + std::to_string(width_) +
                             " pixels wide; per-Gaussian images must share one width");
      }
      return Status::Ok();
    });
  }

  Status decode_means() {
    SCZ_ASSIGN_OR_RETURN(const Image low, load_per_gaussian(layout_.means_l));
    width_ = low.width;
    SCZ_ASSIGN_OR_RETURN(const Image high, load_per_gaussian(layout_.means_u));
    cloud_.resize(layout_.count, 0);
    for (std::size_t i = 0; i < layout_.count; ++i) {
      const std::uint8_t* lo = low.pixel(i);
      const std::uint8_t* hi = high.pixel(i);
      for (int k = 0; k < 3; ++k) {
        const unsigned q = lo[k] | (static_cast<unsigned>(hi[k]) << 8);
        const double min = layout_.means_min[k];
        const double n = min + (layout_.means_max[k] - min) * (q / 65535.0);
        // The writer stored sign(x) * log(|x| + 1) to spend more bits near the origin.
        cloud_.positions[3 * i + k] = static_cast<float>(std::copysign(std::expm1(std::fabs(n)), n));
      }
    }
    return Status::Ok();
  }

  Status decode_quats() {
    SCZ_ASSIGN_OR_RETURN(const Image image, load_per_gaussian(layout_.quats));
    const float inv_sqrt2 = static_cast<float>(1.0 / std::sqrt(2.0));
    for (std::size_t i = 0; i < layout_.count; ++i) {
      const std::uint8_t* p = image.pixel(i);
      if (p[3] < 252) {
        return invalid_input(layout_.quats + ": Gaussian " + std::to_string(i) + " has mode byte " +
                             std::to_string(p[3]) + ", expected 252..255");
      }
      // The largest component (by magnitude) was dropped and made non-negative; the other
      // three, in w x y z order, lie within +-1/sqrt(2) and were stored as (v*sqrt2+1)/2*255.
      const int largest = p[3] - 252;
      float* q = &cloud_.rotations[4 * i];
      float sum = 0.0f;
      for (int k = 0, stored = 0; k < 4; ++k) {
        if (k == largest) continue;
        q[k] = (p[stored++] / 255.0f * 2.0f - 1.0f) * inv_sqrt2;
        sum += q[k] * q[k];
      }
      q[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
    }
    return Status::Ok();
  }

  Status decode_scales() {
    SCZ_ASSIGN_OR_RETURN(const Image image, load_per_gaussian(layout_.scales));
    for (std::size_t i = 0; i < layout_.count; ++i) {
      const std::uint8_t* p = image.pixel(i);
      for (int k = 0; k < 3; ++k) cloud_.log_scales[3 * i + k] = layout_.scale[k][p[k]];
    }
    return Status::Ok();
  }

  Status decode_sh0() {
    SCZ_ASSIGN_OR_RETURN(const Image image, load_per_gaussian(layout_.sh0));
    for (std::size_t i = 0; i < layout_.count; ++i) {
      const std::uint8_t* p = image.pixel(i);
      for (int k = 0; k < 3; ++k) cloud_.sh_dc[3 * i + k] = layout_.color[k][p[k]];
      cloud_.logit_opacities[i] = layout_.opacity[p[3]];
    }
    return Status::Ok();
  }

  Status decode_sh() {
    int bands = layout_.sh_bands;
    auto check_palette = [&](const Image& image) {
      if (layout_.version == 1) {
        // Version 1 does not say how many bands it holds: the palette width tells.
        for (int b = 1; b <= kMaxShDegree; ++b) {
          if (image.width == static_cast<std::uint64_t>(kPaletteColumns * (sh_coeffs_per_channel(b) - 1))) bands = b;
        }
        if (bands == 0) {
          return invalid_input("image is " + dims(image) + "; its width matches no SH band count (192, 512 or 960)");
        }
      }
      const std::uint64_t expected_width = kPaletteColumns * (sh_coeffs_per_channel(bands) - 1);
      if (image.width != expected_width) {
        return invalid_input("image is " + dims(image) + ", expected " + std::to_string(expected_width) +
                             " pixels wide for " + std::to_string(bands) + " SH bands");
      }
      if (image.height > kMaxPalette / kPaletteColumns) {
        return invalid_input("image is " + dims(image) + ", more rows than a 16-bit palette can use");
      }
      return Status::Ok();
    };
    SCZ_ASSIGN_OR_RETURN(const Image centroids, load_image(files_, layout_.centroids, check_palette));
    const int coeffs = sh_coeffs_per_channel(bands) - 1;
    // A palette shorter than meta.json's count is fine as long as no label points past it.
    std::uint64_t palette = centroids.height * kPaletteColumns;
    if (layout_.version == 2) palette = std::min(palette, layout_.palette_size);

    SCZ_ASSIGN_OR_RETURN(const Image labels, load_per_gaussian(layout_.labels));
    cloud_.set_sh_degree(bands);
    const std::size_t stride = static_cast<std::size_t>(cloud_.sh_rest_stride());
    for (std::size_t i = 0; i < layout_.count; ++i) {
      const std::uint8_t* p = labels.pixel(i);
      const std::uint64_t label = p[0] | (static_cast<std::uint64_t>(p[1]) << 8);
      if (label >= palette) {
        return invalid_input(layout_.labels + ": Gaussian " + std::to_string(i) + " uses SH palette entry " +
                             std::to_string(label) + ", but the palette has " + std::to_string(palette) + " entries");
      }
      const std::size_t row = label / kPaletteColumns;
      const std::size_t first = (label % kPaletteColumns) * coeffs;
      float* rest = &cloud_.sh_rest[stride * i];
      for (int j = 0; j < coeffs; ++j) {
        const std::uint8_t* c = centroids.pixel(first + j, row);
        // RGB of pixel j is coefficient j of each channel; ours is channel-major.
        for (int channel = 0; channel < 3; ++channel) rest[channel * coeffs + j] = layout_.sh[c[channel]];
      }
    }
    return Status::Ok();
  }

  SogFiles& files_;
  const SogLayout& layout_;
  GaussianCloud cloud_;
  std::uint64_t width_ = 0;
};

Result<GaussianCloud> read_sog_unguarded(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(std::unique_ptr<SogFiles> files, SogFiles::open(path));
  const std::string meta_name = files->meta_name();
  Result<Bytes> meta_bytes = files->read(meta_name, kMaxMetaBytes);
  if (!meta_bytes.ok()) return meta_bytes.status().with_context(meta_name);
  SCZ_ASSIGN_OR_RETURN(const SogLayout layout, parse_meta(*meta_bytes));
  return Decoder(*files, layout).run();
}

}  // namespace

Result<GaussianCloud> read_sog(const std::string& path) {
  // The checks above are meant to leave nothing to throw; this keeps a missed case an
  // error rather than a crash at the library boundary.
  try {
    return read_sog_unguarded(path);
  } catch (const json::exception& e) {
    return invalid_input(std::string("meta.json: ") + e.what());
  } catch (const std::bad_alloc&) {
    return internal_error("out of memory while decoding the SOG");
  } catch (const std::exception& e) {
    return internal_error(std::string("unexpected failure while decoding the SOG: ") + e.what());
  }
}

}  // namespace scenezip
