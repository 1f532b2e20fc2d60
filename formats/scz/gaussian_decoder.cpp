#include "formats/scz/gaussian_decoder.h"

#include <algorithm>
#include <cmath>

#include "engine/core/parallel.h"
#include "formats/scz/colour_field_layout.h"
#include "formats/scz/float16.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/ranged_streams.h"

namespace scenezip::scz {

namespace {

// A range-coded stream whose byte-plane form holds `planes_bytes`: no larger than that
// (the encoder keeps the planes otherwise), and large enough for `n` Gaussians, so a
// forged count is refused before anything of its size is allocated.
Result<Bytes> read_ranged_stream(const Container& container, std::uint16_t id, std::uint64_t planes_bytes,
                                 std::uint64_t n, const char* name) {
  SCZ_ASSIGN_OR_RETURN(Bytes coded, read_stream_up_to(container, id, planes_bytes + kRangedSlackBytes, name));
  if (n > coded.size() * kMaxGaussiansPerRangedByte) {
    return invalid_input(std::string("stream ") + name + " of " + std::to_string(coded.size()) +
                         " bytes is too short for " + std::to_string(n) + " Gaussians (truncated or forged count)");
  }
  return coded;
}

// Writes one Gaussian's decoded attribute vector into the cloud.
void scatter(Attribute a, std::size_t i, const float* v, GaussianCloud& cloud) {
  switch (a) {
    case Attribute::kScale: std::copy_n(v, 3, &cloud.log_scales[3 * i]); return;
    case Attribute::kRotation: std::copy_n(v, 4, &cloud.rotations[4 * i]); return;
    case Attribute::kOpacity:
      cloud.logit_opacities[i] = activation::logit(std::clamp(v[0], kMinAlpha, kMaxAlpha));
      return;
    case Attribute::kColor: std::copy_n(v, 3, &cloud.sh_dc[3 * i]); return;
    case Attribute::kSh: {
      const int per_channel = sh_coeffs_per_channel(cloud.sh_degree) - 1;
      float* rest = &cloud.sh_rest[static_cast<std::size_t>(cloud.sh_rest_stride()) * i];
      for (int j = 0; j < per_channel; ++j) {
        for (int c = 0; c < 3; ++c) rest[c * per_channel + j] = v[3 * j + c];
      }
      return;
    }
  }
}

Status decode_attribute(const Container& container, const AttributeLayout& layout, GaussianCloud& cloud) {
  const std::size_t n = cloud.count;
  const std::string name = attribute_name(layout.attribute);
  const std::string codebook_name = name + " codebook";
  const std::string index_name = name + " indices";
  SCZ_ASSIGN_OR_RETURN(Bytes codebook_raw, read_stream(container, codebook_stream(layout.attribute),
                                                            codebook_stream_bytes(layout), codebook_name.c_str()));
  // Range-coded indices stay Gaussian-major (`decoded`); byte planes are read in place.
  Bytes index_raw;
  std::vector<std::uint32_t> decoded;
  std::vector<std::uint8_t> presence;  // empty: every Gaussian has the attribute
  if (layout.index_coding == StreamCoding::kRanged) {
    SCZ_ASSIGN_OR_RETURN(Bytes coded, read_ranged_stream(container, index_stream(layout.attribute),
                                                         index_stream_bytes(layout, n), n, index_name.c_str()));
    SCZ_ASSIGN_OR_RETURN(decoded, decode_ranged_indices(coded, layout, n, index_name));
  } else if (layout.index_coding == StreamCoding::kRangedPresence) {
    // The planes of every Gaussian plus one presence bit each bound what the writer keeps.
    SCZ_ASSIGN_OR_RETURN(Bytes coded, read_ranged_stream(container, index_stream(layout.attribute),
                                                         index_stream_bytes(layout, n) + (n + 7) / 8, n,
                                                         index_name.c_str()));
    SCZ_ASSIGN_OR_RETURN(decoded, decode_ranged_indices_with_presence(coded, layout, n, &presence, index_name));
  } else {
    SCZ_ASSIGN_OR_RETURN(index_raw, read_stream(container, index_stream(layout.attribute),
                                                index_stream_bytes(layout, n), index_name.c_str()));
  }
  std::vector<float> codebook(codebook_raw.size() / 2);
  for (std::size_t k = 0; k < codebook.size(); ++k) {
    codebook[k] = half_to_float(load_u16(&codebook_raw[2 * k]));
    if (!std::isfinite(codebook[k])) return invalid_input(codebook_name + " holds a non-finite value");
  }
  const int dims = layout.dims();
  std::vector<float> transform;  // mean, then the matrix
  if (layout.transform == Transform::kAffine) {
    const std::string transform_name = name + " transform";
    SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(container, transform_stream(layout.attribute),
                                                     transform_stream_bytes(layout), transform_name.c_str()));
    transform.resize(raw.size() / 4);
    for (std::size_t k = 0; k < transform.size(); ++k) {
      transform[k] = load_f32(&raw[4 * k]);
      // Bounded too, so no product or sum below can overflow to infinity.
      if (!(std::fabs(transform[k]) <= kMaxTransformValue)) {
        return invalid_input(transform_name + " holds a value that is not finite or beyond " +
                             std::to_string(kMaxTransformValue));
      }
    }
  }
  // Where each slice's codes and (byte planes) indices start.
  const std::size_t slices = layout.slices.size();
  std::vector<std::size_t> codebook_at(slices), plane_at(slices), offset(slices);
  for (std::size_t s = 0, c = 0, p = 0, o = 0; s < slices; ++s) {
    codebook_at[s] = c;
    plane_at[s] = p;
    offset[s] = o;
    c += static_cast<std::size_t>(layout.slices[s].codebook_size) * layout.slices[s].dims;
    p += n * layout.slices[s].index_bytes();
    o += static_cast<std::size_t>(layout.slices[s].dims);
  }
  // Gaussians are independent here (the serial part, range decoding, is done), so they
  // go in chunks over the threads; each writes only its own Gaussians' values, and the
  // arithmetic per Gaussian is the same whatever the split.
  constexpr std::size_t kChunk = 16384;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::string> errors(chunks);
  parallel_chunks(chunks, resolve_threads(0), [&](std::size_t chunk) {
    std::vector<float> u(dims), v(dims);
    const std::vector<float> absent(dims, 0.0f);
    const std::size_t end = std::min(n, (chunk + 1) * kChunk);
    for (std::size_t i = chunk * kChunk; i < end; ++i) {
      if (!presence.empty() && !presence[i]) {
        scatter(layout.attribute, i, absent.data(), cloud);  // no view dependence: the bands are zero
        continue;
      }
      for (std::size_t s = 0; s < slices; ++s) {
        const SliceLayout& slice = layout.slices[s];
        unsigned index;
        if (!decoded.empty()) {
          index = decoded[i * slices + s];
        } else {
          const std::uint8_t* low = index_raw.data() + plane_at[s];
          index = low[i] | (slice.index_bytes() == 2 ? low[n + i] << 8 : 0);
        }
        if (index >= static_cast<unsigned>(slice.codebook_size)) {
          errors[chunk] = index_name + ": Gaussian " + std::to_string(i) + " uses code " + std::to_string(index) +
                          " of a " + std::to_string(slice.codebook_size) + "-entry codebook";
          return;
        }
        std::copy_n(codebook.data() + codebook_at[s] + static_cast<std::size_t>(index) * slice.dims, slice.dims,
                    u.data() + offset[s]);
      }
      const float* out = u.data();
      if (layout.transform == Transform::kSmallestThree) {
        smallest_three_to_rotation(u.data(), v.data());
        out = v.data();
      } else if (!transform.empty()) {
        const float* mean = transform.data();
        const float* m = transform.data() + dims;
        for (int r = 0; r < dims; ++r) {
          float sum = mean[r];
          for (int c = 0; c < dims; ++c) sum += m[r * dims + c] * u[c];
          v[r] = sum;
        }
        out = v.data();
      }
      scatter(layout.attribute, i, out, cloud);
    }
  });
  for (const std::string& e : errors) {
    if (!e.empty()) return invalid_input(e);  // the first Gaussian that failed
  }
  return Status::Ok();
}

Result<ColourFieldStreams> read_colour_field(const Container& container, ColourSource source, std::uint64_t count) {
  SCZ_ASSIGN_OR_RETURN(Bytes header, read_stream_up_to(container, kColourFieldHeaderStream,
                                                       kColourFieldMaxHeaderBytes, "colour field header"));
  std::uint32_t kept = 0, weights = 0;
  SCZ_ASSIGN_OR_RETURN(ColourFieldStreams field, parse_colour_field_header(header, source, count, &kept, &weights));
  SCZ_ASSIGN_OR_RETURN(field.quantized, read_stream(container, kColourFieldFeatureStream,
                                                    static_cast<std::uint64_t>(kept) * field.features,
                                                    "colour field features"));
  SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(container, kColourFieldWeightStream, 2ull * weights,
                                              "colour field weights"));
  field.weights.resize(weights);
  for (std::uint32_t i = 0; i < weights; ++i) {
    field.weights[i] = half_to_float(load_u16(&raw[2 * i]));
    if (!std::isfinite(field.weights[i])) return invalid_input("colour field weights: weight " + std::to_string(i) + " is not finite");
  }
  return field;
}

