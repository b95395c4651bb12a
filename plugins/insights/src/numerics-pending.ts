/**
 * Generic numerics this package needs that @assay/math does not have yet (to be moved there).
 * @internal
 */

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
