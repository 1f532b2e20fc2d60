#include "engine/gpu/shaders.h"

namespace scenezip::gpu {

namespace {
const std::uint32_t kCovariance[] =
#include "shaders/covariance.comp.spv.inc"
    ;
const std::uint32_t k_splat_preprocess[] =
#include "shaders/splat_preprocess.comp.spv.inc"
    ;
const std::uint32_t k_splat_sort_args[] =
#include "shaders/splat_sort_args.comp.spv.inc"
    ;
const std::uint32_t k_radix_histogram[] =
#include "shaders/radix_histogram.comp.spv.inc"
    ;
const std::uint32_t k_radix_scan[] =
#include "shaders/radix_scan.comp.spv.inc"
    ;
const std::uint32_t k_radix_scatter[] =
#include "shaders/radix_scatter.comp.spv.inc"
    ;
const std::uint32_t k_splat_tile_ranges[] =
#include "shaders/splat_tile_ranges.comp.spv.inc"
    ;
const std::uint32_t k_splat_raster[] =
#include "shaders/splat_raster.comp.spv.inc"
    ;
}  // namespace

Spirv covariance_spirv() { return {kCovariance, sizeof(kCovariance) / sizeof(kCovariance[0])}; }

Spirv splat_preprocess_spirv() { return {k_splat_preprocess, sizeof(k_splat_preprocess) / sizeof(k_splat_preprocess[0])}; }
Spirv splat_sort_args_spirv() { return {k_splat_sort_args, sizeof(k_splat_sort_args) / sizeof(k_splat_sort_args[0])}; }
Spirv radix_histogram_spirv() { return {k_radix_histogram, sizeof(k_radix_histogram) / sizeof(k_radix_histogram[0])}; }
Spirv radix_scan_spirv() { return {k_radix_scan, sizeof(k_radix_scan) / sizeof(k_radix_scan[0])}; }
Spirv radix_scatter_spirv() { return {k_radix_scatter, sizeof(k_radix_scatter) / sizeof(k_radix_scatter[0])}; }
Spirv splat_tile_ranges_spirv() { return {k_splat_tile_ranges, sizeof(k_splat_tile_ranges) / sizeof(k_splat_tile_ranges[0])}; }
Spirv splat_raster_spirv() { return {k_splat_raster, sizeof(k_splat_raster) / sizeof(k_splat_raster[0])}; }

}  // namespace scenezip::gpu
