import {
  type AggregatorOptions,
  type FindMultiLabelIssuesOptions,
  type LabelQualityMethod,
  findMultiLabelIssues,
  findMultiLabelIssuesPerClass,
  getMultiLabelClassScores,
  getMultiLabelQualityScores,
} from "@assay/label-issues";
import { invalidInput } from "./errors.js";
import { type ProbMatrix, checkClassNames, checkMatrix } from "./validate.js";

/** Multi-label labels: one list of class indices per example (`[]` allowed). */
export type MultiLabels = readonly (readonly number[])[];

/** A K×2×2 stack of per-class confident joints (flat, row-major). */
export type PerClassJoints = ArrayLike<number>;

/** Options shared by the multi-label flagging functions. */
export interface MultiLabelFlagOptions {
  /** Default `"prune_by_noise_rate"` (label-issues §10). */
  filterBy?: FindMultiLabelIssuesOptions["filterBy"];
  /** Per-class confident joints, K×2×2 flat. */
  confidentJoint?: PerClassJoints;
  minExamplesPerClass?: number;
}

/**
 * Validate multi-label input (dataset-insights §7.1): a list of lists with integer ids in [0, K);
 * a row that is not a list and a class present in every example are errors. Returns N×K multi-hot.
 */
export function checkMultiLabels(labels: MultiLabels, P: ProbMatrix): Uint8Array {
  const K = checkMatrix(P);
  if (!Array.isArray(labels)) throw invalidInput("multi-label labels must be an array with one list of class indices per example");
  if (labels.length !== P.rows) throw invalidInput(`labels has ${labels.length} rows but predProbs has ${P.rows}`, { labels: labels.length, rows: P.rows });
  const Y = new Uint8Array(labels.length * K);
  labels.forEach((row, i) => {
    if (!Array.isArray(row)) {
      throw invalidInput(`labels[${i}] is ${JSON.stringify(row) ?? "undefined"}: a multi-label row must be a list of class indices ([] for an example with no labels)`, { row: i });
    }
    for (const v of row) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= K) {
        throw invalidInput(`labels[${i}] contains ${JSON.stringify(v)}; class ids must be integers in 0…${K - 1}`, { row: i });
      }
      Y[i * K + v] = 1;
    }
  });
  const n = labels.length;
  for (let c = 0; c < K; c++) {
    let all = n > 0;
    for (let i = 0; i < n && all; i++) if (!Y[i * K + c]) all = false;
    if (all) throw invalidInput(`class ${c} is present in every example; confident learning cannot estimate its noise (label-issues LI-11)`, { class: c });
  }
  return Y;
}

function flagOpts(o: MultiLabelFlagOptions, K: number): FindMultiLabelIssuesOptions {
  const out: FindMultiLabelIssuesOptions = {};
  if (o.filterBy !== undefined) out.filterBy = o.filterBy;
  if (o.minExamplesPerClass !== undefined) out.minExamplesPerClass = o.minExamplesPerClass;
  if (o.confidentJoint !== undefined) {
    if (o.confidentJoint.length !== K * 4) throw invalidInput(`confidentJoint has ${o.confidentJoint.length} values; multi-label needs K×2×2 = ${K * 4}`);
    out.confidentJoint = { shape: [K, 2, 2], data: o.confidentJoint };
  }
  return out;
}

/** Examples with a label issue (dataset-insights §7.2): a length-N mask. */
export function multilabelFindLabelIssues(labels: MultiLabels, predProbs: ProbMatrix, options: MultiLabelFlagOptions = {}): Uint8Array {
  checkMultiLabels(labels, predProbs);
  return findMultiLabelIssues(labels, predProbs, flagOpts(options, predProbs.cols));
}

