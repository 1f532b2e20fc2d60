#include "engine/render/mesh_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace scenezip {

namespace io = shaderio;

namespace {

// The per-frame constants as the kernels see them, in float.
struct View {
  std::array<float, 16> m;
  float fx, fy, cx, cy, znear;
  int width, height;
};

View view_of(const Camera& camera) {
  return {camera.view_matrix(),
          static_cast<float>(camera.fx),
          static_cast<float>(camera.fy),
          static_cast<float>(camera.cx),
          static_cast<float>(camera.cy),
          static_cast<float>(camera.znear),
          camera.width,
          camera.height};
}

struct Vec2 {
  float x, y;
};
struct Vec3 {
  float x, y, z;
};
Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
Vec3 operator*(float s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }
Vec3 operator*(Vec3 a, Vec3 b) { return {a.x * b.x, a.y * b.y, a.z * b.z}; }
float dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
Vec3 cross(Vec3 a, Vec3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
Vec3 normalize(Vec3 a) { return (1.0f / std::sqrt(dot(a, a))) * a; }
Vec3 load3(const std::vector<float>& v, std::size_t i) { return {v[3 * i], v[3 * i + 1], v[3 * i + 2]}; }

// geometry.glsl: project_point.
struct Projected {
  float u, v, z, iz;
};
Projected project_point(const View& view, const float* p) {
  const auto& m = view.m;
  const float x = ((m[0] * p[0] + m[4] * p[1]) + m[8] * p[2]) + m[12];
  const float y = ((m[1] * p[0] + m[5] * p[1]) + m[9] * p[2]) + m[13];
  const float z = ((m[2] * p[0] + m[6] * p[1]) + m[10] * p[2]) + m[14];
  const float iz = 1.0f / z;
  return {view.fx * (x * iz) + view.cx, view.fy * (y * iz) + view.cy, z, iz};
}

Vec3 rotate_to_camera(const View& view, Vec3 n) {
  const auto& m = view.m;
  return {m[0] * n.x + m[4] * n.y + m[8] * n.z, m[1] * n.x + m[5] * n.y + m[9] * n.z,
          m[2] * n.x + m[6] * n.y + m[10] * n.z};
}

Vec3 pixel_ray(const View& view, Vec2 p) {
  return normalize({(p.x - view.cx) / view.fx, (p.y - view.cy) / view.fy, 1.0f});
}

Vec3 shade(Vec3 base, Vec3 n, Vec3 ray) {
  return (io::kShadeAmbient + io::kShadeDiffuse * std::abs(dot(n, ray))) * base;
}

// mesh_triangle.glsl, line for line.
float edge_function(Vec2 a, Vec2 b, Vec2 p) { return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x); }

float shared_edge(Vec2 a, Vec2 b, Vec2 p) {
  if (a.x < b.x || (a.x == b.x && a.y < b.y)) return edge_function(a, b, p);
  return -edge_function(b, a, p);
}

bool owns_edge(Vec2 a, Vec2 b) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  return dy < 0.0f || (dy == 0.0f && dx > 0.0f);
}

struct Triangle {
  std::uint32_t v[3];
  Vec2 p[3];
  float iz[3];
  int lo[2], hi[2];
  bool owns[3];
};

