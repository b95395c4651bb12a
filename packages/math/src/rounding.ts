/*
 * Rounding to integers: Python's round-half-to-even and largest-remainder apportionment.
 */

/**
 * Round half to even on the binary value, like Python's `round(x)`: 0.5 → 0, 1.5 → 2, 2.5 → 2.
 * (`Math.round` rounds halves up.) `x − floor(x)` is exact for doubles, so only true halves tie.
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Largest-remainder rounding of non-negative `shares` to integers summing to `total` (shares are
 * scaled to sum to `total`). Ties in the remainder go to the lower index. All-zero shares split evenly.
 */
export function largestRemainder(shares: ArrayLike<number>, total: number): Int32Array {
  const k = shares.length;
  const out = new Int32Array(k);
  if (k === 0 || total <= 0) return out;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += shares[i]!;
  const exact = new Float64Array(k);
  for (let i = 0; i < k; i++) exact[i] = sum > 0 ? (shares[i]! * total) / sum : total / k;
  let assigned = 0;
  for (let i = 0; i < k; i++) {
    out[i] = Math.floor(exact[i]! + 1e-12);
    assigned += out[i]!;
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => {
    const ra = exact[a]! - out[a]!;
    const rb = exact[b]! - out[b]!;
    return rb !== ra ? rb - ra : a - b;
  });
  for (let r = 0; assigned < total; r = (r + 1) % k) {
    out[order[r]!]!++;
    assigned++;
  }
  return out;
}
