#include "engine/gpu/geometry_renderer.h"

#include <algorithm>
#include <cstring>

#include "engine/gpu/shaders.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

namespace {
constexpr std::uint32_t kTimestampCount = 4;  // start, after transform, after raster, end

std::uint32_t ceil_div(std::size_t a, std::size_t b) { return static_cast<std::uint32_t>((a + b - 1) / b); }
}  // namespace

Result<std::unique_ptr<GeometryRenderer>> GeometryRenderer::create(Context& context, const Mesh& mesh) {
  std::unique_ptr<GeometryRenderer> r(new GeometryRenderer(context));
  r->mesh_ = true;
  r->vertices_ = mesh.vertex_count();
  r->primitives_ = mesh.triangle_count();
  // Ids and indices are 32-bit with one value kept for "none".
  if (r->vertices_ >= io::kIdEmpty || r->primitives_ >= io::kIdEmpty / 3) {
    return invalid_input("mesh too large for the GPU renderer");
  }
  SCZ_RETURN_IF_ERROR(r->init_pipelines());
  const MeshTables tables = build_mesh_tables(mesh);
  r->has_normals_ = mesh.normals.size() == 3 * r->vertices_;
  r->has_texcoords_ = mesh.texcoords.size() == 2 * r->vertices_;
  r->has_colors_ = mesh.colors.size() == 3 * r->vertices_;
  r->material_count_ = static_cast<std::uint32_t>(tables.materials.size() - 1);

  Context& c = context;
  auto upload = [&](const void* data, std::size_t bytes, const char* what, Buffer* out) -> Status {
    SCZ_RETURN_IF_ERROR(r->check_size(bytes, what));
    SCZ_ASSIGN_OR_RETURN(*out, c.upload_device(data, bytes));
    return Status::Ok();
  };
  const std::size_t v = r->vertices_;
  SCZ_RETURN_IF_ERROR(upload(mesh.positions.data(), v * 3 * sizeof(float), "vertex positions", &r->positions_));
  SCZ_RETURN_IF_ERROR(upload(r->has_normals_ ? mesh.normals.data() : nullptr, r->has_normals_ ? v * 3 * sizeof(float) : 0,
                             "normals", &r->normals_));
  SCZ_RETURN_IF_ERROR(upload(r->has_texcoords_ ? mesh.texcoords.data() : nullptr,
                             r->has_texcoords_ ? v * 2 * sizeof(float) : 0, "texture coordinates", &r->texcoords_));
  SCZ_RETURN_IF_ERROR(upload(r->has_colors_ ? mesh.colors.data() : nullptr, r->has_colors_ ? v * 3 * sizeof(float) : 0,
                             "vertex colours", &r->colors_));
  SCZ_RETURN_IF_ERROR(upload(tables.indices.data(), tables.indices.size() * sizeof(std::uint32_t), "triangle indices",
                             &r->indices_));
  SCZ_RETURN_IF_ERROR(upload(tables.triangle_material.data(), tables.triangle_material.size() * sizeof(std::uint32_t),
                             "triangle materials", &r->triangle_material_));
  SCZ_RETURN_IF_ERROR(upload(tables.materials.data(), tables.materials.size() * sizeof(io::MeshMaterial), "materials",
                             &r->materials_));
  SCZ_RETURN_IF_ERROR(upload(tables.textures.data(), tables.textures.size() * sizeof(io::TextureSlot), "texture table",
                             &r->textures_));
  SCZ_RETURN_IF_ERROR(upload(tables.texels.data(), tables.texels.size() * sizeof(std::uint32_t), "textures", &r->texels_));
  SCZ_RETURN_IF_ERROR(r->check_size(v * 4 * sizeof(float), "projected vertices"));
  SCZ_ASSIGN_OR_RETURN(r->projected_, c.create_buffer(v * 4 * sizeof(float), false));
  SCZ_ASSIGN_OR_RETURN(r->big_, c.create_buffer(r->primitives_ * sizeof(std::uint32_t), false));
  SCZ_ASSIGN_OR_RETURN(r->big_args_, c.create_buffer(4 * sizeof(std::uint32_t), false));
  return r;
}

