#version 460
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_atomic_float : require
// The renderer's march, adding each sample's compositing weight to the hash entries it
// reads (pruning's measure; shaderio.h, kNerfRenderBindingContribution).
#define NERF_RENDER_CONTRIBUTION
#include "nerf_render.glsl"
