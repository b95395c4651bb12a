import { AssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { kmeans, meanF32, pairwiseSumF32, stdF32 } from "./kmeans.js";
import { matrix } from "./matrix.js";

const column = (values: number[]) => matrix(values.length, 1, Float32Array.from(values));

describe("numpy float32 reductions", () => {
  // reference values from numpy 2.4: x = float32([((i*7919) % 1000)/7 + 0.1*i for i in range(n)])
  const series = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 7 + 0.1 * i);
  it("pairwise sum, mean and population std match numpy bit for bit", () => {
    const cases: [number, number, number, number][] = [
      [5, 456.71429443359375, 91.34285736083984, 47.090049743652344],
      [13, 819.5143432617188, 63.03956604003906, 42.17458724975586],
      [130, 10097.7861328125, 77.67527770996094, 41.619728088378906],
      [1000, 121307.1484375, 121.3071517944336, 50.32938003540039],
    ];
    for (const [n, sum, mean, std] of cases) {
      const x = series(n);
      expect(pairwiseSumF32(x)).toBe(sum);
      expect(meanF32(x)).toBe(mean);
      expect(stdF32(x)).toBe(std);
    }
    expect(Number.isNaN(meanF32([]))).toBe(true);
    expect(Number.isNaN(stdF32([]))).toBe(true);
  });
});

describe("kmeans", () => {
  it("splits a 1-D line into its two groups with the exact centres and inertia", () => {
    const km = kmeans(column([0, 1, 2, 10, 11, 12]), 2, { seed: 4 });
    expect(Array.from(km.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(km.centers.data)).toEqual([1, 11]);
    expect(km.inertia).toBeCloseTo(4, 10);
  });
  it("is deterministic for a seed and rejects k outside [1, N] with a typed error naming k", () => {
    const x = column([0, 0.5, 3, 3.2, 9, 9.1, 9.3]);
    expect(Array.from(kmeans(x, 3, { seed: 7 }).labels)).toEqual(Array.from(kmeans(x, 3, { seed: 7 }).labels));
    expect(() => kmeans(column([0, 1]), 3)).toThrow(AssayError);
    expect(() => kmeans(column([0, 1]), 0)).toThrow(/option "k"/);
  });
});
