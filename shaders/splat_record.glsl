// The projected splats (shaderio.h's kPreprocessBindingSplats layout): three 16-byte
// words a splat, 12 floats from word 3g:
//   3g:     mean x, mean y, opacity, conic a     (the footprint: what the tile tests
//   3g + 1: conic b, conic c, rect_min, rect_max  and the emit read)
//   3g + 2: r, g, b, depth                        (the shade)
// The emit's gather, in depth order and so all over the buffer, reads the first two
// words; the raster reads the first six floats and the shade, one run of 48 bytes. (The
// shades in an array of their own cost the raster a second scattered read per splat,
// +12% raster time on the H200; 64-byte records, each gather's half in one sector, cost
// the preprocess more than they saved.)
//
// The including shader declares the buffer as `splat_words` (uvec4[]) to write records
// (SPLAT_RECORD_WRITE) or read footprints, or as `splat_scalars` (uint[]) to read what
// blending needs (SPLAT_RECORD_SCALARS): word loads of just the fields used keep the
// raster's registers as few as a struct load did (three 16-byte loads made it 10% slower
// on the H200).

#if defined(SPLAT_RECORD_WRITE)
void store_splat_record(uint g, Splat2D s) {
  splat_words[3 * g] = uvec4(floatBitsToUint(s.mean_x), floatBitsToUint(s.mean_y), floatBitsToUint(s.opacity),
                             floatBitsToUint(s.conic_a));
  splat_words[3 * g + 1] = uvec4(floatBitsToUint(s.conic_b), floatBitsToUint(s.conic_c), s.rect_min, s.rect_max);
  splat_words[3 * g + 2] = floatBitsToUint(vec4(s.r, s.g, s.b, s.depth));
}
#elif defined(SPLAT_RECORD_SCALARS)
// What blending needs of Gaussian g (the rectangle left out).
Splat2D load_splat(uint g) {
  const uint base = 12 * g;
  Splat2D s;
  s.mean_x = uintBitsToFloat(splat_scalars[base]);
  s.mean_y = uintBitsToFloat(splat_scalars[base + 1]);
  s.opacity = uintBitsToFloat(splat_scalars[base + 2]);
  s.conic_a = uintBitsToFloat(splat_scalars[base + 3]);
  s.conic_b = uintBitsToFloat(splat_scalars[base + 4]);
  s.conic_c = uintBitsToFloat(splat_scalars[base + 5]);
  s.rect_min = 0u;
  s.rect_max = 0u;
  s.r = uintBitsToFloat(splat_scalars[base + 8]);
  s.g = uintBitsToFloat(splat_scalars[base + 9]);
  s.b = uintBitsToFloat(splat_scalars[base + 10]);
  s.depth = uintBitsToFloat(splat_scalars[base + 11]);
  return s;
}
#else
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
#endif
