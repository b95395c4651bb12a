import { describe, expect, it } from "vitest";
import type { KnnGraph } from "@assay/core";
import { minimumSpanningTree, UnionFind } from "./graph.js";
import { caught } from "./test-helpers.js";

describe("UnionFind", () => {
  it("merges, finds and lists groups deterministically", () => {
    const uf = new UnionFind(7);
    expect(uf.union(0, 3)).toBe(true);
    expect(uf.union(3, 0)).toBe(false);
    uf.union(5, 6);
    uf.union(6, 3);
    expect(uf.count).toBe(4);
    expect(uf.connected(0, 5)).toBe(true);
    expect(uf.connected(1, 2)).toBe(false);
    expect(uf.size(6)).toBe(4);
    expect(uf.groups().map((g) => Array.from(g))).toEqual([[0, 3, 5, 6], [1], [2], [4]]);
    expect(Array.from(uf.labels())).toEqual([0, 1, 2, 0, 3, 0, 0]);
  });
  it("rejects out-of-range elements", async () => {
    expect((await caught(() => new UnionFind(3).find(3))).code).toBe("INVALID_INPUT");
  });
});

describe("minimumSpanningTree", () => {
  // Points on a line: 0, 1, 3, 7, and 20, 21 (two clusters when k = 1).
  const pos = [0, 1, 3, 7, 20, 21];
  const n = pos.length;
  const dense = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dense[i * n + j] = Math.abs(pos[i]! - pos[j]!);

  it("dense: Prim gives the chain with total weight 21", () => {
    const t = minimumSpanningTree({ n, distances: dense });
    expect(Array.from(t.from)).toEqual([0, 4, 1, 2, 3]);
    expect(Array.from(t.to)).toEqual([1, 5, 2, 3, 4]);
    expect(Array.from(t.weight)).toEqual([1, 1, 2, 4, 13]);
  });

  it("kNN graph: Kruskal; a disconnected graph yields a forest", () => {
    const k = 1;
    const indices = Int32Array.from([1, 0, 1, 2, 5, 4]);
    const distances = Float32Array.from([1, 1, 2, 4, 1, 1]);
    const g: KnnGraph = { rows: n, k, metric: "euclidean", indices, distances, includesSelf: false, method: "exact" };
    const t = minimumSpanningTree(g);
    expect(Array.from(t.from)).toEqual([0, 4, 1, 2]);
    expect(Array.from(t.to)).toEqual([1, 5, 2, 3]);
    expect(Array.from(t.weight)).toEqual([1, 1, 2, 4]);
  });

  it("dense with no edges between groups (Infinity) is a forest", () => {
    const d = dense.slice();
    for (let i = 0; i < 4; i++) for (let j = 4; j < 6; j++) d[i * n + j] = d[j * n + i] = Infinity;
    expect(minimumSpanningTree({ n, distances: d }).from.length).toBe(4);
  });

  it("rejects malformed graphs", async () => {
    expect((await caught(() => minimumSpanningTree({ n: 3, distances: new Float32Array(4) }))).code).toBe("INVALID_INPUT");
    const bad: KnnGraph = { rows: 2, k: 1, metric: "euclidean", indices: Int32Array.from([1, 9]), distances: Float32Array.from([1, 1]), includesSelf: false, method: "exact" };
    expect((await caught(() => minimumSpanningTree(bad))).message).toContain("row 1");
  });
});
