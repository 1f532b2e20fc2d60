#include "engine/codec/point_encoder.h"

#include <algorithm>
#include <cmath>

#include "formats/scz/delta_planes.h"
#include "engine/codec/kmeans.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/octahedral.h"
#include "formats/scz/point_layout.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

// The encoder fills the streams whose layout formats/scz owns.
using namespace scz;

namespace {

float clamp_color(float c) { return std::isfinite(c) ? std::clamp(c, 0.0f, 1.0f) : 0.0f; }

// Colours as indices into a k-means codebook of 8-bit RGB entries, most used first.
// Returns the error it leaves; fills the codebook and index streams.
double codebook_colors(const std::vector<float>& colors, std::size_t n, const PointCodecSettings& s, Bytes& book,
                       Bytes& indices, int* codes) {
  std::vector<float> data(3 * n);
  for (std::size_t i = 0; i < 3 * n; ++i) data[i] = 255.0f * clamp_color(colors[i]);
  KMeansOptions options;
  options.k = static_cast<int>(std::min<std::size_t>(s.color_codebook_size, std::max<std::size_t>(n, 1)));
  options.iterations = s.kmeans_iterations;
  options.max_samples = static_cast<std::size_t>(s.kmeans_samples);
  options.seed = s.seed;
  options.threads = s.threads;
  KMeansResult km = train_kmeans(data.data(), n, 3, nullptr, options);
  if (km.k == 0) {  // no points: one black code keeps the layout valid
    km.k = 1;
    km.centroids.assign(3, 0.0f);
  }
  // Assign against the 8-bit entries the decoder will see.
  for (float& c : km.centroids) c = std::round(std::clamp(c, 0.0f, 255.0f));
  std::vector<std::uint32_t> index(n);
  std::vector<float> distance(n);
  assign_nearest(data.data(), n, 3, km.centroids.data(), km.k, index.data(), distance.data(), s.threads);
  const auto [by_use, rank] = most_used_first(index.data(), n, static_cast<std::size_t>(km.k));
  for (int r = 0; r < km.k; ++r) {
    for (int k = 0; k < 3; ++k) book.push_back(static_cast<std::uint8_t>(km.centroids[3 * by_use[r] + k]));
  }
  double squared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    index[i] = rank[index[i]];
    squared += distance[i];
  }
  const int width = codebook_index_bytes(static_cast<std::uint32_t>(km.k));
  indices.resize(n * width);
  put_planes(indices.data(), n, width, index.data());
  *codes = km.k;
  return n ? std::sqrt(squared / (3.0 * n)) / 255.0 : 0.0;
}

// The cloud's distinct colours at 8 bits as a codebook, most used first, when there are
// at most `limit`: then indices into it cost less than the colours themselves at no loss
// (scans coloured from a few materials, labelled clouds). False when there are more.
bool exact_palette(const std::vector<float>& colors, std::size_t n, std::size_t limit, Bytes& book, Bytes& indices,
                   int* codes) {
  std::vector<std::uint32_t> packed(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t v = 0;
    for (int k = 0; k < 3; ++k) v = v << 8 | grid_quantize(clamp_color(colors[3 * i + k]), 0.0f, 1.0f, 255);
    packed[i] = v;
  }
  std::vector<std::uint32_t> distinct = packed;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.empty() || distinct.size() > limit) return false;
  std::vector<std::uint32_t> index(n);
  for (std::size_t i = 0; i < n; ++i) {
    index[i] = static_cast<std::uint32_t>(std::lower_bound(distinct.begin(), distinct.end(), packed[i]) - distinct.begin());
  }
  const auto [by_use, rank] = most_used_first(index.data(), n, distinct.size());
  for (std::size_t r = 0; r < by_use.size(); ++r) {
    for (int k = 2; k >= 0; --k) book.push_back(static_cast<std::uint8_t>(distinct[by_use[r]] >> (8 * k)));
  }
  for (std::uint32_t& i : index) i = rank[i];
  const int width = codebook_index_bytes(static_cast<std::uint32_t>(distinct.size()));
  indices.resize(n * width);
  put_planes(indices.data(), n, width, index.data());
  *codes = static_cast<int>(distinct.size());
  return true;
}

}  // namespace

