// Shared synthetic data for the benchmarks (bench/math and bench/coverage).
import { createRng } from "@assay/math";

/**
 * Low-intrinsic-dimension float32 rows, like real embeddings: `classes` clusters (row i in class
 * i mod classes) in an L-dimensional latent space (centres 3·N(0,1), unit spread), mapped to d columns
 * by a fixed random linear map, tanh(·/4), plus 0.01 Gaussian noise. Seeded and deterministic.
 * (Isotropic Gaussian blobs in d dimensions make every point's neighbours a near-random draw from
 * its blob: nothing like embeddings, and a worst case for any approximate index.)
 * `alloc(length)` gives the Float32Array the rows are written to (e.g. @assay/math's kernelFloat32Array).
 */
export function latent(n, d, seed, L = 16, classes = 10, alloc = (length) => new Float32Array(length)) {
  const rng = createRng(seed);
  const W = Float64Array.from({ length: L * d }, () => rng.normal());
  const C = Float64Array.from({ length: classes * L }, () => 3 * rng.normal());
  const z = new Float64Array(L);
  const data = alloc(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let l = 0; l < L; l++) z[l] = C[c * L + l] + rng.normal();
    for (let j = 0; j < d; j++) {
      let a = 0;
      for (let l = 0; l < L; l++) a += z[l] * W[l * d + j];
      data[i * d + j] = Math.tanh(a / 4) + 0.01 * rng.normal();
    }
  }
  return { rows: n, cols: d, data, labels };
}
