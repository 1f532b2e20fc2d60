#include "formats/mesh_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "formats/formats.h"
#include "formats/gltf_files.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

using test::load_mesh;
using test::max_abs_difference;

namespace fs = std::filesystem;
using test::expect_rejected;
using test::write_bytes;
using test::write_text;

constexpr const char* kHelmet = "meshes/DamagedHelmet/DamagedHelmet.gltf";

TEST(MeshIo, GltfBytesIncludeReferencedBuffersAndImages) {
  test::ScratchDir dir;
  write_bytes(dir.file("mesh data.bin"), "0123456789", 10);
  write_bytes(dir.file("albedo.png"), "abcdefg", 7);
  const std::string json =
      R"({"asset":{"version":"2.0"},"buffers":[{"uri":"mesh%20data.bin","byteLength":10},)"
      R"({"uri":"data:application/octet-stream;base64,AAAA","byteLength":3}],)"
      R"("images":[{"uri":"albedo.png"},{"uri":"./albedo.png"},{"uri":"missing.png"}]})";
  write_text(dir.file("scene.gltf"), json);
  auto files = gltf_referenced_files(dir.file("scene.gltf"));
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(files->size(), 3u);  // the data: URI is inside the JSON; albedo.png counts once
  EXPECT_EQ(scene_bytes_on_disk(dir.file("scene.gltf")), json.size() + 10 + 7);
}

TEST(MeshIo, DamagedHelmetBytesAreItsJsonBufferAndImages) {
  SCZ_REQUIRE_DATA(kHelmet);
  // DamagedHelmet.gltf (4,537 bytes) references DamagedHelmet.bin and five JPEGs, the
  // folder's other files.
  std::uint64_t folder = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(test::data_path(kHelmet)).parent_path())) {
    folder += entry.file_size();
  }
  EXPECT_EQ(scene_bytes_on_disk(test::data_path(kHelmet)), folder);
  EXPECT_GT(folder, 3000000u);
  auto info = test::run_scenezip("info --json " + test::data_path(kHelmet));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["bytes"].get<std::uint64_t>(), folder);
}

TEST(MeshIo, ReadsDamagedHelmet) {
  SCZ_REQUIRE_DATA(kHelmet);
  FileFormat format = FileFormat::kUnknown;
  auto scene = load_scene(test::data_path(kHelmet), &format);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(format, FileFormat::kGltf);
  const Mesh& mesh = *scene->mesh();
  EXPECT_EQ(mesh.vertex_count(), 14556u);
  EXPECT_EQ(mesh.triangle_count(), 15452u);
  EXPECT_EQ(mesh.normals.size(), mesh.positions.size());
  EXPECT_EQ(mesh.texcoords.size(), mesh.vertex_count() * 2);
  ASSERT_EQ(mesh.submeshes.size(), 1u);
  EXPECT_EQ(mesh.submeshes[0].index_count, 15452u * 3);
  ASSERT_EQ(mesh.materials.size(), 1u);
  // Of its five images only the albedo is a base colour; the others (normal, emissive,
  // occlusion, metal-roughness) have no place in the mesh model.
  ASSERT_EQ(mesh.textures.size(), 1u);
  EXPECT_EQ(mesh.materials[0].base_color_texture, 0);
  const Texture& albedo = mesh.textures[0];
  EXPECT_EQ(albedo.encoded_mime, "image/jpeg");
  EXPECT_EQ(albedo.encoded.size(), 935629u);  // the JPG's own bytes, untouched
  EXPECT_EQ(albedo.width, 2048);
  EXPECT_EQ(albedo.height, 2048);
  EXPECT_EQ(albedo.rgba.size(), 2048u * 2048 * 4);
  // The node's quaternion turns the model a quarter turn about x: world y is the
  // accessor's -z and world z its y (the accessor's bounds, from the file).
  float max_y = -1e9f, min_z = 1e9f;
  for (std::size_t v = 0; v < mesh.vertex_count(); ++v) {
    max_y = std::max(max_y, mesh.positions[v * 3 + 1]);
    min_z = std::min(min_z, mesh.positions[v * 3 + 2]);
  }
  EXPECT_NEAR(max_y, 0.9009949564933777, 1e-5);
  EXPECT_NEAR(min_z, -1.18715500831604, 1e-5);
}

