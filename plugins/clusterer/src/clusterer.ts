import { artifacts, defineDetector, type DetectorOutput, type FindingInput, z } from "@assay/core";
import { clusterDuplicates, type ClusterOutlier, clusterOutliers } from "./cluster-findings.js";
import { cluster } from "./hdbscan.js";
import { LEGACY_MAX_SAMPLES, type LegacyClusterResult, legacyCluster } from "./legacy.js";

/** Options of {@link clusterer}. */
export const clustererOptions = z.object({
  /**
   * `"hdbscan"` (DataEval HEAD, default), `"kmeans"` (HEAD's `algorithm="kmeans"`) or `"legacy"` (the
   * seed-era `Clusterer`: outliers, potential outliers, duplicates and potential duplicates from its
   * last-good-merge-level heuristics; at most `legacyMaxSamples` rows).
   */
  algorithm: z.enum(["hdbscan", "kmeans", "legacy"]).default("hdbscan"),
  /** hdbscan: expected number of clusters (min cluster size max(5, N / 3k)); kmeans: k (default ⌊√N⌋). */
  nClusters: z.number().int().positive().optional(),
  /** Seed of the k-means++ sampling (kmeans). */
  seed: z.number().int().default(0),
  /** Largest N legacy mode accepts (its cost is O(N²)). */
  legacyMaxSamples: z.number().int().positive().default(LEGACY_MAX_SAMPLES),
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

/** The clusterer's result in hdbscan and kmeans mode. */
export interface PartitionClustererResult {
  algorithm: "hdbscan" | "kmeans";
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

/** The clusterer's result in legacy mode: the seed `Clusterer.evaluate()` output and its internals. */
export interface LegacyClustererResult extends LegacyClusterResult {
  algorithm: "legacy";
}

/** The clusterer's result (discriminated by `algorithm`). */
export type ClustererResult = PartitionClustererResult | LegacyClustererResult;

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
  async run(ctx, inputs, options): Promise<DetectorOutput<ClustererResult>> {
    const x = inputs.embeddings;
    if (options.algorithm === "legacy") return legacyFindings(legacyCluster(x, { maxSamples: options.legacyMaxSamples, signal: ctx.signal }));
    const res = await cluster(x, {
      algorithm: options.algorithm,
      seed: options.seed,
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
      algorithm: res.algorithm,
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
      summary: { algorithm: res.algorithm, clusters: res.clusters, noise, outliers: outliers.length, duplicate_groups: dups.length, exact_mst: res.exactMst },
    };
  },
});

/** Findings of legacy mode: outliers (warning), potential outliers, duplicates and potential duplicates (info). */
function legacyFindings(res: LegacyClusterResult): DetectorOutput<ClustererResult> {
  const findings: FindingInput[] = [];
  const data = { method: "legacy" };
  for (const i of res.outliers) {
    findings.push({ type: "cluster_outlier", indices: [i], severity: "warning", message: `sample ${i} joins its cluster far beyond the cluster's usual merge distances (legacy Clusterer)`, data });
  }
  for (const i of res.potentialOutliers) {
    findings.push({ type: "potential_outlier", indices: [i], severity: "info", message: `sample ${i} joins its cluster more than one std beyond its usual merge distances (legacy Clusterer)`, data });
  }
  res.duplicates.forEach((g, k) =>
    findings.push({
      type: "cluster_duplicate",
      indices: g,
      score: g.length,
      severity: "info",
      message: `${g.length} samples are within ${fmt(res.threshold / 100)} of each other (legacy Clusterer duplicates): ${g.join(", ")}`,
      data: { ...data, group: k, exact: true, threshold: res.threshold / 100 },
    }),
  );
  res.potentialDuplicates.forEach((g, k) =>
    findings.push({
      type: "potential_duplicate",
      indices: g,
      score: g.length,
      severity: "info",
      message: `${g.length} samples are within ${fmt(res.threshold)} of each other (legacy Clusterer potential duplicates): ${g.join(", ")}`,
      data: { ...data, group: k, exact: false, threshold: res.threshold },
    }),
  );
  const result: ClustererResult = { algorithm: "legacy", ...res };
  return {
    result,
    findings,
    summary: {
      algorithm: "legacy",
      outliers: res.outliers.length,
      potential_outliers: res.potentialOutliers.length,
      duplicate_groups: res.duplicates.length,
      potential_duplicate_groups: res.potentialDuplicates.length,
    },
  };
}
