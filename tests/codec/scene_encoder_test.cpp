// codec::encode_scene, the front door beside scz::decode_scene: it hands each kind to
// its encoder unchanged, refuses another kind's settings, and the presets and JSON of
// every kind go through one interface.
#include <gtest/gtest.h>

#include "engine/codec/scene_encoder.h"
#include "formats/scz/decoder.h"
#include "tests/codec/synthetic_cloud.h"
#include "tests/codec/synthetic_geometry.h"

namespace scenezip {
namespace {

std::vector<Scene> one_scene_of_each_kind() {
  std::vector<Scene> scenes;
  scenes.push_back(Scene{test::synthetic_cloud(600, 1, 5)});
  scenes.push_back(Scene{test::synthetic_mesh(12, 8)});
  scenes.push_back(Scene{test::synthetic_points(800, 6)});
  return scenes;
}

TEST(SceneEncoder, EachKindGetsItsOwnEncodersBytes) {
  for (const Scene& scene : one_scene_of_each_kind()) {
    const char* kind = scene_kind_name(scene.kind());
    auto settings = codec::preset_settings(scene.kind(), "small");
    ASSERT_TRUE(settings.ok()) << kind << ": " << settings.status().message();
    codec::set_threads(*settings, 1);
    codec::SceneEncodeReport report;
    auto bytes = codec::encode_scene(scene, *settings, &report);
    ASSERT_TRUE(bytes.ok()) << kind << ": " << bytes.status().message();
    EXPECT_EQ(report.index(), static_cast<std::size_t>(scene.kind())) << kind;

    Result<Bytes> direct = Bytes();
    if (scene.gaussians()) {
      direct = codec::encode_gaussians(*scene.gaussians(), std::get<codec::GaussianCodecSettings>(*settings));
    } else if (scene.mesh()) {
      direct = codec::encode_mesh(*scene.mesh(), std::get<codec::MeshCodecSettings>(*settings));
    } else {
      direct = codec::encode_points(*scene.points(), std::get<codec::PointCodecSettings>(*settings));
    }
    ASSERT_TRUE(direct.ok()) << kind;
    EXPECT_EQ(*bytes, *direct) << kind;

    std::string stored;
    auto decoded = scz::decode_scz(*bytes, &stored);
    ASSERT_TRUE(decoded.ok()) << kind << ": " << decoded.status().message();
    EXPECT_EQ(decoded->kind(), scene.kind());
    EXPECT_EQ(decoded->primitive_count(), codec::count_out(report)) << kind;
    EXPECT_EQ(scene.primitive_count(), codec::count_in(report)) << kind;
    EXPECT_EQ(nlohmann::json::parse(stored), nlohmann::json(codec::settings_json(*settings))) << kind;
    EXPECT_FALSE(codec::written_streams(report).empty()) << kind;
  }
}

TEST(SceneEncoder, RefusesAnotherKindsSettings) {
  const std::vector<Scene> scenes = one_scene_of_each_kind();
  for (const Scene& scene : scenes) {
    for (SceneKind other : {SceneKind::kGaussians, SceneKind::kMesh, SceneKind::kPoints}) {
      if (other == scene.kind()) continue;
      auto encoded = codec::encode_scene(scene, *codec::preset_settings(other, "balanced"));
      ASSERT_FALSE(encoded.ok());
      EXPECT_EQ(encoded.status().code(), ErrorCode::kInvalidInput);
      EXPECT_NE(encoded.status().message().find(scene_kind_name(other)), std::string::npos)
          << encoded.status().message();
    }
  }
}

TEST(SceneEncoder, PresetsAndJsonPerKind) {
  for (SceneKind kind : {SceneKind::kGaussians, SceneKind::kMesh, SceneKind::kPoints}) {
    const std::vector<std::string> names = codec::preset_names(kind);
    ASSERT_FALSE(names.empty());
    for (const std::string& name : names) {
      auto s = codec::preset_settings(kind, name);
      ASSERT_TRUE(s.ok()) << name;
      EXPECT_EQ(codec::settings_kind(*s), kind);
      const nlohmann::ordered_json json = codec::settings_json(*s);
      EXPECT_EQ(json["preset"], name);
      auto back = codec::settings_from_json(kind, json);
      ASSERT_TRUE(back.ok()) << back.status().message();
      EXPECT_EQ(codec::settings_json(*back), json);
      // Another kind's codec refuses these settings.
      const SceneKind other = kind == SceneKind::kMesh ? SceneKind::kPoints : SceneKind::kMesh;
      EXPECT_FALSE(codec::settings_from_json(other, json).ok()) << scene_kind_name(kind);
    }
    auto unknown = codec::preset_settings(kind, "tiny");
    ASSERT_FALSE(unknown.ok());
    // The error lists this kind's presets, from the same list.
    for (const std::string& name : names) {
      EXPECT_NE(unknown.status().message().find(name), std::string::npos) << unknown.status().message();
    }
    for (const std::string& name : names) {
      const auto all = codec::all_preset_names();
      EXPECT_NE(std::find(all.begin(), all.end(), name), all.end()) << name;
    }
  }
}

}  // namespace
}  // namespace scenezip
