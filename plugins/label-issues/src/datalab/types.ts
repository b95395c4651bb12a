/** Names of the Datalab checks, in cleanlab's default run order (data_valuation runs only on request). */
export const DATALAB_ISSUE_TYPES = [
  "null",
  "label",
  "outlier",
  "near_duplicate",
  "non_iid",
  "class_imbalance",
  "underperforming_group",
  "data_valuation",
] as const;

/** One Datalab check name. */
export type IssueType = (typeof DATALAB_ISSUE_TYPES)[number];

/** What one check returns (cleanlab's per-example frame, summary row and info dict). */
export interface CheckResult {
  /** The check's name (`issue_type`). */
  readonly issueType: IssueType;
  /** Per-example score (`<name>_score`); higher = healthier. */
  readonly scores: Float64Array;
  /** Per-example flag (`is_<name>_issue`), 1 = flagged. */
  readonly isIssue: Uint8Array;
  /** Dataset-level score of the summary row. */
  readonly score: number;
  /** Number of flagged examples. */
  readonly numIssues: number;
  /** The check's info dict (statistics, thresholds, sets, …). */
  readonly info: Record<string, unknown>;
}

/** Build a {@link CheckResult}, counting the flags. */
export function checkResult(issueType: IssueType, scores: Float64Array, isIssue: Uint8Array, score: number, info: Record<string, unknown>): CheckResult {
  let numIssues = 0;
  for (let i = 0; i < isIssue.length; i++) numIssues += isIssue[i]!;
  return { issueType, scores, isIssue, score, numIssues, info };
}
