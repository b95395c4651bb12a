import { describe, expect, it } from "vitest";
import { firstNonProbabilityRow, softmaxRows } from "./probability.js";

describe("probability rows", () => {
  it("softmaxRows is shift-invariant and sums to 1 per row", () => {
    const a = Float32Array.from([1, 2, 3, 1001, 1002, 1003]);
    softmaxRows(a, 2, 3);
    // e^[0,1,2] / Σ = [0.09003057, 0.24472847, 0.66524096]
    for (const o of [0, 3]) {
      expect(a[o]!).toBeCloseTo(0.09003057317038046, 7);
      expect(a[o + 1]!).toBeCloseTo(0.24472847105479767, 7);
      expect(a[o + 2]!).toBeCloseTo(0.6652409557748219, 7);
    }
  });
  it("firstNonProbabilityRow finds a negative, non-finite or badly summing row", () => {
    expect(firstNonProbabilityRow(Float32Array.from([0.5, 0.5, 0.2, 0.8]), 2, 2)).toBeUndefined();
    expect(firstNonProbabilityRow(Float32Array.from([0.5, 0.5, 0.7, 0.8]), 2, 2)).toEqual({ row: 1, sum: expect.closeTo(1.5, 6) });
    expect(firstNonProbabilityRow(Float32Array.from([1.2, -0.2, 0.5, 0.5]), 2, 2)?.row).toBe(0);
    expect(firstNonProbabilityRow(Float32Array.from([0.5, 0.5, Number.NaN, 1]), 2, 2)?.row).toBe(1);
    expect(firstNonProbabilityRow(Float32Array.from([0.5, 0.5005]), 1, 2)).toBeUndefined();
    expect(firstNonProbabilityRow(Float32Array.from([0.5, 0.5005]), 1, 2, 1e-4)?.row).toBe(0);
  });
});
