import { describe, expect, it } from "vitest";
import { knn, knnQuery, radiusNeighbors } from "./knn.js";
import { fromRows, matrix } from "./matrix.js";
import * as ref from "./reference.fixture.js";
import { caught, expectClose, uniformMatrix } from "./test-helpers.js";

// References: sklearn NearestNeighbors(algorithm="brute") on RandomState draws (scripts/reference.py).
const X300 = uniformMatrix(42, 300, 8);
const X2500 = uniformMatrix(5, 2500, 16);

function checksum(ind: Int32Array): number {
  let s = 0;
  for (let t = 0; t < ind.length; t++) s += ind[t]! * ((t % 9973) + 1);
  return s;
}

describe("exact kNN vs scikit-learn brute force", () => {
  it("euclidean, 300×8, k=5 (main thread): identical neighbours, distances to 1e-6", async () => {
    const g = await knn(X300, { k: 5, method: "exact", workers: 0 });
    expect(g).toMatchObject({ rows: 300, k: 5, metric: "euclidean", includesSelf: false, method: "exact" });
    expect(Array.from(g.indices)).toEqual(ref.knn300EuclideanInd);
    expectClose(g.distances.subarray(0, 15), ref.knn300EuclideanDistHead, 1e-6);
  });
  it("cosine, 300×8, k=5", async () => {
    const g = await knn(X300, { k: 5, metric: "cosine", method: "exact", workers: 0 });
    expect(Array.from(g.indices)).toEqual(ref.knn300CosineInd);
    expectClose(g.distances.subarray(0, 15), ref.knn300CosineDistHead, 1e-6);
  });
  it("2500×16, k=10 on 2 worker threads equals sklearn and the main-thread result", async () => {
    const progress: number[] = [];
    const g = await knn(X2500, { k: 10, method: "exact", workers: 2, onProgress: (done) => progress.push(done) });
    expect(checksum(g.indices)).toBe(ref.knn2500Checksum);
    for (const [row, nb] of Object.entries(ref.knn2500Rows)) expect(Array.from(g.indices.subarray(+row * 10, +row * 10 + 10))).toEqual(nb);
    expectClose(g.distances.subarray(0, 10), ref.knn2500Dist0, 1e-6);
    expect(progress.at(-1)).toBe(2500);
    const inline = await knn(X2500, { k: 10, method: "exact", workers: 0 });
    expect(inline.indices).toEqual(g.indices);
    expect(inline.distances).toEqual(g.distances);
  });
  it("knnQuery finds neighbours of new points", async () => {
    const q = uniformMatrix(6, 7, 16);
    const g = await knnQuery(X2500, q, { k: 4, method: "exact" });
    expect(g.rows).toBe(7);
    expect(Array.from(g.indices)).toEqual(ref.knnqueryInd);
    expectClose(g.distances, ref.knnqueryDist, 1e-6);
  });
});

describe("exact kNN semantics", () => {
  const line = fromRows([[0], [1], [1], [1], [3], [0]]);
  it("ties go to the lower index; exact duplicates are at distance exactly 0", async () => {
    const g = await knn(line, { k: 2, workers: 0 });
    expect(Array.from(g.indices.subarray(0, 2))).toEqual([5, 1]); // 5 is a duplicate of 0; 1,2,3 tie at 1
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([0, 1]);
    expect(Array.from(g.indices.subarray(2, 4))).toEqual([2, 3]);
    expect(Array.from(g.indices.subarray(8, 10))).toEqual([1, 2]);
  });
  it("includes self when asked (self ties with duplicates by index)", async () => {
    const g = await knn(line, { k: 2, excludeSelf: false, workers: 0 });
    expect(g.includesSelf).toBe(true);
    expect(Array.from(g.indices.subarray(0, 2))).toEqual([0, 5]);
    expect(Array.from(g.indices.subarray(10, 12))).toEqual([0, 5]);
  });
  it("many duplicates (beyond the candidate margin) still give exact, index-ordered results", async () => {
    const rows: number[][] = [];
    for (let i = 0; i < 40; i++) rows.push([1, 1]);
    rows.push([0, 0]);
    const g = await knn(fromRows(rows), { k: 3, workers: 0 });
    expect(Array.from(g.indices.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(Array.from(g.indices.subarray(40 * 3, 41 * 3))).toEqual([0, 1, 2]);
    expect(g.distances[40 * 3]).toBeCloseTo(Math.SQRT2, 6);
  });
  it("cosine distance of a zero row is 1", async () => {
    const g = await knn(fromRows([[0, 0], [1, 0], [2, 0.1]]), { k: 2, metric: "cosine", workers: 0 });
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([1, 1]);
  });
  it("aborts with CANCELLED", async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await caught(() => knn(X2500, { k: 3, signal: ac.signal }))).code).toBe("CANCELLED");
    const ac2 = new AbortController();
    const p = knn(X2500, { k: 3, workers: 2, signal: ac2.signal });
    ac2.abort();
    expect((await caught(() => p)).code).toBe("CANCELLED");
  });
});

