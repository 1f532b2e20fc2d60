#include "engine/field/colour_field_sh.h"

#include <cmath>

#include "engine/render/splat_reference.h"

namespace scenezip::field {

namespace {

// Gaussians per evaluation chunk: kShFitDirections inputs each.
constexpr std::size_t kChunkGaussians = 4096;

// Solves the 16 x 16 system a x = b in place (Gaussian elimination, partial pivoting).
void solve16(std::vector<double>& a, std::vector<double>& b, int columns) {
  constexpr int n = 16;
  for (int c = 0; c < n; ++c) {
    int pivot = c;
    for (int r = c + 1; r < n; ++r) {
      if (std::fabs(a[r * n + c]) > std::fabs(a[pivot * n + c])) pivot = r;
    }
    for (int k = 0; k < n; ++k) std::swap(a[c * n + k], a[pivot * n + k]);
    for (int k = 0; k < columns; ++k) std::swap(b[c * columns + k], b[pivot * columns + k]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r * n + c] / a[c * n + c];
      for (int k = 0; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
      for (int k = 0; k < columns; ++k) b[r * columns + k] -= f * b[c * columns + k];
    }
  }
  for (int r = 0; r < n; ++r) {
    for (int k = 0; k < columns; ++k) b[r * columns + k] /= a[r * n + r];
  }
}

}  // namespace

FieldEvaluator cpu_field_evaluator() {
  return [](const FieldModel& model, const float* positions, const float* directions,
            std::size_t count) -> Result<std::vector<float>> {
    return evaluate(model, {positions, directions, count});
  };
}

std::vector<float> sh_fit_directions() {
  std::vector<float> d(3 * kShFitDirections);
  const double golden = 3.14159265358979323846 * (3.0 - std::sqrt(5.0));
  for (int k = 0; k < kShFitDirections; ++k) {
    const double z = 1.0 - (2.0 * k + 1.0) / kShFitDirections;
    const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
    d[3 * k] = static_cast<float>(r * std::cos(golden * k));
    d[3 * k + 1] = static_cast<float>(r * std::sin(golden * k));
    d[3 * k + 2] = static_cast<float>(z);
  }
  return d;
}

const std::vector<double>& sh_fit_matrix() {
  static const std::vector<double> matrix = [] {
    const std::vector<float> dirs = sh_fit_directions();
    std::vector<double> basis(16 * kShFitDirections);  // [direction][coefficient]
    for (int k = 0; k < kShFitDirections; ++k) {
      float b[16];
      sh_basis(&dirs[3 * k], 3, b);
      for (int j = 0; j < 16; ++j) basis[k * 16 + j] = b[j];
    }
    // (B^T B) P = B^T: P's rows give the coefficients from the values.
    std::vector<double> normal(16 * 16, 0.0), rhs(16 * kShFitDirections, 0.0);
    for (int i = 0; i < 16; ++i) {
      for (int j = 0; j < 16; ++j) {
        for (int k = 0; k < kShFitDirections; ++k) normal[i * 16 + j] += basis[k * 16 + i] * basis[k * 16 + j];
      }
      for (int k = 0; k < kShFitDirections; ++k) rhs[i * kShFitDirections + k] = basis[k * 16 + i];
    }
    solve16(normal, rhs, kShFitDirections);
    return rhs;
  }();
  return matrix;
}

Status bake_colour_field_sh(const DecodedColourField& field, const FieldEvaluator& evaluate, GaussianCloud* cloud) {
  const std::size_t n = cloud->count;
  if (cloud->positions.size() != 3 * n || cloud->sh_dc.size() != 3 * n) {
    return internal_error("colour field: cloud arrays disagree with its count");
  }
  cloud->set_sh_degree(3);
  const int stride = cloud->sh_rest_stride();  // 45: channel-major, 15 per channel
  const std::vector<float> dirs = sh_fit_directions();
  const std::vector<double>& fit = sh_fit_matrix();
  constexpr int K = kShFitDirections;
  std::vector<float> positions, directions;
  for (std::size_t first = 0; first < n; first += kChunkGaussians) {
    const std::size_t count = std::min(kChunkGaussians, n - first);
    positions.resize(3 * K * count);
    directions.resize(3 * K * count);
    for (std::size_t g = 0; g < count; ++g) {
      float unit[3];
      field.contraction.apply(&cloud->positions[3 * (first + g)], unit);
      for (int k = 0; k < K; ++k) {
        for (int a = 0; a < 3; ++a) {
          positions[3 * (g * K + k) + a] = unit[a];
          directions[3 * (g * K + k) + a] = dirs[3 * k + a];
        }
      }
    }
    Result<std::vector<float>> outputs = evaluate(field.model, positions.data(), directions.data(), K * count);
    if (!outputs.ok()) return outputs.status().with_context("evaluating the colour field");
    if (outputs->size() != 3 * K * count) return internal_error("colour field: evaluator returned a wrong count");
    for (std::size_t g = 0; g < count; ++g) {
      const std::size_t i = first + g;
      for (int c = 0; c < 3; ++c) {
        // The SH part of the colour along each direction: colour - 0.5 for all of the
        // colour, the residual itself for the view-dependent part.
        double coeffs[16] = {};
        for (int k = 0; k < K; ++k) {
          float v = (*outputs)[3 * (g * K + k) + c];
          if (field.target == ColourTarget::kFull) v -= 0.5f;
          for (int j = 0; j < 16; ++j) coeffs[j] += fit[j * K + k] * v;
        }
        for (double v : coeffs) {
          // A damaged field can give anything; a colour must stay finite.
          if (!std::isfinite(v) || std::fabs(v) > 1e6) {
            return invalid_input("colour field gives a non-finite or absurd colour at Gaussian " + std::to_string(i));
          }
        }
        float& dc = cloud->sh_dc[3 * i + c];
        dc = static_cast<float>(field.target == ColourTarget::kFull ? coeffs[0] : dc + coeffs[0]);
        for (int j = 1; j < 16; ++j) cloud->sh_rest[i * stride + c * 15 + (j - 1)] = static_cast<float>(coeffs[j]);
      }
    }
  }
  return Status::Ok();
}

void install_colour_field_decoding(FieldEvaluator evaluate, std::function<void(const std::string&)> note) {
  scz::set_colour_field_resolver([evaluate = std::move(evaluate), note = std::move(note)](
                                     const scz::ColourFieldStreams& streams, GaussianCloud& cloud) -> Status {
    SCZ_ASSIGN_OR_RETURN(const DecodedColourField field, load_colour_field(streams, cloud.positions));
    if (note) {
      note(std::string("colours from a hash-grid field (") + colour_target_name(field.target) +
           "), fitted per Gaussian to SH degree 3 over " + std::to_string(kShFitDirections) + " directions");
    }
    return bake_colour_field_sh(field, evaluate, &cloud);
  });
}

}  // namespace scenezip::field
