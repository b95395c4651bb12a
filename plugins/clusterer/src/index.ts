/**
 * @assay/clusterer: HDBSCAN-style clustering of embeddings (DataEval's `cluster`), cluster-distance
 * outliers, noise points and cluster-based duplicates.
 * @module
 */
import { definePlugin } from "@assay/core";
import { clusterer } from "./clusterer.js";

export { clusterCenters, clusterDistances, clusterDuplicates, clusterOutliers, type ClusterDistanceStats, type ClusterOutlier } from "./cluster-findings.js";
export { clusterer, clustererOptions, type ClustererResult } from "./clusterer.js";
export { checkEmbeddings, cluster, minClusterSizeFor, spanningTree, type ClusterOptions, type ClusterResult, type SpanningEdges } from "./hdbscan.js";

/** The @assay/clusterer plugin: the `clusterer` detector. */
export const plugin = definePlugin({
  name: "@assay/clusterer",
  version: "0.1.0",
  description: "Clustering of embeddings, cluster outliers and cluster duplicates",
  detectors: [clusterer],
});
