// A small textured mesh and a point cloud made in code, the same on every machine
// (splitmix64 and plain arithmetic only), for the mesh and point codec tests and their
// golden `.scz` files.
#pragma once

#include <cmath>

#include "engine/codec/kmeans.h"
#include "engine/scene/mesh.h"

namespace scenezip::test {

// A torus of nu x nv quads, two triangles each, with normals, texture coordinates and
// colours; two submeshes (the first textured) and a 4x4 RGBA texture held as texels.
inline Mesh synthetic_mesh(int nu = 24, int nv = 12) {
  Mesh mesh;
  const float major = 1.0f, minor = 0.35f;
  const float pi = 3.14159265358979f;
  for (int j = 0; j <= nv; ++j) {
    for (int i = 0; i <= nu; ++i) {
      const float u = 2 * pi * i / nu, v = 2 * pi * j / nv;
      const float cx = std::cos(u), sx = std::sin(u), cv = std::cos(v), sv = std::sin(v);
      mesh.positions.insert(mesh.positions.end(), {(major + minor * cv) * cx, minor * sv, (major + minor * cv) * sx});
      mesh.normals.insert(mesh.normals.end(), {cv * cx, sv, cv * sx});
      mesh.texcoords.insert(mesh.texcoords.end(), {static_cast<float>(i) / nu, static_cast<float>(j) / nv});
      mesh.colors.insert(mesh.colors.end(), {0.5f + 0.5f * cx, 0.5f + 0.5f * sv, 0.5f + 0.5f * sx});
    }
  }
  for (int j = 0; j < nv; ++j) {
    for (int i = 0; i < nu; ++i) {
      const std::uint32_t a = j * (nu + 1) + i, b = a + 1, c = a + nu + 1, d = c + 1;
      mesh.indices.insert(mesh.indices.end(), {a, c, b, b, c, d});
    }
  }
  const auto half = static_cast<std::uint32_t>(mesh.indices.size() / 6 * 3);
  mesh.submeshes = {{0, half, 0}, {half, static_cast<std::uint32_t>(mesh.indices.size()) - half, 1}};
  Material textured;
  textured.name = "textured";
  textured.base_color_texture = 0;
  Material plain;
  plain.name = "plain";
  plain.base_color[0] = 0.8f;
  plain.base_color[1] = 0.3f;
  plain.base_color[2] = 0.2f;
  mesh.materials = {textured, plain};
  Texture texture;
  texture.name = "checker";
  texture.width = texture.height = 4;
  for (int p = 0; p < 16; ++p) {
    const std::uint8_t c = ((p / 4 + p % 4) % 2) ? 230 : 40;
    texture.rgba.insert(texture.rgba.end(), {c, static_cast<std::uint8_t>(255 - c), 128, 255});
  }
  mesh.textures = {texture};
  return mesh;
}

// Points scattered on a bumpy sphere, with outward normals and colours that vary
// smoothly over it (as scanned surfaces do), plus a little noise.
inline PointCloud synthetic_points(std::size_t n, std::uint64_t seed) {
  codec::SplitMix64 rng(seed);
  PointCloud points;
  for (std::size_t i = 0; i < n; ++i) {
    const double z = 2 * rng.uniform() - 1, a = 6.283185307179586 * rng.uniform();
    const double r = std::sqrt(1 - z * z);
    const double x = r * std::cos(a), y = r * std::sin(a);
    const double radius = 2.0 + 0.1 * std::sin(5 * x) * std::cos(4 * y) + 0.002 * rng.uniform();
    points.positions.insert(points.positions.end(), {float(radius * x), float(radius * y), float(radius * z)});
    points.normals.insert(points.normals.end(), {float(x), float(y), float(z)});
    points.colors.insert(points.colors.end(), {float(0.5 + 0.4 * x), float(0.5 + 0.4 * y * z),
                                               float(0.3 + 0.2 * rng.uniform())});
  }
  return points;
}

}  // namespace scenezip::test
