import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { labelFreeScores } from "./label-free.js";
import { choleskyWithJitter, backSolveTransposed, forwardSolve } from "@assay/math";
import { importantSamples } from "./query.js";
import { gaussianClasses, maxRelDiff, mixtureWithFlips, precisionAtK, randomData } from "./test-helpers.js";

describe("CI-1 leverage closed form", () => {
  const x = { rows: 8, cols: 1, data: [0, 1, 2, 3, 10, 11, 12, 13] };
  const index = CoresetIndex.build(x, ["A", "A", "A", "A", "B", "B", "B", "B"], { ridge: 1e-12, maxDim: Number.POSITIVE_INFINITY, smallClass: "allow" });
  it("gives A's leverages 0.7, 0.3, 0.3, 0.7 summing to p = 2", () => {
    const h = [0, 1, 2, 3].map((i) => index.scores(i).leverage);
    [0.7, 0.3, 0.3, 0.7].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 9));
    expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 9);
  });
  it("gives d_own = 4h/(1−h) and a negative label score with the own class suggested", () => {
    const expected = [9.333333333, 1.714285714, 1.714285714, 9.333333333];
    for (let i = 0; i < 4; i++) {
      const s = index.scores(i);
      expect(Math.abs(Math.exp(s.outlierScore) - expected[i]!)).toBeLessThan(1e-6);
      expect(s.suggestedLabel).toBe("A");
      expect(s.labelScore).toBeLessThan(0);
    }
  });
});

describe("CI-2 ridge effect", () => {
  const { x, y, d } = randomData(60, 4, 2, 3);
  const hOf = (ridge: number) => CoresetIndex.build({ rows: 60, cols: d, data: x }, y, { ridge }).leverageScores();
  it("keeps 0 ≤ h < 1 and Σ_class h < p, and h falls as ρ grows", () => {
    const ridges = [0.001, 0.01, 0.1, 1, 10];
    const all = ridges.map(hOf);
    for (const h of all) {
      for (const v of h) expect(v >= 0 && v < 1).toBe(true);
      for (let c = 0; c < 2; c++) {
        let s = 0;
        for (let i = 0; i < 60; i++) if (y[i] === c) s += h[i]!;
        expect(s).toBeLessThan(5);
      }
    }
    for (let i = 0; i < 60; i++) for (let t = 1; t < ridges.length; t++) expect(all[t]![i]!).toBeLessThan(all[t - 1]![i]!);
  });
});

describe("CI-3 leave-one-out identity", () => {
  it("matches a brute-force recomputation without the row to 1e-9 relative", () => {
    const n = 200;
    const { x, y, d } = randomData(n, 5, 3, 11);
    const index = CoresetIndex.build({ rows: n, cols: d, data: x }, y);
    const p = index.p;
    const lambdas = index.lambdas();
    let worst = 0;
    for (let i = 0; i < n; i += 7) {
      const c = y[i]!;
      const H = new Float64Array(p * p);
      let nc = 0;
      for (let k = 0; k < n; k++) {
        if (y[k] !== c || k === i) continue;
        nc++;
        for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) H[a * p + b]! += index.A[k * p + a]! * index.A[k * p + b]!;
      }
      for (let a = 0; a < p - 1; a++) H[a * p + a]! += lambdas[c]!;
      const L = choleskyWithJitter(H, p)!;
      const ai = Float64Array.from(index.A.subarray(i * p, (i + 1) * p));
      const u = backSolveTransposed(L, p, forwardSolve(L, p, ai, new Float64Array(p)), new Float64Array(p));
      let q = 0;
      for (let a = 0; a < p; a++) q += ai[a]! * u[a]!;
      const brute = (nc + 1) * q;
      const formula = Math.exp(index.scores(i).outlierScore);
      worst = Math.max(worst, Math.abs(formula - brute) / brute);
    }
    expect(worst).toBeLessThan(1e-9);
  });
});

