import { readFileSync } from "node:fs";
import { isKernelResident, kernelFloat32Array, leaseKernelMemory } from "@assay/math";
import { afterEach, describe, expect, it } from "vitest";
import { computeConfidentJoint, findLabelIssues, numLabelIssues } from "./confident-learning.js";
import { log32Bits } from "./kernels.js";
import { f32AtLeast, pairwiseLeaves, rowsKernel, useRowsWasm } from "./rows-wasm.js";
import { getLabelQualityScores } from "./scores.js";
import { pruneWasm } from "./prune-wasm.js";
import { findLabelIssuesChunked } from "./streaming.js";
import { tiesDataset } from "./test-helpers.js";
import { getConfidentThresholds } from "./thresholds.js";
import { FILTER_BY_MODES, type LabelQualityMethod, type ProbMatrix } from "./types.js";

const METHODS: LabelQualityMethod[] = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"];

/**
 * Seeded float32 pred_probs on a coarse grid (many exact ties, repeated row maxima), with exact zeros,
 * negative zeros and tiny negative values inside the allowed range, and 15% flipped labels.
 */
function gridded(n: number, K: number, seed: number): { labels: Int32Array; P: ProbMatrix & { data: Float32Array } } {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const labels = new Int32Array(n);
  const data = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(rnd() * K);
    for (let k = 0; k < K; k++) {
      const u = rnd();
      data[i * K + k] = u < 0.05 ? 0 : u < 0.07 ? -0 : u < 0.09 ? -5e-7 : Math.floor(rnd() * 9) / 32 + (k === t ? 0.5 : 0);
    }
    labels[i] = rnd() < 0.15 ? Math.floor(rnd() * K) : t;
  }
  return { labels, P: { rows: n, cols: K, data } };
}

/** `f()` with the WebAssembly scans on and off. */
function both<T>(f: () => T): { wasm: T; js: T } {
  useRowsWasm(true);
  const wasm = f();
  useRowsWasm(false);
  const js = f();
  useRowsWasm(true);
  return { wasm, js };
}