bool setup_triangle(const View& view, const std::vector<std::uint32_t>& indices, const std::vector<Projected>& projected,
                    std::size_t t, Triangle* tri) {
  std::uint32_t v[3] = {indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]};
  for (std::uint32_t i : v) {
    if (i >= projected.size()) return false;
  }
  Projected q[3] = {projected[v[0]], projected[v[1]], projected[v[2]]};
  for (const Projected& p : q) {
    if (!(p.z > view.znear)) return false;
  }
  const float area = edge_function({q[0].u, q[0].v}, {q[1].u, q[1].v}, {q[2].u, q[2].v});
  if (area == 0.0f) return false;
  if (area < 0.0f) {
    std::swap(v[1], v[2]);
    std::swap(q[1], q[2]);
  }
  for (int k = 0; k < 3; ++k) {
    tri->v[k] = v[k];
    tri->p[k] = {q[k].u, q[k].v};
    tri->iz[k] = q[k].iz;
  }
  const float lo[2] = {std::min(std::min(q[0].u, q[1].u), q[2].u), std::min(std::min(q[0].v, q[1].v), q[2].v)};
  const float hi[2] = {std::max(std::max(q[0].u, q[1].u), q[2].u), std::max(std::max(q[0].v, q[1].v), q[2].v)};
  const float size[2] = {static_cast<float>(view.width), static_cast<float>(view.height)};
  for (int k = 0; k < 2; ++k) {
    tri->lo[k] = static_cast<int>(std::clamp(std::ceil(lo[k] - 0.5f), 0.0f, size[k]));
    tri->hi[k] = static_cast<int>(std::clamp(std::floor(hi[k] - 0.5f), -1.0f, size[k] - 1.0f));
  }
  tri->owns[0] = owns_edge(tri->p[1], tri->p[2]);
  tri->owns[1] = owns_edge(tri->p[2], tri->p[0]);
  tri->owns[2] = owns_edge(tri->p[0], tri->p[1]);
  return tri->lo[0] <= tri->hi[0] && tri->lo[1] <= tri->hi[1];
}

void triangle_edges(const Triangle& tri, Vec2 p, float e[3]) {
  e[0] = shared_edge(tri.p[1], tri.p[2], p);
  e[1] = shared_edge(tri.p[2], tri.p[0], p);
  e[2] = shared_edge(tri.p[0], tri.p[1], p);
}

bool inside_edge(float e, bool owned) { return e > 0.0f || (e == 0.0f && owned); }

bool triangle_covers(const Triangle& tri, const float e[3]) {
  return inside_edge(e[0], tri.owns[0]) && inside_edge(e[1], tri.owns[1]) && inside_edge(e[2], tri.owns[2]);
}

float triangle_depth(const Triangle& tri, const float e[3]) {
  const float sum = (e[0] + e[1]) + e[2];
  const float w = (e[0] * tri.iz[0] + e[1] * tri.iz[1]) + e[2] * tri.iz[2];
  return sum * (1.0f / w);
}

std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}
float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

// The frame both kinds fill: depth bits and ids, then shaded pixels.
struct Buffers {
  std::vector<std::uint32_t> depth, ids;
  explicit Buffers(const View& view)
      : depth(static_cast<std::size_t>(view.width) * view.height, io::kDepthEmpty),
        ids(depth.size(), io::kIdEmpty) {}
};

GeometryFrame finish(const View& view, const Buffers& buffers, const std::vector<Vec3>& rgb,
                     const std::array<float, 3>& background) {
  GeometryFrame frame;
  frame.image = Image(view.width, view.height);
  frame.depth.resize(buffers.depth.size());
  for (std::size_t i = 0; i < buffers.depth.size(); ++i) {
    const bool drawn = buffers.ids[i] != io::kIdEmpty;
    const Vec3 c = drawn ? rgb[i] : Vec3{background[0], background[1], background[2]};
    frame.image.rgb[3 * i] = c.x;
    frame.image.rgb[3 * i + 1] = c.y;
    frame.image.rgb[3 * i + 2] = c.z;
    frame.depth[i] = bits_float(buffers.depth[i]);
  }
  return frame;
}

// mesh_resolve.comp: sample_texture.
Vec3 sample_texture(const MeshTables& tables, std::uint32_t index, float u, float v) {
  const io::TextureSlot& slot = tables.textures[index];
  const float fx = (u - std::floor(u)) * static_cast<float>(slot.width) - 0.5f;
  const float fy = (v - std::floor(v)) * static_cast<float>(slot.height) - 0.5f;
  const float bx = std::floor(fx), by = std::floor(fy);
  const float wx = fx - bx, wy = fy - by;
  const int w = static_cast<int>(slot.width), h = static_cast<int>(slot.height);
  const int x0 = (static_cast<int>(bx) + w) % w, y0 = (static_cast<int>(by) + h) % h;
  const int x1 = (x0 + 1) % w, y1 = (y0 + 1) % h;
  auto texel = [&](int x, int y) {
    const std::uint32_t t = tables.texels[slot.offset + static_cast<std::uint32_t>(y) * slot.width + x];
    return Vec3{(t & 0xFF) / 255.0f, ((t >> 8) & 0xFF) / 255.0f, ((t >> 16) & 0xFF) / 255.0f};
  };
  auto mix = [](Vec3 a, Vec3 b, float t) { return (1.0f - t) * a + t * b; };
  return mix(mix(texel(x0, y0), texel(x1, y0), wx), mix(texel(x0, y1), texel(x1, y1), wx), wy);
}

}  // namespace

