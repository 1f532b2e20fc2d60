#include "formats/formats.h"

#include <filesystem>

#include "formats/scz/decoder.h"
#include "formats/compressed_ply.h"
#include "formats/file_io.h"
#include "formats/gltf_files.h"
#include "formats/inria_ply.h"
#include "formats/mesh_io.h"
#include "formats/ply.h"
#include "formats/sog.h"
#include "formats/splat.h"
#include "formats/spz.h"

namespace scenezip {

namespace fs = std::filesystem;

const char* format_name(FileFormat format) {
  switch (format) {
    case FileFormat::kInriaPly: return "inria-ply";
    case FileFormat::kCompressedPly: return "compressed-ply";
    case FileFormat::kSplat: return "splat";
    case FileFormat::kSpz: return "spz";
    case FileFormat::kSog: return "sog";
    case FileFormat::kGltf: return "gltf";
    case FileFormat::kMeshFile: return "mesh-file";
    case FileFormat::kPointFile: return "point-file";
    case FileFormat::kScz: return "scz";
    case FileFormat::kUnknown: break;
  }
  return "unknown";
}

namespace {

bool is_one_of(const std::string& ext, std::initializer_list<const char*> list) {
  for (const char* e : list) {
    if (ext == e) return true;
  }
  return false;
}

Scene wrap(GaussianCloud cloud) { return Scene{std::move(cloud)}; }

Result<Scene> load_ply(const std::string& path, FileFormat* format) {
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  std::size_t data_offset = 0;
  SCZ_ASSIGN_OR_RETURN(ply::File header, ply::parse_header(bytes, &data_offset));
  if (is_compressed_ply(header) || is_inria_gaussian_ply(header)) {
    const bool compressed = is_compressed_ply(header);
    *format = compressed ? FileFormat::kCompressedPly : FileFormat::kInriaPly;
    SCZ_ASSIGN_OR_RETURN(ply::File file, ply::parse(bytes));
    bytes = Bytes();  // the rows hold their own copy; free the file before decoding
    SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, compressed ? decode_compressed_ply(file) : decode_inria_ply(file));
    return wrap(std::move(cloud));
  }
  const ply::Element* face = header.find("face");
  if (face && face->count > 0) {
    *format = FileFormat::kMeshFile;
    SCZ_ASSIGN_OR_RETURN(Mesh mesh, read_mesh_open3d(path));
    return Scene{std::move(mesh)};
  }
  if (!header.find("vertex")) return invalid_input("PLY has neither Gaussians, faces nor vertices");
  *format = FileFormat::kPointFile;
  SCZ_ASSIGN_OR_RETURN(PointCloud points, read_points_open3d(path));
  return Scene{std::move(points)};
}

Result<Scene> load_any(const std::string& path, FileFormat* format) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return io_error("no such file");
  const std::string ext = file_extension(path);
  const bool sog_folder = fs::is_directory(path, ec) && fs::exists(fs::path(path) / "meta.json", ec);
  if (ext == ".sog" || sog_folder || fs::path(path).filename() == "meta.json") {
    *format = FileFormat::kSog;
    SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, read_sog(sog_folder ? (fs::path(path) / "meta.json").string() : path));
    return wrap(std::move(cloud));
  }
  if (fs::is_directory(path, ec)) return invalid_input("is a directory, expected a scene file");
  if (ext == ".ply" || ext == ".compressed.ply") return load_ply(path, format);
  if (ext == ".splat") {
    *format = FileFormat::kSplat;
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
    SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, decode_splat(bytes));
    return wrap(std::move(cloud));
  }
  if (ext == ".spz") {
    *format = FileFormat::kSpz;
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
    SCZ_ASSIGN_OR_RETURN(GaussianCloud cloud, decode_spz(bytes));
    return wrap(std::move(cloud));
  }
  if (ext == ".scz") {
    *format = FileFormat::kScz;
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
    return scz::decode_scz(bytes);  // any scene kind
  }
  if (ext == ".gltf" || ext == ".glb") {
    *format = FileFormat::kGltf;
    SCZ_ASSIGN_OR_RETURN(Mesh mesh, read_gltf(path));
    return Scene{std::move(mesh)};
  }
  if (is_one_of(ext, {".obj", ".off"})) {
    *format = FileFormat::kMeshFile;
    SCZ_ASSIGN_OR_RETURN(Mesh mesh, read_mesh_open3d(path));
    return Scene{std::move(mesh)};
  }
  if (is_one_of(ext, {".pcd", ".xyz", ".xyzn", ".xyzrgb", ".pts"})) {
    *format = FileFormat::kPointFile;
    SCZ_ASSIGN_OR_RETURN(PointCloud points, read_points_open3d(path));
    return Scene{std::move(points)};
  }
  if (ext == ".las" || ext == ".laz") {
    return unsupported("LAS/LAZ point clouds are not supported (no LAZ decoder among the project's dependencies)");
  }
  return unsupported("unknown file type '" + ext + "' (expected .scz .ply .splat .spz .sog .gltf .glb .obj .off .pcd .xyz)");
}

