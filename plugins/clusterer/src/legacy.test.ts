import { AssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { legacyCluster } from "./legacy.js";
import { A, B } from "./test-helpers.js";

const m64 = (rows: number[][]) => ({ rows: rows.length, cols: rows[0]?.length ?? 0, data: Float64Array.from(rows.flat()) });
const m32 = (rows: number[][]) => ({ rows: rows.length, cols: rows[0]?.length ?? 0, data: Float32Array.from(rows.flat()) });
const out = (r: ReturnType<typeof legacyCluster>) => ({
  outliers: r.outliers,
  potential_outliers: r.potentialOutliers,
  duplicates: r.duplicates,
  potential_duplicates: r.potentialDuplicates,
});

describe("legacy (seed-era) Clusterer — clusterer.md §5", () => {
  it("C1 — outliers [20], potential outliers [5, 8]", () => {
    for (const mat of [m64, m32]) {
      const r = legacyCluster(mat([...A, ...B, [60, 40]]));
      expect(out(r)).toEqual({ outliers: [20], potential_outliers: [5, 8], duplicates: [], potential_duplicates: [] });
      expect(r.minNum).toBe(2);
      expect(r.levelZeroClusters).toBe(7);
      expect(r.lastGoodMergeLevels).toEqual([[0, 5], [1, 2], [2, 0]]);
    }
  });
  it("C2 — the legacy threshold misses the 0.011 pair", () => {
    for (const mat of [m64, m32]) {
      const r = legacyCluster(mat([...A, ...B, [60, 40], [0.01, 0.005]]));
      expect(out(r)).toEqual({ outliers: [20], potential_outliers: [1, 8, 15], duplicates: [], potential_duplicates: [] });
      expect(r.lastGoodMergeLevels).toEqual([[0, 0], [1, 0], [5, 3], [3, 0], [2, 0], [4, 0]]);
    }
  });
  it("C3 — hand trace on [[0],[1],[2],[3],[10]]", () => {
    const r = legacyCluster(m64([[0], [1], [2], [3], [10]]));
    expect(out(r)).toEqual({ outliers: [], potential_outliers: [4], duplicates: [], potential_duplicates: [] });
    expect(r.levelZeroClusters).toBe(1);
    expect(r.lastGoodMergeLevels).toEqual([[0, 0]]);
    expect(r.threshold).toBe(1e-5);
  });
  it("C4 — identical points are duplicates", () => {
    const six = legacyCluster(m64(new Array(6).fill([1, 1])));
    expect(out(six)).toEqual({ outliers: [], potential_outliers: [], duplicates: [[0, 1, 2, 3, 4, 5]], potential_duplicates: [] });
    const twenty = legacyCluster(m64(new Array(20).fill([1, 1])));
    expect(twenty.duplicates).toEqual([Array.from({ length: 20 }, (_, i) => i)]);
    expect(twenty.lastGoodMergeLevels).toEqual([[0, 2]]);
  });
  it("C5 — minimum input and errors", () => {
    expect(out(legacyCluster(m64([[0], [1]])))).toEqual({ outliers: [], potential_outliers: [], duplicates: [], potential_duplicates: [] });
    expect(() => legacyCluster(m64([[1]]))).toThrow("Data should have at least 2 samples; got 1");
    expect(() => legacyCluster({ rows: 2, cols: 0, data: new Float64Array(0) })).toThrow("Samples should have at least 1 feature; got 0");
  });
  it("refuses inputs beyond the legacy limit with a typed error", () => {
    const x = { rows: 30, cols: 1, data: Float64Array.from({ length: 30 }, (_, i) => i) };
    let err: unknown;
    try {
      legacyCluster(x, { maxSamples: 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AssayError);
    expect((err as AssayError).code).toBe("INVALID_INPUT");
    expect((err as AssayError).message).toMatch(/30 samples exceed the legacy mode's limit of 20/);
  });
});
