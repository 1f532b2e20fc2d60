// Writes the seed corpus of every fuzz target: small cuts (a few dozen Gaussians,
// triangles or points) of the real scenes in $SCENEZIP_DATA, written in each format the
// target reads, plus the `.scz` golden files and assets of the source tree. A fuzzer
// starts best from small valid files that reach every branch of a reader's happy path,
// and the real scenes are far too large to mutate quickly. Nothing here is committed:
// scripts/fuzz.sh runs this at build time.
//
//   make_fuzz_seeds DATA_FOLDER SOURCE_FOLDER OUT_FOLDER
//
// OUT_FOLDER/<target>/ receives the seeds of each target named in fuzz/CMakeLists.txt.
#include <webp/encode.h>
#include <zip.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/gaussian_settings.h"
#include "engine/codec/geometry_settings.h"
#include "engine/codec/mesh_encoder.h"
#include "engine/codec/point_encoder.h"
#include "formats/file_io.h"
#include "formats/formats.h"
#include "formats/photo_set.h"
#include "engine/render/image.h"
#include "formats/scz/bytes.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/ranged_streams.h"
#include "formats/spz.h"

namespace scenezip {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path g_out;
int g_written = 0;

void put(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = g_out / target;
  fs::create_directories(dir);
  Status status = write_file_atomic((dir / name).string(), bytes);
  if (!status.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", status.message().c_str());
    std::exit(1);
  }
  ++g_written;
}

void put_text(const std::string& target, const std::string& name, const std::string& text) {
  put(target, name, Bytes(text.begin(), text.end()));
}

// Writes `scene` through the project's own writer, then files the bytes as a seed.
void put_scene(const std::string& target, const std::string& name, const Scene& scene) {
  const fs::path scratch = g_out / ".scratch" / name;
  fs::create_directories(scratch.parent_path());
  Status status = save_scene(scene, scratch.string());
  if (!status.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: skipping %s/%s: %s\n", target.c_str(), name.c_str(),
                 status.message().c_str());
    return;
  }
  auto bytes = read_file(scratch.string());
  if (bytes.ok()) put(target, name, *bytes);
}

void put_encoded(const std::string& name, const Result<Bytes>& bytes) {
  if (!bytes.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: skipping %s: %s\n", name.c_str(), bytes.status().message().c_str());
    return;
  }
  put("scz", name, *bytes);
  put("scz_streams", name, *bytes);
}

using scz::load_u32;
using scz::load_u64;
using scz::store_u32;

std::string number(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.7g", v);
  return text;
}

// --- cuts of real scenes ----------------------------------------------------------------

GaussianCloud first_gaussians(const GaussianCloud& cloud, std::size_t n, int degree) {
  n = std::min(n, cloud.count);
  GaussianCloud out;
  out.resize(n, cloud.sh_degree);
  for (std::size_t i = 0; i < n; ++i) out.copy_from(cloud, i, i);
  out.set_sh_degree(std::min(degree, cloud.sh_degree));
  return out;
}

Mesh first_triangles(const Mesh& mesh, std::size_t triangles) {
  triangles = std::min(triangles, mesh.triangle_count());
  Mesh out;
  std::map<std::uint32_t, std::uint32_t> renumbered;
  for (std::size_t t = 0; t < 3 * triangles; ++t) {
    const std::uint32_t old = mesh.indices[t];
    auto [it, added] = renumbered.emplace(old, static_cast<std::uint32_t>(renumbered.size()));
    if (added) {
      auto copy = [&](const std::vector<float>& from, std::vector<float>& to, int width) {
        if (!from.empty()) to.insert(to.end(), from.begin() + width * old, from.begin() + width * (old + 1));
      };
      copy(mesh.positions, out.positions, 3);
      copy(mesh.normals, out.normals, 3);
      copy(mesh.texcoords, out.texcoords, 2);
      copy(mesh.colors, out.colors, 3);
    }
    out.indices.push_back(it->second);
  }
  return out;
}

