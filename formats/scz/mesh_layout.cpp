#include "formats/scz/mesh_layout.h"

#include <cmath>

#include "formats/scz/octahedral.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

namespace {

void append_string(Bytes& out, const std::string& s, int length_bytes) {
  if (length_bytes == 1) {
    out.push_back(static_cast<std::uint8_t>(s.size()));
  } else {
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.push_back(static_cast<std::uint8_t>(s.size() >> 8));
  }
  out.insert(out.end(), s.begin(), s.end());
}

// Reads fields off the material stream, failing once past its end.
class Reader {
 public:
  explicit Reader(const Bytes& bytes) : bytes_(bytes) {}
  bool need(std::size_t n) const { return bytes_.size() - at_ >= n; }
  bool u8(std::uint8_t* v) {
    if (!need(1)) return false;
    *v = bytes_[at_++];
    return true;
  }
  bool u16(std::uint16_t* v) {
    if (!need(2)) return false;
    *v = load_u16(&bytes_[at_]);
    at_ += 2;
    return true;
  }
  bool u32(std::uint32_t* v) {
    if (!need(4)) return false;
    *v = load_u32(&bytes_[at_]);
    at_ += 4;
    return true;
  }
  bool u64(std::uint64_t* v) {
    if (!need(8)) return false;
    *v = load_u64(&bytes_[at_]);
    at_ += 8;
    return true;
  }
  bool f32(float* v) {
    if (!need(4)) return false;
    *v = load_f32(&bytes_[at_]);
    at_ += 4;
    return true;
  }
  bool text(std::size_t n, std::string* s) {
    if (!need(n)) return false;
    s->assign(reinterpret_cast<const char*>(&bytes_[at_]), n);
    at_ += n;
    return true;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  const Bytes& bytes_;
  std::size_t at_ = 0;
};

std::string n(std::uint64_t v) { return std::to_string(v); }

}  // namespace

int index_code_bytes(std::uint64_t vertex_count) {
  if (vertex_count < (1u << 8)) return 1;
  if (vertex_count < (1u << 16)) return 2;
  if (vertex_count < (1u << 24)) return 3;
  return 4;
}

Bytes serialize_layout(const MeshLayout& l) {
  Bytes out(kMeshLayoutBytes, 0);
  out[0] = static_cast<std::uint8_t>(l.position_bits);
  out[1] = static_cast<std::uint8_t>(l.normal_bits);
  out[2] = static_cast<std::uint8_t>(l.texcoord_bits);
  out[3] = static_cast<std::uint8_t>(l.color_bits);
  store_u32(&out[4], l.triangle_count);
  for (int k = 0; k < 3; ++k) {
    store_f32(&out[8 + 4 * k], l.bounds_min[k]);
    store_f32(&out[20 + 4 * k], l.bounds_max[k]);
  }
  for (int k = 0; k < 2; ++k) {
    store_f32(&out[32 + 4 * k], l.texcoord_min[k]);
    store_f32(&out[40 + 4 * k], l.texcoord_max[k]);
  }
  store_u32(&out[48], l.submesh_count);
  store_u32(&out[52], l.material_count);
  store_u32(&out[56], l.texture_count);
  store_u32(&out[60], l.material_stream_bytes);
  return out;
}

Status check_layout(const MeshLayout& l) {
  if (l.position_bits < 1 || l.position_bits > 21) return invalid_input("mesh layout: position bits " + n(l.position_bits) + " outside 1..21");
  if (l.normal_bits != 0 && (l.normal_bits < kMinNormalBits || l.normal_bits > kMaxNormalBits)) {
    return invalid_input("mesh layout: normal bits " + n(l.normal_bits) + " outside 2..16");
  }
  if (l.texcoord_bits > 24) return invalid_input("mesh layout: texture coordinate bits " + n(l.texcoord_bits) + " above 24");
  if (l.color_bits > 16) return invalid_input("mesh layout: colour bits " + n(l.color_bits) + " above 16");
  if (l.triangle_count > kMaxTriangles) {
    return invalid_input("mesh layout: " + n(l.triangle_count) + " triangles, above the limit of " + n(kMaxTriangles));
  }
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(l.bounds_min[k]) || !std::isfinite(l.bounds_max[k]) || l.bounds_max[k] < l.bounds_min[k]) {
      return invalid_input("mesh layout: position bounds are not finite and ordered");
    }
  }
  for (int k = 0; k < 2; ++k) {
    if (!std::isfinite(l.texcoord_min[k]) || !std::isfinite(l.texcoord_max[k]) ||
        l.texcoord_max[k] < l.texcoord_min[k]) {
      return invalid_input("mesh layout: texture coordinate bounds are not finite and ordered");
    }
  }
  if (l.submesh_count > kMaxSubmeshes) return invalid_input("mesh layout: " + n(l.submesh_count) + " submeshes, above the limit of " + n(kMaxSubmeshes));
  if (l.material_count > kMaxMaterials) return invalid_input("mesh layout: " + n(l.material_count) + " materials, above the limit of " + n(kMaxMaterials));
  if (l.texture_count > kMaxMeshTextures) return invalid_input("mesh layout: " + n(l.texture_count) + " textures, above the limit of " + n(kMaxMeshTextures));
  if (l.material_stream_bytes > kMaxMaterialStreamBytes) {
    return invalid_input("mesh layout: material stream of " + n(l.material_stream_bytes) + " bytes, above the limit of " +
                         n(kMaxMaterialStreamBytes));
  }
  // The smallest possible entries must fit the stated size, so counts cannot run ahead of it.
  const std::uint64_t least = 12ull * l.submesh_count + 22ull * l.material_count + 19ull * l.texture_count;
  if (least > l.material_stream_bytes) {
    return invalid_input("mesh layout: " + n(l.submesh_count) + " submeshes, " + n(l.material_count) + " materials and " +
                         n(l.texture_count) + " textures cannot fit a material stream of " +
                         n(l.material_stream_bytes) + " bytes");
  }
  return Status::Ok();
}

