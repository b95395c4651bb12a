import { AssayError, type Float32Matrix, type KnnGraph } from "@assay/core";
import { kmeans, knn, knnQuery, selectRows, UnionFind } from "@assay/math";

const PLUGIN = "@assay/clusterer";

/** A spanning tree as parallel arrays, edges sorted by weight ascending. */
export interface SpanningEdges {
  from: Int32Array;
  to: Int32Array;
  /** float32 Euclidean edge lengths. */
  weight: Float32Array;
}

/** Options of {@link cluster}. */
export interface ClusterOptions {
  /**
   * `"hdbscan"` (default; DataEval HEAD's `cluster`) or `"kmeans"` (clusterer.md §2.7: k-means++ and Lloyd
   * with k = `nClusters` or ⌊√N⌋; the spanning tree is still computed for cluster duplicates).
   */
  algorithm?: "hdbscan" | "kmeans";
  /**
   * hdbscan: expected number of clusters, sets min cluster size to max(5, floor(N / (3k)));
   * kmeans: the number of clusters k (default ⌊√N⌋). Must be smaller than N.
   */
  nClusters?: number;
  /** Seed of the k-means++ sampling (kmeans only; default 0). */
  seed?: number;
  /** Largest cluster EOM may select (≤ min cluster size means unlimited). */
  maxClusterSize?: number;
  /** Neighbours per point for the MST candidate graph (default min(25, N − 1)). */
  k?: number;
  /** A precomputed Euclidean kNN graph over the same rows to take the candidate edges from. */
  knn?: KnnGraph;
  signal?: AbortSignal;
  /** Receives non-fatal notes (e.g. maxClusterSize reset). */
  warn?: (message: string) => void;
}

/** Output of {@link cluster} (clusterer.md §2). */
export interface ClusterResult {
  /** The algorithm that produced the labels. */
  algorithm: "hdbscan" | "kmeans";
  /** Cluster per point, −1 = noise. */
  labels: Int32Array;
  /** Membership strength per point in [0, 1] (0 for noise; kmeans: 1 − d / max d, d = distance to the own centre). */
  membership: Float32Array;
  /** The (approximate beyond 26 points) Euclidean MST, sorted by weight. */
  mst: SpanningEdges;
  /** Number of clusters. */
  clusters: number;
  /** Minimum cluster size used (hdbscan; 0 in kmeans mode). */
  minClusterSize: number;
  /** Whether the MST came from a complete graph (exact) or a kNN graph plus bridging (approximate). */
  exactMst: boolean;
}

function invalid(message: string): AssayError {
  return new AssayError("INVALID_INPUT", message, { plugin: PLUGIN, node: "clusterer" });
}

/** Check shape and finiteness of embeddings. */
export function checkEmbeddings(x: { rows: number; cols: number; data: ArrayLike<number> }): void {
  if (x.rows < 2) throw invalid(`Data should have at least 2 samples; got ${x.rows}`);
  if (x.cols < 1) throw invalid(`Samples should have at least 1 feature; got ${x.cols}`);
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i]!)) throw invalid(`embeddings row ${Math.floor(i / x.cols)}, column ${i % x.cols} is ${x.data[i]}`);
  }
}

