import { describe, expect, it } from "vitest";
import { accumulateGramLower, lowerQuadNorms, lowerQuadNormsParallel } from "./quadratic.js";
import { createRng } from "./rng.js";

const p = 7;
const n = 203;
function data(seed: number, shared = false): Float64Array {
  const rng = createRng(seed);
  const A = new Float64Array(shared ? new SharedArrayBuffer(n * p * 8) : new ArrayBuffer(n * p * 8));
  for (let i = 0; i < A.length; i++) A[i] = rng.normal();
  return A;
}
function lowerTriangular(seed: number): Float64Array {
  const rng = createRng(seed);
  const M = new Float64Array(p * p);
  for (let r = 0; r < p; r++) for (let j = 0; j <= r; j++) M[r * p + j] = rng.normal();
  return M;
}
function naiveQuad(M: Float64Array, A: Float64Array, i: number): number {
  let s = 0;
  for (let r = 0; r < p; r++) {
    let v = 0;
    for (let j = 0; j <= r; j++) v += M[r * p + j]! * A[i * p + j]!;
    s += v * v;
  }
  return s;
}

describe("lowerQuadNorms", () => {
  it("equals ‖M·aᵢ‖² for the listed rows (blocked and remainder rows) and ignores entries above the diagonal", () => {
    const A = data(1);
    const M = lowerTriangular(2);
    const withUpper = M.slice();
    withUpper[0 * p + 3] = 99;
    const rows = Int32Array.from([0, 5, 6, 7, 100, 202, 1]);
    const out = new Float64Array(n * 2);
    lowerQuadNorms(withUpper, p, A, rows, out, 2, 1);
    for (const i of rows) expect(out[i * 2 + 1]).toBeCloseTo(naiveQuad(M, A, i), 10);
    expect(out[2 * 2 + 1]).toBe(0);
    expect(out[5 * 2]).toBe(0);
  });
  it("the worker-thread version gives bit-identical values for 1 and 2 workers", async () => {
    const A = data(3, true);
    const lowers = [lowerTriangular(4), null, lowerTriangular(5)];
    const serial = new Float64Array(n * 3);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    lowerQuadNorms(lowers[0]!, p, A, all, serial, 3, 0);
    lowerQuadNorms(lowers[2]!, p, A, all, serial, 3, 2);
    for (const workers of [1, 2]) {
      const out = new Float64Array(new SharedArrayBuffer(n * 3 * 8));
      await lowerQuadNormsParallel(lowers, [0, 1, 2], p, A, n, out, 3, workers);
      expect(Array.from(out)).toEqual(Array.from(serial));
    }
  });
});

describe("accumulateGramLower", () => {
  it("adds Σ scale·wₜ·aₜaₜᵀ to the lower triangle only", () => {
    const A = data(6);
    const rng = createRng(7);
    const w = Float64Array.from({ length: n }, () => rng.random());
    const rows = Int32Array.from({ length: 41 }, (_, t) => (t * 5) % n);
    const G = new Float64Array(p * p);
    accumulateGramLower(G, p, A, rows, w, 0.5);
    for (let r = 0; r < p; r++) {
      for (let j = 0; j < p; j++) {
        let want = 0;
        if (j <= r) for (const i of rows) want += 0.5 * w[i]! * A[i * p + r]! * A[i * p + j]!;
        expect(G[r * p + j]).toBeCloseTo(want, 10);
      }
    }
    const unweighted = new Float64Array(p * p);
    accumulateGramLower(unweighted, p, A, [3], null);
    expect(unweighted[2 * p + 1]).toBeCloseTo(A[3 * p + 2]! * A[3 * p + 1]!, 14);
  });
});
