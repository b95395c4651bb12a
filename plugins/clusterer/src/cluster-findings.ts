import type { Float32Matrix } from "@assay/core";
import { UnionFind } from "@assay/math";
import type { SpanningEdges } from "./hdbscan.js";

/** Cluster centres (mean of members per label, noise excluded), k × P. */
export function clusterCenters(x: Float32Matrix, labels: Int32Array): Float32Matrix {
  let k = 0;
  for (const l of labels) if (l + 1 > k) k = l + 1;
  const P = x.cols;
  const sums = new Float64Array(k * P);
  const counts = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    counts[l]!++;
    for (let j = 0; j < P; j++) sums[l * P + j]! += x.data[i * P + j]!;
  }
  const data = new Float32Array(k * P);
  for (let c = 0; c < k; c++) for (let j = 0; j < P; j++) data[c * P + j] = counts[c]! > 0 ? sums[c * P + j]! / counts[c]! : Number.NaN;
  return { rows: k, cols: P, data };
}

/** One cluster outlier (clusterer.md §3). */
export interface ClusterOutlier {
  index: number;
  cluster: number;
  distance: number;
  /** `(d − mean) / std` of the cluster's distances. */
  score: number;
  mean: number;
  std: number;
  threshold: number;
}

/** Per-cluster distance statistics used for outliers. */
export interface ClusterDistanceStats {
  /** Assigned cluster per point (noise reassigned to the nearest centre). */
  assigned: Int32Array;
  /** Distance of each point to its assigned centre (float32). */
  distance: Float32Array;
  mean: Float64Array;
  std: Float64Array;
}

/** Assign points to centres (noise to the nearest) and compute per-cluster distance mean/std. */
export function clusterDistances(x: Float32Matrix, labels: Int32Array): ClusterDistanceStats {
  const centers = clusterCenters(x, labels);
  const P = x.cols;
  const N = x.rows;
  const anyNoise = labels.some((l) => l < 0);
  const assigned = new Int32Array(N);
  const distance = new Float32Array(N);
  const d2 = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < P; j++) {
      const d = x.data[i * P + j]! - centers.data[c * P + j]!;
      s += d * d;
    }
    return Math.sqrt(s);
  };
  for (let i = 0; i < N; i++) {
    let c = labels[i]!;
    if (anyNoise) {
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < centers.rows; k++) {
        const d = d2(i, k);
        if (d < best) {
          best = d;
          c = k;
        }
      }
    }
    assigned[i] = c;
    distance[i] = d2(i, c);
  }
  const k = centers.rows;
  const mean = new Float64Array(k);
  const std = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < N; i++) {
    mean[assigned[i]!]! += distance[i]!;
    count[assigned[i]!]!++;
  }
  for (let c = 0; c < k; c++) mean[c] = count[c]! > 0 ? mean[c]! / count[c]! : 0;
  for (let i = 0; i < N; i++) std[assigned[i]!]! += (distance[i]! - mean[assigned[i]!]!) ** 2;
  for (let c = 0; c < k; c++) std[c] = count[c]! > 0 ? Math.sqrt(std[c]! / count[c]!) : 0;
  return { assigned, distance, mean, std };
}

/**
 * Cluster-distance outliers: a point is flagged when its distance to its cluster centre exceeds the
 * cluster's mean + `multiplier`·std (population std; default 2.5, no lower bound). Sorted by index.
 */
export function clusterOutliers(x: Float32Matrix, labels: Int32Array, multiplier = 2.5): { outliers: ClusterOutlier[]; stats: ClusterDistanceStats } {
  const stats = clusterDistances(x, labels);
  const outliers: ClusterOutlier[] = [];
  for (let i = 0; i < x.rows; i++) {
    const c = stats.assigned[i]!;
    const mean = stats.mean[c]!;
    const std = stats.std[c]!;
    if (!(std > 1e-12)) continue;
    const threshold = mean + multiplier * std;
    const d = stats.distance[i]!;
    if (d > threshold) outliers.push({ index: i, cluster: c, distance: d, score: (d - mean) / std, mean, std, threshold });
  }
  return { outliers, stats };
}

/**
 * Cluster-based duplicates (clusterer.md §4): within each non-noise cluster, MST edges shorter than
 * `sensitivity`·std(the cluster's intra-cluster MST edge weights) link their endpoints; linked
 * components are the groups (ascending, sorted).
 */
export function clusterDuplicates(labels: Int32Array, mst: SpanningEdges, sensitivity = 1): number[][] {
  const N = labels.length;
  const byCluster = new Map<number, number[]>();
  for (let e = 0; e < mst.weight.length; e++) {
    const la = labels[mst.from[e]!]!;
    if (la < 0 || la !== labels[mst.to[e]!]) continue;
    let list = byCluster.get(la);
    if (!list) byCluster.set(la, (list = []));
    list.push(e);
  }
  const uf = new UnionFind(N);
  for (const edges of byCluster.values()) {
    let mean = 0;
    for (const e of edges) mean += mst.weight[e]!;
    mean /= edges.length;
    let v = 0;
    for (const e of edges) v += (mst.weight[e]! - mean) ** 2;
    const sigma = Math.sqrt(v / edges.length);
    for (const e of edges) {
      if (mst.weight[e]! < sensitivity * sigma) {
        uf.union(mst.from[e]!, mst.to[e]!);
      }
    }
  }
  return uf
    .groups()
    .filter((g) => g.length >= 2)
    .map((g) => Array.from(g));
}