TEST(MeshIo, HelmetRoundTripsThroughGlb) {
  SCZ_REQUIRE_DATA(kHelmet);
  test::ScratchDir dir;
  const Mesh original = load_mesh(test::data_path(kHelmet));
  const std::string glb = dir.file("helmet.glb");
  ASSERT_TRUE(save_scene(Scene{original}, glb).ok());
  FileFormat format = FileFormat::kUnknown;
  auto again = load_scene(glb, &format);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(format, FileFormat::kGltf);
  const Mesh& mesh = *again->mesh();
  EXPECT_EQ(mesh.vertex_count(), original.vertex_count());
  EXPECT_EQ(mesh.triangle_count(), original.triangle_count());
  EXPECT_EQ(mesh.materials.size(), original.materials.size());
  ASSERT_EQ(mesh.textures.size(), original.textures.size());
  EXPECT_EQ(mesh.textures[0].encoded, original.textures[0].encoded);
  EXPECT_EQ(mesh.textures[0].encoded_mime, "image/jpeg");
  EXPECT_EQ(mesh.indices, original.indices);
  EXPECT_EQ(max_abs_difference(mesh.positions, original.positions), 0.0f);
  EXPECT_LT(max_abs_difference(mesh.normals, original.normals), 1e-6f);
  EXPECT_EQ(max_abs_difference(mesh.texcoords, original.texcoords), 0.0f);
  // Only the output is left: no temporary file beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), {}), 1);
}

struct CountCase {
  const char* file;
  std::size_t vertices;
  std::size_t triangles;
};

TEST(MeshIo, CountsMatchTheFiles) {
  // Vertex counts are the files' own: OBJ vertices are kept as written, not split per
  // corner and merged again.
  SCZ_REQUIRE_DATA("meshes");
  const CountCase cases[] = {
      {"meshes/bunny.obj", 2503, 4968},       {"meshes/armadillo.obj", 49990, 99976},
      {"meshes/bunny00.off", 37706, 75408},   {"meshes/ChineseDragon-10kv.off", 10000, 19994},
      {"meshes/bunny_40k.ply", 20076, 40000}, {"meshes/xyzrgb_dragon_50k.ply", 25002, 50000},
  };
  for (const CountCase& c : cases) {
    if (!fs::exists(test::data_path(c.file))) {
      ADD_FAILURE() << "missing test data " << c.file;
      continue;
    }
    FileFormat format = FileFormat::kUnknown;
    auto scene = load_scene(test::data_path(c.file), &format);
    ASSERT_TRUE(scene.ok()) << c.file << ": " << scene.status().message();
    EXPECT_EQ(format, FileFormat::kMeshFile) << c.file;
    ASSERT_NE(scene->mesh(), nullptr) << c.file;
    EXPECT_EQ(scene->mesh()->vertex_count(), c.vertices) << c.file;
    EXPECT_EQ(scene->mesh()->triangle_count(), c.triangles) << c.file;
  }
}

TEST(MeshIo, ObjToPlyToObjKeepsGeometry) {
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  test::ScratchDir dir;
  const Mesh original = load_mesh(test::data_path("meshes/bunny.obj"));
  const std::string ply = dir.file("bunny.ply");
  ASSERT_TRUE(save_scene(Scene{original}, ply).ok());
  FileFormat format = FileFormat::kUnknown;
  auto scene = load_scene(ply, &format);
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  EXPECT_EQ(format, FileFormat::kMeshFile);
  const Mesh& mesh = *scene->mesh();
  EXPECT_EQ(mesh.vertex_count(), 2503u);
  EXPECT_EQ(mesh.indices, original.indices);
  EXPECT_EQ(max_abs_difference(mesh.positions, original.positions), 0.0f);  // PLY holds doubles

  const std::string obj = dir.file("bunny-again.obj");
  ASSERT_TRUE(save_scene(Scene{mesh}, obj).ok());
  const Mesh back = load_mesh(obj);
  EXPECT_EQ(back.vertex_count(), 2503u);
  EXPECT_EQ(back.indices, original.indices);
  EXPECT_LT(max_abs_difference(back.positions, original.positions), 1e-5f);  // OBJ text keeps 6 digits
}

