import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { modelScores } from "./model-score.js";
import { maxRelDiff, mixtureWithFlips, precisionAtK, randomData } from "./test-helpers.js";

describe("model-based sensitivity (spec 5.4 B)", () => {
  it("ranks the CI-20 mixture's flips by out-of-fold loss at precision@k ≥ 0.9; σ sums to 1", () => {
    const { x, y, flipped, d } = mixtureWithFlips(3000, 16, 5, 0.1, 20);
    const index = CoresetIndex.build({ rows: 3000, cols: d, data: x }, y);
    const { loss, sensitivity } = modelScores(index);
    expect(precisionAtK(loss, flipped, flipped.size)).toBeGreaterThanOrEqual(0.9);
    expect(sensitivity.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let i = 0; i < 3000; i++) expect(sensitivity[i]!).toBeGreaterThan(0.5 / 3000 - 1e-15);
  });

  it("skips removed rows, is invariant to a common weight scale, and refits after edits", () => {
    const { x, y, d } = randomData(400, 4, 3, 4);
    const a = CoresetIndex.build({ rows: 400, cols: d, data: x }, y);
    const b = CoresetIndex.build({ rows: 400, cols: d, data: x }, y, { weights: new Float64Array(400).fill(3) });
    const la = modelScores(a).loss;
    expect(maxRelDiff(la, modelScores(b).loss, 1e-3)).toBeLessThan(1e-3);
    a.remove([5, 6]);
    a.relabel([7], [(y[7]! + 1) % 3]);
    const after = modelScores(a);
    expect(Number.isNaN(after.loss[5]!)).toBe(true);
    expect(after.sensitivity[6]).toBe(0);
    expect(after.loss[7]!).toBeGreaterThan(la[7]!); // row 7 now carries a wrong label
  });

  it("uses supplied out-of-fold probabilities as given, and rejects a wrong shape", () => {
    const { x, y, d } = randomData(30, 2, 3, 5);
    const index = CoresetIndex.build({ rows: 30, cols: d, data: x }, y, { smallClass: "allow" });
    const data = new Float32Array(30 * 3).fill(0.25);
    for (let i = 0; i < 30; i++) data[i * 3 + y[i]!] = 0.5;
    data[4 * 3 + y[4]!] = 0.125;
    const { loss } = modelScores(index, { probabilities: { rows: 30, cols: 3, data } });
    expect(loss[0]).toBeCloseTo(Math.log(2), 6);
    expect(loss[4]).toBeCloseTo(Math.log(8), 6);
    expect(() => modelScores(index, { probabilities: { rows: 30, cols: 2, data } })).toThrow(/must be 30×3/);
    expect(() => modelScores(index, { folds: 1 })).toThrow(/folds/);
  });
});
