import { AssayError, artifacts, createDataset, pipeline } from "@assay/core";
import { describe, expect, it } from "vitest";
import { clusterDuplicates, clusterOutliers } from "./cluster-findings.js";
import { clusterer } from "./clusterer.js";
import { cluster } from "./hdbscan.js";
import { plugin } from "./index.js";
import { C1, C2, mat } from "./test-helpers.js";

const close = (a: number, b: number, tol = 1e-5) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);

describe("clusterer (clusterer.md test cases)", () => {
  it("C1 — two groups and a far point", async () => {
    const x = C1();
    const res = await cluster(x);
    expect(res.minClusterSize).toBe(5);
    expect(res.exactMst).toBe(true);
    const n = res.mst.weight.length;
    expect([res.mst.from[n - 1], res.mst.to[n - 1]].sort((a, b) => a! - b!)).toEqual([19, 20]);
    close(res.mst.weight[n - 1]!, 51.6535, 1e-4);
    expect([res.mst.from[n - 2], res.mst.to[n - 2]].sort((a, b) => a! - b!)).toEqual([9, 10]);
    close(res.mst.weight[n - 2]!, 15.8938, 1e-4);
    close(res.mst.weight[0]!, 0.7024, 1e-4);
    expect(Array.from(res.labels)).toEqual([...new Array(10).fill(1), ...new Array(10).fill(0), -1]);
    const m = res.membership;
    for (const i of [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 16, 17, 18]) close(m[i]!, 1, 1e-6);
    close(m[5]!, 0.960269);
    for (const i of [6, 7, 8]) close(m[i]!, 0.986812);
    close(m[14]!, 0.960171);
    close(m[19]!, 0.960171);
    close(m[15]!, 0.986191);
    expect(m[20]).toBe(0);
    const { outliers, stats } = clusterOutliers(x, res.labels);
    expect(stats.assigned[20]).toBe(0);
    close(stats.distance[20]!, 53.6464, 1e-4);
    close(stats.mean[0]!, 6.203056);
    close(stats.std[0]!, 15.015635);
    close(stats.mean[1]!, 1.453702);
    close(stats.std[1]!, 0.644818);
    expect(outliers.map((o) => o.index)).toEqual([20]);
    close(outliers[0]!.score, 3.159597);
    close(outliers[0]!.threshold, 43.742145, 1e-4);
    for (const s of [0.5, 1, 2]) expect(clusterDuplicates(res.labels, res.mst, s)).toEqual([]);
  });

  it("C2 — C1 plus a near duplicate", async () => {
    const x = C2();
    const res = await cluster(x);
    close(res.mst.weight[0]!, 0.0112, 1e-4);
    expect([res.mst.from[0], res.mst.to[0]].sort((a, b) => a! - b!)).toEqual([0, 21]);
    expect(Array.from(res.labels)).toEqual([...new Array(10).fill(1), ...new Array(10).fill(0), -1, 1]);
    const { outliers, stats } = clusterOutliers(x, res.labels);
    close(stats.mean[1]!, 1.531103);
    close(stats.std[1]!, 0.63887);
    expect(outliers.map((o) => o.index)).toEqual([20]);
    close(outliers[0]!.score, 3.159597);
    // D8 — cluster duplicates at sensitivities 0.5, 1 and 2
    for (const s of [0.5, 1, 2]) expect(clusterDuplicates(res.labels, res.mst, s)).toEqual([[0, 21]]);
  });

  it("C3 — a 1-D chain with a far point: one cluster tree-less labelling", async () => {
    const res = await cluster(mat([[0], [1], [2], [3], [10]]));
    expect(Array.from(res.labels)).toEqual([0, 0, 0, 0, 0]);
  });

  it("C4 — identical points", async () => {
    const res = await cluster(mat(new Array(6).fill([1, 1])));
    expect(Array.from(res.labels)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(res.membership)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(clusterDuplicates(res.labels, res.mst, 1)).toEqual([]);
    const twenty = await cluster(mat(new Array(20).fill([1, 1])));
    expect(Array.from(twenty.labels)).toEqual(new Array(20).fill(0));
  });

  it("C5 — minimum input and errors", async () => {
    expect(Array.from((await cluster(mat([[0], [1]]))).labels)).toEqual([0, 0]);
    await expect(cluster(mat([[1]]))).rejects.toThrow("Data should have at least 2 samples; got 1");
    await expect(cluster({ rows: 2, cols: 0, data: new Float32Array(0) })).rejects.toThrow("Samples should have at least 1 feature; got 0");
    await expect(cluster(mat([[0], [Number.NaN]]))).rejects.toBeInstanceOf(AssayError);
  });

  it("C6 — parameters", async () => {
    const expected = [...new Array(10).fill(1), ...new Array(10).fill(0), -1];
    expect(Array.from((await cluster(C1(), { nClusters: 2 })).labels)).toEqual(expected);
    for (const max of [6, 9]) expect(Array.from((await cluster(C1(), { maxClusterSize: max })).labels)).toEqual(new Array(21).fill(0));
    const warnings: string[] = [];
    expect(Array.from((await cluster(C1(), { maxClusterSize: 5, warn: (w) => warnings.push(w) })).labels)).toEqual(expected);
    expect(warnings[0]).toMatch(/maxClusterSize 5/);
    const nine = mat([[0, 0], [1, 0], [0, 1], [1, 1], [10, 10], [11, 10], [10, 11], [11, 11], [50, 50]]);
    expect(Array.from((await cluster(nine)).labels)).toEqual(new Array(9).fill(0));
  });

  it("C7 — clusters of 7 points can never flag at 2.5; 8 can (the population-std z rule)", () => {
    // direct check of the z rule on the distance lists
    const z = (ds: number[]) => {
      const m = ds.reduce((a, b) => a + b, 0) / ds.length;
      const s = Math.sqrt(ds.reduce((a, b) => a + (b - m) ** 2, 0) / ds.length);
      return { m, s, z: (ds[ds.length - 1]! - m) / s };
    };
    const a = z([1, 1, 1, 1, 1, 1, 10]);
    close(a.m, 2.285714);
    close(a.s, 3.149344);
    expect(a.z).toBeLessThan(2.5);
    expect(z([1, 1, 1, 1, 1, 1, 1, 10]).z).toBeGreaterThan(2.5);
    close(z([1, 1, 1, 1, 1, 1, 1, 10]).z, 2.6458, 1e-4);
  });
});

describe("detector", () => {
  it("reports the far point as a cluster outlier and the near pair as cluster duplicates", async () => {
    const x = C2();
    const ds = createDataset({ size: x.rows });
    const report = await pipeline(ds).use(clusterer()).provide(artifacts.embeddings, x).run();
    expect(report.status).toBe("ok");
    const types = report.findings.map((f) => [f.type, f.indices]);
    expect(types).toEqual([
      ["cluster_outlier", [20]],
      ["cluster_duplicate", [0, 21]],
    ]);
    expect(report.results.clusterer!.summary).toMatchObject({ clusters: 2, noise: 1, outliers: 1, duplicate_groups: 1, exact_mst: true });
  });

  it("exports the plugin", () => {
    expect(plugin.detectors.map((d) => d.nodeName)).toEqual(["clusterer"]);
  });
});

describe("scalability path (kNN graph + bridging)", () => {
  it("the kNN-approximated MST gives the same partition as the exact one on separated blobs", async () => {
    const { createRng } = await import("@assay/math");
    const rng = createRng(7);
    const rows: number[][] = [];
    const centres = [
      [0, 0, 0],
      [30, 0, 5],
      [0, 40, -10],
    ];
    for (const c of centres) for (let i = 0; i < 100; i++) rows.push(c.map((v) => v + rng.normal()));
    const x = mat(rows);
    const approx = await cluster(x);
    const exact = await cluster(x, { k: x.rows - 1 });
    expect(approx.exactMst).toBe(false);
    expect(exact.exactMst).toBe(true);
    expect(approx.clusters).toBe(3);
    // same partition (label numbers may differ): pairs agree
    const same = (l: Int32Array, i: number, j: number) => l[i] === l[j];
    for (let i = 0; i < x.rows; i += 7) for (let j = 0; j < x.rows; j += 11) expect(same(approx.labels, i, j)).toBe(same(exact.labels, i, j));
    // a spanning tree; bridging edges may be longer than the true MST's (spec §2.2), never shorter
    const total = (w: Float32Array) => w.reduce((a, b) => a + b, 0);
    expect(approx.mst.weight.length).toBe(x.rows - 1);
    expect(total(approx.mst.weight)).toBeGreaterThanOrEqual(total(exact.mst.weight) - 1e-3);
    // within-blob edges (all but the two bridges) are the exact MST's
    expect(Array.from(approx.mst.weight.subarray(0, x.rows - 3))).toEqual(Array.from(exact.mst.weight.subarray(0, x.rows - 3)));
  });
});
