#include "engine/codec/mesh_encoder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "formats/scz/delta_planes.h"
#include "formats/scz/mesh_layout.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/octahedral.h"
#include "engine/codec/vertex_cache.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

// The encoder fills the streams whose layout formats/scz owns.
using namespace scz;

namespace {

constexpr std::uint32_t kUnseen = std::numeric_limits<std::uint32_t>::max();

std::string num(std::uint64_t v) { return std::to_string(v); }

bool all_finite(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

Status check_mesh(const Mesh& m) {
  const std::size_t v = m.vertex_count();
  if (m.positions.size() != 3 * v) return invalid_input("mesh positions are not whole xyz triples");
  if (!m.normals.empty() && m.normals.size() != 3 * v) return invalid_input("mesh has normals for some vertices only");
  if (!m.texcoords.empty() && m.texcoords.size() != 2 * v) {
    return invalid_input("mesh has texture coordinates for some vertices only");
  }
  if (!m.colors.empty() && m.colors.size() != 3 * v) return invalid_input("mesh has colours for some vertices only");
  if (m.indices.size() % 3 != 0) return invalid_input("mesh indices are not whole triangles");
  if (m.triangle_count() > kMaxTriangles) return unsupported(num(m.triangle_count()) + " triangles are more than an .scz file holds");
  for (std::uint32_t i : m.indices) {
    if (i >= v) return invalid_input("mesh index " + num(i) + " is past its " + num(v) + " vertices");
  }
  if (!all_finite(m.positions)) return invalid_input("mesh has a non-finite vertex position");
  if (!all_finite(m.normals)) return invalid_input("mesh has a non-finite normal");
  if (!all_finite(m.texcoords)) return invalid_input("mesh has a non-finite texture coordinate");
  if (m.submeshes.size() > kMaxSubmeshes) return unsupported("more submeshes than an .scz file holds");
  if (m.materials.size() > kMaxMaterials) return unsupported("more materials than an .scz file holds");
  if (m.textures.size() > kMaxMeshTextures) return unsupported("more textures than an .scz file holds");
  for (const SubMesh& s : m.submeshes) {
    if (std::uint64_t{s.first_index} + s.index_count > m.indices.size()) {
      return invalid_input("a submesh's index range does not fit the mesh");
    }
    if (s.material < -1 || s.material >= static_cast<std::int64_t>(m.materials.size())) {
      return invalid_input("a submesh's material does not exist");
    }
  }
  for (const Material& mat : m.materials) {
    if (mat.base_color_texture < -1 || mat.base_color_texture >= static_cast<std::int64_t>(m.textures.size())) {
      return invalid_input("material '" + mat.name + "' uses a texture that does not exist");
    }
    if (mat.name.size() > 0xffff) return unsupported("material name longer than 65535 bytes");
    for (float c : mat.base_color) {
      if (!std::isfinite(c)) return invalid_input("material '" + mat.name + "' has a non-finite base colour");
    }
  }
  return Status::Ok();
}

std::string sniff_image_type(const Bytes& b) {
  if (b.size() >= 4 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "image/png";
  if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return "image/jpeg";
  return "application/octet-stream";
}

// Where the index buffer may be cut into stretches whose triangles can move: at every
// submesh boundary. Empty when a boundary falls inside a triangle: triangles are then
// not well defined, and neither their order nor their corners may change.
std::vector<std::size_t> stretch_cuts(const Mesh& mesh) {
  std::vector<std::size_t> cuts = {0, mesh.indices.size()};
  for (const SubMesh& s : mesh.submeshes) {
    cuts.push_back(s.first_index);
    cuts.push_back(std::size_t{s.first_index} + s.index_count);
  }
  for (std::size_t c : cuts) {
    if (c % 3 != 0) return {};
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

// Triangles reordered for the vertex cache within each stretch, so every submesh keeps
// exactly its triangles.
std::vector<std::uint32_t> ordered_indices(const Mesh& mesh, const std::vector<std::size_t>& cuts) {
  std::vector<std::uint32_t> out = mesh.indices;
  // Each stretch numbers its vertices locally, so the optimizer's tables are sized by
  // the stretch, not the whole mesh.
  std::vector<std::uint32_t> local_of(mesh.vertex_count(), kUnseen), global_of, local;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const std::size_t begin = cuts[k], end = cuts[k + 1];
    local.clear();
    global_of.clear();
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint32_t g = mesh.indices[i];
      if (local_of[g] == kUnseen) {
        local_of[g] = static_cast<std::uint32_t>(global_of.size());
        global_of.push_back(g);
      }
      local.push_back(local_of[g]);
    }
    const std::vector<std::uint32_t> order = vertex_cache_order(local.data(), local.size(), global_of.size());
    for (std::size_t t = 0; t < order.size(); ++t) {
      for (int c = 0; c < 3; ++c) out[begin + 3 * t + c] = mesh.indices[begin + 3 * order[t] + c];
    }
    for (std::uint32_t g : global_of) local_of[g] = kUnseen;
  }
  return out;
}

// Rotates each triangle (keeping its winding) so that vertices not used before come
// last, then numbers the vertices in order of first use; returns the input vertex of
// each new number (unused vertices last, in input order) and rewrites `indices`.
std::vector<std::uint32_t> renumber_by_first_use(std::vector<std::uint32_t>& indices, std::size_t vertex_count,
                                                 bool rotate) {
  std::vector<std::uint32_t> new_of_old(vertex_count, kUnseen), old_of_new;
  old_of_new.reserve(vertex_count);
  for (std::size_t t = 0; t + 2 < indices.size(); t += 3) {
    std::uint32_t* tri = &indices[t];
    if (rotate) {
      int unseen = 0, last_unseen = 0, last_seen = 0;
      for (int k = 0; k < 3; ++k) {
        if (new_of_old[tri[k]] == kUnseen) {
          ++unseen;
          last_unseen = k;
        } else {
          last_seen = k;
        }
      }
      // One new vertex: it goes last. Two: the known one goes first.
      const int r = unseen == 1 ? (last_unseen + 1) % 3 : unseen == 2 ? last_seen : 0;
      std::rotate(tri, tri + r, tri + 3);
    }
    for (int k = 0; k < 3; ++k) {
      if (new_of_old[tri[k]] == kUnseen) {
        new_of_old[tri[k]] = static_cast<std::uint32_t>(old_of_new.size());
        old_of_new.push_back(tri[k]);
      }
    }
  }
  for (std::size_t v = 0; v < vertex_count; ++v) {
    if (new_of_old[v] == kUnseen) {
      new_of_old[v] = static_cast<std::uint32_t>(old_of_new.size());
      old_of_new.push_back(static_cast<std::uint32_t>(v));
    }
  }
  for (std::uint32_t& i : indices) i = new_of_old[i];
  return old_of_new;
}

// Index codes: 0 for the next vertex never used before, else how far back from it the
// vertex lies. After renumbering by first use, new vertices are always "next", and a
// cache-friendly order keeps the others a few steps back.
Bytes index_stream(const std::vector<std::uint32_t>& indices, std::size_t vertex_count) {
  const int width = index_code_bytes(vertex_count);
  std::vector<std::uint32_t> codes(indices.size());
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] == next) {
      codes[i] = 0;
      ++next;
    } else {
      codes[i] = next - indices[i];
    }
  }
  Bytes out(indices.size() * width);
  put_planes(out.data(), indices.size(), width, codes.data());
  return out;
}

}  // namespace

