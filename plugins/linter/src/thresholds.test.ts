import { describe, expect, it } from "vitest";
import { flagOutliers, thresholdBounds, type ThresholdMethod } from "./thresholds.js";

const close = (a: number | null, b: number) => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(1e-6);
};

type Row = { values: number[]; expect: Record<Exclude<ThresholdMethod, "constant">, { bounds: [number, number] | null; flagged: number[] }> };
const row = (values: number[], z: [number, number] | null, zf: number[], m: [number, number] | null, mf: number[], q: [number, number] | null, qf: number[], a: [number, number] | null, af: number[]): Row => ({
  values,
  expect: { zscore: { bounds: z, flagged: zf }, modzscore: { bounds: m, flagged: mf }, iqr: { bounds: q, flagged: qf }, adaptive: { bounds: a, flagged: af } },
});

describe("T7 — threshold bounds", () => {
  const rows: Row[] = [
    row([1, 2, 3, 4, 5, 100], [-89.351765, 127.685098], [], [-4.283543, 11.283543], [5], [-0.5, 7.5], [5], [-4.283543, 36.951409], [5]),
    row([0, 0, 0, 0, 0, 0, 0, 1], [-0.867157, 1.117157], [], [-0.648629, 0.648629], [7], null, [], [-0.648629, 0.648629], [7]),
    row([1, 1, 1, 2, 10, 50], [-42.591848, 64.258515], [], [-1.094514, 4.094514], [4, 5], [-6.5, 13.5], [5], [-1.094514, 85.926159], []),
    row([...new Array(20).fill(3), 1], [1.627009, 4.182515], [20], [2.505807, 3.494193], [20], null, [], [2.505807, 3.494193], [20]),
    row(
      [...new Array(30).fill(0), ...Array.from({ length: 15 }, (_, k) => 0.01 * (k + 1))],
      [-0.10898, 0.162313],
      [],
      [-0.138374, 0.138374],
      [43, 44],
      [-0.06, 0.1],
      [40, 41, 42, 43, 44],
      [-0.415122, 0.415122],
      [],
    ),
  ];
  rows.forEach((r, i) => {
    for (const method of ["zscore", "modzscore", "iqr", "adaptive"] as const) {
      it(`row ${i + 1}, ${method}`, () => {
        const b = thresholdBounds(r.values, { method });
        const e = r.expect[method];
        if (e.bounds === null) {
          expect(b.lower).toBeNull();
          expect(b.upper).toBeNull();
        } else {
          close(b.lower, e.bounds[0]);
          close(b.upper, e.bounds[1]);
        }
        expect(flagOutliers(r.values, { method })).toEqual(e.flagged);
      });
    }
  });
  it("NaN is ignored and never flagged", () => {
    const v = [1, Number.NaN, 2, 3, 4, 5, 100];
    expect(flagOutliers(v, { method: "zscore" })).toEqual([]);
    expect(flagOutliers(v, { method: "modzscore" })).toEqual([6]);
    expect(flagOutliers(v, { method: "iqr" })).toEqual([6]);
    const b = thresholdBounds(v, { method: "adaptive" });
    close(b.lower, -4.283543);
    close(b.upper, 36.951409);
    expect(flagOutliers(v, { method: "adaptive" })).toEqual([6]);
    expect(flagOutliers([Number.NaN, Number.NaN], { method: "zscore" })).toEqual([]);
  });
  it("zscore with lower_limit 0", () => {
    const v = [...new Array(10).fill(0.1), 0.9];
    const b = thresholdBounds(v, { method: "zscore", lowerLimit: 0 });
    close(b.lower, 0);
    close(b.upper, 0.862679);
    expect(flagOutliers(v, { method: "zscore", lowerLimit: 0 })).toEqual([10]);
  });
  it("constant bounds and bad options are errors", () => {
    expect(thresholdBounds([1, 2, 3], { method: "constant", lower: 1.5, upper: 2.5 })).toMatchObject({ lower: 1.5, upper: 2.5 });
    expect(() => thresholdBounds([1, 2], { method: "constant", lower: 3, upper: 2 })).toThrow(/lower < upper/);
    expect(() => thresholdBounds([1, 2], { method: "zscore", multiplier: -1 })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(thresholdBounds([1, 2, 3, 50], { method: "zscore", lowerMultiplier: null }).lower).toBeNull();
  });
});

describe("T9 — legacy Linter output format", () => {
  it("methods, skipped lists and constant stats", async () => {
    const { legacyLinter } = await import("./legacy.js");
    const stats = { brightness: Float64Array.from([...new Array(10).fill(0.1), 0.9]), channels: new Array(11).fill(3), size: new Float64Array(11).fill(100) };
    expect(legacyLinter(stats, { method: "zscore" })).toEqual({ 10: { brightness: 0.9 } });
    expect(legacyLinter(stats, { method: "modzscore" })).toEqual({});
    expect(legacyLinter(stats)).toEqual({});
    expect(legacyLinter(stats, { method: "iqr" })).toEqual({ 10: { brightness: 0.9 } });
    const two = { b: Float64Array.from([1, 2, 3, 4, 5, 100]), a: Float64Array.from([5, 1, 1, 1, 1, 1]) };
    const flagged = legacyLinter(two, { method: "zscore", threshold: 2 });
    expect(flagged).toEqual({ 0: { a: 5 }, 5: { b: 100 } });
    expect(Object.keys(flagged)).toEqual(["0", "5"]);
    expect(legacyLinter(two, { method: "zscore", threshold: 0 })).toEqual({});
    expect(() => legacyLinter(two, { method: "mean" as never })).toThrow("Outlier method must be 'zscore' 'modzscore' or 'iqr'.");
  });
});
