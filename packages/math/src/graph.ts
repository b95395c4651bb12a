import type { KnnGraph } from "@assay/core";
import { invalidInput } from "./errors.js";

/**
 * Disjoint sets over `0..n−1` with union by size and path halving (near-constant amortised time).
 * Deterministic: the representative of a merged set is the root of the larger set, the lower root on
 * equal sizes.
 */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly sizes: Int32Array;
  private components: number;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 0) throw invalidInput("UnionFind", `n must be a non-negative integer, got ${n}`);
    this.parent = new Int32Array(n);
    this.sizes = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.components = n;
  }

  private check(x: number): void {
    if (!Number.isInteger(x) || x < 0 || x >= this.n) throw invalidInput("UnionFind", `element ${x} is out of range [0, ${this.n})`);
  }

  /** Representative of the set holding `x`. */
  find(x: number): number {
    this.check(x);
    const p = this.parent;
    while (p[x] !== x) {
      const gp = p[p[x]!]!;
      p[x] = gp;
      x = gp;
    }
    return x;
  }

  /** Merge the sets of `a` and `b`; returns false when they were already one set. */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    const sa = this.sizes[ra]!;
    const sb = this.sizes[rb]!;
    if (sa < sb || (sa === sb && rb < ra)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.sizes[ra] = sa + sb;
    this.components--;
    return true;
  }

  /** Whether `a` and `b` are in the same set. */
  connected(a: number, b: number): boolean {
    return this.find(a) === this.find(b);
  }

  /** Size of the set holding `x`. */
  size(x: number): number {
    return this.sizes[this.find(x)]!;
  }

  /** Number of disjoint sets. */
  get count(): number {
    return this.components;
  }

  /** Component id of every element, numbered 0, 1, … in order of each component's smallest member. */
  labels(): Int32Array {
    const out = new Int32Array(this.n).fill(-1);
    const idOfRoot = new Int32Array(this.n).fill(-1);
    let next = 0;
    for (let i = 0; i < this.n; i++) {
      const r = this.find(i);
      if (idOfRoot[r] === -1) idOfRoot[r] = next++;
      out[i] = idOfRoot[r]!;
    }
    return out;
  }

  /** The sets, each sorted ascending, ordered by their smallest member. */
  groups(): Int32Array[] {
    const labels = this.labels();
    const counts = new Int32Array(this.components);
    for (let i = 0; i < this.n; i++) counts[labels[i]!]!++;
    const out = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(this.components);
    for (let i = 0; i < this.n; i++) {
      const g = labels[i]!;
      out[g]![fill[g]!++] = i;
    }
    return out;
  }
}

/** Edges of a minimum spanning tree (or forest), `from < to`, in ascending weight order. */
export interface SpanningTree {
  from: Int32Array;
  to: Int32Array;
  weight: Float32Array;
}

/** A dense symmetric n×n distance matrix (row-major). Non-finite entries mean "no edge". */
export interface DenseDistances {
  n: number;
  distances: Float32Array;
}

function isKnnGraph(g: KnnGraph | DenseDistances): g is KnnGraph {
  return (g as KnnGraph).indices !== undefined;
}

/**
 * Minimum spanning tree by Kruskal's algorithm over the undirected edges of a kNN graph, or over a
 * dense distance matrix (Prim's algorithm, O(n²)). A disconnected graph yields a spanning forest
 * (n − components edges). Ties are broken by the lower `(from, to)` pair, so the result is
 * deterministic. Edges are returned with `from < to`, sorted by `(weight, from, to)`.
 *
 * @throws AssayError `INVALID_INPUT` on mismatched array lengths or out-of-range neighbour indices.
 */
export function minimumSpanningTree(graph: KnnGraph | DenseDistances): SpanningTree {
  return isKnnGraph(graph) ? kruskalKnn(graph) : primDense(graph);
}

function kruskalKnn(g: KnnGraph): SpanningTree {
  const { rows: n, k, indices, distances } = g;
  if (indices.length !== n * k || distances.length !== n * k) {
    throw invalidInput("minimumSpanningTree", `kNN graph arrays must hold rows×k = ${n * k} entries, got ${indices.length} indices and ${distances.length} distances`);
  }
  const m = n * k;
  const ea = new Int32Array(m);
  const eb = new Int32Array(m);
  const ew = new Float64Array(m);
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const j = indices[i * k + c]!;
      if (j < 0) continue; // padding for missing neighbours
      if (j >= n) throw invalidInput("minimumSpanningTree", `neighbour index ${j} of row ${i} is out of range [0, ${n})`, { row: i });
      if (j === i) continue;
      const w = distances[i * k + c]!;
      if (!Number.isFinite(w)) continue;
      ea[count] = Math.min(i, j);
      eb[count] = Math.max(i, j);
      ew[count] = w;
      count++;
    }
  }
  const order = new Int32Array(count);
  for (let e = 0; e < count; e++) order[e] = e;
  order.sort((x, y) => ew[x]! - ew[y]! || ea[x]! - ea[y]! || eb[x]! - eb[y]!);
  const uf = new UnionFind(n);
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  for (let t = 0; t < count && from.length < n - 1; t++) {
    const e = order[t]!;
    if (uf.union(ea[e]!, eb[e]!)) {
      from.push(ea[e]!);
      to.push(eb[e]!);
      weight.push(ew[e]!);
    }
  }
  return { from: Int32Array.from(from), to: Int32Array.from(to), weight: Float32Array.from(weight) };
}

function primDense(g: DenseDistances): SpanningTree {
  const { n, distances } = g;
  if (!Number.isInteger(n) || n < 0 || distances.length !== n * n) {
    throw invalidInput("minimumSpanningTree", `dense distances must hold n×n = ${n * n} entries, got ${distances.length}`);
  }
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  for (let start = 0; start < n; start++) {
    if (inTree[start]) continue;
    // Grow one tree of the forest from the lowest unvisited vertex.
    best[start] = 0;
    parent[start] = -1;
    for (;;) {
      let u = -1;
      let bu = Infinity;
      for (let v = 0; v < n; v++) {
        if (!inTree[v] && best[v]! < bu) {
          bu = best[v]!;
          u = v;
        }
      }
      if (u === -1) break;
      inTree[u] = 1;
      const p = parent[u]!;
      if (p >= 0) {
        from.push(Math.min(p, u));
        to.push(Math.max(p, u));
        weight.push(distances[p * n + u]!);
      }
      for (let v = 0; v < n; v++) {
        if (inTree[v]) continue;
        const w = distances[u * n + v]!;
        if (!Number.isFinite(w)) continue;
        if (w < best[v]! || (w === best[v]! && u < parent[v]!)) {
          best[v] = w;
          parent[v] = u;
        }
      }
    }
  }
  const order = from.map((_, i) => i).sort((x, y) => weight[x]! - weight[y]! || from[x]! - from[y]! || to[x]! - to[y]!);
  return {
    from: Int32Array.from(order, (i) => from[i]!),
    to: Int32Array.from(order, (i) => to[i]!),
    weight: Float32Array.from(order, (i) => weight[i]!),
  };
}
