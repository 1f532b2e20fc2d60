// GPU twin of codec::train_kmeans and codec::assign_nearest (engine/codec/kmeans.h),
// running shaders/kmeans_*.comp and the radix sort kernels on a Vulkan Context.
//
// Training takes the CPU reference's training subset and k-means++ seeds
// (codec::kmeans_start, sequential and cheap next to the iterations), then records every
// Lloyd iteration and a last assignment pass in one command buffer: no read-back until
// the end. The early stop is kept on the GPU: once an assignment repeats the previous
// one, the kernels recorded for later iterations return at once, so `iterations` counts
// what the CPU would. The assignment step matches the CPU's bit for bit (same float
// operations in the same order, no fused multiply-adds); the update sums in float in a
// fixed order where the CPU sums in double, so centroids differ in the last bits and
// later iterations may drift apart where two centroids are near-equal.
#pragma once

#include <memory>

#include "engine/codec/gaussian_encoder.h"
#include "engine/codec/kmeans.h"
#include "engine/gpu/context.h"

namespace scenezip::gpu {

// Compiled k-means pipelines, built once and reused: the encoder trains one codebook
// per attribute slice. Holds `context` by reference; it must outlive this object.
class KMeansKernels {
 public:
  static Result<std::unique_ptr<KMeansKernels>> create(Context& context);
  ~KMeansKernels();
  KMeansKernels(const KMeansKernels&) = delete;
  KMeansKernels& operator=(const KMeansKernels&) = delete;

  // codec::train_kmeans's contract (options.threads is ignored). Errors: dims above
  // shaderio::kKMeansMaxDims or a training set too large for one storage buffer
  // (unsupported), Vulkan failures (internal_error).
  Result<codec::KMeansResult> train(const float* data, std::size_t n, int dims, const float* weights,
                                    const codec::KMeansOptions& options);
  // codec::kmeans_lloyd's contract: the Lloyd iterations from a given start.
  Result<codec::KMeansResult> lloyd(const float* data, std::size_t n, int dims, const codec::KMeansStart& start,
                                    int iterations);
  // codec::assign_nearest's contract; `distances` may be null. Large inputs go through
  // in batches that fit the device's storage buffer limit.
  Status assign(const float* data, std::size_t n, int dims, const float* centroids, int k, std::uint32_t* out,
                float* distances);

 private:
  struct Pipelines;
  explicit KMeansKernels(Context& context);
  Context& context_;
  std::unique_ptr<Pipelines> pipelines_;
};

// One-call forms of the above (they build the pipelines each time).
Result<codec::KMeansResult> train_kmeans_gpu(Context& context, const float* data, std::size_t n, int dims,
                                             const float* weights, const codec::KMeansOptions& options);
Status assign_nearest_gpu(Context& context, const float* data, std::size_t n, int dims, const float* centroids,
                          int k, std::uint32_t* out, float* distances);

// Points `accelerators`'s train_kmeans and assign_nearest at the GPU versions, sharing
// one set of pipelines. `context` must outlive every copy of the accelerators.
Status use_gpu_kmeans(Context& context, codec::EncoderAccelerators* accelerators);

}  // namespace scenezip::gpu
