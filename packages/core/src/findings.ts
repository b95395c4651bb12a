/** How much a finding matters. `error` findings can fail a CI gate (`--fail-on error`). */
export type Severity = "info" | "warning" | "error";

/**
 * A finding as a node returns it: a message about one or more samples, not an exception.
 * `indices` are dataset row indices; the runner sorts them and adds `detector` and `ids`.
 */
export interface FindingInput {
  /** Rule id inside the detector, e.g. `"exact_duplicate"`, `"label_issue"`, `"acquire"`. */
  type: string;
  /** Dataset rows this finding is about (any order; the report stores them ascending). Empty for dataset-level findings. */
  indices: ArrayLike<number>;
  /** How strongly the finding holds; its meaning (and direction) is documented by the detector. */
  score?: number;
  severity: Severity;
  /** One short human sentence. */
  message: string;
  /** Structured details: actual vs expected values, the statistic, the box, the split… */
  data?: Record<string, unknown>;
}

/** A finding in a report. */
export interface Finding {
  /** Name of the detector that produced it. */
  detector: string;
  type: string;
  /** Dataset row indices, ascending. */
  indices: number[];
  /** The matching sample ids. */
  ids: string[];
  score?: number;
  severity: Severity;
  message: string;
  data?: Record<string, unknown>;
}
