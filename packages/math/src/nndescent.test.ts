import type { Float32Matrix } from "@assay/core";
import { describe, expect, it } from "vitest";
import { kernelFloat32Array } from "./kernel-memory.js";
import { knn, knnQuery } from "./knn.js";
import { pairDistance, rowNorms } from "./matrix.js";
import { nnDescentWasm } from "./nndescent-wasm.js";
import { nnRescore, quantizeRows } from "./nndescent.js";
import { createRng } from "./rng.js";
import { caught, recallAt } from "./test-helpers.js";

interface Wasm {
  validate(b: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer };
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => void> };
}
const Wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** Rows on a low-dimensional curved manifold with clusters (like embeddings): L latent dims → d columns. */
function manifold(seed: number, n: number, d: number, L = 6, classes = 8): Float32Matrix {
  const rng = createRng(seed);
  const W = Float64Array.from({ length: L * d }, () => rng.normal());
  const C = Float64Array.from({ length: classes * L }, () => 3 * rng.normal());
  const data = new Float32Array(n * d);
  const z = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) z[l] = C[(i % classes) * L + l]! + rng.normal();
    for (let j = 0; j < d; j++) {
      let a = 0;
      for (let l = 0; l < L; l++) a += z[l]! * W[l * d + j]!;
      data[i * d + j] = Math.tanh(a / 4) + 0.01 * rng.normal();
    }
  }
  return { rows: n, cols: d, data };
}


/** Every row: distinct neighbours, never itself, distances equal to the float64 formula, (distance, index) order. */
function expectWellFormed(m: Float32Matrix, ind: Int32Array, dist: Float32Array, k: number, cosine: boolean): void {
  const norms = cosine ? rowNorms(m) : null;
  for (let i = 0; i < m.rows; i++) {
    const row = Array.from(ind.subarray(i * k, (i + 1) * k));
    expect(new Set(row).size).toBe(k);
    expect(row).not.toContain(i);
    for (let c = 0; c < k; c++) {
      const j = row[c]!;
      expect(dist[i * k + c]).toBe(Math.fround(pairDistance(m.data, i * m.cols, m.data, j * m.cols, m.cols, cosine, norms ? norms[i]! : 0, norms ? norms[j]! : 0)));
      if (c > 0) {
        const prev = dist[i * k + c - 1]!;
        expect(prev < dist[i * k + c]! || (prev === dist[i * k + c] && row[c - 1]! < j)).toBe(true);
      }
    }
  }
}

