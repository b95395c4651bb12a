import { createRng, fitLogisticRegression, hashUniform } from "@assay/math";
import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { allocateCoreset, sampleCoreset, sensitivities, suggestCoresetSize } from "./sampling.js";
import { randomData } from "./test-helpers.js";

const n = 300;
const { x, y, d } = randomData(n, 4, 3, 41);
const weights = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 4) * 0.5);

/** Brute-force one-shot priority sample: per class, sort all rows by σ/u and keep the top m_c. */
function oneShotPriority(index: CoresetIndex, m: number, seed: number) {
  const { sigma, W, S } = sensitivities(index);
  const mc = allocateCoreset(Float64Array.from(W, (w, c) => w * S[c]!), index.classCounts(), m, 1);
  const out = new Map<number, number>();
  for (let c = 0; c < index.classes.length; c++) {
    const rows = Array.from({ length: index.size }, (_, i) => i).filter((i) => index.isLive(i) && index.labelOf(i) === c);
    const pr = (i: number) => sigma[i]! / hashUniform(seed, index.ids[i]!);
    rows.sort((a, b) => pr(b) - pr(a) || a - b);
    const k = mc[c]!;
    const tau = rows.length > k ? pr(rows[k]!) : 0;
    for (const r of rows.slice(0, k)) out.set(r, rows.length > k ? index.weights[r]! * Math.max(1, tau / sigma[r]!) : index.weights[r]!);
  }
  return out;
}

describe("CI-11 priority sampling", () => {
  const index = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { weights, chunkSize: 32 });
  it("keeps m_c rows per class, no duplicates, weights ≥ w_i; identical per seed; equal to the one-shot answer at any chunk size", () => {
    const a = sampleCoreset(index, { size: 40, seed: 5 });
    expect(a.indices).toHaveLength(40);
    expect(new Set(a.indices).size).toBe(40);
    expect(Object.values(a.perClass).reduce((s, v) => s + v, 0)).toBe(40);
    a.indices.forEach((r, t) => expect(a.weights[t]!).toBeGreaterThanOrEqual(index.weights[r]!));
    expect(sampleCoreset(index, { size: 40, seed: 5 })).toEqual(a);
    expect(a.unbiased).toBe(true);
    for (const chunkSize of [7, 64, n]) {
      const other = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { weights, chunkSize });
      const ref = oneShotPriority(other, 40, 5);
      const got = sampleCoreset(other, { size: 40, seed: 5 });
      expect(Array.from(got.indices)).toEqual([...ref.keys()].sort((p, q) => p - q));
      got.indices.forEach((r, t) => expect(got.weights[t]!).toBeCloseTo(ref.get(r)!, 12));
    }
  });
  it("returns every row with weight w_i when m ≥ n; 'top' is flagged biased", () => {
    const all = sampleCoreset(index, { size: 1000 });
    expect(Array.from(all.indices)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(all.weights)).toEqual(Array.from(weights));
    expect(sampleCoreset(index, { size: 30, method: "top" }).unbiased).toBe(false);
  });
  for (const method of ["priority", "multinomial"] as const) {
    it(`is unbiased over 2000 seeds (${method}): Σω per class within 2% of W_c, Σω·f within 3% of Σw·f`, () => {
      const f = (i: number) => 1 + Math.abs(x[i * d]!) + (i % 7);
      const K = 3;
      const W = new Float64Array(K);
      let target = 0;
      for (let i = 0; i < n; i++) {
        W[y[i]!]! += weights[i]!;
        target += weights[i]! * f(i);
      }
      const sumW = new Float64Array(K);
      let sumF = 0;
      const seeds = 2000;
      for (let seed = 0; seed < seeds; seed++) {
        const cs = sampleCoreset(index, { size: 30, seed, method });
        cs.indices.forEach((r, t) => {
          sumW[y[r]!]! += cs.weights[t]!;
          sumF += cs.weights[t]! * f(r);
        });
      }
      for (let c = 0; c < K; c++) expect(Math.abs(sumW[c]! / seeds - W[c]!) / W[c]!).toBeLessThan(0.02);
      expect(Math.abs(sumF / seeds - target) / target).toBeLessThan(0.03);
    });
  }
  it("allocates ∝ W_c·S_c with a minimum per class and whole classes kept whole", () => {
    expect(Array.from(allocateCoreset([10, 30, 60], [100, 100, 100], 10, 1))).toEqual([1, 3, 6]);
    expect(Array.from(allocateCoreset([1, 1, 98], [100, 100, 100], 10, 1))).toEqual([1, 1, 8]);
    expect(Array.from(allocateCoreset([50, 50], [3, 100], 20, 1))).toEqual([3, 17]);
    expect(suggestCoresetSize(100000, 128, 10)).toBe(30000);
  });
});

