import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDataset } from "@assay/core";
import { describe, expect, it } from "vitest";

// Worker threads load dist/stats-worker.js, so this test runs against the built package (turbo builds
// a package before its tests).
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const built = existsSync(dist) && existsSync(fileURLToPath(new URL("../dist/stats-worker.js", import.meta.url)));

describe("worker threads", () => {
  it.skipIf(!built)("give exactly the main-thread artifact", async () => {
    const { computeImageStats } = (await import(dist)) as typeof import("./index.js");
    const n = 40;
    const data = new Uint8Array(n * 20 * 24 * 3).map((_, i) => (i * 2654435761) >>> 24);
    const ds = createDataset({ images: { data, shape: [n, 20, 24, 3] } });
    const ctx = { dataset: ds, signal: new AbortController().signal, concurrency: 4, progress: () => {}, warn: () => {} };
    const base = { perChannel: true, perBox: true, normalize: true, hashes: "all" as const, histogram: true, fileHash: true };
    const main = await computeImageStats(ctx, { ...base, workers: 0 });
    const threaded = await computeImageStats(ctx, { ...base, workers: 2 });
    expect(main.options.workers).toBe(0);
    expect(threaded.options.workers).toBe(2);
    expect({ ...threaded, options: null }).toEqual({ ...main, options: null });
  });
});
