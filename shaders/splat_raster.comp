#version 460
// The splat raster for any subgroup size (splat_raster.glsl).
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#include "shaderio.h"
#include "splat_raster.glsl"
