#include "engine/scene/scene.h"

namespace scenezip {

const char* scene_kind_name(SceneKind kind) {
  switch (kind) {
    case SceneKind::kGaussians: return "gaussians";
    case SceneKind::kMesh: return "mesh";
    case SceneKind::kPoints: return "points";
  }
  return "unknown";
}

std::size_t Scene::primitive_count() const {
  if (auto* g = gaussians()) return g->count;
  if (auto* m = mesh()) return m->vertex_count();
  return points()->count();
}

Bounds Scene::bounds() const {
  if (auto* g = gaussians()) return compute_bounds(g->positions);
  if (auto* m = mesh()) return compute_bounds(m->positions);
  return compute_bounds(points()->positions);
}

}  // namespace scenezip
