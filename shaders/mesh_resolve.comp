#version 460
// Shades each pixel from the triangle the visibility buffer holds: perspective-correct
// attributes, base colour = material colour * bilinear texture * vertex colour, then the
// headlight. Pixels nobody drew get the background.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kResolveTileSize, local_size_y = kResolveTileSize) in;

layout(std430, binding = kMeshResolveBindingParams) readonly buffer Params { GeometryParams params; };
layout(std430, binding = kMeshResolveBindingIndices) readonly buffer Indices { uint indices[]; };
layout(std430, binding = kMeshResolveBindingProjected) readonly buffer Projected { vec4 projected[]; };
layout(std430, binding = kMeshResolveBindingPositions) readonly buffer Positions { float positions[]; };
layout(std430, binding = kMeshResolveBindingNormals) readonly buffer Normals { float normals[]; };
layout(std430, binding = kMeshResolveBindingTexcoords) readonly buffer Texcoords { float texcoords[]; };
layout(std430, binding = kMeshResolveBindingColors) readonly buffer Colors { float colors[]; };
layout(std430, binding = kMeshResolveBindingTriangleMaterial) readonly buffer TriangleMaterial { uint triangle_material[]; };
layout(std430, binding = kMeshResolveBindingMaterials) readonly buffer Materials { MeshMaterial materials[]; };
layout(std430, binding = kMeshResolveBindingTextures) readonly buffer Textures { TextureSlot textures[]; };
layout(std430, binding = kMeshResolveBindingTexels) readonly buffer Texels { uint texels[]; };
layout(std430, binding = kMeshResolveBindingIds) readonly buffer Ids { uint ids[]; };
layout(std430, binding = kMeshResolveBindingImage) writeonly buffer Image { vec4 image[]; };

#include "geometry.glsl"
#include "mesh_triangle.glsl"

vec3 vertex3(uint i, bool normal) {
  return normal ? vec3(normals[3 * i], normals[3 * i + 1], normals[3 * i + 2])
                : vec3(colors[3 * i], colors[3 * i + 1], colors[3 * i + 2]);
}

vec4 texel(TextureSlot slot, int x, int y) {
  return unpackUnorm4x8(texels[slot.offset + uint(y) * slot.width + uint(x)]);
}

// Bilinear with repeat wrapping (glTF's default sampler; the readers keep no samplers).
vec4 sample_texture(uint index, vec2 uv) {
  const TextureSlot slot = textures[index];
  const vec2 size = vec2(slot.width, slot.height);
  const vec2 f = (uv - floor(uv)) * size - 0.5;  // wrapped first, so the integers stay small
  const vec2 base = floor(f);
  const vec2 w = f - base;
  const ivec2 n = ivec2(slot.width, slot.height);
  const ivec2 i0 = (ivec2(base) + n) % n;
  const ivec2 i1 = (i0 + 1) % n;
  return mix(mix(texel(slot, i0.x, i0.y), texel(slot, i1.x, i0.y), w.x),
             mix(texel(slot, i0.x, i1.y), texel(slot, i1.x, i1.y), w.x), w.y);
}

void main() {
  const uvec2 pixel = gl_GlobalInvocationID.xy;
  if (pixel.x >= params.width || pixel.y >= params.height) return;
  const uint index = pixel.y * params.width + pixel.x;
  const uint t = ids[index];
  Triangle tri;
  if (t == kIdEmpty || !setup_triangle(t, tri)) {
    image[index] = vec4(params.background[0], params.background[1], params.background[2], 0.0);
    return;
  }
  const vec2 p = vec2(pixel) + 0.5;
  const vec3 e = triangle_edges(tri, p);
  const float depth = triangle_depth(tri, e);
  // Perspective-correct weights: screen barycentrics scaled by 1/z, renormalised.
  const vec3 b = e / ((e.x + e.y) + e.z) * tri.iz * depth;

  const uint m = min(triangle_material[t], params.material_count);
  const MeshMaterial material = materials[m];
  vec3 base = vec3(material.base_color[0], material.base_color[1], material.base_color[2]);
  if (material.texture != kNoTexture && params.has_texcoords != 0) {
    const uvec3 v = tri.v;
    const vec2 uv = b.x * vec2(texcoords[2 * v.x], texcoords[2 * v.x + 1]) +
                    b.y * vec2(texcoords[2 * v.y], texcoords[2 * v.y + 1]) +
                    b.z * vec2(texcoords[2 * v.z], texcoords[2 * v.z + 1]);
    base *= sample_texture(material.texture, uv).rgb;
  }
  if (params.has_colors != 0) {
    base *= b.x * vertex3(tri.v.x, false) + b.y * vertex3(tri.v.y, false) + b.z * vertex3(tri.v.z, false);
  }

  vec3 n = vec3(0.0);
  if (params.has_normals != 0) {
    n = b.x * vertex3(tri.v.x, true) + b.y * vertex3(tri.v.y, true) + b.z * vertex3(tri.v.z, true);
  }
  if (!(dot(n, n) > 1e-30)) {
    // No usable vertex normal: the face normal (its sign does not matter to the headlight).
    const uvec3 v = tri.v;
    const vec3 a = vec3(positions[3 * v.x], positions[3 * v.x + 1], positions[3 * v.x + 2]);
    const vec3 b1 = vec3(positions[3 * v.y], positions[3 * v.y + 1], positions[3 * v.y + 2]);
    const vec3 c = vec3(positions[3 * v.z], positions[3 * v.z + 1], positions[3 * v.z + 2]);
    n = cross(b1 - a, c - a);
  }
  vec3 rgb = base;
  if (dot(n, n) > 1e-30) rgb = shade(base, normalize(rotate_to_camera(n)), pixel_ray(p));
  image[index] = vec4(rgb, 1.0);
}