// A 4x4 checker texture and a material using it, so texture paths get seeds too.
void add_texture(Mesh& mesh) {
  Texture texture;
  texture.width = texture.height = 4;
  texture.name = "checker";
  for (int i = 0; i < 16; ++i) {
    const std::uint8_t v = ((i ^ (i >> 2)) & 1) ? 230 : 40;
    texture.rgba.insert(texture.rgba.end(), {v, static_cast<std::uint8_t>(255 - v), 128, 255});
  }
  mesh.textures.push_back(texture);
  Material material;
  material.name = "checker";
  material.base_color_texture = 0;
  mesh.materials.push_back(material);
  mesh.submeshes.push_back({0, static_cast<std::uint32_t>(mesh.indices.size()), 0});
}

PointCloud first_points(const PointCloud& points, std::size_t n) {
  n = std::min(n, points.count());
  PointCloud out;
  auto copy = [&](const std::vector<float>& from, std::vector<float>& to) {
    if (!from.empty()) to.assign(from.begin(), from.begin() + 3 * n);
  };
  copy(points.positions, out.positions);
  copy(points.colors, out.colors);
  copy(points.normals, out.normals);
  return out;
}

// --- formats the project does not write ---------------------------------------------------

std::string inria_ply_ascii(const GaussianCloud& cloud) {
  std::string text = "ply\nformat ascii 1.0\nelement vertex " + std::to_string(cloud.count) + "\n";
  std::vector<std::string> names = {"x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2"};
  for (int k = 0; k < cloud.sh_rest_stride(); ++k) names.push_back("f_rest_" + std::to_string(k));
  for (const char* name : {"opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"}) {
    names.push_back(name);
  }
  for (const std::string& name : names) text += "property float " + name + "\n";
  text += "end_header\n";
  for (std::size_t i = 0; i < cloud.count; ++i) {
    std::vector<float> row(&cloud.positions[3 * i], &cloud.positions[3 * i + 3]);
    row.insert(row.end(), &cloud.sh_dc[3 * i], &cloud.sh_dc[3 * i + 3]);
    const std::size_t rest = cloud.sh_rest_stride();
    row.insert(row.end(), cloud.sh_rest.begin() + rest * i, cloud.sh_rest.begin() + rest * (i + 1));
    row.push_back(cloud.logit_opacities[i]);
    row.insert(row.end(), &cloud.log_scales[3 * i], &cloud.log_scales[3 * i + 3]);
    row.insert(row.end(), &cloud.rotations[4 * i], &cloud.rotations[4 * i + 4]);
    for (std::size_t k = 0; k < row.size(); ++k) text += (k ? " " : "") + number(row[k]);
    text += "\n";
  }
  return text;
}

Bytes gzip(const Bytes& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Versions 2 and 3 from a version 4 file: the same attribute blocks, unpacked from their
// zstd streams behind a 16-byte header (version 2 keeps three bytes per rotation).
void put_legacy_spz(const std::string& stem, const Bytes& v4) {
  if (v4.size() < 32) return;
  const std::uint32_t count = load_u32(v4.data() + 8);
  const int streams = v4[15];
  const std::uint32_t toc = load_u32(v4.data() + 16);
  std::vector<Bytes> blocks;
  std::size_t at = toc + 16 * static_cast<std::size_t>(streams);
  for (int i = 0; i < streams; ++i) {
    const std::uint8_t* entry = v4.data() + toc + 16 * i;
    const std::size_t compressed = load_u64(entry), plain = load_u64(entry + 8);
    Bytes block(plain);
    if (ZSTD_decompress(block.data(), plain, v4.data() + at, compressed) != plain) return;
    blocks.push_back(std::move(block));
    at += compressed;
  }
  for (std::uint32_t version : {2u, 3u}) {
    Bytes raw(16, 0);
    std::copy_n(v4.begin(), 16, raw.begin());
    store_u32(&raw[4], version);
    raw[15] = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      if (b == 4 && version == 2) {  // rotations: x y z bytes, w implied
        for (std::uint32_t i = 0; i < count; ++i) raw.insert(raw.end(), &blocks[b][4 * i], &blocks[b][4 * i + 3]);
      } else {
        raw.insert(raw.end(), blocks[b].begin(), blocks[b].end());
      }
    }
    put("spz", stem + "-v" + std::to_string(version) + ".spz", gzip(raw));
    if (version == 3) put("spz", stem + "-v3-plain.spz", raw);
  }
}