Result<MeshLayout> parse_mesh_layout(const Bytes& b) {
  if (b.size() != kMeshLayoutBytes) {
    return invalid_input("mesh layout stream has " + n(b.size()) + " bytes, expected " + n(kMeshLayoutBytes));
  }
  MeshLayout l;
  l.position_bits = b[0];
  l.normal_bits = b[1];
  l.texcoord_bits = b[2];
  l.color_bits = b[3];
  l.triangle_count = load_u32(&b[4]);
  for (int k = 0; k < 3; ++k) {
    l.bounds_min[k] = load_f32(&b[8 + 4 * k]);
    l.bounds_max[k] = load_f32(&b[20 + 4 * k]);
  }
  for (int k = 0; k < 2; ++k) {
    l.texcoord_min[k] = load_f32(&b[32 + 4 * k]);
    l.texcoord_max[k] = load_f32(&b[40 + 4 * k]);
  }
  l.submesh_count = load_u32(&b[48]);
  l.material_count = load_u32(&b[52]);
  l.texture_count = load_u32(&b[56]);
  l.material_stream_bytes = load_u32(&b[60]);
  SCZ_RETURN_IF_ERROR(check_layout(l));
  return l;
}

Bytes serialize_materials(const Mesh& mesh, const std::vector<TextureHeader>& textures) {
  Bytes out;
  for (const SubMesh& s : mesh.submeshes) {
    append_u32(out, s.first_index);
    append_u32(out, s.index_count);
    append_u32(out, static_cast<std::uint32_t>(s.material));
  }
  for (const Material& m : mesh.materials) {
    for (float c : m.base_color) append_f32(out, c);
    append_u32(out, static_cast<std::uint32_t>(m.base_color_texture));
    append_string(out, m.name, 2);
  }
  for (const TextureHeader& t : textures) {
    append_u32(out, t.width);
    append_u32(out, t.height);
    append_u32(out, static_cast<std::uint32_t>(t.bytes));
    append_u32(out, static_cast<std::uint32_t>(t.bytes >> 32));
    append_string(out, t.mime, 1);
    append_string(out, t.name, 2);
  }
  return out;
}