// Two triangles sharing an edge, with normals, colours and texture coordinates.
Mesh quad() {
  Mesh mesh;
  mesh.positions = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0};
  mesh.normals = {0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1};
  mesh.colors = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
  mesh.texcoords = {0, 0, 1, 0, 1, 1, 0, 1};
  mesh.indices = {0, 1, 2, 0, 2, 3};
  return mesh;
}

TEST(MeshIo, ObjWithTextureCoordinatesWritesItsOwnMaterialFile) {
  test::ScratchDir dir;
  const std::string obj = dir.file("quad.obj");
  ASSERT_TRUE(write_mesh_open3d(quad(), obj).ok());
  // Exactly the OBJ and the material file it names, under the final name.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), {}), 2);
  EXPECT_TRUE(fs::exists(dir.file("quad.mtl")));
  auto read = read_mesh_file(obj);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->vertex_count(), 4u);
  EXPECT_EQ(read->indices, quad().indices);
  EXPECT_EQ(max_abs_difference(read->texcoords, quad().texcoords), 0.0f);
  EXPECT_EQ(max_abs_difference(read->colors, quad().colors), 0.0f);
  EXPECT_EQ(max_abs_difference(read->normals, quad().normals), 0.0f);
}

TEST(MeshIo, ObjUvSeamSplitsVertices) {
  test::ScratchDir dir;
  const std::string obj = dir.file("seam.obj");
  // Vertex 1 and 3 are shared by both triangles but carry different UVs in each.
  write_text(obj,
             "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"
             "vt 0 0\nvt 0.5 0\nvt 0.5 1\nvt 1 0\nvt 1 1\nvt 0.6 1\n"
             "f 1/1 2/2 3/3\nf 1/4 3/5 4/6\n");
  auto mesh = read_mesh_file(obj);
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  EXPECT_EQ(mesh->triangle_count(), 2u);
  EXPECT_EQ(mesh->vertex_count(), 6u);  // vertices 0 and 2 each split once
  for (std::size_t c = 0; c < 6; ++c) {
    const std::uint32_t v = mesh->indices[c];
    EXPECT_EQ(mesh->texcoords[v * 2], std::vector<float>({0, 0.5f, 0.5f, 1, 1, 0.6f})[c]) << "corner " << c;
    // OBJ's v runs up from the image's bottom, the mesh model's (glTF's) down from its top.
    EXPECT_EQ(mesh->texcoords[v * 2 + 1], std::vector<float>({1, 1, 0, 1, 0, 0})[c]) << "corner " << c;
  }
}

TEST(MeshIo, OffAndPlyRoundTrips) {
  test::ScratchDir dir;
  for (const char* name : {"quad.off", "quad.ply"}) {
    const std::string path = dir.file(name);
    ASSERT_TRUE(write_mesh_open3d(quad(), path).ok()) << name;
    auto mesh = read_mesh_file(path);
    ASSERT_TRUE(mesh.ok()) << name << ": " << mesh.status().message();
    EXPECT_EQ(mesh->vertex_count(), 4u) << name;
    EXPECT_EQ(mesh->indices, quad().indices) << name;
    EXPECT_LT(max_abs_difference(mesh->colors, quad().colors), 1.0f / 255) << name;
  }
}