MeshTables build_mesh_tables(const Mesh& mesh) {
  MeshTables tables;
  const std::size_t vertices = mesh.vertex_count();
  const std::size_t triangles = mesh.triangle_count();
  std::vector<bool> finite(vertices);
  for (std::size_t i = 0; i < vertices; ++i) {
    finite[i] = std::isfinite(mesh.positions[3 * i]) && std::isfinite(mesh.positions[3 * i + 1]) &&
                std::isfinite(mesh.positions[3 * i + 2]);
  }
  tables.indices.assign(mesh.indices.begin(), mesh.indices.begin() + 3 * triangles);
  for (std::size_t t = 0; t < triangles; ++t) {
    bool ok = true;
    for (int k = 0; k < 3; ++k) {
      const std::uint32_t i = tables.indices[3 * t + k];
      ok = ok && i < vertices && finite[i];
    }
    if (!ok) std::fill_n(&tables.indices[3 * t], 3, io::kIdEmpty);
  }

  // Textures that a material uses and that were decoded, each uploaded once.
  std::vector<std::uint32_t> slot_of(mesh.textures.size(), io::kNoTexture);
  for (const Material& material : mesh.materials) {
    const int t = material.base_color_texture;
    if (t < 0 || static_cast<std::size_t>(t) >= mesh.textures.size() || slot_of[t] != io::kNoTexture) continue;
    const Texture& texture = mesh.textures[t];
    const std::size_t pixels = static_cast<std::size_t>(std::max(texture.width, 0)) * std::max(texture.height, 0);
    if (pixels == 0 || texture.rgba.size() != pixels * 4) continue;
    if (tables.texels.size() + pixels > std::numeric_limits<std::uint32_t>::max()) continue;
    slot_of[t] = static_cast<std::uint32_t>(tables.textures.size());
    tables.textures.push_back({static_cast<std::uint32_t>(tables.texels.size()), static_cast<std::uint32_t>(texture.width),
                               static_cast<std::uint32_t>(texture.height), 0});
    for (std::size_t p = 0; p < pixels; ++p) {
      const std::uint8_t* c = &texture.rgba[4 * p];
      tables.texels.push_back(c[0] | (c[1] << 8) | (c[2] << 16) | (static_cast<std::uint32_t>(c[3]) << 24));
    }
  }
  for (const Material& material : mesh.materials) {
    io::MeshMaterial m{};
    std::copy_n(material.base_color, 4, m.base_color);
    const int t = material.base_color_texture;
    m.texture = t >= 0 && static_cast<std::size_t>(t) < slot_of.size() ? slot_of[t] : io::kNoTexture;
    tables.materials.push_back(m);
  }
  const bool has_colors = mesh.colors.size() == 3 * vertices && vertices > 0;
  const float grey = has_colors ? 1.0f : io::kDefaultGrey;
  tables.materials.push_back({{grey, grey, grey, 1.0f}, io::kNoTexture, 0, 0, 0});

  const auto fallback = static_cast<std::uint32_t>(mesh.materials.size());
  tables.triangle_material.assign(triangles, fallback);
  for (const SubMesh& sub : mesh.submeshes) {
    const std::uint32_t material =
        sub.material >= 0 && static_cast<std::size_t>(sub.material) < mesh.materials.size() ? sub.material : fallback;
    const std::size_t first = sub.first_index / 3;
    const std::size_t last = std::min<std::size_t>(triangles, (static_cast<std::size_t>(sub.first_index) + sub.index_count) / 3);
    for (std::size_t t = first; t < last; ++t) tables.triangle_material[t] = material;
  }
  return tables;
}