Status parse_materials(const Bytes& bytes, const MeshLayout& layout, Mesh& mesh, std::vector<TextureHeader>& textures) {
  Reader r(bytes);
  const auto cut = [] { return invalid_input("material stream ends inside an entry"); };
  const std::uint64_t index_count = std::uint64_t{layout.triangle_count} * 3;
  mesh.submeshes.resize(layout.submesh_count);
  for (std::uint32_t i = 0; i < layout.submesh_count; ++i) {
    SubMesh& s = mesh.submeshes[i];
    std::uint32_t material;
    if (!r.u32(&s.first_index) || !r.u32(&s.index_count) || !r.u32(&material)) return cut();
    if (std::uint64_t{s.first_index} + s.index_count > index_count) {
      return invalid_input("submesh " + n(i) + " covers indices past the mesh's " + n(index_count));
    }
    s.material = static_cast<std::int32_t>(material);
    if (s.material < -1 || s.material >= static_cast<std::int64_t>(layout.material_count)) {
      return invalid_input("submesh " + n(i) + " uses material " + std::to_string(s.material) + " of " +
                           n(layout.material_count));
    }
  }
  mesh.materials.resize(layout.material_count);
  for (std::uint32_t i = 0; i < layout.material_count; ++i) {
    Material& m = mesh.materials[i];
    std::uint32_t texture;
    std::uint16_t name_bytes;
    for (float& c : m.base_color) {
      if (!r.f32(&c)) return cut();
      if (!std::isfinite(c)) return invalid_input("material " + n(i) + " has a non-finite base colour");
    }
    if (!r.u32(&texture) || !r.u16(&name_bytes) || !r.text(name_bytes, &m.name)) return cut();
    m.base_color_texture = static_cast<std::int32_t>(texture);
    if (m.base_color_texture < -1 || m.base_color_texture >= static_cast<std::int64_t>(layout.texture_count)) {
      return invalid_input("material " + n(i) + " uses texture " + std::to_string(m.base_color_texture) + " of " +
                           n(layout.texture_count));
    }
  }
  textures.resize(layout.texture_count);
  for (std::uint32_t i = 0; i < layout.texture_count; ++i) {
    TextureHeader& t = textures[i];
    std::uint8_t mime_bytes;
    std::uint16_t name_bytes;
    if (!r.u32(&t.width) || !r.u32(&t.height) || !r.u64(&t.bytes) || !r.u8(&mime_bytes) ||
        !r.text(mime_bytes, &t.mime) || !r.u16(&name_bytes) || !r.text(name_bytes, &t.name)) {
      return cut();
    }
    if (t.width > kMaxTextureSide || t.height > kMaxTextureSide) {
      return invalid_input("texture " + n(i) + " of " + n(t.width) + "x" + n(t.height) + " texels exceeds " +
                           n(kMaxTextureSide) + " on a side");
    }
    if (t.bytes > kMaxTextureBytes) return invalid_input("texture " + n(i) + " claims " + n(t.bytes) + " bytes");
    if (t.mime.empty() && t.bytes != std::uint64_t{t.width} * t.height * 4) {
      return invalid_input("texture " + n(i) + " holds " + n(t.bytes) + " bytes of RGBA for " + n(t.width) + "x" +
                           n(t.height) + " texels");
    }
    if (!t.mime.empty() && t.bytes == 0) return invalid_input("texture " + n(i) + " is an empty " + t.mime + " file");
  }
  if (!r.done()) return invalid_input("material stream has bytes after its last entry");
  return Status::Ok();
}

}  // namespace scenezip::scz
