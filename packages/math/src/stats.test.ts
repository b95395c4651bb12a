import { describe, expect, it } from "vitest";
import {
  argsortStable, dropNaN, entropy, histogram, iqrBounds, kurtosis, mad, mean, median, modifiedZscore,
  normalCdf, percentile, quantile, quantiles, skew, std, sum, variance, zscore,
} from "./stats.js";
import { caught, expectClose } from "./test-helpers.js";

// Reference values: scripts/reference.py (numpy 1.24.2 / scipy 1.10.1, Debian /usr/bin/python3),
// keys "stats" and "ndtr", pasted as literals.
const x = [3.5, -1.25, 7.0, 7.0, 0.0, 2.2, 10.5, -4.0, 3.3, 1.0, 2.2];

describe("moments", () => {
  it("match numpy / scipy", () => {
    expect(mean(x)).toBeCloseTo(2.859090909090909, 14);
    expect(variance(x)).toBeCloseTo(15.428553719008265, 12);
    expect(variance(x, 1)).toBeCloseTo(16.97140909090909, 12);
    expect(std(x)).toBeCloseTo(3.9279197699301682, 13);
    expect(std(x, 1)).toBeCloseTo(4.119637009605226, 13);
    expect(skew(x)).toBeCloseTo(0.24903257570249018, 13);
    expect(kurtosis(x)).toBeCloseTo(-0.4891363589242248, 13);
  });
  it("are 0 (not scipy's NaN) for constant data, NaN for empty or NaN input", () => {
    const c = [0.1, 0.1, 0.1];
    expect(skew(c)).toBe(0);
    expect(kurtosis(c)).toBe(0);
    expect(skew([])).toBeNaN();
    expect(mean([])).toBeNaN();
    expect(variance([1], 1)).toBeNaN();
    expect(mean([1, Number.NaN])).toBeNaN();
    expect(kurtosis([1, 2, Number.NaN])).toBeNaN();
  });
  it("sums pairwise like numpy (1e16 + many ones keeps the ones)", () => {
    const v = new Float64Array(1000).fill(1);
    v[0] = 1e16;
    // numpy: np.sum(v) == 1.0000000000000986e+16 (naive left-to-right summation gives exactly 1e16)
    expect(sum(v)).toBe(1.0000000000000986e16);
    // numpy: np.sum(np.arange(1, 2001) * 0.1) == 200100.0
    expect(sum(Array.from({ length: 2000 }, (_, i) => (i + 1) * 0.1))).toBe(200100.0);
    expect(sum([1, 2, 3])).toBe(6);
  });
});

