// Projection and shading shared by mesh_*.comp and point_*.comp.
// engine/render/mesh_reference.cpp repeats every operation that decides coverage or
// depth in the same order; `precise` forbids the compiler from fusing multiply-adds or
// reordering them, so both sides round alike and agree pixel for pixel.
// Expects `params` (GeometryParams) to be declared before the include.

vec4 project_point(vec3 p) {  // u, v in pixels, camera z, 1 / z
  precise float x = ((params.view[0] * p.x + params.view[4] * p.y) + params.view[8] * p.z) + params.view[12];
  precise float y = ((params.view[1] * p.x + params.view[5] * p.y) + params.view[9] * p.z) + params.view[13];
  precise float z = ((params.view[2] * p.x + params.view[6] * p.y) + params.view[10] * p.z) + params.view[14];
  // A reciprocal then products, never a/b: some drivers lower a/b to a * (1/b), which
  // would round differently from the C++ twin.
  precise float iz = 1.0 / z;
  precise float u = params.fx * (x * iz) + params.cx;
  precise float v = params.fy * (y * iz) + params.cy;
  return vec4(u, v, z, iz);
}

vec3 rotate_to_camera(vec3 n) {
  return mat3(params.view[0], params.view[1], params.view[2], params.view[4], params.view[5], params.view[6],
              params.view[8], params.view[9], params.view[10]) * n;
}

// Direction of the ray through pixel centre p, in camera space.
vec3 pixel_ray(vec2 p) {
  return normalize(vec3((p.x - params.cx) / params.fx, (p.y - params.cy) / params.fy, 1.0));
}

// Headlight: the light sits at the camera, so only the angle to the view ray matters.
vec3 shade(vec3 base, vec3 n, vec3 ray) {
  return base * (kShadeAmbient + kShadeDiffuse * abs(dot(n, ray)));
}
