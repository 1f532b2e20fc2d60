#include "fuzz/fuzz_support.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

namespace scenezip::fuzz {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "scenezip fuzz: reader accepted an inconsistent scene: %s\n", what);
  std::abort();
}

void remove_scratch() {
  std::error_code ec;
  fs::remove_all(scratch_folder(), ec);
}

}  // namespace

const fs::path& scratch_folder() {
  static const fs::path folder = [] {
    std::error_code ec;
    fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path dir = base / ("scenezip-fuzz-" + std::to_string(getpid()));
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    std::atexit(remove_scratch);
    return dir;
  }();
  return folder;
}

void write_bytes(const fs::path& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "scenezip fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

namespace {

bool plain_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

}  // namespace

fs::path unpack_sections(const std::uint8_t* data, std::size_t size, const std::string& folder_name,
                         const std::string& main_file) {
  constexpr std::string_view kMarker = "\n--- ";
  const fs::path folder = scratch_folder() / folder_name;
  std::error_code ec;
  fs::remove_all(folder, ec);
  fs::create_directories(folder);

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t at = input.find(kMarker);
  write_bytes(folder / main_file, data, std::min(at, size));
  while (at != std::string_view::npos) {
    const std::size_t name_at = at + kMarker.size();
    const std::size_t name_end = input.find('\n', name_at);
    if (name_end == std::string_view::npos) break;
    const std::size_t next = input.find(kMarker, name_end + 1);
    const std::size_t end = std::min(next, size);
    const std::string_view name = input.substr(name_at, name_end - name_at);
    if (plain_name(name) && name != main_file) {
      write_bytes(folder / std::string(name), data + name_end + 1, end - (name_end + 1));
    }
    at = next;
  }
  return folder / main_file;
}

void check_scene(const Scene& scene) {
  if (const GaussianCloud* cloud = scene.gaussians()) {
    const std::size_t n = cloud->count;
    if (cloud->sh_degree < 0 || cloud->sh_degree > kMaxShDegree) fail("SH degree out of range");
    if (cloud->positions.size() != 3 * n || cloud->log_scales.size() != 3 * n || cloud->rotations.size() != 4 * n ||
        cloud->logit_opacities.size() != n || cloud->sh_dc.size() != 3 * n ||
        cloud->sh_rest.size() != static_cast<std::size_t>(cloud->sh_rest_stride()) * n) {
      fail("Gaussian arrays disagree with the count");
    }
    return;
  }
  if (const Mesh* mesh = scene.mesh()) {
    const std::size_t v = mesh->vertex_count();
    if (mesh->positions.size() % 3 != 0 || mesh->indices.size() % 3 != 0) fail("mesh arrays not whole triples");
    if (!mesh->normals.empty() && mesh->normals.size() != 3 * v) fail("normals disagree with the vertices");
    if (!mesh->texcoords.empty() && mesh->texcoords.size() != 2 * v) fail("texcoords disagree with the vertices");
    if (!mesh->colors.empty() && mesh->colors.size() != 3 * v) fail("colours disagree with the vertices");
    for (std::uint32_t index : mesh->indices) {
      if (index >= v) fail("index past the vertices");
    }
    for (const SubMesh& sub : mesh->submeshes) {
      if (std::uint64_t{sub.first_index} + sub.index_count > mesh->indices.size()) fail("sub-mesh past the indices");
      if (sub.material < -1 || sub.material >= static_cast<int>(mesh->materials.size())) fail("material index");
    }
    for (const Material& material : mesh->materials) {
      if (material.base_color_texture < -1 || material.base_color_texture >= static_cast<int>(mesh->textures.size())) {
        fail("texture index");
      }
    }
    for (const Texture& texture : mesh->textures) {
      if (!texture.rgba.empty() &&
          texture.rgba.size() != std::size_t{4} * static_cast<std::size_t>(texture.width) *
                                     static_cast<std::size_t>(texture.height)) {
        fail("texture pixels disagree with its size");
      }
    }
    return;
  }
  if (const PointCloud* points = scene.points()) {
    const std::size_t n = points->count();
    if (points->positions.size() % 3 != 0) fail("point positions not whole triples");
    if (!points->colors.empty() && points->colors.size() != 3 * n) fail("colours disagree with the points");
    if (!points->normals.empty() && points->normals.size() != 3 * n) fail("normals disagree with the points");
  }
}

}  // namespace scenezip::fuzz
