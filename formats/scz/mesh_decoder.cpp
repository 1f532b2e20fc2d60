#include "formats/scz/mesh_decoder.h"

#include <tiny_gltf.h>

#include <cmath>
#include <limits>

#include "formats/scz/delta_planes.h"
#include "formats/scz/mesh_layout.h"
#include "formats/scz/morton_positions.h"
#include "formats/scz/octahedral.h"

namespace scenezip::scz {

namespace {

std::string n(std::uint64_t v) { return std::to_string(v); }


Status decode_indices(const Bytes& raw, std::size_t vertex_count, std::vector<std::uint32_t>& indices) {
  const std::size_t count = indices.size();
  const int width = index_code_bytes(vertex_count);
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t code = get_plane_value(raw.data(), count, width, i);
    if (code == 0) {
      if (next >= vertex_count) {
        return invalid_input("index stream: corner " + n(i) + " introduces a vertex past the mesh's " + n(vertex_count));
      }
      indices[i] = next++;
    } else {
      if (code > next) {
        return invalid_input("index stream: corner " + n(i) + " reaches " + n(code) + " vertices back from " + n(next));
      }
      indices[i] = next - code;
    }
  }
  return Status::Ok();
}

Result<Texture> decode_texture(const Container& c, std::uint32_t t, const TextureHeader& h) {
  const std::string name = "texture " + n(t);
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_stream(c, static_cast<std::uint16_t>(kMeshFirstTextureStream + t),
                                                     h.bytes, name.c_str()));
  Texture texture;
  texture.name = h.name;
  texture.width = static_cast<int>(h.width);
  texture.height = static_cast<int>(h.height);
  if (h.mime.empty()) {
    texture.rgba = std::move(bytes);
    return texture;
  }
  // Decoded the way the glTF reader decodes, so the texels are the ones the original
  // file gave; the file itself is kept for writers that pass images through.
  tinygltf::Image image;
  std::string err, warn;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !tinygltf::LoadImageData(&image, static_cast<int>(t), &err, &warn, 0, 0, bytes.data(),
                               static_cast<int>(bytes.size()), nullptr)) {
    return invalid_input(name + " (" + h.mime + ") cannot be decoded as an image");
  }
  const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
  if (image.width != texture.width || image.height != texture.height) {
    return invalid_input(name + " decodes to " + n(image.width) + "x" + n(image.height) + " texels where its header says " +
                         n(h.width) + "x" + n(h.height));
  }
  if (image.component != 4 || image.image.size() != pixels * 4 * (image.bits / 8)) {
    return invalid_input(name + " decoded to an unexpected pixel layout");
  }
  if (image.bits == 16) {
    texture.rgba.resize(pixels * 4);
    for (std::size_t i = 0; i < pixels * 4; ++i) texture.rgba[i] = image.image[i * 2 + 1];
  } else {
    texture.rgba = std::move(image.image);
  }
  texture.encoded = std::move(bytes);
  texture.encoded_mime = h.mime;
  return texture;
}

}  // namespace

Result<Mesh> decode_mesh(const Container& c) {
  if (c.kind != SceneKindId::kMesh) return invalid_input("the file does not hold a mesh");
  SCZ_ASSIGN_OR_RETURN(Bytes layout_raw, read_stream(c, kMeshLayoutStream, kMeshLayoutBytes, "layout"));
  SCZ_ASSIGN_OR_RETURN(const MeshLayout layout, parse_mesh_layout(layout_raw));
  const auto count = static_cast<std::size_t>(c.count);
  Mesh mesh;
  // Each stream is read (really decompressed) before the arrays it fills are sized, so a
  // forged count costs no more memory than the data the file truly holds.
  {
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint32_t> q,
                         read_delta_stream(c, "vertex", kMeshPositionStream, "positions", count, 3, layout.position_bits));
    const std::uint32_t levels = bit_mask(layout.position_bits);
    mesh.positions.resize(3 * count);
    for (std::size_t i = 0; i < 3 * count; ++i) {
      mesh.positions[i] = grid_dequantize(q[i], levels, layout.bounds_min[i % 3], layout.bounds_max[i % 3]);
    }
  }
  {
    const std::uint64_t corners = std::uint64_t{layout.triangle_count} * 3;
    SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(c, kMeshIndexStream, corners * index_code_bytes(count), "indices"));
    mesh.indices.resize(corners);
    SCZ_RETURN_IF_ERROR(decode_indices(raw, count, mesh.indices));
  }
  if (layout.normal_bits > 0) {
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint32_t> q,
                         read_delta_stream(c, "vertex", kMeshNormalStream, "normals", count, 2, layout.normal_bits));
    mesh.normals.resize(3 * count);
    for (std::size_t i = 0; i < count; ++i) octahedral_decode(q[2 * i], q[2 * i + 1], layout.normal_bits, &mesh.normals[3 * i]);
  }
  if (layout.texcoord_bits > 0) {
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint32_t> q, read_delta_stream(c, "vertex", kMeshTexcoordStream, "texture coordinates",
                                                                      count, 2, layout.texcoord_bits));
    const std::uint32_t levels = bit_mask(layout.texcoord_bits);
    mesh.texcoords.resize(2 * count);
    for (std::size_t i = 0; i < 2 * count; ++i) {
      mesh.texcoords[i] = grid_dequantize(q[i], levels, layout.texcoord_min[i % 2], layout.texcoord_max[i % 2]);
    }
  }
  if (layout.color_bits > 0) {
    SCZ_ASSIGN_OR_RETURN(std::vector<std::uint32_t> q,
                         read_delta_stream(c, "vertex", kMeshColorStream, "colors", count, 3, layout.color_bits));
    const double levels = bit_mask(layout.color_bits);
    mesh.colors.resize(3 * count);
    for (std::size_t i = 0; i < 3 * count; ++i) mesh.colors[i] = static_cast<float>(q[i] / levels);
  }
  std::vector<TextureHeader> headers;
  {
    SCZ_ASSIGN_OR_RETURN(Bytes raw, read_stream(c, kMeshMaterialStream, layout.material_stream_bytes, "materials"));
    SCZ_RETURN_IF_ERROR(parse_materials(raw, layout, mesh, headers));
  }
  for (std::uint32_t t = 0; t < headers.size(); ++t) {
    SCZ_ASSIGN_OR_RETURN(Texture texture, decode_texture(c, t, headers[t]));
    mesh.textures.push_back(std::move(texture));
  }
  return mesh;
}

}  // namespace scenezip::scz
