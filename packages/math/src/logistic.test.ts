import { describe, expect, it } from "vitest";
import type { Float32Matrix } from "@assay/core";
import { crossValPredictProba, crossValPredictProbaParallel, fitLogisticRegression, stratifiedKFold } from "./logistic.js";
import { matrix } from "./matrix.js";
import { Mt19937 } from "./rng.js";
import * as ref from "./reference.fixture.js";
import { caught, expectClose } from "./test-helpers.js";

/** scripts/reference.py `clf_data`: uniform features; label = argmax of the first K columns, 25% replaced by random labels. */
function clfData(seed: number, n: number, d: number, K: number): { X: Float32Matrix; y: Int32Array } {
  const rng = new Mt19937(seed);
  const data = new Float32Array(n * d);
  for (let t = 0; t < data.length; t++) data[t] = rng.random();
  const noise = Array.from({ length: n }, () => rng.random());
  const flip = Array.from({ length: n }, () => rng.randint(0, K));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let c = 1; c < K; c++) if (data[i * d + c]! > data[i * d + arg]!) arg = c;
    y[i] = noise[i]! < 0.25 ? flip[i]! : arg;
  }
  return { X: { rows: n, cols: d, data }, y };
}

// References: sklearn 1.2.1 LogisticRegression(lbfgs) and StratifiedKFold (scripts/reference.py).
describe("logistic regression vs scikit-learn", () => {
  const { X, y } = clfData(21, 300, 6, 3);
  it("regenerates the reference labels", () => {
    expect(Array.from(y.subarray(0, 20))).toEqual(ref.clfYHead);
  });
  it("multinomial, C = 1: probabilities to 1e-3 (observed ~1e-5), coefficients to 1e-2", () => {
    const m = fitLogisticRegression(X, y);
    expect(m.converged).toBe(true);
    expect(Array.from(m.classes)).toEqual([0, 1, 2]);
    const p = m.predictProba(X);
    expectClose(p.data.subarray(0, 15), ref.lrProbaHead, 1e-3);
    let s = 0;
    for (let i = 0; i < 300; i++) for (let c = 0; c < 3; c++) s += p.data[i * 3 + c]! * (c + 1);
    expect(Math.abs(s - ref.lrProbaSum)).toBeLessThan(1e-2);
    expectClose(m.coef.data, ref.lrCoef, 1e-2);
    // intercepts are only defined up to a shared constant in the multinomial model
    const shift = (a: ArrayLike<number>) => Array.from(a, (v) => v - a[0]!);
    expectClose(shift(m.intercept), shift(ref.lrIntercept), 1e-2);
  });
  it("C = 0.3", () => {
    const p = fitLogisticRegression(X, y, { C: 0.3 }).predictProba(X);
    expectClose(p.data.subarray(0, 9), ref.lrC03ProbaHead, 1e-3);
  });
  it("binary problems use scikit-learn's single-vector model", () => {
    const b = clfData(22, 200, 5, 2);
    const m = fitLogisticRegression(b.X, b.y);
    expect(m.coef.rows).toBe(1);
    expectClose(m.coef.data, ref.lrbCoef, 1e-2);
    expectClose(m.predictProba(b.X).data.subarray(0, 8), ref.lrbProbaHead, 1e-3);
  });
  it("the classes option adds zero columns for absent labels", () => {
    const p = fitLogisticRegression(X, y, { classes: 5 }).predictProba(X);
    expect(p.cols).toBe(5);
    expect(p.data[3]).toBe(0);
    expect(p.data[4]).toBe(0);
    expectClose(p.data.subarray(0, 3), ref.lrProbaHead.slice(0, 3), 1e-3);
  });
});

describe("cross-validation", () => {
  const { X, y } = clfData(21, 300, 6, 3);
  it("stratifiedKFold equals StratifiedKFold(shuffle=True, random_state=seed)", () => {
    expect(Array.from(stratifiedKFold(y, 5, 0))).toEqual(ref.skfFolds);
    expect(Array.from(stratifiedKFold(ref.skf3Y, 3, 17))).toEqual(ref.skf3Folds);
  });
  it("crossValPredictProba equals cross_val_predict(..., method='predict_proba') to 1e-3", () => {
    const p = crossValPredictProba(X, y, { folds: 5, seed: 0 });
    expect([p.rows, p.cols]).toEqual([300, 3]);
    expectClose(p.data.subarray(0, 12), ref.cvHead, 1e-3);
    let s = 0;
    for (let i = 0; i < 300; i++) for (let c = 0; c < 3; c++) s += p.data[i * 3 + c]! * (c + 1);
    expect(Math.abs(s - ref.cvSum)).toBeLessThan(1e-2);
  });
  it("a class missing from a training fold gets probability 0 there", () => {
    // class 3 has a single sample (row 0): the fold holding row 0 trains without class 3.
    const y2 = y.slice();
    y2[0] = 3;
    const p = crossValPredictProba(X, y2, { folds: 5, seed: 0, numClasses: 4 });
    expect(p.cols).toBe(4);
    expect(p.data[3]).toBe(0);
    let rowSum = 0;
    for (let c = 0; c < 4; c++) rowSum += p.data[c]!;
    expect(rowSum).toBeCloseTo(1, 6);
  });
});

