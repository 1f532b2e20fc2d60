// The PCG hash and its unit float, twins of engine/field/field_random.h.
uint pcg_hash(uint v) {
  const uint state = v * 747796405u + 2891336453u;
  const uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

float unit_float(uint h) { return float(h >> 8) * (1.0 / 16777216.0); }