function dist(x: Float32Matrix, a: number, b: number): number {
  let s = 0;
  const P = x.cols;
  for (let j = 0; j < P; j++) {
    const d = x.data[a * P + j]! - x.data[b * P + j]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * Euclidean minimum spanning tree from a kNN candidate graph (Kruskal), bridging leftover components
 * by nearest points between components (clusterer.md §2.2). Exact when k = N − 1.
 */
export async function spanningTree(x: Float32Matrix, k: number, options: { knn?: KnnGraph; signal?: AbortSignal } = {}): Promise<SpanningEdges> {
  const N = x.rows;
  const graph =
    options.knn ?? (await knn(x, { k, metric: "euclidean", excludeSelf: true, ...(options.signal ? { signal: options.signal } : {}) }));
  const kk = graph.k;
  // candidate edges in flat arrays: (ea[e], eb[e], ed[e])
  let count = 0;
  for (let i = 0; i < N * kk; i++) if (graph.indices[i]! >= 0 && graph.indices[i] !== Math.floor(i / kk)) count++;
  const ea = new Int32Array(count);
  const eb = new Int32Array(count);
  const ed = new Float32Array(count);
  let e = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < kk; j++) {
      const nb = graph.indices[i * kk + j]!;
      if (nb < 0 || nb === i) continue;
      ea[e] = i;
      eb[e] = nb;
      ed[e++] = graph.distances[i * kk + j]!;
    }
  }
  const uf = new UnionFind(N);
  const from = new Int32Array(Math.max(0, N - 1));
  const to = new Int32Array(Math.max(0, N - 1));
  const weight = new Float32Array(Math.max(0, N - 1));
  let kept = 0;
  /** Kruskal over candidates sorted by (distance, candidate order). */
  const kruskal = (a: Int32Array, b: Int32Array, d: Float32Array) => {
    const order = new Uint32Array(d.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((p, q) => d[p]! - d[q]! || p - q);
    for (const o of order) {
      if (uf.union(a[o]!, b[o]!)) {
        from[kept] = a[o]!;
        to[kept] = b[o]!;
        weight[kept++] = d[o]!;
      }
    }
  };
  kruskal(ea, eb, ed);
  while (kept < N - 1) {
    if (options.signal?.aborted) throw new AssayError("CANCELLED", "clustering was cancelled", { plugin: PLUGIN, node: "clusterer" });
    const ordered = uf.groups(); // components ordered by smallest member
    const ba = new Int32Array(N - ordered[ordered.length - 1]!.length);
    const bb = new Int32Array(ba.length);
    const bd = new Float32Array(ba.length);
    let nb = 0;
    for (let c = 0; c < ordered.length - 1; c++) {
      const queries = ordered[c]!;
      let refLen = 0;
      for (let r = c + 1; r < ordered.length; r++) refLen += ordered[r]!.length;
      const reference = new Int32Array(refLen);
      for (let r = c + 1, o = 0; r < ordered.length; r++) {
        reference.set(ordered[r]!, o);
        o += ordered[r]!.length;
      }
      if (queries.length * reference.length <= 4e6) {
        for (const p of queries) {
          let best = -1;
          let bestD = Number.POSITIVE_INFINITY;
          for (const q of reference) {
            const d = dist(x, p, q);
            if (d < bestD || (d === bestD && q < best)) {
              bestD = d;
              best = q;
            }
          }
          ba[nb] = p;
          bb[nb] = best;
          bd[nb++] = bestD;
        }
      } else {
        const g = await knnQuery(selectRows(x, reference), selectRows(x, queries), {
          k: 1,
          metric: "euclidean",
          ...(options.signal ? { signal: options.signal } : {}),
        });
        for (let qi = 0; qi < queries.length; qi++) {
          ba[nb] = queries[qi]!;
          bb[nb] = reference[g.indices[qi]!]!;
          bd[nb++] = g.distances[qi]!;
        }
      }
    }
    kruskal(ba.subarray(0, nb), bb.subarray(0, nb), bd.subarray(0, nb));
  }
  const order = new Uint32Array(kept);
  for (let i = 0; i < kept; i++) order[i] = i;
  order.sort((p, q) => weight[p]! - weight[q]! || p - q);
  return {
    from: Int32Array.from(order, (o) => from[o]!),
    to: Int32Array.from(order, (o) => to[o]!),
    weight: Float32Array.from(order, (o) => weight[o]!),
  };
}

/** Minimum cluster size rule of clusterer.md §2.1. */
export function minClusterSizeFor(n: number, nClusters?: number): number {
  if (nClusters !== undefined) {
    if (!(Number.isInteger(nClusters) && nClusters >= 1)) throw new AssayError("INVALID_OPTION", `nClusters must be a positive integer, got ${nClusters}`, { plugin: PLUGIN });
    if (nClusters >= n) throw new AssayError("INVALID_OPTION", `nClusters (${nClusters}) must be smaller than the number of samples (${n})`, { plugin: PLUGIN });
    return Math.max(5, Math.floor(n / (3 * nClusters)));
  }
  return Math.min(Math.max(5, Math.floor(0.05 * n)), 100);
}

/** k of kmeans mode (clusterer.md §2.7): `nClusters`, else ⌊√N⌋; an error unless 1 ≤ k < N. */
export function kmeansK(n: number, nClusters?: number): number {
  const k = nClusters ?? Math.floor(Math.sqrt(n));
  if (!(Number.isInteger(k) && k >= 1)) throw new AssayError("INVALID_OPTION", `nClusters must be a positive integer, got ${k}`, { plugin: PLUGIN, details: { option: "nClusters" } });
  if (k >= n) throw new AssayError("INVALID_OPTION", `nClusters (${k}) must be smaller than the number of samples (${n})`, { plugin: PLUGIN, details: { option: "nClusters" } });
  return k;
}

/**
 * DataEval's `cluster()` (clusterer.md §2). Default `algorithm: "hdbscan"`: HDBSCAN* with min_samples = 1
 * (single linkage), condensed by the minimum cluster size, excess-of-mass selection with a single cluster
 * allowed. `algorithm: "kmeans"` (§2.7): k-means++ seeded by `seed`, labels numbered by smallest member,
 * membership 1 − d / max d; the spanning tree is computed the same way in both modes.
 */
export async function cluster(x: Float32Matrix, options: ClusterOptions = {}): Promise<ClusterResult> {
  checkEmbeddings(x);
  const N = x.rows;
  const algorithm = options.algorithm ?? "hdbscan";
  if (algorithm !== "hdbscan" && algorithm !== "kmeans") {
    throw new AssayError("INVALID_OPTION", `algorithm must be "hdbscan" or "kmeans", got ${String(algorithm)}`, { plugin: PLUGIN, node: "clusterer", details: { option: "algorithm" } });
  }
  const clustersK = algorithm === "kmeans" ? kmeansK(N, options.nClusters) : 0;
  const m = algorithm === "kmeans" ? 0 : minClusterSizeFor(N, options.nClusters);
  let maxSize = options.maxClusterSize ?? Number.POSITIVE_INFINITY;
  if (algorithm === "hdbscan" && maxSize <= m) {
    options.warn?.(`maxClusterSize ${maxSize} ≤ min cluster size ${m}; using no maximum`);
    maxSize = Number.POSITIVE_INFINITY;
  }
  const k = Math.min(options.k ?? 25, N - 1);
  const useGiven = options.knn && options.knn.metric === "euclidean" && options.knn.rows === N && options.knn.k >= k;
  const mst = await spanningTree(x, k, { ...(useGiven ? { knn: options.knn! } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const exactMst = (useGiven ? options.knn!.k : k) >= N - 1;
  if (algorithm === "kmeans") {
    const km = kmeans(x, clustersK, { seed: options.seed ?? 0 });
    let maxD = 0;
    for (const d of km.distances) if (d > maxD) maxD = d;
    const membership = new Float32Array(N);
    for (let i = 0; i < N; i++) membership[i] = maxD > 0 ? 1 - km.distances[i]! / maxD : 1;
    return { algorithm, labels: km.labels, membership, mst, clusters: clustersK, minClusterSize: m, exactMst };
  }

  // single-linkage tree: row t = node N + t: (left = max id, right = min id, weight, size)
  const E = N - 1;
  const left = new Int32Array(E);
  const right = new Int32Array(E);
  const weight = mst.weight;
  const size = new Int32Array(2 * N - 1).fill(1);
  {
    const uf = new UnionFind(N);
    const nodeOf = new Int32Array(N);
    for (let i = 0; i < N; i++) nodeOf[i] = i;
    for (let t = 0; t < E; t++) {
      const ra = uf.find(mst.from[t]!);
      const rb = uf.find(mst.to[t]!);
      const na = nodeOf[ra]!;
      const nb = nodeOf[rb]!;
      left[t] = Math.max(na, nb);
      right[t] = Math.min(na, nb);
      size[N + t] = size[na]! + size[nb]!;
      uf.union(ra, rb);
      nodeOf[uf.find(ra)] = N + t;
    }
  }
  const root = 2 * N - 2;
  const childrenOf = (node: number): [number, number] => [left[node - N]!, right[node - N]!];
  const bfs = (start: number): number[] => {
    const out: number[] = [];
    let queue = [start];
    while (queue.length > 0) {
      out.push(...queue);
      const next: number[] = [];
      for (const q of queue) if (q >= N) next.push(...childrenOf(q));
      queue = next;
    }
    return out;
  };

  // condensed tree
  const cParent: number[] = [];
  const cChild: number[] = [];
  const cLambda: number[] = [];
  const cSize: number[] = [];
  const relabel = new Int32Array(root + 1);
  relabel[root] = N;
  let nextLabel = N + 1;
  const ignore = new Uint8Array(root + 1);
  const emit = (p: number, c: number, l: number, s: number) => {
    cParent.push(p);
    cChild.push(c);
    cLambda.push(l);
    cSize.push(s);
  };
  const emitPoints = (p: number, node: number, l: number) => {
    for (const sub of bfs(node)) {
      if (sub < N) emit(p, sub, l, 1);
      ignore[sub] = 1;
    }
  };
  for (const node of bfs(root)) {
    if (ignore[node] || node < N) continue;
    const p = relabel[node]!;
    const [l, r] = childrenOf(node);
    const d = weight[node - N]!;
    const lambda = d > 0 ? Math.fround(1 / d) : Number.POSITIVE_INFINITY;
    const lc = size[l]!;
    const rc = size[r]!;
    if (lc === 1 && rc >= m) {
      relabel[r] = p;
      emit(p, l, lambda, 1);
      ignore[l] = 1;
    } else if (lc < m && rc >= m) {
      relabel[r] = p;
      emitPoints(p, l, lambda);
    } else if (lc >= m && rc < m) {
      relabel[l] = p;
      emitPoints(p, r, lambda);
    } else if (lc < m && rc < m) {
      emitPoints(p, l, lambda);
      emitPoints(p, r, lambda);
    } else if (lc > maxSize && rc > maxSize) {
      relabel[l] = p;
      relabel[r] = p;
    } else {
      relabel[l] = nextLabel;
      emit(p, nextLabel++, lambda, lc);
      relabel[r] = nextLabel;
      emit(p, nextLabel++, lambda, rc);
    }
  }
  const rows = cParent.length;
  const numClusters = nextLabel - N;
  // stability (float32 accumulation like fast_hdbscan)
  const birth = new Float64Array(numClusters);
  const clusterSize = new Float64Array(numClusters);
  clusterSize[0] = N - 1;
  for (let i = 0; i < rows; i++) {
    if (cChild[i]! >= N) {
      birth[cChild[i]! - N] = cLambda[i]!;
      clusterSize[cChild[i]! - N] = cSize[i]!;
    }
  }
  const stability = new Float64Array(numClusters);
  for (let i = 0; i < rows; i++) {
    const c = cParent[i]! - N;
    stability[c] = Math.fround(stability[c]! + Math.fround((cLambda[i]! - birth[c]!) * cSize[i]!));
  }
  const treeChildren: number[][] = Array.from({ length: numClusters }, () => []);
  for (let i = 0; i < rows; i++) if (cChild[i]! >= N) treeChildren[cParent[i]! - N]!.push(cChild[i]! - N);
  const selected = new Uint8Array(numClusters);
  const hasTree = treeChildren.some((c) => c.length > 0);
  const unselectBelow = (c: number) => {
    for (const ch of treeChildren[c]!) {
      selected[ch] = 0;
      unselectBelow(ch);
    }
  };
  const eom = (c: number): number => {
    const cur = Math.max(stability[c]!, 0);
    let tot = 0;
    for (const ch of treeChildren[c]!) tot += eom(ch);
    if (tot > cur || clusterSize[c]! > maxSize) return tot;
    selected[c] = 1;
    unselectBelow(c);
    return cur;
  };
  if (hasTree) eom(0);

  // labels: nearest selected ancestor
  const parentOfCluster = new Int32Array(numClusters).fill(-1);
  for (let i = 0; i < rows; i++) if (cChild[i]! >= N) parentOfCluster[cChild[i]! - N] = cParent[i]! - N;
  const labelOfCluster = new Int32Array(numClusters).fill(-1);
  let nSelected = 0;
  for (let c = 0; c < numClusters; c++) if (selected[c]) labelOfCluster[c] = nSelected++;
  const resolved = new Int32Array(numClusters).fill(-2);
  const resolve = (c: number): number => {
    if (resolved[c] !== -2) return resolved[c]!;
    const v = selected[c] ? c : parentOfCluster[c]! >= 0 ? resolve(parentOfCluster[c]!) : -1;
    resolved[c] = v;
    return v;
  };
  const labels = new Int32Array(N).fill(-1);
  const pointLambda = new Float64Array(N);
  const pointCluster = new Int32Array(N).fill(-1);
  for (let i = 0; i < rows; i++) {
    if (cChild[i]! < N) {
      pointLambda[cChild[i]!] = cLambda[i]!;
      pointCluster[cChild[i]!] = resolve(cParent[i]! - N);
    }
  }
  const rootOnly = nSelected === 1 && selected[0] === 1;
  let rootMax = Number.NEGATIVE_INFINITY;
  if (rootOnly) for (let i = 0; i < rows; i++) if (cParent[i] === N && cLambda[i]! > rootMax) rootMax = cLambda[i]!;
  for (let p = 0; p < N; p++) {
    const c = pointCluster[p]!;
    if (c < 0) continue;
    if (rootOnly) labels[p] = pointLambda[p]! >= rootMax ? 0 : -1;
    else labels[p] = labelOfCluster[c]!;
  }
  // membership strengths
  const lambdaMax = new Float64Array(numClusters);
  for (let i = 0; i < rows; i++) if (cSize[i] === 1 && selected[cParent[i]! - N]) lambdaMax[cParent[i]! - N] = Math.max(lambdaMax[cParent[i]! - N]!, cLambda[i]!);
  const membership = new Float32Array(N);
  for (let p = 0; p < N; p++) {
    if (labels[p]! < 0) continue;
    const c = pointCluster[p]!;
    const lm = lambdaMax[c]!;
    const lp = pointLambda[p]!;
    membership[p] = lm === 0 || !Number.isFinite(lp) ? 1 : Math.min(lp, lm) / lm;
  }
  let clusters = nSelected;
  if (labels.every((l) => l === -1)) {
    labels.fill(0);
    clusters = 1;
  }
  return { algorithm, labels, membership, mst, clusters, minClusterSize: m, exactMst };
}
