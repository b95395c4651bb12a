/**
 * @assay/label-stats: per-class and per-image label counts (DataEval `label_stats`) for
 * classification, multi-label and object detection.
 * @module
 */
import { definePlugin } from "@assay/core";
import { labelStatsDetector, labelStatsExtractor } from "./detector.js";

export {
  argmaxLabel,
  countsByName,
  idsFromNames,
  labelStats,
  toIndex2Label,
  type Index2Label,
  type LabelStats,
  type LabelStatsOptions,
} from "./label-stats.js";
export { flattenLabels, labelStatsFromDataset, type FlatLabels } from "./from-dataset.js";
export { labelStatsArtifact, labelStatsDetector, labelStatsExtractor, labelStatsFindings } from "./detector.js";

/** The label-stats plugin: the `label-stats` detector and the `label.stats` extractor. */
export const plugin = definePlugin({
  name: "@assay/label-stats",
  version: "0.1.0",
  description: "Per-class and per-image label counts",
  extractors: [labelStatsExtractor],
  detectors: [labelStatsDetector],
});