/** Flagged examples ranked most severe first by the EMA-aggregated score (§7.2). */
export function multilabelRankedIssues(labels: MultiLabels, predProbs: ProbMatrix, options: MultiLabelFlagOptions & { rankBy?: LabelQualityMethod } = {}): Int32Array {
  checkMultiLabels(labels, predProbs);
  return findMultiLabelIssues(labels, predProbs, { ...flagOpts(options, predProbs.cols), returnIndicesRankedBy: options.rankBy ?? "self_confidence" });
}

/** Per-class results of {@link multilabelIssuesPerClass} in ranked mode. */
export interface PerClassRanked {
  /** Per class: flagged indices, lowest binary score first. */
  ranked: number[][];
  /** Per class: the binary labels b. */
  binaryLabels: Int32Array[];
  /** Per class: the N×2 probabilities `[1 − p, p]`. */
  binaryProbs: ProbMatrix[];
}

/**
 * `find_multilabel_issues_per_class` (§7.3): the N×K mask `M[i][c]` ("class c of example i looks
 * mis-annotated"), or with `rankBy` the per-class ranked lists.
 */
export function multilabelIssuesPerClass(labels: MultiLabels, predProbs: ProbMatrix, options?: MultiLabelFlagOptions): Uint8Array;
export function multilabelIssuesPerClass(labels: MultiLabels, predProbs: ProbMatrix, options: MultiLabelFlagOptions & { rankBy: LabelQualityMethod }): PerClassRanked;
export function multilabelIssuesPerClass(
  labels: MultiLabels,
  predProbs: ProbMatrix,
  options: MultiLabelFlagOptions & { rankBy?: LabelQualityMethod } = {},
): Uint8Array | PerClassRanked {
  const Y = checkMultiLabels(labels, predProbs);
  const mask = findMultiLabelIssuesPerClass(labels, predProbs, flagOpts(options, predProbs.cols));
  if (options.rankBy === undefined) return mask;
  const { rows: n, cols: K, data } = predProbs;
  const scores = getMultiLabelClassScores(labels, predProbs, { method: options.rankBy });
  const out: PerClassRanked = { ranked: [], binaryLabels: [], binaryProbs: [] };
  for (let c = 0; c < K; c++) {
    const flagged: number[] = [];
    const b = new Int32Array(n);
    const Q = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      if (mask[i * K + c]) flagged.push(i);
      b[i] = Y[i * K + c]!;
      Q[2 * i] = 1 - data[i * K + c]!;
      Q[2 * i + 1] = data[i * K + c]!;
    }
    flagged.sort((x, y) => scores[x * K + c]! - scores[y * K + c]! || x - y);
    out.ranked.push(flagged);
    out.binaryLabels.push(b);
    out.binaryProbs.push({ rows: n, cols: 2, data: Q });
  }
  return out;
}

/**
 * The suggested label set of each example (§4.1): the given set with every class the per-class mask
 * flags toggled. Returns one sorted list per example.
 */
export function multilabelSuggestedSets(labels: MultiLabels, perClassMask: ArrayLike<number>, numClasses: number): number[][] {
  return labels.map((row, i) => {
    const set = new Set(row);
    for (let c = 0; c < numClasses; c++) {
      if (perClassMask[i * numClasses + c]) {
        if (set.has(c)) set.delete(c);
        else set.add(c);
      }
    }
    return [...set].sort((a, b) => a - b);
  });
}

/** One row of {@link multilabelCommonIssues} (cleanlab `common_multilabel_issues`). */
export interface CommonIssueRow {
  className?: string;
  classIndex: number;
  /** True: the class is in the given label but looks absent; false: missing but looks present. */
  inGivenLabel: boolean;
  inSuggestedLabel: boolean;
  numExamples: number;
  /** `numExamples / N`. */
  issueProbability: number;
  /** The examples, ascending (assay addition). */
  examples: number[];
}

/** Options of {@link multilabelCommonIssues}. */
export interface CommonIssuesOptions {
  classNames?: readonly string[];
  confidentJoint?: PerClassJoints;
}

