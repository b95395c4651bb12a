import { describe, expect, it } from "vitest";
import type { Float32Matrix } from "@assay/core";
import { gram, gramParallel, project, projectParallel } from "./gemm.js";
import { gemmWasm, gemmWasmIfSupported } from "./gemm-wasm.js";
import { logisticObjective } from "./fit-kernel.js";
import { Mt19937 } from "./rng.js";
import { caught, expectClose } from "./test-helpers.js";

/** Gaussian-ish data with a large offset (so centring matters), from numpy's MT19937 stream. */
function data(seed: number, n: number, d: number, offset = 3): Float32Matrix {
  const rng = new Mt19937(seed);
  const out = new Float32Array(n * d);
  for (let t = 0; t < out.length; t++) out[t] = offset + (rng.random() - 0.5) * (1 + (t % d));
  return { rows: n, cols: d, data: out };
}

/** Float64 reference Σ wᵢ (x_{rᵢ} − c)(x_{rᵢ} − c)ᵀ. */
function naiveGram(m: Float32Matrix, rows: ArrayLike<number>, w: ArrayLike<number> | null, c: ArrayLike<number> | null): Float64Array {
  const d = m.cols;
  const G = new Float64Array(d * d);
  for (let t = 0; t < rows.length; t++) {
    const o = rows[t]! * d;
    const wt = w === null ? 1 : w[t]!;
    for (let a = 0; a < d; a++) {
      const va = m.data[o + a]! - (c === null ? 0 : c[a]!);
      for (let b = 0; b < d; b++) G[a * d + b]! += wt * va * (m.data[o + b]! - (c === null ? 0 : c[b]!));
    }
  }
  return G;
}

describe("gemm WebAssembly module", () => {
  it("both variants validate on this runtime (Node 20 has WebAssembly SIMD)", () => {
    expect(gemmWasmIfSupported(false)).toEqual(gemmWasm(false));
    expect(gemmWasmIfSupported(true)).toEqual(gemmWasm(true));
  });
});

describe("gram", () => {
  const m = data(1, 1000, 13);
  const all = Int32Array.from({ length: 1000 }, (_, i) => i);
  for (const [precision, tol] of [["float64", 1e-13], ["float32", 2e-6]] as const) {
    it(`${precision}: XᵀX, centred XᵀX and a weighted row subset match a float64 reference to ${tol} relative`, () => {
      const scale = (G: Float64Array): number => Math.max(...Array.from(G, Math.abs));
      const plain = naiveGram(m, all, null, null);
      expectClose(gram(m, { precision }).data, plain, tol * scale(plain));
      const mean = new Float64Array(13);
      for (let i = 0; i < 1000; i++) for (let j = 0; j < 13; j++) mean[j]! += m.data[i * 13 + j]! / 1000;
      const centred = gram(m, { center: true, precision });
      expectClose(centred.center!, mean, 1e-12);
      const ref = naiveGram(m, all, null, mean);
      expectClose(centred.data, ref, tol * scale(ref));
      const rows = Int32Array.from({ length: 300 }, (_, t) => (t * 7) % 1000);
      const w = Float64Array.from({ length: 300 }, (_, t) => (t % 5) / 2);
      const c = Float64Array.from({ length: 13 }, (_, j) => j / 3);
      const refW = naiveGram(m, rows, w, c);
      const got = gram(m, { rows, weights: w, center: c, precision });
      expectClose(got.data, refW, tol * scale(refW));
      for (let a = 0; a < 13; a++) for (let b = 0; b < 13; b++) expect(got.data[a * 13 + b]).toBe(got.data[b * 13 + a]);
    });
  }
  it("weighted mean as centre; scale keeps tiny data out of float32 underflow", () => {
    const w = Float64Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const rows = all.filter((i) => i % 3 !== 0);
    const a = gram(m, { weights: w, center: true });
    const b = gram(m, { rows, center: true });
    expectClose(a.center!, b.center!, 1e-12);
    expectClose(a.data, b.data, 2e-6 * Math.max(...Array.from(b.data, Math.abs)));
    const tiny: Float32Matrix = { rows: 1000, cols: 13, data: m.data.map((v) => v * 1e-25) };
    const ref = Array.from(gram(m).data, (v) => v * 1e-50);
    const top = 1e-50 * Math.max(...Array.from(gram(m).data, Math.abs));
    expectClose(gram(tiny).data, ref, 1e-5 * top); // float64: fine as is
    expect(gram(tiny, { precision: "float32" }).data[0]).toBe(0); // float32 products underflow …
    expectClose(gram(tiny, { precision: "float32", scale: 2 ** 83 }).data, ref, 1e-5 * top); // … unless scaled
  });
  it("is bit-identical with the JavaScript kernel and on 2 worker threads (deterministic block order)", async () => {
    const big = data(2, 5000, 37);
    for (const precision of ["float64", "float32"] as const) {
      const a = gram(big, { center: true, precision });
      const b = gram(big, { center: true, precision, simd: false });
      const c = await gramParallel(big, { center: true, precision, workers: 2 });
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      expect(Array.from(c.data)).toEqual(Array.from(a.data));
    }
  });
  it("accepts float64 rows and keeps them exact: centred scatter of a subset equals the direct float64 sum", async () => {
    const n = 37;
    const d = 5;
    const rng = new Mt19937(11);
    const data = Float64Array.from({ length: n * d }, () => rng.random() * 1e3 + 1 / 3);
    const rows = Int32Array.from([0, 3, 4, 8, 9, 20, 21, 22, 36]);
    const mean = new Float64Array(d);
    for (const i of rows) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / rows.length;
    const want = new Float64Array(d * d);
    for (const i of rows) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) want[a * d + b]! += (data[i * d + a]! - mean[a]!) * (data[i * d + b]! - mean[b]!);
    const m = { rows: n, cols: d, data };
    for (const g of [gram(m, { rows, center: true }), await gramParallel(m, { rows, center: true, workers: 2 })]) {
      for (let j = 0; j < d; j++) expect(g.center![j]).toBeCloseTo(mean[j]!, 9);
      for (let t = 0; t < d * d; t++) expect(Math.abs(g.data[t]! - want[t]!)).toBeLessThan(1e-9 * Math.abs(want[t]!) + 1e-6);
    }
  });

  it("typed errors for bad rows, weights, centre and options", async () => {
    expect((await caught(() => gram(m, { rows: Int32Array.of(0, 1000) }))).message).toMatch(/rows\[1\] = 1000/);
    expect((await caught(() => gram(m, { weights: [1, 2] }))).code).toBe("INVALID_INPUT");
    expect((await caught(() => gram(m, { weights: new Float64Array(1000).fill(-1) }))).message).toMatch(/weights\[0\]/);
    expect((await caught(() => gram(m, { center: [1, 2, 3] }))).message).toMatch(/center has 3 entries, expected 13/);
    expect((await caught(() => gram(m, { scale: 0 }))).code).toBe("INVALID_OPTION");
    expect((await caught(() => gram(m, { precision: "half" as "float32" }))).code).toBe("INVALID_OPTION");
    expect((await caught(() => gramParallel(m, { workers: -1 }))).code).toBe("INVALID_OPTION");
  });
});