describe("CI-4 invariances", () => {
  const n = 300;
  const { x, y, d } = randomData(n, 6, 3, 5);
  const base = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { chunkSize: 64 });
  const imp = base.importanceScores();
  it("is unchanged under a row permutation", () => {
    const perm = Array.from({ length: n }, (_, i) => (i * 37) % n);
    const px = new Float64Array(n * d);
    const py = new Int32Array(n);
    perm.forEach((src, dst) => {
      px.set(x.subarray(src * d, (src + 1) * d), dst * d);
      py[dst] = y[src]!;
    });
    const other = CoresetIndex.build({ rows: n, cols: d, data: px }, py).importanceScores();
    const back = Float64Array.from(perm.map((src, dst) => ({ src, v: other[dst]! })).sort((a, b) => a.src - b.src).map((e) => e.v));
    expect(maxRelDiff(back, imp)).toBeLessThan(1e-6);
  });
  it("is unchanged when a column is scaled by a positive constant or shifted", () => {
    const sx = x.slice();
    for (let i = 0; i < n; i++) {
      sx[i * d + 2] = x[i * d + 2]! * 37.5;
      sx[i * d + 4] = x[i * d + 4]! + 1000;
    }
    expect(maxRelDiff(CoresetIndex.build({ rows: n, cols: d, data: sx }, y).importanceScores(), imp)).toBeLessThan(1e-6);
  });
  it("is unchanged when labels are renamed", () => {
    const names = ["zebra", "apple", "mango"];
    const renamed = Array.from(y, (c) => names[c]!);
    expect(maxRelDiff(CoresetIndex.build({ rows: n, cols: d, data: x }, renamed).importanceScores(), imp)).toBeLessThan(1e-12);
  });
  it("is unchanged for chunk sizes 7, 64, 1000 and n, including the top lists", () => {
    const top = (ix: CoresetIndex) => importantSamples(ix, { size: 40, markSeen: false }).map((r) => r.index);
    const ref = top(base);
    for (const chunkSize of [7, 64, 1000, n]) {
      const other = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { chunkSize, candidatesPerClass: 16 });
      expect(maxRelDiff(other.importanceScores(), imp)).toBe(0);
      expect(top(other)).toEqual(ref);
    }
  });
  it("keeps within-class rankings when every row is duplicated (dataheroes order) or all weights doubled", () => {
    const dx = new Float64Array(2 * n * d);
    dx.set(x);
    dx.set(x, n * d);
    const dy = Int32Array.from([...y, ...y]);
    const dh = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { preset: "dataheroes" }).importanceScores();
    const dup = CoresetIndex.build({ rows: 2 * n, cols: d, data: dx }, dy, { preset: "dataheroes" }).importanceScores();
    const dbl = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { weights: new Float64Array(n).fill(2) }).importanceScores();
    for (let c = 0; c < 3; c++) {
      const rows = Array.from({ length: n }, (_, i) => i).filter((i) => y[i] === c);
      const order = (s: ArrayLike<number>) => [...rows].sort((a, b) => s[b]! - s[a]! || a - b);
      expect(order(dup)).toEqual(order(dh));
      expect(order(dbl)).toEqual(order(imp));
    }
    expect(maxRelDiff(dbl, imp)).toBeLessThan(1e-9);
  });
});

/** Two Gaussian classes 8σ apart (d = 4, 200 + 200 rows) with row 0 (truly A) labelled B. */
function plantedLabelError() {
  const { x, y, d } = gaussianClasses([200, 200], [[0, 0, 0, 0], [8, 0, 0, 0]], 1, 21);
  const labels = Array.from(y, (c) => (c === 0 ? "A" : "B"));
  labels[0] = "B";
  return { x, d, labels };
}

describe("CI-5 planted label error", () => {
  const { x, d, labels } = plantedLabelError();
  for (const preset of ["dataheroes", "balanced", "label"] as const) {
    it(`ranks the planted row #1 in B with preset ${preset}, suggesting A`, () => {
      const index = CoresetIndex.build({ rows: 400, cols: d, data: x }, labels, { preset });
      const [top] = importantSamples(index, { classSize: { B: 1 } });
      expect(top!.index).toBe(0);
      expect(top!.suggestedLabel).toBe("A");
      expect(top!.labelScore).toBeGreaterThan(0);
    });
  }
});

