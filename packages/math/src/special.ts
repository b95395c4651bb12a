/*
 * Special functions.
 */
import { invalidInput } from "./errors.js";

const LN_SQRT_PI = 0.5 * Math.log(Math.PI);

/**
 * ln Γ(x) for x a positive integer or half-integer (x = m or m + ½), by the exact recurrences
 * Γ(m) = (m−1)! and Γ(m + ½) = √π · Π_{j=1..m} (j − ½). Accurate to ~1e-15 relative; no overflow.
 * @throws AssayError `INVALID_INPUT` when x is not a positive integer or half-integer.
 */
export function lnGammaHalfInteger(x: number): number {
  const twice = 2 * x;
  if (!(x > 0) || !Number.isInteger(twice)) throw invalidInput("lnGammaHalfInteger", `needs a positive integer or half-integer, got ${x}`);
  let s = 0;
  if (Number.isInteger(x)) {
    for (let j = 2; j < x; j++) s += Math.log(j);
    return s;
  }
  for (let j = 1; j <= x - 0.5; j++) s += Math.log(j - 0.5);
  return LN_SQRT_PI + s;
}