describe("bad input", () => {
  it("label count mismatch, negative label, single class, NaN", async () => {
    const X = matrix(4, 2, [0, 1, 1, 0, 1, 1, 0, 0]);
    expect((await caught(() => fitLogisticRegression(X, Int32Array.from([0, 1, 0])))).message).toContain("dimension mismatch");
    expect((await caught(() => fitLogisticRegression(X, Int32Array.from([0, 1, -1, 0])))).message).toContain("sample 2");
    expect((await caught(() => fitLogisticRegression(X, Int32Array.from([1, 1, 1, 1])))).message).toContain("two classes");
    const bad = matrix(2, 2, [0, Number.NaN, 1, 1]);
    expect((await caught(() => fitLogisticRegression(bad, Int32Array.from([0, 1])))).message).toContain("row 0, column 1");
    expect((await caught(() => fitLogisticRegression(X, Int32Array.from([0, 1, 0, 1]), { C: 0 }))).code).toBe("INVALID_OPTION");
  });
});

describe("crossValPredictProbaParallel", () => {
  const { X, y } = clfData(21, 300, 6, 3);
  it("worker threads give exactly the single-thread result", async () => {
    const serial = crossValPredictProba(X, y, { folds: 5, seed: 0 });
    const seen: number[] = [];
    const par = await crossValPredictProbaParallel(X, y, { folds: 5, seed: 0, workers: 2, onProgress: (d) => seen.push(d) });
    expect(par.data).toEqual(serial.data);
    expect(seen.at(-1)).toBe(5);
    const inline = await crossValPredictProbaParallel(X, y, { folds: 5, seed: 0, workers: 0 });
    expect(inline.data).toEqual(serial.data);
  });
  it("aborts with CANCELLED", async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await caught(() => crossValPredictProbaParallel(X, y, { signal: ac.signal }))).code).toBe("CANCELLED");
  });
});

// References: sklearn 1.2.1 LogisticRegression(tol=1e-8, max_iter=1000).fit(X, y, sample_weight=w).
describe("fitLogisticRegression sampleWeight", () => {
  const { X, y } = clfData(21, 300, 6, 3);
  it("multinomial: weights (i mod 7)/2, zeros included, match scikit-learn", () => {
    const w = Float64Array.from({ length: 300 }, (_, i) => (i % 7) / 2);
    const m = fitLogisticRegression(X, y, { sampleWeight: w, tol: 1e-8, maxIter: 1000 });
    expect(m.converged).toBe(true);
    const want = [0.06884018489623414, 0.1523143937049776, 0.7788454213987882, 0.1539965367222112, 0.6118657807642711, 0.23413768251351774, 0.14780296309446284, 0.18447148372503752, 0.6677255531804996, 0.5678304231911604, 0.1566459637720115, 0.2755236130368281, 0.44527737095181713, 0.39568627975054815, 0.15903634929763488];
    expectClose(m.predictProba(X).data.subarray(0, 15), want, 1e-5);
  });
  it("binary: weights 0.5 + (i mod 3) match scikit-learn's coefficients", () => {
    const b = clfData(22, 200, 5, 2);
    const m = fitLogisticRegression(b.X, b.y, { sampleWeight: Array.from({ length: 200 }, (_, i) => 0.5 + (i % 3)), tol: 1e-8, maxIter: 1000 });
    expectClose(m.coef.data, [-4.311240983865394, 3.892212029822488, 0.40448537986469474, -0.2994499486402889, 0.6992936731769313], 1e-4);
    expectClose(m.intercept, [-0.3287368756723822], 1e-4);
    expectClose(m.predictProba(b.X).data.subarray(0, 8), [0.3362934549647031, 0.6637065450352969, 0.4888472909853594, 0.5111527090146406, 0.11420731724750077, 0.8857926827524992, 0.04586620665109731, 0.9541337933489027], 1e-5);
  });
  it("uniform weight 2 equals C doubled; all-ones equals no weights", () => {
    const a = fitLogisticRegression(X, y, { sampleWeight: new Float64Array(300).fill(2), tol: 1e-8, maxIter: 1000 }).predictProba(X);
    const b = fitLogisticRegression(X, y, { C: 2, tol: 1e-8, maxIter: 1000 }).predictProba(X);
    expectClose(a.data, b.data, 1e-6);
    const c = fitLogisticRegression(X, y, { sampleWeight: new Float64Array(300).fill(1) }).predictProba(X);
    expect(Array.from(c.data)).toEqual(Array.from(fitLogisticRegression(X, y).predictProba(X).data));
  });
  it("rejects bad weights", async () => {
    const neg = new Float64Array(300).fill(1);
    neg[7] = -1;
    expect((await caught(() => fitLogisticRegression(X, y, { sampleWeight: neg }))).message).toMatch(/sample 7/);
    expect((await caught(() => fitLogisticRegression(X, y, { sampleWeight: new Float64Array(300) }))).message).toMatch(/0 for every sample/);
    expect((await caught(() => fitLogisticRegression(X, y, { sampleWeight: new Float64Array(10) }))).message).toMatch(/dimension mismatch/);
  });
});
