// A loaded scene of any kind: what every reader returns and every writer takes.
#pragma once

#include <string>
#include <variant>

#include "engine/scene/gaussian_cloud.h"
#include "engine/scene/mesh.h"

namespace scenezip {

enum class SceneKind { kGaussians, kMesh, kPoints };

const char* scene_kind_name(SceneKind kind);

struct Scene {
  std::variant<GaussianCloud, Mesh, PointCloud> data;

  SceneKind kind() const { return static_cast<SceneKind>(data.index()); }
  GaussianCloud* gaussians() { return std::get_if<GaussianCloud>(&data); }
  const GaussianCloud* gaussians() const { return std::get_if<GaussianCloud>(&data); }
  Mesh* mesh() { return std::get_if<Mesh>(&data); }
  const Mesh* mesh() const { return std::get_if<Mesh>(&data); }
  PointCloud* points() { return std::get_if<PointCloud>(&data); }
  const PointCloud* points() const { return std::get_if<PointCloud>(&data); }

  // Count of the scene's primitives: Gaussians, vertices or points.
  std::size_t primitive_count() const;
  Bounds bounds() const;
};

}  // namespace scenezip
