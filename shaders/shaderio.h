// The one place where C++ and GLSL agree on binding numbers, workgroup sizes and
// push-constant layouts. Included by shaders (GLSL) and by engine/gpu (C++).
#ifndef SCENEZIP_SHADERIO_H
#define SCENEZIP_SHADERIO_H

#ifdef __cplusplus
#include <cstdint>
namespace scenezip::shaderio {
using uint = std::uint32_t;
#define SCZ_CONST inline constexpr uint
#else
#define SCZ_CONST const uint
#endif

// --- covariance.comp: 3D covariance and opacity from stored Gaussian parameters ------
SCZ_CONST kCovarianceWorkgroupSize = 256;
SCZ_CONST kCovarianceBindingLogScales = 0;   // float[3N]
SCZ_CONST kCovarianceBindingRotations = 1;   // float[4N], w x y z
SCZ_CONST kCovarianceBindingLogits = 2;      // float[N]
SCZ_CONST kCovarianceBindingCovariance = 3;  // float[6N]: xx xy xz yy yz zz
SCZ_CONST kCovarianceBindingOpacity = 4;     // float[N]
SCZ_CONST kCovarianceBindingCount = 5;

struct CovariancePush {
  uint count;        // Gaussians to process
  uint groups_x;     // workgroups along x; dispatches tile in 2D past 65,535 groups
  float scale_modifier;
  uint pad0;
};


// --- Gaussian splatting: preprocess, radix sort, tile ranges, rasterize --------------
SCZ_CONST kTileSize = 16;                // pixels per tile side; one raster workgroup per tile
SCZ_CONST kSplatWorkgroupSize = 256;     // preprocess and per-instance kernels
SCZ_CONST kRadixBins = 256;              // 8-bit digits
SCZ_CONST kRadixWorkgroupSize = 256;
SCZ_CONST kRadixItemsPerThread = 8;      // a block of 2,048 keys per workgroup
SCZ_CONST kRadixBlockSize = 2048;

// Slots of the counters buffer, written on the GPU and read by indirect dispatches.
// Two sorts run per frame: visible Gaussians by depth, then tile instances by tile.
SCZ_CONST kCounterInstances = 0;           // tile instances (may exceed capacity)
SCZ_CONST kCounterVisible = 1;             // Gaussians that survived culling
SCZ_CONST kCounterInstanceSortArgs = 4;    // 3 uints: radix dispatch over instances
SCZ_CONST kCounterInstanceArgs = 8;        // 3 uints: one thread per instance
SCZ_CONST kCounterInstanceBlocks = 12;     // radix blocks of instances
SCZ_CONST kCounterInstanceCount = 13;      // instances sorted (clamped to capacity)
SCZ_CONST kCounterVisibleSortArgs = 16;    // 3 uints: radix dispatch over visible Gaussians
SCZ_CONST kCounterVisibleBlocks = 20;      // radix blocks of visible Gaussians
SCZ_CONST kCounterVisibleCount = 21;       // visible Gaussians sorted
SCZ_CONST kCounterSlots = 32;

// Per-frame camera and scene constants (a storage buffer, std430).
struct FrameParams {
  float view[16];        // world to camera, column-major; camera axes x right, y down, z forward
  float camera_pos[4];   // world-space centre, w unused
  float fx, fy, cx, cy;  // pixels; pixel centres at (i + 0.5, j + 0.5)
  float tan_fovx, tan_fovy, znear, scale_modifier;
  float background[4];
  uint width, height, tiles_x, tiles_y;
  uint count;            // Gaussians
  uint sh_degree;        // 0..3 evaluated
  uint sh_coeffs;        // coefficients per channel stored in the SH buffer
  uint instance_capacity;
  uint groups_x;         // preprocess workgroups along x (2D tiling past the limit)
  uint pad0, pad1, pad2;
};

// A projected Gaussian, what the rasterizer reads (48 bytes).
struct Splat2D {
  float mean_x, mean_y, depth, opacity;
  float conic_a, conic_b, conic_c;  // inverse 2D covariance [a b; b c]
  float r, g, b;
  uint rect_min;  // first tile touched: x | y << 16
  uint rect_max;  // one past the last tile touched: x | y << 16
};

struct RadixPush {
  uint shift;          // bit offset of this pass's digit
  uint carry_aux2;     // 1 when the second payload array moves with the keys
  uint count_slot;     // counters slot holding the number of keys
  uint blocks_slot;    // counters slot holding the number of blocks
};

#ifdef __cplusplus
}  // namespace scenezip::shaderio
#endif
#undef SCZ_CONST
#endif  // SCENEZIP_SHADERIO_H
