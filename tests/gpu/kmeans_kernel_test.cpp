// GPU k-means (engine/gpu/kmeans_kernel) against its C++ reference (engine/codec/kmeans)
// on real splat attributes, plus the edge cases of the contract, with the validation
// layer on. Sizes stay small: the CPU Vulkan driver runs these on two cores.
#include "engine/gpu/kmeans_kernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "engine/codec/kmeans.h"
#include "formats/formats.h"
#include "tests/test_support.h"

namespace scenezip {
namespace {

constexpr const char* kScene = "splats/small-sh3-9k.ply";

std::unique_ptr<gpu::Context> make_context() {
  auto context = gpu::Context::create({.validation = true});
  EXPECT_TRUE(context.ok()) << context.status().message();
  return context.ok() ? std::move(*context) : nullptr;
}

// Columns [first, first + dims) of the scene's SH rest coefficients, one row per Gaussian.
std::vector<float> sh_slice(const GaussianCloud& cloud, int first, int dims) {
  const int stride = cloud.sh_rest_stride();
  std::vector<float> out(cloud.count * dims);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    for (int j = 0; j < dims; ++j) out[i * dims + j] = cloud.sh_rest[i * stride + first + j];
  }
  return out;
}

std::vector<float> opacities(const GaussianCloud& cloud) {
  std::vector<float> w(cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) w[i] = 1.0f / (1.0f + std::exp(-cloud.logit_opacities[i]));
  return w;
}

double squared_distance(const float* a, const float* b, int dims) {
  double sum = 0;
  for (int j = 0; j < dims; ++j) sum += (static_cast<double>(a[j]) - b[j]) * (static_cast<double>(a[j]) - b[j]);
  return sum;
}

// GPU and CPU assignments agree; where they differ the two centroids must be equally near
// (within float rounding), and the distances agree.
void expect_same_assignment(gpu::Context& context, const std::vector<float>& data, int dims,
                            const std::vector<float>& centroids, const std::string& what) {
  const std::size_t n = data.size() / dims;
  const int k = static_cast<int>(centroids.size() / dims);
  std::vector<std::uint32_t> cpu(n), gpu(n);
  std::vector<float> cpu_d(n), gpu_d(n);
  codec::assign_nearest(data.data(), n, dims, centroids.data(), k, cpu.data(), cpu_d.data(), 2);
  ASSERT_TRUE(gpu::assign_nearest_gpu(context, data.data(), n, dims, centroids.data(), k, gpu.data(), gpu_d.data()).ok());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_LT(gpu[i], static_cast<std::uint32_t>(k)) << what << " vector " << i;
    ASSERT_NEAR(gpu_d[i], cpu_d[i], 1e-6 * cpu_d[i] + 1e-30) << what << " vector " << i;
    if (gpu[i] == cpu[i]) continue;
    ++differ;
    const double to_gpu = squared_distance(&data[i * dims], &centroids[gpu[i] * dims], dims);
    const double to_cpu = squared_distance(&data[i * dims], &centroids[cpu[i] * dims], dims);
    EXPECT_NEAR(to_gpu, to_cpu, 1e-5 * to_cpu + 1e-30) << what << " vector " << i << ": GPU " << gpu[i] << ", CPU "
                                                       << cpu[i];
  }
  EXPECT_LE(differ, n / 1000) << what;
}

TEST(KMeansKernel, AssignmentMatchesCpuOnRealScene) {
  SCZ_REQUIRE_DATA(kScene);
  auto scene = load_scene(test::data_path(kScene));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = make_context();
  ASSERT_TRUE(context);

  // SH slices as wide as the presets use (27 and 24 values, several shared-memory chunks
  // of centroids) and log-scales with 4,096 codes.
  for (auto [first, dims, k] : {std::tuple{0, 27, 300}, std::tuple{21, 24, 64}, std::tuple{0, 45, 100}}) {
    const std::vector<float> data = sh_slice(cloud, first, dims);
    codec::KMeansOptions options;
    options.k = k;
    options.iterations = 2;
    const codec::KMeansResult km = codec::train_kmeans(data.data(), cloud.count, dims, nullptr, options);
    expect_same_assignment(*context, data, dims, km.centroids, "SH " + std::to_string(dims));
  }
  std::vector<float> scale_codes(cloud.log_scales.begin(), cloud.log_scales.begin() + 3 * 4096);
  expect_same_assignment(*context, cloud.log_scales, 3, scale_codes, "log-scales");
  EXPECT_EQ(context->validation_errors(), 0u);
}