Result<std::unique_ptr<GeometryRenderer>> GeometryRenderer::create(Context& context, const PointCloud& input,
                                                                   int point_size) {
  if (point_size < 0 || point_size > 256) return invalid_input("point size must be in 0..256");
  std::unique_ptr<GeometryRenderer> r(new GeometryRenderer(context));
  const PointCloud cloud = finite_points(input);
  r->vertices_ = r->primitives_ = cloud.count();
  if (r->primitives_ >= io::kIdEmpty) return invalid_input("point cloud too large for the GPU renderer");
  r->fixed_point_size_ = point_size;
  r->has_colors_ = !cloud.colors.empty();
  r->has_normals_ = !cloud.normals.empty();
  SCZ_RETURN_IF_ERROR(r->init_pipelines());
  auto upload = [&](const std::vector<float>& data, const char* what, Buffer* out) -> Status {
    SCZ_RETURN_IF_ERROR(r->check_size(data.size() * sizeof(float), what));
    SCZ_ASSIGN_OR_RETURN(*out, context.upload_device(data.data(), data.size() * sizeof(float)));
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(upload(cloud.positions, "point positions", &r->positions_));
  SCZ_RETURN_IF_ERROR(upload(cloud.colors, "point colours", &r->colors_));
  SCZ_RETURN_IF_ERROR(upload(cloud.normals, "point normals", &r->normals_));
  return r;
}

GeometryRenderer::~GeometryRenderer() {
  release_recording();
  context_.destroy_query_pool(timestamps_);
}

void GeometryRenderer::release_recording() {
  for (VkDescriptorSet set : sets_) context_.free_descriptor_set(set);
  sets_.clear();
  context_.free_commands(commands_);
  commands_ = VK_NULL_HANDLE;
}

Status GeometryRenderer::check_size(VkDeviceSize bytes, const char* what) const {
  // A binding past this range is invalid (the validation layer says so, drivers may not).
  const VkDeviceSize limit = context_.limits().maxStorageBufferRange;
  if (bytes > limit) {
    return invalid_input(std::string(what) + " take " + std::to_string(bytes) + " bytes, past this device's " +
                         std::to_string(limit) + "-byte storage buffer limit");
  }
  return Status::Ok();
}

Status GeometryRenderer::init_pipelines() {
  auto make = [&](Spirv spirv, std::uint32_t bindings, std::uint32_t push, ComputePipeline* out) -> Status {
    SCZ_ASSIGN_OR_RETURN(*out, context_.create_compute_pipeline(spirv.words, spirv.count, bindings, push));
    return Status::Ok();
  };
  if (mesh_) {
    SCZ_RETURN_IF_ERROR(make(mesh_vertex_spirv(), io::kMeshVertexBindingCount, 0, &vertex_));
    SCZ_RETURN_IF_ERROR(make(mesh_raster_spirv(), io::kMeshRasterBindingCount, sizeof(io::GeometryPush), &raster_));
    SCZ_RETURN_IF_ERROR(make(mesh_resolve_spirv(), io::kMeshResolveBindingCount, 0, &resolve_));
  } else {
    SCZ_RETURN_IF_ERROR(make(point_raster_spirv(), io::kPointRasterBindingCount, sizeof(io::GeometryPush), &raster_));
    SCZ_RETURN_IF_ERROR(make(point_resolve_spirv(), io::kPointResolveBindingCount, 0, &resolve_));
  }
  SCZ_ASSIGN_OR_RETURN(params_, context_.create_buffer(sizeof(io::GeometryParams), true));
  if (context_.timestamp_period_ns() > 0) {
    SCZ_ASSIGN_OR_RETURN(timestamps_, context_.create_timestamp_pool(kTimestampCount));
  }
  return Status::Ok();
}

Status GeometryRenderer::record() {
  SCZ_ASSIGN_OR_RETURN(commands_, context_.allocate_commands());
  VkCommandBuffer cmd = commands_;
  auto bind = [&](const ComputePipeline& pipeline, const BufferBindings& buffers) -> Status {
    SCZ_ASSIGN_OR_RETURN(VkDescriptorSet set, context_.create_descriptor_set(pipeline, buffers));
    sets_.push_back(set);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
    return Status::Ok();
  };
  auto stamp = [&](std::uint32_t index) {
    if (timestamps_) vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, timestamps_, index);
  };
  auto dispatch_1d = [&](std::size_t items) {
    std::uint32_t gx = 1, gy = 1;
    context_.tile_groups(ceil_div(items, io::kGeometryWorkgroupSize), &gx, &gy);
    if (items > 0) vkCmdDispatch(cmd, gx, gy, 1);
  };

  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  vkBeginCommandBuffer(cmd, &begin);
  if (timestamps_) vkCmdResetQueryPool(cmd, timestamps_, 0, kTimestampCount);
  vkCmdFillBuffer(cmd, depth_.handle(), 0, VK_WHOLE_SIZE, io::kDepthEmpty);
  vkCmdFillBuffer(cmd, ids_.handle(), 0, VK_WHOLE_SIZE, io::kIdEmpty);
  if (mesh_) {
    const std::uint32_t no_big[4] = {0, 0, 1, 1};  // count, then an empty dispatch
    vkCmdUpdateBuffer(cmd, big_args_.handle(), 0, sizeof(no_big), no_big);
  }
  Context::compute_barrier(cmd);
  stamp(0);

  if (mesh_) {
    SCZ_RETURN_IF_ERROR(bind(vertex_, {{io::kMeshVertexBindingParams, &params_},
                                       {io::kMeshVertexBindingPositions, &positions_},
                                       {io::kMeshVertexBindingProjected, &projected_}}));
    dispatch_1d(vertices_);
    Context::compute_barrier(cmd);
  }
  stamp(1);

  if (mesh_) {
    SCZ_RETURN_IF_ERROR(bind(raster_, {{io::kMeshRasterBindingParams, &params_},
                                       {io::kMeshRasterBindingIndices, &indices_},
                                       {io::kMeshRasterBindingProjected, &projected_},
                                       {io::kMeshRasterBindingDepth, &depth_},
                                       {io::kMeshRasterBindingIds, &ids_},
                                       {io::kMeshRasterBindingBig, &big_},
                                       {io::kMeshRasterBindingBigArgs, &big_args_}}));
  } else {
    SCZ_RETURN_IF_ERROR(bind(raster_, {{io::kPointRasterBindingParams, &params_},
                                       {io::kPointRasterBindingPositions, &positions_},
                                       {io::kPointRasterBindingDepth, &depth_},
                                       {io::kPointRasterBindingIds, &ids_}}));
  }
  for (std::uint32_t pass : {io::kRasterPassDepth, io::kRasterPassVisibility}) {
    const io::GeometryPush small{pass, 0};
    vkCmdPushConstants(cmd, raster_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(small), &small);
    dispatch_1d(primitives_);
    Context::compute_barrier(cmd);
    if (mesh_) {
      // The triangles the per-triangle threads left, listed on the GPU with the workgroup
      // count of this dispatch: no read-back.
      const io::GeometryPush big{pass, 1};
      vkCmdPushConstants(cmd, raster_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(big), &big);
      vkCmdDispatchIndirect(cmd, big_args_.handle(), sizeof(std::uint32_t));
      Context::compute_barrier(cmd);
    }
  }
  stamp(2);

  if (mesh_) {
    SCZ_RETURN_IF_ERROR(bind(resolve_, {{io::kMeshResolveBindingParams, &params_},
                                        {io::kMeshResolveBindingIndices, &indices_},
                                        {io::kMeshResolveBindingProjected, &projected_},
                                        {io::kMeshResolveBindingPositions, &positions_},
                                        {io::kMeshResolveBindingNormals, &normals_},
                                        {io::kMeshResolveBindingTexcoords, &texcoords_},
                                        {io::kMeshResolveBindingColors, &colors_},
                                        {io::kMeshResolveBindingTriangleMaterial, &triangle_material_},
                                        {io::kMeshResolveBindingMaterials, &materials_},
                                        {io::kMeshResolveBindingTextures, &textures_},
                                        {io::kMeshResolveBindingTexels, &texels_},
                                        {io::kMeshResolveBindingIds, &ids_},
                                        {io::kMeshResolveBindingImage, &image_}}));
  } else {
    SCZ_RETURN_IF_ERROR(bind(resolve_, {{io::kPointResolveBindingParams, &params_},
                                        {io::kPointResolveBindingColors, &colors_},
                                        {io::kPointResolveBindingNormals, &normals_},
                                        {io::kPointResolveBindingIds, &ids_},
                                        {io::kPointResolveBindingImage, &image_}}));
  }
  vkCmdDispatch(cmd, ceil_div(width_, io::kResolveTileSize), ceil_div(height_, io::kResolveTileSize), 1);
  Context::compute_barrier(cmd);
  stamp(3);
  vkEndCommandBuffer(cmd);
  return Status::Ok();
}

