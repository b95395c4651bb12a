import { describe, expect, it } from "vitest";
import type { Float32Matrix } from "@assay/core";
import { fitPca, pca } from "./pca.js";
import { matrix } from "./matrix.js";
import { Mt19937 } from "./rng.js";
import * as ref from "./reference.fixture.js";
import { caught, expectClose } from "./test-helpers.js";

/** scripts/reference.py `pca_data`: uniform − 0.5, columns scaled by linspace(5, 0.3, d), chained. */
function pcaData(seed: number, n: number, d: number): Float32Matrix {
  const rng = new Mt19937(seed);
  const A = new Float64Array(n * d);
  for (let t = 0; t < A.length; t++) A[t] = rng.random() - 0.5;
  const step = (0.3 - 5) / (d - 1);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) A[i * d + j]! *= j === d - 1 ? 0.3 : j * step + 5;
  for (let j = 1; j < d; j++) for (let i = 0; i < n; i++) A[i * d + j]! += 0.5 * A[i * d + j - 1]!;
  return { rows: n, cols: d, data: Float32Array.from(A) };
}

/** Compare components up to the sign of each row, and check our own sign rule. */
function expectSameAxes(got: Float32Matrix, expected: number[], tol: number): void {
  const d = got.cols;
  for (let c = 0; c < got.rows; c++) {
    const row = Array.from(got.data.subarray(c * d, (c + 1) * d));
    const exp = expected.slice(c * d, (c + 1) * d);
    const sign = Math.sign(row.reduce((s, v, j) => s + v * exp[j]!, 0));
    expectClose(row.map((v) => v * sign), exp, tol);
    let arg = 0;
    for (let j = 1; j < d; j++) if (Math.abs(row[j]!) > Math.abs(row[arg]!)) arg = j;
    expect(row[arg]!).toBeGreaterThan(0);
  }
}

// References: sklearn PCA(svd_solver="full") (scripts/reference.py).
describe("PCA vs scikit-learn", () => {
  const P = pcaData(11, 200, 10);
  it("exact: components (up to sign), explained variance and ratio to 1e-4", () => {
    const m = fitPca(P, { components: 4, method: "exact" });
    expect(m.method).toBe("exact");
    expectSameAxes(m.components, ref.pcaComponents, 1e-4);
    expectClose(m.explainedVariance, ref.pcaEv, 1e-4);
    expectClose(m.explainedVarianceRatio, ref.pcaEvr, 1e-5);
  });
  it("projection and whitening agree up to the sign of each column", () => {
    const { model, projected } = pca(P, { components: 4 });
    const signs = Array.from({ length: 4 }, (_, c) => {
      let s = 0;
      for (let j = 0; j < 10; j++) s += model.components.data[c * 10 + j]! * ref.pcaComponents[c * 10 + j]!;
      return Math.sign(s);
    });
    expectClose(Array.from(projected.data.subarray(0, 12), (v, t) => v * signs[t % 4]!), ref.pcaProjHead, 1e-4);
    const w = fitPca(P, { components: 4, whiten: true }).transform(P);
    expectClose(Array.from(w.data.subarray(0, 8), (v, t) => v * signs[t % 4]!), ref.pcaWhitenHead, 1e-4);
  });
  it("randomized solver reaches the exact answer on a well-separated spectrum", () => {
    const m = fitPca(P, { components: 4, method: "randomized", seed: 3 });
    expect(m.method).toBe("randomized");
    expectSameAxes(m.components, ref.pcaComponents, 1e-4);
    expectClose(m.explainedVariance, ref.pcaEv, 1e-4);
  });
  it("more columns than rows (Gram path)", () => {
    const W = pcaData(12, 40, 60);
    const m = fitPca(W, { components: 3, method: "exact" });
    expectSameAxes(m.components, ref.pcaWideComponents, 1e-4);
    expectClose(m.explainedVariance, ref.pcaWideEv, 1e-4);
    const r = fitPca(W, { components: 3, method: "randomized" });
    expectSameAxes(r.components, ref.pcaWideComponents, 1e-4);
  });
  it("is deterministic", () => {
    const a = fitPca(P, { components: 3, method: "randomized", seed: 1 });
    const b = fitPca(P, { components: 3, method: "randomized", seed: 1 });
    expect(a.components.data).toEqual(b.components.data);
  });
});

describe("bounded solvers on degenerate input", () => {
  it("randomized: rank below the component count still gives orthonormal axes and the exact spectrum", () => {
    // 30×8 of rank 2 (plus mean): columns 2..7 are combinations of columns 0 and 1.
    const rng = new Mt19937(5);
    const data = new Float32Array(30 * 8);
    for (let i = 0; i < 30; i++) {
      const a = rng.random();
      const b = rng.random();
      const row = [a, b, a + b, a - b, 2 * a, 0, 0.5 * b, a];
      data.set(row, i * 8);
    }
    const X: Float32Matrix = { rows: 30, cols: 8, data };
    const exact = fitPca(X, { components: 2, method: "exact" });
    const r = fitPca(X, { components: 5, method: "randomized", seed: 0 });
    expectClose(r.explainedVariance.subarray(0, 2), exact.explainedVariance, 1e-5);
    for (let c = 2; c < 5; c++) expect(r.explainedVariance[c]!).toBeLessThan(1e-9);
    const A = r.components.data;
    for (let p = 0; p < 5; p++) {
      for (let q = p; q < 5; q++) {
        let s = 0;
        for (let j = 0; j < 8; j++) s += A[p * 8 + j]! * A[q * 8 + j]!;
        expect(Math.abs(s - (p === q ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });
  it("exact: a matrix of 1e-30-sized values has the same axes as the unscaled one", () => {
    const X = pcaData(11, 40, 6);
    const tiny: Float32Matrix = { rows: 40, cols: 6, data: X.data.map((v) => v * 1e-30) };
    const a = fitPca(X, { components: 3, method: "exact" });
    const b = fitPca(tiny, { components: 3, method: "exact" });
    expectClose(b.components.data, a.components.data, 1e-4);
    expectClose(b.explainedVarianceRatio, a.explainedVarianceRatio, 1e-6);
  });
});

describe("bad input", () => {
  it("components out of range, empty, NaN, dimension mismatch", async () => {
    const P = pcaData(11, 20, 5);
    expect((await caught(() => fitPca(P, { components: 6 }))).code).toBe("INVALID_OPTION");
    expect((await caught(() => fitPca(matrix(0, 3), { components: 1 }))).message).toContain("empty");
    const bad = matrix(3, 2, [0, 1, 2, Infinity, 4, 5]);
    expect((await caught(() => fitPca(bad, { components: 1 }))).message).toContain("row 1, column 1");
    const m = fitPca(P, { components: 2 });
    expect((await caught(() => m.transform(matrix(2, 4)))).message).toContain("dimension mismatch");
  });
});
