/**
 * Generic numerics this example needs and @assay/math does not have yet (to be moved there by the lead):
 * the low-frequency magnitudes of a 2-D discrete Fourier transform.
 */

/** Precomputed cos/sin tables of one square DFT size. */
export interface DftTables {
  readonly side: number;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

/** cos(2π·u·x/side) and sin(2π·u·x/side) for u, x in [0, side). */
export function dftTables(side: number): DftTables {
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
  return frequencies * (2 * frequencies - 1);
}

/**
 * |X(u, v)| of the 2-D DFT of a side×side image (row-major), for u in [0, F) and v in (−F, F) — one
 * half-plane of the low frequencies (the other half is the complex conjugate, so it carries no new
 * magnitude). The image mean is subtracted first, so X(0, 0) = 0. Magnitudes do not change when the
 * image is translated circularly, which is what makes them useful for near-duplicate search.
 * Writes F·(2F − 1) values to `out` (u-major) and returns their L2 norm.
 */
export function lowFrequencyMagnitudes(image: ArrayLike<number>, tables: DftTables, frequencies: number, out: Float32Array): number {
  const S = tables.side;
  const F = frequencies;
  const V = 2 * F - 1;
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
