import { describe, expect, it } from "vitest";
import { knnTileWasm, knnTileWasmIfSupported } from "./knn-wasm.js";

interface Wasm {
  validate(b: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => void> };
}
const W = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

describe("wasm SIMD tile kernel", () => {
  it("is valid on this runtime", () => {
    expect(W.validate(knnTileWasm())).toBe(true);
    expect(knnTileWasmIfSupported()).not.toBeNull();
  });
  it("computes 4×8 micro-tiles of dot products and the prefilter flags", () => {
    const d = 5;
    const n = 24;
    const B = 16;
    const X = Array.from({ length: n * d }, (_, i) => ((i * 7919) % 13) - 6);
    const mem = new W.Memory({ initial: 1 });
    const f = new Float32Array(mem.buffer);
    for (let r = 0; r < n; r++) for (let p = 0; p < d; p++) f[((r >> 2) * d + p) * 4 + (r & 3)] = X[r * d + p]!;
    const [tile, alpha, beta, thr, flags] = [1024, 4096, 8192, 12288, 16384];
    const norm2 = (r: number): number => X.slice(r * d, r * d + d).reduce((s, v) => s + v * v, 0);
    const dot = (i: number, j: number): number => X.slice(i * d, i * d + d).reduce((s, v, p) => s + v * X[j * d + p]!, 0);
    // Row thresholds: row 3 accepts anything; column 20's threshold sits 1e-3 above its best score
    // against rows 4..7 (panel 1), then 1e-3 below it; everything else rejects.
    for (let r = 0; r < n; r++) {
      f[alpha / 4 + r] = norm2(r);
      f[beta / 4 + r] = Math.SQRT2;
      f[thr / 4 + r] = r === 3 ? 1e9 : -1e9;
    }
    const best20 = Math.min(...[4, 5, 6, 7].map((i) => norm2(i) + norm2(20) - 2 * dot(i, 20)));
    f[thr / 4 + 20] = best20 + 1e-3;
    const inst = new W.Instance(new W.Module(knnTileWasm()), { e: { m: mem } });
    // rows 0..7 (2 panels) against rows 8..23 (4 panels = 2 pairs)
    inst.exports.t!(0, 8 * d * 4, 2, 4, d, tile, B, alpha, alpha + 32, beta, beta + 32, thr, thr + 32, flags);
    const T = new Float32Array(mem.buffer, tile, B * B);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 16; j++) expect(T[i * B + j]).toBe(dot(i, 8 + j));
    // flags[ia·2 + jp]: row 3 is in panel 0 (both pairs); column 20 is in pair 1.
    expect(Array.from(new Uint8Array(mem.buffer, flags, 4))).toEqual([1, 1, 0, 1]);
    f[thr / 4 + 20] -= 2e-3;
    inst.exports.t!(0, 8 * d * 4, 2, 4, d, tile, B, alpha, alpha + 32, beta, beta + 32, thr, thr + 32, flags);
    expect(Array.from(new Uint8Array(mem.buffer, flags, 4))).toEqual([1, 1, 0, 0]);
  });
});
