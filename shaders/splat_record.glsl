// The projected splats (shaderio.h's kPreprocessBindingSplats layout): kSplatRecordWords
// uvec4 words a splat, two 32-byte halves each read whole by one kernel:
//   words 4g, 4g + 1: what blending reads: mean, conic, depth, colour and opacity in
//                     binary16 (the raster's gather, instance by instance);
//   words 4g + 2, 4g + 3: the footprint: mean, opacity, conic, tile rectangle (the
//                     emit's gather, in depth order).
// Each gather then reads one aligned 32-byte sector a splat. (The shades in an array of
// their own cost the raster a second scattered read per splat: +12% raster time on the
// H200; one 48-byte run cost each gather two sectors.)
//
// The including shader declares `splat_words` (uvec4[]).

#ifndef SPLAT_RECORD_WRITE
// The footprint of Gaussian g; its colour and depth read as 0.
Splat2D load_splat_footprint(uint g) {
  const uvec4 w0 = splat_words[kSplatRecordWords * g + 2], w1 = splat_words[kSplatRecordWords * g + 3];
  Splat2D s;
  s.mean_x = uintBitsToFloat(w0.x);
  s.mean_y = uintBitsToFloat(w0.y);
  s.opacity = uintBitsToFloat(w0.z);
  s.conic_a = uintBitsToFloat(w0.w);
  s.conic_b = uintBitsToFloat(w1.x);
  s.conic_c = uintBitsToFloat(w1.y);
  s.rect_min = w1.z;
  s.rect_max = w1.w;
  s.r = 0.0;
  s.g = 0.0;
  s.b = 0.0;
  s.depth = 0.0;
  return s;
}

// What blending needs of Gaussian g (the rectangle left out). SPLAT_RECORD_EXACT_OPACITY:
// the opacity in float32 from the footprint, for the blend-weight pass, which its C++
// twin checks Gaussian by Gaussian to 1e-4.
Splat2D load_splat(uint g) {
  const uvec4 w0 = splat_words[kSplatRecordWords * g], w1 = splat_words[kSplatRecordWords * g + 1];
  const vec2 rg = unpackHalf2x16(w1.z), b_opacity = unpackHalf2x16(w1.w);
  Splat2D s;
  s.mean_x = uintBitsToFloat(w0.x);
  s.mean_y = uintBitsToFloat(w0.y);
  s.conic_a = uintBitsToFloat(w0.z);
  s.conic_b = uintBitsToFloat(w0.w);
  s.conic_c = uintBitsToFloat(w1.x);
  s.depth = uintBitsToFloat(w1.y);
  s.r = rg.x;
  s.g = rg.y;
  s.b = b_opacity.x;
#ifdef SPLAT_RECORD_EXACT_OPACITY
  s.opacity = uintBitsToFloat(splat_words[kSplatRecordWords * g + 2].z);  // the footprint's float32
#else
  s.opacity = b_opacity.y;
#endif
  s.rect_min = 0u;
  s.rect_max = 0u;
  return s;
}
#else
void store_splat_record(uint g, Splat2D s) {
  const uint base = kSplatRecordWords * g;
  splat_words[base] = uvec4(floatBitsToUint(s.mean_x), floatBitsToUint(s.mean_y), floatBitsToUint(s.conic_a),
                            floatBitsToUint(s.conic_b));
  splat_words[base + 1] = uvec4(floatBitsToUint(s.conic_c), floatBitsToUint(s.depth), packHalf2x16(vec2(s.r, s.g)),
                                packHalf2x16(vec2(s.b, s.opacity)));
  splat_words[base + 2] = uvec4(floatBitsToUint(s.mean_x), floatBitsToUint(s.mean_y), floatBitsToUint(s.opacity),
                                floatBitsToUint(s.conic_a));
  splat_words[base + 3] = uvec4(floatBitsToUint(s.conic_b), floatBitsToUint(s.conic_c), s.rect_min, s.rect_max);
}
#endif
