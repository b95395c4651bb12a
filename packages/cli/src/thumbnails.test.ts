import { createDataset, defineDetector, pipeline, z } from "@assay/core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { reportThumbnails } from "./thumbnails.js";

describe("reportThumbnails", () => {
  it("makes a PNG data URI for the first sample of each finding", async () => {
    const data = new Uint8Array(3 * 4 * 8);
    data.fill(200, 32, 64); // image 1 is light grey
    const dataset = createDataset({ images: { data, shape: [3, 4, 8] } });
    const flag = defineDetector({
      name: "flag",
      version: "1",
      options: z.object({}),
      needs: [],
      async run() {
        return { result: null, findings: [{ type: "t", indices: [1, 2], severity: "info" as const, message: "m" }, { type: "t", indices: [], severity: "info" as const, message: "dataset" }] };
      },
    });
    const report = await pipeline(dataset).use(flag).run();
    const thumbs = await reportThumbnails(report, dataset, { size: 16 });
    expect([...thumbs.keys()]).toEqual([1]);
    const uri = thumbs.get(1)!;
    expect(uri.startsWith("data:image/png;base64,")).toBe(true);
    const { data: pixels, info } = await sharp(Buffer.from(uri.slice(22), "base64")).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([16, 8]);
    expect(pixels.every((v) => v === 200)).toBe(true);
    const none = await reportThumbnails(report, createDataset({ size: 3 }));
    expect(none.size).toBe(0);
  });
});
