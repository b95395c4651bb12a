/*
 * A fast, accurate natural logarithm for float32 inputs: the exponent, a 1024-entry table of log(c) over
 * the mantissa's top 10 bits, and a degree-5 log1p polynomial for the remaining 13 bits. Used in hot
 * loops over float32 probabilities (entropy scores) where `Math.log` dominates the run time.
 */
const TABLE_BITS = 10;
const LOG_C = new Float64Array(1 << TABLE_BITS);
const INV_C = new Float64Array(1 << TABLE_BITS);
for (let j = 0; j < 1 << TABLE_BITS; j++) {
  const c = 1 + j / (1 << TABLE_BITS);
  LOG_C[j] = Math.log(c);
  INV_C[j] = 2 ** -23 / c;
}
const LN2 = Math.LN2;

/**
 * Natural log of a positive normal float32 given its bit pattern `u` (as read through an `Int32Array`
 * view of a `Float32Array`): absolute error ≲ 3e-16, relative ≤ 1e-13 away from 1. Subnormals, zero,
 * negatives, infinities and NaN are the caller's business (check `0x00800000 ≤ u < 0x7f800000` first,
 * or use {@link logFloat32}).
 */
export function logFloat32Bits(u: number): number {
  const f = u & 0x7fffff;
  const j = f >>> 13;
  const r = (f & 0x1fff) * INV_C[j]!;
  // log1p(r) for 0 ≤ r < 2^-10: truncation error < r^6/6 ≈ 1.5e-19
  const poly = r * (1 + r * (-0.5 + r * (1 / 3 + r * (-0.25 + r * 0.2))));
  return ((u >>> 23) - 127) * LN2 + LOG_C[j]! + poly;
}

/**
 * Natural log of a float32 value: the table path of {@link logFloat32Bits} for positive normal values,
 * `Math.log` otherwise (subnormals, 0, negatives, ±Infinity, NaN). Non-float32 inputs are rounded to
 * float32 first.
 */
export function logFloat32(p: number): number {
  F32[0] = p;
  const u = I32[0]!;
  return u >= 0x00800000 && u < 0x7f800000 ? logFloat32Bits(u) : Math.log(p);
}
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
