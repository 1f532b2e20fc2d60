// Neural radiance fields on the hash-grid field, plain C++: the scene box, ray marching
// through the occupancy grid, front-to-back compositing and its gradient, and a whole
// renderer. These are the references the Vulkan kernels (shaders/nerf_*.comp,
// engine/gpu/nerf_trainer) are tested against; the rules are stated in
// shaders/shaderio.h's nerf section.
//
// Everything is marched in the unit cube the hash grid covers: a world point p maps to
// (p - box_min) / box_size, ray directions keep their world orientation (unit length),
// so distances and densities are in units of the box's side.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/field/field_model.h"
#include "engine/render/camera.h"
#include "engine/render/image.h"

namespace scenezip::field {

// How a radiance field is marched (stored with it: a renderer needs the same rules).
struct NerfSettings {
  // World box: centre, side. Instant-NGP's convention: side 3 * aabb_scale around the
  // origin of the dataset's world (its 0.33 scale: NeRF-synthetic fits in [-1.5, 1.5]^3).
  std::array<float, 3> box_centre{0, 0, 0};
  float box_size = 3.0f;
  int grid_resolution = 128;     // occupancy cells per axis
  // A cell is occupied where its density gives an optical thickness of 0.01 over the
  // smallest step (Instant-NGP's threshold, 0.01 * 1024 / sqrt(3)).
  float density_threshold = 0.01f * 1024 / 1.7320508f;
  float min_step = 1.7320508f / 1024;  // unit-cube units
  float max_step = 1.7320508f / 1024;
  float cone = 0.0f;             // step = clamp(t * cone, min_step, max_step)
  int max_samples = 1024;        // per ray
  std::array<float, 3> background{1, 1, 1};

  Status validate() const;
};

// Settings for a dataset's aabb_scale (1 for NeRF-synthetic): Instant-NGP's steps (1024
// across the unit cube's diagonal at scale 1, growing with distance past it).
NerfSettings nerf_settings_for_scale(float aabb_scale);
// The field of a radiance field: 16 levels up to 2048 * aabb_scale cells, 2^19 entries
// of 2 features, SH degree 3 directions, 2 hidden layers of 64, 4 raw outputs.
FieldConfig nerf_field_config(float aabb_scale);

std::string nerf_settings_json(const NerfSettings& settings);
Result<NerfSettings> parse_nerf_settings(const std::string& json_text);

// sigma and colour from the field's raw outputs.
inline float nerf_density(float raw) { return std::exp(std::min(raw, 15.0f)); }
inline float nerf_colour(float raw) { return 1.0f / (1.0f + std::exp(-raw)); }

// A camera as the kernels take it: camera-to-unit-cube rows (rotation, w: origin), then
// fx fy cx cy.
std::array<float, 16> nerf_camera_rows(const Camera& camera, const NerfSettings& settings);
// Ray of pixel (x, y) centre in the unit cube.
void nerf_pixel_ray(const std::array<float, 16>& rows, float px, float py, float origin[3], float direction[3]);

// Where a ray is inside the unit cube: false when it misses.
bool nerf_ray_box(const float origin[3], const float direction[3], float* t_near, float* t_far);

// Samples along a ray through the occupied cells, starting `jitter` (in [0, 1)) of a
// step past the entry: each sample's unit-cube position and its step length.
struct RaySamples {
  std::vector<float> positions;  // 3 per sample
  std::vector<float> steps;
  std::size_t count() const { return steps.size(); }
};
RaySamples nerf_march(const NerfSettings& settings, const std::vector<float>& grid, const float origin[3],
                      const float direction[3], float jitter);

// Front-to-back compositing of `count` samples (raw outputs kNerfOutputs each) over the
// background, stopping after the sample that brings transmittance under 1e-4.
struct Composite {
  float rgb[3] = {0, 0, 0};
  float transmittance = 1;
  std::size_t used = 0;  // samples composited
};
Composite nerf_composite(const float* raw, const float* steps, std::size_t count, const float background[3]);
// Squared error of the composite against `target` (summed over r g b) and, scaled by
// `scale`, its gradient with respect to each raw output (`d_raw`, kNerfOutputs per
// sample; samples past `used` get zeros).
float nerf_composite_backward(const float* raw, const float* steps, std::size_t count, const float background[3],
                              const float target[3], float scale, float* d_raw);

// Training's twins (nerf_composite.comp): the background ray `ray` of step `step`
// composites over, a random colour continuing nerf_march's hash chain (h3, h4, h5 after
// h0, h1, h2); and the target, a premultiplied RGBA8 pixel (r in the low byte, as
// gpu::NerfImages holds it) over that background, as the GPU unpacks it.
std::array<float, 3> nerf_training_background(std::uint32_t seed, std::uint32_t step, std::uint32_t max_rays,
                                              std::uint32_t ray);
std::array<float, 3> nerf_training_target(std::uint32_t pixel, const float background[3]);
// The threshold the training march uses after a grid update (nerf_grid_mean.comp):
// min(density_threshold, the grid's mean).
float nerf_march_threshold(const std::vector<float>& grid, float density_threshold);

// Occupancy grid of a trained field: every cell's density at its centre (the file keeps
// only which cells pass the threshold; see nerf_grid_from_bits).
std::vector<float> nerf_grid_from_bits(const std::vector<std::uint8_t>& bits, int resolution,
                                       const NerfSettings& settings);

// The renderer's reference: every pixel's ray marched without jitter, the field
// evaluated per sample, composited with early termination.
Image render_nerf_reference(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                            const Camera& camera);

// Twin of nerf_contribution.comp: marches every pixel of `camera` as the renderer does and
// adds to `contribution` (one value per table entry) each composited sample's weight
// (transmittance x alpha) times each of its cell corners' trilinear weights, at every
// level. As the trilinear weights of a cell sum to 1, a camera adds levels x (1 -
// transmittance left) per pixel in all.
void nerf_contribution_reference(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                                 const Camera& camera, std::vector<double>* contribution);

}  // namespace scenezip::field
