/**
 * A dense row-major probability matrix, N rows × K columns: `data[i * cols + k]` is the predicted
 * probability that example `i` belongs to class `k`. `Float32Matrix` from @assay/core fits.
 */
export interface ProbMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** Given labels for single-label data: one class index per example. */
export type LabelsInput = Int32Array | ArrayLike<number>;

/** Receives non-fatal warnings (cleanlab's `warnings.warn`). */
export type WarningSink = (message: string) => void;

/**
 * Per-example label quality scores, in the precision they were computed in: a Float32Array from float32
 * pred_probs (cleanlab returns pred_probs' dtype; every score is a float32 value), else a Float64Array.
 */
export type ScoreArray = Float32Array | Float64Array;

/** The three label quality scores. */
export type LabelQualityMethod = "self_confidence" | "normalized_margin" | "confidence_weighted_entropy";

/** The seven `filter_by` modes of `findLabelIssues`. */
export type FilterBy =
  | "prune_by_noise_rate"
  | "prune_by_class"
  | "both"
  | "confident_learning"
  | "predicted_neq_given"
  | "low_normalized_margin"
  | "low_self_confidence";

/** Every `filter_by` mode, in cleanlab's order. */
export const FILTER_BY_MODES: readonly FilterBy[] = [
  "prune_by_noise_rate",
  "prune_by_class",
  "both",
  "confident_learning",
  "predicted_neq_given",
  "low_normalized_margin",
  "low_self_confidence",
];