Bytes webp_lossless(const std::vector<std::uint8_t>& rgba, int width, int height) {
  WebPConfig config;
  WebPConfigInit(&config);
  config.lossless = 1;
  config.exact = 1;  // SOG keeps data under transparent pixels
  WebPPicture picture;
  WebPPictureInit(&picture);
  picture.use_argb = 1;
  picture.width = width;
  picture.height = height;
  WebPPictureImportRGBA(&picture, rgba.data(), width * 4);
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  WebPEncode(&config, &picture);
  Bytes out(writer.mem, writer.mem + writer.size);
  WebPMemoryWriterClear(&writer);
  WebPPictureFree(&picture);
  return out;
}

json ramp(float lo, float hi) {
  json values = json::array();
  for (int b = 0; b < 256; ++b) values.push_back(lo + (hi - lo) * (b / 255.0));
  return values;
}

std::uint8_t to_byte(double t) { return static_cast<std::uint8_t>(std::clamp(std::lround(t * 255.0), 0L, 255L)); }

// SOG version 2 of `cloud`, one Gaussian per pixel of an 8-wide image. Codebooks are
// plain ramps: seeds need a valid layout, not a faithful quantization.
std::map<std::string, Bytes> sog_files(const GaussianCloud& cloud) {
  const int n = static_cast<int>(cloud.count), width = 8, height = (n + 7) / 8;
  const std::size_t pixels = static_cast<std::size_t>(width) * height;
  std::map<std::string, std::vector<std::uint8_t>> images;
  for (const char* name : {"means_l", "means_u", "quats", "scales", "sh0", "shN_labels"}) {
    images[name].assign(4 * pixels, 255);
  }
  auto log_transform = [](float x) { return std::copysign(std::log1p(std::fabs(x)), x); };
  std::array<double, 3> mins{1e9, 1e9, 1e9}, maxs{-1e9, -1e9, -1e9};
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      mins[k] = std::min<double>(mins[k], log_transform(cloud.positions[3 * i + k]));
      maxs[k] = std::max<double>(maxs[k], log_transform(cloud.positions[3 * i + k]) + 1e-6);
    }
  }
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      const double t = (log_transform(cloud.positions[3 * i + k]) - mins[k]) / (maxs[k] - mins[k]);
      const auto q = static_cast<unsigned>(std::clamp(std::lround(t * 65535.0), 0L, 65535L));
      images["means_l"][4 * i + k] = q & 0xff;
      images["means_u"][4 * i + k] = q >> 8;
      images["scales"][4 * i + k] = to_byte((cloud.log_scales[3 * i + k] + 10.0) / 10.0);
      images["sh0"][4 * i + k] = to_byte((cloud.sh_dc[3 * i + k] + 3.0) / 6.0);
      images["quats"][4 * i + k] = to_byte(0.5 + 0.35 * cloud.rotations[4 * i + 1 + k]);
    }
    images["sh0"][4 * i + 3] = to_byte(1.0 / (1.0 + std::exp(-cloud.logit_opacities[i])));
    images["quats"][4 * i + 3] = 252;
    images["shN_labels"][4 * i + 0] = i & 0xff;
    images["shN_labels"][4 * i + 1] = (i >> 8) & 0xff;
  }
  std::map<std::string, Bytes> files;
  for (const auto& [name, rgba] : images) files[name + ".webp"] = webp_lossless(rgba, width, height);
  json meta;
  meta["version"] = 2;
  meta["count"] = n;
  meta["means"] = {{"mins", mins}, {"maxs", maxs}, {"files", {"means_l.webp", "means_u.webp"}}};
  meta["quats"] = {{"files", {"quats.webp"}}};
  meta["scales"] = {{"codebook", ramp(-10.0f, 0.0f)}, {"files", {"scales.webp"}}};
  meta["sh0"] = {{"codebook", ramp(-3.0f, 3.0f)}, {"files", {"sh0.webp"}}};
  if (cloud.sh_degree > 0) {
    const int coeffs = sh_coeffs_per_channel(cloud.sh_degree) - 1;
    const int rows = (n + 63) / 64;
    std::vector<std::uint8_t> centroids(4 * 64 * coeffs * rows, 255);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < coeffs; ++j) {
        const std::size_t px = (i / 64) * 64 * coeffs + (i % 64) * coeffs + j;
        for (int c = 0; c < 3; ++c) {
          centroids[4 * px + c] = to_byte(0.5 + 0.5 * cloud.sh_rest[cloud.sh_rest_stride() * i + c * coeffs + j]);
        }
      }
    }
    files["shN_centroids.webp"] = webp_lossless(centroids, 64 * coeffs, rows);
    meta["shN"] = {{"count", n},
                   {"bands", cloud.sh_degree},
                   {"codebook", ramp(-1.0f, 1.0f)},
                   {"files", {"shN_centroids.webp", "shN_labels.webp"}}};
  } else {
    files.erase("shN_labels.webp");
  }
  const std::string text = meta.dump();
  files["meta.json"] = Bytes(text.begin(), text.end());
  return files;
}

