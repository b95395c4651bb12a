/**
 * Generic numerics this package needs that @assay/math does not have yet (to be moved there).
 * @internal
 */

/** numpy's `round` for one value: round half to even (banker's rounding). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Index of the largest value of `row[offset … offset + length)`, lowest index on ties (numpy `argmax`). */
export function argmaxAt(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  let bv = values[offset]!;
  for (let k = 1; k < length; k++) {
    const v = values[offset + k]!;
    if (v > bv) {
      bv = v;
      best = k;
    }
  }
  return best;
}
