// Where the Gaussian encoder's heavy work runs for `scenezip compress --device`: k-means
// and the importance views on a Vulkan device, handed to the codec through
// EncoderAccelerators (the codec library does not depend on Vulkan), or the C++
// references.
#pragma once

#include <memory>
#include <string>

#include "engine/codec/gaussian_encoder.h"
#include "engine/gpu/context.h"
#include "tools/compress_report.h"

namespace scenezip::cli {

struct EncoderGpu {
  std::unique_ptr<gpu::Context> context;    // null: everything on the CPU
  codec::EncoderAccelerators accelerators;  // declared after the context: released before it
  EncoderDevices devices;
};

// "auto" takes a Vulkan GPU when there is one and the C++ reference otherwise (a CPU
// Vulkan driver is no faster than it); "gpu" takes any Vulkan device, the CPU driver
// included; "cpu" never touches Vulkan. Importance views render on the chosen GPU when
// the settings' importance comes from views and `want_importance` says they are needed.
Result<EncoderGpu> choose_encoder_gpu(const std::string& device, const codec::GaussianCodecSettings& settings,
                                      bool want_importance);

}  // namespace scenezip::cli