void put_sog(const std::string& stem, const GaussianCloud& cloud) {
  const std::map<std::string, Bytes> files = sog_files(cloud);
  // The folder target's layout: meta.json, then "\n--- NAME\n" and each image.
  Bytes folder = files.at("meta.json");
  for (const auto& [name, bytes] : files) {
    if (name == "meta.json") continue;
    const std::string marker = "\n--- " + name + "\n";
    folder.insert(folder.end(), marker.begin(), marker.end());
    folder.insert(folder.end(), bytes.begin(), bytes.end());
  }
  put("sog_folder", stem + ".sogdir", folder);

  const fs::path zip_path = g_out / ".scratch" / (stem + ".sog");
  fs::create_directories(zip_path.parent_path());
  fs::remove(zip_path);
  int error = 0;
  zip_t* archive = zip_open(zip_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!archive) return;
  for (const auto& [name, bytes] : files) {
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
    // Images are stored, as SOG writers do, so mutations reach the WebP decoder.
    if (index >= 0 && name != "meta.json") zip_set_file_compression(archive, index, ZIP_CM_STORE, 0);
  }
  if (zip_close(archive) != 0) return;
  auto bytes = read_file(zip_path.string());
  if (bytes.ok()) put("sog_zip", stem + ".sog", *bytes);
}

std::string base64(const std::uint8_t* data, std::size_t size) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t v = data[i] << 16 | (i + 1 < size ? data[i + 1] << 8 : 0) | (i + 2 < size ? data[i + 2] : 0);
    out += digits[v >> 18 & 63];
    out += digits[v >> 12 & 63];
    out += i + 1 < size ? digits[v >> 6 & 63] : '=';
    out += i + 2 < size ? digits[v & 63] : '=';
  }
  return out;
}