TEST(MeshIo, GlbKeepsSubmeshesMaterialsAndRawPixels) {
  test::ScratchDir dir;
  Mesh mesh = quad();
  Texture texture;
  texture.width = 2;
  texture.height = 2;
  texture.rgba = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 40};
  texture.name = "checker";
  mesh.textures.push_back(texture);
  mesh.materials.resize(2);
  mesh.materials[0].name = "red";
  mesh.materials[0].base_color[0] = 0.5f;
  mesh.materials[1].base_color_texture = 0;
  mesh.submeshes = {{0, 3, 0}, {3, 3, 1}};
  const std::string glb = dir.file("quad.glb");
  ASSERT_TRUE(write_glb(mesh, glb).ok());
  auto read = read_gltf(glb);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->vertex_count(), 8u);  // one vertex array per primitive on the way back
  ASSERT_EQ(read->submeshes.size(), 2u);
  EXPECT_EQ(read->submeshes[0].material, 0);
  EXPECT_EQ(read->submeshes[1].material, 1);
  EXPECT_EQ(read->materials[0].name, "red");
  EXPECT_EQ(read->materials[0].base_color[0], 0.5f);
  ASSERT_EQ(read->textures.size(), 1u);
  EXPECT_EQ(read->textures[0].encoded_mime, "image/png");  // encoded losslessly on write
  EXPECT_EQ(read->textures[0].rgba, texture.rgba);
  EXPECT_EQ(read->colors.size(), 8u * 3);
}

// A glTF with its buffer beside it: node hierarchy with transforms, a mirrored node,
// byte indices, an unindexed primitive and a triangle strip.
TEST(MeshIo, GltfNodeHierarchyAndIndexTypes) {
  test::ScratchDir dir;
  std::vector<std::uint8_t> bin(36 + 4);
  const float positions[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  std::memcpy(bin.data(), positions, 36);
  bin[36] = 0, bin[37] = 1, bin[38] = 2;  // 3 unsigned-byte indices, padded to 4
  write_bytes(dir.file("tri.bin"), bin.data(), bin.size());
  write_text(dir.file("tri.gltf"), R"({
    "asset": {"version": "2.0"},
    "buffers": [{"uri": "tri.bin", "byteLength": 40}],
    "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36}, {"buffer": 0, "byteOffset": 36, "byteLength": 3}],
    "accessors": [
      {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "min": [0,0,0], "max": [1,1,0]},
      {"bufferView": 1, "componentType": 5121, "count": 3, "type": "SCALAR"}],
    "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1},
                               {"attributes": {"POSITION": 0}},
                               {"attributes": {"POSITION": 0}, "mode": 5},
                               {"attributes": {"POSITION": 0}, "mode": 1}]}],
    "nodes": [{"children": [1, 2], "scale": [2, 2, 2]},
              {"mesh": 0, "translation": [10, 0, 0]},
              {"mesh": 0, "scale": [-1, 1, 1]}],
    "scenes": [{"nodes": [0]}], "scene": 0})");
  auto mesh = read_gltf(dir.file("tri.gltf"));
  ASSERT_TRUE(mesh.ok()) << mesh.status().message();
  // Two instances of three triangle primitives (the line primitive is skipped).
  EXPECT_EQ(mesh->submeshes.size(), 6u);
  EXPECT_EQ(mesh->triangle_count(), 6u);
  EXPECT_EQ(mesh->vertex_count(), 18u);
  // First instance: parent scale 2 after child translation 10 -> x = 2 * (x + 10).
  EXPECT_EQ(mesh->positions[0], 20.0f);
  EXPECT_EQ(mesh->positions[3], 22.0f);
  // The mirrored instance keeps facing the same way: its winding is flipped.
  const std::uint32_t* t = &mesh->indices[9];
  auto p = [&](std::uint32_t v, int k) { return mesh->positions[v * 3 + k]; };
  const float nz =
      (p(t[1], 0) - p(t[0], 0)) * (p(t[2], 1) - p(t[0], 1)) - (p(t[1], 1) - p(t[0], 1)) * (p(t[2], 0) - p(t[0], 0));
  EXPECT_GT(nz, 0.0f);
}

