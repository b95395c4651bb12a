import type { RasterImage } from "@assay/core";
import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { batchDims, effectiveBatchSize, imageBatches, preprocessInto, resampleTaps, validatePreprocess, type PreprocessSpec } from "./preprocess.js";

const gray = (width: number, height: number, values: number[]): RasterImage => ({ width, height, channels: 1, bitDepth: 8, data: Uint8Array.from(values) });
const base: PreprocessSpec = { width: 2, height: 2, channels: 1, channelOrder: "gray", layout: "NCHW", mean: [0], std: [1], pixelScale: 1, resize: "bilinear" };

function run(image: RasterImage, spec: Partial<PreprocessSpec>): number[] {
  const s = validatePreprocess({ ...base, ...spec });
  const out = new Float32Array(s.width * s.height * s.channels);
  preprocessInto(image, s, out);
  return Array.from(out);
}

describe("resize", () => {
  it("area-averages 4×4 → 2×2 into exact block means", () => {
    const img = gray(4, 4, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]);
    expect(run(img, { resize: "area" })).toEqual([5, 9, 21, 25]);
  });

  it("area handles a non-integer ratio by fractional coverage (3 → 2: weights 2/3, 1/3)", () => {
    const img = gray(3, 1, [0, 30, 60]);
    expect(run(img, { width: 2, height: 1, resize: "area" })).toEqual([10, 50]);
  });

  it("bilinear uses half-pixel centres: 2 → 4 gives 0, 25, 75, 100", () => {
    const img = gray(2, 1, [0, 100]);
    expect(run(img, { width: 4, height: 1 })).toEqual([0, 25, 75, 100]);
  });

  it("bilinear 4 → 2 samples between pixels 0|1 and 2|3", () => {
    const img = gray(4, 1, [0, 10, 20, 30]);
    expect(run(img, { width: 2, height: 1 })).toEqual([5, 25]);
  });

  it("nearest picks the covering source pixel", () => {
    const img = gray(4, 1, [0, 10, 20, 30]);
    expect(run(img, { width: 2, height: 1, resize: "nearest" })).toEqual([10, 30]);
  });

  it("area weights of every output position sum to 1", () => {
    const taps = resampleTaps(28, 10, "area");
    for (let i = 0; i < 10; i++) {
      let s = 0;
      for (let t = 0; t < taps.count[i]!; t++) s += taps.weight[i * taps.maxTaps + t]!;
      expect(s).toBeCloseTo(1, 6);
    }
  });
});

describe("colour, normalisation and layout", () => {
  const rgb: RasterImage = { width: 2, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from([255, 0, 0, 0, 0, 255]) };

  it("converts RGB to gray with BT.601 luma", () => {
    const out = run(rgb, { width: 2, height: 1 });
    expect(out[0]).toBeCloseTo(0.299 * 255, 3);
    expect(out[1]).toBeCloseTo(0.114 * 255, 3);
  });

  it("writes NCHW planes, NHWC interleaved, and reverses for BGR", () => {
    const spec = { width: 2, height: 1, channels: 3 as const, channelOrder: "rgb" as const };
    expect(run(rgb, spec)).toEqual([255, 0, 0, 0, 0, 255]);
    expect(run(rgb, { ...spec, layout: "NHWC" })).toEqual([255, 0, 0, 0, 0, 255]);
    expect(run(rgb, { ...spec, channelOrder: "bgr" })).toEqual([0, 255, 0, 0, 255, 0]);
    expect(run(rgb, { ...spec, channelOrder: "bgr", layout: "NHWC" })).toEqual([0, 0, 255, 255, 0, 0]);
  });

  it("replicates gray into 3 channels and drops alpha", () => {
    const ga: RasterImage = { width: 1, height: 1, channels: 2, bitDepth: 8, data: Uint8Array.from([51, 7]) };
    expect(run(ga, { width: 1, height: 1, channels: 3, channelOrder: "rgb" })).toEqual([51, 51, 51]);
  });

  it("applies (pixel / scale − mean) / std per channel", () => {
    const out = run(rgb, { width: 2, height: 1, channels: 3, channelOrder: "rgb", pixelScale: 255, mean: [0.5, 0, 0.25], std: [0.5, 1, 0.25] });
    expect(out.map((v) => Number(v.toFixed(5)))).toEqual([1, -1, 0, 0, -1, 3]);
  });

  it("brings 16-bit images to the 8-bit scale", () => {
    const img: RasterImage = { width: 1, height: 1, channels: 1, bitDepth: 16, data: Uint16Array.from([65535]) };
    expect(run(img, { width: 1, height: 1 })[0]).toBeCloseTo(255, 4);
  });

  it("rejects an inconsistent spec with INVALID_OPTION naming the field", () => {
    for (const [bad, field] of [
      [{ channels: 3 }, "channelOrder"],
      [{ std: [0] }, "std"],
      [{ mean: [1, 2] }, "mean"],
      [{ width: 0 }, "width"],
    ] as const) {
      let error: unknown;
      try {
        validatePreprocess({ ...base, ...bad } as PreprocessSpec);
      } catch (e) {
        error = e;
      }
      expect(isAssayError(error, "INVALID_OPTION")).toBe(true);
      expect((error as Error).message).toContain(`preprocess.${field}`);
    }
  });
});

describe("batching", () => {
  it("caps the batch size so one batch stays under maxBatchBytes", () => {
    const spec = { ...base, width: 224, height: 224, channels: 3 as const, channelOrder: "rgb" as const };
    expect(effectiveBatchSize(spec, { batchSize: 512, maxBatchBytes: 64 * 2 ** 20 })).toBe(111);
    expect(effectiveBatchSize(spec, { batchSize: 16 })).toBe(16);
    expect(batchDims(spec, 4)).toEqual([4, 3, 224, 224]);
    expect(batchDims({ ...spec, layout: "NHWC" }, 4)).toEqual([4, 224, 224, 3]);
  });

  it("streams batches in order, keeps at most one batch, and turns unreadable images into blanks", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const read = async (i: number) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (i === 3) throw new Error("bad jpeg");
      return gray(1, 1, [i + 1]);
    };
    const spec = { ...base, width: 1, height: 1 };
    const batches = [];
    for await (const b of imageBatches(7, read, spec, { batchSize: 3, concurrency: 2 })) batches.push(b);
    expect(batches.map((b) => Array.from(b.indices))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(batches.map((b) => Array.from(b.data))).toEqual([[1, 2, 3], [0, 5, 6], [7]]);
    expect(batches[1]!.failures).toEqual([{ index: 3, reason: "bad jpeg" }]);
    expect(batches[2]!.dims).toEqual([1, 1, 1, 1]);
    expect(maxInFlight).toBe(2);
  });
});
