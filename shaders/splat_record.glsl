// The projected splats (shaderio.h's kPreprocessBindingSplats layout), as uvec4 words:
// for Gaussian g, words 3g and 3g + 1 hold its footprint (mean, opacity, conic, tile
// rectangle: all that the tile tests and the emit read), word 3g + 2 its shade (colour,
// depth). The emit's gather, in depth order and so all over the buffer, reads the first
// two words only; the raster reads all three, one run of 48 bytes. (The shades in an
// array of their own cost the raster a second scattered read per splat: +12% raster
// time on the H200.)
//
// The including shader declares `splat_words` (uvec4[]).

#ifndef SPLAT_RECORD_WRITE
// The footprint of Gaussian g; its colour and depth read as 0.
Splat2D load_splat_footprint(uint g) {
  const uvec4 w0 = splat_words[3 * g], w1 = splat_words[3 * g + 1];
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

// What blending needs of Gaussian g: footprint and shade (the rectangle left out).
Splat2D load_splat(uint g) {
  const uvec4 w0 = splat_words[3 * g], w1 = splat_words[3 * g + 1];
  const vec4 shade = uintBitsToFloat(splat_words[3 * g + 2]);
  Splat2D s;
  s.mean_x = uintBitsToFloat(w0.x);
  s.mean_y = uintBitsToFloat(w0.y);
  s.opacity = uintBitsToFloat(w0.z);
  s.conic_a = uintBitsToFloat(w0.w);
  s.conic_b = uintBitsToFloat(w1.x);
  s.conic_c = uintBitsToFloat(w1.y);
  s.rect_min = 0u;
  s.rect_max = 0u;
  s.r = shade.x;
  s.g = shade.y;
  s.b = shade.z;
  s.depth = shade.w;
  return s;
}
#else
void store_splat_record(uint g, Splat2D s) {
  splat_words[3 * g] = uvec4(floatBitsToUint(s.mean_x), floatBitsToUint(s.mean_y), floatBitsToUint(s.opacity),
                             floatBitsToUint(s.conic_a));
  splat_words[3 * g + 1] = uvec4(floatBitsToUint(s.conic_b), floatBitsToUint(s.conic_c), s.rect_min, s.rect_max);
  splat_words[3 * g + 2] = floatBitsToUint(vec4(s.r, s.g, s.b, s.depth));
}
#endif
