// The backward's 64-bit fixed point (uv_splat_params.h; runtime/core/uv_splat_math.h has the host
// twins): a contribution x becomes round(x * 2^24), clamped to +-2^50; NaN adds nothing.
// Needs GL_EXT_shader_explicit_arithmetic_types_int64.

int64_t toFixedPoint(float value) {
  if (!(value == value)) return 0l;
  precise float scaled = value * float(UV_SPLAT_GRAD_SCALE);
  scaled = min(max(scaled, -float(UV_SPLAT_GRAD_LIMIT)), float(UV_SPLAT_GRAD_LIMIT));
  return int64_t(roundEven(scaled));
}

// A fixed-point sum as a float: one rounding of sum / 2^24, as the host's fromFixedPoint()
// (float(double(sum) / 2^24)) gives while |sum| < 2^53 (double(sum) exact, the division exact).
float fromFixedPoint(int64_t sum) {
  precise float value = float(sum) * (1.0 / float(UV_SPLAT_GRAD_SCALE));
  return value;
}