TEST(MeshIo, InfoJsonStaysCleanOnMeshes) {
  SCZ_REQUIRE_DATA("meshes/bunny.obj");
  auto r = test::run_scenezip("info --json " + test::data_path("meshes/bunny.obj"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);  // throws if Open3D printed anything
  EXPECT_EQ(j["kind"], "mesh");
  EXPECT_EQ(j["vertices"], 2503);
  EXPECT_EQ(j["triangles"], 4968);
}

TEST(MeshIo, TruncatedGlbIsRejected) {
  test::ScratchDir dir;
  const std::string glb = dir.file("quad.glb");
  ASSERT_TRUE(write_glb(quad(), glb).ok());
  auto bytes = read_file(glb);
  ASSERT_TRUE(bytes.ok());
  for (std::size_t keep : {std::size_t{10}, bytes->size() / 2, bytes->size() - 4}) {
    const std::string cut = dir.file("cut-" + std::to_string(keep) + ".glb");
    write_bytes(cut, bytes->data(), keep);
    expect_rejected(cut);
  }
}

TEST(MeshIo, GltfAccessorPastItsBufferIsRejected) {
  test::ScratchDir dir;
  std::vector<std::uint8_t> bin(36, 0);
  write_bytes(dir.file("tri.bin"), bin.data(), bin.size());
  write_text(dir.file("tri.gltf"), R"({"asset": {"version": "2.0"},
    "buffers": [{"uri": "tri.bin", "byteLength": 36}],
    "bufferViews": [{"buffer": 0, "byteLength": 36}],
    "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3000000, "type": "VEC3"}],
    "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
    "nodes": [{"mesh": 0}], "scenes": [{"nodes": [0]}]})");
  expect_rejected(dir.file("tri.gltf"), "more than its buffer view");
}

// Indices and offsets that tinygltf parses but does not check against what they point at.
TEST(MeshIo, GltfReferencesOutOfRangeAreRejected) {
  test::ScratchDir dir;
  std::vector<std::uint8_t> bin(40, 0);
  const float positions[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  std::memcpy(bin.data(), positions, 36);
  bin[36] = 0, bin[37] = 1, bin[38] = 7;  // the last index names a vertex that does not exist
  write_bytes(dir.file("tri.bin"), bin.data(), bin.size());
  auto gltf = [](const std::string& extra, const std::string& nodes, const std::string& primitive) {
    return R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "tri.bin", "byteLength": 40}],
      "bufferViews": [{"buffer": 0, "byteLength": 36}, {"buffer": 0, "byteOffset": 36, "byteLength": 3},
                      {"buffer": 0, "byteOffset": 100000, "byteLength": 16}],
      "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"},
                    {"bufferView": 1, "componentType": 5121, "count": 3, "type": "SCALAR"},
                    {"bufferView": 0, "byteOffset": 4000000000, "componentType": 5126, "count": 1, "type": "VEC3"}],
      "meshes": [{"primitives": [)" +
           primitive + R"(]}], "nodes": )" + nodes + R"(, "scenes": [{"nodes": [0]}])" + extra + "}";
  };
  const std::string plain = R"({"attributes": {"POSITION": 0}})";
  const std::string one_node = R"([{"mesh": 0}])";
  const struct {
    const char* name;
    std::string text;
    const char* words;
  } cases[] = {
      {"bad-index.gltf", gltf("", one_node, R"({"attributes": {"POSITION": 0}, "indices": 1})"), "out of range"},
      {"bad-offset.gltf", gltf("", one_node, R"({"attributes": {"POSITION": 2}})"), "more than its buffer view"},
      {"cycle.gltf", gltf("", R"([{"children": [1]}, {"children": [0], "mesh": 0}])", plain), "appears twice"},
      {"bad-node.gltf", gltf("", R"([{"children": [5]}])", plain), "node 5"},
      {"bad-mesh.gltf", gltf("", R"([{"mesh": 3}])", plain), "mesh 3"},
      {"bad-image-view.gltf",
       gltf(R"(, "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
               "textures": [{"source": 0}], "images": [{"bufferView": 2, "mimeType": "image/png"}])",
            one_node, R"({"attributes": {"POSITION": 0}, "material": 0})"),
       "past the end of its buffer"},
      {"bad-texture.gltf",
       gltf(R"(, "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 4}}}])", one_node, plain),
       "does not exist"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    write_text(dir.file(c.name), c.text);
    expect_rejected(dir.file(c.name), c.words);
  }
}

