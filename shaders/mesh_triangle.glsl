// Triangle setup, coverage and depth shared by mesh_raster.comp and mesh_resolve.comp,
// so the resolve pass recomputes exactly what the raster passes decided. Expects
// `params`, `indices` and `projected` to be declared, and geometry.glsl included.

// Twice the signed area of (a, b, p); positive when p is on the interior side of a->b
// for a triangle whose setup area is positive.
float edge_function(vec2 a, vec2 b, vec2 p) {
  precise float e = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
  return e;
}

// The edge function evaluated from the lexicographically smaller endpoint, so the two
// triangles sharing an edge get exactly opposite values and no pixel centre on it is
// lost or drawn twice.
float shared_edge(vec2 a, vec2 b, vec2 p) {
  if (a.x < b.x || (a.x == b.x && a.y < b.y)) return edge_function(a, b, p);
  precise float e = -edge_function(b, a, p);
  return e;
}

// Top-left rule (pixel y down, positive setup area): a centre exactly on an edge belongs
// to the triangle when that edge is a top edge (horizontal, pointing +x) or a left edge
// (pointing -y). Exactly one of a->b and b->a passes.
bool owns_edge(vec2 a, vec2 b) {
  const vec2 d = b - a;
  return d.y < 0.0 || (d.y == 0.0 && d.x > 0.0);
}

struct Triangle {
  uvec3 v;            // vertex indices, wound so the area is positive
  vec2 p0, p1, p2;    // pixel positions
  vec3 iz;            // 1 / z per vertex
  ivec2 lo, hi;       // pixel rectangle to test, inclusive, clamped to the image
  bvec3 owns;         // top-left ownership of the edges opposite v0, v1, v2
};

// Sets up triangle t; false when it is dropped: a bad index, a vertex at or behind the
// near plane, zero area, or no pixel centre in its box.
bool setup_triangle(uint t, out Triangle tri) {
  uvec3 v = uvec3(indices[3 * t], indices[3 * t + 1], indices[3 * t + 2]);
  if (v.x >= params.vertex_count || v.y >= params.vertex_count || v.z >= params.vertex_count) return false;
  vec4 q0 = projected[v.x], q1 = projected[v.y], q2 = projected[v.z];
  if (!(q0.z > params.znear) || !(q1.z > params.znear) || !(q2.z > params.znear)) return false;
  const float area = edge_function(q0.xy, q1.xy, q2.xy);
  if (area == 0.0) return false;
  if (area < 0.0) {
    v = v.xzy;
    const vec4 swap = q1;
    q1 = q2;
    q2 = swap;
  }
  tri.v = v;
  tri.p0 = q0.xy;
  tri.p1 = q1.xy;
  tri.p2 = q2.xy;
  tri.iz = vec3(q0.w, q1.w, q2.w);
  const vec2 lo = min(min(q0.xy, q1.xy), q2.xy);
  const vec2 hi = max(max(q0.xy, q1.xy), q2.xy);
  // First and last pixel whose centre (i + 0.5) lies in [lo, hi], clamped in float
  // before converting so far-off vertices cannot overflow the integers.
  const vec2 size = vec2(params.width, params.height);
  tri.lo = ivec2(clamp(ceil(lo - 0.5), vec2(0.0), size));
  tri.hi = ivec2(clamp(floor(hi - 0.5), vec2(-1.0), size - 1.0));
  tri.owns = bvec3(owns_edge(tri.p1, tri.p2), owns_edge(tri.p2, tri.p0), owns_edge(tri.p0, tri.p1));
  return tri.lo.x <= tri.hi.x && tri.lo.y <= tri.hi.y;
}

// Columns of row y that can hold covered centres: each edge that is not parallel to the
// row bounds x on one side. Only a speed-up, so a thin diagonal triangle costs its rows
// plus its area rather than its whole box: the exact edge test still decides every
// pixel, so each bound is widened past any rounding it or that test could carry, and an
// edge too close to horizontal to bound safely is skipped.
ivec2 row_span(Triangle tri, int y) {
  const float py = float(y) + 0.5;
  float lo = float(tri.lo.x), hi = float(tri.hi.x);
  const vec2 from[3] = vec2[3](tri.p1, tri.p2, tri.p0);
  const vec2 to[3] = vec2[3](tri.p2, tri.p0, tri.p1);
  for (int k = 0; k < 3; ++k) {
    const vec2 a = from[k], d = to[k] - from[k];
    if (abs(d.y) < 1e-20) continue;
    const float t = d.x * ((py - a.y) / d.y);  // the edge crosses the row at a.x + t
    const float margin = 1.0 + 4e-6 * (abs(a.x) + abs(to[k].x) + abs(t));
    // Positive area puts the interior left of a->b: right of a downward edge, left of an upward one.
    if (d.y > 0.0) {
      hi = min(hi, floor(a.x + t - 0.5 + margin));
    } else {
      lo = max(lo, ceil(a.x + t - 0.5 - margin));
    }
  }
  return ivec2(lo, hi);
}

// Edge values at pixel centre p, one per vertex (the edge opposite it).
vec3 triangle_edges(Triangle tri, vec2 p) {
  return vec3(shared_edge(tri.p1, tri.p2, p), shared_edge(tri.p2, tri.p0, p), shared_edge(tri.p0, tri.p1, p));
}

bool inside_edge(float e, bool owned) { return e > 0.0 || (e == 0.0 && owned); }

bool triangle_covers(Triangle tri, vec3 e) {
  return inside_edge(e.x, tri.owns.x) && inside_edge(e.y, tri.owns.y) && inside_edge(e.z, tri.owns.z);
}

// Camera z at a covered pixel: 1/z is affine in screen space, so it is interpolated with
// the screen barycentrics e / sum(e).
float triangle_depth(Triangle tri, vec3 e) {
  precise float sum = (e.x + e.y) + e.z;
  precise float w = (e.x * tri.iz.x + e.y * tri.iz.y) + e.z * tri.iz.z;
  precise float depth = sum * (1.0 / w);
  return depth;
}
