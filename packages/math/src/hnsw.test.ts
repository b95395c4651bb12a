import { describe, expect, it } from "vitest";
import { knn, knnQuery } from "./knn.js";
import { createRng } from "./rng.js";
import { caught, recallAt, uniformMatrix } from "./test-helpers.js";


describe("HNSW kNN (hnswlib-node)", () => {
  const X = uniformMatrix(9, 3000, 24);
  it("recall@10 ≥ 0.99 against exact search, euclidean and cosine", async () => {
    for (const metric of ["euclidean", "cosine"] as const) {
      const exact = await knn(X, { k: 10, metric, method: "exact" });
      const approx = await knn(X, { k: 10, metric, method: "hnsw", hnsw: { seed: 1 } });
      expect(approx.method).toBe("hnsw");
      const r = recallAt(approx.indices, exact.indices, 3000, 10);
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
    expect(recallAt(approx.indices, exact.indices, 400, 5)).toBeGreaterThanOrEqual(0.99);
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
    expect(recallAt(approx.indices, exact.indices, 50, 5)).toBeGreaterThanOrEqual(0.99);
    expect(seen.at(-1)).toBe(1);
  });
  it("rejects bad HNSW parameters", async () => {
    expect((await caught(() => knn(X, { k: 3, method: "hnsw", hnsw: { M: 1 } }))).code).toBe("INVALID_OPTION");
  });
  it("rejects bad sharding / projection options", async () => {
    for (const hnsw of [{ shards: 0 }, { searchDims: 0 }, { searchVariance: 1.5 }, { candidates: 0 }, { refine: -1 }]) {
      expect((await caught(() => knn(X, { k: 3, method: "hnsw", hnsw }))).code).toBe("INVALID_OPTION");
    }
  });
});

/** Low-intrinsic-dimension rows: 8-d latent → fixed random map to d columns → tanh, plus small noise. */
function latent(n: number, d: number, seed: number): { rows: number; cols: number; data: Float32Array } {
  const rng = createRng(seed);
  const L = 8;
  const W = Float64Array.from({ length: L * d }, () => rng.normal());
  const data = new Float32Array(n * d);
  const z = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) z[l] = rng.normal() + (i % 3) * 2;
    for (let j = 0; j < d; j++) {
      let a = 0;
      for (let l = 0; l < L; l++) a += z[l]! * W[l * d + j]!;
      data[i * d + j] = Math.tanh(a / 4) + 0.01 * rng.normal();
    }
  }
  return { rows: n, cols: d, data };
}

describe("HNSW at scale: PCA candidate space, shards on worker threads, refinement", () => {
  const Y = latent(3000, 64, 5);
  it("projected, 2 shards on 2 workers: recall@10 ≥ 0.99, exact distances, deterministic", async () => {
    const exact = await knn(Y, { k: 10, method: "exact" });
    const opts = { k: 10, method: "hnsw" as const, hnsw: { shards: 2, searchDims: 16, seed: 3 } };
    const a = await knn(Y, opts);
    const b = await knn(Y, opts);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
    expect(recallAt(a.indices, exact.indices, 3000, 10)).toBeGreaterThanOrEqual(0.99);
    // every returned distance is the exact distance to the returned row (float64 → float32)
    let worst = 0;
    for (let i = 0; i < 3000; i += 37) {
      for (let c = 0; c < 10; c++) {
        const j = a.indices[i * 10 + c]!;
        let s = 0;
        for (let p = 0; p < 64; p++) s += (Y.data[i * 64 + p]! - Y.data[j * 64 + p]!) ** 2;
        worst = Math.max(worst, Math.abs(Math.fround(Math.sqrt(s)) - a.distances[i * 10 + c]!));
      }
    }
    expect(worst).toBe(0);
    // the same shards in the calling thread give the same graph
    const inline = await knn(Y, { ...opts, workers: 0 });
    expect(Array.from(inline.indices)).toEqual(Array.from(a.indices));
  });
  it("refinement never lowers recall (auto projection of 64 columns); the defaults reach 0.99, euclidean and cosine", async () => {
    for (const metric of ["euclidean", "cosine"] as const) {
      const exact = await knn(Y, { k: 10, metric, method: "exact" });
      const coarse = await knn(Y, { k: 10, metric, method: "hnsw", hnsw: { efSearch: 12, M: 4, efConstruction: 16, refine: 0, searchDims: "auto" } });
      const refined = await knn(Y, { k: 10, metric, method: "hnsw", hnsw: { efSearch: 12, M: 4, efConstruction: 16, refine: 10, searchDims: "auto" } });
      const r0 = recallAt(coarse.indices, exact.indices, 3000, 10);
      const r1 = recallAt(refined.indices, exact.indices, 3000, 10);
      expect(r1).toBeGreaterThanOrEqual(r0);
      expect(r1).toBeGreaterThan(0.95);
      const def = await knn(Y, { k: 10, metric, method: "hnsw" });
      expect(recallAt(def.indices, exact.indices, 3000, 10)).toBeGreaterThanOrEqual(0.99);
    }
  });
});