// A `.gltf` (JSON with the buffer as a data URI) from a GLB: its JSON chunk with the
// binary chunk moved into buffers[0].uri.
void put_gltf_from_glb(const std::string& stem, const Bytes& glb) {
  if (glb.size() < 20) return;
  const std::uint32_t json_bytes = load_u32(glb.data() + 12);
  if (20 + std::size_t{json_bytes} + 8 > glb.size()) return;
  json document = json::parse(glb.begin() + 20, glb.begin() + 20 + json_bytes, nullptr, false);
  if (document.is_discarded() || !document.contains("buffers")) return;
  const std::size_t bin_at = 20 + json_bytes;
  const std::uint32_t bin_bytes = load_u32(glb.data() + bin_at);
  if (bin_at + 8 + std::size_t{bin_bytes} > glb.size()) return;
  document["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64(glb.data() + bin_at + 8, bin_bytes);
  put_text("gltf", stem + ".gltf", document.dump(1));
}

std::string pcd_header(std::size_t n, const char* data) {
  return "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS x y z rgb\nSIZE 4 4 4 4\nTYPE F F F F\n"
         "COUNT 1 1 1 1\nWIDTH " + std::to_string(n) + "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " +
         std::to_string(n) + "\nDATA " + data + "\n";
}

float packed_rgb(const PointCloud& points, std::size_t i) {
  std::uint32_t rgb = 0;
  for (int c = 0; c < 3; ++c) {
    const float v = points.colors.empty() ? 0.5f : points.colors[3 * i + c];
    rgb = rgb << 8 | to_byte(v);
  }
  float f;
  std::memcpy(&f, &rgb, 4);
  return f;
}

// PCD in ASCII and binary_compressed (fields one after the other, LZF-packed; written
// as literal runs only, which every LZF decoder reads).
void put_pcd(const std::string& stem, const PointCloud& points) {
  const std::size_t n = points.count();
  std::string ascii = pcd_header(n, "ascii");
  for (std::size_t i = 0; i < n; ++i) {
    ascii += number(points.positions[3 * i]) + " " + number(points.positions[3 * i + 1]) + " " +
             number(points.positions[3 * i + 2]) + " " + number(packed_rgb(points, i)) + "\n";
  }
  put_text("points_pcd", stem + "-ascii.pcd", ascii);

  Bytes planes;
  auto append_float = [&](float v) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    planes.insert(planes.end(), b, b + 4);
  };
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = 0; i < n; ++i) append_float(points.positions[3 * i + k]);
  }
  for (std::size_t i = 0; i < n; ++i) append_float(packed_rgb(points, i));
  Bytes lzf;
  for (std::size_t at = 0; at < planes.size(); at += 32) {
    const std::size_t run = std::min<std::size_t>(32, planes.size() - at);
    lzf.push_back(static_cast<std::uint8_t>(run - 1));
    lzf.insert(lzf.end(), planes.begin() + at, planes.begin() + at + run);
  }
  const std::string header = pcd_header(n, "binary_compressed");
  Bytes file(header.begin(), header.end());
  Bytes sizes(8);
  store_u32(&sizes[0], static_cast<std::uint32_t>(lzf.size()));
  store_u32(&sizes[4], static_cast<std::uint32_t>(planes.size()));
  file.insert(file.end(), sizes.begin(), sizes.end());
  file.insert(file.end(), lzf.begin(), lzf.end());
  put("points_pcd", stem + "-binary-compressed.pcd", file);
}