describe("order statistics", () => {
  it("median, quantiles and MAD match numpy", () => {
    expect(median(x)).toBe(2.2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expectClose(quantiles(x, [0, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 1]), [-4.0, -1.25, 0.5, 1.3960000000000001, 2.2, 5.25, 7.0, 10.5], 1e-15);
    expect(quantile(x, 0.333)).toBe(1.3960000000000001);
    expect(percentile(x, 75)).toBe(5.25);
    expectClose(quantiles(x, [0.25, 0.5, 0.75], "midpoint"), [0.5, 2.2, 5.25], 1e-15);
    expectClose(quantiles(x, [0.25, 0.6], "lower"), [0.0, 3.3], 0);
    expectClose(quantiles(x, [0.25, 0.6], "higher"), [1.0, 3.3], 0);
    expectClose(quantiles(x, [0.25, 0.05, 0.15, 0.6], "nearest"), [0.0, -4.0, 0.0, 3.3], 0);
    expect(mad(x)).toBe(2.2);
    expect(median([1, Number.NaN])).toBeNaN();
  });
  it("rejects a quantile outside [0, 1]", async () => {
    expect((await caught(() => quantile(x, 1.5))).code).toBe("INVALID_INPUT");
  });
  it("argsortStable matches numpy's stable argsort and keeps ties in index order when descending", () => {
    expect(Array.from(argsortStable(x))).toEqual([7, 1, 4, 9, 5, 10, 8, 0, 2, 3, 6]);
    expect(Array.from(argsortStable([2, 1, 2, 3, 1], true))).toEqual([3, 0, 2, 1, 4]);
    expect(Array.from(argsortStable([Number.NaN, 1, 0]))).toEqual([2, 1, 0]);
  });
});

describe("outlier helpers", () => {
  it("zscore matches scipy (ddof 0 and 1)", () => {
    expectClose(zscore(x), [0.1631675615717796, -1.0461239408573668, 1.054224458098519, 1.054224458098519, -0.7278893349549598, -0.16779642856672355, 1.9452813546252583, -1.7462400738426622, 0.11225002462739445, -0.4733016502330343, -0.16779642856672355], 1e-13);
    expectClose(zscore(x, 1), [0.1555741657371186, -0.997440041321668, 1.0051635814646454, 1.0051635814646454, -0.6940152499904083, -0.15998761724739133, 1.8547529971921723, -1.6649745822504392, 0.10702619912411702, -0.45127541692540063, -0.15998761724739133], 1e-13);
  });
  it("modifiedZscore = 0.6745·(x − median)/MAD", () => {
    expectClose(modifiedZscore(x), [0.39856818181818177, -1.0577386363636363, 1.4716363636363636, 1.4716363636363636, -0.6745, 0.0, 2.544704545454546, -1.900863636363636, 0.3372499999999999, -0.3679090909090909, 0.0], 1e-13);
  });
  it("modifiedZscore with MAD = 0 follows the zeroMad rule", () => {
    const v = [1, 1, 1, 1, 5];
    expectClose(modifiedZscore(v), [0, 0, 0, 0, 0.6745 * 4], 1e-15); // MAD := 1
    expectClose(modifiedZscore(v, "meanAbsoluteDeviation"), [0, 0, 0, 0, (0.6745 * 4) / 0.8], 1e-15);
    expect(Array.from(modifiedZscore(v, "nan")).every(Number.isNaN)).toBe(true);
    expect(Array.from(modifiedZscore([2, 2, 2], "meanAbsoluteDeviation"))).toEqual([0, 0, 0]);
  });
  it("iqrBounds uses numpy quartiles", () => {
    const b = iqrBounds(x);
    expect(b.q1).toBe(0.5);
    expect(b.q3).toBe(5.25);
    expect(b.lower).toBeCloseTo(0.5 - 1.5 * 4.75, 14);
    expect(b.upper).toBeCloseTo(5.25 + 1.5 * 4.75, 14);
    const m = iqrBounds([1, 2, 3, 4], 3, "midpoint");
    expect([m.q1, m.q3]).toEqual([1.5, 3.5]);
  });
});

describe("entropy and histogram", () => {
  it("entropy matches scipy.stats.entropy", () => {
    expect(entropy([1, 2, 3, 0, 4])).toBeCloseTo(1.2798542258336676, 14);
    expect(entropy([1, 2, 3, 0, 4], 2)).toBeCloseTo(1.8464393446710157, 14);
    expect(entropy([0, 0])).toBeNaN();
  });
  it("entropy rejects negative probabilities", async () => {
    const e = await caught(() => entropy([0.5, -0.1]));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("index 1");
  });
  it("histogram matches numpy.histogram", () => {
    const h = histogram(x, 10);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 1, 2, 2, 0, 2, 0, 1]);
    expectClose(h.edges, [-4.0, -2.55, -1.1, 0.34999999999999964, 1.7999999999999998, 3.25, 4.699999999999999, 6.15, 7.6, 9.049999999999999, 10.5], 0);
    const r = histogram(x, 4, [0, 8]);
    expect(Array.from(r.counts)).toEqual([2, 4, 0, 2]);
    expect(Array.from(r.edges)).toEqual([0, 2, 4, 6, 8]);
    expect(Array.from(histogram(x, [-5, 0, 2.2, 7, 11]).counts)).toEqual([2, 2, 4, 3]);
    // constant data: range widened by ±0.5
    expect(Array.from(histogram([3, 3], 2).edges)).toEqual([2.5, 3, 3.5]);
    // NaN is dropped with an explicit range, an error without one
    expect(Array.from(histogram([0.5, Number.NaN], 1, [0, 1]).counts)).toEqual([1]);
  });
  it("histogram without a range rejects NaN, and bad bins are an option error", async () => {
    expect((await caught(() => histogram([1, Number.NaN]))).code).toBe("INVALID_INPUT");
    expect((await caught(() => histogram([1], 0))).code).toBe("INVALID_OPTION");
  });
  it("dropNaN filters", () => {
    expect(Array.from(dropNaN([1, Number.NaN, 2]))).toEqual([1, 2]);
  });
});

describe("normalCdf", () => {
  it("matches scipy.stats.norm.cdf", () => {
    const ref: [number, number][] = [
      [-8.5, 9.47953482220325e-18], [-3.2, 0.0006871379379158471], [-1.0, 0.15865525393145707], [-0.3, 0.3820885778110474],
      [0.0, 0.5], [0.7, 0.758036347776927], [1.5, 0.9331927987311419], [4.0, 0.9999683287581669],
    ];
    for (const [v, p] of ref) expect(Math.abs(normalCdf(v) - p) / p).toBeLessThan(1e-13);
  });
});
