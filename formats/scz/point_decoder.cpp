#include "formats/scz/point_decoder.h"

#include "formats/scz/delta_planes.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/octahedral.h"
#include "formats/scz/point_layout.h"

namespace scenezip::scz {

namespace {

std::string n(std::uint64_t v) { return std::to_string(v); }

}  // namespace

Result<PointCloud> decode_points(const Container& c) {
  if (c.kind != SceneKindId::kPoints) return invalid_input("the file does not hold a point cloud");
  SCZ_ASSIGN_OR_RETURN(Bytes layout_raw, read_stream(c, kPointLayoutStream, kPointLayoutBytes, "layout"));
  SCZ_ASSIGN_OR_RETURN(const PointLayout layout, parse_point_layout(layout_raw));
  const auto count = static_cast<std::size_t>(c.count);
  PointCloud points;
  {
    // Read (really decompressed) before the arrays are sized, so a forged count costs no
    // more memory than the data the file truly holds.
    SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(c, kPointPositionStream,
                                                     std::uint64_t{count} * morton_delta_bytes(layout.position_bits),
                                                     "positions"));
    points.positions.resize(3 * count);
    SCZ_RETURN_IF_ERROR(decode_morton_deltas(raw, count, layout.position_bits, layout.bounds_min, layout.bounds_max,
                                             points.positions.data()));
  }
  if (layout.normal_bits > 0) {
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint32_t> q,
                         read_delta_stream(c, "point", kPointNormalStream, "normals", count, 2, layout.normal_bits));
    points.normals.resize(3 * count);
    for (std::size_t i = 0; i < count; ++i) {
      octahedral_decode(q[2 * i], q[2 * i + 1], layout.normal_bits, &points.normals[3 * i]);
    }
  }
  if (layout.color_mode == PointColorMode::kDirect) {
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint32_t> q,
                         read_delta_stream(c, "point", kPointColorStream, "colors", count, 3, layout.color_bits));
    const double levels = bit_mask(layout.color_bits);
    points.colors.resize(3 * count);
    for (std::size_t i = 0; i < 3 * count; ++i) points.colors[i] = static_cast<float>(q[i] / levels);
  } else if (layout.color_mode == PointColorMode::kCodebook) {
    const std::uint32_t codes = layout.codebook_size;
    SCZ_ASSIGN_OR_RETURN(Bytes book, read_stream(c, kPointCodebookStream, 3ull * codes, "color codebook"));
    const int width = codebook_index_bytes(codes);
    SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(c, kPointColorStream, std::uint64_t{count} * width, "color indices"));
    points.colors.resize(3 * count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t index = get_plane_value(raw.data(), count, width, i);
      if (index >= codes) {
        return invalid_input("color indices: point " + n(i) + " uses code " + n(index) + " of a " + n(codes) +
                             "-entry codebook");
      }
      for (int k = 0; k < 3; ++k) points.colors[3 * i + k] = book[3 * index + k] / 255.0f;
    }
  }
  return points;
}

}  // namespace scenezip::scz
