#version 460
// Radix sort, pass 3 of 3, on devices with VK_NV_shader_subgroup_partitioned: the
// scatter of radix_scatter.comp, whose ballot ranking finds each step's lanes of equal
// digit by one partition instead of nine ballots.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_NV_shader_subgroup_partitioned : require
#include "shaderio.h"
#define RADIX_SCATTER_PARTITIONED
#include "radix_scatter.glsl"
