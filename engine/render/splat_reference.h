// Plain C++ Gaussian splatting with the same math as the GPU shaders
// (shaders/splat_preprocess.comp, splat_raster.comp): the reference tests compare against.
#pragma once

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/render/camera.h"
#include "engine/render/image.h"
#include "engine/scene/gaussian_cloud.h"
#include "shaders/shaderio.h"

namespace scenezip {

// The SH basis values of unit direction `d` up to `degree` (0..3), index k matching SH
// coefficient k, zeros past the degree (twin of sh_basis in shaders/splat_math.glsl).
void sh_basis(const float d[3], int degree, float basis[16]);

struct SplatStats {
  std::size_t visible = 0;    // Gaussians that survived culling
  std::size_t instances = 0;  // (tile, Gaussian) pairs blended
};

// Projects Gaussian `i`: returns false when it is culled; else fills `out` and the tile
// rectangle [min, max) it touches.
bool project_gaussian(const GaussianCloud& cloud, std::size_t i, const Camera& camera, int tiles_x, int tiles_y,
                      shaderio::Splat2D* out, int rect_min[2], int rect_max[2]);

// Whether tile (tx, ty) has a pixel centre where the splat's alpha can reach 1/255
// (twin of tile_touched in shaders/splat_tiles.glsl).
bool tile_touched(const shaderio::Splat2D& splat, int tx, int ty, int width, int height);

// What a frame blends, binned as the GPU bins it: every Gaussian's 2D splat (valid for
// the visible ones), its (tile, depth, index) instances sorted as the GPU's radix sorts
// leave them, and each tile's [begin, end) range of instances.
struct SplatTiles {
  int tile_size = 0, tiles_x = 0, tiles_y = 0;
  std::vector<shaderio::Splat2D> splats;
  std::vector<std::tuple<int, float, std::uint32_t>> instances;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t visible = 0;
};
SplatTiles bin_splats(const GaussianCloud& cloud, const Camera& camera);

// The splat's alpha at pixel centre (fx, fy) as the raster computes it, or 0 where the
// raster skips it (outside the ellipse, or below 1/255).
float splat_alpha(const shaderio::Splat2D& s, float fx, float fy);

// With `underlay_color`/`underlay_depth` (an opaque frame of the camera's size: RGB
// image, camera-z depth per pixel), splats behind its surface are hidden and its colour
// replaces the background.
Image render_gaussians_reference(const GaussianCloud& cloud, const Camera& camera,
                                 const std::array<float, 3>& background, SplatStats* stats = nullptr,
                                 const Image* underlay_color = nullptr, const std::vector<float>* underlay_depth = nullptr);

}  // namespace scenezip
