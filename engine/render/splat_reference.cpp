#include "engine/render/splat_reference.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "engine/render/covariance.h"

namespace scenezip {

namespace {

constexpr float kShC1 = 0.4886025119029199f;
constexpr float kShC2[5] = {1.0925484305920792f, -1.0925484305920792f, 0.31539156525252005f, -1.0925484305920792f,
                            0.5462742152960396f};
constexpr float kShC3[7] = {-0.5900435899266435f, 2.890611442640554f, -0.4570457994644658f, 0.3731763325901154f,
                            -0.4570457994644658f, 1.445305721320277f, -0.5900435899266435f};

using Mat3 = std::array<std::array<float, 3>, 3>;  // [row][col]

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  return r;
}
Mat3 transpose(const Mat3& a) {
  Mat3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i][j] = a[j][i];
  return r;
}

}  // namespace

void sh_basis(const float d[3], int degree, float basis[16]) {
  std::fill(basis, basis + 16, 0.0f);
  basis[0] = static_cast<float>(activation::kShC0);
  if (degree < 1) return;
  const float x = d[0], y = d[1], z = d[2];
  basis[1] = -kShC1 * y;
  basis[2] = kShC1 * z;
  basis[3] = -kShC1 * x;
  if (degree < 2) return;
  const float xx = x * x, yy = y * y, zz = z * z, xy = x * y, yz = y * z, xz = x * z;
  basis[4] = kShC2[0] * xy;
  basis[5] = kShC2[1] * yz;
  basis[6] = kShC2[2] * (2 * zz - xx - yy);
  basis[7] = kShC2[3] * xz;
  basis[8] = kShC2[4] * (xx - yy);
  if (degree < 3) return;
  basis[9] = kShC3[0] * y * (3 * xx - yy);
  basis[10] = kShC3[1] * xy * z;
  basis[11] = kShC3[2] * y * (4 * zz - xx - yy);
  basis[12] = kShC3[3] * z * (2 * zz - 3 * xx - 3 * yy);
  basis[13] = kShC3[4] * x * (4 * zz - xx - yy);
  basis[14] = kShC3[5] * z * (xx - yy);
  basis[15] = kShC3[6] * x * (xx - 3 * yy);
}

bool tile_touched(const shaderio::Splat2D& s, int tx, int ty, int width, int height) {
  const float tile = static_cast<float>(shaderio::kTileSize);
  const float first_x = tx * tile + 0.5f, first_y = ty * tile + 0.5f;
  const float last_x = std::min(first_x + tile - 1.0f, width - 0.5f);
  const float last_y = std::min(first_y + tile - 1.0f, height - 0.5f);
  const float lo_x = first_x - s.mean_x, lo_y = first_y - s.mean_y;
  const float hi_x = last_x - s.mean_x, hi_y = last_y - s.mean_y;
  if (lo_x <= 0.0f && hi_x >= 0.0f && lo_y <= 0.0f && hi_y >= 0.0f) return true;
  const float a = s.conic_a, b = s.conic_b, c = s.conic_c;
  const float limit = 2.0f * std::log(255.0f * s.opacity) * 1.001f + 1e-3f;
  float best = 3.0e38f;
  for (int e = 0; e < 2; ++e) {
    const float x = e == 0 ? lo_x : hi_x;
    const float y = std::clamp(-b * x / c, lo_y, hi_y);
    best = std::min(best, a * x * x + 2.0f * b * x * y + c * y * y);
    const float y2 = e == 0 ? lo_y : hi_y;
    const float x2 = std::clamp(-b * y2 / a, lo_x, hi_x);
    best = std::min(best, a * x2 * x2 + 2.0f * b * x2 * y2 + c * y2 * y2);
  }
  return best <= limit;
}

