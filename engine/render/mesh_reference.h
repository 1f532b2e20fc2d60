// Plain C++ twins of the mesh and point kernels (shaders/geometry.glsl,
// mesh_triangle.glsl, mesh_*.comp, point_*.comp): the references the GPU renderers are
// tested against, and the tables both sides read, built in one place.
//
// Rules both sides follow:
// - Projection as for splats: u = fx * x / z + cx with camera.view_matrix(); pixel
//   centres at (i + 0.5, j + 0.5).
// - A triangle with any vertex at camera z <= znear is dropped (no clipping), as is a
//   point there.
// - A pixel centre is inside a triangle when all three edge functions are > 0, or == 0
//   on an edge the top-left rule gives it; shared edges are evaluated from the same
//   endpoint by both triangles, so no centre is lost or drawn twice.
// - Depth is camera z (perspective-correct); the nearest wins and, at equal depth, the
//   lowest triangle or point id.
// - Colour: material base colour * bilinear base-colour texture (repeat) * vertex colour,
//   lit by a headlight: colour * (0.25 + 0.75 |n . ray|), with the interpolated vertex
//   normal, or the face normal when there is none. Points: their colour or grey, lit the
//   same way only when the cloud has normals.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/render/camera.h"
#include "engine/render/image.h"
#include "engine/scene/mesh.h"
#include "shaders/shaderio.h"

namespace scenezip {

// An opaque render: the image and, per pixel, the camera z of the surface drawn there
// (+infinity where nothing was), so translucent layers can be composited over it.
struct GeometryFrame {
  Image image;
  std::vector<float> depth;  // row-major from the top-left, width * height
};

// What the mesh kernels read besides the vertex arrays.
struct MeshTables {
  // 3 per triangle; a triangle with an index past the vertices or a non-finite vertex
  // gets kIdEmpty indices, which every pass skips.
  std::vector<std::uint32_t> indices;
  // Per triangle, an index into `materials`; triangles outside every submesh or with no
  // valid material use the last entry, the default material.
  std::vector<std::uint32_t> triangle_material;
  // The mesh's materials, then the default: white when the mesh has vertex colours (so
  // they show as they are), else kDefaultGrey.
  std::vector<shaderio::MeshMaterial> materials;
  // Decoded base-colour textures that some material uses, their texels packed RGBA8.
  std::vector<shaderio::TextureSlot> textures;
  std::vector<std::uint32_t> texels;
};

MeshTables build_mesh_tables(const Mesh& mesh);

// Side in pixels of a point's square when none is asked for: round(height / 540), at
// least 1 (1 below 810 rows, 2 at 1080, 4 at 2160), so a cloud covers about the same
// share of the image at any size.
int default_point_size(int height);

// The points with finite positions, in order: ids on both sides count these only.
PointCloud finite_points(const PointCloud& cloud);

GeometryFrame render_mesh_reference(const Mesh& mesh, const Camera& camera, const std::array<float, 3>& background);

// `point_size` 0 means default_point_size(camera.height).
GeometryFrame render_points_reference(const PointCloud& cloud, const Camera& camera,
                                      const std::array<float, 3>& background, int point_size = 0);

}  // namespace scenezip
