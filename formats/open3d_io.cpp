// Meshes (OBJ, OFF, PLY) and point clouds (PLY, PCD, XYZ, PTS) through Open3D. Open3D's
// readers trust the counts and indices in a file: a lying header makes them allocate
// what it claims, and an out-of-range face index makes them read out of bounds. So
// each file is walked here first, and Open3D only sees files whose structure holds.
#include <open3d/geometry/PointCloud.h>
#include <open3d/geometry/TriangleMesh.h>
#include <open3d/io/PointCloudIO.h>
#include <open3d/io/TriangleMeshIO.h>
#include <open3d/utility/Logging.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "formats/file_io.h"
#include "formats/mesh_io.h"
#include "formats/ply.h"

namespace scenezip {

namespace {

namespace fs = std::filesystem;

// Open3D triangulates polygons by ear clipping, cubic in the corner count at worst; a
// file with one huge polygon would stall it.
constexpr std::uint64_t kMaxPolygonCorners = 512;

// --- Open3D's log ----------------------------------------------------------------------

// Open3D prints warnings to stdout, which would corrupt `info --json`. Its messages are
// kept instead, per thread, and the last one explains a failure.
thread_local std::string last_open3d_message;

std::string strip_log_decoration(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {  // colour escape: ESC [ ... m
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    out.push_back(text[i]);
  }
  for (const char* prefix : {"[Open3D WARNING] ", "[Open3D INFO] ", "[Open3D DEBUG] ", "[Open3D Error] "}) {
    if (out.rfind(prefix, 0) == 0) out.erase(0, std::strlen(prefix));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void quiet_open3d() {
  static std::once_flag once;
  std::call_once(once, [] {
    open3d::utility::SetVerbosityLevel(open3d::utility::VerbosityLevel::Warning);
    open3d::utility::Logger::GetInstance().SetPrintFunction(
        [](const std::string& message) { last_open3d_message = strip_log_decoration(message); });
  });
}

// Runs an Open3D call that reports failure by returning false (with a logged warning)
// or by throwing (its LogError), and turns either into a Status.
Status call_open3d(const std::string& action, const std::function<bool()>& call) {
  quiet_open3d();
  last_open3d_message.clear();
  try {
    if (call()) return Status::Ok();
  } catch (const std::bad_alloc&) {
    return internal_error(action + ": out of memory");
  } catch (const std::exception& e) {
    return invalid_input(action + ": " + strip_log_decoration(e.what()));
  }
  return invalid_input(action + (last_open3d_message.empty() ? std::string(" failed") : ": " + last_open3d_message));
}

// --- structure checks before Open3D reads ----------------------------------------------

// Splits text into lines without copying; '\r' is left for the token readers to skip.
class Lines {
 public:
  Lines(const Bytes& bytes, std::size_t pos = 0)
      : text_(reinterpret_cast<const char*>(bytes.data()), bytes.size()), pos_(pos) {}
  bool next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    const std::size_t end = text_.find('\n', pos_);
    const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
    *line = text_.substr(pos_, stop - pos_);
    pos_ = stop + 1;
    return true;
  }
  std::size_t position() const { return std::min(pos_, text_.size()); }
  std::size_t remaining() const { return text_.size() - position(); }

 private:
  std::string_view text_;
  std::size_t pos_;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Next whitespace-separated token of `s`, consumed from it; empty at the end.
std::string_view next_token(std::string_view* s) {
  std::size_t i = 0;
  while (i < s->size() && is_space((*s)[i])) ++i;
  std::size_t j = i;
  while (j < s->size() && !is_space((*s)[j])) ++j;
  const std::string_view token = s->substr(i, j - i);
  s->remove_prefix(j);
  return token;
}

bool parse_int(std::string_view token, long long* value) {
  const auto r = std::from_chars(token.data(), token.data() + token.size(), *value);
  return r.ec == std::errc() && r.ptr == token.data() + token.size();
}

bool parse_number(std::string_view token, double* value) {
  const auto r = std::from_chars(token.data(), token.data() + token.size(), *value);
  if (r.ec == std::errc() && r.ptr == token.data() + token.size()) return true;
  // Spellings some writers use for missing values; strtod in the readers accepts them.
  for (const char* special : {"nan", "-nan", "inf", "-inf", "NaN", "-NaN", "Inf", "-Inf"}) {
    if (token == special) return (*value = std::nan("")), true;
  }
  return false;
}

std::string element_row(const std::string& element, std::uint64_t row) {
  return "element '" + element + "' row " + std::to_string(row);
}

double load_scalar(const std::uint8_t* p, ply::Type type, bool big_endian) {
  std::uint8_t b[8];
  const int n = ply::type_size(type);
  for (int i = 0; i < n; ++i) b[i] = big_endian ? p[n - 1 - i] : p[i];
  auto as = [&b](auto dummy) {
    decltype(dummy) v;
    std::memcpy(&v, b, sizeof(v));
    return static_cast<double>(v);
  };
  switch (type) {
    case ply::Type::kInt8: return as(std::int8_t{});
    case ply::Type::kUint8: return as(std::uint8_t{});
    case ply::Type::kInt16: return as(std::int16_t{});
    case ply::Type::kUint16: return as(std::uint16_t{});
    case ply::Type::kInt32: return as(std::int32_t{});
    case ply::Type::kUint32: return as(std::uint32_t{});
    case ply::Type::kFloat32: return as(float{});
    case ply::Type::kFloat64: return as(double{});
  }
  return 0;
}

// Walks every row of a PLY file: the data must hold what the header claims, ASCII values
// must be numbers, and each face must have 3 to kMaxPolygonCorners in-range corners.
Status check_ply(const Bytes& bytes, bool as_mesh) {
  std::size_t pos = 0;
  SCZ_ASSIGN_OR_RETURN(ply::File header, ply::parse_header(bytes, &pos));
  const ply::Element* vertex = header.find("vertex");
  if (!vertex || vertex->count == 0) return invalid_input("PLY has no vertices");
  for (const char* axis : {"x", "y", "z"}) {
    if (!vertex->find(axis)) return invalid_input(std::string("PLY vertices have no '") + axis + "' property");
  }
  const std::uint64_t vertex_count = vertex->count;
  const bool big_endian = header.encoding == ply::Encoding::kBinaryBigEndian;
  // Messages are only built on failure: these run for every corner of every face.
  auto as_text = [](double v) {
    return std::isfinite(v) && std::abs(v) < 1e18 ? std::to_string(static_cast<long long>(v)) : std::string("?");
  };
  auto check_corner_count = [&](double n, const ply::Element& e, std::uint64_t row) -> Status {
    if (!(n >= 3 && n <= static_cast<double>(kMaxPolygonCorners)) || n != std::floor(n)) {
      return invalid_input(element_row(e.name, row) + ": a face needs 3 to " + std::to_string(kMaxPolygonCorners) +
                           " corners, not " + as_text(n));
    }
    return Status::Ok();
  };
  auto check_corner = [&](double index, const ply::Element& e, std::uint64_t row) -> Status {
    if (!(index >= 0 && index < static_cast<double>(vertex_count)) || index != std::floor(index)) {
      return invalid_input(element_row(e.name, row) + ": face corner " + as_text(index) + " is out of range (" +
                           std::to_string(vertex_count) + " vertices)");
    }
    return Status::Ok();
  };
  auto is_face_list = [&](const ply::Element& e, const ply::Property& p) {
    return as_mesh && e.name == "face" && p.is_list && (p.name == "vertex_indices" || p.name == "vertex_index");
  };

  if (header.encoding == ply::Encoding::kAscii) {
    Lines body(bytes, pos);
    std::string_view line, rest;
    auto token = [&](std::string_view* out) {
      for (;;) {
        *out = next_token(&rest);
        if (!out->empty()) return true;
        if (!body.next(&line)) return false;
        rest = line;
      }
    };
    for (const ply::Element& e : header.elements) {
      const std::uint64_t min_row_chars = 2 * std::max<std::size_t>(1, e.properties.size());
      if (e.count > body.remaining() / min_row_chars + 1) {
        return invalid_input("element '" + e.name + "' claims " + std::to_string(e.count) +
                             " rows but the file is too short for them");
      }
      for (std::uint64_t row = 0; row < e.count; ++row) {
        for (const ply::Property& p : e.properties) {
          std::string_view t;
          double value = 0;
          if (!token(&t)) return invalid_input("truncated: " + element_row(e.name, row) + " is missing");
          if (!parse_number(t, &value))
            return invalid_input(element_row(e.name, row) + ": '" + std::string(t) + "' is not a number");
          if (!p.is_list) continue;
          const bool face = is_face_list(e, p);
          if (face) SCZ_RETURN_IF_ERROR(check_corner_count(value, e, row));
          if (!(value >= 0 && value <= 1e9)) return invalid_input(element_row(e.name, row) + ": bad list length");
          for (std::uint64_t i = 0, n = static_cast<std::uint64_t>(value); i < n; ++i) {
            if (!token(&t)) return invalid_input("truncated: " + element_row(e.name, row) + " is missing");
            if (!parse_number(t, &value))
              return invalid_input(element_row(e.name, row) + ": '" + std::string(t) + "' is not a number");
            if (face) SCZ_RETURN_IF_ERROR(check_corner(value, e, row));
          }
        }
      }
    }
    return Status::Ok();
  }

  for (const ply::Element& e : header.elements) {
    if (!e.has_lists) {
      if (e.row_size && e.count > (bytes.size() - pos) / e.row_size) {
        return invalid_input("truncated: element '" + e.name + "' claims " + std::to_string(e.count) +
                             " rows but the file ends first");
      }
      pos += static_cast<std::size_t>(e.count * e.row_size);
      continue;
    }
    for (std::uint64_t row = 0; row < e.count; ++row) {
      for (const ply::Property& p : e.properties) {
        const std::size_t count_size = p.is_list ? ply::type_size(p.list_count_type) : 0;
        const std::size_t item_size = ply::type_size(p.type);
        if (!p.is_list) {
          if (bytes.size() - pos < item_size)
            return invalid_input("truncated: " + element_row(e.name, row) + " is missing");
          pos += item_size;
          continue;
        }
        if (bytes.size() - pos < count_size)
          return invalid_input("truncated: " + element_row(e.name, row) + " is missing");
        const double n = load_scalar(bytes.data() + pos, p.list_count_type, big_endian);
        pos += count_size;
        const bool face = is_face_list(e, p);
        if (face) SCZ_RETURN_IF_ERROR(check_corner_count(n, e, row));
        if (!(n >= 0) || n > static_cast<double>((bytes.size() - pos) / item_size)) {
          return invalid_input("truncated: " + element_row(e.name, row) + " is missing");
        }
        for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(n); ++i) {
          if (face) SCZ_RETURN_IF_ERROR(check_corner(load_scalar(bytes.data() + pos, p.type, big_endian), e, row));
          pos += item_size;
        }
      }
    }
  }
  return Status::Ok();
}

// OFF as Open3D reads it: lines, blank ones and '#' comments skipped, a keyword line,
// a counts line, vertex lines, then face lines of "n i0 i1 ...".
Status check_off(const Bytes& bytes) {
  Lines lines(bytes);
  auto next_line = [&](std::string_view* out) {
    std::string_view line;
    while (lines.next(&line)) {
      line = strip(line);
      if (!line.empty() && line.front() != '#') return (*out = line), true;
    }
    return false;
  };
  std::string_view line;
  if (!next_line(&line) || (line != "OFF" && line != "COFF" && line != "NOFF" && line != "CNOFF")) {
    return invalid_input("not an OFF file (the first line must be OFF, COFF, NOFF or CNOFF on its own)");
  }
  long long counts[3] = {-1, -1, -1};
  if (!next_line(&line)) return invalid_input("truncated: no counts line");
  for (long long& c : counts) {
    if (!parse_int(next_token(&line), &c) || c < 0) return invalid_input("OFF counts line is not three numbers");
  }
  const long long vertices = counts[0], faces = counts[1];
  if (vertices == 0 || faces == 0) return invalid_input("OFF file has no vertices or no faces");
  // Each vertex or face line takes at least six bytes ("0 0 0\n").
  const long long room = static_cast<long long>(lines.remaining() / 6) + 1;
  if (vertices > room || faces > room || vertices > std::numeric_limits<int>::max()) {
    return invalid_input("OFF header claims " + std::to_string(vertices) + " vertices and " + std::to_string(faces) +
                         " faces, more than the file can hold");
  }
  for (long long v = 0; v < vertices; ++v) {
    if (!next_line(&line)) return invalid_input("truncated: vertex " + std::to_string(v) + " is missing");
  }
  for (long long f = 0; f < faces; ++f) {
    if (!next_line(&line)) return invalid_input("truncated: face " + std::to_string(f) + " is missing");
    long long n = 0;
    if (!parse_int(next_token(&line), &n) || n < 3 || n > static_cast<long long>(kMaxPolygonCorners)) {
      return invalid_input("face " + std::to_string(f) + " needs 3 to " + std::to_string(kMaxPolygonCorners) +
                           " corners");
    }
    for (long long i = 0; i < n; ++i) {
      long long index = -1;
      if (!parse_int(next_token(&line), &index) || index < 0 || index >= vertices) {
        return invalid_input("face " + std::to_string(f) + " has a missing or out-of-range corner");
      }
    }
  }
  return Status::Ok();
}

// OBJ faces as tinyobjloader and Open3D index them: every corner's vertex must exist,
// and where the file has normals or texture coordinates every corner must name one
// (Open3D indexes its arrays with a corner's -1 "none" otherwise).
Status check_obj(const Bytes& bytes) {
  Lines lines(bytes);
  std::string_view line;
  long long counts[3] = {0, 0, 0};        // v, vt, vn seen so far
  long long max_positive[3] = {0, 0, 0};  // largest 1-based forward reference
  bool missing[3] = {false, false, false};
  long long line_number = 0;
  while (lines.next(&line)) {
    ++line_number;
    std::string_view rest = line;
    const std::string_view keyword = next_token(&rest);
    if (keyword == "v")
      ++counts[0];
    else if (keyword == "vt")
      ++counts[1];
    else if (keyword == "vn")
      ++counts[2];
    if (keyword != "f") continue;
    const std::string where = "line " + std::to_string(line_number);
    long long corners = 0;
    for (std::string_view corner = next_token(&rest); !corner.empty(); corner = next_token(&rest)) {
      ++corners;
      for (int k = 0; k < 3; ++k) {
        const std::size_t slash = corner.find('/');
        const std::string_view field = corner.substr(0, slash);
        corner = slash == std::string_view::npos ? std::string_view() : corner.substr(slash + 1);
        if (field.empty()) {
          if (k == 0) return invalid_input(where + ": a face corner has no vertex");
          missing[k] = true;
          continue;
        }
        long long index = 0;
        if (!parse_int(field, &index) || index == 0)
          return invalid_input(where + ": bad face index '" + std::string(field) + "'");
        if (index < 0 && -index > counts[k])
          return invalid_input(where + ": relative face index " + std::to_string(index) +
                               " reaches before the first element");
        if (index > 0) max_positive[k] = std::max(max_positive[k], index);
      }
      if (corners > static_cast<long long>(kMaxPolygonCorners))
        return invalid_input(where + ": face has too many corners");
    }
    if (corners < 3) return invalid_input(where + ": a face needs at least 3 corners");
  }
  static const char* kNames[3] = {"vertex", "texture coordinate", "normal"};
  for (int k = 0; k < 3; ++k) {
    if (max_positive[k] > counts[k]) {
      return invalid_input("a face uses " + std::string(kNames[k]) + " " + std::to_string(max_positive[k]) +
                           " but the file has " + std::to_string(counts[k]));
    }
  }
  for (int k = 1; k < 3; ++k) {
    if (counts[k] > 0 && missing[k]) {
      return unsupported(std::string("some faces name no ") + kNames[k] +
                         " while the file has them; mixed faces are not supported");
    }
  }
  return Status::Ok();
}

// PCD header as Open3D reads it; the data must hold the points the header claims.
Status check_pcd(const Bytes& bytes) {
  Lines lines(bytes);
  std::string_view line;
  std::vector<long long> sizes, counts;
  std::size_t fields = 0;
  long long width = -1, height = -1, points = -1;
  std::string data;
  while (lines.next(&line)) {
    std::string_view rest = line;
    const std::string_view keyword = next_token(&rest);
    auto numbers = [&](std::vector<long long>* out, long long max) -> Status {
      out->clear();
      for (std::string_view t = next_token(&rest); !t.empty(); t = next_token(&rest)) {
        long long v = 0;
        // The bounds keep points * point size far from overflow.
        if (!parse_int(t, &v) || v <= 0 || v > max) return invalid_input("bad PCD " + std::string(keyword) + " line");
        out->push_back(v);
      }
      if (out->size() != fields) return invalid_input("PCD " + std::string(keyword) + " line does not match FIELDS");
      return Status::Ok();
    };
    auto one_number = [&](long long* out) -> Status {
      if (!parse_int(next_token(&rest), out) || *out < 0)
        return invalid_input("bad PCD " + std::string(keyword) + " line");
      return Status::Ok();
    };
    if (keyword.rfind("FIELDS", 0) == 0 || keyword.rfind("COLUMNS", 0) == 0) {
      fields = 0;
      for (std::string_view t = next_token(&rest); !t.empty(); t = next_token(&rest)) ++fields;
      if (fields > 1024) return invalid_input("PCD has more than 1024 fields");
      sizes.assign(fields, 4);
      counts.assign(fields, 1);
    } else if (keyword.rfind("SIZE", 0) == 0) {
      SCZ_RETURN_IF_ERROR(numbers(&sizes, 8));
    } else if (keyword.rfind("COUNT", 0) == 0) {
      SCZ_RETURN_IF_ERROR(numbers(&counts, 65536));
    } else if (keyword.rfind("WIDTH", 0) == 0) {
      SCZ_RETURN_IF_ERROR(one_number(&width));
    } else if (keyword.rfind("HEIGHT", 0) == 0) {
      SCZ_RETURN_IF_ERROR(one_number(&height));
      if (width < 0) return invalid_input("PCD HEIGHT comes before WIDTH");
      points = width * height;  // as Open3D does; a later POINTS line wins
    } else if (keyword.rfind("POINTS", 0) == 0) {
      SCZ_RETURN_IF_ERROR(one_number(&points));
    } else if (keyword.rfind("DATA", 0) == 0) {
      data = std::string(next_token(&rest));
      break;
    }
  }
  if (data.empty()) return invalid_input("not a PCD file (no DATA line)");
  if (fields == 0) return invalid_input("PCD has no FIELDS line");
  if (points <= 0) return invalid_input("PCD has no points");
  if (points > std::numeric_limits<int>::max())
    return invalid_input("PCD claims " + std::to_string(points) + " points");
  long long point_size = 0;
  for (std::size_t i = 0; i < fields; ++i) point_size += sizes[i] * counts[i];
  const std::size_t start = lines.position();
  const std::size_t available = bytes.size() - start;
  if (data.rfind("binary_compressed", 0) == 0) {
    if (available < 8) return invalid_input("truncated: the compressed PCD data is missing");
    std::uint32_t compressed = 0, uncompressed = 0;
    std::memcpy(&compressed, bytes.data() + start, 4);
    std::memcpy(&uncompressed, bytes.data() + start + 4, 4);
    if (compressed > available - 8) {
      return invalid_input("truncated: compressed PCD data of " + std::to_string(compressed) + " bytes, " +
                           std::to_string(available - 8) + " present");
    }
    if (static_cast<long long>(uncompressed) != points * point_size) {
      return invalid_input("compressed PCD data unpacks to " + std::to_string(uncompressed) + " bytes, not the " +
                           std::to_string(points * point_size) + " its header implies");
    }
  } else if (data.rfind("binary", 0) == 0) {
    if (static_cast<unsigned long long>(points * point_size) > available) {
      return invalid_input("truncated: " + std::to_string(points) + " points of " + std::to_string(point_size) +
                           " bytes need " + std::to_string(points * point_size) + " bytes, " +
                           std::to_string(available) + " present");
    }
  } else {
    // ASCII: Open3D leaves points it finds no line for at the origin, so count the lines.
    long long rows = 0;
    std::string_view rest;
    while (rows < points && lines.next(&rest)) rows += !strip(rest).empty();
    if (rows < points)
      return invalid_input("truncated: " + std::to_string(rows) + " of " + std::to_string(points) + " points present");
  }
  return Status::Ok();
}

// PTS: a count line, then one point per line; Open3D sizes its arrays by the count.
Status check_pts(const Bytes& bytes) {
  Lines lines(bytes);
  std::string_view line;
  long long count = 0;
  if (!lines.next(&line) || !parse_int(next_token(&line), &count) || count <= 0) {
    return invalid_input("PTS file does not start with a point count");
  }
  long long rows = 0;
  while (rows < count && lines.next(&line)) rows += !strip(line).empty();
  if (rows < count)
    return invalid_input("truncated: " + std::to_string(rows) + " of " + std::to_string(count) + " points present");
  return Status::Ok();
}

// --- conversions ----------------------------------------------------------------------

bool all_finite(const Eigen::Vector3d& v) {
  return std::isfinite(v.x()) && std::isfinite(v.y()) && std::isfinite(v.z());
}

void append3(std::vector<float>& out, const Eigen::Vector3d& v) {
  out.insert(out.end(), {static_cast<float>(v.x()), static_cast<float>(v.y()), static_cast<float>(v.z())});
}

// OBJ puts the texture origin at the image's bottom-left; the mesh model follows glTF,
// whose origin is the top-left (the first row of Texture::rgba), so v flips between them.
float flip_v(double v) { return static_cast<float>(1.0 - v); }

Result<Mesh> from_open3d(const open3d::geometry::TriangleMesh& source) {
  const std::size_t n = source.vertices_.size();
  if (n == 0) return invalid_input("no vertices read");
  Mesh mesh;
  mesh.positions.reserve(n * 3);
  for (std::size_t v = 0; v < n; ++v) {
    if (!all_finite(source.vertices_[v]))
      return invalid_input("vertex " + std::to_string(v) + " has a non-finite position");
    append3(mesh.positions, source.vertices_[v]);
  }
  if (source.vertex_normals_.size() == n) {
    for (const auto& normal : source.vertex_normals_) append3(mesh.normals, normal);
  }
  if (source.vertex_colors_.size() == n) {
    for (const auto& colour : source.vertex_colors_) append3(mesh.colors, colour);
  }
  mesh.indices.reserve(source.triangles_.size() * 3);
  for (const Eigen::Vector3i& t : source.triangles_) {
    for (int k = 0; k < 3; ++k) {
      if (t[k] < 0 || static_cast<std::size_t>(t[k]) >= n) {
        return invalid_input("triangle corner " + std::to_string(t[k]) + " is out of range (" + std::to_string(n) +
                             " vertices)");
      }
      mesh.indices.push_back(static_cast<std::uint32_t>(t[k]));
    }
  }

  // Open3D keeps texture coordinates per triangle corner; the mesh model keeps them per
  // vertex. A vertex whose corners disagree (a UV seam) is split into one copy per UV.
  if (!source.triangle_uvs_.empty() && source.triangle_uvs_.size() == mesh.indices.size()) {
    struct Key {
      std::uint32_t vertex;
      float u, v;
      bool operator==(const Key& o) const { return vertex == o.vertex && u == o.u && v == o.v; }
    };
    struct KeyHash {
      std::size_t operator()(const Key& k) const {
        std::uint32_t u, v;
        std::memcpy(&u, &k.u, 4);
        std::memcpy(&v, &k.v, 4);
        return (std::size_t{k.vertex} * 0x9E3779B97F4A7C15ull) ^ (std::size_t{u} << 21) ^ v;
      }
    };
    std::vector<bool> assigned(n, false);
    mesh.texcoords.assign(n * 2, 0.0f);
    std::unordered_map<Key, std::uint32_t, KeyHash> copies;
    for (std::size_t c = 0; c < mesh.indices.size(); ++c) {
      const std::uint32_t v = mesh.indices[c];
      const float u = static_cast<float>(source.triangle_uvs_[c].x());
      const float w = flip_v(source.triangle_uvs_[c].y());
      if (!assigned[v]) {
        assigned[v] = true;
        mesh.texcoords[v * 2] = u, mesh.texcoords[v * 2 + 1] = w;
        continue;
      }
      if (mesh.texcoords[v * 2] == u && mesh.texcoords[v * 2 + 1] == w) continue;
      auto [it, inserted] = copies.try_emplace(Key{v, u, w}, static_cast<std::uint32_t>(mesh.vertex_count()));
      if (inserted) {
        for (auto* attribute : {&mesh.positions, &mesh.normals, &mesh.colors}) {
          if (attribute->empty()) continue;
          for (int k = 0; k < 3; ++k) attribute->push_back((*attribute)[v * 3 + k]);
        }
        mesh.texcoords.insert(mesh.texcoords.end(), {u, w});
      }
      mesh.indices[c] = it->second;
    }
  }
  return mesh;
}

Status check_mesh(const Mesh& mesh) {
  const std::size_t n = mesh.vertex_count();
  if (n == 0 || mesh.positions.size() != n * 3) return invalid_input("mesh has no vertices or a partial one");
  if ((!mesh.normals.empty() && mesh.normals.size() != n * 3) ||
      (!mesh.colors.empty() && mesh.colors.size() != n * 3) ||
      (!mesh.texcoords.empty() && mesh.texcoords.size() != n * 2)) {
    return invalid_input("mesh attributes do not match its vertex count");
  }
  if (mesh.indices.size() % 3 != 0) return invalid_input("mesh has a partial triangle");
  for (std::uint32_t i : mesh.indices) {
    if (i >= n) return invalid_input("mesh index " + std::to_string(i) + " is out of range");
  }
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return unsupported("mesh has too many vertices for Open3D");
  return Status::Ok();
}

open3d::geometry::TriangleMesh to_open3d(const Mesh& mesh) {
  open3d::geometry::TriangleMesh out;
  const std::size_t n = mesh.vertex_count();
  auto vec3 = [](const std::vector<float>& a, std::size_t i) {
    return Eigen::Vector3d(a[i * 3], a[i * 3 + 1], a[i * 3 + 2]);
  };
  out.vertices_.reserve(n);
  for (std::size_t v = 0; v < n; ++v) out.vertices_.push_back(vec3(mesh.positions, v));
  if (!mesh.normals.empty()) {
    for (std::size_t v = 0; v < n; ++v) out.vertex_normals_.push_back(vec3(mesh.normals, v));
  }
  if (!mesh.colors.empty()) {
    for (std::size_t v = 0; v < n; ++v) out.vertex_colors_.push_back(vec3(mesh.colors, v));
  }
  for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
    out.triangles_.emplace_back(mesh.indices[t * 3], mesh.indices[t * 3 + 1], mesh.indices[t * 3 + 2]);
  }
  if (!mesh.texcoords.empty()) {
    for (std::uint32_t i : mesh.indices)
      out.triangle_uvs_.emplace_back(mesh.texcoords[i * 2], flip_v(mesh.texcoords[i * 2 + 1]));
  }
  return out;
}

// Open3D names an OBJ's material file after the OBJ itself, so writing straight to the
// temporary name would leave "scene.tmp-123.mtl" behind and referenced. The OBJ is
// written under its final name in a private folder instead, then moved into place.
Status write_obj(const open3d::geometry::TriangleMesh& mesh, const std::string& final_path, const std::string& tmp) {
  if (!mesh.HasTriangleUvs()) {
    return call_open3d("writing OBJ", [&] {
      return open3d::io::WriteTriangleMeshToOBJ(tmp, mesh, true, false, true, true, false, false);
    });
  }
  const fs::path folder = tmp + ".d";
  const fs::path target(final_path);
  std::error_code ec;
  fs::create_directory(folder, ec);
  if (ec) return io_error("cannot create a temporary folder: " + ec.message());
  const fs::path staged = folder / target.filename();
  Status status = call_open3d("writing OBJ", [&] {
    return open3d::io::WriteTriangleMeshToOBJ(staged.string(), mesh, true, false, true, true, true, false);
  });
  if (status.ok()) {
    const std::string mtl = target.stem().string() + ".mtl";
    fs::rename(folder / mtl, target.parent_path() / mtl, ec);
    if (!ec) fs::rename(staged, tmp, ec);
    if (ec) status = io_error("cannot move output into place: " + ec.message());
  }
  fs::remove_all(folder, ec);
  return status;
}

}  // namespace

Result<Mesh> read_mesh_open3d(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  if (bytes.empty()) return invalid_input("file is empty");
  const std::string ext = file_extension(path);
  const open3d::io::ReadTriangleMeshOptions options;
  open3d::geometry::TriangleMesh mesh;
  std::function<bool()> read;
  if (ext == ".ply") {
    SCZ_RETURN_IF_ERROR(check_ply(bytes, true));
    read = [&] { return open3d::io::ReadTriangleMeshFromPLY(path, mesh, options); };
  } else if (ext == ".off") {
    SCZ_RETURN_IF_ERROR(check_off(bytes));
    read = [&] { return open3d::io::ReadTriangleMeshFromOFF(path, mesh, options); };
  } else if (ext == ".obj") {
    SCZ_RETURN_IF_ERROR(check_obj(bytes));
    // The tinyobjloader reader keeps the file's own vertices; Open3D's default OBJ path
    // (Assimp) makes one vertex per face corner and then merges, so its counts differ.
    read = [&] { return open3d::io::ReadTriangleMeshFromOBJ(path, mesh, options); };
  } else {
    return unsupported("cannot read a mesh from '" + ext + "' (readable: .obj .off .ply)");
  }
  bytes = Bytes();
  SCZ_RETURN_IF_ERROR(call_open3d("reading mesh", read));
  SCZ_ASSIGN_OR_RETURN(Mesh result, from_open3d(mesh));
  // OBJ has no counts in a header, so a file cut short inside its vertex list would
  // otherwise pass as a mesh without faces.
  if (result.triangle_count() == 0) return invalid_input("no faces read");
  return result;
}

Status write_mesh_open3d(const Mesh& mesh, const std::string& path) {
  SCZ_RETURN_IF_ERROR(check_mesh(mesh));
  const std::string ext = file_extension(path);
  if (ext != ".ply" && ext != ".obj" && ext != ".off") {
    return unsupported("cannot write a mesh as '" + ext + "' (writable: .obj .off .ply)");
  }
  const open3d::geometry::TriangleMesh converted = to_open3d(mesh);
  return write_via_temporary(path, [&](const std::string& tmp) -> Status {
    if (ext == ".obj") return write_obj(converted, path, tmp);
    // PLY is written binary; neither PLY nor OFF carries Open3D's texture coordinates.
    if (ext == ".ply") {
      return call_open3d("writing PLY", [&] {
        return open3d::io::WriteTriangleMeshToPLY(tmp, converted, false, false, true, true, false, false);
      });
    }
    return call_open3d("writing OFF", [&] {
      return open3d::io::WriteTriangleMeshToOFF(tmp, converted, true, false, true, true, false, false);
    });
  });
}

Result<PointCloud> read_points_open3d(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  if (bytes.empty()) return invalid_input("file is empty");
  const std::string ext = file_extension(path);
  const open3d::io::ReadPointCloudOption options;
  open3d::geometry::PointCloud cloud;
  using Reader = bool (*)(const std::string&, open3d::geometry::PointCloud&, const open3d::io::ReadPointCloudOption&);
  Reader reader = nullptr;
  if (ext == ".ply") {
    SCZ_RETURN_IF_ERROR(check_ply(bytes, false));
    reader = open3d::io::ReadPointCloudFromPLY;
  } else if (ext == ".pcd") {
    SCZ_RETURN_IF_ERROR(check_pcd(bytes));
    reader = open3d::io::ReadPointCloudFromPCD;
  } else if (ext == ".pts") {
    SCZ_RETURN_IF_ERROR(check_pts(bytes));
    reader = open3d::io::ReadPointCloudFromPTS;
  } else if (ext == ".xyz") {
    reader = open3d::io::ReadPointCloudFromXYZ;  // line by line, nothing sized from the file
  } else if (ext == ".xyzn") {
    reader = open3d::io::ReadPointCloudFromXYZN;
  } else if (ext == ".xyzrgb") {
    reader = open3d::io::ReadPointCloudFromXYZRGB;
  } else {
    return unsupported("cannot read points from '" + ext + "' (readable: .ply .pcd .xyz .xyzn .xyzrgb .pts)");
  }
  bytes = Bytes();
  SCZ_RETURN_IF_ERROR(call_open3d("reading points", [&] { return reader(path, cloud, options); }));

  // Organised clouds (depth cameras) mark pixels without depth with NaN positions. They
  // hold no point, so they are dropped here; everything downstream needs finite positions.
  const std::size_t n = cloud.points_.size();
  const bool colours = cloud.colors_.size() == n;
  const bool normals = cloud.normals_.size() == n;
  PointCloud out;
  out.positions.reserve(n * 3);
  for (std::size_t i = 0; i < n; ++i) {
    if (!all_finite(cloud.points_[i])) continue;
    append3(out.positions, cloud.points_[i]);
    if (colours) append3(out.colors, cloud.colors_[i]);
    if (normals) append3(out.normals, cloud.normals_[i]);
  }
  if (n == 0) return invalid_input("no points read");
  if (out.count() == 0) return invalid_input("all " + std::to_string(n) + " points have non-finite positions");
  return out;
}

Status write_points_open3d(const PointCloud& points, const std::string& path) {
  const std::size_t n = points.count();
  if (n == 0 || points.positions.size() != n * 3) return invalid_input("point cloud has no points or a partial one");
  if ((!points.colors.empty() && points.colors.size() != n * 3) ||
      (!points.normals.empty() && points.normals.size() != n * 3)) {
    return invalid_input("point attributes do not match the point count");
  }
  const std::string ext = file_extension(path);
  using Writer =
      bool (*)(const std::string&, const open3d::geometry::PointCloud&, const open3d::io::WritePointCloudOption&);
  Writer writer = ext == ".ply"   ? open3d::io::WritePointCloudToPLY
                  : ext == ".pcd" ? open3d::io::WritePointCloudToPCD
                  : ext == ".xyz" ? open3d::io::WritePointCloudToXYZ
                                  : nullptr;
  if (!writer) return unsupported("cannot write points as '" + ext + "' (writable: .ply .pcd .xyz)");
  open3d::geometry::PointCloud cloud;
  auto vec3 = [](const std::vector<float>& a, std::size_t i) {
    return Eigen::Vector3d(a[i * 3], a[i * 3 + 1], a[i * 3 + 2]);
  };
  cloud.points_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) cloud.points_.push_back(vec3(points.positions, i));
  if (!points.colors.empty()) {
    for (std::size_t i = 0; i < n; ++i) cloud.colors_.push_back(vec3(points.colors, i));
  }
  if (!points.normals.empty()) {
    for (std::size_t i = 0; i < n; ++i) cloud.normals_.push_back(vec3(points.normals, i));
  }
  const open3d::io::WritePointCloudOption binary(false, false);
  return write_via_temporary(path, [&](const std::string& tmp) -> Status {
    return call_open3d("writing points", [&] { return writer(tmp, cloud, binary); });
  });
}

}  // namespace scenezip
