import { describe, expect, it } from "vitest";
import { macroRocAucOvr, rocAuc } from "./metrics.js";
import { Mt19937 } from "./rng.js";
import { caught } from "./test-helpers.js";

// References: scikit-learn 1.2.1 roc_auc_score, pasted as literals.
describe("rocAuc", () => {
  it("matches roc_auc_score with tied scores", () => {
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1];
    const t = [0, 0, 1, 1, 1, 0, 1, 1];
    expect(rocAuc(s, t)).toBeCloseTo(0.6333333333333333, 15);
    expect(rocAuc(s, t.map((v) => v === 1))).toBeCloseTo(0.6333333333333333, 15);
    expect(rocAuc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([1, 2, 3, 4], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([5, 5, 5], [1, 0, 1])).toBe(0.5);
    expect(rocAuc([-Infinity, 0, Infinity], [0, 1, 1])).toBe(1);
  });
  it("500 samples with many ties (float32 scores rounded to 0.01)", () => {
    // sc = round(RandomState(5).random_sample(500), 2) as float32; tt = random_sample(500) < 0.3 + 0.4·sc
    const rng = new Mt19937(5);
    const raw = Array.from({ length: 500 }, () => rng.random());
    const sc = Float32Array.from(raw, (v) => Math.round(v * 100) / 100); // no exact .5 halves occur in this draw
    const tt = Array.from({ length: 500 }, (_, i) => (rng.random() < 0.3 + 0.4 * sc[i]! ? 1 : 0));
    expect(rocAuc(sc, tt)).toBeCloseTo(0.621614049692623, 14);
  });
  it("equals the pairwise definition (ties one half) on 200 tied scores", () => {
    const rng = new Mt19937(11);
    const scores = Array.from({ length: 200 }, () => Math.round(rng.random() * 20) / 20);
    const labels = scores.map((x) => (rng.random() < 0.3 + 0.4 * x ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < 200; j++) {
        if (labels[i] !== 1 || labels[j] !== 0) continue;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(rocAuc(scores, labels)).toBe(wins / pairs);
  });
  it("rejects one-class input, NaN and length mismatches", async () => {
    expect((await caught(() => rocAuc([1, 2], [1, 1]))).message).toMatch(/only one class/);
    expect((await caught(() => rocAuc([1, Number.NaN], [0, 1]))).message).toMatch(/sample 1/);
    expect((await caught(() => rocAuc([1, 2, 3], [0, 1]))).code).toBe("INVALID_INPUT");
  });
});

describe("macroRocAucOvr", () => {
  /** p0 = floor(5u0)/10, p1 = floor(5u1)/10, p2 = 1 − p0 − p1 (float32); y = argmax, 40% random. */
  function data(): { P: { rows: number; cols: number; data: Float32Array }; y: Int32Array } {
    const rng = new Mt19937(7);
    const U = Array.from({ length: 1200 }, () => rng.random());
    const data = new Float32Array(1200);
    for (let i = 0; i < 400; i++) {
      const p0 = Math.floor(U[i * 3]! * 5) / 10;
      const p1 = Math.floor(U[i * 3 + 1]! * 5) / 10;
      data[i * 3] = p0;
      data[i * 3 + 1] = p1;
      data[i * 3 + 2] = 1 - p0 - p1;
    }
    const flip = Array.from({ length: 400 }, () => rng.random());
    const rnd = Array.from({ length: 400 }, () => rng.randint(0, 3));
    const y = new Int32Array(400);
    for (let i = 0; i < 400; i++) {
      let arg = 0;
      for (let c = 1; c < 3; c++) if (data[i * 3 + c]! > data[i * 3 + arg]!) arg = c;
      y[i] = flip[i]! < 0.4 ? rnd[i]! : arg;
    }
    return { P: { rows: 400, cols: 3, data }, y };
  }
  it("matches roc_auc_score(multi_class='ovr', average='macro') on tied probabilities", () => {
    const { P, y } = data();
    expect(Array.from(y.subarray(0, 12))).toEqual([2, 1, 0, 2, 2, 2, 2, 1, 2, 2, 2, 2]);
    expect(macroRocAucOvr(P, y)).toBeCloseTo(0.6661560919184716, 14);
    const col0 = Float32Array.from({ length: 400 }, (_, i) => P.data[i * 3]!);
    expect(rocAuc(col0, Array.from(y, (v) => v === 0))).toBeCloseTo(0.69013671875, 15);
  });
  it("rejects absent classes, out-of-range labels and a single column", async () => {
    const { P, y } = data();
    const only01 = y.map((v) => (v === 2 ? 1 : v));
    expect((await caught(() => macroRocAucOvr(P, only01))).message).toMatch(/class 2 has no sample/);
    const bad = Int32Array.from(y);
    bad[5] = 3;
    expect((await caught(() => macroRocAucOvr(P, bad))).message).toMatch(/label 3 of sample 5/);
    expect((await caught(() => macroRocAucOvr({ rows: 2, cols: 1, data: new Float32Array(2) }, [0, 0]))).code).toBe("INVALID_INPUT");
    expect((await caught(() => macroRocAucOvr(P, y.subarray(1)))).message).toMatch(/dimension mismatch/);
  });
});
