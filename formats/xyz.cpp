// Plain-text point lists: XYZ / XYZN / XYZRGB (numbers per line, nothing else) and
// Leica PTS (a point count, then "x y z [intensity] [r g b]" lines).
#include "formats/geometry_formats.h"
#include "formats/text_scan.h"

namespace scenezip {

namespace {

// Reads up to `n` leading numbers of a line; how many were read before the first token
// that is not a number (or the end).
int leading_numbers(std::string_view line, double* out, int n) {
  for (int i = 0; i < n; ++i) {
    if (!text::parse_double(text::next_token(&line), &out[i])) return i;
  }
  return n;
}

void append(std::vector<float>& out, const double* v, double scale = 1.0) {
  for (int k = 0; k < 3; ++k) out.push_back(static_cast<float>(scale == 1.0 ? v[k] : v[k] / scale));
}

}  // namespace

Result<PointCloud> decode_xyz(const Bytes& bytes, XyzColumns columns) {
  if (bytes.empty()) return invalid_input("file is empty");
  const int needed = columns == XyzColumns::kPositions ? 3 : 6;
  PointCloud out;
  text::Lines lines(bytes);
  std::string_view line;
  while (lines.next(&line)) {
    double v[6];
    if (leading_numbers(line, v, needed) < needed) continue;
    append(out.positions, v);
    if (columns == XyzColumns::kNormals) append(out.normals, v + 3);
    if (columns == XyzColumns::kColors) append(out.colors, v + 3);
  }
  SCZ_RETURN_IF_ERROR(drop_unmeasured_points(out));
  return out;
}

Result<PointCloud> decode_pts(const Bytes& bytes) {
  if (bytes.empty()) return invalid_input("file is empty");
  text::Lines lines(bytes);
  std::string_view line;
  std::int64_t count = 0;
  if (!lines.next(&line) || !text::parse_int(text::strip(line), &count) || count <= 0) {
    return invalid_input("PTS file does not start with a point count");
  }
  PointCloud out;
  int fields = 0;
  std::int64_t read = 0;
  // Nothing is sized by the count: the arrays grow with the lines actually present.
  while (read < count && lines.next(&line)) {
    if (text::strip(line).empty()) continue;
    double v[8];
    const int n = leading_numbers(line, v, 8);
    std::string_view rest = line;
    int tokens = 0;
    while (!text::next_token(&rest).empty() && tokens < 8) ++tokens;
    if (fields == 0) {
      fields = tokens;
      if (fields != 3 && fields != 4 && fields != 6 && fields != 7) {
        return invalid_input("PTS line " + std::to_string(lines.line_number()) + " has " + std::to_string(tokens) +
                             " values (x y z [intensity] [r g b] expected): " + text::quote(line));
      }
    }
    if (tokens != fields || n != fields) {
      return invalid_input("PTS line " + std::to_string(lines.line_number()) + " is not " + std::to_string(fields) +
                           " numbers like the first: " + text::quote(line));
    }
    append(out.positions, v);
    if (fields >= 6) append(out.colors, v + fields - 3, 255.0);
    ++read;
  }
  if (read < count) {
    return invalid_input("truncated: " + std::to_string(read) + " of " + std::to_string(count) + " points present");
  }
  SCZ_RETURN_IF_ERROR(drop_unmeasured_points(out));
  return out;
}

}  // namespace scenezip
