import { AssayError, createDataset, pipeline, type RasterImage, serializeReport } from "@assay/core";
import { describe, expect, it } from "vitest";
import { computeImageStats, imageStats } from "./extractor.js";
import { findStatOutliers, outliers, outliersOptions } from "./outliers.js";
import { plugin } from "./index.js";

const ctxOf = (dataset: ReturnType<typeof createDataset>) => ({
  dataset,
  signal: new AbortController().signal,
  concurrency: 4,
  progress: () => {},
  warn: () => {},
});

function t8Dataset() {
  const n = 11;
  const data = new Uint8Array(n * 256);
  for (let i = 0; i < n; i++) data.fill(i < 10 ? 100 + i : 250, i * 256, (i + 1) * 256);
  return createDataset({ images: { data, shape: [n, 16, 16] } });
}

describe("T8 — end to end", () => {
  it("adaptive default flags brightness, darkness and mean of image 10 only", async () => {
    const stats = await computeImageStats(ctxOf(t8Dataset()), { perChannel: false, perBox: true, normalize: true, hashes: "basic", histogram: false, fileHash: true });
    const res = findStatOutliers(stats, outliersOptions.parse({}));
    expect(res.outliers).toEqual({ 10: ["brightness", "darkness", "mean"] });
    for (const r of res.rows) {
      expect(r.item).toBe(10);
      expect(Math.abs(r.value - 0.980392)).toBeLessThan(1e-6);
      expect(Math.abs(r.lower! - 0.360892)).toBeLessThan(1e-6);
      expect(Math.abs(r.upper! - 0.602406)).toBeLessThan(1e-6);
    }
    const z = findStatOutliers(stats, outliersOptions.parse({ method: "zscore", threshold: 3 }));
    expect(z.outliers).toEqual({ 10: ["brightness", "darkness", "mean"] });
    expect(Math.abs(z.rows[0]!.lower! - -0.031476)).toBeLessThan(1e-6);
    expect(Math.abs(z.rows[0]!.upper! - 0.954827)).toBeLessThan(1e-6);
  });

  it("runs through the pipeline and names the statistic, bound and median", async () => {
    const report = await pipeline(t8Dataset()).use(imageStats()).use(outliers()).run();
    expect(report.status).toBe("ok");
    const f = report.findings.filter((x) => x.type === "outlier");
    expect(f).toHaveLength(1);
    expect(f[0]!.indices).toEqual([10]);
    expect(f[0]!.message).toMatch(/^image 10: brightness 0\.9804 > 0\.6024 \(median 0\.4/);
    expect(f[0]!.score).toBeGreaterThan(1);
    expect(report.results.outliers!.summary).toMatchObject({ outlier_images: 1, flagged_values: 3 });
    expect(serializeReport(report)).not.toMatch(/NaN/);
  });

  it("classwise bounds are derived per class", async () => {
    // class 0: values 100…109 and one 250; class 1: all 250 → no flags in class 1
    const n = 16;
    const data = new Uint8Array(n * 256);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = i < 10 ? 100 + i : i === 10 ? 250 : 250;
      data.fill(v, i * 256, (i + 1) * 256);
      labels.push(i <= 10 ? 0 : 1);
    }
    const ds = createDataset({ images: { data, shape: [n, 16, 16] }, labels });
    const stats = await computeImageStats(ctxOf(ds), { perChannel: false, perBox: true, normalize: true, hashes: "none", histogram: false, fileHash: false });
    const pooled = findStatOutliers(stats, outliersOptions.parse({}));
    const byClass = findStatOutliers(stats, outliersOptions.parse({ classwise: true }));
    expect(Object.keys(byClass.outliers)).toEqual(["10"]);
    expect(byClass.bounds.some((b) => b.classId === 1)).toBe(true);
    expect(Object.keys(pooled.outliers)).not.toEqual(["10"]);
  });

  it("rejects unknown options with INVALID_OPTION", () => {
    expect(() => outliers({ method: "nope" } as never)).toThrow(AssayError);
    expect(() => outliers({ bogus: 1 } as never)).toThrow(/unknown option "bogus"/);
  });

  it("exports a plugin with the extractor and the detector", () => {
    expect(plugin.name).toBe("@assay/linter");
    expect(plugin.extractors.map((e) => e.nodeName)).toEqual(["image-stats"]);
    expect(plugin.detectors.map((d) => d.nodeName)).toEqual(["outliers"]);
  });
});

