/**
 * @assay/duplicates: exact, near (perceptual hash, embedding) and per-box duplicates, grouped into
 * duplicate sets, and cross-split leakage. Reads `images.stats` from @assay/linter's `imageStats()`.
 * @module
 */
import { definePlugin } from "@assay/core";
import { duplicateGroups, duplicates } from "./duplicates.js";

export {
  duplicateGroups,
  duplicateGroupsArtifact,
  duplicateGroupsOptions,
  duplicates,
  duplicatesDetectorOptions,
  duplicatesOptions,
  findDuplicates,
  groupDuplicates,
  groupsMatch,
  legacyDuplicates,
  duplicatesResultOf,
  type DuplicateGroup,
  type DuplicateGroupingOptions,
  type DuplicateGroups,
  type DuplicateKind,
  type DuplicatesResult,
} from "./duplicates.js";
export { bucketGroups, mergeGroups, pairComponents, type MergedGroup, type NearMethod, type RawGroup } from "./grouping.js";

/** The @assay/duplicates plugin: the `duplicate-groups` extractor (artifact `duplicates.groups`) and the `duplicates` detector. */
export const plugin = definePlugin({
  name: "@assay/duplicates",
  version: "0.1.0",
  description: "Exact, near and per-box duplicates and cross-split leakage",
  extractors: [duplicateGroups],
  detectors: [duplicates],
});
