import { describe, expect, it } from "vitest";
import { lanczosCoefficients } from "./hashes.js";
import { resampleRows, resampleRowsSimd } from "./numerics-pending.js";

describe("resampleRows (fixed-point horizontal pass)", () => {
  it("the WebAssembly SIMD kernel is available on Node ≥ 20", () => {
    expect(resampleRowsSimd()).toBe(true);
  });

  it("SIMD and JS give the same integer sums, equal to a direct sum", () => {
    for (const [W, H, outW] of [
      // each ≥ 32,768 multiply-adds, so the SIMD path runs
      [640, 12, 32],
      [640, 12, 9],
      [37, 200, 9],
      [9, 2000, 8],
      [1920, 4, 32],
    ] as const) {
      const src = Uint8Array.from({ length: W * H }, (_, i) => (i * 2654435761) >>> 24);
      const taps = lanczosCoefficients(W, outW);
      const simd = resampleRows(src, W, H, taps, true);
      const js = resampleRows(src, W, H, taps, false);
      expect(simd).toEqual(js);
      // one output by hand
      const o = outW - 1;
      let direct = 0;
      for (let j = 0; j < taps.count[o]!; j++) direct += src[(H - 1) * W + taps.xmin[o]! + j]! * taps.k[o * taps.ksize + j]!;
      expect(js[(H - 1) * outW + o]).toBe(direct);
    }
  });

  it("negative weights and saturated pixels stay exact", () => {
    const src = new Uint8Array(640 * 10).map((_, i) => (i % 3 === 0 ? 255 : 0));
    const taps = lanczosCoefficients(640, 32);
    expect(taps.k.some((w) => w < 0)).toBe(true);
    expect(resampleRows(src, 640, 10, taps, true)).toEqual(resampleRows(src, 640, 10, taps, false));
  });
});
