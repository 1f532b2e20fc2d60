// glTF 2.0 through tinygltf: the JSON, GLB chunks and external files are tinygltf's job;
// every index, offset and count it hands back is checked here before use, because
// tinygltf parses them but does not check them against the buffers they point into.
#include <tiny_gltf.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <glm/glm.hpp>
#include <glm/gtc/matrix_transform.hpp>
#include <glm/gtc/quaternion.hpp>
#include <glm/gtc/type_ptr.hpp>
#include <limits>
#include <map>
#include <sstream>

#include "formats/file_io.h"
#include "formats/mesh_io.h"
#include "formats/texture_image.h"

namespace scenezip {

namespace {

namespace fs = std::filesystem;

// Instancing lets a small file expand to a huge mesh; past this many vertices the
// input is treated as hostile rather than allocating tens of gigabytes.
constexpr std::size_t kMaxVertices = std::size_t{1} << 28;

// Extensions that move geometry or pixels out of plain accessors and PNG/JPEG images:
// reading such a file without them would give wrong data, not just plainer materials.
constexpr const char* kUnreadableExtensions[] = {"KHR_draco_mesh_compression", "EXT_meshopt_compression",
                                                 "KHR_texture_basisu", "EXT_texture_webp"};

std::string trim_message(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

// Image bytes that came from a URI (external file or data URI), by image index. Images
// inside a buffer view are taken after the view has been checked against its buffer:
// tinygltf passes such a view to the callback unchecked.
struct KeptImages {
  std::map<int, std::vector<std::uint8_t>> bytes;
};

bool keep_image_bytes(tinygltf::Image* image, const int index, std::string*, std::string*, int, int,
                      const unsigned char* bytes, int size, void* user) {
  if (image->bufferView >= 0) return true;
  auto* kept = static_cast<KeptImages*>(user);
  kept->bytes[index].assign(bytes, bytes + size);
  return true;
}

std::string sniff_mime(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return "image/png";
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return "image/jpeg";
  return "";
}

// One accessor's elements as floats, checked against its view and buffer.
Status check_view_range(const tinygltf::Model& model, int view_index, const std::string& what,
                        const tinygltf::BufferView** out_view) {
  if (view_index < 0 || static_cast<std::size_t>(view_index) >= model.bufferViews.size()) {
    return invalid_input(what + " refers to buffer view " + std::to_string(view_index) + ", which does not exist");
  }
  const tinygltf::BufferView& view = model.bufferViews[view_index];
  if (view.buffer < 0 || static_cast<std::size_t>(view.buffer) >= model.buffers.size()) {
    return invalid_input("buffer view " + std::to_string(view_index) + " refers to a missing buffer");
  }
  const std::size_t buffer_size = model.buffers[view.buffer].data.size();
  if (view.byteOffset > buffer_size || view.byteLength > buffer_size - view.byteOffset) {
    return invalid_input("buffer view " + std::to_string(view_index) + " runs past the end of its buffer (" +
                         std::to_string(view.byteOffset) + " + " + std::to_string(view.byteLength) + " > " +
                         std::to_string(buffer_size) + " bytes)");
  }
  *out_view = &view;
  return Status::Ok();
}

float component_as_float(const std::uint8_t* p, int component_type, bool normalized) {
  auto load = [p](auto dummy) {
    decltype(dummy) v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (component_type) {
    case TINYGLTF_COMPONENT_TYPE_FLOAT: return load(float{});
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE: {
      const float v = load(std::uint8_t{});
      return normalized ? v / 255.0f : v;
    }
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT: {
      const float v = load(std::uint16_t{});
      return normalized ? v / 65535.0f : v;
    }
    case TINYGLTF_COMPONENT_TYPE_BYTE: {
      const float v = load(std::int8_t{});
      return normalized ? std::max(v / 127.0f, -1.0f) : v;
    }
    case TINYGLTF_COMPONENT_TYPE_SHORT: {
      const float v = load(std::int16_t{});
      return normalized ? std::max(v / 32767.0f, -1.0f) : v;
    }
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT: return static_cast<float>(load(std::uint32_t{}));
    case TINYGLTF_COMPONENT_TYPE_INT: return static_cast<float>(load(std::int32_t{}));
  }
  return 0.0f;
}

// Where an accessor's elements lie: the first byte, the stride and the element size,
// all checked to stay inside the buffer view.
struct AccessorSpan {
  const std::uint8_t* base = nullptr;
  std::size_t stride = 0;
  std::size_t count = 0;
  int components = 0;
  int component_type = 0;
  bool normalized = false;
};

Result<AccessorSpan> accessor_span(const tinygltf::Model& model, int index, const std::string& what) {
  if (index < 0 || static_cast<std::size_t>(index) >= model.accessors.size()) {
    return invalid_input(what + " refers to accessor " + std::to_string(index) + ", which does not exist");
  }
  const tinygltf::Accessor& accessor = model.accessors[index];
  const std::string name = what + " (accessor " + std::to_string(index) + ")";
  if (accessor.sparse.isSparse) return unsupported(name + " is sparse; sparse accessors are not supported");
  if (accessor.bufferView < 0) {
    return unsupported(name + " has no buffer view (compressed geometry is not supported)");
  }
  const int component_size = tinygltf::GetComponentSizeInBytes(static_cast<std::uint32_t>(accessor.componentType));
  const int components = tinygltf::GetNumComponentsInType(static_cast<std::uint32_t>(accessor.type));
  if (component_size <= 0 || components <= 0 || accessor.componentType == TINYGLTF_COMPONENT_TYPE_DOUBLE) {
    return invalid_input(name + " has an invalid component type or element type");
  }
  const tinygltf::BufferView* view = nullptr;
  SCZ_RETURN_IF_ERROR(check_view_range(model, accessor.bufferView, name, &view));
  const std::size_t element_size = static_cast<std::size_t>(component_size) * components;
  const std::size_t stride = view->byteStride ? view->byteStride : element_size;
  if (stride < element_size) return invalid_input(name + " has a byte stride smaller than its elements");
  AccessorSpan span;
  span.count = accessor.count;
  span.stride = stride;
  span.components = components;
  span.component_type = accessor.componentType;
  span.normalized = accessor.normalized;
  if (accessor.count > 0) {
    const std::size_t length = view->byteLength;
    const bool fits = accessor.byteOffset <= length && element_size <= length - accessor.byteOffset &&
                      (accessor.count - 1) <= (length - accessor.byteOffset - element_size) / stride;
    if (!fits) {
      return invalid_input(name + " claims " + std::to_string(accessor.count) +
                           " elements, more than its buffer view " + std::to_string(accessor.bufferView) + " holds");
    }
  }
  span.base = model.buffers[view->buffer].data.data() + view->byteOffset + accessor.byteOffset;
  return span;
}

// Reads an attribute as `want` floats per element; VEC4 colours give up their alpha.
Result<std::vector<float>> read_floats(const tinygltf::Model& model, int index, int want, const std::string& what) {
  SCZ_ASSIGN_OR_RETURN(AccessorSpan span, accessor_span(model, index, what));
  const bool colour_with_alpha = want == 3 && span.components == 4 && what == "COLOR_0";
  if (span.components != want && !colour_with_alpha) {
    return invalid_input(what + " has " + std::to_string(span.components) + " components, expected " +
                         std::to_string(want));
  }
  const int component_size = tinygltf::GetComponentSizeInBytes(static_cast<std::uint32_t>(span.component_type));
  std::vector<float> out(span.count * want);
  for (std::size_t i = 0; i < span.count; ++i) {
    const std::uint8_t* element = span.base + i * span.stride;
    for (int c = 0; c < want; ++c) {
      out[i * want + c] = component_as_float(element + c * component_size, span.component_type, span.normalized);
    }
  }
  return out;
}

Result<std::vector<std::uint32_t>> read_indices(const tinygltf::Model& model, int index, std::size_t vertex_count) {
  SCZ_ASSIGN_OR_RETURN(AccessorSpan span, accessor_span(model, index, "indices"));
  if (span.components != 1) return invalid_input("indices accessor is not SCALAR");
  std::vector<std::uint32_t> out(span.count);
  for (std::size_t i = 0; i < span.count; ++i) {
    const std::uint8_t* p = span.base + i * span.stride;
    std::uint32_t v = 0;
    switch (span.component_type) {
      case TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE: v = *p; break;
      case TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT: {
        std::uint16_t s;
        std::memcpy(&s, p, 2);
        v = s;
        break;
      }
      case TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT: std::memcpy(&v, p, 4); break;
      default: return invalid_input("indices must be unsigned byte, short or int");
    }
    if (v >= vertex_count) {
      return invalid_input("index " + std::to_string(v) + " is out of range (" + std::to_string(vertex_count) +
                           " vertices)");
    }
    out[i] = v;
  }
  return out;
}

// Triangle list of a primitive whatever its mode; indexless primitives draw vertices in order.
Result<std::vector<std::uint32_t>> triangle_list(std::vector<std::uint32_t> order, int mode) {
  if (mode == TINYGLTF_MODE_TRIANGLES || mode == -1) {
    if (order.size() % 3 != 0) return invalid_input("triangle list of " + std::to_string(order.size()) + " indices");
    return order;
  }
  std::vector<std::uint32_t> out;
  if (order.size() < 3) return out;
  out.reserve((order.size() - 2) * 3);
  for (std::size_t i = 2; i < order.size(); ++i) {
    if (mode == TINYGLTF_MODE_TRIANGLE_STRIP) {
      // Every other strip triangle is reversed so all keep the first one's winding.
      const bool odd = (i % 2) == 1;
      out.insert(out.end(), {order[i - 2 + odd], order[i - 1 - odd], order[i]});
    } else {
      out.insert(out.end(), {order[0], order[i - 1], order[i]});
    }
  }
  return out;
}

// Area-weighted vertex normals, for primitives that lack normals when others have them.
std::vector<float> compute_normals(const std::vector<float>& positions, const std::vector<std::uint32_t>& triangles) {
  std::vector<glm::vec3> sum(positions.size() / 3, glm::vec3(0.0f));
  auto at = [&](std::uint32_t v) { return glm::make_vec3(&positions[v * 3]); };
  for (std::size_t t = 0; t + 2 < triangles.size(); t += 3) {
    const glm::vec3 n = glm::cross(at(triangles[t + 1]) - at(triangles[t]), at(triangles[t + 2]) - at(triangles[t]));
    for (int k = 0; k < 3; ++k) sum[triangles[t + k]] += n;
  }
  std::vector<float> out;
  out.reserve(positions.size());
  for (const glm::vec3& s : sum) {
    const float len = glm::length(s);
    const glm::vec3 n = len > 0.0f ? s / len : glm::vec3(0.0f, 0.0f, 1.0f);
    out.insert(out.end(), {n.x, n.y, n.z});
  }
  return out;
}

glm::dmat4 local_transform(const tinygltf::Node& node) {
  if (node.matrix.size() == 16) return glm::make_mat4(node.matrix.data());
  glm::dmat4 m(1.0);
  if (node.translation.size() == 3) m = glm::translate(m, glm::make_vec3(node.translation.data()));
  if (node.rotation.size() == 4) {
    // glTF stores x, y, z, w; glm's constructor takes w first.
    const glm::dquat q(node.rotation[3], node.rotation[0], node.rotation[1], node.rotation[2]);
    m *= glm::mat4_cast(glm::normalize(q));
  }
  if (node.scale.size() == 3) m = glm::scale(m, glm::make_vec3(node.scale.data()));
  return m;
}

// One primitive's vertices after the node transform, before they join the mesh.
struct Piece {
  std::vector<float> positions, normals, texcoords, colors;
  std::vector<std::uint32_t> triangles;
  int material = -1;
};

Result<Piece> read_primitive(const tinygltf::Model& model, const tinygltf::Primitive& primitive,
                             const glm::dmat4& transform) {
  const auto attribute = [&](const char* name) {
    const auto it = primitive.attributes.find(name);
    return it == primitive.attributes.end() ? -1 : it->second;
  };
  Piece piece;
  const int position_accessor = attribute("POSITION");
  if (position_accessor < 0) return invalid_input("a triangle primitive has no POSITION attribute");
  SCZ_ASSIGN_OR_RETURN(piece.positions, read_floats(model, position_accessor, 3, "POSITION"));
  const std::size_t vertex_count = piece.positions.size() / 3;
  if (const int a = attribute("NORMAL"); a >= 0) {
    SCZ_ASSIGN_OR_RETURN(piece.normals, read_floats(model, a, 3, "NORMAL"));
  }
  if (const int a = attribute("TEXCOORD_0"); a >= 0) {
    SCZ_ASSIGN_OR_RETURN(piece.texcoords, read_floats(model, a, 2, "TEXCOORD_0"));
  }
  if (const int a = attribute("COLOR_0"); a >= 0) {
    SCZ_ASSIGN_OR_RETURN(piece.colors, read_floats(model, a, 3, "COLOR_0"));
  }
  for (const auto* attr : {&piece.normals, &piece.texcoords, &piece.colors}) {
    const std::size_t per = attr == &piece.texcoords ? 2 : 3;
    if (!attr->empty() && attr->size() / per != vertex_count) {
      return invalid_input("a primitive's attributes have different vertex counts");
    }
  }

  std::vector<std::uint32_t> order;
  if (primitive.indices >= 0) {
    SCZ_ASSIGN_OR_RETURN(order, read_indices(model, primitive.indices, vertex_count));
  } else {
    order.resize(vertex_count);
    for (std::size_t i = 0; i < vertex_count; ++i) order[i] = static_cast<std::uint32_t>(i);
  }
  SCZ_ASSIGN_OR_RETURN(piece.triangles, triangle_list(std::move(order), primitive.mode));

  const glm::dmat3 normal_matrix = glm::transpose(glm::inverse(glm::dmat3(transform)));
  for (std::size_t v = 0; v < vertex_count; ++v) {
    float* p = &piece.positions[v * 3];
    const glm::dvec4 q = transform * glm::dvec4(p[0], p[1], p[2], 1.0);
    if (!std::isfinite(q.x) || !std::isfinite(q.y) || !std::isfinite(q.z)) {
      return invalid_input("vertex " + std::to_string(v) + " has a non-finite position");
    }
    p[0] = static_cast<float>(q.x), p[1] = static_cast<float>(q.y), p[2] = static_cast<float>(q.z);
    if (!piece.normals.empty()) {
      float* n = &piece.normals[v * 3];
      glm::dvec3 m = normal_matrix * glm::dvec3(n[0], n[1], n[2]);
      const double len = glm::length(m);
      if (len > 0.0) m /= len;
      n[0] = static_cast<float>(m.x), n[1] = static_cast<float>(m.y), n[2] = static_cast<float>(m.z);
    }
  }
  // A mirroring transform turns triangles inside out unless their winding flips too.
  if (glm::determinant(glm::dmat3(transform)) < 0.0) {
    for (std::size_t t = 0; t + 2 < piece.triangles.size(); t += 3)
      std::swap(piece.triangles[t + 1], piece.triangles[t + 2]);
  }
  piece.material = primitive.material;
  return piece;
}

// Walks the scene's node trees, collecting every triangle primitive with its world transform.
class SceneWalker {
 public:
  explicit SceneWalker(const tinygltf::Model& model) : model_(model), visited_(model.nodes.size(), false) {}

  Status walk() {
    std::vector<int> roots;
    if (!model_.scenes.empty()) {
      const int scene = model_.defaultScene >= 0 ? model_.defaultScene : 0;
      if (static_cast<std::size_t>(scene) >= model_.scenes.size()) return invalid_input("default scene does not exist");
      roots = model_.scenes[scene].nodes;
    } else if (!model_.nodes.empty()) {
      // No scene: every node that is nobody's child is a root.
      std::vector<bool> is_child(model_.nodes.size(), false);
      for (const auto& node : model_.nodes) {
        for (int c : node.children) {
          if (c >= 0 && static_cast<std::size_t>(c) < is_child.size()) is_child[c] = true;
        }
      }
      for (std::size_t i = 0; i < model_.nodes.size(); ++i) {
        if (!is_child[i]) roots.push_back(static_cast<int>(i));
      }
    } else {
      for (std::size_t m = 0; m < model_.meshes.size(); ++m)
        SCZ_RETURN_IF_ERROR(add_mesh(static_cast<int>(m), glm::dmat4(1.0)));
      return Status::Ok();
    }
    for (int root : roots) SCZ_RETURN_IF_ERROR(visit(root, glm::dmat4(1.0)));
    return Status::Ok();
  }

  std::vector<Piece>& pieces() { return pieces_; }

 private:
  Status visit(int index, const glm::dmat4& parent) {
    if (index < 0 || static_cast<std::size_t>(index) >= model_.nodes.size()) {
      return invalid_input("node " + std::to_string(index) + " does not exist");
    }
    // glTF nodes form a forest: a node reached twice means a cycle or a shared child.
    if (visited_[index]) return invalid_input("node " + std::to_string(index) + " appears twice in the node hierarchy");
    visited_[index] = true;
    const tinygltf::Node& node = model_.nodes[index];
    const glm::dmat4 world = parent * local_transform(node);
    if (node.mesh >= 0) SCZ_RETURN_IF_ERROR(add_mesh(node.mesh, world));
    for (int child : node.children) SCZ_RETURN_IF_ERROR(visit(child, world));
    return Status::Ok();
  }

  Status add_mesh(int mesh_index, const glm::dmat4& world) {
    if (static_cast<std::size_t>(mesh_index) >= model_.meshes.size()) {
      return invalid_input("mesh " + std::to_string(mesh_index) + " does not exist");
    }
    const auto& primitives = model_.meshes[mesh_index].primitives;
    for (std::size_t p = 0; p < primitives.size(); ++p) {
      const int mode = primitives[p].mode;
      if (mode != -1 && mode != TINYGLTF_MODE_TRIANGLES && mode != TINYGLTF_MODE_TRIANGLE_STRIP &&
          mode != TINYGLTF_MODE_TRIANGLE_FAN) {
        continue;  // points and lines are not part of a triangle mesh
      }
      Result<Piece> piece = read_primitive(model_, primitives[p], world);
      if (!piece.ok()) {
        return piece.status().with_context("mesh " + std::to_string(mesh_index) + " primitive " + std::to_string(p));
      }
      vertex_total_ += piece->positions.size() / 3;
      if (vertex_total_ > kMaxVertices) {
        return invalid_input("the scene expands to more than " + std::to_string(kMaxVertices) + " vertices");
      }
      pieces_.push_back(std::move(piece).value());
    }
    return Status::Ok();
  }

  const tinygltf::Model& model_;
  std::vector<bool> visited_;
  std::vector<Piece> pieces_;
  std::size_t vertex_total_ = 0;
};

Result<Texture> read_texture(const tinygltf::Model& model, int image_index, const KeptImages& kept) {
  const tinygltf::Image& image = model.images[image_index];
  const std::string label = "image " + std::to_string(image_index) + (image.uri.empty() ? "" : " '" + image.uri + "'");
  Texture texture;
  texture.name = !image.name.empty() ? image.name : fs::path(image.uri).filename().string();
  if (image.bufferView >= 0) {
    const tinygltf::BufferView* view = nullptr;
    SCZ_RETURN_IF_ERROR(check_view_range(model, image.bufferView, label, &view));
    const std::uint8_t* begin = model.buffers[view->buffer].data.data() + view->byteOffset;
    texture.encoded.assign(begin, begin + view->byteLength);
  } else {
    const auto it = kept.bytes.find(image_index);
    // tinygltf only warns when an external image is missing; a texture the material
    // uses cannot be left out silently.
    if (it == kept.bytes.end() || it->second.empty()) return io_error(label + " could not be loaded (missing file?)");
    texture.encoded = it->second;
  }
  texture.encoded_mime = image.mimeType.empty() ? sniff_mime(texture.encoded) : image.mimeType;

  SCZ_RETURN_IF_ERROR(check_texture_image_size(texture.encoded, label));
  tinygltf::Image decoded;
  std::string err, warn;
  if (texture.encoded.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !tinygltf::LoadImageData(&decoded, image_index, &err, &warn, 0, 0, texture.encoded.data(),
                               static_cast<int>(texture.encoded.size()), nullptr)) {
    return invalid_input(label + " cannot be decoded as PNG or JPEG");
  }
  texture.width = decoded.width;
  texture.height = decoded.height;
  const std::size_t pixels = static_cast<std::size_t>(decoded.width) * decoded.height;
  if (decoded.component != 4 || decoded.image.size() != pixels * 4 * (decoded.bits / 8)) {
    return invalid_input(label + " decoded to an unexpected pixel layout");
  }
  if (decoded.bits == 16) {
    // Keep the high byte: the mesh model holds 8-bit RGBA.
    texture.rgba.resize(pixels * 4);
    for (std::size_t i = 0; i < pixels * 4; ++i) texture.rgba[i] = decoded.image[i * 2 + 1];
  } else {
    texture.rgba = std::move(decoded.image);
  }
  return texture;
}

Result<Mesh> convert_model(const tinygltf::Model& model, const KeptImages& kept) {
  for (const std::string& ext : model.extensionsRequired) {
    for (const char* unreadable : kUnreadableExtensions) {
      if (ext == unreadable) return unsupported("requires the glTF extension " + ext + ", which is not supported");
    }
  }
  SceneWalker walker(model);
  SCZ_RETURN_IF_ERROR(walker.walk());
  std::vector<Piece>& pieces = walker.pieces();
  if (pieces.empty()) return invalid_input("no triangle primitives in the scene");

  Mesh mesh;
  // Materials map one to one; textures are only the images used as base colour.
  std::map<int, int> texture_of_image;
  for (std::size_t m = 0; m < model.materials.size(); ++m) {
    const tinygltf::Material& source = model.materials[m];
    Material material;
    material.name = source.name;
    const auto& factor = source.pbrMetallicRoughness.baseColorFactor;
    for (std::size_t c = 0; c < 4 && c < factor.size(); ++c) material.base_color[c] = static_cast<float>(factor[c]);
    const int texture_index = source.pbrMetallicRoughness.baseColorTexture.index;
    if (texture_index >= 0) {
      const std::string label = "material " + std::to_string(m) + " base colour texture";
      if (static_cast<std::size_t>(texture_index) >= model.textures.size())
        return invalid_input(label + " does not exist");
      const int image_index = model.textures[texture_index].source;
      if (image_index < 0) return unsupported(label + " has no PNG or JPEG source");
      if (static_cast<std::size_t>(image_index) >= model.images.size()) return invalid_input(label + " has no image");
      auto [it, inserted] = texture_of_image.try_emplace(image_index, static_cast<int>(mesh.textures.size()));
      if (inserted) {
        SCZ_ASSIGN_OR_RETURN(Texture texture, read_texture(model, image_index, kept));
        mesh.textures.push_back(std::move(texture));
      }
      material.base_color_texture = it->second;
    }
    mesh.materials.push_back(std::move(material));
  }

  // An attribute present in any primitive is kept for all; the others get neutral values.
  bool any_normals = false, any_texcoords = false, any_colors = false;
  for (const Piece& piece : pieces) {
    any_normals |= !piece.normals.empty();
    any_texcoords |= !piece.texcoords.empty();
    any_colors |= !piece.colors.empty();
  }
  for (Piece& piece : pieces) {
    const std::size_t vertex_count = piece.positions.size() / 3;
    const auto base = static_cast<std::uint32_t>(mesh.vertex_count());
    if (piece.material >= static_cast<int>(mesh.materials.size())) {
      return invalid_input("a primitive uses material " + std::to_string(piece.material) + ", which does not exist");
    }
    SubMesh sub;
    sub.first_index = static_cast<std::uint32_t>(mesh.indices.size());
    sub.index_count = static_cast<std::uint32_t>(piece.triangles.size());
    sub.material = piece.material;
    mesh.submeshes.push_back(sub);
    for (std::uint32_t i : piece.triangles) mesh.indices.push_back(base + i);
    if (any_normals && piece.normals.empty()) piece.normals = compute_normals(piece.positions, piece.triangles);
    if (any_texcoords && piece.texcoords.empty()) piece.texcoords.assign(vertex_count * 2, 0.0f);
    if (any_colors && piece.colors.empty()) piece.colors.assign(vertex_count * 3, 1.0f);
    mesh.positions.insert(mesh.positions.end(), piece.positions.begin(), piece.positions.end());
    mesh.normals.insert(mesh.normals.end(), piece.normals.begin(), piece.normals.end());
    mesh.texcoords.insert(mesh.texcoords.end(), piece.texcoords.begin(), piece.texcoords.end());
    mesh.colors.insert(mesh.colors.end(), piece.colors.begin(), piece.colors.end());
    piece = Piece();  // release as we go: big scenes would otherwise be held twice
  }
  return mesh;
}

// --- writing --------------------------------------------------------------------------

class GlbBuilder {
 public:
  // Appends bytes as a new buffer view, 4-byte aligned as GLB requires; returns its index.
  int add_view(const void* data, std::size_t size, int target) {
    while (bin_.size() % 4 != 0) bin_.push_back(0);
    tinygltf::BufferView view;
    view.buffer = 0;
    view.byteOffset = bin_.size();
    view.byteLength = size;
    view.target = target;
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    bin_.insert(bin_.end(), bytes, bytes + size);
    model_.bufferViews.push_back(view);
    return static_cast<int>(model_.bufferViews.size() - 1);
  }

  int add_float_accessor(const std::vector<float>& values, int components, int type, bool with_bounds) {
    tinygltf::Accessor accessor;
    accessor.bufferView = add_view(values.data(), values.size() * sizeof(float), TINYGLTF_TARGET_ARRAY_BUFFER);
    accessor.componentType = TINYGLTF_COMPONENT_TYPE_FLOAT;
    accessor.type = type;
    accessor.count = values.size() / components;
    if (with_bounds) {
      // The spec requires POSITION bounds.
      accessor.minValues.assign(components, std::numeric_limits<double>::infinity());
      accessor.maxValues.assign(components, -std::numeric_limits<double>::infinity());
      for (std::size_t i = 0; i < values.size(); ++i) {
        const int c = static_cast<int>(i % components);
        accessor.minValues[c] = std::min<double>(accessor.minValues[c], values[i]);
        accessor.maxValues[c] = std::max<double>(accessor.maxValues[c], values[i]);
      }
    }
    model_.accessors.push_back(accessor);
    return static_cast<int>(model_.accessors.size() - 1);
  }

  // 16-bit indices when every vertex fits (65535 itself is reserved by the spec).
  int add_index_accessor(const std::uint32_t* indices, std::size_t count, std::size_t vertex_count) {
    tinygltf::Accessor accessor;
    if (vertex_count <= 65535) {
      std::vector<std::uint16_t> narrow(indices, indices + count);
      accessor.bufferView = add_view(narrow.data(), narrow.size() * 2, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
      accessor.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT;
    } else {
      accessor.bufferView = add_view(indices, count * 4, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
      accessor.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT;
    }
    accessor.type = TINYGLTF_TYPE_SCALAR;
    accessor.count = count;
    model_.accessors.push_back(accessor);
    return static_cast<int>(model_.accessors.size() - 1);
  }

  tinygltf::Model& model() { return model_; }

  Result<Bytes> finish() {
    tinygltf::Buffer buffer;
    buffer.data = std::move(bin_);
    model_.buffers.push_back(std::move(buffer));
    std::ostringstream out;
    tinygltf::TinyGLTF writer;
    if (!writer.WriteGltfSceneToStream(&model_, out, false, true))
      return internal_error("tinygltf could not serialise the GLB");
    const std::string s = std::move(out).str();
    return Bytes(s.begin(), s.end());
  }

 private:
  tinygltf::Model model_;
  std::vector<std::uint8_t> bin_;
};

Status check_mesh(const Mesh& mesh) {
  const std::size_t n = mesh.vertex_count();
  if (mesh.positions.size() % 3 != 0 || n == 0) return invalid_input("mesh has no vertices or a partial one");
  if ((!mesh.normals.empty() && mesh.normals.size() != n * 3) ||
      (!mesh.texcoords.empty() && mesh.texcoords.size() != n * 2) ||
      (!mesh.colors.empty() && mesh.colors.size() != n * 3)) {
    return invalid_input("mesh attributes do not match its vertex count");
  }
  if (mesh.indices.empty() || mesh.indices.size() % 3 != 0) return invalid_input("mesh has no triangles");
  for (std::uint32_t i : mesh.indices) {
    if (i >= n) return invalid_input("mesh index " + std::to_string(i) + " is out of range");
  }
  for (const SubMesh& sub : mesh.submeshes) {
    if (sub.first_index % 3 != 0 || sub.index_count % 3 != 0 || sub.first_index > mesh.indices.size() ||
        sub.index_count > mesh.indices.size() - sub.first_index) {
      return invalid_input("a submesh's index range does not fit the mesh");
    }
    if (sub.material >= static_cast<int>(mesh.materials.size()))
      return invalid_input("a submesh's material does not exist");
  }
  for (const Material& m : mesh.materials) {
    if (m.base_color_texture >= static_cast<int>(mesh.textures.size())) {
      return invalid_input("material '" + m.name + "' uses a texture that does not exist");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Mesh> read_gltf(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  if (bytes.size() > std::numeric_limits<unsigned int>::max()) return unsupported("glTF files of 4 GB or more");
  KeptImages kept;
  tinygltf::TinyGLTF loader;
  loader.SetImageLoader(keep_image_bytes, &kept);
  tinygltf::Model model;
  std::string err, warn;
  std::string base_dir = fs::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  const bool binary = bytes.size() >= 4 && std::memcmp(bytes.data(), "glTF", 4) == 0;
  if (binary && bytes.size() >= 12) {
    // tinygltf only says "Invalid glTF binary" for this, the commonest failure.
    std::uint32_t declared = 0;
    std::memcpy(&declared, bytes.data() + 8, 4);
    if (declared > bytes.size()) {
      return invalid_input("truncated: the GLB header declares " + std::to_string(declared) + " bytes, the file has " +
                           std::to_string(bytes.size()));
    }
  }
  const bool loaded = binary
                          ? loader.LoadBinaryFromMemory(&model, &err, &warn, bytes.data(),
                                                        static_cast<unsigned int>(bytes.size()), base_dir)
                          : loader.LoadASCIIFromString(&model, &err, &warn, reinterpret_cast<const char*>(bytes.data()),
                                                       static_cast<unsigned int>(bytes.size()), base_dir);
  if (!loaded) {
    return invalid_input(trim_message(err.empty() ? "not a valid glTF file" : err));
  }
  bytes = Bytes();
  return convert_model(model, kept);
}

Status write_glb(const Mesh& mesh, const std::string& path) {
  SCZ_RETURN_IF_ERROR(check_mesh(mesh));
  GlbBuilder builder;
  tinygltf::Model& model = builder.model();
  model.asset.version = "2.0";
  model.asset.generator = "scenezip";

  for (const Texture& texture : mesh.textures) {
    tinygltf::Image image;
    image.name = texture.name;
    if (!texture.encoded.empty()) {
      image.bufferView = builder.add_view(texture.encoded.data(), texture.encoded.size(), 0);
      image.mimeType = !texture.encoded_mime.empty() ? texture.encoded_mime : sniff_mime(texture.encoded);
      if (image.mimeType.empty()) return unsupported("texture '" + texture.name + "' is neither PNG nor JPEG");
    } else {
      const std::size_t pixels = static_cast<std::size_t>(texture.width) * texture.height;
      if (texture.width <= 0 || texture.height <= 0 || texture.rgba.size() != pixels * 4) {
        return invalid_input("texture '" + texture.name + "' has no pixels");
      }
      // tinygltf encodes raw pixels as PNG itself and embeds them as a data URI.
      image.width = texture.width;
      image.height = texture.height;
      image.component = 4;
      image.bits = 8;
      image.pixel_type = TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE;
      image.mimeType = "image/png";
      image.image = texture.rgba;
      if (image.name.empty()) image.name = "texture" + std::to_string(model.images.size());
    }
    model.images.push_back(std::move(image));
    tinygltf::Texture t;
    t.source = static_cast<int>(model.images.size() - 1);
    model.textures.push_back(t);
  }
  for (const Material& source : mesh.materials) {
    tinygltf::Material material;
    material.name = source.name;
    material.pbrMetallicRoughness.baseColorFactor.assign(source.base_color, source.base_color + 4);
    material.pbrMetallicRoughness.baseColorTexture.index = source.base_color_texture;
    // The mesh model keeps no metalness; glTF's default of fully metallic would turn
    // plain coloured meshes dark, so write them as dielectric.
    material.pbrMetallicRoughness.metallicFactor = 0.0;
    model.materials.push_back(std::move(material));
  }

  std::map<std::string, int> attributes;
  attributes["POSITION"] = builder.add_float_accessor(mesh.positions, 3, TINYGLTF_TYPE_VEC3, true);
  if (!mesh.normals.empty())
    attributes["NORMAL"] = builder.add_float_accessor(mesh.normals, 3, TINYGLTF_TYPE_VEC3, false);
  if (!mesh.texcoords.empty()) {
    attributes["TEXCOORD_0"] = builder.add_float_accessor(mesh.texcoords, 2, TINYGLTF_TYPE_VEC2, false);
  }
  if (!mesh.colors.empty())
    attributes["COLOR_0"] = builder.add_float_accessor(mesh.colors, 3, TINYGLTF_TYPE_VEC3, false);

  std::vector<SubMesh> groups = mesh.submeshes;
  if (groups.empty()) groups.push_back({0, static_cast<std::uint32_t>(mesh.indices.size()), -1});
  tinygltf::Mesh out_mesh;
  for (const SubMesh& group : groups) {
    if (group.index_count == 0) continue;
    tinygltf::Primitive primitive;
    primitive.attributes = attributes;  // submeshes share one vertex array
    primitive.indices =
        builder.add_index_accessor(mesh.indices.data() + group.first_index, group.index_count, mesh.vertex_count());
    primitive.material = group.material;
    primitive.mode = TINYGLTF_MODE_TRIANGLES;
    out_mesh.primitives.push_back(std::move(primitive));
  }
  model.meshes.push_back(std::move(out_mesh));
  tinygltf::Node node;
  node.mesh = 0;
  model.nodes.push_back(node);
  tinygltf::Scene scene;
  scene.nodes.push_back(0);
  model.scenes.push_back(scene);
  model.defaultScene = 0;

  SCZ_ASSIGN_OR_RETURN(Bytes glb, builder.finish());
  return write_file_atomic(path, glb);
}

}  // namespace scenezip
