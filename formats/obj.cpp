// Wavefront OBJ meshes: v (with optional r g b), vt, vn and f lines; everything else
// (groups, materials, lines, points) is skipped. Faces are read whole, checked, and
// triangulated once every vertex is known, since a face may name vertices defined after
// it.
#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "formats/geometry_formats.h"
#include "formats/text_scan.h"

namespace scenezip {

namespace {

// Vertex, texture coordinate and normal of one face corner, 0-based; kNone when absent.
// A positive (absolute) reference may point past what is defined so far, so it is
// checked against the totals at the end. 32 bits each keep a file of faces from taking
// much more memory than its text.
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
struct Corner {
  std::uint32_t index[3] = {kNone, kNone, kNone};
};

enum Kind { kVertex = 0, kTexcoord = 1, kNormal = 2 };
const char* const kKindNames[3] = {"vertex", "texture coordinate", "normal"};

// The largest count of each kind: indices are stored as 32-bit numbers.
constexpr std::int64_t kMaxElements = std::numeric_limits<std::uint32_t>::max() - 1;  // below kNone

// OBJ puts the texture origin at the image's bottom-left; the mesh model follows glTF,
// whose origin is the top-left (the first row of Texture::rgba), so v flips between them.
float flip_v(float v) { return static_cast<float>(1.0 - static_cast<double>(v)); }

struct ObjData {
  std::vector<float> positions, colors, texcoords, normals;
  bool any_color = false;
  std::vector<Corner> corners;
  std::vector<std::size_t> face_starts;  // into corners, one per face, plus the end
};

Status parse_corner(std::string_view token, const std::int64_t counts[3], Corner* corner, const std::string& where) {
  for (int k = 0; k < 3; ++k) {
    const std::size_t slash = token.find('/');
    const std::string_view field = token.substr(0, slash);
    token = slash == std::string_view::npos ? std::string_view() : token.substr(slash + 1);
    if (field.empty()) {
      if (k == kVertex) return invalid_input(where + ": a face corner has no vertex");
      continue;
    }
    std::int64_t index = 0;
    if (!text::parse_int(field, &index) || index == 0) {
      return invalid_input(where + ": bad face index " + text::quote(field));
    }
    if (index < 0) {
      // Relative to the elements defined so far; compared before adding so that the
      // most negative 64-bit number cannot overflow.
      if (index < -counts[k]) {
        return invalid_input(where + ": relative " + kKindNames[k] + " index " + std::to_string(index) +
                             " reaches before the first one");
      }
      corner->index[k] = static_cast<std::uint32_t>(counts[k] + index);
    } else {
      if (index > kMaxElements) {
        return invalid_input(where + ": " + kKindNames[k] + " index " + std::to_string(index) + " is out of range");
      }
      corner->index[k] = static_cast<std::uint32_t>(index - 1);
    }
  }
  return Status::Ok();
}

// Reads up to `n` numbers from `rest` as floats; returns how many were read, or -1
// when a token is not a number.
int parse_floats(std::string_view* rest, float* out, int n) {
  for (int i = 0; i < n; ++i) {
    const std::string_view token = text::next_token(rest);
    if (token.empty()) return i;
    if (!text::parse_float(token, &out[i])) return -1;
  }
  return n;
}

Result<ObjData> parse_obj(const Bytes& bytes) {
  ObjData obj;
  text::Lines lines(bytes);
  std::string_view line;
  std::int64_t counts[3] = {0, 0, 0};
  while (lines.next(&line)) {
    std::string_view rest = line;
    const std::string_view keyword = text::next_token(&rest);
    if (keyword.empty() || keyword.front() == '#') continue;
    auto where = [&] { return "line " + std::to_string(lines.line_number()); };
    auto bad_numbers = [&]() {
      return invalid_input(where() + ": " + text::quote(keyword) + " needs numbers, not " + text::quote(text::strip(line)));
    };
    if (keyword == "v") {
      float values[6];
      const int n = parse_floats(&rest, values, 6);
      if (n < 3) return bad_numbers();
      if (counts[kVertex] == kMaxElements) return invalid_input(where() + ": too many vertices");
      obj.positions.insert(obj.positions.end(), values, values + 3);
      if (n == 6) {
        // Vertices before the first coloured one get the white other tools give them.
        if (!obj.any_color) obj.colors.assign(obj.positions.size() - 3, 1.0f);
        obj.any_color = true;
        obj.colors.insert(obj.colors.end(), values + 3, values + 6);
      } else if (obj.any_color) {
        obj.colors.insert(obj.colors.end(), {1.0f, 1.0f, 1.0f});
      }
      ++counts[kVertex];
    } else if (keyword == "vt") {
      float values[2] = {0, 0};
      if (parse_floats(&rest, values, 2) < 1) return bad_numbers();
      if (counts[kTexcoord] == kMaxElements) return invalid_input(where() + ": too many texture coordinates");
      obj.texcoords.insert(obj.texcoords.end(), values, values + 2);
      ++counts[kTexcoord];
    } else if (keyword == "vn") {
      float values[3];
      if (parse_floats(&rest, values, 3) < 3) return bad_numbers();
      if (counts[kNormal] == kMaxElements) return invalid_input(where() + ": too many normals");
      obj.normals.insert(obj.normals.end(), values, values + 3);
      ++counts[kNormal];
    } else if (keyword == "f") {
      const std::size_t first = obj.corners.size();
      for (std::string_view token = text::next_token(&rest); !token.empty(); token = text::next_token(&rest)) {
        Corner corner;
        SCZ_RETURN_IF_ERROR(parse_corner(token, counts, &corner, where()));
        obj.corners.push_back(corner);
      }
      if (obj.corners.size() - first < 3) return invalid_input(where() + ": a face needs at least 3 corners");
      obj.face_starts.push_back(first);
    }
  }
  obj.face_starts.push_back(obj.corners.size());
  if (counts[kVertex] == 0) return invalid_input("no vertices read");
  if (obj.face_starts.size() == 1) return invalid_input("no faces read");
  for (const Corner& corner : obj.corners) {
    for (int k = 0; k < 3; ++k) {
      if (corner.index[k] != kNone && corner.index[k] >= counts[k]) {
        return invalid_input("a face uses " + std::string(kKindNames[k]) + " " + std::to_string(corner.index[k] + 1) +
                             " but the file has " + std::to_string(counts[k]));
      }
    }
  }
  return obj;
}

float squared_distance(const std::vector<float>& p, std::size_t a, std::size_t b) {
  float sum = 0;
  for (int k = 0; k < 3; ++k) {
    const float d = p[b * 3 + k] - p[a * 3 + k];
    sum += d * d;
  }
  return sum;
}

// Triangles as corner numbers. A quad is cut along its shorter diagonal, larger polygons
// are fanned from their first corner.
std::vector<std::size_t> triangulate(const ObjData& obj) {
  std::vector<std::size_t> triangles;
  triangles.reserve((obj.corners.size() - 2 * (obj.face_starts.size() - 1)) * 3);
  for (std::size_t f = 0; f + 1 < obj.face_starts.size(); ++f) {
    const std::size_t c = obj.face_starts[f], n = obj.face_starts[f + 1] - c;
    if (n == 4) {
      auto v = [&](std::size_t i) { return obj.corners[c + i].index[kVertex]; };
      if (squared_distance(obj.positions, v(0), v(2)) < squared_distance(obj.positions, v(1), v(3))) {
        triangles.insert(triangles.end(), {c, c + 1, c + 2, c, c + 2, c + 3});
      } else {
        triangles.insert(triangles.end(), {c, c + 1, c + 3, c + 1, c + 2, c + 3});
      }
      continue;
    }
    for (std::size_t i = 1; i + 1 < n; ++i) triangles.insert(triangles.end(), {c, c + i, c + i + 1});
  }
  return triangles;
}

// Texture coordinates come per corner; the mesh model keeps them per vertex. A vertex
// whose corners disagree (a UV seam) is split into one copy per coordinate pair.
void assign_texcoords(Mesh& mesh, const std::vector<float>& corner_uvs) {
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
  const std::size_t n = mesh.vertex_count();
  std::vector<bool> assigned(n, false);
  mesh.texcoords.assign(n * 2, 0.0f);
  std::unordered_map<Key, std::uint32_t, KeyHash> copies;
  for (std::size_t c = 0; c < mesh.indices.size(); ++c) {
    const std::uint32_t v = mesh.indices[c];
    const float u = corner_uvs[c * 2], w = corner_uvs[c * 2 + 1];
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

}  // namespace

Result<Mesh> decode_obj(const Bytes& bytes) {
  if (bytes.empty()) return invalid_input("file is empty");
  SCZ_ASSIGN_OR_RETURN(ObjData obj, parse_obj(bytes));
  const std::vector<std::size_t> triangles = triangulate(obj);

  Mesh mesh;
  const std::size_t vertex_count = obj.positions.size() / 3;
  mesh.indices.reserve(triangles.size());
  for (std::size_t c : triangles) mesh.indices.push_back(obj.corners[c].index[kVertex]);

  // A vertex takes the normal of the first corner that names one; normals are kept only
  // when every vertex got one.
  if (!obj.normals.empty()) {
    std::vector<float> normals(vertex_count * 3);
    std::vector<bool> has_normal(vertex_count, false);
    std::size_t assigned = 0;
    for (std::size_t c : triangles) {
      const Corner& corner = obj.corners[c];
      const std::size_t v = corner.index[kVertex], n = corner.index[kNormal];
      if (n == kNone || has_normal[v]) continue;
      has_normal[v] = true;
      ++assigned;
      std::copy_n(obj.normals.begin() + n * 3, 3, normals.begin() + v * 3);
    }
    if (assigned == vertex_count) mesh.normals = std::move(normals);
  }
  // Texture coordinates only when every corner has one.
  std::vector<float> corner_uvs;
  if (!obj.texcoords.empty()) {
    corner_uvs.reserve(triangles.size() * 2);
    for (std::size_t c : triangles) {
      const std::size_t t = obj.corners[c].index[kTexcoord];
      if (t == kNone) {
        corner_uvs.clear();
        break;
      }
      corner_uvs.insert(corner_uvs.end(), {obj.texcoords[t * 2], flip_v(obj.texcoords[t * 2 + 1])});
    }
  }
  mesh.positions = std::move(obj.positions);
  mesh.colors = std::move(obj.colors);
  if (!corner_uvs.empty()) assign_texcoords(mesh, corner_uvs);
  SCZ_RETURN_IF_ERROR(check_read_mesh(mesh));
  return mesh;
}

}  // namespace scenezip
