#include "formats/scz/decoder.h"

#include "formats/scz/colour_field_layout.h"
#include "formats/scz/gaussian_decoder.h"
#include "formats/scz/gaussian_layout.h"
#include "formats/scz/mesh_decoder.h"
#include "formats/scz/mesh_layout.h"
#include "formats/scz/point_decoder.h"
#include "formats/scz/radiance_field_layout.h"
#include "formats/scz/point_layout.h"

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
  if (container.kind == kRadianceFieldKind) {
    // Not a Scene: radiance fields are rendered by ray marching (render and info).
    return unsupported("a radiance field (scene kind 4): this command takes Gaussians, meshes or point clouds; "
                       "render and info take radiance fields");
  }
  return invalid_input("unknown scene kind");
}

Result<Scene> decode_scz(std::span<const std::uint8_t> file, std::string* settings) {
  SCZ_ASSIGN_OR_RETURN(Container container, parse_container(file));
  if (settings) *settings = container.settings;
  return decode_scene(container);
}

namespace {

std::string gaussian_stream_name(std::uint16_t id) {
  if (id == kLayoutStream) return "layout";
  if (id == kPositionStream) return "positions";
  for (int a = 0; a < kAttributeCount; ++a) {
    const auto attribute = static_cast<Attribute>(a);
    if (id == codebook_stream(attribute)) return std::string(attribute_name(attribute)) + " codebook";
    if (id == index_stream(attribute)) return std::string(attribute_name(attribute)) + " indices";
    if (id == transform_stream(attribute)) return std::string(attribute_name(attribute)) + " transform";
  }
  if (id == kColourFieldHeaderStream) return "colour field header";
  if (id == kColourFieldFeatureStream) return "colour field features";
  if (id == kColourFieldWeightStream) return "colour field weights";
  return "stream " + std::to_string(id);
}

std::string mesh_stream_name(std::uint16_t id) {
  switch (id) {
    case kMeshLayoutStream: return "layout";
    case kMeshPositionStream: return "positions";
    case kMeshIndexStream: return "indices";
    case kMeshNormalStream: return "normals";
    case kMeshTexcoordStream: return "texcoords";
    case kMeshColorStream: return "colors";
    case kMeshMaterialStream: return "materials";
  }
  if (id >= kMeshFirstTextureStream) return "texture " + std::to_string(id - kMeshFirstTextureStream);
  return "stream " + std::to_string(id);
}

std::string point_stream_name(std::uint16_t id) {
  switch (id) {
    case kPointLayoutStream: return "layout";
    case kPointPositionStream: return "positions";
    case kPointNormalStream: return "normals";
    case kPointColorStream: return "colors";
    case kPointCodebookStream: return "color codebook";
  }
  return "stream " + std::to_string(id);
}

}  // namespace

std::string stream_name(SceneKind kind, std::uint16_t id) {
  switch (kind) {
    case SceneKind::kGaussians: return gaussian_stream_name(id);
    case SceneKind::kMesh: return mesh_stream_name(id);
    case SceneKind::kPoints: return point_stream_name(id);
  }
  return "stream " + std::to_string(id);
}

}  // namespace scenezip::scz