TEST(KMeansKernel, TiesGoToTheLowerIndex) {
  auto context = make_context();
  ASSERT_TRUE(context);
  // Centroid 3 repeats centroid 1 and centroid 300 repeats centroid 2 (another chunk).
  const int dims = 20, k = 400;
  codec::SplitMix64 rng(5);
  std::vector<float> centroids(k * dims);
  for (float& v : centroids) v = static_cast<float>(rng.uniform());
  std::copy_n(&centroids[1 * dims], dims, &centroids[3 * dims]);
  std::copy_n(&centroids[2 * dims], dims, &centroids[300 * dims]);
  std::vector<float> data;
  for (int c : {1, 2, 3, 300}) data.insert(data.end(), &centroids[c * dims], &centroids[(c + 1) * dims]);
  std::vector<std::uint32_t> out(4);
  std::vector<float> distance(4);
  ASSERT_TRUE(gpu::assign_nearest_gpu(*context, data.data(), 4, dims, centroids.data(), k, out.data(), distance.data())
                  .ok());
  EXPECT_EQ(out, (std::vector<std::uint32_t>{1, 2, 1, 2}));
  EXPECT_EQ(distance, std::vector<float>(4, 0.0f));
  EXPECT_EQ(context->validation_errors(), 0u);
}

// Same seed and options: the GPU iterates from the CPU's seeds and reaches its inertia.
TEST(KMeansKernel, TrainingReachesCpuInertiaOnRealScene) {
  SCZ_REQUIRE_DATA(kScene);
  auto scene = load_scene(test::data_path(kScene));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& cloud = *scene->gaussians();
  auto context = make_context();
  ASSERT_TRUE(context);
  auto kernels = gpu::KMeansKernels::create(*context);
  ASSERT_TRUE(kernels.ok()) << kernels.status().message();
  const std::vector<float> weights = opacities(cloud);

  struct Case {
    std::string name;
    std::vector<float> data;
    int dims, k;
    std::size_t samples;
    bool weighted;
  };
  const std::vector<Case> cases = {
      {"SH 27", sh_slice(cloud, 18, 27), 27, 128, 0, true},
      {"SH 6 sampled", sh_slice(cloud, 0, 6), 6, 300, 4000, true},
      {"log-scales", cloud.log_scales, 3, 512, 0, false},
      {"opacity", cloud.logit_opacities, 1, 256, 0, false},
  };
  for (const Case& c : cases) {
    codec::KMeansOptions options;
    options.k = c.k;
    options.iterations = 8;
    options.max_samples = c.samples;
    options.seed = 77;
    const float* w = c.weighted ? weights.data() : nullptr;
    const codec::KMeansResult cpu = codec::train_kmeans(c.data.data(), cloud.count, c.dims, w, options);
    auto gpu = (*kernels)->train(c.data.data(), cloud.count, c.dims, w, options);
    ASSERT_TRUE(gpu.ok()) << c.name << ": " << gpu.status().message();
    EXPECT_EQ(gpu->k, cpu.k) << c.name;
    EXPECT_EQ(gpu->dims, c.dims) << c.name;
    ASSERT_EQ(gpu->centroids.size(), cpu.centroids.size()) << c.name;
    EXPECT_GE(gpu->iterations, 1) << c.name;
    EXPECT_LE(gpu->iterations, options.iterations) << c.name;
    EXPECT_NEAR(gpu->inertia, cpu.inertia, 0.01 * cpu.inertia) << c.name;
    for (float v : gpu->centroids) ASSERT_TRUE(std::isfinite(v)) << c.name;
  }
  EXPECT_EQ(context->validation_errors(), 0u);
}

