import { describe, expect, it } from "vitest";
import { knn, knnQuery } from "./knn.js";
import { caught, uniformMatrix } from "./test-helpers.js";

function recall(approx: Int32Array, exact: Int32Array, n: number, k: number): number {
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const truth = new Set(exact.subarray(i * k, (i + 1) * k));
    for (let c = 0; c < k; c++) if (truth.has(approx[i * k + c]!)) hit++;
  }
  return hit / (n * k);
}

describe("HNSW kNN (hnswlib-node)", () => {
  const X = uniformMatrix(9, 3000, 24);
  it("recall@10 ≥ 0.99 against exact search, euclidean and cosine", async () => {
    for (const metric of ["euclidean", "cosine"] as const) {
      const exact = await knn(X, { k: 10, metric, method: "exact" });
      const approx = await knn(X, { k: 10, metric, method: "hnsw", hnsw: { seed: 1 } });
      expect(approx.method).toBe("hnsw");
      const r = recall(approx.indices, exact.indices, 3000, 10);
      expect(r).toBeGreaterThanOrEqual(0.99);
      // rerank gives exact distances: every row's found distances are ≥ the true ones rank by rank
      let below = 0;
      for (let t = 0; t < 3000 * 10; t++) if (approx.distances[t]! + 1e-6 < exact.distances[t]!) below++;
      expect(below).toBe(0);
      // never returns self
      let self = 0;
      for (let i = 0; i < 3000; i++) if (approx.indices.subarray(i * 10, i * 10 + 10).includes(i)) self++;
      expect(self).toBe(0);
    }
  });
  it("without rerank returns hnswlib's own distances (sqrt of squared L2)", async () => {
    const small = uniformMatrix(10, 400, 8);
    const exact = await knn(small, { k: 5, method: "exact" });
    const approx = await knn(small, { k: 5, method: "hnsw", rerank: false });
    expect(recall(approx.indices, exact.indices, 400, 5)).toBeGreaterThanOrEqual(0.99);
    let worst = 0;
    for (let t = 0; t < 400 * 5; t++) {
      if (approx.indices[t] === exact.indices[t]) worst = Math.max(worst, Math.abs(approx.distances[t]! - exact.distances[t]!));
    }
    expect(worst).toBeLessThan(1e-5);
  });
  it("knnQuery with hnsw and progress reporting", async () => {
    const q = uniformMatrix(11, 50, 24);
    const seen: number[] = [];
    const exact = await knnQuery(X, q, { k: 5, method: "exact" });
    const approx = await knnQuery(X, q, { k: 5, method: "hnsw", onProgress: (d, t) => seen.push(d / t) });
    expect(recall(approx.indices, exact.indices, 50, 5)).toBeGreaterThanOrEqual(0.99);
    expect(seen.at(-1)).toBe(1);
  });
  it("rejects bad HNSW parameters", async () => {
    expect((await caught(() => knn(X, { k: 3, method: "hnsw", hnsw: { M: 1 } }))).code).toBe("INVALID_OPTION");
  });
});
