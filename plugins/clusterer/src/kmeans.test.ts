import { AssayError, artifacts, createDataset, pipeline } from "@assay/core";
import { createRng } from "@assay/math";
import { describe, expect, it } from "vitest";
import { clusterer } from "./clusterer.js";
import { cluster } from "./hdbscan.js";
import { C1, C2, mat } from "./test-helpers.js";

describe("kmeans mode (clusterer.md §2.7)", () => {
  it("separates C1 into A, B and the far point with nClusters = 3; labels numbered by smallest member", async () => {
    const res = await cluster(C1(), { algorithm: "kmeans", nClusters: 3 });
    expect(res.algorithm).toBe("kmeans");
    expect(res.clusters).toBe(3);
    expect(Array.from(res.labels)).toEqual([...new Array(10).fill(0), ...new Array(10).fill(1), 2]);
    // the MST is computed as in hdbscan mode
    const h = await cluster(C1());
    expect(Array.from(res.mst.weight)).toEqual(Array.from(h.mst.weight));
    // membership 1 − d / max d with d the distance to the own centre
    const x = C1();
    const centre = (rows: number[]) => [0, 1].map((j) => rows.reduce((s, r) => s + x.data[r * 2 + j]!, 0) / rows.length);
    const cA = centre([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const cB = centre([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const d = Array.from({ length: 21 }, (_, i) => {
      const c = i < 10 ? cA : i < 20 ? cB : [60, 40];
      return Math.hypot(x.data[i * 2]! - c[0]!, x.data[i * 2 + 1]! - c[1]!);
    });
    const maxD = Math.max(...d);
    for (let i = 0; i < 21; i++) expect(res.membership[i]).toBeCloseTo(1 - d[i]! / maxD, 5);
    expect(res.membership[20]).toBe(1);
    expect(Math.min(...res.membership)).toBeCloseTo(0, 6);
  });

  it("k defaults to ⌊√N⌋ and is deterministic for a seed", async () => {
    const a = await cluster(C1(), { algorithm: "kmeans" });
    expect(a.clusters).toBe(4);
    expect(new Set(a.labels).size).toBe(4);
    const b = await cluster(C1(), { algorithm: "kmeans" });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect((await cluster(mat([[0], [1]]), { algorithm: "kmeans" })).clusters).toBe(1);
  });

  it("k ≥ N is an error", async () => {
    await expect(cluster(C1(), { algorithm: "kmeans", nClusters: 21 })).rejects.toThrow("nClusters (21) must be smaller than the number of samples (21)");
    await expect(cluster(C1(), { algorithm: "kmeans", nClusters: 30 })).rejects.toBeInstanceOf(AssayError);
    await expect(cluster(mat([[1]]), { algorithm: "kmeans" })).rejects.toThrow("Data should have at least 2 samples; got 1");
  });

  it("recovers well-separated blobs for any seed", async () => {
    const rng = createRng(9);
    const rows: number[][] = [];
    const truth: number[] = [];
    const centres = [[0, 0, 0], [25, 0, 0], [0, 25, 0], [0, 0, 25]];
    centres.forEach((c, k) => {
      for (let i = 0; i < 60; i++) {
        rows.push(c.map((v) => v + rng.normal()));
        truth.push(k);
      }
    });
    for (const seed of [0, 1, 2, 3]) {
      const res = await cluster(mat(rows), { algorithm: "kmeans", nClusters: 4, seed });
      // blobs are listed in order, so numbering by smallest member reproduces the blob index
      expect(Array.from(res.labels)).toEqual(truth);
    }
  });

  it("identical points give finite labels and membership 1", async () => {
    const res = await cluster(mat(new Array(6).fill([1, 1])), { algorithm: "kmeans", nClusters: 2 });
    expect(Array.from(res.membership)).toEqual(new Array(6).fill(1));
    for (const l of res.labels) expect(l === 0 || l === 1).toBe(true);
  });

});

describe("detector: kmeans and legacy modes", () => {
  it("kmeans mode reports the C2 near pair as a cluster duplicate", async () => {
    const x = C2();
    const report = await pipeline(createDataset({ size: x.rows })).use(clusterer({ algorithm: "kmeans", nClusters: 3 })).provide(artifacts.embeddings, x).run();
    expect(report.status).toBe("ok");
    expect(report.findings.map((f) => [f.type, f.indices])).toEqual([["cluster_duplicate", [0, 21]]]);
    expect(report.results.clusterer!.summary).toMatchObject({ algorithm: "kmeans", clusters: 3, noise: 0 });
  });

  it("legacy mode gives the seed Clusterer's C1 output as findings", async () => {
    const x = C1();
    const report = await pipeline(createDataset({ size: x.rows })).use(clusterer({ algorithm: "legacy" })).provide(artifacts.embeddings, x).run();
    expect(report.status).toBe("ok");
    expect(report.findings.map((f) => [f.type, f.indices])).toEqual([
      ["cluster_outlier", [20]],
      ["potential_outlier", [5]],
      ["potential_outlier", [8]],
    ]);
    const result = report.results.clusterer!.result as { algorithm: string; outliers: number[]; potentialOutliers: number[] };
    expect(result.algorithm).toBe("legacy");
    expect(result.potentialOutliers).toEqual([5, 8]);
    expect(report.results.clusterer!.summary).toMatchObject({ algorithm: "legacy", outliers: 1, potential_outliers: 2, duplicate_groups: 0, potential_duplicate_groups: 0 });
  });

  it("legacy mode reports identical points as duplicates (C4)", async () => {
    const x = mat(new Array(6).fill([1, 1]));
    const report = await pipeline(createDataset({ size: 6 })).use(clusterer({ algorithm: "legacy" })).provide(artifacts.embeddings, x).run();
    expect(report.findings.map((f) => [f.type, f.indices])).toEqual([["cluster_duplicate", [0, 1, 2, 3, 4, 5]]]);
  });

  it("legacy mode refuses more rows than legacyMaxSamples", async () => {
    const x = mat(Array.from({ length: 12 }, (_, i) => [i * i]));
    const report = await pipeline(createDataset({ size: 12 })).use(clusterer({ algorithm: "legacy", legacyMaxSamples: 10 })).provide(artifacts.embeddings, x).run();
    expect(report.status).toBe("partial");
    const node = report.nodes.find((n) => n.name === "clusterer")!;
    expect(node.status).toBe("error");
    expect(node.error?.code).toBe("INVALID_INPUT");
    expect(node.error?.message).toMatch(/12 samples exceed the legacy mode's limit of 10/);
  });
});
