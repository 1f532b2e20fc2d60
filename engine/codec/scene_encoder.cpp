#include "engine/codec/scene_encoder.h"

#include <algorithm>

namespace scenezip::codec {

static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(SceneKind::kGaussians), SceneSettings>,
                             GaussianCodecSettings> &&
              std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(SceneKind::kMesh), SceneSettings>,
                             MeshCodecSettings> &&
              std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(SceneKind::kPoints), SceneSettings>,
                             PointCodecSettings>,
              "SceneSettings follows SceneKind's order");

std::vector<std::string> preset_names(SceneKind kind) {
  switch (kind) {
    case SceneKind::kGaussians: return preset_names();
    case SceneKind::kMesh: return mesh_preset_names();
    case SceneKind::kPoints: return point_preset_names();
  }
  return {};
}

std::vector<std::string> all_preset_names() {
  std::vector<std::string> all;
  for (SceneKind kind : {SceneKind::kGaussians, SceneKind::kMesh, SceneKind::kPoints}) {
    for (std::string& name : preset_names(kind)) {
      if (std::find(all.begin(), all.end(), name) == all.end()) all.push_back(std::move(name));
    }
  }
  return all;
}

namespace {

// Wraps one kind's Result<Settings> into Result<SceneSettings>.
template <typename Settings>
Result<SceneSettings> widen(Result<Settings> settings) {
  if (!settings.ok()) return settings.status();
  return SceneSettings{std::move(settings).value()};
}

}  // namespace

Result<SceneSettings> preset_settings(SceneKind kind, const std::string& name) {
  switch (kind) {
    case SceneKind::kGaussians: return widen(preset_settings(name));
    case SceneKind::kMesh: return widen(mesh_preset_settings(name));
    case SceneKind::kPoints: return widen(point_preset_settings(name));
  }
  return internal_error("unknown scene kind");
}

nlohmann::ordered_json settings_json(const SceneSettings& settings) {
  return std::visit([](const auto& s) { return settings_json(s); }, settings);
}

Result<SceneSettings> settings_from_json(SceneKind kind, const nlohmann::json& json) {
  switch (kind) {
    case SceneKind::kGaussians: return widen(settings_from_json(json));
    case SceneKind::kMesh: return widen(mesh_settings_from_json(json));
    case SceneKind::kPoints: return widen(point_settings_from_json(json));
  }
  return internal_error("unknown scene kind");
}

void set_threads(SceneSettings& settings, int threads) {
  std::visit([threads](auto& s) { s.threads = threads; }, settings);
}

Result<Bytes> encode_scene(const Scene& scene, const SceneSettings& settings, SceneEncodeReport* report,
                           const StageCallback& stage, const EncoderAccelerators& accelerators) {
  if (settings_kind(settings) != scene.kind()) {
    return invalid_input(std::string("settings for ") + scene_kind_name(settings_kind(settings)) + " given for " +
                         scene_kind_name(scene.kind()));
  }
  if (const GaussianCloud* cloud = scene.gaussians()) {
    GaussianEncodeReport r;
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, encode_gaussians(*cloud, std::get<GaussianCodecSettings>(settings), &r, stage,
                                                       accelerators));
    if (report) *report = std::move(r);
    return bytes;
  }
  if (const Mesh* mesh = scene.mesh()) {
    MeshEncodeReport r;
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, encode_mesh(*mesh, std::get<MeshCodecSettings>(settings), &r, stage));
    if (report) *report = std::move(r);
    return bytes;
  }
  PointEncodeReport r;
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, encode_points(*scene.points(), std::get<PointCodecSettings>(settings), &r, stage));
  if (report) *report = std::move(r);
  return bytes;
}

std::size_t count_in(const SceneEncodeReport& report) {
  if (const auto* g = std::get_if<GaussianEncodeReport>(&report)) return g->prune.count_in;
  if (const auto* m = std::get_if<MeshEncodeReport>(&report)) return m->vertices;
  return std::get<PointEncodeReport>(report).count_in;
}

std::size_t count_out(const SceneEncodeReport& report) {
  if (const auto* g = std::get_if<GaussianEncodeReport>(&report)) return g->count_out;
  if (const auto* m = std::get_if<MeshEncodeReport>(&report)) return m->vertices;
  return std::get<PointEncodeReport>(report).count_out;
}

const std::vector<scz::WrittenStream>& written_streams(const SceneEncodeReport& report) {
  return std::visit([](const auto& r) -> const std::vector<scz::WrittenStream>& { return r.streams; }, report);
}

}  // namespace scenezip::codec