bool project_gaussian(const GaussianCloud& cloud, std::size_t i, const Camera& camera, int tiles_x, int tiles_y,
                      shaderio::Splat2D* out, int rect_min[2], int rect_max[2]) {
  const auto view = camera.view_matrix();
  const float* p = &cloud.positions[3 * i];
  float t[3];
  for (int r = 0; r < 3; ++r) t[r] = view[r] * p[0] + view[4 + r] * p[1] + view[8 + r] * p[2] + view[12 + r];
  if (t[2] <= static_cast<float>(camera.znear)) return false;

  Mat3 sigma;
  {
    float raw[3][3];
    covariance_3d(cloud, i, 1.0f, raw);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) sigma[r][c] = raw[r][c];
  }

  const float fx = static_cast<float>(camera.fx), fy = static_cast<float>(camera.fy);
  const float limx = 1.3f * static_cast<float>(camera.tan_fovx());
  const float limy = 1.3f * static_cast<float>(camera.tan_fovy());
  const float tx = std::clamp(t[0] / t[2], -limx, limx) * t[2];
  const float ty = std::clamp(t[1] / t[2], -limy, limy) * t[2];
  const Mat3 J = {{{fx / t[2], 0, -fx * tx / (t[2] * t[2])}, {0, fy / t[2], -fy * ty / (t[2] * t[2])}, {0, 0, 0}}};
  Mat3 W;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) W[r][c] = view[4 * c + r];
  const Mat3 T = mul(J, W);
  const Mat3 cov = mul(mul(T, sigma), transpose(T));
  const float a = cov[0][0] + 0.3f, b = cov[0][1], c = cov[1][1] + 0.3f;
  const float det = a * c - b * b;
  if (det == 0.0f) return false;
  const float inv_det = 1.0f / det;

  const float mid = 0.5f * (a + c);
  const float lambda1 = mid + std::sqrt(std::max(0.1f, mid * mid - det));
  const float lambda2 = mid - std::sqrt(std::max(0.1f, mid * mid - det));
  // Mirrors the shader: 3 sigma, shrunk where opacity keeps alpha under 1/255.
  const float opacity = activation::opacity(cloud.logit_opacities[i]);
  if (opacity < 1.0f / 255.0f) return false;
  const float lambda_max = std::max(lambda1, lambda2);
  const float radius = std::min(std::ceil(3.0f * std::sqrt(lambda_max)),
                                std::ceil(std::sqrt(2.0f * std::log(255.0f * opacity) * lambda_max)));
  const float mean_x = fx * t[0] / t[2] + static_cast<float>(camera.cx);
  const float mean_y = fy * t[1] / t[2] + static_cast<float>(camera.cy);

  const float pimg[2] = {mean_x - 0.5f, mean_y - 0.5f};
  const int grid[2] = {tiles_x, tiles_y};
  const float tile = static_cast<float>(shaderio::kTileSize);
  for (int k = 0; k < 2; ++k) {
    rect_min[k] = std::clamp(static_cast<int>((pimg[k] - radius) / tile), 0, grid[k]);
    rect_max[k] = std::clamp(static_cast<int>((pimg[k] + radius + tile - 1) / tile), 0, grid[k]);
  }
  if ((rect_max[0] - rect_min[0]) * (rect_max[1] - rect_min[1]) == 0) return false;

  // Splat2D's packing (shaderio.h); the GPU's mask of touched tiles stays zero here.
  const auto x_min = static_cast<std::uint32_t>(rect_min[0]), y_min = static_cast<std::uint32_t>(rect_min[1]);
  const auto x_end = static_cast<std::uint32_t>(rect_max[0]), y_end = static_cast<std::uint32_t>(rect_max[1]);
  *out = {mean_x, mean_y, t[2], opacity, c * inv_det, -b * inv_det, a * inv_det,
          0.0f, 0.0f, 0.0f, x_min | (y_min << 16), x_end | (y_end << 12)};
  // Culled when no tile of the rectangle has a pixel that can take alpha >= 1/255.
  bool any_tile = false;
  for (int ty = rect_min[1]; ty < rect_max[1] && !any_tile; ++ty)
    for (int tx = rect_min[0]; tx < rect_max[0] && !any_tile; ++tx)
      any_tile = tile_touched(*out, tx, ty, camera.width, camera.height);
  if (!any_tile) return false;

  float dir[3] = {p[0] - static_cast<float>(camera.position[0]), p[1] - static_cast<float>(camera.position[1]),
                  p[2] - static_cast<float>(camera.position[2])};
  const float dlen = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
  for (float& v : dir) v /= dlen;
  float basis[16];
  sh_basis(dir, cloud.sh_degree, basis);
  const int rest = sh_coeffs_per_channel(cloud.sh_degree) - 1;
  float* rgb[3] = {&out->r, &out->g, &out->b};
  for (int ch = 0; ch < 3; ++ch) {
    float v = basis[0] * cloud.sh_dc[3 * i + ch];
    for (int k = 1; k <= rest; ++k) v += basis[k] * cloud.sh_rest[(3 * i + ch) * rest + (k - 1)];
    *rgb[ch] = std::max(v + 0.5f, 0.0f);
  }
  return true;
}

