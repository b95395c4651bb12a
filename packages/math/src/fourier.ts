import { checkInt, invalidInput } from "./errors.js";

/** Precomputed cos/sin tables of one square 2-D DFT size (see {@link dftTables}). */
export interface DftTables {
  /** Side length of the square images the tables serve. */
  readonly side: number;
  /** `cos(2π·u·x/side)` at `u * side + x`. */
  readonly cos: Float64Array;
  /** `sin(2π·u·x/side)` at `u * side + x`. */
  readonly sin: Float64Array;
}

/**
 * cos/sin tables for a square DFT of size `side`: `cos[u·side + x] = cos(2π·(u·x mod side)/side)` and the
 * same for sin, u, x in [0, side). Reducing `u·x` modulo `side` first keeps the angles small, so the
 * tables are exact to a few ulps for every entry.
 */
export function dftTables(side: number): DftTables {
  checkInt("dftTables", "side", side, 1, 4096);
  const cos = new Float64Array(side * side);
  const sin = new Float64Array(side * side);
  for (let u = 0; u < side; u++) {
    for (let x = 0; x < side; x++) {
      const angle = (2 * Math.PI * ((u * x) % side)) / side;
      cos[u * side + x] = Math.cos(angle);
      sin[u * side + x] = Math.sin(angle);
    }
  }
  return { side, cos, sin };
}

/** Number of values {@link lowFrequencyMagnitudes} writes for `frequencies` F: F · (2F − 1). */
export function lowFrequencyCount(frequencies: number): number {
  checkInt("lowFrequencyCount", "frequencies", frequencies, 1);
  return frequencies * (2 * frequencies - 1);
}

/**
 * Magnitudes of the low frequencies of the 2-D DFT `X(u, v) = Σ_y Σ_x f(y, x)·e^{−2πi(uy + vx)/S}` of a
 * side×side image `f` (row-major), after subtracting the image mean (so `X(0, 0) = 0`). Returns
 * `|X(u, v)|` for u in [0, F) and v in (−F, F) — one half-plane of the low frequencies (the other half
 * is the complex conjugate of it for a real image and carries no new magnitude) — written u-major to
 * `out[u·(2F − 1) + (v + F − 1)]`. Magnitudes do not change when the image is translated circularly (only
 * the phase does). Cost O(S²·F) (separable: rows first, then columns). Returns the L2 norm of the
 * written values.
 */
export function lowFrequencyMagnitudes(image: ArrayLike<number>, tables: DftTables, frequencies: number, out: Float32Array | Float64Array): number {
  const S = tables.side;
  const F = frequencies;
  checkInt("lowFrequencyMagnitudes", "frequencies", F, 1, Math.ceil(S / 2));
  if (image.length !== S * S) throw invalidInput("lowFrequencyMagnitudes", `image has ${image.length} values, expected ${S}×${S} = ${S * S}`);
  const V = 2 * F - 1;
  if (out.length < F * V) throw invalidInput("lowFrequencyMagnitudes", `out has ${out.length} values, needs ${F * V}`);
  let mean = 0;
  for (let i = 0; i < S * S; i++) mean += image[i]!;
  mean /= S * S;
  // Transform along x for the 2F − 1 wanted v, then along y for the F wanted u.
  const re = new Float64Array(S * V);
  const im = new Float64Array(S * V);
  for (let y = 0; y < S; y++) {
    for (let vi = 0; vi < V; vi++) {
      const v = (vi - (F - 1) + S) % S;
      let a = 0;
      let b = 0;
      for (let x = 0; x < S; x++) {
        const p = image[y * S + x]! - mean;
        a += p * tables.cos[v * S + x]!;
        b -= p * tables.sin[v * S + x]!;
      }
      re[y * V + vi] = a;
      im[y * V + vi] = b;
    }
  }
  let sumSquares = 0;
  for (let u = 0; u < F; u++) {
    for (let vi = 0; vi < V; vi++) {
      let a = 0;
      let b = 0;
      for (let y = 0; y < S; y++) {
        const c = tables.cos[u * S + y]!;
        const s = tables.sin[u * S + y]!;
        const pr = re[y * V + vi]!;
        const pi = im[y * V + vi]!;
        a += pr * c + pi * s;
        b += pi * c - pr * s;
      }
      const magnitude = Math.hypot(a, b);
      out[u * V + vi] = magnitude;
      sumSquares += magnitude * magnitude;
    }
  }
  return Math.sqrt(sumSquares);
}
