// What the `render` and `info` subcommands do with radiance-field `.scz` files (scene
// kind 4), which are not Scenes: loading, orbit cameras around the field's box, and
// the two commands' radiance-field paths.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "engine/field/nerf_codec.h"
#include "engine/render/camera.h"
#include "tools/render_support.h"

namespace scenezip::cli {

// load_radiance_field and field_orbit_camera are in tools/render_support.h, which the
// viewer shares.
struct FieldRenderRequest {
  std::string out, view = "0/1", camera;
  int width = 0, height = 0;
  std::optional<std::array<float, 3>> background;
};
Status render_radiance_field(const std::string& path, const field::DecodedNerf& field, const FieldRenderRequest& r);
Status print_radiance_field_info(const std::string& path, const field::DecodedNerf& field, bool json);

}  // namespace scenezip::cli
