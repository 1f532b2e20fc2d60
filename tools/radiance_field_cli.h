// What the `render` and `info` subcommands do with radiance-field `.scz` files (scene
// kind 4), which are not Scenes: loading, orbit cameras around the field's box, and
// the two commands' radiance-field paths.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "engine/field/nerf_codec.h"
#include "engine/render/camera.h"

namespace scenezip::cli {

// The field a file holds, or nullopt when the file is not a radiance-field `.scz`.
Result<std::optional<field::DecodedNerf>> load_radiance_field(const std::string& path);

// Camera `index` of `count` on a ring around the box centre in the world's x-y plane,
// 30 degrees above it, +z up (the Blender axes of NeRF datasets), at 1.35 box sides.
Camera field_orbit_camera(const field::NerfSettings& settings, int index, int count, int width, int height);

struct FieldRenderRequest {
  std::string out, view = "0/1", camera;
  int width = 0, height = 0;
  std::optional<std::array<float, 3>> background;
};
Status render_radiance_field(const std::string& path, const field::DecodedNerf& field, const FieldRenderRequest& r);
Status print_radiance_field_info(const std::string& path, const field::DecodedNerf& field, bool json);

}  // namespace scenezip::cli