Status GeometryRenderer::prepare(const Camera& camera, const std::array<float, 3>& background) {
  if (camera.width <= 0 || camera.height <= 0 || camera.width > 16384 || camera.height > 16384) {
    return invalid_input("image size " + std::to_string(camera.width) + "x" + std::to_string(camera.height) +
                         " is outside 1..16384");
  }
  if (camera.width != width_ || camera.height != height_ || !commands_) {
    release_recording();
    const std::size_t pixels = static_cast<std::size_t>(camera.width) * camera.height;
    SCZ_RETURN_IF_ERROR(check_size(pixels * 4 * sizeof(float), "the image"));
    SCZ_ASSIGN_OR_RETURN(depth_, context_.create_buffer(pixels * sizeof(std::uint32_t), false));
    SCZ_ASSIGN_OR_RETURN(ids_, context_.create_buffer(pixels * sizeof(std::uint32_t), false));
    SCZ_ASSIGN_OR_RETURN(image_, context_.create_buffer(pixels * 4 * sizeof(float), false));
    width_ = camera.width;
    height_ = camera.height;
    SCZ_RETURN_IF_ERROR(record());
  }
  io::GeometryParams p{};
  const auto view = camera.view_matrix();
  std::copy(view.begin(), view.end(), p.view);
  p.fx = static_cast<float>(camera.fx);
  p.fy = static_cast<float>(camera.fy);
  p.cx = static_cast<float>(camera.cx);
  p.cy = static_cast<float>(camera.cy);
  p.znear = static_cast<float>(camera.znear);
  p.width = camera.width;
  p.height = camera.height;
  p.vertex_count = static_cast<std::uint32_t>(vertices_);
  p.primitive_count = static_cast<std::uint32_t>(primitives_);
  std::uint32_t gy = 1;
  context_.tile_groups(ceil_div(vertices_, io::kGeometryWorkgroupSize), &p.vertex_groups_x, &gy);
  context_.tile_groups(ceil_div(primitives_, io::kGeometryWorkgroupSize), &p.primitive_groups_x, &gy);
  p.point_size = static_cast<std::uint32_t>(fixed_point_size_ > 0 ? fixed_point_size_ : default_point_size(camera.height));
  p.has_normals = has_normals_;
  p.has_texcoords = has_texcoords_;
  p.has_colors = has_colors_;
  p.material_count = material_count_;
  p.big_group_cap = std::min<std::uint32_t>(65535, context_.limits().maxComputeWorkGroupCount[0]);
  for (int k = 0; k < 3; ++k) p.background[k] = background[k];
  std::memcpy(params_.mapped(), &p, sizeof(p));
  return Status::Ok();
}

