// The conflicting-duplicates check reading the duplicates lens' `duplicates.groups` artifact (computed once
// by @assay/duplicates' duplicate-groups extractor), and its kNN fallback without it.
import { artifacts, createDataset, createRegistry, type KnnGraph, pipeline, type RasterImage } from "@assay/core";
import { duplicateGroups, duplicates, plugin as duplicatesPlugin } from "@assay/duplicates";
import { type ChwImage, imageStats, mapImage, mirror, specImageQ, specImageS, toHwc } from "@assay/linter";
import { describe, expect, it } from "vitest";
import type { ConflictResult } from "./detectors.js";
import { normaliseGroups, plugin } from "./index.js";

const raster = (img: ChwImage): RasterImage => ({ width: img.width, height: img.height, channels: img.channels as 1 | 3, bitDepth: 8, data: toHwc(img) });

// 0 S, 1 exact copy of S, 2 brightened S (hash-near), 3 Q, 4 mirrored Q (embedding-near only), 5 an unrelated image
function images(): RasterImage[] {
  const S = specImageS();
  const Q = specImageQ();
  return [S, mapImage(S, (v) => v), mapImage(S, (v) => v + 20), Q, mirror(Q), mapImage(Q, (v, _c, y, x) => (v * 7 + 31 * y + 17 * x) % 256)].map(raster);
}

// rows 3 and 4 are 0.05 apart; every other nearest neighbour is ≥ 0.8 away
const knn: KnnGraph = {
  rows: 6,
  k: 1,
  metric: "euclidean",
  indices: Int32Array.from([1, 0, 0, 4, 3, 2]),
  distances: Float32Array.from([0.8, 0.8, 0.9, 0.05, 0.05, 1]),
  includesSelf: false,
  method: "exact",
};
// labels: the exact pair agrees on paper but row 2 (near copy of 0 and 1) says "dog"; 3 / 4 disagree
const labels = [0, 0, 1, 0, 1, 1];
const P = { rows: 6, cols: 2, data: Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.45, 0.55, 0.2, 0.8]) };

function dataset() {
  const imgs = images();
  return createDataset({ name: "dups", labels, classes: ["cat", "dog"], images: async (i) => imgs[i]! });
}

describe("conflicting-duplicates on the duplicates lens' groups", () => {
  it("reads duplicates.groups (exact, near and embedding groups) computed once for both lenses", async () => {
    const registry = createRegistry().use(plugin).use(duplicatesPlugin);
    const report = await pipeline(dataset(), { registry })
      .use(imageStats(), duplicateGroups({ embeddingDistance: 0.1 }), duplicates(), registry.factory("conflicting-duplicates")!())
      .provide(artifacts.knn, knn)
      .provide(artifacts.predProbs, P)
      .run();
    expect(report.status).toBe("ok");
    expect(report.nodes.filter((n) => n.name === "duplicate-groups")).toHaveLength(1);
    expect((report.results.duplicates!.result as { source: string }).source).toBe("duplicates.groups");
    const r = report.results["conflicting-duplicates"]!.result as ConflictResult;
    expect(r.source).toBe("duplicates.groups");
    expect(r.kinds).toEqual({ exact: 1, near: 1, embedding: 1 });
    // exact [0,1] and near [0,1,2] union into one component; [3,4] comes from the embedding group
    expect(r.conflicts.map((c) => [c.members, c.labels, c.suggested, c.suspects])).toEqual([
      [[0, 1, 2], [0, 0, 1], 0, [2]],
      [[3, 4], [0, 1], 0, [4]],
    ]);
    expect(r.summary).toEqual({ numGroups: 2, numConflicting: 2, numExamplesInConflicts: 5, conflictRate: 1 });
  });

  it("falls back to the kNN graph when no duplicates lens runs", async () => {
    const registry = createRegistry().use(plugin);
    const report = await pipeline(dataset(), { registry })
      .use(registry.factory("conflicting-duplicates")!({ maxDistance: 0.1 }))
      .provide(artifacts.knn, knn)
      .provide(artifacts.predProbs, P)
      .run();
    const r = report.results["conflicting-duplicates"]!.result as ConflictResult;
    expect(r.source).toBe("knn");
    expect(r.kinds).toBeUndefined();
    expect(r.conflicts.map((c) => c.members)).toEqual([[3, 4]]);
  });

  it("normaliseGroups accepts lists and { size, groups } values, skips box groups, checks the size", () => {
    expect(normaliseGroups([[0, 1], { items: [2, 2, 3], level: "item", kind: "near" }, { items: [4, 5], level: "target", kind: "exact" }])).toEqual({
      groups: [[0, 1], [2, 3]],
      kinds: { list: 1, near: 1 },
    });
    expect(normaliseGroups({ size: 6, groups: [{ items: [0, 1], kind: "exact" }] }, 6).groups).toEqual([[0, 1]]);
    expect(() => normaliseGroups({ size: 5, groups: [] }, 6)).toThrow(/computed for 5 samples but the dataset has 6/);
    expect(() => normaliseGroups({ groups: 3 } as never)).toThrow(/must be a list of groups/);
  });
});
