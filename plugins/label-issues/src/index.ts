/**
 * @assay/label-issues — confident learning (label errors) identical to cleanlab, out-of-distribution
 * scores, and every Datalab check as assay detectors sharing one kNN graph.
 * @packageDocumentation
 */
import { definePlugin } from "@assay/core";
import {
  DATALAB_PRESET,
  crossValPredProbs,
  datalabClassImbalance,
  datalabDataValuation,
  datalabNearDuplicate,
  datalabNonIid,
  datalabNull,
  datalabOutlier,
  datalabUnderperformingGroup,
  labelIssues,
} from "./nodes.js";

export {
  calibrateConfidentJoint,
  computeConfidentJoint,
  estimateJoint,
  findLabelIssues,
  findLabelIssuesUsingArgmaxConfusionMatrix,
  findPredictedNeqGiven,
  keepAtLeast,
  numLabelIssues,
  roundPreservingRowTotals,
  roundPreservingSum,
  type ConfidentJointOptions,
  type ConfidentJointResult,
  type EstimateJointOptions,
  type EstimationMethod,
  type FindLabelIssuesOptions,
  type NumLabelIssuesOptions,
  type SquareMatrix,
} from "./confident-learning.js";
export { getConfidentThresholds } from "./thresholds.js";
export {
  findLabelIssuesChunked,
  type ChunkedLabelIssuesOptions,
  type ChunkedLabelIssuesResult,
  type PredProbsChunk,
  type PredProbsSource,
} from "./streaming.js";
export {
  findTopIssues,
  getLabelQualityEnsembleScores,
  getLabelQualityScores,
  orderLabelIssues,
  type EnsembleScoreOptions,
  type LabelQualityOptions,
} from "./scores.js";
export {
  clipNoiseRates,
  clipValues,
  estimateLatent,
  estimatePyAndNoiseMatricesFromProbabilities,
  type LatentEstimates,
  type LatentOptions,
  type PyMethod,
  type PyNoiseOptions,
} from "./latent.js";
export {
  findOverlappingClasses,
  healthSummary,
  overallLabelHealthScore,
  rankClassesByLabelQuality,
  type ClassLabelQuality,
  type OverlappingClasses,
  type SummaryInput,
} from "./summary.js";
export {
  aggregateScores,
  computeMultiLabelConfidentJoint,
  findMultiLabelIssues,
  findMultiLabelIssuesPerClass,
  findMultiLabelPredictedNeqGiven,
  getMultiLabelClassScores,
  getMultiLabelConfidentThresholds,
  getMultiLabelQualityScores,
  numMultiLabelIssues,
  type AggregatorOptions,
  type FindMultiLabelIssuesOptions,
  type MultiLabelQualityOptions,
  type MultiLabelsInput,
} from "./multilabel.js";
export { OutOfDistribution, createNeighborIndex, type NeighborIndex, type NeighborIndexOptions, type OodParams } from "./ood.js";
export {
  buildKnnGraph,
  defaultMetric,
  type BuildKnnGraphOptions,
  type FeatureMatrix,
  type GraphMetric,
  type NeighborGraph,
} from "./knn-graph.js";
export {
  classImbalanceCheck,
  dataValuationCheck,
  dbscanOnGraph,
  knnPredProbs,
  labelCheck,
  nearDuplicateCheck,
  nonIidCheck,
  nullCheck,
  outlierCheck,
  underperformingGroupCheck,
  type LabelCheckOptions,
  type NonIidOptions,
  type OutlierCheckOptions,
  type UnderperformingGroupOptions,
} from "./datalab/checks.js";
export { findIssues, selectIssueTypes, type DatalabResult, type FindIssuesInput, type IssueSummaryRow, type IssueTypeParams } from "./datalab/run.js";
export { DATALAB_ISSUE_TYPES, type CheckResult, type IssueType } from "./datalab/types.js";
export { datalabTextReport, type TextReportOptions } from "./report-text.js";
export {
  DATALAB_PRESET,
  DETECTOR_ISSUE_TYPES,
  crossValPredProbs,
  datalabClassImbalance,
  datalabDataValuation,
  datalabNearDuplicate,
  datalabNonIid,
  datalabNull,
  datalabOutlier,
  datalabUnderperformingGroup,
  labelIssues,
  type DatalabDetectorResult,
} from "./nodes.js";
export { FILTER_BY_MODES, type FilterBy, type LabelQualityMethod, type LabelsInput, type ProbMatrix, type ScoreArray, type WarningSink } from "./types.js";
export { PLUGIN_NAME } from "./errors.js";

/**
 * The plugin: the `cross-val-pred-probs` extractor, the eight Datalab detectors, and the `datalab`
 * preset (cleanlab's default checks, in its order). The graph checks read the shared `knn` artifact:
 * register @assay/math's `plugin` too (its `knn-graph` extractor), or provide `knn` yourself.
 */
export const plugin = definePlugin({
  name: "@assay/label-issues",
  version: "0.1.0",
  description: "Label errors by confident learning, OOD scores and the Datalab checks",
  extractors: [crossValPredProbs],
  detectors: [
    datalabNull,
    labelIssues,
    datalabOutlier,
    datalabNearDuplicate,
    datalabNonIid,
    datalabClassImbalance,
    datalabUnderperformingGroup,
    datalabDataValuation,
  ],
  presets: { datalab: DATALAB_PRESET },
});