// The plain-text point lists: XYZN and XYZRGB (six numbers a line) and Leica PTS (a
// count line, then x y z intensity r g b with 0-255 colours; a second seed without
// intensity and colours).
void put_point_text(const std::string& stem, const PointCloud& points) {
  const std::size_t n = points.count();
  auto position = [&](std::size_t i) {
    return number(points.positions[3 * i]) + " " + number(points.positions[3 * i + 1]) + " " +
           number(points.positions[3 * i + 2]);
  };
  auto triple = [&](const std::vector<float>& values, std::size_t i, float scale) {
    if (values.empty()) return std::string("0.5 0.5 0.5");
    return number(values[3 * i] * scale) + " " + number(values[3 * i + 1] * scale) + " " +
           number(values[3 * i + 2] * scale);
  };
  std::string xyzn, xyzrgb, pts = std::to_string(n) + "\n", pts_plain = pts;
  for (std::size_t i = 0; i < n; ++i) {
    xyzn += position(i) + " " + (points.normals.empty() ? "0 0 1" : triple(points.normals, i, 1.0f)) + "\n";
    xyzrgb += position(i) + " " + triple(points.colors, i, 1.0f) + "\n";
    std::string rgb = "128 128 128";
    if (!points.colors.empty()) {
      rgb = std::to_string(to_byte(points.colors[3 * i])) + " " + std::to_string(to_byte(points.colors[3 * i + 1])) +
            " " + std::to_string(to_byte(points.colors[3 * i + 2]));
    }
    pts += position(i) + " " + std::to_string(static_cast<int>(i % 2048) - 1024) + " " + rgb + "\n";
    pts_plain += position(i) + "\n";
  }
  put_text("points_xyzn", stem + ".xyzn", xyzn);
  put_text("points_xyzrgb", stem + ".xyzrgb", xyzrgb);
  put_text("points_pts", stem + ".pts", pts);
  put_text("points_pts", stem + "-xyz-only.pts", pts_plain);
}

// --- per kind -------------------------------------------------------------------------------

// Direct inputs of scz_streams' range-coded mode ("RC", see that fuzzer): the Morton
// codes of the Gaussians' positions, and indices made from their quantized colours.
void put_ranged_seeds(const std::string& stem, const GaussianCloud& cloud) {
  const int bits = 10;
  const Bounds b = compute_bounds(cloud.positions);
  const auto sorted = scz::sorted_morton_codes(cloud.positions, b.min, b.max, bits);
  const auto head = [&](std::uint8_t mode, std::uint8_t config, const std::vector<int>& codes) {
    Bytes out = {'R', 'C', mode, config, static_cast<std::uint8_t>(sorted.size()),
                 static_cast<std::uint8_t>(sorted.size() >> 8)};
    for (int k = 0; k < 4; ++k) {
      const int c = k < static_cast<int>(codes.size()) ? codes[k] - 1 : 0;
      out.push_back(static_cast<std::uint8_t>(c));
      out.push_back(static_cast<std::uint8_t>(c >> 8));
    }
    return out;
  };
  Bytes positions = head(0, bits - 1, {});
  const Bytes coded = scz::encode_ranged_positions(sorted, bits);
  positions.insert(positions.end(), coded.begin(), coded.end());
  put("scz_streams", stem + "-ranged-positions.rc", positions);

  scz::AttributeLayout layout;
  layout.slices = {{1, 16}, {1, 300}, {1, 2}};
  std::vector<std::uint32_t> indices;
  for (const auto& [code, i] : sorted) {
    const float* dc = &cloud.sh_dc[3 * i];
    const auto level = [](float v, int codes) {
      return static_cast<std::uint32_t>(std::clamp(static_cast<int>((v + 2.0f) / 4.0f * codes), 0, codes - 1));
    };
    indices.push_back(level(dc[0], 16));
    indices.push_back(level(dc[1], 300));
    indices.push_back(level(dc[2], 2));
  }
  Bytes coded_indices = head(1, 2, {16, 300, 2});
  const Bytes more = scz::encode_ranged_indices(layout, indices, sorted.size());
  coded_indices.insert(coded_indices.end(), more.begin(), more.end());
  put("scz_streams", stem + "-ranged-indices.rc", coded_indices);
}