/** Per class and direction, how many examples the per-class search flags (§7.3), by share descending. */
export function multilabelCommonIssues(labels: MultiLabels, predProbs: ProbMatrix, options: CommonIssuesOptions = {}): CommonIssueRow[] {
  const Y = checkMultiLabels(labels, predProbs);
  const K = predProbs.cols;
  checkClassNames(options.classNames, K);
  const mask = findMultiLabelIssuesPerClass(labels, predProbs, flagOpts({ ...(options.confidentJoint ? { confidentJoint: options.confidentJoint } : {}) }, K));
  return commonFromMask(Y, mask, labels.length, K, options.classNames);
}

function commonFromMask(Y: Uint8Array, mask: ArrayLike<number>, n: number, K: number, names?: readonly string[]): CommonIssueRow[] {
  const rows: CommonIssueRow[] = [];
  for (let c = 0; c < K; c++) {
    for (const inGiven of [true, false]) {
      const examples: number[] = [];
      for (let i = 0; i < n; i++) if (mask[i * K + c] && Y[i * K + c] === (inGiven ? 1 : 0)) examples.push(i);
      const row: CommonIssueRow = {
        classIndex: c,
        inGivenLabel: inGiven,
        inSuggestedLabel: !inGiven,
        numExamples: examples.length,
        issueProbability: n === 0 ? 0 : examples.length / n,
        examples,
      };
      rows.push(names ? { className: names[c]!, ...row } : row);
    }
  }
  return rows.map((r, i) => ({ r, i })).sort((a, b) => b.r.issueProbability - a.r.issueProbability || a.i - b.i).map((x) => x.r);
}

/** One row of {@link multilabelRankClasses}. */
export interface MultiLabelClassRow {
  className?: string;
  classIndex: number;
  labelIssues: number;
  inverseLabelIssues: number;
  /** Share of all N examples (cleanlab's definition). */
  labelNoise: number;
  inverseLabelNoise: number;
  labelQuality: number;
  /** assay extension: `labelIssues / n_c`. */
  labelNoiseWithinClass: number;
  /** assay extension: `inverseLabelIssues / (N − n_c)`. */
  inverseLabelNoiseWithinClass: number;
}

/** Classes ranked by multi-label quality (§7.4), worst first; pre-sort order = first appearance in the common table. */
export function multilabelRankClasses(labels: MultiLabels, predProbs: ProbMatrix, options: CommonIssuesOptions = {}): MultiLabelClassRow[] {
  const Y = checkMultiLabels(labels, predProbs);
  const common = multilabelCommonIssues(labels, predProbs, options);
  return rankFromCommon(common, Y, labels.length, predProbs.cols, options.classNames);
}

function rankFromCommon(common: readonly CommonIssueRow[], Y: Uint8Array, n: number, K: number, names?: readonly string[]): MultiLabelClassRow[] {
  const order: number[] = [];
  for (const r of common) if (!order.includes(r.classIndex)) order.push(r.classIndex);
  const rows = order.map((c) => {
    const t = common.find((r) => r.classIndex === c && r.inGivenLabel)!;
    const f = common.find((r) => r.classIndex === c && !r.inGivenLabel)!;
    let nc = 0;
    for (let i = 0; i < n; i++) nc += Y[i * K + c]!;
    const row: MultiLabelClassRow = {
      classIndex: c,
      labelIssues: t.numExamples,
      inverseLabelIssues: f.numExamples,
      labelNoise: t.issueProbability,
      inverseLabelNoise: f.issueProbability,
      labelQuality: 1 - t.issueProbability,
      labelNoiseWithinClass: nc === 0 ? 0 : t.numExamples / nc,
      inverseLabelNoiseWithinClass: n - nc === 0 ? 0 : f.numExamples / (n - nc),
    };
    return names ? { className: names[c]!, ...row } : row;
  });
  return rows.map((r, i) => ({ r, i })).sort((a, b) => a.r.labelQuality - b.r.labelQuality || a.i - b.i).map((x) => x.r);
}