describe("project", () => {
  const m = data(3, 777, 45);
  const rng = new Mt19937(4);
  const W = { rows: 45, cols: 11, data: Float64Array.from({ length: 45 * 11 }, () => rng.random() - 0.5) };
  const c = Float64Array.from({ length: 45 }, () => 3);
  function naive(rows: ArrayLike<number>): Float64Array {
    const out = new Float64Array(rows.length * 11);
    for (let t = 0; t < rows.length; t++) {
      for (let k = 0; k < 11; k++) {
        let s = 0;
        for (let j = 0; j < 45; j++) s += (m.data[rows[t]! * 45 + j]! - c[j]!) * W.data[j * 11 + k]!;
        out[t * 11 + k] = s;
      }
    }
    return out;
  }
  it("(X − c)·W over all rows or a subset matches a float64 reference", () => {
    const Y = project(m, W, { center: c });
    expect([Y.rows, Y.cols]).toEqual([777, 11]);
    expectClose(Y.data, naive(Array.from({ length: 777 }, (_, i) => i)), 1e-4);
    const rows = Int32Array.of(5, 776, 0, 5);
    expectClose(project(m, W, { center: c, rows }).data, naive(rows), 1e-4);
  });
  it("is bit-identical with the JavaScript kernel and on 2 worker threads", async () => {
    const a = project(m, W, { center: c });
    expect(Array.from(project(m, W, { center: c, simd: false }).data)).toEqual(Array.from(a.data));
    expect(Array.from((await projectParallel(m, W, { center: c, workers: 2 })).data)).toEqual(Array.from(a.data));
  });
  it("typed errors for a dimension mismatch or bad rows", async () => {
    expect((await caught(() => project(m, { rows: 44, cols: 2, data: new Float32Array(88) }))).message).toMatch(/45 columns, W is 44×2/);
    expect((await caught(() => project(m, W, { rows: Int32Array.of(-1) }))).code).toBe("INVALID_INPUT");
  });
});

describe("logistic objective on the float64 SIMD kernel", () => {
  it("loss and gradient equal the JavaScript loops to 1e-12 (relative)", () => {
    const n = 203;
    const d = 7;
    const K = 5;
    const rng = new Mt19937(9);
    const X = Float64Array.from({ length: n * d }, () => rng.random() * 2 - 1);
    const y = Int32Array.from({ length: n }, (_, i) => i % K);
    const sw = Float64Array.from({ length: n }, (_, i) => (i % 4) / 2);
    const w = Float64Array.from({ length: K * d + K }, () => rng.random() - 0.5);
    for (const weights of [null, sw]) {
      const gJs = new Float64Array(w.length);
      const gWasm = new Float64Array(w.length);
      const fJs = logisticObjective(X, n, d, y, K, 0.5, weights, null)(w, gJs);
      const fWasm = logisticObjective(X, n, d, y, K, 0.5, weights, gemmWasm(true))(w, gWasm);
      expect(Math.abs(fWasm - fJs)).toBeLessThan(1e-12 * Math.abs(fJs));
      expectClose(gWasm, gJs, 1e-12 * Math.max(...Array.from(gJs, Math.abs)));
    }
  });
});
