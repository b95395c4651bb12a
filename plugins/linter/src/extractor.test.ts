import type { RasterImage } from "@assay/core";
import { describe, expect, it } from "vitest";
import { analyseImage, boxToXyxy } from "./extractor.js";
import { canonicalGray, exactHash, perceptualHashes } from "./hashes.js";
import { computeStats } from "./stats.js";

/** HWC raster → CHW copy of the same values. */
function chwOf(r: RasterImage) {
  const plane = r.width * r.height;
  const data = new Float64Array(plane * r.channels);
  for (let c = 0; c < r.channels; c++) for (let i = 0; i < plane; i++) data[c * plane + i] = r.data[i * r.channels + c]!;
  return { channels: r.channels, height: r.height, width: r.width, data };
}

describe("analyseImage: the in-place raster path equals the region path", () => {
  const cases: RasterImage[] = [
    { width: 23, height: 17, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 23 * 17 * 3 }, (_, i) => (i * 2654435761) >>> 24) },
    { width: 12, height: 30, channels: 4, bitDepth: 8, data: Uint8Array.from({ length: 12 * 30 * 4 }, (_, i) => (i * 40503) & 255) },
    { width: 16, height: 16, channels: 1, bitDepth: 16, data: Uint16Array.from({ length: 256 }, (_, i) => (i * 977) % 4096) },
    { width: 9, height: 9, channels: 2, bitDepth: 8, data: Uint8Array.from({ length: 162 }, (_, i) => (i * 31) % 7) },
    // the fused RGB scan on one-row, one-column, 1×1 and [0, 1]-valued rasters
    { width: 7, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 21 }, (_, i) => (i * 97) % 256) },
    { width: 1, height: 6, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 18 }, (_, i) => (i * 53) % 256) },
    { width: 1, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from([9, 200, 31]) },
    { width: 12, height: 10, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 360 }, (_, i) => (i * 7) % 2) },
    // the WebAssembly scan (≥ 4,096 pixels), which also runs the hashes' horizontal Lanczos passes on its
    // gray rows: one band with an odd row count, several bands, a width equal to the pHash size, [0, 1] values
    { width: 130, height: 97, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 130 * 97 * 3 }, (_, i) => (i * 2654435761) >>> 24) },
    { width: 2000, height: 67, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 2000 * 67 * 3 }, (_, i) => ((i >> 4) * 40503 + (i % 3) * 77) & 255) },
    { width: 32, height: 300, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 32 * 300 * 3 }, (_, i) => (i * 131) % 256) },
    { width: 90, height: 80, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 90 * 80 * 3 }, (_, i) => ((i * 7) >> 3) % 2) },
  ];
  cases.forEach((raster, k) => {
    it(`case ${k}: ${raster.channels} channel(s), ${raster.bitDepth}-bit`, () => {
      const [row] = analyseImage(raster, [], { normalize: true, perChannel: true, hashes: "all" });
      const chw = chwOf(raster);
      const ref = computeStats({ ...chw, data: raster.bitDepth === 16 ? Uint16Array.from(chw.data) : Uint8Array.from(chw.data) }, { perChannel: true });
      const strip = (s: typeof ref) => ({ ...s, histogram: Array.from(s.histogram), perChannel: s.perChannel?.map((p) => ({ ...p, histogram: Array.from(p.histogram) })) });
      expect(strip(row!.stats)).toEqual(strip(ref));
      expect(row!.xxhash).toBe(exactHash(chw));
      const h = perceptualHashes(canonicalGray(chw), { d4: true });
      expect([row!.phash, row!.dhash, row!.phash_d4, row!.dhash_d4]).toEqual([h.phash, h.dhash, h.phash_d4, h.dhash_d4]);
      // the hashes without the D4 variants
      const [basic] = analyseImage(raster, [], { normalize: true, perChannel: false, hashes: "basic" });
      expect([basic!.phash, basic!.dhash, basic!.xxhash]).toEqual([h.phash, h.dhash, row!.xxhash]);
      expect(row!.shape).toEqual([raster.channels, raster.height, raster.width]);
    });
  });

  it("box rows follow the image row and swap reversed corners", () => {
    const raster = cases[0]!;
    const rows = analyseImage(raster, [boxToXyxy({ x: 10, y: 8, width: -5, height: -4 })], { normalize: true, perChannel: false, hashes: "basic" });
    expect(rows).toHaveLength(2);
    expect([rows[1]!.stats.offset_x, rows[1]!.stats.offset_y, rows[1]!.stats.width, rows[1]!.stats.height]).toEqual([5, 4, 5, 4]);
    expect(rows[1]!.phash).toBe("");
  });

  it("constant RGB rasters (8-bit fused scan, 16-bit generic path) give zero spread and sharpness, no NaN", () => {
    for (const raster of [
      { width: 640, height: 480, channels: 3, bitDepth: 8, data: new Uint8Array(640 * 480 * 3).fill(93) },
      { width: 5, height: 4, channels: 3, bitDepth: 16, data: new Uint16Array(60).fill(40000) },
    ] as RasterImage[]) {
      const [row] = analyseImage(raster, [], { normalize: true, perChannel: true, hashes: "basic" });
      const s = row!.stats;
      expect([s.std, s.var, s.skew, s.kurtosis, s.entropy, s.contrast, s.sharpness]).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect(s.perChannel!.map((p) => p.sharpness)).toEqual([0, 0, 0]);
      for (const v of Object.values(s)) if (typeof v === "number") expect(Number.isNaN(v)).toBe(false);
      expect(row!.phash).toMatch(raster.width >= 9 ? /^[0-9a-f]{16}$/ : /^$/);
      // streamed (large) or one-shot (small) exact hash: the digest of the float64 CHW values
      expect(row!.xxhash).toBe(exactHash(chwOf(raster)));
    }
  });
});
