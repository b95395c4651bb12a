import { describe, expect, it } from "vitest";
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
    ] as const) {
      const data = Uint8Array.from({ length: W * H * 3 }, (_, i) => ((i * 2654435761) >>> 0) % 256);
      const js = scanRgb8(data, W, H, false);
      const wasm = scanRgb8Wasm(data, W, H)!;
      expect(wasm.counts).toEqual(js.counts);
      expect(wasm.gray).toEqual(js.gray);
      expect(stdOfU(wasm.sum, wasm.sumSq, W * H, 3)).toBe(js.sharpness);
    }
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