Status GeometryRenderer::draw(const Camera& camera, const std::array<float, 3>& background) {
  SCZ_RETURN_IF_ERROR(prepare(camera, background));
  return context_.submit_and_wait(commands_);
}

Result<Image> GeometryRenderer::render(const Camera& camera, const std::array<float, 3>& background) {
  SCZ_RETURN_IF_ERROR(draw(camera, background));
  return context_.download_image(image_, width_, height_);
}

Result<GeometryFrame> GeometryRenderer::render_frame(const Camera& camera, const std::array<float, 3>& background) {
  GeometryFrame frame;
  SCZ_ASSIGN_OR_RETURN(frame.image, render(camera, background));
  frame.depth.resize(static_cast<std::size_t>(width_) * height_);
  SCZ_RETURN_IF_ERROR(context_.download(depth_, frame.depth.data(), frame.depth.size() * sizeof(float)));
  return frame;
}

Result<GeometryTimings> GeometryRenderer::render_timed(const Camera& camera, const std::array<float, 3>& background) {
  SCZ_RETURN_IF_ERROR(draw(camera, background));
  GeometryTimings t;
  if (!timestamps_) return t;
  SCZ_ASSIGN_OR_RETURN(const std::vector<double> at, context_.read_timestamps_ms(timestamps_, kTimestampCount));
  t.transform = at[1] - at[0];
  t.raster = at[2] - at[1];
  t.resolve = at[3] - at[2];
  t.total = at[3];
  return t;
}

}  // namespace scenezip::gpu
