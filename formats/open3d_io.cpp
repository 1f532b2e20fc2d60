// Writing meshes (OBJ, OFF, PLY) and point clouds (PLY, PCD, XYZ) through Open3D. The
// project reads every one of these formats itself (formats/obj.cpp and its siblings):
// Open3D's readers trust a file's counts and indices.
#include <open3d/geometry/PointCloud.h>
#include <open3d/geometry/TriangleMesh.h>
#include <open3d/io/PointCloudIO.h>
#include <open3d/io/TriangleMeshIO.h>
#include <open3d/utility/Logging.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <string_view>
#include <unordered_map>

#include "formats/file_io.h"
#include "formats/mesh_io.h"
#include "formats/ply.h"

namespace scenezip {

namespace {

namespace fs = std::filesystem;

// --- Open3D's log ----------------------------------------------------------------------

// Open3D prints warnings to stdout, which would corrupt `info --json`. Its messages are
// kept instead, per thread, and the last one explains a failure.
thread_local std::string last_open3d_message;

std::string strip_log_decoration(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {  // colour escape: ESC [ ... m
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    out.push_back(text[i]);
  }
  for (const char* prefix : {"[Open3D WARNING] ", "[Open3D INFO] ", "[Open3D DEBUG] ", "[Open3D Error] "}) {
    if (out.rfind(prefix, 0) == 0) out.erase(0, std::strlen(prefix));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void quiet_open3d() {
  static std::once_flag once;
  std::call_once(once, [] {
    open3d::utility::SetVerbosityLevel(open3d::utility::VerbosityLevel::Warning);
    open3d::utility::Logger::GetInstance().SetPrintFunction(
        [](const std::string& message) { last_open3d_message = strip_log_decoration(message); });
  });
}

// Runs an Open3D call that reports failure by returning false (with a logged warning)
// or by throwing (its LogError), and turns either into a Status.
Status call_open3d(const std::string& action, const std::function<bool()>& call) {
  quiet_open3d();
  last_open3d_message.clear();
  try {
    if (call()) return Status::Ok();
  } catch (const std::bad_alloc&) {
    return internal_error(action + ": out of memory");
  } catch (const std::exception& e) {
    return invalid_input(action + ": " + strip_log_decoration(e.what()));
  }
  return invalid_input(action + (last_open3d_message.empty() ? std::string(" failed") : ": " + last_open3d_message));
}

// --- conversions ----------------------------------------------------------------------

// The mesh model's texture origin is the image's top-left (glTF's); OBJ's is the
// bottom-left, so v flips on the way out.
float flip_v(double v) { return static_cast<float>(1.0 - v); }

Status check_mesh(const Mesh& mesh) {
  const std::size_t n = mesh.vertex_count();
  if (n == 0 || mesh.positions.size() != n * 3) return invalid_input("mesh has no vertices or a partial one");
  if ((!mesh.normals.empty() && mesh.normals.size() != n * 3) ||
      (!mesh.colors.empty() && mesh.colors.size() != n * 3) ||
      (!mesh.texcoords.empty() && mesh.texcoords.size() != n * 2)) {
    return invalid_input("mesh attributes do not match its vertex count");
  }
  if (mesh.indices.size() % 3 != 0) return invalid_input("mesh has a partial triangle");
  for (std::uint32_t i : mesh.indices) {
    if (i >= n) return invalid_input("mesh index " + std::to_string(i) + " is out of range");
  }
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return unsupported("mesh has too many vertices for Open3D");
  return Status::Ok();
}

open3d::geometry::TriangleMesh to_open3d(const Mesh& mesh) {
  open3d::geometry::TriangleMesh out;
  const std::size_t n = mesh.vertex_count();
  auto vec3 = [](const std::vector<float>& a, std::size_t i) {
    return Eigen::Vector3d(a[i * 3], a[i * 3 + 1], a[i * 3 + 2]);
  };
  out.vertices_.reserve(n);
  for (std::size_t v = 0; v < n; ++v) out.vertices_.push_back(vec3(mesh.positions, v));
  if (!mesh.normals.empty()) {
    for (std::size_t v = 0; v < n; ++v) out.vertex_normals_.push_back(vec3(mesh.normals, v));
  }
  if (!mesh.colors.empty()) {
    for (std::size_t v = 0; v < n; ++v) out.vertex_colors_.push_back(vec3(mesh.colors, v));
  }
  for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
    out.triangles_.emplace_back(mesh.indices[t * 3], mesh.indices[t * 3 + 1], mesh.indices[t * 3 + 2]);
  }
  if (!mesh.texcoords.empty()) {
    for (std::uint32_t i : mesh.indices)
      out.triangle_uvs_.emplace_back(mesh.texcoords[i * 2], flip_v(mesh.texcoords[i * 2 + 1]));
  }
  return out;
}

// Open3D names an OBJ's material file after the OBJ itself, so writing straight to the
// pending output (whose name is a number) would leave a material file named after it.
// The OBJ is written under its final name in a private folder instead; the material
// file moves into place and the OBJ's bytes go to the pending output.
Status write_obj(const open3d::geometry::TriangleMesh& mesh, const std::string& final_path, const std::string& tmp) {
  if (!mesh.HasTriangleUvs()) {
    return call_open3d("writing OBJ", [&] {
      return open3d::io::WriteTriangleMeshToOBJ(tmp, mesh, true, false, true, true, false, false);
    });
  }
  const fs::path target(final_path);
  const fs::path folder = target.parent_path() / ("." + target.filename().string() + ".tmp-" +
                                                  std::to_string(std::random_device()() % 1000000000u) + ".d");
  std::error_code ec;
  fs::create_directory(folder, ec);
  if (ec) return io_error("cannot create a temporary folder: " + ec.message());
  const fs::path staged = folder / target.filename();
  Status status = call_open3d("writing OBJ", [&] {
    return open3d::io::WriteTriangleMeshToOBJ(staged.string(), mesh, true, false, true, true, true, false);
  });
  if (status.ok()) {
    Result<Bytes> obj = read_file(staged.string());
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!obj.ok() || !out.write(reinterpret_cast<const char*>(obj->data()), static_cast<std::streamsize>(obj->size())) ||
        !out.flush()) {
      status = io_error("write failed (disk full?)");
    }
  }
  if (status.ok()) {
    const std::string mtl = target.stem().string() + ".mtl";
    fs::rename(folder / mtl, target.parent_path() / mtl, ec);
    if (ec) status = io_error("cannot move the material file into place: " + ec.message());
  }
  fs::remove_all(folder, ec);
  return status;
}

}  // namespace

Status write_mesh_open3d(const Mesh& mesh, const std::string& path) {
  SCZ_RETURN_IF_ERROR(check_mesh(mesh));
  const std::string ext = file_extension(path);
  if (ext != ".ply" && ext != ".obj" && ext != ".off") {
    return unsupported("cannot write a mesh as '" + ext + "' (writable: .obj .off .ply)");
  }
  const open3d::geometry::TriangleMesh converted = to_open3d(mesh);
  return write_via_temporary(path, [&](const std::string& tmp) -> Status {
    if (ext == ".obj") return write_obj(converted, path, tmp);
    // PLY is written binary; neither PLY nor OFF carries Open3D's texture coordinates.
    if (ext == ".ply") {
      return call_open3d("writing PLY", [&] {
        return open3d::io::WriteTriangleMeshToPLY(tmp, converted, false, false, true, true, false, false);
      });
    }
    return call_open3d("writing OFF", [&] {
      return open3d::io::WriteTriangleMeshToOFF(tmp, converted, true, false, true, true, false, false);
    });
  });
}

Status write_points_open3d(const PointCloud& points, const std::string& path) {
  const std::size_t n = points.count();
  if (n == 0 || points.positions.size() != n * 3) return invalid_input("point cloud has no points or a partial one");
  if ((!points.colors.empty() && points.colors.size() != n * 3) ||
      (!points.normals.empty() && points.normals.size() != n * 3)) {
    return invalid_input("point attributes do not match the point count");
  }
  const std::string ext = file_extension(path);
  using Writer =
      bool (*)(const std::string&, const open3d::geometry::PointCloud&, const open3d::io::WritePointCloudOption&);
  Writer writer = ext == ".ply"   ? open3d::io::WritePointCloudToPLY
                  : ext == ".pcd" ? open3d::io::WritePointCloudToPCD
                  : ext == ".xyz" ? open3d::io::WritePointCloudToXYZ
                                  : nullptr;
  if (!writer) return unsupported("cannot write points as '" + ext + "' (writable: .ply .pcd .xyz)");
  open3d::geometry::PointCloud cloud;
  auto vec3 = [](const std::vector<float>& a, std::size_t i) {
    return Eigen::Vector3d(a[i * 3], a[i * 3 + 1], a[i * 3 + 2]);
  };
  cloud.points_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) cloud.points_.push_back(vec3(points.positions, i));
  if (!points.colors.empty()) {
    for (std::size_t i = 0; i < n; ++i) cloud.colors_.push_back(vec3(points.colors, i));
  }
  if (!points.normals.empty()) {
    for (std::size_t i = 0; i < n; ++i) cloud.normals_.push_back(vec3(points.normals, i));
  }
  const open3d::io::WritePointCloudOption binary(false, false);
  return write_via_temporary(path, [&](const std::string& tmp) -> Status {
    return call_open3d("writing points", [&] { return writer(tmp, cloud, binary); });
  });
}

}  // namespace scenezip
