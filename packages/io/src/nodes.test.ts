import { createDataset, pipeline, type RasterImage } from "@assay/core";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "./load.js";
import { mapImages } from "./map-images.js";
import { imageScan, pixelEmbedding, pixelEmbeddingDims, unreadableImages } from "./nodes.js";
import { caught, put, solidImage, tempDir, testContext } from "./test-utils.js";

function tensorDataset() {
  // Three 4×4 gray images: all 0, all 255, left half 255.
  const data = new Uint8Array(3 * 16);
  data.fill(255, 16, 32);
  for (let y = 0; y < 4; y++) data.fill(255, 32 + y * 4, 32 + y * 4 + 2);
  return createDataset({ images: { data, shape: [3, 4, 4] }, labels: [0, 1, 1] });
}

describe("pixelEmbedding", () => {
  it("is a size×size area thumbnail plus RGB mean/std, in [0, 1]", async () => {
    const ds = tensorDataset();
    const { ctx, progress } = testContext(ds);
    const m = await pixelEmbedding({ size: 2 }).run(ctx, {});
    expect([m.rows, m.cols]).toEqual([3, pixelEmbeddingDims(2, true)]);
    expect(m.cols).toBe(10);
    const row = (i: number) => Array.from(m.data.subarray(i * 10, (i + 1) * 10));
    expect(row(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(row(1)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(row(2)).toEqual([1, 0, 1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(progress.at(-1)).toEqual([3, 3]);
  });

  it("without colour is just the thumbnail, and is deterministic", async () => {
    const ds = tensorDataset();
    const a = await pixelEmbedding({ size: 3, color: false }).run(testContext(ds).ctx, {});
    const b = await pixelEmbedding({ size: 3, color: false }).run(testContext(ds, { concurrency: 1 }).ctx, {});
    expect(a.cols).toBe(9);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });

  it("fills unreadable rows with the column mean and warns", async () => {
    const root = await tempDir();
    await put(join(root, "a", "black.png"), await solidImage(4, 4, [0, 0, 0]));
    await put(join(root, "a", "broken.png"), "garbage");
    await put(join(root, "a", "white.png"), await solidImage(4, 4, [255, 255, 255]));
    const ds = await loadDataset(root);
    const { ctx, warnings } = testContext(ds);
    const m = await pixelEmbedding({ size: 1 }).run(ctx, {});
    expect(Array.from(m.data.subarray(7, 14))).toEqual([0.5, 0.5, 0.5, 0.5, 0, 0, 0]);
    expect(warnings).toEqual(["1 image could not be decoded (a/broken.png); their embedding rows hold the column means"]);
  });

  it("fails clearly when no image decodes, and rejects bad options", async () => {
    const root = await tempDir();
    await put(join(root, "a", "x.png"), "garbage");
    const ds = await loadDataset(root);
    const e = await caught(() => pixelEmbedding().run(testContext(ds).ctx, {}));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("none of the 1 images could be decoded");
    const opt = await caught(() => pixelEmbedding({ size: 0 }));
    expect(opt.code).toBe("INVALID_OPTION");
  });
});

describe("imageScan", () => {
  it("records sizes, channels and bit depth per row", async () => {
    const scan = await imageScan().run(testContext(tensorDataset()).ctx, {});
    expect(Array.from(scan.width)).toEqual([4, 4, 4]);
    expect(Array.from(scan.channels)).toEqual([1, 1, 1]);
    expect(Array.from(scan.bitDepth)).toEqual([8, 8, 8]);
    expect(scan.failures).toEqual([]);
  });

  it("gives an empty scan and a warning for a dataset with no images; unreadable-images then reports nothing", async () => {
    const ds = createDataset({ size: 3, labels: [0, 1, 0] });
    const { ctx, warnings } = testContext(ds);
    const scan = await imageScan().run(ctx, {});
    expect(Array.from(scan.width)).toEqual([0, 0, 0]);
    expect(scan.failures).toEqual([]);
    expect(warnings).toEqual(["dataset has no images"]);
    const report = await pipeline(ds).use(imageScan(), unreadableImages()).run();
    expect(report.status).toBe("ok");
    expect(report.findings).toEqual([]);
    expect(report.nodes.find((n) => n.name === "image-scan")?.warnings).toEqual(["dataset has no images"]);
    expect(report.results["unreadable-images"]!.summary).toEqual({ unreadable: 0, checked: 3 });
  });
});

describe("mapImages", () => {
  it("never has more than `concurrency` images in flight and reports progress", async () => {
    let inFlight = 0;
    let peak = 0;
    const ds = createDataset({
      size: 20,
      images: async (i): Promise<RasterImage> => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        if (i === 7) throw new Error("boom");
        return { width: 1, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.of(i) };
      },
    });
    const seen: number[] = [];
    const out = await mapImages(ds, (img) => img.data[0]!, { concurrency: 3, onProgress: (d) => seen.push(d) });
    expect(peak).toBe(3);
    expect(out.failures).toEqual([{ index: 7, reason: "boom" }]);
    expect(out.results.filter((r) => r !== undefined)).toHaveLength(19);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("stops with CANCELLED when the signal aborts", async () => {
    const controller = new AbortController();
    const ds = createDataset({
      size: 50,
      images: async () => {
        await new Promise((r) => setTimeout(r, 1));
        return { width: 1, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.of(0) };
      },
    });
    let calls = 0;
    const e = await caught(() =>
      mapImages(
        ds,
        () => {
          if (++calls === 5) controller.abort();
        },
        { concurrency: 2, signal: controller.signal },
      ),
    );
    expect(e.code).toBe("CANCELLED");
    expect(calls).toBeLessThan(10);
  });
});
