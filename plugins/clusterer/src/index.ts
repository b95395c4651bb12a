/**
 * @assay/clusterer: HDBSCAN-style or k-means clustering of embeddings (DataEval's `cluster`),
 * cluster-distance outliers, noise points and cluster-based duplicates, and the seed-era `Clusterer`
 * (legacy mode: outliers, potential outliers, duplicates, potential duplicates).
 * @module
 */
import { definePlugin } from "@assay/core";
import { clusterer } from "./clusterer.js";

export { clusterCenters, clusterDistances, clusterDuplicates, clusterOutliers, type ClusterDistanceStats, type ClusterOutlier } from "./cluster-findings.js";
export {
  clusterer,
  clustererOptions,
  type ClustererResult,
  type LegacyClustererResult,
  type PartitionClustererResult,
} from "./clusterer.js";
export {
  checkEmbeddings,
  cluster,
  kmeansK,
  minClusterSizeFor,
  spanningTree,
  type ClusterOptions,
  type ClusterResult,
  type SpanningEdges,
} from "./hdbscan.js";
export { LEGACY_MAX_SAMPLES, legacyCluster, type LegacyClusterResult, type LegacyInput, type LegacyOptions } from "./legacy.js";

/** The @assay/clusterer plugin: the `clusterer` detector. */
export const plugin = definePlugin({
  name: "@assay/clusterer",
  version: "0.1.0",
  description: "Clustering of embeddings, cluster outliers and cluster duplicates",
  detectors: [clusterer],
});