Result<Bytes> encode_points(const PointCloud& input, const PointCodecSettings& s, PointEncodeReport* report,
                            const StageCallback& stage) {
  SCZ_RETURN_IF_ERROR(check_point_settings(s));
  const std::size_t n_in = input.count();
  if (input.positions.size() != 3 * n_in || (!input.colors.empty() && input.colors.size() != 3 * n_in) ||
      (!input.normals.empty() && input.normals.size() != 3 * n_in)) {
    return invalid_input("point arrays disagree with the point count");
  }
  auto begin = [&](const char* name) {
    if (stage) stage(name);
  };
  PointEncodeReport r;
  r.count_in = n_in;

  begin("Morton ordering");
  // Only finite positions can be placed on the grid: the rest are no points at all
  // (depth cameras mark pixels without depth with NaN).
  std::vector<std::uint32_t> kept;
  kept.reserve(n_in);
  for (std::size_t i = 0; i < n_in; ++i) {
    const float* p = &input.positions[3 * i];
    if (std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2])) kept.push_back(static_cast<std::uint32_t>(i));
  }
  r.non_finite = n_in - kept.size();
  const std::size_t n = kept.size();
  std::vector<float> positions(3 * n);
  for (std::size_t i = 0; i < n; ++i) std::copy_n(&input.positions[3 * kept[i]], 3, &positions[3 * i]);
  PointLayout layout;
  layout.position_bits = s.position_bits;
  const Bounds bounds = compute_bounds(positions);
  layout.bounds_min = bounds.min;
  layout.bounds_max = bounds.max;
  const auto sorted = sorted_morton_codes(positions, bounds.min, bounds.max, layout.position_bits);
  r.point_order.resize(n);
  for (std::size_t i = 0; i < n; ++i) r.point_order[i] = kept[sorted[i].second];
  const std::vector<std::uint32_t>& order = r.point_order;
  const double levels = static_cast<double>(bit_mask(layout.position_bits));
  for (int k = 0; k < 3; ++k) r.position_step = std::max(r.position_step, (double(bounds.max[k]) - bounds.min[k]) / levels);

  std::vector<scz::StreamToWrite> streams;
  const int level = s.zstd_level;
  streams.push_back({kPointPositionStream, morton_delta_stream(sorted, layout.position_bits), level});
  if (!input.normals.empty()) {
    begin("normals");
    layout.normal_bits = s.normal_bits;
    std::vector<std::uint32_t> q(2 * n);
    for (std::size_t i = 0; i < n; ++i) octahedral_encode(&input.normals[3 * order[i]], layout.normal_bits, &q[2 * i], &q[2 * i + 1]);
    streams.push_back({kPointNormalStream, delta_stream(q.data(), n, 2, layout.normal_bits), level});
  }
  if (!input.colors.empty()) {
    std::vector<float> colors(3 * n);
    for (std::size_t i = 0; i < n; ++i) std::copy_n(&input.colors[3 * order[i]], 3, &colors[3 * i]);
    Bytes book, indices;
    if (s.color_mode == "auto" && s.color_bits >= 8 &&
        exact_palette(colors, n, static_cast<std::size_t>(s.color_codebook_size), book, indices, &r.color_codes)) {
      begin("colors");
      layout.color_mode = PointColorMode::kCodebook;
      layout.codebook_size = static_cast<std::uint32_t>(r.color_codes);
      r.color_rms_error = 0;  // against the colours at 8 bits, which is what direct mode keeps too
      streams.push_back({kPointCodebookStream, std::move(book), level});
      streams.push_back({kPointColorStream, std::move(indices), level});
    } else if (s.color_mode == "codebook") {
      begin("k-means colors");
      layout.color_mode = PointColorMode::kCodebook;
      r.color_rms_error = codebook_colors(colors, n, s, book, indices, &r.color_codes);
      layout.codebook_size = static_cast<std::uint32_t>(r.color_codes);
      streams.push_back({kPointCodebookStream, std::move(book), level});
      streams.push_back({kPointColorStream, std::move(indices), level});
    } else {
      begin("colors");
      layout.color_mode = PointColorMode::kDirect;
      layout.color_bits = s.color_bits;
      const std::uint32_t color_levels = bit_mask(layout.color_bits);
      std::vector<std::uint32_t> q(3 * n);
      double squared = 0;
      for (std::size_t i = 0; i < 3 * n; ++i) {
        const float c = clamp_color(colors[i]);
        q[i] = grid_quantize(c, 0.0f, 1.0f, color_levels);
        squared += std::pow(q[i] / double(color_levels) - c, 2.0);
      }
      r.color_rms_error = n ? std::sqrt(squared / (3.0 * n)) : 0.0;
      streams.push_back({kPointColorStream, delta_stream(q.data(), n, 3, layout.color_bits), level});
    }
  }

  begin("entropy coding");
  r.count_out = n;
  SCZ_ASSIGN_OR_RETURN(Bytes file, scz::write_scene_file(scz::SceneKindId::kPoints, n, settings_json(s).dump(), layout,
                                                         kPointLayoutStream, std::move(streams), s.threads,
                                                         &r.streams));
  if (report) *report = std::move(r);
  return file;
}

}  // namespace scenezip::codec
