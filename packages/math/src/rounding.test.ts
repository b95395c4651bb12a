import { describe, expect, it } from "vitest";
import { largestRemainder, roundHalfEven } from "./rounding.js";

describe("roundHalfEven", () => {
  it("matches Python's round()", () => {
    // [round(x) for x in …] in Python 3.11
    const xs = [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.75, 2.4999999999999996, (1 / 10) * 2130, (1 / 6) * 3, (1 / 5) * 3, 1e15 + 0.5];
    expect(xs.map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, -2, 3, 2, 213, 0, 1, 1e15]);
    expect(roundHalfEven(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(roundHalfEven(Number.NaN)).toBeNaN();
  });
});

describe("largestRemainder", () => {
  it("sums to the total, remainders (ties by lower index) get the leftovers", () => {
    expect(Array.from(largestRemainder([1, 1, 1], 10))).toEqual([4, 3, 3]);
    expect(Array.from(largestRemainder([0.5, 0.3, 0.2], 7))).toEqual([4, 2, 1]);
    expect(Array.from(largestRemainder([0, 0, 0, 0], 6))).toEqual([2, 2, 1, 1]);
    expect(Array.from(largestRemainder([2, 6], 4))).toEqual([1, 3]);
    expect(Array.from(largestRemainder([1, 2], 0))).toEqual([0, 0]);
    expect(largestRemainder([], 5).length).toBe(0);
  });
});
