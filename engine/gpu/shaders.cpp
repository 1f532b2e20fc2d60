#include "engine/gpu/shaders.h"

namespace scenezip::gpu {

namespace {
const std::uint32_t k_covariance[] =
#include "shaders/covariance.comp.spv.inc"
    ;
const std::uint32_t k_splat_preprocess[] =
#include "shaders/splat_preprocess.comp.spv.inc"
    ;
const std::uint32_t k_radix_histogram[] =
#include "shaders/radix_histogram.comp.spv.inc"
    ;
    ;
const std::uint32_t k_radix_scatter[] =
#include "shaders/radix_scatter.comp.spv.inc"
    ;
const std::uint32_t k_splat_raster[] =
#include "shaders/splat_raster.comp.spv.inc"
    ;
const std::uint32_t k_splat_raster_blocks[] =
#include "shaders/splat_raster_blocks.comp.spv.inc"
    ;
const std::uint32_t k_splat_raster_queued[] =
#include "shaders/splat_raster_queued.comp.spv.inc"
    ;
const std::uint32_t k_subgroup_probe[] =
#include "shaders/subgroup_probe.comp.spv.inc"
    ;
const std::uint32_t k_splat_importance[] =
#include "shaders/splat_importance.comp.spv.inc"
    ;
const std::uint32_t k_splat_emit_count[] =
#include "shaders/splat_emit_count.comp.spv.inc"
    ;
const std::uint32_t k_splat_emit[] =
#include "shaders/splat_emit.comp.spv.inc"
    ;
const std::uint32_t k_mesh_vertex[] =
#include "shaders/mesh_vertex.comp.spv.inc"
    ;
const std::uint32_t k_mesh_raster[] =
#include "shaders/mesh_raster.comp.spv.inc"
    ;
const std::uint32_t k_mesh_resolve[] =
#include "shaders/mesh_resolve.comp.spv.inc"
    ;
const std::uint32_t k_point_raster[] =
#include "shaders/point_raster.comp.spv.inc"
    ;
const std::uint32_t k_point_resolve[] =
#include "shaders/point_resolve.comp.spv.inc"
    ;
const std::uint32_t k_kmeans_assign[] =
#include "shaders/kmeans_assign.comp.spv.inc"
    ;
const std::uint32_t k_kmeans_update[] =
#include "shaders/kmeans_update.comp.spv.inc"
    ;
const std::uint32_t k_kmeans_refill[] =
#include "shaders/kmeans_refill.comp.spv.inc"
    ;
const std::uint32_t k_field_encode[] =
#include "shaders/field_encode.comp.spv.inc"
    ;
const std::uint32_t k_field_encode_backward[] =
#include "shaders/field_encode_backward.comp.spv.inc"
    ;
const std::uint32_t k_field_encode_backward_cas[] =
#include "shaders/field_encode_backward_cas.comp.spv.inc"
    ;
const std::uint32_t k_field_linear[] =
#include "shaders/field_linear.comp.spv.inc"
    ;
const std::uint32_t k_field_linear_backward[] =
#include "shaders/field_linear_backward.comp.spv.inc"
    ;
const std::uint32_t k_field_loss[] =
#include "shaders/field_loss.comp.spv.inc"
    ;
const std::uint32_t k_field_weight_grad[] =
#include "shaders/field_weight_grad.comp.spv.inc"
    ;
const std::uint32_t k_field_weight_reduce[] =
#include "shaders/field_weight_reduce.comp.spv.inc"
    ;
const std::uint32_t k_field_mlp_forward_coop[] =
#include "shaders/field_mlp_forward_coop.comp.spv.inc"
    ;
const std::uint32_t k_field_mlp_backward_coop[] =
#include "shaders/field_mlp_backward_coop.comp.spv.inc"
    ;
const std::uint32_t k_field_weight_grad_coop[] =
#include "shaders/field_weight_grad_coop.comp.spv.inc"
    ;
const std::uint32_t k_field_adam[] =
#include "shaders/field_adam.comp.spv.inc"
    ;
const std::uint32_t k_field_step[] =
#include "shaders/field_step.comp.spv.inc"
    ;
const std::uint32_t k_field_colour_sample[] =
#include "shaders/field_colour_sample.comp.spv.inc"
    ;
template <std::size_t N>
Spirv spirv_of(const std::uint32_t (&words)[N]) {
  return {words, N};
}
}  // namespace
const std::uint32_t k_nerf_march[] =
#include "shaders/nerf_march.comp.spv.inc"
;
const std::uint32_t k_nerf_composite[] =
#include "shaders/nerf_composite.comp.spv.inc"
;
const std::uint32_t k_nerf_rays[] =
#include "shaders/nerf_rays.comp.spv.inc"
;
const std::uint32_t k_nerf_grid_sample[] =
#include "shaders/nerf_grid_sample.comp.spv.inc"
;
const std::uint32_t k_nerf_grid_update[] =
#include "shaders/nerf_grid_update.comp.spv.inc"
;
const std::uint32_t k_nerf_grid_mean[] =
#include "shaders/nerf_grid_mean.comp.spv.inc"
;
const std::uint32_t k_nerf_prune[] =
#include "shaders/nerf_prune.comp.spv.inc"
;
const std::uint32_t k_nerf_render[] =
#include "shaders/nerf_render.comp.spv.inc"
;
const std::uint32_t k_nerf_render_llvmpipe[] =
#include "shaders/nerf_render_llvmpipe.comp.spv.inc"
;
const std::uint32_t k_nerf_contribution[] =
#include "shaders/nerf_contribution.comp.spv.inc"
;
const std::uint32_t k_nerf_contribution_llvmpipe[] =
#include "shaders/nerf_contribution_llvmpipe.comp.spv.inc"
;

Spirv covariance_spirv() { return spirv_of(k_covariance); }
Spirv splat_preprocess_spirv() { return spirv_of(k_splat_preprocess); }
Spirv radix_histogram_spirv() { return spirv_of(k_radix_histogram); }
Spirv radix_scatter_spirv() { return spirv_of(k_radix_scatter); }
Spirv splat_raster_spirv() { return spirv_of(k_splat_raster); }
Spirv splat_raster_blocks_spirv() { return spirv_of(k_splat_raster_blocks); }
Spirv splat_raster_queued_spirv() { return spirv_of(k_splat_raster_queued); }
Spirv subgroup_probe_spirv() { return spirv_of(k_subgroup_probe); }
Spirv splat_importance_spirv() { return spirv_of(k_splat_importance); }
Spirv splat_emit_count_spirv() { return spirv_of(k_splat_emit_count); }
Spirv splat_emit_spirv() { return spirv_of(k_splat_emit); }
Spirv mesh_vertex_spirv() { return spirv_of(k_mesh_vertex); }
Spirv mesh_raster_spirv() { return spirv_of(k_mesh_raster); }
Spirv mesh_resolve_spirv() { return spirv_of(k_mesh_resolve); }
Spirv point_raster_spirv() { return spirv_of(k_point_raster); }
Spirv point_resolve_spirv() { return spirv_of(k_point_resolve); }
Spirv kmeans_assign_spirv() { return spirv_of(k_kmeans_assign); }
Spirv kmeans_update_spirv() { return spirv_of(k_kmeans_update); }
Spirv kmeans_refill_spirv() { return spirv_of(k_kmeans_refill); }
Spirv field_encode_spirv() { return spirv_of(k_field_encode); }
Spirv field_encode_backward_spirv() { return spirv_of(k_field_encode_backward); }
Spirv field_encode_backward_cas_spirv() { return spirv_of(k_field_encode_backward_cas); }
Spirv field_linear_spirv() { return spirv_of(k_field_linear); }
Spirv field_linear_backward_spirv() { return spirv_of(k_field_linear_backward); }
Spirv field_loss_spirv() { return spirv_of(k_field_loss); }
Spirv field_weight_grad_spirv() { return spirv_of(k_field_weight_grad); }
Spirv field_weight_reduce_spirv() { return spirv_of(k_field_weight_reduce); }
Spirv field_mlp_forward_coop_spirv() { return spirv_of(k_field_mlp_forward_coop); }
Spirv field_mlp_backward_coop_spirv() { return spirv_of(k_field_mlp_backward_coop); }
Spirv field_weight_grad_coop_spirv() { return spirv_of(k_field_weight_grad_coop); }
Spirv field_adam_spirv() { return spirv_of(k_field_adam); }
Spirv field_step_spirv() { return spirv_of(k_field_step); }
Spirv field_colour_sample_spirv() { return spirv_of(k_field_colour_sample); }
Spirv nerf_march_spirv() { return spirv_of(k_nerf_march); }
Spirv nerf_composite_spirv() { return spirv_of(k_nerf_composite); }
Spirv nerf_rays_spirv() { return spirv_of(k_nerf_rays); }
Spirv nerf_grid_sample_spirv() { return spirv_of(k_nerf_grid_sample); }
Spirv nerf_grid_update_spirv() { return spirv_of(k_nerf_grid_update); }
Spirv nerf_grid_mean_spirv() { return spirv_of(k_nerf_grid_mean); }
Spirv nerf_prune_spirv() { return spirv_of(k_nerf_prune); }
Spirv nerf_render_spirv() { return spirv_of(k_nerf_render); }
Spirv nerf_render_llvmpipe_spirv() { return spirv_of(k_nerf_render_llvmpipe); }
Spirv nerf_contribution_spirv() { return spirv_of(k_nerf_contribution); }
Spirv nerf_contribution_llvmpipe_spirv() { return spirv_of(k_nerf_contribution_llvmpipe); }

}  // namespace scenezip::gpu
