#version 460
// The splat raster for frames with many tile instances, on pipelines that run full
// 32-invocation subgroups: a subgroup per 8x4 block, walking the keys through a queue
// (splat_raster.glsl).
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#define SPLAT_RASTER_BY_BLOCK
#define SPLAT_RASTER_QUEUED
#include "shaderio.h"
#include "splat_raster.glsl"
