import { AssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { LEGACY_IMAGE_STATS, legacyChannelStats, legacyImageStats, legacyLinter } from "./legacy.js";
import { legacyPchash, xxhash64 } from "./hashes.js";
import { specImageS } from "./test-images.js";

const close = (a: number, b: number, tol = 1e-6) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
const t1 = { channels: 1, height: 2, width: 2, data: Uint8Array.from([0, 64, 128, 255]) };
const t2 = { channels: 1, height: 1, width: 1, data: Uint8Array.from([200]) };
const t3 = {
  channels: 3,
  height: 2,
  width: 3,
  data: Uint8Array.from([10, 20, 30, 40, 50, 60, 0, 0, 0, 255, 255, 255, 100, 110, 120, 130, 140, 150]),
};
const noHash = LEGACY_IMAGE_STATS.filter((s) => s !== "pchash");

describe("legacy imagestats (image-stats-linter.md §9)", () => {
  it("T1 legacy: aspect W/H, brightness = mean, blurriness, zero and missing as counts", () => {
    const s = legacyImageStats([t1], noHash);
    expect(Array.from(s.aspect_ratio!)).toEqual([1]);
    close(s.brightness![0]!, 0.438235);
    close(s.mean![0]!, 0.438235);
    close(s.blurriness![0]!, 104.411072);
    expect(Array.from(s.zero!)).toEqual([1]);
    expect(Array.from(s.missing!)).toEqual([0]);
    expect([s.width![0], s.height![0], s.size![0]]).toEqual([2, 2, 4]);
    expect(s.channels).toEqual([1]);
    expect(s.depth).toEqual([8]);
    close(s.std![0]!, 0.369714);
    close(s.skew![0]!, 0.429453);
    close(s.kurtosis![0]!, -1.157233);
    close(s.entropy![0]!, 1.386294);
    expect(s.percentiles!.rows).toBe(1);
    [0, 0.188235, 0.376471, 0.626471, 1].forEach((v, q) => close(s.percentiles!.data[q]!, v));
    expect(s.histogram!.data.reduce((a, b) => a + b, 0)).toBe(4);
    // xxhash of the raw uint8 bytes, not of float64 values
    expect(s.xxhash).toEqual([xxhash64(t1.data)]);
    expect(Object.keys(s)).toEqual(noHash);
  });

  it("T1 legacy: the default flags include pchash, which raises below 9×9", () => {
    expect(() => legacyImageStats([t1])).toThrow(AssayError);
    expect(() => legacyImageStats([t1])).toThrow("Image must be larger than 8x8 for fuzzy hashing.");
  });

  it("T2 legacy: a 1×1 image has NaN skew and kurtosis and aspect 1.0", () => {
    const s = legacyImageStats([t2], ["aspect_ratio", "skew", "kurtosis", "mean", "blurriness", "zero"]);
    expect(Number.isNaN(s.skew![0]!)).toBe(true);
    expect(Number.isNaN(s.kurtosis![0]!)).toBe(true);
    expect(s.aspect_ratio![0]).toBe(1);
    close(s.mean![0]!, 0.784314);
    expect(s.blurriness![0]).toBe(0);
    expect(s.zero![0]).toBe(0);
    expect(Object.keys(s)).toEqual(["aspect_ratio", "mean", "skew", "kurtosis", "blurriness", "zero"]);
  });

  it("default flags on 9×9+ images: pchash and every stat, one entry per image", () => {
    const S = specImageS();
    const s = legacyImageStats([S]);
    expect(Object.keys(s)).toEqual([...LEGACY_IMAGE_STATS]);
    expect(s.pchash).toEqual([legacyPchash(S)]);
    expect(s.aspect_ratio![0]).toBe(1);
    expect(s.size![0]).toBe(64 * 64);
  });

  it("T3 aspect ratio is W/H and zero counts elements (a black RGB pixel counts 3)", () => {
    const s = legacyImageStats([t3], ["aspect_ratio", "zero", "brightness"]);
    close(s.aspect_ratio![0]!, 1.5);
    expect(s.zero![0]).toBe(3);
    close(s.brightness![0]!, 0.375817);
  });

  it("negative data uses the seed's rescale (x + min) / (max − min)", () => {
    const neg = { channels: 1, height: 1, width: 3, data: Float64Array.from([-1, 0, 1]) };
    const s = legacyImageStats([neg], ["mean", "zero", "percentiles"]);
    // scaled = (x − 1) / 2 = [−1, −0.5, 0]
    close(s.mean![0]!, -0.5);
    expect(Array.from(s.percentiles!.data)).toEqual([-1, -0.75, -0.5, -0.25, 0]);
    expect(s.zero![0]).toBe(1);
  });

  it("rejects unknown flags and malformed images", () => {
    expect(() => legacyImageStats([t1], ["bogus" as never])).toThrow(/unknown flag "bogus"/);
    expect(() => legacyImageStats([{ channels: 1, height: 2, width: 2, data: new Uint8Array(3) }], ["mean"])).toThrow(/image 0 has shape 1×2×2 and 3 values/);
  });

  it("feeds legacyLinter: only the 1-D numeric stats are candidates", () => {
    const images = Array.from({ length: 11 }, (_, i) => ({ channels: 1, height: 16, width: 16, data: new Uint8Array(256).fill(i < 10 ? 100 + i : 250) }));
    const s = legacyImageStats(images, noHash);
    const flagged = legacyLinter(s, { method: "zscore" });
    // constant images: skew/kurtosis NaN never flag; width/height/size/aspect/zero/missing have std 0
    expect(flagged).toEqual({ 10: { mean: 0.98, brightness: 0.98 } });
  });
});

describe("legacy channelstats", () => {
  it("T3 per channel, grouped by channel count with idx_map", () => {
    const cs = legacyChannelStats([t3, t1, t3]);
    expect(cs.idx_map).toEqual({ 1: [1], 3: [0, 2] });
    const mean3 = cs.mean![3]!;
    expect(mean3.length).toBe(6);
    // channel-major: [c · N + j]
    [0.137255, 0.137255, 0.5, 0.5, 0.490196, 0.490196].forEach((v, i) => close(mean3[i]!, v));
    [0.066974, 0.5, 0.066974].forEach((v, c) => close(cs.std![3]![c * 2]!, v));
    [-1.268571, -2, -1.268571].forEach((v, c) => close(cs.kurtosis![3]![c * 2]!, v));
    [1.791759, 0.693147, 1.791759].forEach((v, c) => close(cs.entropy![3]![c * 2]!, v));
    expect(cs.percentiles![3]!.length).toBe(3 * 2 * 5);
    [0, 0, 0.5, 1, 1].forEach((v, q) => close(cs.percentiles![3]![(1 * 2 + 0) * 5 + q]!, v));
    close(cs.mean![1]![0]!, 0.438235);
    expect(cs.histogram![1]!.length).toBe(256);
  });

  it("constant channels get NaN skew/kurtosis; flags select stats", () => {
    const im = { channels: 2, height: 3, width: 3, data: Uint8Array.from({ length: 18 }, (_, i) => (i < 9 ? 7 : i)) };
    const cs = legacyChannelStats([im], ["skew", "mean"]);
    expect(Object.keys(cs).sort()).toEqual(["idx_map", "mean", "skew"]);
    expect(Number.isNaN(cs.skew![2]![0]!)).toBe(true);
    close(cs.skew![2]![1]!, 0);
  });
});
