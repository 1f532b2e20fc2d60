#version 460
#extension GL_GOOGLE_include_directive : require
#define NERF_RENDER_FOR_LLVMPIPE
#include "nerf_render.glsl"
