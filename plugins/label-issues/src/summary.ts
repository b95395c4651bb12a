import { roundHalfEven } from "@assay/math";
import { jointOf, numIssuesOf } from "./confident-learning.js";
import { invalidInput } from "./errors.js";
import type { LabelsInput, ProbMatrix } from "./types.js";
import { checkInputs } from "./validate.js";

/** One row of {@link rankClassesByLabelQuality}. */
export interface ClassLabelQuality {
  className?: string;
  classIndex: number;
  labelIssues: number;
  inverseLabelIssues: number;
  labelNoise: number;
  inverseLabelNoise: number;
  labelQualityScore: number;
}

/** One row of {@link findOverlappingClasses}. */
export interface OverlappingClasses {
  classNameA?: string;
  classNameB?: string;
  classIndexA: number;
  classIndexB: number;
  numOverlappingExamples: number;
  jointProbability: number;
}

/** Inputs of the dataset-level summaries: labels + pred_probs, or a precomputed joint. */
export interface SummaryInput {
  labels?: LabelsInput;
  predProbs?: ProbMatrix;
  /** K×K joint distribution (sums to 1). */
  joint?: ArrayLike<number>;
  /** K×K confident joint (counts); used when no joint is given. */
  confidentJoint?: ArrayLike<number>;
  /** Number of examples (default: number of labels, or the confident joint's total). */
  numExamples?: number;
  classNames?: readonly string[];
}

function resolve(input: SummaryInput): { J: Float64Array; K: number; N: number } {
  if (input.joint !== undefined) {
    const K = sqrtK(input.joint.length, "joint");
    const N = input.numExamples ?? input.labels?.length;
    if (N === undefined) throw invalidInput("numExamples (or labels) is required with a precomputed joint");
    return { J: Float64Array.from(input.joint), K, N };
  }
  if (input.labels !== undefined && input.predProbs !== undefined) {
    const c = checkInputs(input.labels, input.predProbs, { allowOneClass: true });
    return { J: jointOf(c, input.confidentJoint), K: c.K, N: input.numExamples ?? c.n };
  }
  if (input.confidentJoint !== undefined) {
    const K = sqrtK(input.confidentJoint.length, "confident_joint");
    let total = 0;
    for (let i = 0; i < input.confidentJoint.length; i++) total += input.confidentJoint[i]!;
    const J = Float64Array.from(input.confidentJoint, (v) => v / Math.max(total, 1e-100));
    return { J, K, N: input.numExamples ?? total };
  }
  throw invalidInput("give labels and pred_probs, a joint, or a confident_joint");
}

function sqrtK(len: number, name: string): number {
  const K = Math.round(Math.sqrt(len));
  if (K * K !== len) throw invalidInput(`${name} has ${len} values; expected K×K`);
  return K;
}

/** Per-class label noise, sorted by label quality ascending (cleanlab `dataset.rank_classes_by_label_quality`). */
export function rankClassesByLabelQuality(input: SummaryInput): ClassLabelQuality[] {
  const { J, K, N } = resolve(input);
  const rows: ClassLabelQuality[] = [];
  for (let k = 0; k < K; k++) {
    let rs = 0;
    let cs = 0;
    for (let j = 0; j < K; j++) {
      rs += J[k * K + j]!;
      cs += J[j * K + k]!;
    }
    const d = J[k * K + k]!;
    const noise = (rs - d) / Math.max(rs, 1e-6);
    const row: ClassLabelQuality = {
      classIndex: k,
      labelIssues: roundHalfEven((rs - d) * N),
      inverseLabelIssues: roundHalfEven((cs - d) * N),
      labelNoise: noise,
      inverseLabelNoise: (cs - d) / Math.max(cs, 1e-6),
      labelQualityScore: 1 - noise,
    };
    if (input.classNames) row.className = input.classNames[k] ?? String(k);
    rows.push(row);
  }
  return rows.map((r, i) => ({ r, i })).sort((a, b) => a.r.labelQualityScore - b.r.labelQualityScore || a.i - b.i).map((x) => x.r);
}

/** Pairs of classes that the joint says are confused (cleanlab `dataset.find_overlapping_classes`). */
export function findOverlappingClasses(input: SummaryInput & { asymmetric?: boolean }): OverlappingClasses[] {
  const { J, K, N } = resolve(input);
  const rows: OverlappingClasses[] = [];
  for (let a = 0; a < K; a++) {
    for (let b = input.asymmetric ? 0 : a + 1; b < K; b++) {
      if (a === b) continue;
      const p = input.asymmetric ? J[a * K + b]! : J[a * K + b]! + J[b * K + a]!;
      const row: OverlappingClasses = { classIndexA: a, classIndexB: b, numOverlappingExamples: roundHalfEven(p * N), jointProbability: p };
      if (input.classNames) {
        row.classNameA = input.classNames[a] ?? String(a);
        row.classNameB = input.classNames[b] ?? String(b);
      }
      rows.push(row);
    }
  }
  return rows.map((r, i) => ({ r, i })).sort((x, y) => y.r.jointProbability - x.r.jointProbability || x.i - y.i).map((x) => x.r);
}

/** One number for the whole dataset: `1 − num_label_issues / N`, or `trace(joint)` without pred_probs. */
export function overallLabelHealthScore(input: SummaryInput): number {
  if (input.labels !== undefined && input.predProbs !== undefined) {
    const c = checkInputs(input.labels, input.predProbs, { allowOneClass: true });
    return 1 - numIssuesOf(c) / c.n;
  }
  const { J, K } = resolve(input);
  let t = 0;
  for (let k = 0; k < K; k++) t += J[k * K + k]!;
  return t;
}

/** cleanlab `dataset.health_summary`: the overall score, the joint, per-class quality and overlapping classes. */
export function healthSummary(input: SummaryInput): {
  overallLabelHealthScore: number;
  joint: Float64Array;
  classesByLabelQuality: ClassLabelQuality[];
  overlappingClasses: OverlappingClasses[];
} {
  const { J } = resolve(input);
  return {
    overallLabelHealthScore: overallLabelHealthScore(input),
    joint: J,
    classesByLabelQuality: rankClassesByLabelQuality(input),
    overlappingClasses: findOverlappingClasses(input),
  };
}