/** The thrown error's message (or "no error"). */
function errorOf(f: () => unknown): string {
  try {
    f();
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}

/** `P` with its values in a kernel-resident array (read in place by the WebAssembly scans). */
function resident<M extends ProbMatrix & { data: Float32Array }>(P: M): M {
  const data = kernelFloat32Array(P.data.length);
  data.set(P.data);
  return { ...P, data };
}

afterEach(() => useRowsWasm(true));

describe("WebAssembly row scans", () => {
  it("are available on this runtime (Node ≥ 20 has WebAssembly SIMD)", () => {
    expect(rowsKernel(100)).not.toBeNull();
    expect(rowsKernel(3)).toBeNull(); // fewer than 4 columns: JavaScript only
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wasm.validate(pruneWasm())).toBe(true);
  });

  it("f32AtLeast gives the float32 bound that reproduces a float64 comparison", () => {
    for (const x of [0.3, -1e-6, 1 + 1e-6, 2 - 1e-6, 1e-40, -0.25, 0.5]) {
      const b = f32AtLeast(x);
      expect(b).toBe(Math.fround(b));
      expect(b >= x).toBe(true);
      // no float32 lies in [x, b) other than b itself
      const below = new Float32Array([b]);
      new Uint32Array(below.buffer)[0]! += b > 0 ? -1 : 1;
      if (b !== 0) expect(below[0]! < x).toBe(true);
    }
  });

  it("read kernel-resident pred_probs in place, and copy while its memory is leased elsewhere", () => {
    const { P } = gridded(2000, 12, 3);
    const R = resident(P);
    expect(isKernelResident(R.data)).toBe(true);
    const wk = rowsKernel(12, R.data)!;
    expect(wk.inPlace).toBe(true);
    expect(rowsKernel(12, R.data)!.inPlace).toBe(false); // leased: the second kernel copies
    expect(wk.scan(R.data, 12 * 5, 3)!.byteOffset).toBe(R.data.byteOffset + 12 * 5 * 4);
    wk.release();
    const lease = leaseKernelMemory(R.data)!;
    expect(rowsKernel(12, R.data)!.inPlace).toBe(false);
    lease.release();
    expect(rowsKernel(12, P.data)!.inPlace).toBe(false);
  });

  for (const [K, inPlace] of [[4, false], [7, false], [12, false], [100, false], [300, false], [4, true], [7, true], [100, true], [1000, true]] as const) {
    it(`give bit-identical masks, rankings, joints and scores to the JavaScript kernels (K = ${K}, tail ${K % 4}${inPlace ? ", kernel-resident input" : ""})`, () => {
      // several blocks of rows (a block holds ⌊65536 / K⌋ rows, an odd number for K = 100)
      const n = Math.max(3 * Math.floor(65536 / K) + 17, 400);
      const data = gridded(n, K, 7 + K);
      const labels = data.labels;
      const P = inPlace ? resident(data.P) : data.P;
      for (const filterBy of FILTER_BY_MODES) {
        const r = both(() => findLabelIssues(labels, P, { filterBy }));
        expect(Array.from(r.wasm), filterBy).toEqual(Array.from(r.js));
      }
      const ranked = both(() => findLabelIssues(labels, P, { filterBy: "both", returnIndicesRankedBy: "normalized_margin" }));
      expect(Array.from(ranked.wasm)).toEqual(Array.from(ranked.js));
      const t = both(() => getConfidentThresholds(labels, P));
      expect(Array.from(t.wasm)).toEqual(Array.from(t.js));
      const cj = both(() => computeConfidentJoint(labels, P));
      expect(Array.from(cj.wasm.uncalibrated)).toEqual(Array.from(cj.js.uncalibrated));
      expect(Array.from(cj.wasm.offDiagonalIndices)).toEqual(Array.from(cj.js.offDiagonalIndices));
      // user thresholds that are not float32 values (and 0, 1, out of range)
      const thresholds = Array.from({ length: K }, (_, k) => [1 / 3, 0, 1, 0.15625, -1e-40, 1e-40, 2][k % 7]!);
      const cu = both(() => computeConfidentJoint(labels, P, { thresholds, calibrate: false }));
      expect(Array.from(cu.wasm.joint)).toEqual(Array.from(cu.js.joint));
      expect(Array.from(cu.wasm.offDiagonalIndices)).toEqual(Array.from(cu.js.offDiagonalIndices));
      const num = both(() => numLabelIssues(labels, P));
      expect(num.wasm).toBe(num.js);
      // the entropy needs probabilities in [0, 1]: the tiny negative values become zeros for it; a few
      // subnormal values send their rows to the JavaScript path
      const P0 = { ...P, data: P.data.map((v, q) => (v < 0 ? 0 : q % 997 === 5 ? 1e-40 : v)) };
      if (inPlace) P0.data = resident(P0).data;
      for (const method of METHODS) {
        const s = both(() => getLabelQualityScores(labels, method === "confidence_weighted_entropy" ? P0 : P, { method }));
        expect(s.wasm.every((v, i) => Object.is(v, s.js[i])), method).toBe(true);
      }
    });
  }

  it("the float32 logarithm of the entropy is within 3 float32 ulp of ln p, and the same in WebAssembly and JavaScript", () => {
    const f = new Float32Array(1);
    const u = new Int32Array(f.buffer);
    const ulp = (x: number): number => {
      f[0] = Math.abs(x);
      const lo = f[0]!;
      u[0]! += 1;
      return f[0]! - lo;
    };
    let s = 12345;
    const bits: number[] = [0x3f800000, 0x3f000000, 0x00800000, 0x3f7fffff, 0x3fb504f3 - 0x00800000, 0x3fb504f4 - 0x00800000, 0x3f3504f3, 0x3f3504f4];
    for (let i = 0; i < 200_000; i++) bits.push(0x00800000 + ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % (0x3f800000 - 0x00800000 + 1)));
    let worst = 0;
    for (const b of bits) {
      u[0] = b;
      const exact = Math.log(f[0]!);
      const got = log32Bits(b);
      expect(got).toBe(Math.fround(got));
      if (exact !== 0) worst = Math.max(worst, Math.abs(got - exact) / ulp(exact));
      else expect(got).toBe(0);
    }
    expect(worst).toBeLessThanOrEqual(3);
    // continuous softmax rows (every mantissa and many exponents), K with and without a tail of columns, and
    // K = 1000 (numpy's split in eight leaves; kernel-resident, 1.5 M values: the helper thread takes half)
    for (const [K, n] of [[10, 20_000], [7, 20_000], [1000, 1500]] as const) {
      const data = new Float32Array(n * K);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let z = 0;
        const e: number[] = [];
        for (let k = 0; k < K; k++) {
          const v = Math.exp(12 * ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 6);
          e.push(v);
          z += v;
        }
        e.forEach((v, k) => (data[i * K + k] = v / z));
        labels[i] = i % K;
      }
      for (const P of [{ rows: n, cols: K, data }, resident({ rows: n, cols: K, data })]) {
        const r = both(() => getLabelQualityScores(labels, P, { method: "confidence_weighted_entropy" }));
        expect(r.wasm.every((v, i) => Object.is(v, r.js[i]))).toBe(true);
      }
    }
  });

  it("sum confident rows again with exact logarithms: cleanlab's confidence-weighted entropy within 2.5e-7 where float32 rounding amplifies the last bit", () => {
    // cleanlab 7506257's scores (numpy 1.24.2) of 2,000 confident float32 rows, K = 16: x = H / own is 0.01–0.34,
    // where one ulp of the entropy can move fround(x + 1), and the score by up to 1.2e-5 (the float32 logarithms
    // alone are 7.4e-6 off here)
    const ref = JSON.parse(readFileSync(new URL("./fixtures/cleanlab-float32-entropy.json", import.meta.url), "utf8")) as { N: number; K: number; seed: number; scores: number[] };
    const { N, K } = ref;
    const data = new Float32Array(N * K);
    const labels = new Int32Array(N);
    let s = ref.seed;
    const lcg = (): number => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) >>> 8;
    for (let i = 0; i < N; i++) {
      const t = i % K;
      const w = Array.from({ length: K }, () => 1 + (lcg() % 40));
      w[t]! += 2000 + (lcg() % 60000);
      const total = w.reduce((a, b) => a + b, 0);
      w.forEach((v, k) => (data[i * K + k] = v / total));
      labels[i] = t;
    }
    const worst = (got: ArrayLike<number>, copies = 1): number => {
      let m = 0;
      for (let i = 0; i < N * copies; i++) m = Math.max(m, Math.abs(got[i]! - Math.fround(ref.scores[i % N]!)));
      return m;
    };
    const r = both(() => getLabelQualityScores(labels, { rows: N, cols: K, data }, { method: "confidence_weighted_entropy" }));
    expect(worst(r.wasm)).toBeLessThanOrEqual(2.5e-7);
    expect(r.wasm.every((v, i) => Object.is(v, r.js[i]))).toBe(true);
    // 33 copies (past HELPER_MIN values, kernel-resident): the helper thread's half takes the same path
    const copies = 33;
    const big = kernelFloat32Array(copies * N * K);
    const bigLabels = new Int32Array(copies * N);
    for (let c = 0; c < copies; c++) {
      big.set(data, c * N * K);
      bigLabels.set(labels, c * N);
    }
    expect(worst(getLabelQualityScores(bigLabels, { rows: copies * N, cols: K, data: big }, { method: "confidence_weighted_entropy" }), copies)).toBeLessThanOrEqual(2.5e-7);
  });

  it("split rows of more than 128 values as numpy's pairwise sum does", () => {
    // 1000 → 496 + 504 → (248 → 120 + 128) twice, 248 + 256 → (120 + 128), (128 + 128)
    const { leaves, program } = pairwiseLeaves(1000);
    expect(Array.from(leaves)).toEqual([0, 120, 120, 120, 128, 128, 248, 120, 120, 368, 128, 128, 496, 120, 120, 616, 128, 128, 744, 128, 128, 872, 128, 128]);
    expect(Array.from(program)).toEqual([0, 1, -1, 2, 3, -1, -1, 4, 5, -1, 6, 7, -1, -1, -1]);
    expect(Array.from(pairwiseLeaves(100).leaves)).toEqual([0, 100, 96]);
    expect(Array.from(pairwiseLeaves(129).leaves)).toEqual([0, 64, 64, 64, 65, 64]);
  });

  it("share the rows of a large kernel-resident matrix with the helper thread: the same scores and errors", () => {
    const n = 12_000;
    const K = 100;
    const { labels, P } = gridded(n, K, 99);
    const data = resident({ ...P, data: P.data.map((v, q) => (v < 0 ? 0 : q % 9973 === 11 ? 1e-40 : v)) });
    for (const method of ["self_confidence", "confidence_weighted_entropy"] as const) {
      const r = both(() => getLabelQualityScores(labels, data, { method }));
      expect(r.wasm.every((v, i) => Object.is(v, r.js[i])), method).toBe(true);
    }
    // an invalid value in the helper's half is reported as in the JavaScript kernel
    data.data[(n - 5) * K + 3] = Number.NaN;
    for (const method of ["self_confidence", "confidence_weighted_entropy"] as const) {
      const e = both(() => errorOf(() => getLabelQualityScores(labels, data, { method })));
      expect(e.wasm).toBe(e.js);
      expect(e.wasm).toMatch(/\[11995\]\[3\]/);
    }
  });

  it("keep the tie handling of the pruning selections (cleanlab parity fixture's data, float32, K = 20)", () => {
    const { labels, P } = tiesDataset();
    for (const filterBy of ["prune_by_noise_rate", "prune_by_class", "both"] as const) {
      const r = both(() => findLabelIssues(labels, P, { filterBy }));
      expect(Array.from(r.wasm)).toEqual(Array.from(r.js));
    }
  });

  it("give the chunked path the same results as without them (one big and many small chunks)", async () => {
    const { labels, P } = gridded(9000, 12, 99);
    const source = () => [
      { rows: 6000, cols: 12, data: P.data.subarray(0, 6000 * 12) },
      ...Array.from({ length: 30 }, (_, c) => ({ rows: 100, cols: 12, data: P.data.subarray((6000 + 100 * c) * 12, (6100 + 100 * c) * 12) })),
    ];
    useRowsWasm(false);
    const js = await findLabelIssuesChunked(labels, source, { numClasses: 12, filterBy: "both", labelQualityScores: "normalized_margin" });
    useRowsWasm(true);
    const wasm = await findLabelIssuesChunked(labels, source, { numClasses: 12, filterBy: "both", labelQualityScores: "normalized_margin" });
    expect(Array.from(wasm.mask)).toEqual(Array.from(js.mask));
    expect(Array.from(wasm.labelQualityScores!)).toEqual(Array.from(js.labelQualityScores!));
    expect(wasm.tieFallbacks).toBe(js.tieFallbacks);
  });

  for (const [what, value] of [
    ["NaN", Number.NaN],
    ["a negative value", -0.01],
    ["a value above 1", 1.5],
  ] as const) {
    it(`report ${what} with the same error as the JavaScript kernels, in a SIMD column and in a tail column`, () => {
      // K = 10: columns 8 and 9 are the tail; K = 12: no tail (the margin runs wholly in WebAssembly)
      for (const [K, col, inPlace] of [[10, 3, false], [10, 9, false], [12, 0, false], [12, 11, false], [10, 9, true], [12, 0, true]] as const) {
        const g = gridded(20000, K, 5);
        const labels = g.labels;
        const P = inPlace ? resident(g.P) : g.P;
        P.data.forEach((v, q) => {
          if (v < 0) P.data[q] = 0; // the entropy score refuses the tiny negative values
        });
        P.data[14321 * K + col] = value;
        P.data[17000 * K + 1] = value; // a later one must not be reported
        const calls: (() => unknown)[] = [
          () => findLabelIssues(labels, P),
          () => findLabelIssues(labels, P, { filterBy: "predicted_neq_given" }),
          ...METHODS.map((method) => () => getLabelQualityScores(labels, P, { method })),
        ];
        for (const call of calls) {
          const r = both(() => errorOf(call));
          expect(r.wasm).toContain(`[14321][${col}]`);
          expect(r.wasm).toBe(r.js);
        }
      }
    });
  }
});
