// OFF meshes: a keyword line (OFF, COFF, NOFF or CNOFF), a counts line, one line per
// vertex (position, then the normal for N, then r g b a in 0-255 for C), then one line
// per face "n i0 i1 ...". Blank lines and '#' comments are skipped anywhere.
#include <limits>

#include "formats/geometry_formats.h"
#include "formats/text_scan.h"

namespace scenezip {

Result<Mesh> decode_off(const Bytes& bytes) {
  if (bytes.empty()) return invalid_input("file is empty");
  text::Lines lines(bytes);
  auto next_line = [&](std::string_view* out) {
    std::string_view line;
    while (lines.next(&line)) {
      line = text::strip(line);
      if (!line.empty() && line.front() != '#') return (*out = line), true;
    }
    return false;
  };
  std::string_view line;
  if (!next_line(&line) || (line != "OFF" && line != "COFF" && line != "NOFF" && line != "CNOFF")) {
    return invalid_input("not an OFF file (the first line must be OFF, COFF, NOFF or CNOFF on its own)");
  }
  const bool with_normals = line == "NOFF" || line == "CNOFF";
  const bool with_colors = line == "COFF" || line == "CNOFF";
  std::int64_t counts[3] = {-1, -1, -1};
  if (!next_line(&line)) return invalid_input("truncated: no counts line");
  for (std::int64_t& c : counts) {
    if (!text::parse_int(text::next_token(&line), &c) || c < 0) {
      return invalid_input("OFF counts line is not three numbers");
    }
  }
  const std::int64_t vertices = counts[0], faces = counts[1];
  if (vertices == 0 || faces == 0) return invalid_input("OFF file has no vertices or no faces");
  // Each vertex or face line takes at least six bytes ("0 0 0\n"): a bound on both
  // counts before anything is sized by them.
  const auto room = static_cast<std::int64_t>(lines.remaining() / 6 + 1);
  if (vertices > room || faces > room || vertices > std::numeric_limits<std::int32_t>::max()) {
    return invalid_input("OFF header claims " + std::to_string(vertices) + " vertices and " + std::to_string(faces) +
                         " faces, more than the file can hold");
  }

  Mesh mesh;
  mesh.positions.reserve(vertices * 3);
  if (with_normals) mesh.normals.reserve(vertices * 3);
  if (with_colors) mesh.colors.reserve(vertices * 3);
  for (std::int64_t v = 0; v < vertices; ++v) {
    if (!next_line(&line)) return invalid_input("truncated: vertex " + std::to_string(v) + " is missing");
    const int needed = 3 + (with_normals ? 3 : 0) + (with_colors ? 4 : 0);
    float values[10];
    for (int i = 0; i < needed; ++i) {
      const std::string_view token = text::next_token(&line);
      if (!text::parse_float(token, &values[i])) {
        return invalid_input("vertex " + std::to_string(v) + ": " + text::quote(token) + " is not a number (" +
                             std::to_string(needed) + " expected)");
      }
    }
    mesh.positions.insert(mesh.positions.end(), values, values + 3);
    if (with_normals) mesh.normals.insert(mesh.normals.end(), values + 3, values + 6);
    if (with_colors) {
      const float* rgb = values + (with_normals ? 6 : 3);
      for (int k = 0; k < 3; ++k) mesh.colors.push_back(rgb[k] / 255.0f);
    }
  }
  mesh.indices.reserve(faces * 3);
  std::vector<std::uint32_t> polygon;
  for (std::int64_t f = 0; f < faces; ++f) {
    if (!next_line(&line)) return invalid_input("truncated: face " + std::to_string(f) + " is missing");
    std::int64_t n = 0;
    const std::string_view count = text::next_token(&line);
    // A polygon's corners are all on its line, two bytes each at least.
    if (!text::parse_int(count, &n) || n < 3 || n > static_cast<std::int64_t>(line.size() / 2 + 1)) {
      return invalid_input("face " + std::to_string(f) + ": a face needs 3 or more corners on its line, not " +
                           text::quote(count));
    }
    polygon.clear();
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t index = -1;
      const std::string_view token = text::next_token(&line);
      if (!text::parse_int(token, &index) || index < 0 || index >= vertices) {
        return invalid_input("face " + std::to_string(f) + " has a missing or out-of-range corner " +
                             text::quote(token) + " (" + std::to_string(vertices) + " vertices)");
      }
      polygon.push_back(static_cast<std::uint32_t>(index));
    }
    for (std::size_t i = 1; i + 1 < polygon.size(); ++i) {
      mesh.indices.insert(mesh.indices.end(), {polygon[0], polygon[i], polygon[i + 1]});
    }
  }
  SCZ_RETURN_IF_ERROR(check_read_mesh(mesh));
  return mesh;
}

}  // namespace scenezip
