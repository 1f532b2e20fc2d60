// Generates assets/demo-knot.ply: a trefoil knot tube of 8,000 Gaussians with SH degree 1,
// made by the project itself so it can ship freely. Deterministic: the same build writes
// the same bytes. Usage: make_demo_knot OUT.ply
#include <cmath>
#include <cstdio>
#include <random>

#include "formats/file_io.h"
#include "formats/inria_ply.h"

int main(int argc, char** argv) {
  using namespace scenezip;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_demo_knot OUT.ply\n");
    return 2;
  }
  constexpr int kAlong = 400;   // samples along the knot
  constexpr int kAround = 20;   // samples around the tube
  constexpr float kTube = 0.18f;
  constexpr double kPi = 3.14159265358979323846;
  GaussianCloud cloud;
  cloud.resize(static_cast<std::size_t>(kAlong) * kAround, 1);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> jitter(-0.5f, 0.5f);
  auto knot = [](double t, double* p) {
    p[0] = std::sin(t) + 2 * std::sin(2 * t);
    p[1] = std::cos(t) - 2 * std::cos(2 * t);
    p[2] = -std::sin(3 * t);
  };
  std::size_t i = 0;
  for (int a = 0; a < kAlong; ++a) {
    const double t = 2 * kPi * a / kAlong;
    double p[3], q[3];
    knot(t, p);
    knot(t + 1e-3, q);
    double tangent[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
    const double tl = std::sqrt(tangent[0] * tangent[0] + tangent[1] * tangent[1] + tangent[2] * tangent[2]);
    for (double& v : tangent) v /= tl;
    // A frame around the tangent: any vector not parallel to it, made orthogonal.
    double n[3] = {-tangent[1], tangent[0], 0.3};
    const double d = n[0] * tangent[0] + n[1] * tangent[1] + n[2] * tangent[2];
    for (int k = 0; k < 3; ++k) n[k] -= d * tangent[k];
    const double nl = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    for (double& v : n) v /= nl;
    const double b[3] = {tangent[1] * n[2] - tangent[2] * n[1], tangent[2] * n[0] - tangent[0] * n[2],
                         tangent[0] * n[1] - tangent[1] * n[0]};
    for (int r = 0; r < kAround; ++r, ++i) {
      const double phi = 2 * kPi * (r + 0.5 * (a % 2)) / kAround;
      const double c = std::cos(phi), s = std::sin(phi);
      for (int k = 0; k < 3; ++k) {
        cloud.positions[3 * i + k] = static_cast<float>(p[k] + kTube * (c * n[k] + s * b[k]));
      }
      // Flat discs lying on the tube surface: thin along the normal direction.
      cloud.log_scales[3 * i + 0] = std::log(0.045f * (1.0f + 0.2f * jitter(rng)));
      cloud.log_scales[3 * i + 1] = std::log(0.04f * (1.0f + 0.2f * jitter(rng)));
      cloud.log_scales[3 * i + 2] = std::log(0.008f);
      // Quaternion of the frame (tangent, around, outward), via the matrix's trace.
      const double outward[3] = {c * n[0] + s * b[0], c * n[1] + s * b[1], c * n[2] + s * b[2]};
      const double around[3] = {outward[1] * tangent[2] - outward[2] * tangent[1],
                                outward[2] * tangent[0] - outward[0] * tangent[2],
                                outward[0] * tangent[1] - outward[1] * tangent[0]};
      const double m[3][3] = {{tangent[0], around[0], outward[0]},
                              {tangent[1], around[1], outward[1]},
                              {tangent[2], around[2], outward[2]}};
      const double w = std::sqrt(std::max(0.0, 1 + m[0][0] + m[1][1] + m[2][2])) / 2;
      double qx = std::sqrt(std::max(0.0, 1 + m[0][0] - m[1][1] - m[2][2])) / 2;
      double qy = std::sqrt(std::max(0.0, 1 - m[0][0] + m[1][1] - m[2][2])) / 2;
      double qz = std::sqrt(std::max(0.0, 1 - m[0][0] - m[1][1] + m[2][2])) / 2;
      qx = std::copysign(qx, m[2][1] - m[1][2]);
      qy = std::copysign(qy, m[0][2] - m[2][0]);
      qz = std::copysign(qz, m[1][0] - m[0][1]);
      cloud.rotations[4 * i + 0] = static_cast<float>(w);
      cloud.rotations[4 * i + 1] = static_cast<float>(qx);
      cloud.rotations[4 * i + 2] = static_cast<float>(qy);
      cloud.rotations[4 * i + 3] = static_cast<float>(qz);
      cloud.logit_opacities[i] = activation::logit(0.85f + 0.1f * jitter(rng));
      // A rainbow along the knot, brighter on the outside of the tube, plus a view-
      // dependent tint in the first SH band.
      const double hue = t;
      const float rgb[3] = {static_cast<float>(0.5 + 0.45 * std::cos(hue)),
                            static_cast<float>(0.5 + 0.45 * std::cos(hue - 2.094)),
                            static_cast<float>(0.5 + 0.45 * std::cos(hue + 2.094))};
      for (int k = 0; k < 3; ++k) {
        cloud.sh_dc[3 * i + k] = activation::color_to_dc(rgb[k] * static_cast<float>(0.8 + 0.2 * s));
        for (int j = 0; j < 3; ++j) cloud.sh_rest[9 * i + 3 * k + j] = 0.15f * static_cast<float>(outward[j]);
      }
    }
  }
  cloud.normalize_rotations();
  const Status status = write_file_atomic(argv[1], encode_inria_ply(cloud));
  if (!status.ok()) {
    std::fprintf(stderr, "make_demo_knot: %s: %s\n", argv[1], status.message().c_str());
    return 2;
  }
  std::printf("wrote %s: %zu Gaussians\n", argv[1], cloud.count);
  return 0;
}
