import { describe, expect, it } from "vitest";
import { AssayError } from "@assay/core";
import { lnGammaHalfInteger } from "./special.js";

describe("lnGammaHalfInteger", () => {
  it("matches scipy.special.gammaln", () => {
    const xs = [0.5, 1, 1.5, 2, 2.5, 10, 33, 64.5, 500];
    const want = [0.5723649429247, 0, -0.12078223763524526, 0, 0.2846828704729192, 12.801827480081469, 81.55795945611503, 203.0868048358281, 2605.115850361734];
    xs.forEach((x, i) => expect(Math.abs(lnGammaHalfInteger(x) - want[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want[i]!))));
  });
  it("rejects other arguments with INVALID_INPUT", () => {
    for (const x of [0, -1.5, 1.25, Number.NaN]) {
      expect(() => lnGammaHalfInteger(x)).toThrow(AssayError);
      expect(() => lnGammaHalfInteger(x)).toThrow(/positive integer or half-integer/);
    }
  });
});