// Small heavy-tailed clouds with many codes: the GPU follows the CPU's trajectory (the
// same centroids within float sums' rounding, the same iteration count, early stop included).
TEST(KMeansKernel, FollowsCpuOnSmallClouds) {
  auto context = make_context();
  ASSERT_TRUE(context);
  auto kernels = gpu::KMeansKernels::create(*context);
  ASSERT_TRUE(kernels.ok()) << kernels.status().message();
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    codec::SplitMix64 rng(seed * 131);
    const int dims = 2;
    const std::size_t n = 200;
    std::vector<float> data(n * dims);
    // Heavy-tailed blobs: a few dense centres and scattered outliers.
    for (std::size_t i = 0; i < n; ++i) {
      const double r = std::pow(rng.uniform(), 4.0) * 10.0;
      const double centre = static_cast<double>(rng.below(4));
      for (int j = 0; j < dims; ++j) data[i * dims + j] = static_cast<float>(centre + r * (rng.uniform() - 0.5));
    }
    codec::KMeansOptions options;
    options.k = 60;
    options.iterations = 12;
    options.seed = seed;
    const codec::KMeansResult cpu = codec::train_kmeans(data.data(), n, dims, nullptr, options);
    auto gpu = (*kernels)->train(data.data(), n, dims, nullptr, options);
    ASSERT_TRUE(gpu.ok()) << gpu.status().message();
    ASSERT_EQ(gpu->k, cpu.k);
    EXPECT_EQ(gpu->iterations, cpu.iterations) << "seed " << seed;
    for (std::size_t v = 0; v < cpu.centroids.size(); ++v) {
      ASSERT_NEAR(gpu->centroids[v], cpu.centroids[v], 1e-4f * (1.0f + std::abs(cpu.centroids[v])))
          << "seed " << seed << " value " << v;
    }
    EXPECT_NEAR(gpu->inertia, cpu.inertia, 1e-4 * cpu.inertia + 1e-9) << "seed " << seed;
  }
  EXPECT_EQ(context->validation_errors(), 0u);
}

// A start of our own: every training vector, the given weights and seeds.
codec::KMeansStart start_from(std::vector<float> seeds, int dims, std::vector<double> weights) {
  codec::KMeansStart start;
  start.k = static_cast<int>(seeds.size() / dims);
  start.centroids = std::move(seeds);
  start.weights = std::move(weights);
  return start;
}

// Seeds far from every vector leave clusters empty; each takes the vector worst served
// (largest weight x squared distance, ties to the lower index), as on the CPU.
TEST(KMeansKernel, RefillsEmptyClustersAsTheCpuDoes) {
  auto context = make_context();
  ASSERT_TRUE(context);
  auto kernels = gpu::KMeansKernels::create(*context);
  ASSERT_TRUE(kernels.ok()) << kernels.status().message();

  // Squared distances to the seeds 1 and 10.5: 1 0 1 4 0.25 0.25. Codes 1 and 2 are
  // empty: 1 takes the vector at 3, 2 the one at 0 (tied with 2, lower index).
  const std::vector<float> data = {0, 1, 2, 3, 10, 11};
  auto first = (*kernels)->lloyd(data.data(), 6, 1, start_from({1, 100, 200, 10.5f}, 1, std::vector<double>(6, 1.0)), 1);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->centroids, (std::vector<float>{1.5f, 3.0f, 0.0f, 10.5f}));
  EXPECT_EQ(first->iterations, 1);
  // Weights change who is worst served: 10 (weight 20, 0.25 x 20 = 5) goes first.
  std::vector<double> weights = {1, 1, 1, 1, 20, 1};
  for (int iterations : {1, 2, 6}) {
    const codec::KMeansStart start = start_from({1, 100, 200, 10.5f}, 1, weights);
    const codec::KMeansResult cpu = codec::kmeans_lloyd(data.data(), 6, 1, start, iterations, 1);
    auto gpu = (*kernels)->lloyd(data.data(), 6, 1, start, iterations);
    ASSERT_TRUE(gpu.ok()) << gpu.status().message();
    EXPECT_EQ(gpu->centroids, cpu.centroids) << iterations << " iterations";
    EXPECT_EQ(gpu->iterations, cpu.iterations);
    EXPECT_DOUBLE_EQ(gpu->inertia, cpu.inertia);
  }

  // Random 2D points, seeds scattered over a box three times wider: many start empty.
  codec::SplitMix64 rng(9);
  const int dims = 2;
  const std::size_t n = 300;
  std::vector<float> points(n * dims), seeds(40 * dims);
  for (float& v : points) v = static_cast<float>(rng.uniform());
  for (float& v : seeds) v = static_cast<float>(3.0 * rng.uniform() - 1.0);
  std::vector<double> w(n);
  for (double& v : w) v = 0.5 + rng.uniform();
  const codec::KMeansStart start = start_from(seeds, dims, w);
  const codec::KMeansResult cpu = codec::kmeans_lloyd(points.data(), n, dims, start, 10, 1);
  auto gpu = (*kernels)->lloyd(points.data(), n, dims, start, 10);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  EXPECT_EQ(gpu->iterations, cpu.iterations);
  for (std::size_t v = 0; v < cpu.centroids.size(); ++v) {
    ASSERT_NEAR(gpu->centroids[v], cpu.centroids[v], 1e-5f) << "value " << v;
  }
  EXPECT_NEAR(gpu->inertia, cpu.inertia, 1e-5 * cpu.inertia);

  // A start whose parts disagree is refused.
  EXPECT_FALSE((*kernels)->lloyd(data.data(), 6, 1, start_from({1, 2}, 1, {1.0}), 3).ok());
  EXPECT_EQ(context->validation_errors(), 0u);
}

