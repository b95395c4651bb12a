import { artifacts, defineDetector, type FindingInput, z } from "@assay/core";
import { clusterDuplicates, type ClusterOutlier, clusterOutliers } from "./cluster-findings.js";
import { cluster } from "./hdbscan.js";

/** Options of {@link clusterer}. */
export const clustererOptions = z.object({
  /** Expected number of clusters (sets the minimum cluster size to max(5, N / 3k)). */
  nClusters: z.number().int().positive().optional(),
  /** Largest selectable cluster. */
  maxClusterSize: z.number().int().positive().optional(),
  /** Neighbours per point for the MST candidate graph. */
  k: z.number().int().positive().default(25),
  /** Upper z multiplier of a point's distance to its cluster centre (DataEval: 2.5). */
  outlierThreshold: z.number().positive().default(2.5),
  /** Duplicate sensitivity: MST edges shorter than this × the cluster's edge-length std link (DataEval: 1.0). */
  duplicateSensitivity: z.number().positive().default(1),
  /** Report cluster duplicates. */
  duplicates: z.boolean().default(true),
  /** Report noise points that are not outliers as `potential_outlier` (info). */
  potentialOutliers: z.boolean().default(true),
});

/** The clusterer's result. */
export interface ClustererResult {
  labels: Int32Array;
  membership: Float32Array;
  clusters: number;
  minClusterSize: number;
  /** Cluster sizes, index = label. */
  sizes: number[];
  noise: number;
  exactMst: boolean;
  outliers: ClusterOutlier[];
  /** Noise points not flagged as outliers. */
  potentialOutliers: number[];
  duplicates: number[][];
}

const fmt = (v: number) => v.toPrecision(4);

/**
 * Detector: HDBSCAN-style clustering of the embeddings (DataEval's `cluster`), points far from their
 * cluster centre (`cluster_outlier`), noise points (`potential_outlier`) and near-identical points
 * inside a cluster (`cluster_duplicate`). Reuses the shared `knn` graph for the spanning tree when it
 * is Euclidean with enough neighbours.
 */
export const clusterer = defineDetector({
  name: "clusterer",
  version: "1.0.0",
  plugin: "@assay/clusterer",
  description: "Clusters of the embeddings; outliers, noise and duplicates found from the clusters",
  options: clustererOptions,
  needs: [artifacts.embeddings],
  wants: [artifacts.knn],
  async run(ctx, inputs, options) {
    const x = inputs.embeddings;
    const res = await cluster(x, {
      k: options.k,
      ...(options.nClusters !== undefined ? { nClusters: options.nClusters } : {}),
      ...(options.maxClusterSize !== undefined ? { maxClusterSize: options.maxClusterSize } : {}),
      ...(inputs.knn ? { knn: inputs.knn } : {}),
      signal: ctx.signal,
      warn: (m) => ctx.warn(m),
    });
    const { outliers } = clusterOutliers(x, res.labels, options.outlierThreshold);
    const flagged = new Set(outliers.map((o) => o.index));
    const potential: number[] = [];
    if (options.potentialOutliers) for (let i = 0; i < x.rows; i++) if (res.labels[i]! < 0 && !flagged.has(i)) potential.push(i);
    const dups = options.duplicates ? clusterDuplicates(res.labels, res.mst, options.duplicateSensitivity) : [];
    const sizes = new Array<number>(res.clusters).fill(0);
    let noise = 0;
    for (const l of res.labels) if (l >= 0) sizes[l]!++;
    else noise++;
    const findings: FindingInput[] = [];
    for (const o of outliers) {
      findings.push({
        type: "cluster_outlier",
        indices: [o.index],
        score: o.score,
        severity: "warning",
        message: `sample ${o.index} is ${fmt(o.distance)} from the centre of cluster ${o.cluster} (cluster mean ${fmt(o.mean)}, threshold ${fmt(o.threshold)}; z = ${fmt(o.score)})`,
        data: { cluster: o.cluster, distance: o.distance, mean: o.mean, std: o.std, threshold: o.threshold, label: res.labels[o.index]! },
      });
    }
    for (const i of potential) {
      findings.push({
        type: "potential_outlier",
        indices: [i],
        severity: "info",
        message: `sample ${i} belongs to no cluster (noise)`,
        data: { label: -1 },
      });
    }
    dups.forEach((g, k) =>
      findings.push({
        type: "cluster_duplicate",
        indices: g,
        score: g.length,
        severity: "info",
        message: `${g.length} samples are much closer to each other than their cluster's typical spacing: ${g.join(", ")}`,
        data: { group: k, cluster: res.labels[g[0]!]!, method: "cluster", sensitivity: options.duplicateSensitivity },
      }),
    );
    const result: ClustererResult = {
      labels: res.labels,
      membership: res.membership,
      clusters: res.clusters,
      minClusterSize: res.minClusterSize,
      sizes,
      noise,
      exactMst: res.exactMst,
      outliers,
      potentialOutliers: potential,
      duplicates: dups,
    };
    return {
      result,
      findings,
      summary: { clusters: res.clusters, noise, outliers: outliers.length, duplicate_groups: dups.length, exact_mst: res.exactMst },
    };
  },
});
