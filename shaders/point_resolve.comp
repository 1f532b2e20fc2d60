#version 460
// Colours each pixel from the point the visibility buffer holds: its colour or grey,
// lit by the headlight when the cloud has normals; the background where none landed.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kResolveTileSize, local_size_y = kResolveTileSize) in;

layout(std430, binding = kPointResolveBindingParams) readonly buffer Params { GeometryParams params; };
layout(std430, binding = kPointResolveBindingColors) readonly buffer Colors { float colors[]; };
layout(std430, binding = kPointResolveBindingNormals) readonly buffer Normals { float normals[]; };
layout(std430, binding = kPointResolveBindingIds) readonly buffer Ids { uint ids[]; };
layout(std430, binding = kPointResolveBindingImage) writeonly buffer Image { vec4 image[]; };

#include "geometry.glsl"

void main() {
  const uvec2 pixel = gl_GlobalInvocationID.xy;
  if (pixel.x >= params.width || pixel.y >= params.height) return;
  const uint index = pixel.y * params.width + pixel.x;
  const uint i = ids[index];
  if (i == kIdEmpty || i >= params.primitive_count) {
    image[index] = vec4(params.background[0], params.background[1], params.background[2], 0.0);
    return;
  }
  vec3 rgb = params.has_colors != 0 ? vec3(colors[3 * i], colors[3 * i + 1], colors[3 * i + 2]) : vec3(kDefaultGrey);
  if (params.has_normals != 0) {
    const vec3 n = vec3(normals[3 * i], normals[3 * i + 1], normals[3 * i + 2]);
    if (dot(n, n) > 1e-30) rgb = shade(rgb, normalize(rotate_to_camera(n)), pixel_ray(vec2(pixel) + 0.5));
  }
  image[index] = vec4(rgb, 1.0);
}
