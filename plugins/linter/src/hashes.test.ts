import { resampleRows, resampleRowsSimd } from "@assay/math";
import { describe, expect, it } from "vitest";
import { canonicalGray, dhash, exactHash, hammingDistance, lanczosCoefficients, perceptualHashes, phash, resizeLanczos, xxhash64 } from "./hashes.js";
import type { ChwImage } from "./image.js";
import { mapImage, mirror, rotate90, specImageS } from "./test-images.js";

function d1Image(): ChwImage {
  const data = new Uint8Array(144);
  for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) data[y * 12 + x] = (7 * x * x + 13 * y + 5 * x * y) % 256;
  return { channels: 1, height: 12, width: 12, data };
}

describe("exact hash (duplicates.md §2)", () => {
  it("matches the spec's known XXH3-64 values", () => {
    expect(exactHash({ channels: 1, height: 2, width: 2, data: new Uint8Array(4) })).toBe("a057271c9071c99d");
    expect(exactHash({ channels: 1, height: 2, width: 2, data: Uint8Array.from([0, 64, 128, 255]) })).toBe("21d553bc7ba56f0e");
    expect(xxhash64(new Uint8Array(4))).toBe("48b2c92616fc193d");
    expect(xxhash64(new Uint8Array(0))).toBe("2d06800538d394c2");
  });
});

describe("Lanczos resize (duplicates.md §4)", () => {
  it("9 → 8 bounds and integer weights", () => {
    const c = lanczosCoefficients(9, 8);
    expect(Array.from(c.xmin)).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
    expect(Array.from(c.count)).toEqual([4, 5, 6, 6, 6, 6, 5, 4]);
    expect(Array.from(c.k.subarray(0, 4))).toEqual([3783878, 637966, -290683, 63143]);
    expect(3783878 + 637966 - 290683 + 63143).toBe(2 ** 22);
  });
});

describe("D1 — pHash/dHash bit vector", () => {
  const img = d1Image();
  it("Lanczos rows, pHash, dHash and D4 variants", () => {
    const g = canonicalGray(img);
    const r8 = resizeLanczos(g, 8, 8);
    expect(Array.from(r8.data.subarray(0, 8))).toEqual([5, 26, 80, 177, 148, 156, 145, 152]);
    expect(Array.from(r8.data.subarray(56, 64))).toEqual([178, 63, 129, 141, 145, 88, 132, 103]);
    const r9 = resizeLanczos(g, 9, 9);
    expect(Array.from(r9.data.subarray(0, 9))).toEqual([2, 19, 60, 128, 196, 136, 160, 144, 138]);
    const h = perceptualHashes(g, { d4: true });
    expect(h).toEqual({ phash: "88071eb89b235dd7", dhash: "0b1a15392a4b5452", phash_d4: "88071eb89b235dd7", dhash_d4: "00030d72ceaaed36" });
    const rot = perceptualHashes(canonicalGray(rotate90(img)), { d4: true });
    expect(rot.phash).toBe("89fc14c4ba9c6df0");
    expect(rot.phash_d4).toBe("88071eb89b235dd7");
  });
  it("xxhash of the uint8 bytes and of the float64 CHW bytes", () => {
    expect(xxhash64(img.data as Uint8Array)).toBe("3afa47f48bcdd0f6");
    expect(exactHash(img)).toBe("c260987e33e97109");
  });
});

describe("D2 — degenerate inputs", () => {
  it("small images get empty perceptual hashes; constant images the DC bit only", () => {
    for (const s of [2, 8]) {
      const img = { channels: 1, height: s, width: s, data: new Uint8Array(s * s).fill(7) };
      expect(perceptualHashes(canonicalGray(img), { d4: true })).toEqual({ phash: "", dhash: "", phash_d4: "", dhash_d4: "" });
    }
    for (const v of [20, 19]) {
      const img = { channels: 1, height: 28, width: 28, data: new Uint8Array(784).fill(v) };
      expect(phash(img)).toBe("8000000000000000");
      expect(dhash(img)).toBe("0000000000000000");
    }
  });
  it("hamming distance", () => {
    expect(hammingDistance("ff00ff00", "ff00ff01")).toBe(1);
    expect(hammingDistance("ff00", "ff00ff01")).toBe(-1);
    expect(hammingDistance("", "")).toBe(-1);
  });
});