describe("NN-descent kNN graph", () => {
  it("the WebAssembly kernel scores squared euclidean distances of listed int16 rows", () => {
    const bytes = nnDescentWasm();
    expect(Wasm.validate(bytes)).toBe(true);
    const memory = new Wasm.Memory({ initial: 1, maximum: 1, shared: true });
    const j = new Wasm.Instance(new Wasm.Module(bytes), { e: { m: memory } }).exports.j!;
    const F = new Float32Array(memory.buffer);
    const I = new Int32Array(memory.buffer);
    const Q = new Int16Array(memory.buffer);
    const d8 = 16;
    const rows = [
      [1, 2, 3, 4, 5, 0, 0, 0, 0, 9],
      [16383, -16383, 2, 0, 25, 0, 7, 0, 0, -16383],
      [-16383, 16383, 3, 3, 3, -3, 0, 0, 1, 16383],
      [-2, 0, 1, 7, -1, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
    ];
    rows.forEach((r, i) => Q.set(r, i * d8));
    const order = [2, 0, 4, 1, 3, 3, 3, 3]; // five rows, padded to 8 with the last
    order.forEach((r, t) => (I[1024 + t] = r * d8 * 2));
    j(4096, 3, 8, d8 * 2, 8192);
    for (let a = 0; a < 3; a++) {
      for (let b = (a + 1) & ~3; b < 8; b++) {
        let s = 0;
        for (let p = 0; p < 10; p++) s += (rows[order[a]!]![p]! - rows[order[b]!]![p]!) ** 2;
        // Exact for small sums; float32 partial sums round large ones (relative error < 3e-7).
        if (s < 2 ** 24) expect(F[2048 + a * 8 + b]).toBe(s);
        else expect(Math.abs(F[2048 + a * 8 + b]! - s)).toBeLessThan(3e-7 * s);
      }
    }
  });

  it("exact re-scoring skips only candidates the grid bound rules out: same top-k as scoring every candidate", () => {
    const rng = createRng(11);
    const n = 400;
    const d = 12;
    const K = 16;
    const k = 6;
    // Clusters of near-duplicates (spread far below the grid step) plus one wide column: a coarse grid.
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < d; p++) data[i * d + p] = (i % 7) * 0.01 + (i % 3 === 0 ? 1e-6 : 1e-2) * rng.normal();
      data[i * d] = i % 2 === 0 ? 0 : (i % 5) * 40;
    }
    data.fill(0, 0, d); // a zero row (cosine distance 1 to every row)
    const m = { rows: n, cols: d, data };
    for (const cosine of [false, true]) {
      const norms = cosine ? rowNorms(m) : null;
      const Q = new Int16Array(n * 16);
      const step = quantizeRows(m, norms, Q, 16);
      expect(step).toBeGreaterThan(0);
      const order = Int32Array.from({ length: n }, (_, r) => (r * 37) % n);
      const hi = new Int32Array(n * K);
      const hd = new Float32Array(n * K);
      for (let r = 0; r < n; r++) {
        for (let s = 0; s < K; s++) {
          const q = (r + 1 + ((s * 13 + r) % (n - 1))) % n;
          hi[r * K + s] = s === K - 1 ? -1 : q;
          let g = 0;
          for (let p = 0; p < 16; p++) g += (Q[order[r]! * 16 + p]! - Q[order[q]! * 16 + p]!) ** 2;
          hd[r * K + s] = g;
        }
      }
      for (const includeSelf of [false, true]) {
        const R = { hi, hd, order, data, d, K, k, includeSelf, step, norms, indices: new Int32Array(n * k), distances: new Float32Array(n * k) };
        nnRescore(R, 0, n);
        for (let r = 0; r < n; r++) {
          const i = order[r]!;
          const all = Array.from(hi.subarray(r * K, r * K + K)).filter((q) => q >= 0).map((q) => order[q]!);
          if (includeSelf) all.push(i);
          const truth = all
            .map((j) => [j === i ? 0 : pairDistance(data, i * d, data, j * d, d, cosine, norms ? norms[i]! : 0, norms ? norms[j]! : 0), j] as const)
            .sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .slice(0, k);
          expect(Array.from(R.indices.subarray(i * k, i * k + k))).toEqual(truth.map((t) => t[1]));
          expect(Array.from(R.distances.subarray(i * k, i * k + k))).toEqual(truth.map((t) => Math.fround(t[0])));
        }
      }
    }
  });

  it("recall ≥ 0.99 against the exact graph, exact float64 distances, (distance, index) order", async () => {
    const m = manifold(1, 4000, 24);
    const exact = await knn(m, { k: 10, method: "exact" });
    const g = await knn(m, { k: 10, method: "nndescent" });
    expect(g).toMatchObject({ rows: 4000, k: 10, metric: "euclidean", includesSelf: false, method: "nndescent" });
    expect(recallAt(g.indices, exact.indices, 4000, 10)).toBeGreaterThanOrEqual(0.99);
    expectWellFormed(m, g.indices, g.distances, 10, false);
  });

  it("is the same graph on 0 (calling thread), 1, 2 and 3 worker threads", async () => {
    const m = manifold(2, 3000, 20);
    const base = await knn(m, { k: 8, method: "nndescent", workers: 0 });
    for (const workers of [1, 2, 3]) {
      const g = await knn(m, { k: 8, method: "nndescent", workers });
      expect(g.indices).toEqual(base.indices);
      expect(g.distances).toEqual(base.distances);
    }
    // Input on a SharedArrayBuffer: re-scored on the worker threads, same graph.
    const onShared = { ...m, data: kernelFloat32Array(m.data.length) };
    onShared.data.set(m.data);
    for (const metric of ["euclidean", "cosine"] as const) {
      const plain = await knn(m, { k: 8, metric, method: "nndescent", workers: 2 });
      const g = await knn(onShared, { k: 8, metric, method: "nndescent", workers: 2 });
      expect(g.indices).toEqual(plain.indices);
      expect(g.distances).toEqual(plain.distances);
    }
    const other = await knn(m, { k: 8, method: "nndescent", nndescent: { seed: 7 } });
    expect(recallAt(other.indices, base.indices, 3000, 8)).toBeGreaterThan(0.97);
  });

  it("cosine distances and self included", async () => {
    const m = manifold(3, 2500, 17);
    const exact = await knn(m, { k: 6, metric: "cosine", method: "exact" });
    const g = await knn(m, { k: 6, metric: "cosine", method: "nndescent", workers: 2 });
    expect(recallAt(g.indices, exact.indices, 2500, 6)).toBeGreaterThanOrEqual(0.99);
    expectWellFormed(m, g.indices, g.distances, 6, true);
    const self = await knn(m, { k: 6, method: "nndescent", excludeSelf: false });
    expect(self.includesSelf).toBe(true);
    for (let i = 0; i < 2500; i++) {
      expect(self.indices[i * 6]).toBe(i);
      expect(self.distances[i * 6]).toBe(0);
    }
  });

  it("exact duplicates: distinct neighbours, never the row itself, ties by index", async () => {
    const base = manifold(4, 300, 12);
    const data = new Float32Array(1200 * 12);
    for (let c = 0; c < 4; c++) data.set(base.data, c * base.data.length);
    const m = { rows: 1200, cols: 12, data };
    const g = await knn(m, { k: 5, method: "nndescent", workers: 2 });
    expectWellFormed(m, g.indices, g.distances, 5, false);
    // Row i has its three copies at distance 0 first (lowest index first), then its nearest other rows.
    for (const i of [0, 17, 299, 300, 1199]) {
      const copies = [0, 1, 2, 3].map((c) => (i % 300) + 300 * c).filter((j) => j !== i);
      expect(Array.from(g.indices.subarray(i * 5, i * 5 + 3))).toEqual(copies);
      expect(Array.from(g.distances.subarray(i * 5, i * 5 + 3))).toEqual([0, 0, 0]);
    }
  });

  it("auto uses NN-descent for large all-pairs graphs and HNSW for queries", async () => {
    const m = manifold(5, 30_000, 64);
    const g = await knn(m, { k: 5 });
    expect(g.method).toBe("nndescent");
    const sample = await knnQuery(m, { rows: 50, cols: 64, data: m.data.slice(0, 50 * 64) }, { k: 6, method: "exact" });
    let hit = 0;
    for (let i = 0; i < 50; i++) {
      const truth = new Set(Array.from(sample.indices.subarray(i * 6, i * 6 + 6)).filter((j) => j !== i));
      for (let c = 0; c < 5; c++) if (truth.has(g.indices[i * 5 + c]!)) hit++;
    }
    expect(hit / 250).toBeGreaterThanOrEqual(0.98);
  }, 120_000);

  it("bad options and unsupported uses are typed errors", async () => {
    const m = manifold(6, 200, 8);
    expect((await caught(() => knn(m, { k: 5, method: "nndescent", nndescent: { neighbors: 3 } }))).message).toMatch(/nndescent\.neighbors/);
    expect((await caught(() => knn(m, { k: 5, method: "nndescent", nndescent: { trees: -1 } }))).code).toBe("INVALID_OPTION");
    expect((await caught(() => knn(m, { k: 5, method: "nndescent", nndescent: { delta: Number.NaN } }))).message).toMatch(/nndescent\.delta/);
    expect((await caught(() => knnQuery(m, m, { k: 5, method: "nndescent" }))).message).toMatch(/knnQuery.*"nndescent" builds the graph of one matrix/);
    expect((await caught(() => knn(m, { k: 5, method: "nearest" as never }))).message).toMatch(/"exact", "nndescent", "hnsw" or "auto"/);
    const ac = new AbortController();
    ac.abort();
    expect((await caught(() => knn(m, { k: 5, method: "nndescent", signal: ac.signal }))).code).toBe("CANCELLED");
  });
});