Result<GaussianCloud> decode_without_field(const Container& container, ColourFieldStreams* field) {
  if (container.kind != SceneKindId::kGaussians) return invalid_input("the file does not hold Gaussians");
  SCZ_ASSIGN_OR_RETURN(Bytes layout_raw, read_stream_up_to(container, kLayoutStream, kMaxLayoutBytes, "layout"));
  SCZ_ASSIGN_OR_RETURN(GaussianLayout layout, parse_layout(layout_raw, container.version));
  const std::uint64_t n = container.count;
  const auto source = static_cast<ColourSource>(layout.colour_source);
  if (source != ColourSource::kSh) {
    // Read before anything is sized by the count, as the positions are.
    SCZ_ASSIGN_OR_RETURN(*field, read_colour_field(container, source, n));
  }
  // The positions are read (really decompressed) before the cloud is sized, so a forged
  // count costs no more memory than the data the file truly holds.
  GaussianCloud cloud;
  if (layout.position_coding == StreamCoding::kRanged) {
    SCZ_ASSIGN_OR_RETURN(Bytes coded, read_ranged_stream(container, kPositionStream, position_stream_bytes(layout, n),
                                                         n, "positions"));
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint64_t> codes,
                         decode_ranged_positions(coded, static_cast<std::size_t>(n), layout.position_bits));
    cloud.resize(static_cast<std::size_t>(n), layout.sh_degree);
    dequantize_morton_codes(codes, layout.position_bits, layout.bounds_min, layout.bounds_max, cloud.positions.data());
  } else {
    SCZ_ASSIGN_OR_RETURN(Bytes positions,
                         read_stream(container, kPositionStream, position_stream_bytes(layout, n), "positions"));
    cloud.resize(static_cast<std::size_t>(n), layout.sh_degree);
    SCZ_RETURN_IF_ERROR(decode_morton_deltas(positions, cloud.count, layout.position_bits, layout.bounds_min,
                                             layout.bounds_max, cloud.positions.data()));
  }
  // Attributes decode side by side (each writes its own arrays, and a range-coded stream
  // is one serial chain): the last, the SH, is the largest, so it is handed out first.
  const std::size_t count = layout.attributes.size();
  std::vector<Status> decoded(count);
  parallel_chunks(count, resolve_threads(0), [&](std::size_t k) {
    const std::size_t a = count - 1 - k;
    decoded[a] = decode_attribute(container, layout.attributes[a], cloud);
  });
  for (const Status& status : decoded) SCZ_RETURN_IF_ERROR(status);
  cloud.normalize_rotations();
  SCZ_RETURN_IF_ERROR(cloud.validate());
  return cloud;
}

}  // namespace

Result<GaussianCloud> decode_gaussians_and_field(const Container& container, ColourFieldStreams* field) {
  field->source = ColourSource::kSh;
  return decode_without_field(container, field);
}

Result<GaussianCloud> decode_gaussians(const Container& container) {
  ColourFieldStreams field;
  SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, decode_gaussians_and_field(container, &field));
  if (field.source == ColourSource::kSh) return cloud;
  const ColourFieldResolver& resolve = colour_field_resolver();
  if (!resolve) {
    return unsupported("the colours are a hash-grid neural field, which this program cannot evaluate");
  }
  SCZ_RETURN_IF_ERROR(resolve(field, cloud));
  SCZ_RETURN_IF_ERROR(cloud.validate());
  return cloud;
}

Result<GaussianCloud> decode_scz_gaussians(std::span<const std::uint8_t> file) {
  SCZ_ASSIGN_OR_RETURN(Container container, parse_container(file));
  if (container.kind != SceneKindId::kGaussians) {
    return unsupported("this .scz file holds a mesh or point cloud, which this version cannot decode yet");
  }
  return decode_gaussians(container);
}

}  // namespace scenezip::scz