describe("§3 grayscale and §11 tolerance table", () => {
  it("Rec. 601 and [0, 1] floats", () => {
    expect(canonicalGray({ channels: 3, height: 1, width: 1, data: [10, 200, 30] }).data[0]).toBe(123);
    expect(canonicalGray({ channels: 3, height: 1, width: 1, data: [0.5, 0.5, 0.5] }).data[0]).toBe(127);
  });
  it("hashes of S and its transforms", () => {
    const S = specImageS();
    const h = perceptualHashes(canonicalGray(S), { d4: true });
    expect(h).toEqual({ phash: "8e163169969e4e9d", dhash: "000006161e0c1c0c", phash_d4: "8d12306d97cfce31", dhash_d4: "0000041c0c1c1c0c" });
    expect(exactHash(S)).toBe("a7fe8a15633a9e89");
    const dist = (img: ChwImage) => {
      const o = perceptualHashes(canonicalGray(img), { d4: true });
      return [hammingDistance(o.phash, h.phash), hammingDistance(o.dhash, h.dhash), o.phash_d4 === h.phash_d4, o.dhash_d4 === h.dhash_d4];
    };
    expect(dist(mapImage(S, (v) => v + 20))).toEqual([0, 0, false, true]);
    expect(dist(mapImage(S, (v) => v + 60))).toEqual([2, 0, false, false]);
    expect(dist(mapImage(S, (v) => Math.floor(v / 2)))).toEqual([0, 2, false, false]);
    expect(dist(mapImage(S, (v) => Math.floor(((v - 128) * 6) / 5) + 128))).toEqual([0, 0, true, true]);
    expect(dist(mapImage(S, (v, _c, y, x) => v + ((13 * y + 7 * x) % 5) - 2))).toEqual([0, 0, false, true]);
    expect(dist(mirror(S))).toEqual([32, 40, true, true]);
    expect(dist(rotate90(S))).toEqual([26, 14, true, true]);
  });
});

describe("lanczosCoefficients taps through @assay/math resampleRows", () => {
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

  it("resizeLanczos (vertical pass on the transposed image) equals Pillow's two passes summed directly", () => {
    const clip = (acc: number) => (acc <= 0 ? 0 : acc >= 2 ** 30 ? 255 : Math.floor(acc / 2 ** 22));
    const direct = (src: Uint8Array, W: number, H: number, outW: number, outH: number) => {
      const h = lanczosCoefficients(W, outW);
      const mid = new Uint8Array(outW * H);
      for (let y = 0; y < H; y++) {
        for (let o = 0; o < outW; o++) {
          let acc = 2 ** 21;
          for (let j = 0; j < h.count[o]!; j++) acc += src[y * W + h.xmin[o]! + j]! * h.k[o * h.ksize + j]!;
          mid[y * outW + o] = clip(acc);
        }
      }
      const v = lanczosCoefficients(H, outH);
      const out = new Uint8Array(outW * outH);
      for (let o = 0; o < outH; o++) {
        for (let x = 0; x < outW; x++) {
          let acc = 2 ** 21;
          for (let j = 0; j < v.count[o]!; j++) acc += mid[(v.xmin[o]! + j) * outW + x]! * v.k[o * v.ksize + j]!;
          out[o * outW + x] = clip(acc);
        }
      }
      return out;
    };
    for (const [W, H, n] of [
      [300, 200, 32],
      [1000, 700, 9],
      [40, 3000, 32],
      [33, 17, 9],
    ] as const) {
      const src = Uint8Array.from({ length: W * H }, (_, i) => ((i * 2654435761) >>> 24) & (i % 7 === 0 ? 255 : 0xf0));
      expect(resizeLanczos({ width: W, height: H, data: src }, n, n).data).toEqual(direct(src, W, H, n, n));
    }
  });

  it("negative weights and saturated pixels stay exact", () => {
    const src = new Uint8Array(640 * 10).map((_, i) => (i % 3 === 0 ? 255 : 0));
    const taps = lanczosCoefficients(640, 32);
    expect(taps.k.some((w) => w < 0)).toBe(true);
    expect(resampleRows(src, 640, 10, taps, true)).toEqual(resampleRows(src, 640, 10, taps, false));
  });
});
