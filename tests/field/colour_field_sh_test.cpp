// SH fitted per Gaussian from a decoded colour field (engine/field/colour_field_sh): the
// least-squares fit is exact on SH, the GPU's evaluation of a field fitted on a real scene
// gives the C++ reference's SH (CPU Vulkan driver, validation on), and the SH reproduce
// the field's colours along directions other than those fitted.
#include "engine/field/colour_field_sh.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/field/field_random.h"
#include "engine/gpu/colour_field_kernel.h"
#include "engine/render/splat_reference.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip::field {
namespace {

constexpr const char* kScene = "splats/small-sh3-9k.ply";

TEST(ColourFieldSh, LeastSquaresRecoversShExactly) {
  const std::vector<float> dirs = sh_fit_directions();
  const std::vector<double>& fit = sh_fit_matrix();
  for (std::uint32_t trial = 0; trial < 20; ++trial) {
    double coeffs[16];
    for (int j = 0; j < 16; ++j) coeffs[j] = 2.0 * unit_float(pcg_hash(trial * 16 + j)) - 1.0;
    std::vector<double> values(kShFitDirections);
    for (int k = 0; k < kShFitDirections; ++k) {
      float b[16];
      sh_basis(&dirs[3 * k], 3, b);
      for (int j = 0; j < 16; ++j) values[k] += b[j] * coeffs[j];
    }
    for (int j = 0; j < 16; ++j) {
      double got = 0;
      for (int k = 0; k < kShFitDirections; ++k) got += fit[j * kShFitDirections + k] * values[k];
      EXPECT_NEAR(got, coeffs[j], 1e-5) << "coefficient " << j;
    }
  }
}

struct Fitted {
  GaussianCloud cloud;  // the first Gaussians of the scene (tests stay fast on the CPU driver)
  DecodedColourField field;
};

Fitted fitted(ColourTarget target, std::size_t count) {
  auto scene = load_scene(test::data_path(kScene));
  EXPECT_TRUE(scene.ok());
  Fitted f;
  const GaussianCloud& all = *scene->gaussians();
  f.cloud.resize(std::min(count, all.count), all.sh_degree);
  for (std::size_t i = 0; i < f.cloud.count; ++i) f.cloud.copy_from(all, i, i);
  auto data = make_colour_field_data(f.cloud, 0);
  EXPECT_TRUE(data.ok());
  FieldConfig c;
  c.levels = 6;
  c.log2_table_size = 12;
  c.base_resolution = 8;
  c.per_level_scale = 1.8f;
  c.hidden_width = 16;
  c.hidden_layers = 1;
  c.batch_size = 1024;
  c.steps = 120;
  auto model = FieldModel::create(colour_field_config(c, target));
  EXPECT_TRUE(model.ok());
  EXPECT_TRUE(fit_colour_field_cpu(*data, target, &*model).ok());
  auto stored = store_colour_field(*model, target, data->contraction, f.cloud.positions);
  EXPECT_TRUE(stored.ok());
  auto loaded = load_colour_field(*stored, f.cloud.positions);
  EXPECT_TRUE(loaded.ok());
  f.field = std::move(*loaded);
  return f;
}

TEST(ColourFieldSh, GpuEvaluationGivesTheReferenceShOnRealScene) {
  SCZ_REQUIRE_DATA(kScene);
  auto context = gpu::Context::create({.validation = true});
  ASSERT_TRUE(context.ok()) << context.status().message();
  for (const ColourTarget target : {ColourTarget::kViewDependent, ColourTarget::kFull}) {
    const Fitted f = fitted(target, 1500);
    GaussianCloud on_cpu = f.cloud, on_gpu = f.cloud;
    ASSERT_TRUE(bake_colour_field_sh(f.field, cpu_field_evaluator(), &on_cpu).ok());
    const Status s = bake_colour_field_sh(f.field, gpu::gpu_field_evaluator(**context), &on_gpu);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ((*context)->validation_errors(), 0u);
    ASSERT_EQ(on_cpu.sh_degree, 3);
    ASSERT_EQ(on_gpu.sh_rest.size(), on_cpu.sh_rest.size());
    double worst = 0;
    for (std::size_t i = 0; i < on_cpu.sh_rest.size(); ++i) {
      worst = std::max<double>(worst, std::fabs(on_cpu.sh_rest[i] - on_gpu.sh_rest[i]));
    }
    for (std::size_t i = 0; i < on_cpu.sh_dc.size(); ++i) {
      worst = std::max<double>(worst, std::fabs(on_cpu.sh_dc[i] - on_gpu.sh_dc[i]));
    }
    std::printf("%s: largest SH difference GPU vs reference %.3g\n", colour_target_name(target), worst);
    EXPECT_LT(worst, 1e-4);
  }
}

TEST(ColourFieldSh, FittedShReproduceTheFieldBetweenFitDirections) {
  SCZ_REQUIRE_DATA(kScene);
  for (const ColourTarget target : {ColourTarget::kViewDependent, ColourTarget::kFull}) {
    const Fitted f = fitted(target, 3000);
    GaussianCloud baked = f.cloud;
    ASSERT_TRUE(bake_colour_field_sh(f.field, cpu_field_evaluator(), &baked).ok());
    // Random directions, none of them a fit direction.
    const std::size_t n = baked.count;
    std::vector<float> positions(3 * n), directions(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
      f.field.contraction.apply(&baked.positions[3 * i], &positions[3 * i]);
      const float z = 1.0f - 2.0f * unit_float(pcg_hash(static_cast<std::uint32_t>(2 * i)));
      const float r = std::sqrt(std::max(0.0f, 1.0f - z * z));
      const float phi = 6.2831853f * unit_float(pcg_hash(static_cast<std::uint32_t>(2 * i + 1)));
      directions[3 * i] = r * std::cos(phi);
      directions[3 * i + 1] = r * std::sin(phi);
      directions[3 * i + 2] = z;
    }
    const std::vector<float> outputs = evaluate(f.field.model, {positions.data(), directions.data(), n});
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      float b[16];
      sh_basis(&directions[3 * i], 3, b);
      for (int c = 0; c < 3; ++c) {
        const float from_field = target == ColourTarget::kFull
                                     ? outputs[3 * i + c]
                                     : activation::dc_to_color(f.cloud.sh_dc[3 * i + c]) + outputs[3 * i + c];
        float from_sh = 0.5f + b[0] * baked.sh_dc[3 * i + c];
        for (int j = 1; j < 16; ++j) from_sh += b[j] * baked.sh_rest[45 * i + 15 * c + j - 1];
        const double d = std::clamp(from_field, 0.0f, 1.0f) - std::clamp(from_sh, 0.0f, 1.0f);
        sum += d * d;
      }
    }
    const double psnr = 10 * std::log10(3.0 * n / sum);
    std::printf("%s: SH fitted from the field reproduce it to %.2f dB\n", colour_target_name(target), psnr);
    EXPECT_GT(psnr, 35.0);
  }
}

}  // namespace
}  // namespace scenezip::field