TEST(MeshIo, MissingTextureOrBufferIsRejected) {
  SCZ_REQUIRE_DATA(kHelmet);
  test::ScratchDir dir;
  const fs::path source = fs::path(test::data_path(kHelmet)).parent_path();
  fs::copy_file(source / "DamagedHelmet.gltf", dir.path() / "DamagedHelmet.gltf");
  expect_rejected(dir.file("DamagedHelmet.gltf"), "DamagedHelmet.bin");
  fs::copy_file(source / "DamagedHelmet.bin", dir.path() / "DamagedHelmet.bin");
  expect_rejected(dir.file("DamagedHelmet.gltf"), "Default_albedo.jpg");
}

TEST(MeshIo, MalformedMeshFilesAreRejected) {
  test::ScratchDir dir;
  struct Case {
    const char* name;
    std::string text;
    const char* words;
  };
  std::string garbage(4096, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
  const Case cases[] = {
      {"garbage.obj", garbage, ""},
      {"garbage.off", garbage, "not an OFF file"},
      {"garbage.ply", garbage, ""},
      {"empty.obj", "", "empty"},
      {"no-vertices.obj", "# nothing here\n", "no vertices"},
      {"cut-before-faces.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n", "no faces"},
      {"index-out-of-range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n", "vertex 9"},
      {"zero-index.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", "bad face index"},
      {"normal-out-of-range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//1 2//2 3//1\n", "normal 2"},
      {"nan.ply",
       "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
       "element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\nnan 0 0\n0 1 0\n3 0 1 2\n",
       "non-finite"},
      {"huge.off", "OFF\n4000000000 1 0\n0 0 0\n", "more than the file can hold"},
      {"truncated.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n", "truncated"},
      {"bad-corner.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n4 0 1 2 7\n", "out-of-range"},
      {"two-corners.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n", "3 or more"},
      {"bad-corner.ply",
       "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
       "element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n4 0 1 2 1000000\n",
       "out of range"},
      {"truncated.ply",
       "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
       "element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n",
       "truncated"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    write_text(dir.file(c.name), c.text);
    expect_rejected(dir.file(c.name), c.words);
  }
  // The binary form of a face that points past the vertices.
  std::string binary =
      "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
      "element face 1\nproperty list uchar int vertex_indices\nend_header\n";
  binary.append(36, '\0');
  const std::uint8_t corners = 4;
  const std::int32_t indices[4] = {0, 1, 2, -7};
  binary.append(reinterpret_cast<const char*>(&corners), 1);
  binary.append(reinterpret_cast<const char*>(indices), sizeof(indices));
  write_text(dir.file("binary-bad-corner.ply"), binary);
  expect_rejected(dir.file("binary-bad-corner.ply"), "out of range");
}

TEST(MeshIo, CliFailureIsOneLine) {
  test::ScratchDir dir;
  const std::string path = dir.file("truncated.ply");
  write_text(path,
             "ply\nformat binary_little_endian 1.0\nelement vertex 300\nproperty float x\nproperty float y\n"
             "property float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n");
  auto r = test::run_scenezip("info --json " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(MeshIo, WritersLeaveNothingOnFailure) {
  test::ScratchDir dir;
  Mesh broken = quad();
  broken.indices.push_back(99);
  broken.indices.push_back(0);
  broken.indices.push_back(1);
  for (const char* name : {"a.glb", "a.obj", "a.ply", "a.off"}) {
    EXPECT_FALSE(save_scene(Scene{broken}, dir.file(name)).ok()) << name;
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace scenezip