describe("bad input", () => {
  /** Every number in the report's findings and results is finite (NaN would serialise as null). */
  const noNaN = (report: { findings: unknown; results: unknown }) => {
    const walk = (v: unknown, path: string): void => {
      if (typeof v === "number") expect(Number.isFinite(v), path).toBe(true);
      else if (ArrayBuffer.isView(v)) Array.from(v as unknown as ArrayLike<number>).forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(report.findings, "findings");
    walk(report.results, "results");
  };

  it("constant, 1×1, 16-bit and 4-channel images give defined values", async () => {
    const images: RasterImage[] = [
      { width: 8, height: 8, channels: 1, bitDepth: 8, data: new Uint8Array(64).fill(77) },
      { width: 1, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.from([200]) },
      { width: 4, height: 3, channels: 1, bitDepth: 16, data: Uint16Array.from({ length: 12 }, (_, i) => i * 5000) },
      { width: 10, height: 10, channels: 4, bitDepth: 8, data: Uint8Array.from({ length: 400 }, (_, i) => (i * 37) % 256) },
    ];
    const ds = createDataset({ size: images.length, images: async (i) => images[i]! });
    const stats = await computeImageStats(ctxOf(ds), { perChannel: true, perBox: true, normalize: true, hashes: "all", histogram: false, fileHash: true });
    expect(stats.unreadable).toEqual([]);
    for (const name of ["mean", "std", "var", "skew", "kurtosis", "entropy", "brightness", "darkness", "contrast", "sharpness", "zeros", "missing"] as const) {
      for (let r = 0; r < 4; r++) expect(Number.isFinite(stats.stats[name][r]!), `${name}[${r}]`).toBe(true);
    }
    expect(Array.from(stats.stats.std.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(stats.stats.skew.subarray(0, 2))).toEqual([0, 0]);
    expect(stats.stats.depth[2]).toBe(16);
    expect(stats.stats.channels[3]).toBe(4);
    expect(stats.channels!.row.length).toBe(1 + 1 + 1 + 4);
    expect(stats.hashes.phash![3]).toMatch(/^[0-9a-f]{16}$/);
    expect(stats.hashes.phash![1]).toBe("");
    const report = await pipeline(ds).use(imageStats({ perChannel: true })).use(outliers({ perChannel: true })).run();
    expect(report.status).toBe("ok");
    noNaN(report);
  });

  it("zero-area and outside boxes become invalid_box findings, not crashes", async () => {
    const data = new Uint8Array(2 * 32 * 32).map((_, i) => (i * 7) % 256);
    const ds = createDataset({
      images: { data, shape: [2, 32, 32] },
      boxes: [
        [
          { x: 2, y: 2, width: 10, height: 10, label: 0 },
          { x: 5, y: 5, width: 0, height: 4, label: 0 },
        ],
        [{ x: 40, y: 40, width: 8, height: 8, label: 1 }],
      ],
    });
    const report = await pipeline(ds).use(imageStats()).use(outliers({ level: "both" })).run();
    expect(report.status).toBe("ok");
    const invalid = report.findings.filter((f) => f.type === "invalid_box");
    expect(invalid.map((f) => [f.indices[0], f.data!.target])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    noNaN(report);
  });

  it("an unreadable image among good ones is a finding", async () => {
    const good: RasterImage = { width: 12, height: 12, channels: 3, bitDepth: 8, data: new Uint8Array(432).map((_, i) => i % 251) };
    const ds = createDataset({
      size: 5,
      images: async (i) => {
        if (i === 2) throw new AssayError("IO_ERROR", "cannot decode broken.png: bad header", { details: { file: "broken.png" } });
        return good;
      },
    });
    const report = await pipeline(ds).use(imageStats()).use(outliers()).run();
    expect(report.status).toBe("ok");
    const f = report.findings.filter((x) => x.type === "unreadable_image");
    expect(f).toHaveLength(1);
    expect(f[0]!.indices).toEqual([2]);
    expect(f[0]!.message).toContain("broken.png");
    expect(report.nodes.find((n) => n.name === "image-stats")!.warnings![0]).toMatch(/1 of 5 images could not be read/);
    noNaN(report);
  });

  it("file bytes are hashed when the dataset has them", async () => {
    const ds = createDataset({
      images: { data: new Uint8Array(2 * 9 * 9), shape: [2, 9, 9] },
      imageBytes: async (i) => Uint8Array.from([1, 2, 3, i === 0 ? 4 : 4]),
    });
    const stats = await computeImageStats(ctxOf(ds), { perChannel: false, perBox: true, normalize: true, hashes: "basic", histogram: true, fileHash: true });
    expect(stats.hashes.file![0]).toBe(stats.hashes.file![1]);
    expect(stats.hashes.file![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(stats.histogram!.length).toBe(2 * 256);
  });
});