Result<Bytes> encode_mesh(const Mesh& mesh, const MeshCodecSettings& settings, MeshEncodeReport* report,
                          const StageCallback& stage) {
  SCZ_RETURN_IF_ERROR(check_mesh_settings(settings));
  SCZ_RETURN_IF_ERROR(check_mesh(mesh));
  auto begin = [&](const char* name) {
    if (stage) stage(name);
  };
  const std::size_t n = mesh.vertex_count();
  MeshEncodeReport r;
  r.vertices = n;
  r.triangles = mesh.triangle_count();

  begin("triangle order");
  const std::vector<std::size_t> cuts = stretch_cuts(mesh);
  const bool optimize = settings.triangle_order == "vertex_cache" && !cuts.empty();
  std::vector<std::uint32_t> indices = optimize ? ordered_indices(mesh, cuts) : mesh.indices;
  r.cache_misses_in = average_cache_miss_ratio(mesh.indices.data(), mesh.indices.size(), n);
  r.cache_misses_out = average_cache_miss_ratio(indices.data(), indices.size(), n);
  r.vertex_order = renumber_by_first_use(indices, n, optimize);
  const std::vector<std::uint32_t>& order = r.vertex_order;

  begin("quantizing");
  MeshLayout layout;
  layout.position_bits = settings.position_bits;
  layout.triangle_count = static_cast<std::uint32_t>(mesh.triangle_count());
  const Bounds bounds = compute_bounds(mesh.positions);
  layout.bounds_min = bounds.min;
  layout.bounds_max = bounds.max;
  std::vector<scz::StreamToWrite> streams;
  const int level = settings.zstd_level;
  {
    const std::uint32_t levels = bit_mask(layout.position_bits);
    std::vector<std::uint32_t> q(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) {
        q[3 * i + k] = grid_quantize(mesh.positions[3 * order[i] + k], bounds.min[k], bounds.max[k], levels);
      }
    }
    for (int k = 0; k < 3; ++k) {
      r.position_step = std::max(r.position_step, (double(bounds.max[k]) - bounds.min[k]) / levels);
    }
    streams.push_back({kMeshPositionStream, delta_stream(q.data(), n, 3, layout.position_bits), level});
  }
  streams.push_back({kMeshIndexStream, index_stream(indices, n), level});
  if (!mesh.normals.empty()) {
    layout.normal_bits = settings.normal_bits;
    std::vector<std::uint32_t> q(2 * n);
    for (std::size_t i = 0; i < n; ++i) octahedral_encode(&mesh.normals[3 * order[i]], layout.normal_bits, &q[2 * i], &q[2 * i + 1]);
    streams.push_back({kMeshNormalStream, delta_stream(q.data(), n, 2, layout.normal_bits), level});
  }
  if (!mesh.texcoords.empty()) {
    layout.texcoord_bits = settings.texcoord_bits;
    const std::uint32_t levels = bit_mask(layout.texcoord_bits);
    for (int k = 0; k < 2; ++k) {
      layout.texcoord_min[k] = std::numeric_limits<float>::max();
      layout.texcoord_max[k] = std::numeric_limits<float>::lowest();
      for (std::size_t i = 0; i < n; ++i) {
        layout.texcoord_min[k] = std::min(layout.texcoord_min[k], mesh.texcoords[2 * i + k]);
        layout.texcoord_max[k] = std::max(layout.texcoord_max[k], mesh.texcoords[2 * i + k]);
      }
      r.texcoord_step = std::max(r.texcoord_step, (double(layout.texcoord_max[k]) - layout.texcoord_min[k]) / levels);
    }
    std::vector<std::uint32_t> q(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = 0; k < 2; ++k) {
        q[2 * i + k] = grid_quantize(mesh.texcoords[2 * order[i] + k], layout.texcoord_min[k], layout.texcoord_max[k], levels);
      }
    }
    streams.push_back({kMeshTexcoordStream, delta_stream(q.data(), n, 2, layout.texcoord_bits), level});
  }
  if (!mesh.colors.empty()) {
    layout.color_bits = settings.color_bits;
    const std::uint32_t levels = bit_mask(layout.color_bits);
    std::vector<std::uint32_t> q(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) {
        const float c = mesh.colors[3 * order[i] + k];
        q[3 * i + k] = grid_quantize(std::isfinite(c) ? c : 0.0f, 0.0f, 1.0f, levels);  // clamps to [0, 1]
      }
    }
    streams.push_back({kMeshColorStream, delta_stream(q.data(), n, 3, layout.color_bits), level});
  }

  begin("materials and textures");
  std::vector<TextureHeader> headers;
  for (std::size_t t = 0; t < mesh.textures.size(); ++t) {
    const Texture& texture = mesh.textures[t];
    TextureHeader h;
    h.name = texture.name;
    if (h.name.size() > 0xffff) return unsupported("texture name longer than 65535 bytes");
    if (texture.width < 0 || texture.height < 0 || texture.width > static_cast<int>(kMaxTextureSide) ||
        texture.height > static_cast<int>(kMaxTextureSide)) {
      return unsupported("texture " + num(t) + " is larger than " + num(kMaxTextureSide) + " texels on a side");
    }
    h.width = static_cast<std::uint32_t>(texture.width);
    h.height = static_cast<std::uint32_t>(texture.height);
    // The image file as it came, byte for byte; only a texture that never was a file is
    // stored as RGBA texels.
    Bytes bytes;
    if (!texture.encoded.empty()) {
      h.mime = texture.encoded_mime.empty() ? sniff_image_type(texture.encoded) : texture.encoded_mime;
      if (h.mime.size() > 255) return unsupported("texture " + num(t) + " has a MIME type longer than 255 bytes");
      if (h.width == 0 || h.height == 0) return invalid_input("texture " + num(t) + " has an image file but no size");
      bytes = texture.encoded;
    } else {
      if (texture.rgba.size() != std::size_t{h.width} * h.height * 4) {
        return invalid_input("texture " + num(t) + " has neither an image file nor width x height RGBA texels");
      }
      bytes = texture.rgba;
    }
    if (bytes.size() > kMaxTextureBytes) return unsupported("texture " + num(t) + " is larger than an .scz file holds");
    h.bytes = bytes.size();
    headers.push_back(h);
    // Image files are compressed already: level 1 only finds out quickly that zstd
    // cannot shrink them (the writer then stores them raw).
    streams.push_back({static_cast<std::uint16_t>(kMeshFirstTextureStream + t), std::move(bytes),
                       texture.encoded.empty() ? level : std::min(level, 1)});
  }
  Bytes materials = serialize_materials(mesh, headers);
  if (materials.size() > kMaxMaterialStreamBytes) return unsupported("materials take more bytes than an .scz file holds");
  layout.submesh_count = static_cast<std::uint32_t>(mesh.submeshes.size());
  layout.material_count = static_cast<std::uint32_t>(mesh.materials.size());
  layout.texture_count = static_cast<std::uint32_t>(mesh.textures.size());
  layout.material_stream_bytes = static_cast<std::uint32_t>(materials.size());
  streams.push_back({kMeshMaterialStream, std::move(materials), level});

  begin("entropy coding");
  SCZ_ASSIGN_OR_RETURN(Bytes file,
                       scz::write_scene_file(scz::SceneKindId::kMesh, n, settings_json(settings).dump(), layout,
                                             kMeshLayoutStream, std::move(streams), settings.threads, &r.streams));
  if (report) *report = std::move(r);
  return file;
}

}  // namespace scenezip::codec
