/**
 * assay-plugin-metadata-rules: flag samples whose metadata breaks your rules.
 * @module
 */
import { definePlugin } from "@assay/core";
import { metadataRules } from "./metadata-rules.js";
import { metadataTable } from "./metadata-table.js";

export { metadataRules, type MetadataRulesResult } from "./metadata-rules.js";
export { metadataTable, metadataTableKey, type MetadataTable, type MetaValue } from "./metadata-table.js";
export { checkValue, ruleSchema, type Rule, type Violation, type ViolationKind } from "./rules.js";

/** Register with `registry.use(plugin)`; the assay CLI finds it because the package is named `assay-plugin-*`. */
export const plugin = definePlugin({
  name: "assay-plugin-metadata-rules",
  version: "0.1.0",
  description: "Flag samples whose metadata breaks user rules",
  extractors: [metadataTable],
  detectors: [metadataRules],
});
