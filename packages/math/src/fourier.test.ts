import { describe, expect, it } from "vitest";
import { createRng } from "./rng.js";
import { dftTables, lowFrequencyCount, lowFrequencyMagnitudes } from "./fourier.js";

/** |X(u, v)| of the mean-removed image by the textbook double sum (no tables, no separation). */
function directMagnitude(image: ArrayLike<number>, S: number, u: number, v: number): number {
  let mean = 0;
  for (let i = 0; i < S * S; i++) mean += image[i]!;
  mean /= S * S;
  let re = 0;
  let im = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const angle = (-2 * Math.PI * (u * y + v * x)) / S;
      const p = image[y * S + x]! - mean;
      re += p * Math.cos(angle);
      im += p * Math.sin(angle);
    }
  }
  return Math.hypot(re, im);
}

describe("dftTables / lowFrequencyMagnitudes", () => {
  it("tables hold cos/sin of 2π·ux/S", () => {
    const t = dftTables(4);
    expect(Array.from(t.cos.subarray(4, 8)).map((c) => Math.round(c * 1e12) / 1e12 + 0)).toEqual([1, 0, -1, 0]);
    expect(Array.from(t.sin.subarray(4, 8)).map((s) => Math.round(s * 1e12) / 1e12 + 0)).toEqual([0, 1, 0, -1]);
    expect(lowFrequencyCount(8)).toBe(120);
    expect(lowFrequencyCount(2)).toBe(6);
  });

  it("an impulse has a flat spectrum: |X| = 1 except the removed mean", () => {
    const S = 4;
    const img = new Float64Array(S * S);
    img[0] = 1;
    const out = new Float64Array(6);
    const norm = lowFrequencyMagnitudes(img, dftTables(S), 2, out);
    // layout u-major, v = −1, 0, 1
    const rounded = Array.from(out).map((m) => Math.round(m * 1e12) / 1e12 + 0);
    expect(rounded).toEqual([1, 0, 1, 1, 1, 1]);
    expect(norm).toBeCloseTo(Math.sqrt(5), 12);
  });

  it("a horizontal cosine of frequency 1 puts S²/2 at v = ±1 only", () => {
    const S = 8;
    const img = Float64Array.from({ length: S * S }, (_, i) => 3 + Math.cos((2 * Math.PI * (i % S)) / S));
    const out = new Float64Array(lowFrequencyCount(3));
    lowFrequencyMagnitudes(img, dftTables(S), 3, out);
    // u = 0 row: v = −2, −1, 0, 1, 2
    expect(out[1]).toBeCloseTo(32, 10);
    expect(out[3]).toBeCloseTo(32, 10);
    for (const i of [0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]) expect(out[i]).toBeCloseTo(0, 10);
  });

  it("matches a direct 2-D DFT on random images (odd and even sides)", () => {
    const rng = createRng(11);
    for (const [S, F] of [[7, 4], [28, 8], [9, 3]] as const) {
      const img = Float32Array.from({ length: S * S }, () => rng.int(256));
      const out = new Float32Array(lowFrequencyCount(F));
      const norm = lowFrequencyMagnitudes(img, dftTables(S), F, out);
      let ss = 0;
      for (let u = 0; u < F; u++) {
        for (let v = -(F - 1); v < F; v++) {
          const want = directMagnitude(img, S, u, v);
          ss += want * want;
          expect(Math.abs(out[u * (2 * F - 1) + v + F - 1]! - want)).toBeLessThanOrEqual(1e-4 * Math.max(1, want));
        }
      }
      expect(norm).toBeCloseTo(Math.sqrt(ss), 6);
    }
  });

  it("is invariant to circular translation and to a brightness offset", () => {
    const S = 12;
    const rng = createRng(3);
    const img = Float64Array.from({ length: S * S }, () => rng.random());
    const moved = new Float64Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) moved[((y + 5) % S) * S + ((x + 2) % S)] = img[y * S + x]! + 7;
    const a = new Float64Array(lowFrequencyCount(4));
    const b = new Float64Array(lowFrequencyCount(4));
    const t = dftTables(S);
    lowFrequencyMagnitudes(img, t, 4, a);
    lowFrequencyMagnitudes(moved, t, 4, b);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 10);
  });

  it("rejects bad sizes with typed errors", () => {
    expect(() => dftTables(0)).toThrow(/side/);
    const t = dftTables(4);
    expect(() => lowFrequencyMagnitudes(new Float64Array(15), t, 2, new Float64Array(6))).toThrow(/16/);
    expect(() => lowFrequencyMagnitudes(new Float64Array(16), t, 3, new Float64Array(15))).toThrow(/frequencies/);
    expect(() => lowFrequencyMagnitudes(new Float64Array(16), t, 2, new Float64Array(5))).toThrow(/needs 6/);
    try {
      dftTables(-1);
    } catch (e) {
      expect((e as { code: string }).code).toBe("INVALID_OPTION");
    }
  });
});