describe("CI-12 loss approximation", () => {
  // Synthetic multinomial LR data: n = 20k, d = 16, K = 4, labels drawn from a random softmax model.
  const N = 20000;
  const D = 16;
  const K = 4;
  const rng = createRng(99);
  const theta = Array.from({ length: K * D }, () => rng.normal());
  const X = new Float32Array(N * D);
  const Y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < D; j++) X[i * D + j] = rng.normal();
    const logits = Array.from({ length: K }, (_, k) => {
      let s = 0;
      for (let j = 0; j < D; j++) s += theta[k * D + j]! * X[i * D + j]!;
      return s;
    });
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    let u = rng.random() * e.reduce((a, b) => a + b, 0);
    let c = 0;
    while (c < K - 1 && (u -= e[c]!) > 0) c++;
    Y[i] = c;
  }
  const full = { rows: N, cols: D, data: X };
  /** Σ_i −ln p̂(y_i) of a model on the full data. */
  const fullLoss = (P: Float32Array) => {
    let s = 0;
    for (let i = 0; i < N; i++) s -= Math.log(Math.max(1e-300, P[i * K + Y[i]!]!));
    return s;
  };
  const model = fitLogisticRegression(full, Y, { C: 1, maxIter: 200 });
  const P = model.predictProba(full).data;
  const loss = new Float64Array(N);
  for (let i = 0; i < N; i++) loss[i] = -Math.log(Math.max(1e-300, P[i * K + Y[i]!]!));
  const lossStar = fullLoss(P);
  const index = CoresetIndex.build(full, Y);

  it("m = 20% keeps the median |L_C(θ*) − L(θ*)|/L(θ*) under 5% over 20 seeds (n = 20k, d = 16, K = 4)", () => {
    const errors: number[] = [];
    for (let seed = 0; seed < 20; seed++) {
      const cs = sampleCoreset(index, { size: 0.2 * N, seed });
      let approx = 0;
      cs.indices.forEach((r, t) => (approx += cs.weights[t]! * loss[r]!));
      errors.push(Math.abs(approx - lossStar) / lossStar);
    }
    errors.sort((a, b) => a - b);
    expect((errors[9]! + errors[10]!) / 2).toBeLessThan(0.05);
  });

  it("mean relative excess loss (L(θ_C) − L(θ*))/L(θ*) of the weighted coreset fit is non-increasing across m = 1, 5, 20%", () => {
    const means: number[] = [];
    for (const share of [0.01, 0.05, 0.2]) {
      let total = 0;
      const seeds = 20;
      for (let seed = 0; seed < seeds; seed++) {
        const cs = sampleCoreset(index, { size: Math.round(share * N), seed });
        const sub = new Float32Array(cs.indices.length * D);
        cs.indices.forEach((r, t) => sub.set(X.subarray(r * D, (r + 1) * D), t * D));
        const fit = fitLogisticRegression({ rows: cs.indices.length, cols: D, data: sub }, Int32Array.from(cs.indices, (r) => Y[r]!), {
          C: 1,
          maxIter: 200,
          classes: K,
          sampleWeight: cs.weights,
        });
        total += (fullLoss(fit.predictProba(full).data) - lossStar) / lossStar;
      }
      means.push(total / seeds);
    }
    expect(means[0]!).toBeGreaterThanOrEqual(means[1]!);
    expect(means[1]!).toBeGreaterThanOrEqual(means[2]!);
    expect(means[2]!).toBeGreaterThan(-1e-3); // θ* minimises the regularised full loss, so L(θ_C) − L(θ*) is ≈ 0 or positive
    expect(means[2]!).toBeLessThan(0.05);
  }, 60000);
});
