import {
  calibrateConfidentJoint,
  estimateJoint,
  findOverlappingClasses as liOverlaps,
  numLabelIssues,
  rankClassesByLabelQuality as liRank,
} from "@assay/label-issues";
import { roundHalfEven } from "@assay/math";
import { invalidInput } from "./errors.js";
import { type ProbMatrix, checkClassNames, checkLabels, checkMatrix, flatSquare, isMultiLabel, toRows } from "./validate.js";

/** A K×K matrix: rows (`number[][]`) or flat row-major. */
export type SquareInput = ArrayLike<number> | readonly (readonly number[])[];

/**
 * Inputs of the class-level summaries (dataset-insights §2.1). Three modes: labels + predProbs; a joint
 * + numExamples; a confident joint (calibrated against labels when labels are given).
 */
export interface JointInput {
  /** Given labels, one class index per example. */
  labels?: ArrayLike<number>;
  /** Out-of-sample predicted probabilities, N×K. */
  predProbs?: ProbMatrix;
  /** The K×K joint of (given, true) label summing to 1; used as is. */
  joint?: SquareInput;
  /** A K×K confident joint (counts). */
  confidentJoint?: SquareInput;
  /** N; default the number of labels, else the confident joint's total. */
  numExamples?: number;
  /** One name per class (length must equal K). */
  classNames?: readonly string[];
  /**
   * `num_label_issues` computed elsewhere (e.g. by a chunked label-issues pass over pred_probs that is
   * never resident): with a joint or confident joint, the overall score becomes `1 − numLabelIssues / N`,
   * as in the labels + predProbs mode. Ignored when labels and predProbs are both given.
   */
  numLabelIssues?: number;
}

/** One row of {@link rankClassesByLabelQuality} (cleanlab `rank_classes_by_label_quality`). */
export interface ClassQualityRow {
  className?: string;
  classIndex: number;
  /** Examples labelled this class that truly belong to another: `round((r_k − d_k)·N)`. */
  labelIssues: number;
  /** Examples truly of this class labelled otherwise: `round((c_k − d_k)·N)`. */
  inverseLabelIssues: number;
  labelNoise: number;
  inverseLabelNoise: number;
  /** `1 − labelNoise`; ranks classes, not a calibrated probability. */
  labelQuality: number;
}

/** One row of {@link findOverlappingClasses} (cleanlab `find_overlapping_classes`). */
export interface OverlapRow {
  classNameA?: string;
  classNameB?: string;
  classIndexA: number;
  classIndexB: number;
  /** `round(p·N)`. */
  numOverlapping: number;
  /** `J[a][b] + J[b][a]` (symmetric) or `J[a][b]` (asymmetric). */
  jointProbability: number;
}

/** The overall health score with the counts behind it. */
export interface HealthScore {
  score: number;
  numIssues: number;
  numExamples: number;
}

/** {@link healthSummary}: cleanlab's four keys plus the counts and names they came from. */
export interface HealthSummary {
  overallLabelHealthScore: number;
  numIssues: number;
  numExamples: number;
  /** K×K joint of (given row, true column). */
  joint: number[][];
  classesByLabelQuality: ClassQualityRow[];
  overlappingClasses: OverlapRow[];
  classNames?: string[];
}

/** The resolved joint: flat K×K `J`, K and N (dataset-insights §2.1). */
export interface ResolvedJoint {
  J: Float64Array;
  K: number;
  N: number;
}

/** Resolve a {@link JointInput} into the joint `J`, K and N by the rules of dataset-insights §2.1. */
export function resolveJoint(input: JointInput): ResolvedJoint {
  if (input.labels !== undefined && isMultiLabel(input.labels)) {
    throw invalidInput("labels is a list of lists (multi-label); use multilabelHealthSummary / multilabelRankClasses (dataset-insights §7)");
  }
  let J: Float64Array;
  let K: number;
  let supplied: { data: Float64Array; K: number } | undefined;
  if (input.confidentJoint !== undefined) supplied = flatSquare(input.confidentJoint, "confidentJoint");
  if (input.joint !== undefined) {
    ({ data: J, K } = flatSquare(input.joint, "joint"));
  } else if (input.labels !== undefined && input.predProbs !== undefined) {
    K = checkMatrix(input.predProbs);
    checkLabels(input.labels, K, input.predProbs.rows);
    if (supplied && supplied.K !== K) throw invalidInput(`confidentJoint is ${supplied.K}×${supplied.K} but predProbs has ${K} columns`);
    J = estimateJoint(input.labels, input.predProbs, supplied ? { confidentJoint: supplied.data } : {});
  } else if (supplied !== undefined) {
    K = supplied.K;
    const C = input.labels !== undefined ? (checkLabels(input.labels, K), calibrateConfidentJoint(supplied.data, input.labels, K)) : supplied.data;
    J = normalize(C);
  } else {
    throw invalidInput("class health needs labels + predProbs, a joint (+ numExamples), or a confidentJoint");
  }
  let N: number | undefined = input.numExamples ?? input.labels?.length;
  if (N === undefined && supplied !== undefined) N = sum(supplied.data);
  if (N === undefined) throw invalidInput("a joint without labels needs numExamples (N) to turn probabilities into counts", { option: "numExamples" });
  if (!(Number.isFinite(N) && N > 0)) throw invalidInput(`numExamples must be > 0 (got ${N})`, { option: "numExamples" });
  checkClassNames(input.classNames, K);
  return { J, K, N };
}

