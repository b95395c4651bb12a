import { describe, expect, it } from "vitest";
import { resampleRows, resampleRowsSimd, type ResampleTaps } from "./resample.js";

/** Lanczos-3 taps for W → outW, weights normalised to sum 2²² (Pillow's precision); has negative lobes. */
function lanczosTaps(W: number, outW: number): ResampleTaps {
  const scale = W / outW;
  const filterScale = Math.max(scale, 1);
  const support = 3 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const xmin = new Int32Array(outW);
  const count = new Int32Array(outW);
  const k = new Int32Array(outW * ksize);
  const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
  const lanczos = (x: number) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0);
  for (let o = 0; o < outW; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(W, Math.trunc(center + support + 0.5));
    const w: number[] = [];
    for (let x = lo; x < hi; x++) w.push(lanczos((x - center + 0.5) / filterScale));
    const total = w.reduce((a, b) => a + b, 0);
    xmin[o] = lo;
    count[o] = w.length;
    w.forEach((v, j) => (k[o * ksize + j] = Math.round((v / total) * 2 ** 22)));
  }
  return { xmin, count, k, ksize };
}

describe("resampleRows (fixed-point horizontal pass)", () => {
  it("the WebAssembly SIMD kernel is available on Node ≥ 20", () => {
    expect(resampleRowsSimd()).toBe(true);
  });

  it("SIMD and JS give the same integer sums, equal to a direct sum", () => {
    const tables = new Set<string>();
    for (const [W, H, outW] of [
      // each ≥ 32,768 multiply-adds, so the SIMD path runs
      [640, 12, 32],
      [640, 12, 9],
      [37, 200, 9],
      [9, 2000, 8],
      [1920, 4, 32],
      // odd row counts (a zero row pads the last pair); 1920 → 9 and 2001 → 7 have int16 weights (one table)
      [1920, 7, 9],
      [2001, 5, 7],
      [641, 13, 32],
    ] as const) {
      const src = Uint8Array.from({ length: W * H }, (_, i) => (i * 2654435761) >>> 24);
      const taps = lanczosTaps(W, outW);
      expect(H * outW * taps.ksize).toBeGreaterThanOrEqual(32768);
      tables.add(taps.k.every((w) => w >= -32768 && w <= 32767) ? "whole" : "split");
      const simd = resampleRows(src, W, H, taps, true);
      const js = resampleRows(src, W, H, taps, false);
      expect(simd).toEqual(js);
      // every output of the last row by hand
      for (let o = 0; o < outW; o++) {
        let direct = 0;
        for (let j = 0; j < taps.count[o]!; j++) direct += src[(H - 1) * W + taps.xmin[o]! + j]! * taps.k[o * taps.ksize + j]!;
        expect(js[(H - 1) * outW + o]).toBe(direct);
      }
    }
    // both weight layouts of the kernel ran
    expect([...tables].sort()).toEqual(["split", "whole"]);
  });

  it("negative weights and saturated pixels stay exact; a flat image keeps its value", () => {
    const src = new Uint8Array(640 * 10).map((_, i) => (i % 3 === 0 ? 255 : 0));
    const taps = lanczosTaps(640, 32);
    expect(taps.k.some((w) => w < 0)).toBe(true);
    expect(resampleRows(src, 640, 10, taps, true)).toEqual(resampleRows(src, 640, 10, taps, false));
    const flat = new Uint8Array(640 * 10).fill(200);
    const out = resampleRows(flat, 640, 10, taps);
    for (const v of out) expect(Math.abs(v / 2 ** 22 - 200)).toBeLessThan(1e-3);
  });

  it("rejects an image shorter than W·H and tap windows outside the row", () => {
    const taps = lanczosTaps(64, 8);
    expect(() => resampleRows(new Uint8Array(10), 64, 2, taps)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
    expect(() => resampleRows(new Uint8Array(32 * 2), 32, 2, taps)).toThrow(/does not fit a row of 32/);
  });
});
