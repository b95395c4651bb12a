import { describe, expect, it } from "vitest";
import { computeStats, sharpness, sharpnessOfSums } from "./stats.js";

const close = (a: number, b: number, tol = 1e-6) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
const closeAll = (a: ArrayLike<number>, b: number[], tol = 1e-6) => {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => close(a[i]!, v, tol));
};

describe("image statistics (image-stats-linter.md test cases)", () => {
  it("T1: 2×2 grayscale, full stats", () => {
    const s = computeStats({ channels: 1, height: 2, width: 2, data: Uint8Array.from([0, 64, 128, 255]) });
    expect([s.width, s.height, s.size, s.aspect_ratio, s.channels, s.depth]).toEqual([2, 2, 4, 0, 1, 8]);
    close(s.mean, 0.438235);
    close(s.std, 0.369714);
    close(s.var, 0.136689);
    close(s.skew, 0.429453);
    close(s.kurtosis, -1.157233);
    for (const b of [0, 64, 128, 255]) expect(s.histogram[b]).toBe(1);
    expect(s.histogram.reduce((a, b) => a + b, 0)).toBe(4);
    close(s.entropy, 1.386294);
    expect(s.missing).toBe(0);
    close(s.zeros, 0.25);
    closeAll(s.percentiles, [0, 0.188235, 0.376471, 0.626471, 1]);
    close(s.brightness, 0.188235);
    close(s.darkness, 0.626471);
    close(s.contrast, 2.281879);
    close(s.sharpness, 104.411072);
  });

  it("T2: 1×1 image", () => {
    const s = computeStats({ channels: 1, height: 1, width: 1, data: Uint8Array.from([200]) });
    for (const v of [s.mean, s.brightness, s.darkness, ...s.percentiles]) close(v, 0.784314);
    expect([s.std, s.var, s.skew, s.kurtosis, s.entropy, s.contrast, s.sharpness, s.zeros, s.aspect_ratio, s.size]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it("T3: RGB 3×2×3, aggregate and per channel", () => {
    const data = Uint8Array.from([10, 20, 30, 40, 50, 60, 0, 0, 0, 255, 255, 255, 100, 110, 120, 130, 140, 150]);
    const s = computeStats({ channels: 3, height: 2, width: 3, data }, { perChannel: true });
    close(s.aspect_ratio, 0.333333);
    close(s.mean, 0.375817);
    close(s.std, 0.338815);
    close(s.var, 0.114796);
    close(s.skew, 0.696763);
    close(s.kurtosis, -0.692283);
    close(s.entropy, 2.524168);
    close(s.zeros, 0.166667);
    closeAll(s.percentiles, [0, 0.088235, 0.313725, 0.539216, 1]);
    close(s.brightness, 0.088235);
    close(s.darkness, 0.539216);
    close(s.contrast, 2.575758);
    close(s.sharpness, 127.5);
    const ch = s.perChannel!;
    const col = (k: keyof (typeof ch)[0]) => ch.map((c) => c[k] as number);
    closeAll(col("mean"), [0.137255, 0.5, 0.490196]);
    closeAll(col("std"), [0.066974, 0.5, 0.066974]);
    closeAll(col("skew"), [0, 0, 0]);
    closeAll(col("kurtosis"), [-1.268571, -2, -1.268571]);
    closeAll(col("entropy"), [1.791759, 0.693147, 1.791759]);
    closeAll(col("zeros"), [0, 0.5, 0]);
    closeAll(col("brightness"), [0.088235, 0, 0.441176]);
    closeAll(col("darkness"), [0.186275, 1, 0.539216]);
    closeAll(col("contrast"), [1.428571, 2, 0.4]);
    closeAll(col("sharpness"), [48.451651, 127.5, 48.451651]);
  });

  it("T4: a NaN pixel", () => {
    const s = computeStats({ channels: 1, height: 2, width: 2, data: Float64Array.from([0.5, Number.NaN, 0.25, 1.0]) });
    expect(s.depth).toBe(1);
    close(s.missing, 0.25);
    close(s.mean, 0.583333);
    close(s.std, 0.311805);
    close(s.var, 0.097222);
    close(s.skew, 0.381802);
    close(s.kurtosis, -1.5);
    close(s.entropy, 1.098612);
    expect([64, 128, 255].map((b) => s.histogram[b])).toEqual([1, 1, 1]);
    closeAll(s.percentiles, [0.25, 0.375, 0.5, 0.75, 1]);
    close(s.contrast, 1.304348);
    expect(s.sharpness).toBeNaN();
  });

  it("T5: 16-bit image scaled by its inferred 12-bit depth", () => {
    const s = computeStats({ channels: 1, height: 2, width: 2, data: Uint16Array.from([0, 1000, 2000, 3000]) });
    expect(s.depth).toBe(12);
    close(s.mean, 0.3663);
    close(s.std, 0.273024);
    close(s.skew, 0);
    close(s.kurtosis, -1.36);
    expect([0, 62, 125, 187].map((b) => s.histogram[b])).toEqual([1, 1, 1, 1]);
    closeAll(s.percentiles, [0, 0.18315, 0.3663, 0.549451, 0.732601]);
    close(s.contrast, 2.0);
    close(s.zeros, 0.25);
    close(s.sharpness, 127.5);
  });

  it("T6: box partly outside the image", () => {
    const data = new Uint8Array(48);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 8; c++) data[r * 8 + c] = 5 * (8 * r + c);
    const s = computeStats({ channels: 1, height: 6, width: 8, data }, { box: { x0: -2, y0: 1, x1: 3.5, y1: 4 } });
    expect([s.offset_x, s.offset_y, s.width, s.height, s.size]).toEqual([-2, 1, 5.5, 3, 16.5]);
    close(s.aspect_ratio, 0.454545);
    expect(s.center).toEqual([0.75, 2.5]);
    close(s.distance_center, 3.288237);
    expect(s.distance_edge).toBe(1);
    expect(s.invalid_box).toBe(false);
    close(s.missing, 0.333333);
    close(s.mean, 0.343137);
    close(s.std, 0.12994);
    close(s.skew, 0);
    close(s.kurtosis, -1.416928);
    close(s.entropy, 2.484907);
    closeAll(s.percentiles, [0.156863, 0.210784, 0.343137, 0.47549, 0.529412]);
    close(s.contrast, 1.085714);
    close(s.sharpness, 58.195552);
    expect(s.zeros).toBe(0);
  });

  it("§1.2: constant images give exactly zero spread, skew and kurtosis", () => {
    for (const v of [100, 128, 250]) {
      const s = computeStats({ channels: 1, height: 16, width: 16, data: new Uint8Array(256).fill(v) });
      expect([s.std, s.var, s.skew, s.kurtosis, s.entropy, s.contrast, s.sharpness]).toEqual([0, 0, 0, 0, 0, 0, 0]);
      close(s.brightness, v / 255);
      close(s.darkness, v / 255);
    }
  });
});

describe("integer sharpness", () => {
  it("equals the float64 convolution of the channel mean (1, 3 and 4 channels, 8 and 16 bit, edges)", () => {
    for (const [W, H, C, max] of [
      [1, 1, 1, 255],
      [1, 7, 3, 255],
      [6, 1, 1, 255],
      [13, 9, 3, 255],
      [8, 8, 4, 255],
      [11, 5, 1, 65535],
    ] as const) {
      const plane = W * H;
      const raw = Float64Array.from({ length: plane * C }, (_, i) => ((i * 2654435761) >>> 0) % (max + 1));
      const sums = new Int32Array(plane);
      const gray = new Float64Array(plane);
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < C; c++) sums[i]! += raw[c * plane + i]!;
        gray[i] = sums[i]! / C;
      }
      close(sharpnessOfSums(sums, W, H, C), sharpness(gray, W, H), 1e-9);
    }
  });
});
