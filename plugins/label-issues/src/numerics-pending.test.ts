import { describe, expect, it } from "vitest";
import { argsortStableAsc, invertSquare, markSmallestStable, roundHalfEven } from "./numerics-pending.js";

describe("numerics-pending", () => {
  it("roundHalfEven matches numpy", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3, -3]);
  });
  it("markSmallestStable equals a stable argsort prefix (heap and quickselect paths, many ties)", () => {
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let trial = 0; trial < 40; trial++) {
      const n = 50 + Math.floor(rnd() * 400);
      const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * 12) / 4);
      for (const c of [1, 3, Math.floor(n / 20), Math.floor(n / 3), n - 1]) {
        const got: number[] = [];
        markSmallestStable(v, c, (i) => got.push(i));
        expect(got.sort((a, b) => a - b)).toEqual(Array.from(argsortStableAsc(v).slice(0, c)).sort((a, b) => a - b));
      }
    }
  });
  it("invertSquare", () => {
    const inv = invertSquare([4, 7, 2, 6], 2);
    expect(Array.from(inv).map((x) => +x.toFixed(12))).toEqual([0.6, -0.7, -0.2, 0.4]);
  });
});