void gaussian_seeds(const std::string& stem, const GaussianCloud& cloud) {
  for (int degree : {0, 1, 3}) {
    if (degree > cloud.sh_degree) continue;
    const std::string name = stem + "-sh" + std::to_string(degree);
    const GaussianCloud cut = first_gaussians(cloud, 24, degree);
    put_scene("inria_ply", name + ".ply", Scene{cut});
    put_text("inria_ply", name + "-ascii.ply", inria_ply_ascii(first_gaussians(cloud, 6, degree)));
    put_scene("compressed_ply", name + ".compressed.ply", Scene{cut});
    put_scene("splat", name + ".splat", Scene{cut});
    auto spz = encode_spz(cut);
    if (spz.ok()) {
      put("spz", name + "-v4.spz", *spz);
      put_legacy_spz(name, *spz);
    }
    put_sog(name, first_gaussians(cloud, 16, degree));
  }
  // More than one 256-Gaussian chunk of compressed PLY.
  put_scene("compressed_ply", stem + "-chunks.compressed.ply", Scene{first_gaussians(cloud, 300, 0)});
  auto settings = codec::preset_settings("small");
  if (settings.ok()) {
    settings->threads = 1;
    put_encoded(stem + ".scz", codec::encode_gaussians(first_gaussians(cloud, 64, cloud.sh_degree), *settings));
    settings->entropy_coder = "zstd";  // the byte planes of version 1
    put_encoded(stem + "-planes.scz", codec::encode_gaussians(first_gaussians(cloud, 64, cloud.sh_degree), *settings));
  }
  put_ranged_seeds(stem, first_gaussians(cloud, 200, 0));
}

void mesh_seeds(const std::string& stem, const Mesh& mesh) {
  Mesh cut = first_triangles(mesh, 24);
  put_scene("mesh_obj", stem + ".obj", Scene{cut});
  put_scene("mesh_off", stem + ".off", Scene{cut});
  put_scene("mesh_ply", stem + ".ply", Scene{cut});
  auto settings = codec::mesh_preset_settings("balanced");
  if (settings.ok()) put_encoded(stem + "-mesh.scz", codec::encode_mesh(cut, *settings));
  if (!cut.texcoords.empty()) add_texture(cut);
  put_scene("glb", stem + ".glb", Scene{cut});
  const fs::path glb = g_out / "glb" / (stem + ".glb");
  if (auto bytes = read_file(glb.string()); bytes.ok()) put_gltf_from_glb(stem, *bytes);
  if (settings.ok() && !cut.textures.empty()) {
    put_encoded(stem + "-textured-mesh.scz", codec::encode_mesh(cut, *settings));
  }
}

void point_seeds(const std::string& stem, const PointCloud& points) {
  const PointCloud cut = first_points(points, 48);
  put_scene("points_ply", stem + ".ply", Scene{cut});
  put_scene("points_pcd", stem + ".pcd", Scene{cut});
  put_scene("points_xyz", stem + ".xyz", Scene{cut});
  put_pcd(stem, cut);
  put_point_text(stem, cut);
  auto settings = codec::point_preset_settings("balanced");
  if (settings.ok()) put_encoded(stem + "-points.scz", codec::encode_points(cut, *settings));
}

void copy_file_seed(const std::string& target, const fs::path& file) {
  auto bytes = read_file(file.string());
  if (bytes.ok()) put(target, file.filename().string(), *bytes);
}

}  // namespace
}  // namespace scenezip