TEST(KMeansKernel, WeightsPullCentroids) {
  auto context = make_context();
  ASSERT_TRUE(context);
  // One code for 0 (weight 1) and 10 (weight 3): the weighted mean, 7.5. With zero
  // weight on the points of one code it keeps its seed.
  const std::vector<float> data = {0.0f, 10.0f};
  const std::vector<float> weights = {1.0f, 3.0f};
  codec::KMeansOptions options;
  options.k = 1;
  auto one = gpu::train_kmeans_gpu(*context, data.data(), 2, 1, weights.data(), options);
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_EQ(one->k, 1);
  EXPECT_FLOAT_EQ(one->centroids[0], 7.5f);
  EXPECT_NEAR(one->inertia, 1 * 7.5 * 7.5 + 3 * 2.5 * 2.5, 1e-4);

  // Four points, two codes; the pair near 100 weighs nothing, the pair near 0 all.
  const std::vector<float> four = {0.0f, 1.0f, 100.0f, 104.0f};
  const std::vector<float> w4 = {1.0f, 1.0f, 0.0f, 0.0f};
  options.k = 2;
  options.iterations = 5;
  const codec::KMeansResult cpu = codec::train_kmeans(four.data(), 4, 1, w4.data(), options);
  auto gpu = gpu::train_kmeans_gpu(*context, four.data(), 4, 1, w4.data(), options);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  EXPECT_EQ(gpu->centroids, cpu.centroids);
  EXPECT_EQ(gpu->iterations, cpu.iterations);
  EXPECT_DOUBLE_EQ(gpu->inertia, cpu.inertia);
  EXPECT_EQ(context->validation_errors(), 0u);
}

TEST(KMeansKernel, MoreCodesThanDistinctVectors) {
  auto context = make_context();
  ASSERT_TRUE(context);
  std::vector<float> data;
  for (int i = 0; i < 100; ++i) data.insert(data.end(), {static_cast<float>(i % 5), 1.0f, -2.0f});
  codec::KMeansOptions options;
  options.k = 16;
  const codec::KMeansResult cpu = codec::train_kmeans(data.data(), 100, 3, nullptr, options);
  auto gpu = gpu::train_kmeans_gpu(*context, data.data(), 100, 3, nullptr, options);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  EXPECT_EQ(gpu->k, 5);
  EXPECT_EQ(gpu->k, cpu.k);
  EXPECT_EQ(gpu->centroids, cpu.centroids);
  EXPECT_EQ(gpu->inertia, 0.0);
  EXPECT_EQ(gpu->iterations, cpu.iterations);
  EXPECT_EQ(context->validation_errors(), 0u);
}

