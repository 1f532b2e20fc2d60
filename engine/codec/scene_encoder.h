// The codec's front door, beside formats/scz/decoder.h's decode_scene: a Scene of any
// kind and the settings of its kind in, the bytes of a `.scz` file out. Settings and
// reports are per kind (Gaussians, meshes, point clouds), held in variants whose order
// is SceneKind's, so `settings.index()` is the kind they are for.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/mesh_encoder.h"
#include "engine/codec/point_encoder.h"
#include "engine/scene/scene.h"

namespace scenezip::codec {

using SceneSettings = std::variant<GaussianCodecSettings, MeshCodecSettings, PointCodecSettings>;
using SceneEncodeReport = std::variant<GaussianEncodeReport, MeshEncodeReport, PointEncodeReport>;

inline SceneKind settings_kind(const SceneSettings& settings) { return static_cast<SceneKind>(settings.index()); }

// The presets of one kind, best quality first.
std::vector<std::string> preset_names(SceneKind kind);
// Every name some kind has, in that order: what `--preset` accepts before the scene's
// kind is known.
std::vector<std::string> all_preset_names();
Result<SceneSettings> preset_settings(SceneKind kind, const std::string& name);

// The settings as JSON (the kind's settings_json) and back; JSON for another kind's
// codec is invalid_input.
nlohmann::ordered_json settings_json(const SceneSettings& settings);
Result<SceneSettings> settings_from_json(SceneKind kind, const nlohmann::json& json);

// Threads for the encoder (0: all); never changes the output.
void set_threads(SceneSettings& settings, int threads);

// Encodes `scene` with the settings of its kind (other settings are invalid_input),
// through encode_gaussians, encode_mesh or encode_points, whose contracts hold.
// `report`, when given, receives the kind's report; `accelerators` serve the Gaussian
// encoder and are ignored for other kinds.
Result<Bytes> encode_scene(const Scene& scene, const SceneSettings& settings, SceneEncodeReport* report = nullptr,
                           const StageCallback& stage = {}, const EncoderAccelerators& accelerators = {});

// What every kind's report says alike: primitives in and out (Gaussians, vertices or
// points) and the streams written.
std::size_t count_in(const SceneEncodeReport& report);
std::size_t count_out(const SceneEncodeReport& report);
const std::vector<scz::WrittenStream>& written_streams(const SceneEncodeReport& report);

}  // namespace scenezip::codec
