// SPIR-V of the shaders in shaders/, compiled by glslc at build time and embedded.
#pragma once

#include <cstddef>
#include <cstdint>

namespace scenezip::gpu {

struct Spirv {
  const std::uint32_t* words;
  std::size_t count;
};

Spirv covariance_spirv();

}  // namespace scenezip::gpu
