/**
 * @assay/insights — dataset- and class-level views built on label issues: class health, overlapping
 * classes, the given → suggested correction table with bulk fixes, duplicate sets with conflicting labels,
 * an ontology-aware roll-up, multi-label summaries, object-detection label issues, and the corrections
 * workflow (`corrections(report)` → CSV → `applyCorrections(manifest, rows)`).
 * @packageDocumentation
 */
import { definePlugin } from "@assay/core";
import {
  classHealthDetector,
  insightsBasis,
  conflictingDuplicatesDetector,
  detectionLabelIssuesDetector,
  multilabelIssuesDetector,
  ontologyRollupDetector,
  overlappingClassesDetector,
  suggestedCorrectionsDetector,
} from "./detectors.js";

export {
  findOverlappingClasses,
  healthSummary,
  overallLabelHealthScore,
  rankClassesByLabelQuality,
  resolveJoint,
  type ClassQualityRow,
  type HealthScore,
  type HealthSummary,
  type JointInput,
  type OverlapRow,
  type ResolvedJoint,
  type SquareInput,
} from "./class-health.js";
export {
  applyLabelCorrections,
  suggestedCorrections,
  suggestedCorrectionsFromRows,
  suggestedLabels,
  type CorrectionCell,
  type CorrectionRowsInput,
  type CorrectionSelect,
  type CorrectionTable,
  type FixLogEntry,
  type FixResult,
  type SuggestedCorrectionsOptions,
} from "./corrections.js";
export {
  conflictingDuplicates,
  duplicateComponents,
  groupsFromKnn,
  type ConflictingDuplicatesOptions,
  type DuplicateConflict,
  type DuplicateConflicts,
  type LabelKey,
} from "./conflicts.js";
export {
  categoryOf,
  classPaths,
  ontologyRollup,
  readOntology,
  relationOf,
  type Category,
  type ClassPaths,
  type OntologyReport,
  type OntologyRollupOptions,
  type OntologySource,
  type OntologyTree,
  type OntologyUnit,
  type PairVerdict,
  type Relation,
  type UnitOverlapRow,
  type UnitQualityRow,
} from "./ontology.js";
export {
  checkMultiLabels,
  multilabelCommonIssues,
  multilabelCorrections,
  multilabelFindLabelIssues,
  multilabelHealthSummary,
  multilabelIssuesPerClass,
  multilabelOverallHealthScore,
  multilabelQualityScores,
  multilabelQualityScoresPerClass,
  multilabelRankClasses,
  multilabelRankedIssues,
  multilabelSuggestedSets,
  type CommonIssueRow,
  type CommonIssuesOptions,
  type MultiLabelClassRow,
  type MultiLabelCorrectionTable,
  type MultiLabelFlagOptions,
  type MultiLabelHealthSummary,
  type MultiLabels,
  type MultiLabelScoreOptions,
  type PerClassJoints,
  type PerClassRanked,
} from "./multilabel.js";
export {
  DETECTION_DEFAULTS,
  detectionClassAp,
  detectionFindLabelIssues,
  detectionIssuesFromScores,
  detectionScores,
  softminPool,
  type BoxScores,
  type DetectionIssueOptions,
  type DetectionIssues,
  type DetectionLabel,
  type DetectionPrediction,
  type DetectionScoreOptions,
  type DetectionScores,
  type SubtypeWeights,
} from "./detection.js";
export {
  applyCorrections,
  applyCorrectionsToManifestText,
  corrections,
  correctionsCsv,
  parseCorrectionsCsv,
  readCorrectionsCsv,
  writeCorrectionsCsv,
  type CorrectionFilter,
  type CorrectionRow,
  type CorrectionsOptions,
  type ManifestFixResult,
  type ManifestOptions,
  type ManifestTextOptions,
  type ManifestTextResult,
} from "./workflow.js";
export {
  classHealthDetector,
  conflictingDuplicatesDetector,
  detectionLabelIssuesDetector,
  detectionPredictionsArtifact,
  duplicateGroupsArtifact,
  insightsBasis,
  insightsBasisArtifact,
  multilabelIssuesDetector,
  normaliseGroups,
  ontologyRollupDetector,
  overlappingClassesDetector,
  suggestedCorrectionsDetector,
  type ConflictResult,
  type DetectionResult,
  type DuplicateGroupLike,
  type DuplicateGroupsValue,
  type InsightsBasis,
  type OverlapResult,
  type Skipped,
} from "./detectors.js";
export { PLUGIN_NAME } from "./errors.js";

/** Detector names of the `insights` preset, in report order. */
export const INSIGHTS_PRESET = [
  "class-health",
  "overlapping-classes",
  "suggested-corrections",
  "conflicting-duplicates",
  "ontology-rollup",
  "multilabel-issues",
  "detection-label-issues",
] as const;

/** The plugin: the `insights-basis` extractor, seven detectors and the `insights` preset. */
export const plugin = definePlugin({
  name: "@assay/insights",
  version: "0.1.0",
  description: "Class health, overlapping classes, suggested corrections, conflicting duplicates, ontology roll-up, multi-label and detection label issues",
  extractors: [insightsBasis],
  detectors: [
    classHealthDetector,
    overlappingClassesDetector,
    suggestedCorrectionsDetector,
    conflictingDuplicatesDetector,
    ontologyRollupDetector,
    multilabelIssuesDetector,
    detectionLabelIssuesDetector,
  ],
  presets: { insights: INSIGHTS_PRESET },
});
