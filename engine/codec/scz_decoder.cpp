#include "engine/codec/scz_decoder.h"

#include "engine/codec/gaussian_decoder.h"
#include "engine/codec/mesh_decoder.h"
#include "engine/codec/point_decoder.h"

namespace scenezip::codec {

Result<Scene> decode_scene(const scz::Container& container) {
  switch (container.kind) {
    case scz::SceneKindId::kGaussians: {
      SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, decode_gaussians(container));
      return Scene{std::move(cloud)};
    }
    case scz::SceneKindId::kMesh: {
      SCZ_ASSIGN_OR_RETURN(Mesh mesh, decode_mesh(container));
      return Scene{std::move(mesh)};
    }
    case scz::SceneKindId::kPoints: {
      SCZ_ASSIGN_OR_RETURN(PointCloud points, decode_points(container));
      return Scene{std::move(points)};
    }
  }
  return invalid_input("unknown scene kind");
}

Result<Scene> decode_scz(std::span<const std::uint8_t> file, std::string* settings) {
  SCZ_ASSIGN_OR_RETURN(scz::Container container, scz::parse_container(file));
  if (settings) *settings = container.settings;
  return decode_scene(container);
}

}  // namespace scenezip::codec
