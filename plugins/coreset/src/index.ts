/**
 * @assay/coreset: coreset importance for data cleaning. A class-conditional leverage (CCL) index ranks
 * the samples to review per class (label errors, out-of-distribution rows), draws weighted coresets,
 * and absorbs relabels, removals and additions incrementally over a merge-and-reduce tree of chunks.
 * @module
 */
import { definePlugin } from "@assay/core";
import { coreset } from "./detector.js";

export {
  CoresetIndex,
  FLAG_TINY_CLASS,
  type BatchLog,
  type CoresetIndexOptions,
  type FeatureInput,
  type LabelInput,
  type RowScores,
} from "./coreset-index.js";
export { ChunkTree, type TreeNode } from "./chunk-tree.js";
export { PRESETS, resolveBeta, type Preset } from "./options.js";
export type { Preprocessing } from "./preprocess.js";
export { fairAllocation, importantSamples, type ImportantOptions, type ImportantSample } from "./query.js";
export { allocateCoreset, sampleCoreset, sensitivities, suggestCoresetSize, type Coreset, type CoresetOptions } from "./sampling.js";
export { labelFreeScores } from "./label-free.js";
export { modelScores, type ModelScoreOptions, type ModelScores } from "./model-score.js";
export { LocalCoresetTree, type LocalImportantOptions, type LocalNode, type LocalTreeOptions } from "./local-tree.js";
export { FORMAT_VERSION, loadIndex, saveIndex } from "./serialize.js";
export { coreset, coresetOptions, type CoresetRankingRow, type CoresetResult } from "./detector.js";

/** The coreset plugin: the `coreset` detector. */
export const plugin = definePlugin({
  name: "@assay/coreset",
  version: "0.1.0",
  description: "Coreset importance for data cleaning (class-conditional leverage)",
  detectors: [coreset],
});