function sum(m: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i]!;
  return s;
}

function normalize(C: ArrayLike<number>): Float64Array {
  const d = Math.max(sum(C), 1e-100);
  // a plain loop: Float64Array.from with a map function goes through the iterator protocol (~1 s at K = 1000)
  const out = new Float64Array(C.length);
  for (let i = 0; i < C.length; i++) out[i] = C[i]! / d;
  return out;
}


/** Per-class label quality from a resolved joint (used for classes and for ontology units). */
export function rankFromJoint(J: Float64Array, N: number, names?: readonly string[]): ClassQualityRow[] {
  return liRank({ joint: J, numExamples: N, ...(names ? { classNames: names } : {}) }).map((r) => {
    const row: ClassQualityRow = {
      classIndex: r.classIndex,
      labelIssues: r.labelIssues,
      inverseLabelIssues: r.inverseLabelIssues,
      labelNoise: r.labelNoise,
      inverseLabelNoise: r.inverseLabelNoise,
      labelQuality: r.labelQualityScore,
    };
    return names ? { className: names[r.classIndex]!, ...row } : row;
  });
}

/** Overlap rows from a resolved joint (used for classes and for ontology units). */
export function overlapsFromJoint(J: Float64Array, N: number, asymmetric: boolean, names?: readonly string[]): OverlapRow[] {
  // rows are built directly (no spread): K = 1000 gives 499,500 of them
  return liOverlaps({ joint: J, numExamples: N, asymmetric }).map((r): OverlapRow =>
    names
      ? {
          classNameA: names[r.classIndexA]!,
          classNameB: names[r.classIndexB]!,
          classIndexA: r.classIndexA,
          classIndexB: r.classIndexB,
          numOverlapping: r.numOverlappingExamples,
          jointProbability: r.jointProbability,
        }
      : { classIndexA: r.classIndexA, classIndexB: r.classIndexB, numOverlapping: r.numOverlappingExamples, jointProbability: r.jointProbability },
  );
}

/**
 * Classes ranked by label quality, worst first (dataset-insights §2.2): K rows sorted by `labelQuality`
 * ascending, ties by class index.
 */
export function rankClassesByLabelQuality(input: JointInput): ClassQualityRow[] {
  const { J, N } = resolveJoint(input);
  return rankFromJoint(J, N, input.classNames);
}

/**
 * Pairs of classes the joint says are confused (dataset-insights §3), by joint probability descending
 * (stable). Symmetric: K(K−1)/2 rows `J[a][b] + J[b][a]`; `asymmetric: true`: K(K−1) rows `J[a][b]`.
 */
export function findOverlappingClasses(input: JointInput & { asymmetric?: boolean }): OverlapRow[] {
  const { J, N } = resolveJoint(input);
  return overlapsFromJoint(J, N, input.asymmetric ?? false, input.classNames);
}

/**
 * One number for the dataset (dataset-insights §2.3): with labels and predProbs `1 − num_label_issues / N`;
 * with a precomputed `numLabelIssues` the same formula; otherwise `trace(J)` with `numIssues = round(N·(1 − trace))`.
 */
export function overallLabelHealthScore(input: JointInput): HealthScore {
  if (input.labels !== undefined && input.predProbs !== undefined) {
    const K = checkMatrix(input.predProbs);
    checkLabels(input.labels, K, input.predProbs.rows);
    checkClassNames(input.classNames, K);
    const numIssues = numLabelIssues(input.labels, input.predProbs);
    const N = input.numExamples ?? input.labels.length;
    return { score: 1 - numIssues / N, numIssues, numExamples: N };
  }
  const { J, K, N } = resolveJoint(input);
  if (input.numLabelIssues !== undefined) {
    const m = input.numLabelIssues;
    if (!Number.isInteger(m) || m < 0 || m > N) throw invalidInput(`numLabelIssues must be a whole number in 0…${N} (got ${m})`, { option: "numLabelIssues" });
    return { score: 1 - m / N, numIssues: m, numExamples: N };
  }
  let t = 0;
  for (let k = 0; k < K; k++) t += J[k * K + k]!;
  return { score: t, numIssues: roundHalfEven(N * (1 - t)), numExamples: N };
}

/**
 * cleanlab's `health_summary` (dataset-insights §2.4): the overall score, the joint, per-class quality
 * and the overlapping classes, all from the same joint and N.
 */
export function healthSummary(input: JointInput & { asymmetric?: boolean }): HealthSummary {
  const { J, K, N } = resolveJoint(input);
  const score = overallLabelHealthScore(input);
  const out: HealthSummary = {
    overallLabelHealthScore: score.score,
    numIssues: score.numIssues,
    numExamples: score.numExamples,
    joint: toRows(J, K),
    classesByLabelQuality: rankFromJoint(J, N, input.classNames),
    overlappingClasses: overlapsFromJoint(J, N, input.asymmetric ?? false, input.classNames),
  };
  if (input.classNames) out.classNames = [...input.classNames];
  return out;
}