TEST(KMeansKernel, EmptyAndSingleInputs) {
  auto context = make_context();
  ASSERT_TRUE(context);
  codec::KMeansOptions options;
  options.k = 8;
  auto none = gpu::train_kmeans_gpu(*context, nullptr, 0, 4, nullptr, options);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->k, 0);
  EXPECT_TRUE(none->centroids.empty());

  const std::vector<float> one = {1.5f, -2.0f, 3.0f, 0.25f};
  auto single = gpu::train_kmeans_gpu(*context, one.data(), 1, 4, nullptr, options);
  ASSERT_TRUE(single.ok()) << single.status().message();
  EXPECT_EQ(single->k, 1);
  EXPECT_EQ(single->centroids, one);
  EXPECT_EQ(single->inertia, 0.0);

  std::uint32_t index = 7;
  float distance = -1;
  EXPECT_TRUE(gpu::assign_nearest_gpu(*context, nullptr, 0, 4, one.data(), 1, &index, &distance).ok());
  EXPECT_EQ(index, 7u);  // nothing written
  const std::vector<float> point = {1.5f, -2.0f, 3.0f, 1.25f};
  ASSERT_TRUE(gpu::assign_nearest_gpu(*context, point.data(), 1, 4, one.data(), 1, &index, nullptr).ok());
  EXPECT_EQ(index, 0u);

  // Vectors wider than the kernel holds are refused, not truncated.
  std::vector<float> wide(2 * 65, 0.0f);
  EXPECT_FALSE(gpu::train_kmeans_gpu(*context, wide.data(), 2, 65, nullptr, options).ok());
  EXPECT_EQ(context->validation_errors(), 0u);
}

// `compress --device gpu` writes a file that decodes and renders as well as `--device cpu`'s.
TEST(KMeansKernel, CompressOnGpuMatchesCpuQuality) {
  SCZ_REQUIRE_DATA(kScene);
  test::ScratchDir dir;
  // The first 3,000 Gaussians of the scene: the CPU Vulkan driver runs k-means slowly.
  auto scene = load_scene(test::data_path(kScene));
  ASSERT_TRUE(scene.ok()) << scene.status().message();
  const GaussianCloud& full = *scene->gaussians();
  GaussianCloud part;
  part.resize(3000, full.sh_degree);
  for (std::size_t i = 0; i < part.count; ++i) part.copy_from(full, i, i);
  const std::string in = dir.file("part.ply");
  ASSERT_TRUE(save_scene(Scene{std::move(part)}, in).ok());
  nlohmann::json result[2];
  const char* devices[2] = {"cpu", "gpu"};
  for (int d = 0; d < 2; ++d) {
    const std::string out = dir.file(std::string(devices[d]) + ".scz");
    auto r = test::run_scenezip("compress " + in + " " + out + " --preset small --json --device " + devices[d]);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("validation error"), std::string::npos) << r.err;
    result[d] = nlohmann::json::parse(r.out);
    EXPECT_EQ(result[d]["kmeans_device"], devices[d]);
    auto back = load_scene(out);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->primitive_count(), result[d]["count_out"].get<std::size_t>());
  }
  double psnr[2];
  for (int d = 0; d < 2; ++d) {
    auto e = test::run_scenezip("eval " + in + " " + dir.file(std::string(devices[d]) + ".scz") +
                                " --views 2 --width 96 --height 96 --json");
    ASSERT_EQ(e.exit_code, 0) << e.err;
    psnr[d] = nlohmann::json::parse(e.out)["psnr"].get<double>();
  }
  EXPECT_GT(psnr[0], 20.0);
  EXPECT_NEAR(psnr[1], psnr[0], 0.5) << "cpu " << psnr[0] << " dB, gpu " << psnr[1] << " dB";
  EXPECT_NEAR(result[1]["output_bytes"].get<double>(), result[0]["output_bytes"].get<double>(),
              0.05 * result[0]["output_bytes"].get<double>());

  // auto never picks the CPU Vulkan driver; unknown devices are refused.
  auto r = test::run_scenezip("compress " + in + " " + dir.file("auto.scz") + " --preset small --json --device auto");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  if (std::getenv("SCENEZIP_DEVICE") && std::string(std::getenv("SCENEZIP_DEVICE")) == "cpu") {
    EXPECT_EQ(j["kmeans_device"], "cpu");
  }
  EXPECT_EQ(test::run_scenezip("compress " + in + " " + dir.file("x.scz") + " --device tpu").exit_code, 2);
}

}  // namespace
}  // namespace scenezip
