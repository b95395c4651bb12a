import { resampleRows } from "@assay/math";
import { describe, expect, it } from "vitest";
import { lanczosCoefficients } from "./hashes.js";
import { scanRgb8Wasm, scanWasm, scanWasmAvailable } from "./scan-wasm.js";
import { scanRgb8, stdOfU } from "./stats.js";

describe("WebAssembly RGB scan", () => {
  it("validates and is available on Node ≥ 20", () => {
    expect(scanWasm().length).toBeGreaterThan(100);
    expect(scanWasmAvailable()).toBe(true);
  });

  it("gives exactly the JS scan (histograms, gray, sharpness) for every width mod 4 and tiny sizes", () => {
    for (const [W, H] of [
      [1, 1],
      [1, 5],
      [3, 2],
      [4, 1],
      [5, 3],
      [6, 7],
      [7, 4],
      [8, 8],
      [33, 17],
      [640, 3],
      // several bands of rows (the kernel scans ~128 KB of source at a time), and bands of one row
      [100, 1000],
      [2003, 50],
      [50000, 3],
    ] as const) {
      const data = Uint8Array.from({ length: W * H * 3 }, (_, i) => ((i * 2654435761) >>> 0) % 256);
      const js = scanRgb8(data, W, H, false);
      const wasm = scanRgb8Wasm(data, W, H)!;
      expect(wasm.counts).toEqual(js.counts);
      expect(wasm.gray).toEqual(js.gray);
      expect(stdOfU(wasm.sum, wasm.sumSq, W * H, 3)).toBe(js.sharpness);
      for (let c = 0; c < 3; c++) {
        const plane = wasm.planes.subarray(c * W * H, (c + 1) * W * H);
        expect(plane.every((v, i) => v === data[3 * i + c])).toBe(true);
      }
    }
  });

  it("runs the horizontal resampling passes on its gray rows: resampleRows of the gray, band by band", () => {
    for (const [W, H] of [
      [130, 97],
      [2000, 67],
      [641, 400],
    ] as const) {
      const data = Uint8Array.from({ length: W * H * 3 }, (_, i) => ((i >> 3) * 2654435761) >>> 24);
      const taps = [lanczosCoefficients(W, 32), lanczosCoefficients(W, 9)];
      const scan = scanRgb8Wasm(data, W, H, taps)!;
      const gray = scan.gray.slice();
      expect(scan.rows).toHaveLength(2);
      taps.forEach((t, i) => expect(scan.rows[i]).toEqual(resampleRows(gray, W, H, t)));
    }
  });

  it("the 16-pixel SIMD gray equals the float64 expression on every colour whose weighted sum is a whole number", () => {
    // r·299 + g·587 + b·114 ≡ 0 (mod 1000): the exact value is an integer, and the float64 sum may land
    // just below it (gray r = g = b = v is one such family); everything else is far from a rounding edge
    const triples: number[] = [];
    for (let r = 0; r < 256; r++) for (let g = 0; g < 256; g++) for (let b = 0; b < 256; b++) if ((r * 299 + g * 587 + b * 114) % 1000 === 0) triples.push(r, g, b);
    const W = 64;
    const H = Math.ceil(triples.length / 3 / W);
    const data = new Uint8Array(W * H * 3);
    data.set(triples);
    const wasm = scanRgb8Wasm(data, W, H)!;
    const js = scanRgb8(data, W, H, false);
    expect(wasm.gray).toEqual(js.gray);
    expect(wasm.counts).toEqual(js.counts);
    let below = 0;
    for (let i = 0; i < triples.length / 3; i++) {
      const [r, g, b] = [triples[3 * i]!, triples[3 * i + 1]!, triples[3 * i + 2]!];
      expect(wasm.gray[i]).toBe(Math.trunc(r * 0.299 + g * 0.587 + b * 0.114));
      if (wasm.gray[i]! < (r * 299 + g * 587 + b * 114) / 1000) below++;
    }
    // the float64 rounding really is exercised
    expect(below).toBeGreaterThan(0);
  });

  it("the gray of every one of the 2²⁴ colours equals the float64 expression (integer quotient or float64 fallback)", () => {
    const W = 4096;
    const data = new Uint8Array(W * W * 3);
    for (let i = 0, k = 0; i < W * W; i++, k += 3) {
      data[k] = i >> 16;
      data[k + 1] = (i >> 8) & 255;
      data[k + 2] = i & 255;
    }
    const gray = scanRgb8Wasm(data, W, W)!.gray;
    let wrong = 0;
    for (let i = 0; i < W * W; i++) if (gray[i] !== Math.trunc((i >> 16) * 0.299 + ((i >> 8) & 255) * 0.587 + (i & 255) * 0.114)) wrong++;
    expect(wrong).toBe(0);
  });

  it("saturated edges clip at 0 and 255 like the JS scan", () => {
    const W = 12;
    const H = 9;
    const data = Uint8Array.from({ length: W * H * 3 }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? 255 : 0));
    const wasm = scanRgb8Wasm(data, W, H)!;
    const js = scanRgb8(data, W, H, false);
    expect(wasm.counts).toEqual(js.counts);
    expect(wasm.gray).toEqual(js.gray);
    expect(stdOfU(wasm.sum, wasm.sumSq, W * H, 3)).toBe(js.sharpness);
    const planes = wasm.planes;
    // the CHW planes of the exact hash
    const chw = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) chw[c * W * H + i] = data[i * 3 + c]!;
    expect(planes).toEqual(chw);
    // wider than one 2,048-column strip of the edge kernel, every edge value at its clip bounds
    const wide = Uint8Array.from({ length: 4100 * 5 * 3 }, (_, i) => ((Math.floor(i / 3) + Math.floor(i / 12300)) % 2 === 0 ? 255 : 0));
    const w = scanRgb8Wasm(wide, 4100, 5)!;
    expect(stdOfU(w.sum, w.sumSq, 4100 * 5, 3)).toBe(scanRgb8(wide, 4100, 5, false).sharpness);
    expect(w.sumSq).toBeGreaterThan(1530 * 1530 * 4100);
    const flat = new Uint8Array(W * H * 3).fill(200);
    const f = scanRgb8Wasm(flat, W, H)!;
    expect(stdOfU(f.sum, f.sumSq, W * H, 3)).toBe(0);
    // the dispatcher: small rasters take the JS loop, large ones the kernel, same numbers
    const big = Uint8Array.from({ length: 80 * 60 * 3 }, (_, i) => (i * 131) % 256);
    const viaKernel = scanRgb8(big, 80, 60);
    expect(viaKernel.planes).toBeDefined();
    expect(viaKernel.sharpness).toBe(scanRgb8(big, 80, 60, false).sharpness);
  });
});