Status save_gaussians(const GaussianCloud& cloud, const std::string& path, const std::string& ext) {
  if (ext == ".ply") return write_file_atomic(path, encode_inria_ply(cloud));
  if (ext == ".compressed.ply") {
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, encode_compressed_ply(cloud));
    return write_file_atomic(path, bytes);
  }
  if (ext == ".splat") return write_file_atomic(path, encode_splat(cloud));
  if (ext == ".spz") {
    SCZ_ASSIGN_OR_RETURN(Bytes bytes, encode_spz(cloud));
    return write_file_atomic(path, bytes);
  }
  return unsupported("cannot write Gaussians as '" + ext + "' (writable: .ply .compressed.ply .splat .spz)");
}

Status save_any(const Scene& scene, const std::string& path) {
  const std::string ext = file_extension(path);
  if (ext == ".scz") return unsupported("write .scz files with 'scenezip compress', which picks the codec settings");
  if (const GaussianCloud* cloud = scene.gaussians()) return save_gaussians(*cloud, path, ext);
  if (const Mesh* mesh = scene.mesh()) {
    if (ext == ".glb" || ext == ".gltf") return write_glb(*mesh, path);
    if (is_one_of(ext, {".obj", ".ply", ".off"})) return write_mesh_open3d(*mesh, path);
    return unsupported("cannot write a mesh as '" + ext + "' (writable: .glb .obj .ply .off)");
  }
  if (is_one_of(ext, {".ply", ".pcd", ".xyz"})) return write_points_open3d(*scene.points(), path);
  return unsupported("cannot write points as '" + ext + "' (writable: .ply .pcd .xyz)");
}

}  // namespace

Result<Scene> load_scene(const std::string& path, FileFormat* format) {
  FileFormat detected = FileFormat::kUnknown;
  Result<Scene> scene = load_any(path, &detected);
  if (format) *format = detected;
  if (!scene.ok()) return scene.status().with_context(path);
  return scene;
}

std::uint64_t scene_bytes_on_disk(const std::string& path) {
  std::error_code ec;
  const fs::path dir = fs::is_directory(path, ec)                 ? fs::path(path)
                       : fs::path(path).filename() == "meta.json" ? fs::path(path).parent_path()
                                                                  : fs::path();
  if (dir.empty()) {
    // A .gltf is its JSON and the buffers and images it references.
    if (file_extension(path) == ".gltf") {
      auto total = gltf_bytes_on_disk(path);
      if (total.ok()) return *total;
    }
    auto size = file_size(path);
    return size.ok() ? *size : 0;
  }
  std::uint64_t total = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

Status save_scene(const Scene& scene, const std::string& path) { return save_any(scene, path).with_context(path); }

}  // namespace scenezip