describe("CI-6 planted OOD point", () => {
  const base = gaussianClasses([200, 200], [[0, 0, 0, 0], [8, 0, 0, 0]], 1, 22);
  const x = new Float64Array(401 * 4);
  x.set(base.x);
  x.set([4, 20, 0, 0], 400 * 4); // 20σ from both means
  const labels = [...Array.from(base.y, (c) => (c === 0 ? "A" : "B")), "A"];
  it("dataheroes and balanced rank it #1 in A; label keeps it in the top 5%; its outlierScore is the maximum", () => {
    for (const preset of ["dataheroes", "balanced"] as const) {
      const index = CoresetIndex.build({ rows: 401, cols: 4, data: x }, labels, { preset });
      expect(importantSamples(index, { classSize: { A: 1 } })[0]!.index).toBe(400);
    }
    const label = CoresetIndex.build({ rows: 401, cols: 4, data: x }, labels, { preset: "label" });
    const ranked = importantSamples(label, { classSize: { A: 201 } }).map((r) => r.index);
    expect(ranked.indexOf(400)).toBeLessThan(Math.ceil(0.05 * 201));
    const out = label.outlierScores();
    expect(Math.max(...out)).toBe(out[400]);
  });
});

describe("CI-7 label-free sanity", () => {
  it("lightweight and root-leverage ignore labels; CCL scores do not", () => {
    const { x, y, d } = randomData(200, 5, 3, 8);
    const shuffled = Int32Array.from(y, (_, i) => y[(i * 53) % 200]!);
    const a = CoresetIndex.build({ rows: 200, cols: d, data: x }, y);
    const b = CoresetIndex.build({ rows: 200, cols: d, data: x }, shuffled);
    for (const kind of ["lightweight", "rootLeverage"] as const) expect(maxRelDiff(labelFreeScores(a, kind), labelFreeScores(b, kind))).toBeLessThan(1e-12);
    expect(maxRelDiff(a.importanceScores(), b.importanceScores())).toBeGreaterThan(0.01);
  });
});

describe("CI-10 tiny class", () => {
  const { x, y, d } = gaussianClasses([50, 50, 2], [[0, 0], [6, 0], [0, 6]], 1, 4);
  const labels = Array.from(y, (c) => ["A", "B", "T"][c]!);
  it("flags members of a 2-member class, gives them d_own = +∞, and never suggests the class", () => {
    const index = CoresetIndex.build({ rows: 102, cols: d, data: x }, labels);
    for (const i of [100, 101]) {
      const s = index.scores(i);
      expect(s.tinyClass).toBe(true);
      expect(s.outlierScore).toBe(Number.POSITIVE_INFINITY);
      expect(s.importance).toBe(Number.POSITIVE_INFINITY);
    }
    for (let i = 0; i < 100; i++) expect(index.scores(i).suggestedLabel).not.toBe("T");
    expect(importantSamples(index, { size: 2, markSeen: false }).map((r) => r.index)).toEqual([100, 101]);
  });
  it("keeps the flags after removing a member and clears them once relabelling brings the class to 3", () => {
    const index = CoresetIndex.build({ rows: 102, cols: d, data: x }, labels);
    index.remove([101]);
    expect(index.scores(100).tinyClass).toBe(true);
    index.relabel([0], ["T"]);
    expect(index.scores(100).tinyClass).toBe(true);
    index.relabel([1], ["T"]);
    for (const i of [0, 1, 100]) {
      expect(index.scores(i).tinyClass).toBe(false);
      expect(Number.isFinite(index.scores(i).importance)).toBe(true);
    }
  });
});

describe("CI-20 recall regression", () => {
  it("reaches the spec's precision@k on a 5-class mixture with 10% uniform flips", () => {
    const { x, y, flipped, d } = mixtureWithFlips(3000, 16, 5, 0.1, 2024);
    const k = flipped.size;
    const prec: Record<string, number> = {};
    for (const preset of ["label", "balanced", "dataheroes"] as const) {
      const index = CoresetIndex.build({ rows: 3000, cols: d, data: x }, y, { preset });
      prec[preset] = precisionAtK(index.importanceScores(), flipped, k);
      if (preset === "label") prec.lightweight = precisionAtK(labelFreeScores(index, "lightweight"), flipped, k);
    }
    expect(prec.label).toBeGreaterThanOrEqual(0.9);
    expect(prec.balanced).toBeGreaterThanOrEqual(0.9);
    expect(prec.dataheroes).toBeGreaterThanOrEqual(0.7);
    expect(prec.lightweight).toBeLessThanOrEqual(0.25);
  });
});