int default_point_size(int height) { return std::max(1, static_cast<int>(std::lround(height / 540.0))); }

PointCloud finite_points(const PointCloud& cloud) {
  const std::size_t n = cloud.count();
  const bool colors = cloud.colors.size() == 3 * n;
  const bool normals = cloud.normals.size() == 3 * n;
  PointCloud out;
  out.positions.reserve(3 * n);
  if (colors) out.colors.reserve(3 * n);
  if (normals) out.normals.reserve(3 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* p = &cloud.positions[3 * i];
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) continue;
    out.positions.insert(out.positions.end(), p, p + 3);
    if (colors) out.colors.insert(out.colors.end(), &cloud.colors[3 * i], &cloud.colors[3 * i] + 3);
    if (normals) out.normals.insert(out.normals.end(), &cloud.normals[3 * i], &cloud.normals[3 * i] + 3);
  }
  return out;
}

GeometryFrame render_mesh_reference(const Mesh& mesh, const Camera& camera, const std::array<float, 3>& background) {
  const View view = view_of(camera);
  const MeshTables tables = build_mesh_tables(mesh);
  const std::size_t vertices = mesh.vertex_count();
  std::vector<Projected> projected(vertices);
  for (std::size_t i = 0; i < vertices; ++i) projected[i] = project_point(view, &mesh.positions[3 * i]);

  Buffers buffers(view);
  const std::size_t triangles = tables.indices.size() / 3;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t t = 0; t < triangles; ++t) {
      Triangle tri;
      if (!setup_triangle(view, tables.indices, projected, t, &tri)) continue;
      for (int y = tri.lo[1]; y <= tri.hi[1]; ++y) {
        for (int x = tri.lo[0]; x <= tri.hi[0]; ++x) {
          const Vec2 p = {static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f};
          float e[3];
          triangle_edges(tri, p, e);
          if (!triangle_covers(tri, e)) continue;
          const std::uint32_t bits = float_bits(triangle_depth(tri, e));
          const std::size_t pixel = static_cast<std::size_t>(y) * view.width + x;
          if (pass == 0) {
            buffers.depth[pixel] = std::min(buffers.depth[pixel], bits);
          } else if (buffers.depth[pixel] == bits) {
            buffers.ids[pixel] = std::min<std::uint32_t>(buffers.ids[pixel], static_cast<std::uint32_t>(t));
          }
        }
      }
    }
  }

  // mesh_resolve.comp.
  const bool has_normals = mesh.normals.size() == 3 * vertices;
  const bool has_texcoords = mesh.texcoords.size() == 2 * vertices;
  const bool has_colors = mesh.colors.size() == 3 * vertices;
  const auto material_count = static_cast<std::uint32_t>(tables.materials.size() - 1);
  std::vector<Vec3> rgb(buffers.ids.size());
  for (int y = 0; y < view.height; ++y) {
    for (int x = 0; x < view.width; ++x) {
      const std::size_t pixel = static_cast<std::size_t>(y) * view.width + x;
      const std::uint32_t t = buffers.ids[pixel];
      Triangle tri;
      if (t == io::kIdEmpty || !setup_triangle(view, tables.indices, projected, t, &tri)) continue;
      const Vec2 p = {static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f};
      float e[3];
      triangle_edges(tri, p, e);
      const float depth = triangle_depth(tri, e);
      const float sum = (e[0] + e[1]) + e[2];
      float b[3];
      for (int k = 0; k < 3; ++k) b[k] = e[k] / sum * tri.iz[k] * depth;

      const io::MeshMaterial& material = tables.materials[std::min(tables.triangle_material[t], material_count)];
      Vec3 base = {material.base_color[0], material.base_color[1], material.base_color[2]};
      if (material.texture != io::kNoTexture && has_texcoords) {
        float uv[2] = {0, 0};
        for (int k = 0; k < 3; ++k) {
          for (int c = 0; c < 2; ++c) uv[c] += b[k] * mesh.texcoords[2 * tri.v[k] + c];
        }
        base = base * sample_texture(tables, material.texture, uv[0], uv[1]);
      }
      if (has_colors) {
        base = base * (b[0] * load3(mesh.colors, tri.v[0]) + b[1] * load3(mesh.colors, tri.v[1]) +
                       b[2] * load3(mesh.colors, tri.v[2]));
      }
      Vec3 n = {0, 0, 0};
      if (has_normals) {
        n = b[0] * load3(mesh.normals, tri.v[0]) + b[1] * load3(mesh.normals, tri.v[1]) +
            b[2] * load3(mesh.normals, tri.v[2]);
      }
      if (!(dot(n, n) > 1e-30f)) {
        const Vec3 a = load3(mesh.positions, tri.v[0]);
        n = cross(load3(mesh.positions, tri.v[1]) - a, load3(mesh.positions, tri.v[2]) - a);
      }
      rgb[pixel] = dot(n, n) > 1e-30f ? shade(base, normalize(rotate_to_camera(view, n)), pixel_ray(view, p)) : base;
    }
  }
  return finish(view, buffers, rgb, background);
}

