import { artifacts, createDataset, createRegistry, memoryCache, pipeline } from "@assay/core";
import { describe, expect, it } from "vitest";
import { plugin } from "./index.js";
import { correctExactDuplicates, defaultKnnMetric, exactDuplicateGroups, knnGraph } from "./knn-graph.js";
import { knn } from "./knn.js";
import { uniformMatrix } from "./test-helpers.js";

describe("exact-duplicate correction", () => {
  it("groups equal rows (−0 equals 0) and lists group members first at distance 0", async () => {
    // rows 0, 2, 5 equal; 1 and 4 equal; 3 alone
    const data = Float32Array.from([1, 1, 0, 3, 1, 1, 9, 9, 0, 3, 1, 1]);
    const X = { rows: 6, cols: 2, data };
    expect(exactDuplicateGroups(X)).toEqual([[0, 2, 5], [1, 4]]);
    expect(exactDuplicateGroups({ rows: 2, cols: 1, data: Float64Array.from([0, -0]) })).toEqual([[0, 1]]);
    const g = await knn(X, { k: 3 });
    correctExactDuplicates(g, X);
    expect(Array.from(g.indices.subarray(0, 3))).toEqual([2, 5, 1]);
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(g.indices.subarray(5 * 3, 5 * 3 + 3))).toEqual([0, 2, 1]);
    expect(g.indices[1 * 3]).toBe(4);
  });
  it("a group larger than k: the first k + 1 members list each other, the rest list the first k", async () => {
    const X = { rows: 5, cols: 1, data: Float32Array.from([7, 7, 7, 7, 0]) };
    const g = await knn(X, { k: 2 });
    correctExactDuplicates(g, X);
    expect(Array.from(g.indices)).toEqual([1, 2, 0, 2, 0, 1, 0, 1, 0, 1]);
    expect(Array.from(g.distances.subarray(0, 8))).toEqual(new Array(8).fill(0));
  });
});

describe("knn-graph extractor and plugin", () => {
  const emb = uniformMatrix(3, 40, 5);
  const dataset = createDataset({ name: "u", labels: Array.from({ length: 40 }, (_, i) => i % 2) });
  it("provides the knn artifact: Datalab defaults (k 10, cosine above 3 columns)", async () => {
    const registry = createRegistry().use(plugin);
    expect(registry.factory("knn-graph")).toBe(knnGraph);
    expect(plugin.name).toBe("@assay/math");
    const report = await pipeline(dataset, { registry }).use(knnGraph()).provide(artifacts.embeddings, emb).run();
    expect(report.status).toBe("ok");
    const node = report.nodes.find((n) => n.name === "knn-graph")!;
    expect(node.plugin).toBe("@assay/math");
    const direct = await knn(emb, { k: 10, metric: "cosine" });
    const g = await knnGraph().run({ dataset, signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: () => {} } as never, { embeddings: emb });
    expect(g.metric).toBe("cosine");
    expect(g.k).toBe(10);
    expect(g.includesSelf).toBe(false);
    expect(Array.from(g.indices)).toEqual(Array.from(direct.indices));
    expect(defaultKnnMetric(3)).toBe("euclidean");
    const e = await knnGraph({ k: 4, metric: "euclidean", correctDuplicates: false }).run(
      { dataset, signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: () => {} } as never,
      { embeddings: emb },
    );
    expect(e.metric).toBe("euclidean");
    expect(Array.from(e.indices)).toEqual(Array.from((await knn(emb, { k: 4 })).indices));
  });
  it("survives a relabel in the cache: its key leaves labels out", async () => {
    const cache = memoryCache();
    const run = (labels: number[]) =>
      pipeline(createDataset({ name: "relabel", labels, classes: ["a", "b"] }))
        .use(knnGraph({ k: 3 }))
        .provide(artifacts.embeddings, emb)
        .run({ cache });
    const labels = Array.from({ length: emb.rows }, (_, i) => i % 2);
    expect((await run(labels)).nodes[0]!.cached).toBeUndefined();
    const relabelled = labels.slice();
    relabelled[0] = 1 - relabelled[0]!;
    expect((await run(relabelled)).nodes[0]!.cached).toBe(true);
  });
  it("rejects a row-count mismatch, k ≥ rows and bad options with typed errors", async () => {
    const ctx = { dataset, signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: () => {} } as never;
    await expect(knnGraph().run(ctx, { embeddings: uniformMatrix(3, 39, 5) })).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/39 rows but dataset "u" has 40/) });
    const one = { dataset: createDataset({ labels: [0] }), signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: () => {} } as never;
    await expect(knnGraph().run(one, { embeddings: uniformMatrix(3, 1, 5) })).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/at least 2 rows/) });
    const warnings: string[] = [];
    const small = await knnGraph({ k: 40 }).run({ dataset, signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: (m: string) => warnings.push(m) } as never, { embeddings: emb });
    expect(small.k).toBe(39);
    expect(warnings).toEqual(["k = 40 needs at least 41 rows; the 40 embeddings get k = 39"]);
    expect(() => knnGraph({ k: 0 })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(() => knnGraph({ hnsw: { M: 1 } })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(() => knnGraph({ hnsw: { efSerch: 10 } as never })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
  it("passes HNSW options through to knn", async () => {
    const ctx = { dataset, signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: () => {} } as never;
    const hnsw = { M: 8, efConstruction: 40, efSearch: 20, seed: 7, shards: 2, refine: 2 };
    const g = await knnGraph({ k: 5, metric: "euclidean", method: "hnsw", correctDuplicates: false, hnsw }).run(ctx, { embeddings: emb });
    expect(g.method).toBe("hnsw");
    const direct = await knn(emb, { k: 5, method: "hnsw", hnsw });
    expect(Array.from(g.indices)).toEqual(Array.from(direct.indices));
  });
  it("passes NN-descent options through to knn", async () => {
    const ctx = { dataset, signal: new AbortController().signal, concurrency: 1, progress: () => {}, warn: () => {} } as never;
    const nndescent = { neighbors: 12, trees: 2, seed: 3 };
    const g = await knnGraph({ k: 5, metric: "euclidean", method: "nndescent", correctDuplicates: false, nndescent }).run(ctx, { embeddings: emb });
    expect(g.method).toBe("nndescent");
    const direct = await knn(emb, { k: 5, method: "nndescent", nndescent });
    expect(Array.from(g.indices)).toEqual(Array.from(direct.indices));
    expect(() => knnGraph({ nndescent: { neighbours: 10 } as never })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
});
