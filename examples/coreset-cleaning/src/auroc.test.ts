import { describe, expect, it } from "vitest";
import { auroc, macroAuroc } from "./auroc.js";

describe("auroc", () => {
  it("is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties", () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it("counts ties as one half", () => {
    // positives 0.35, 0.8, 0.4 vs negatives 0.1, 0.4, 0.4: wins 1 + 3 + (1 + ½ + ½) = 6 of 9 pairs
    expect(auroc([0.1, 0.4, 0.35, 0.8, 0.4, 0.4], [0, 0, 1, 1, 0, 1])).toBeCloseTo(6 / 9, 12);
  });

  it("equals the pairwise definition on random data", () => {
    let s = 7;
    const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
    const scores = Array.from({ length: 200 }, () => Math.round(next() * 20) / 20);
    const labels = scores.map((x) => (next() < 0.3 + 0.4 * x ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < 200; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
    }
    expect(auroc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it("is NaN with one class only and rejects bad input", () => {
    expect(auroc([1, 2], [1, 1])).toBeNaN();
    expect(() => auroc([1, 2], [1])).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
    expect(() => auroc([1, Number.NaN], [1, 0])).toThrow(/score 1 is NaN/);
  });
});

describe("macroAuroc", () => {
  it("averages one-vs-rest AUROC over the classes present", () => {
    const P = { rows: 4, cols: 3, data: Float32Array.from([0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.3, 0.5, 0.4, 0.5, 0.1]) };
    const y = Int32Array.from([0, 1, 2, 1]);
    // class 0: pos {0.7} vs {0.3, 0.2, 0.4} → 1; class 1: pos {0.4, 0.5} vs {0.2, 0.3} → 1; class 2: pos {0.5} vs {0.1, 0.3, 0.1} → 1
    expect(macroAuroc(P, y)).toBe(1);
    const swapped = Int32Array.from([1, 0, 2, 1]);
    // class 0: pos {0.3} vs {0.7, 0.2, 0.4} → 1/3; class 1: pos {0.2, 0.5} vs {0.4, 0.3} → 1/2; class 2 → 1
    expect(macroAuroc(P, swapped)).toBeCloseTo((1 / 3 + 1 / 2 + 1) / 3, 12);
  });

  it("rejects labels out of range and a single present class", () => {
    const P = { rows: 2, cols: 2, data: Float32Array.from([0.6, 0.4, 0.3, 0.7]) };
    expect(() => macroAuroc(P, Int32Array.from([0, 2]))).toThrow(/label 2 of row 1/);
    expect(() => macroAuroc(P, Int32Array.from([0, 0]))).toThrow(/at least two classes/);
    expect(() => macroAuroc(P, Int32Array.from([0]))).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });
});