GeometryFrame render_points_reference(const PointCloud& input, const Camera& camera,
                                      const std::array<float, 3>& background, int point_size) {
  const View view = view_of(camera);
  const PointCloud cloud = finite_points(input);
  const std::size_t n = cloud.count();
  const int size = point_size > 0 ? point_size : default_point_size(camera.height);
  const float s = static_cast<float>(size);
  const float dims[2] = {static_cast<float>(view.width), static_cast<float>(view.height)};

  Buffers buffers(view);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < n; ++i) {
      const Projected q = project_point(view, &cloud.positions[3 * i]);
      if (!(q.z > view.znear)) continue;
      const float centre[2] = {q.u, q.v};
      int lo[2], hi[2];
      for (int k = 0; k < 2; ++k) {
        const float first = std::ceil(centre[k] - (0.5f * s + 0.5f));
        lo[k] = static_cast<int>(std::clamp(first, 0.0f, dims[k]));
        hi[k] = static_cast<int>(std::clamp(first + (s - 1.0f), -1.0f, dims[k] - 1.0f));
      }
      const std::uint32_t bits = float_bits(q.z);
      for (int y = lo[1]; y <= hi[1]; ++y) {
        for (int x = lo[0]; x <= hi[0]; ++x) {
          const std::size_t pixel = static_cast<std::size_t>(y) * view.width + x;
          if (pass == 0) {
            buffers.depth[pixel] = std::min(buffers.depth[pixel], bits);
          } else if (buffers.depth[pixel] == bits) {
            buffers.ids[pixel] = std::min<std::uint32_t>(buffers.ids[pixel], static_cast<std::uint32_t>(i));
          }
        }
      }
    }
  }

  // point_resolve.comp.
  const bool has_colors = !cloud.colors.empty();
  const bool has_normals = !cloud.normals.empty();
  std::vector<Vec3> rgb(buffers.ids.size());
  for (int y = 0; y < view.height; ++y) {
    for (int x = 0; x < view.width; ++x) {
      const std::size_t pixel = static_cast<std::size_t>(y) * view.width + x;
      const std::uint32_t i = buffers.ids[pixel];
      if (i == io::kIdEmpty) continue;
      Vec3 c = has_colors ? load3(cloud.colors, i) : Vec3{io::kDefaultGrey, io::kDefaultGrey, io::kDefaultGrey};
      if (has_normals) {
        const Vec3 normal = load3(cloud.normals, i);
        if (dot(normal, normal) > 1e-30f) {
          c = shade(c, normalize(rotate_to_camera(view, normal)),
                    pixel_ray(view, {static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f}));
        }
      }
      rgb[pixel] = c;
    }
  }
  return finish(view, buffers, rgb, background);
}

}  // namespace scenezip