describe("exact kNN kernels agree", () => {
  // 1,037 rows (not a multiple of 8; 17 blocks of 64) with planted exact duplicates and zero rows.
  const X = uniformMatrix(9, 1037, 24);
  for (let t = 0; t < 24; t++) {
    X.data[500 * 24 + t] = X.data[3 * 24 + t]!;
    X.data[1036 * 24 + t] = X.data[3 * 24 + t]!;
    X.data[700 * 24 + t] = 0;
    X.data[701 * 24 + t] = 0;
  }
  for (const metric of ["euclidean", "cosine"] as const) {
    it(`${metric}: symmetric wasm (main thread and 2 workers) = symmetric JS = one-sided query kernel`, async () => {
      const wasm0 = await knn(X, { k: 7, metric, method: "exact", workers: 0 });
      const wasm2 = await knn(X, { k: 7, metric, method: "exact", workers: 2 });
      const js0 = await knn(X, { k: 7, metric, method: "exact", workers: 0, simd: false });
      for (const g of [wasm2, js0]) {
        expect(g.indices).toEqual(wasm0.indices);
        expect(g.distances).toEqual(wasm0.distances);
      }
      // knnQuery scans rows one-sidedly in float64; with self included it must give the same graph.
      const self0 = await knn(X, { k: 8, metric, method: "exact", workers: 0, excludeSelf: false });
      const q = await knnQuery(X, X, { k: 8, metric, method: "exact", workers: 0 });
      expect(self0.indices).toEqual(q.indices);
      expect(self0.distances).toEqual(q.distances);
    });
  }
  it("planted duplicates are found at distance 0, by index", async () => {
    const g = await knn(X, { k: 2, method: "exact", workers: 0 });
    expect(Array.from(g.indices.subarray(3 * 2, 3 * 2 + 2))).toEqual([500, 1036]);
    expect(Array.from(g.distances.subarray(3 * 2, 3 * 2 + 2))).toEqual([0, 0]);
    expect(Array.from(g.indices.subarray(1036 * 2, 1036 * 2 + 2))).toEqual([3, 500]);
    expect(g.indices[700 * 2]).toBe(701);
  });
});

describe("radiusNeighbors", () => {
  it("matches sklearn radius_neighbors (r = 0.45) and returns sorted CSR rows", () => {
    const r = radiusNeighbors(X300, 0.45);
    const counts = Array.from({ length: 300 }, (_, i) => r.offsets[i + 1]! - r.offsets[i]!);
    expect(counts).toEqual(ref.radiusCounts);
    expect(r.indices.length).toBe(ref.radiusTotal);
    for (let i = 0; i < 300; i++) {
      for (let t = r.offsets[i]! + 1; t < r.offsets[i + 1]!; t++) expect(r.distances[t]!).toBeGreaterThanOrEqual(r.distances[t - 1]!);
    }
  });
  it("includes points exactly at the radius, and self when asked", () => {
    const r = radiusNeighbors(fromRows([[0], [1], [2.5]]), 1, { excludeSelf: false });
    expect(Array.from(r.offsets)).toEqual([0, 2, 4, 5]);
    expect(Array.from(r.indices)).toEqual([0, 1, 1, 0, 2]);
  });
});

describe("bad input", () => {
  it("k ≥ n", async () => {
    const e = await caught(() => knn(matrix(3, 2, [0, 0, 1, 1, 2, 2]), { k: 3 }));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("k = 3");
  });
  it("NaN names row and column", async () => {
    const e = await caught(() => knn(fromRows([[0, 1], [Number.NaN, 1], [2, 2]]), { k: 1 }));
    expect(e.message).toContain("row 1, column 0");
  });
  it("empty matrix", async () => {
    expect((await caught(() => knn(matrix(0, 4), { k: 1 }))).message).toContain("empty");
  });
  it("dimension mismatch in knnQuery", async () => {
    const e = await caught(() => knnQuery(matrix(3, 2), matrix(1, 3), { k: 1 }));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("dimension mismatch");
  });
  it("bad options", async () => {
    expect((await caught(() => knn(X300, { k: 0 }))).code).toBe("INVALID_OPTION");
    expect((await caught(() => knn(X300, { k: 2, metric: "manhattan" as never }))).code).toBe("INVALID_OPTION");
    expect((await caught(() => radiusNeighbors(X300, -1))).code).toBe("INVALID_OPTION");
  });
});