SplatTiles bin_splats(const GaussianCloud& cloud, const Camera& camera) {
  SplatTiles b;
  b.tile_size = static_cast<int>(shaderio::kTileSize);
  b.tiles_x = (camera.width + b.tile_size - 1) / b.tile_size;
  b.tiles_y = (camera.height + b.tile_size - 1) / b.tile_size;
  b.splats.resize(cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    int rmin[2], rmax[2];
    if (!project_gaussian(cloud, i, camera, b.tiles_x, b.tiles_y, &b.splats[i], rmin, rmax)) continue;
    ++b.visible;
    for (int ty = rmin[1]; ty < rmax[1]; ++ty)
      for (int tx = rmin[0]; tx < rmax[0]; ++tx)
        if (tile_touched(b.splats[i], tx, ty, camera.width, camera.height))
          b.instances.emplace_back(ty * b.tiles_x + tx, b.splats[i].depth, static_cast<std::uint32_t>(i));
  }
  std::sort(b.instances.begin(), b.instances.end());
  b.ranges.assign(static_cast<std::size_t>(b.tiles_x) * b.tiles_y, {0, 0});
  for (std::size_t k = 0; k < b.instances.size(); ++k) {
    const int t = std::get<0>(b.instances[k]);
    if (k == 0 || std::get<0>(b.instances[k - 1]) != t) b.ranges[t].first = k;
    b.ranges[t].second = k + 1;
  }
  return b;
}

float splat_alpha(const shaderio::Splat2D& s, float fx, float fy) {
  const float dx = s.mean_x - fx, dy = s.mean_y - fy;
  const float power = -0.5f * (s.conic_a * dx * dx + s.conic_c * dy * dy) - s.conic_b * dx * dy;
  if (power > 0.0f) return 0.0f;
  const float alpha = std::min(0.99f, s.opacity * std::exp(power));
  return alpha < 1.0f / 255.0f ? 0.0f : alpha;
}

Image render_gaussians_reference(const GaussianCloud& cloud, const Camera& camera,
                                 const std::array<float, 3>& background, SplatStats* stats,
                                 const Image* underlay_color, const std::vector<float>* underlay_depth) {
  const bool underlay = underlay_color && underlay_depth;
  const SplatTiles b = bin_splats(cloud, camera);
  Image image(camera.width, camera.height);
  for (int py = 0; py < camera.height; ++py) {
    for (int px = 0; px < camera.width; ++px) {
      const auto [begin, end] = b.ranges[(py / b.tile_size) * b.tiles_x + px / b.tile_size];
      const float fx = px + 0.5f, fy = py + 0.5f;
      float T = 1.0f;
      float C[3] = {0, 0, 0};
      const std::size_t pixel = static_cast<std::size_t>(py) * camera.width + px;
      const float opaque_depth = underlay ? (*underlay_depth)[pixel] : 3.0e38f;
      for (std::size_t k = begin; k < end; ++k) {
        const shaderio::Splat2D& s = b.splats[std::get<2>(b.instances[k])];
        if (s.depth >= opaque_depth) break;  // front to back: the rest are hidden too
        const float alpha = splat_alpha(s, fx, fy);
        if (alpha == 0.0f) continue;
        const float next_T = T * (1.0f - alpha);
        if (next_T < 0.0001f) break;
        C[0] += s.r * alpha * T;
        C[1] += s.g * alpha * T;
        C[2] += s.b * alpha * T;
        T = next_T;
      }
      float* out = &image.rgb[3 * (static_cast<std::size_t>(py) * camera.width + px)];
      for (int ch = 0; ch < 3; ++ch) {
        out[ch] = C[ch] + T * (underlay ? underlay_color->rgb[3 * pixel + ch] : background[ch]);
      }
    }
  }
  if (stats) *stats = {b.visible, b.instances.size()};
  return image;
}

}  // namespace scenezip
