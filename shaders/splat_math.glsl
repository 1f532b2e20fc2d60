// Projection and SH math shared by the splatting shaders. Its C++ twin is
// engine/render/splat_reference.cpp: change both together.

const float kShC0 = 0.28209479177387814;
const float kShC1 = 0.4886025119029199;
const float kShC2[5] = float[](1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
                               -1.0925484305920792, 0.5462742152960396);
const float kShC3[7] = float[](-0.5900435899266435, 2.890611442640554, -0.4570457994644658,
                               0.3731763325901154, -0.4570457994644658, 1.445305721320277,
                               -0.5900435899266435);

// The per-band basis values for a unit direction, index k matches the SH coefficient k.
void sh_basis(vec3 d, uint degree, out float basis[16]) {
  for (int k = 0; k < 16; ++k) basis[k] = 0.0;
  basis[0] = kShC0;
  if (degree < 1) return;
  const float x = d.x, y = d.y, z = d.z;
  basis[1] = -kShC1 * y;
  basis[2] = kShC1 * z;
  basis[3] = -kShC1 * x;
  if (degree < 2) return;
  const float xx = x * x, yy = y * y, zz = z * z, xy = x * y, yz = y * z, xz = x * z;
  basis[4] = kShC2[0] * xy;
  basis[5] = kShC2[1] * yz;
  basis[6] = kShC2[2] * (2.0 * zz - xx - yy);
  basis[7] = kShC2[3] * xz;
  basis[8] = kShC2[4] * (xx - yy);
  if (degree < 3) return;
  basis[9] = kShC3[0] * y * (3.0 * xx - yy);
  basis[10] = kShC3[1] * xy * z;
  basis[11] = kShC3[2] * y * (4.0 * zz - xx - yy);
  basis[12] = kShC3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy);
  basis[13] = kShC3[4] * x * (4.0 * zz - xx - yy);
  basis[14] = kShC3[5] * z * (xx - yy);
  basis[15] = kShC3[6] * x * (xx - 3.0 * yy);
}

// Rotation matrix of a unit quaternion (w, x, y, z); columns as GLSL stores them.
mat3 quaternion_matrix(vec4 q) {
  const float w = q.x, x = q.y, y = q.z, z = q.w;
  return transpose(mat3(
      1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - w * z), 2.0 * (x * z + w * y),
      2.0 * (x * y + w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - w * x),
      2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y)));
}