namespace scenezip {
namespace {

// Photo sets in the photo_set target's layout (transforms.json, then "\n--- NAME\n" and
// each image): lego's first two frames as NeRF-synthetic, and the same with Instant-NGP
// intrinsics and lens distortion, each photo a 25x25 PNG box-averaged from the real one.
void put_photo_sets(const fs::path& data) {
  const std::string path = (data / "nerf" / "lego" / "transforms_train.json").string();
  auto set = read_photo_set(path, {.downscale = 32});
  if (!set.ok()) {
    std::fprintf(stderr, "make_fuzz_seeds: skipping photo sets: %s\n", set.status().message().c_str());
    return;
  }
  json synthetic = {{"camera_angle_x", 0.6911112070083618}, {"frames", json::array()}};
  json ngp = {{"fl_x", 34.7}, {"fl_y", 34.6}, {"cx", 12.1}, {"cy", 12.9}, {"w", 25}, {"h", 25},
              {"k1", 0.05}, {"k2", -0.08}, {"p1", -0.001}, {"p2", 0.0002}, {"aabb_scale", 4}, {"frames", json::array()}};
  std::string images;
  for (std::size_t i = 0; i < 2; ++i) {
    auto photo = load_photo(*set, i);
    if (!photo.ok()) return;
    Image image(photo->width, photo->height);
    image.rgb = photo->rgb;
    const fs::path png = g_out / ".scratch" / ("r_" + std::to_string(i) + ".png");
    fs::create_directories(png.parent_path());
    if (!write_png(image, png.string()).ok()) return;
    auto bytes = read_file(png.string());
    if (!bytes.ok()) return;
    json pose = json::array();
    for (int r = 0; r < 4; ++r) {
      pose.push_back(json::array());
      for (int c = 0; c < 4; ++c) pose[r].push_back(set->frames[i].camera_to_world[4 * r + c]);
    }
    synthetic["frames"].push_back({{"file_path", "r_" + std::to_string(i)}, {"transform_matrix", pose}});
    ngp["frames"].push_back({{"file_path", "r_" + std::to_string(i) + ".png"}, {"transform_matrix", pose}});
    images += "\n--- r_" + std::to_string(i) + ".png\n" + std::string(bytes->begin(), bytes->end());
  }
  put_text("photo_set", "lego-synthetic.photos", synthetic.dump(1) + images);
  put_text("photo_set", "lego-ngp.photos", ngp.dump(1) + images);
}

}  // namespace
}  // namespace scenezip

int main(int argc, char** argv) {
  using namespace scenezip;
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DATA_FOLDER SOURCE_FOLDER OUT_FOLDER\n");
    return 2;
  }
  const fs::path data = argv[1], source = argv[2];
  g_out = argv[3];
  fs::create_directories(g_out);

  // Small files of each kind; the larger scenes would only slow the seeding down.
  const char* scenes[] = {"splats/small-sh3-9k.ply",    "splats/biker.spz",
                          "splats/seal.splat",          "splats/guitar.compressed.ply",
                          "splats/angel.sog",           "meshes/bunny.obj",
                          "meshes/ChineseDragon-10kv.off", "meshes/bunny_40k.ply",
                          "meshes/DamagedHelmet/DamagedHelmet.gltf", "pointclouds/b9_training.ply",
                          "pointclouds/building.ply",   "pointclouds/table_scene_mug_stereo_textured.pcd"};
  int loaded = 0;
  for (const char* relative : scenes) {
    const fs::path path = data / relative;
    std::string stem = path.filename().string();
    stem = stem.substr(0, stem.find('.'));
    auto scene = load_scene(path.string());
    if (!scene.ok()) {
      std::fprintf(stderr, "make_fuzz_seeds: skipping %s: %s\n", relative, scene.status().message().c_str());
      continue;
    }
    ++loaded;
    if (const GaussianCloud* cloud = scene->gaussians()) gaussian_seeds(stem, *cloud);
    if (const Mesh* mesh = scene->mesh()) mesh_seeds(stem, *mesh);
    if (const PointCloud* points = scene->points()) point_seeds(stem, *points);
  }
  // Golden `.scz` files of every scene kind, and the project's own asset.
  for (const auto& entry : fs::directory_iterator(source / "tests" / "golden")) {
    if (entry.path().extension() == ".scz") {
      copy_file_seed("scz", entry.path());
      copy_file_seed("scz_streams", entry.path());
    }
  }
  if (auto knot = load_scene((source / "assets" / "demo-knot.ply").string()); knot.ok() && knot->gaussians()) {
    gaussian_seeds("demo-knot", *knot->gaussians());
  }
  put_photo_sets(data);
  std::error_code ec;
  fs::remove_all(g_out / ".scratch", ec);
  std::printf("make_fuzz_seeds: %d seeds from %d real scenes\n", g_written, loaded);
  return loaded == 0 ? 1 : 0;
}
