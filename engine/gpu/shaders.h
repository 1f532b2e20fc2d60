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
Spirv splat_preprocess_spirv();
Spirv radix_histogram_spirv();
Spirv radix_scatter_spirv();
Spirv splat_emit_count_spirv();
Spirv splat_emit_spirv();
Spirv splat_raster_spirv();
Spirv splat_raster_blocks_spirv();  // for pipelines of full 32-wide subgroups
Spirv splat_raster_queued_spirv();  // the same, walking long lists through a queue
Spirv subgroup_probe_spirv();       // checks a device's full 32-wide subgroups
Spirv splat_importance_spirv();
Spirv mesh_vertex_spirv();
Spirv mesh_raster_spirv();
Spirv mesh_resolve_spirv();
Spirv point_raster_spirv();
Spirv point_resolve_spirv();
Spirv kmeans_assign_spirv();
Spirv kmeans_update_spirv();
Spirv kmeans_refill_spirv();
Spirv field_encode_spirv();
Spirv field_encode_backward_spirv();
Spirv field_encode_backward_cas_spirv();
Spirv field_linear_spirv();
Spirv field_linear_backward_spirv();
Spirv field_loss_spirv();
Spirv field_weight_grad_spirv();
Spirv field_weight_reduce_spirv();
// The matrix-unit MLP (VK_NV_cooperative_matrix): only for devices that have it.
Spirv field_mlp_forward_coop_spirv();
Spirv field_mlp_backward_coop_spirv();
Spirv field_weight_grad_coop_spirv();
Spirv field_adam_spirv();
Spirv field_step_spirv();
Spirv field_colour_sample_spirv();
Spirv nerf_march_spirv();
Spirv nerf_composite_spirv();
Spirv nerf_rays_spirv();
Spirv nerf_grid_sample_spirv();
Spirv nerf_grid_update_spirv();
Spirv nerf_grid_mean_spirv();
Spirv nerf_prune_spirv();
Spirv nerf_render_spirv();
Spirv nerf_render_llvmpipe_spirv();
Spirv nerf_contribution_spirv();
Spirv nerf_contribution_llvmpipe_spirv();

}  // namespace scenezip::gpu
