#include "formats/scz/decoder.h"

#include "formats/scz/gaussian_decoder.h"
#include "formats/scz/mesh_decoder.h"
#include "formats/scz/point_decoder.h"

namespace scenezip::scz {

Result<Scene> decode_scene(const Container& container) {
  switch (container.kind) {
    case SceneKindId::kGaussians: {
      SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, decode_gaussians(container));
      return Scene{std::move(cloud)};
    }
    case SceneKindId::kMesh: {
      SCZ_ASSIGN_OR_RETURN(Mesh mesh, decode_mesh(container));
      return Scene{std::move(mesh)};
    }
    case SceneKindId::kPoints: {
      SCZ_ASSIGN_OR_RETURN(PointCloud points, decode_points(container));
      return Scene{std::move(points)};
    }
  }
  return invalid_input("unknown scene kind");
}

Result<Scene> decode_scz(std::span<const std::uint8_t> file, std::string* settings) {
  SCZ_ASSIGN_OR_RETURN(Container container, parse_container(file));
  if (settings) *settings = container.settings;
  return decode_scene(container);
}

}  // namespace scenezip::scz