/** `1 − flagged / N` with the default flagging (§7.4). */
export function multilabelOverallHealthScore(labels: MultiLabels, predProbs: ProbMatrix, options: { confidentJoint?: PerClassJoints } = {}): number {
  const mask = multilabelFindLabelIssues(labels, predProbs, options);
  let f = 0;
  for (const v of mask) f += v;
  return labels.length === 0 ? 1 : 1 - f / labels.length;
}

/** cleanlab's multi-label `health_summary` (§7.4). */
export interface MultiLabelHealthSummary {
  overallMultilabelHealthScore: number;
  classesByMultilabelQuality: MultiLabelClassRow[];
  commonMultilabelIssues: CommonIssueRow[];
}

/** The multi-label health summary (§7.4): overall score, class ranking and the common-issues table. */
export function multilabelHealthSummary(labels: MultiLabels, predProbs: ProbMatrix, options: CommonIssuesOptions = {}): MultiLabelHealthSummary {
  const Y = checkMultiLabels(labels, predProbs);
  const common = multilabelCommonIssues(labels, predProbs, options);
  return {
    overallMultilabelHealthScore: multilabelOverallHealthScore(labels, predProbs, options.confidentJoint ? { confidentJoint: options.confidentJoint } : {}),
    classesByMultilabelQuality: rankFromCommon(common, Y, labels.length, predProbs.cols, options.classNames),
    commonMultilabelIssues: common,
  };
}

/** Options of {@link multilabelQualityScores}. */
export interface MultiLabelScoreOptions {
  method?: LabelQualityMethod;
  adjustPredProbs?: boolean;
  aggregator?: AggregatorOptions;
}

/** Per-example multi-label quality scores (§7.5): per-class binary scores aggregated by EMA (α 0.8) or softmin. */
export function multilabelQualityScores(labels: MultiLabels, predProbs: ProbMatrix, options: MultiLabelScoreOptions = {}): Float64Array {
  checkMultiLabels(labels, predProbs);
  return getMultiLabelQualityScores(labels, predProbs, options);
}

/** Per-class binary scores, N×K (§7.5): with self-confidence `P[i][c]` if c ∈ y_i else `1 − P[i][c]`. */
export function multilabelQualityScoresPerClass(labels: MultiLabels, predProbs: ProbMatrix, options: Omit<MultiLabelScoreOptions, "aggregator"> = {}): Float64Array {
  checkMultiLabels(labels, predProbs);
  return getMultiLabelClassScores(labels, predProbs, options);
}

/** The multi-label correction table (§4.2): common-issue rows with examples, and the suggested sets of flagged examples. */
export interface MultiLabelCorrectionTable {
  rows: CommonIssueRow[];
  /** Flagged examples, ascending. */
  flagged: number[];
  /** Suggested set per flagged example, aligned with `flagged`. */
  suggested: number[][];
  /** The given set per flagged example, aligned with `flagged`. */
  given: number[][];
}

/** Build the multi-label correction table from the per-class mask (default flagging). */
export function multilabelCorrections(labels: MultiLabels, predProbs: ProbMatrix, options: CommonIssuesOptions = {}): MultiLabelCorrectionTable {
  const Y = checkMultiLabels(labels, predProbs);
  const K = predProbs.cols;
  checkClassNames(options.classNames, K);
  const mask = findMultiLabelIssuesPerClass(labels, predProbs, flagOpts({ ...(options.confidentJoint ? { confidentJoint: options.confidentJoint } : {}) }, K));
  const rows = commonFromMask(Y, mask, labels.length, K, options.classNames).filter((r) => r.numExamples > 0);
  const sets = multilabelSuggestedSets(labels, mask, K);
  const flagged: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let c = 0; c < K; c++) {
      if (mask[i * K + c]) {
        flagged.push(i);
        break;
      }
    }
  }
  return { rows, flagged, suggested: flagged.map((i) => sets[i]!), given: flagged.map((i) => [...new Set(labels[i]!)].sort((a, b) => a - b)) };
}
