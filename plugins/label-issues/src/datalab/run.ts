import { invalidInput } from "../errors.js";
import { type FeatureMatrix, type GraphMetric, type NeighborGraph, buildKnnGraph } from "../knn-graph.js";
import type { ProbMatrix, WarningSink } from "../types.js";
import { checkLabels } from "../validate.js";
import {
  classImbalanceCheck,
  dataValuationCheck,
  labelCheck,
  nearDuplicateCheck,
  nonIidCheck,
  nullCheck,
  outlierCheck,
  underperformingGroupCheck,
} from "./checks.js";
import type { CheckResult, IssueType } from "./types.js";

/** Hyper-parameters accepted per check by {@link findIssues} (`issueTypes[name]`). */
export interface IssueTypeParams {
  k?: number;
  metric?: GraphMetric;
  threshold?: number;
  t?: number;
  scalingFactor?: number;
  numPermutations?: number;
  seed?: number;
  significanceThreshold?: number;
  clusterIds?: ArrayLike<number>;
  eps?: number;
  minSamples?: number;
  minClusterSamples?: number;
  minExamplesPerClass?: number;
}

/** Inputs of {@link findIssues} (cleanlab `Datalab.find_issues`). */
export interface FindIssuesInput {
  /** Class index per example (omit for unlabeled data). */
  labels?: ArrayLike<number>;
  predProbs?: ProbMatrix;
  /** Numeric features / embeddings (NaN marks a null cell for the null check). */
  features?: FeatureMatrix;
  /** A precomputed kNN graph, used as is by every graph check. */
  knnGraph?: NeighborGraph;
  classNames?: readonly string[];
  /** Checks to run, in order, with their hyper-parameters; default: every default check whose inputs exist. */
  issueTypes?: Partial<Record<IssueType, IssueTypeParams>>;
  onWarning?: WarningSink;
}

/** One row of the issue summary. */
export interface IssueSummaryRow {
  issueType: IssueType;
  score: number;
  numIssues: number;
}

/** Everything a Datalab run produces. */
export interface DatalabResult {
  readonly numExamples: number;
  readonly classNames: readonly string[] | undefined;
  /** Completed checks in run order. */
  readonly checks: readonly CheckResult[];
  /** The issue summary (`get_issue_summary()`). */
  readonly summary: readonly IssueSummaryRow[];
  /** Checks that failed, with the reason. */
  readonly failed: readonly { issueType: IssueType; message: string }[];
  /** Mean of the summary scores. */
  readonly healthScore: number | null;
}

const DEFAULT_ORDER: IssueType[] = ["null", "label", "outlier", "near_duplicate", "non_iid", "class_imbalance", "underperforming_group"];

/** Which checks a default run selects from the available inputs (cleanlab §1.2). */
export function selectIssueTypes(input: FindIssuesInput): IssueType[] {
  const f = input.features !== undefined;
  const p = input.predProbs !== undefined;
  const g = input.knnGraph !== undefined;
  const l = input.labels !== undefined;
  const out: IssueType[] = [];
  for (const name of DEFAULT_ORDER) {
    if (name === "null" && f) out.push(name);
    if (name === "label" && l && (p || f)) out.push(name);
    if (name === "outlier" && (f || g || (p && l))) out.push(name);
    if (name === "near_duplicate" && (f || g)) out.push(name);
    if (name === "non_iid" && (p || f || g)) out.push(name);
    if (name === "class_imbalance" && l) out.push(name);
    if (name === "underperforming_group" && l && p && (f || g)) out.push(name);
  }
  return out;
}

/**
 * Run the Datalab checks (cleanlab `Datalab.find_issues` on classification data). One kNN graph is
 * built from the features and shared by every check that can reuse it; a failing check is reported in
 * `failed` and left out of the summary, as cleanlab does.
 */
export async function findIssues(input: FindIssuesInput): Promise<DatalabResult> {
  const n = input.labels?.length ?? input.predProbs?.rows ?? input.features?.rows ?? input.knnGraph?.rows;
  if (n === undefined) throw invalidInput("findIssues needs labels, pred_probs, features or a kNN graph");
  const labels = input.labels !== undefined ? checkLabels(input.labels, n, input.predProbs?.cols) : undefined;
  const requested = input.issueTypes ? (Object.keys(input.issueTypes) as IssueType[]) : selectIssueTypes(input);
  const warn = input.onWarning ?? (() => {});
  let stored: NeighborGraph | undefined;
  const graphFor = async (params: IssueTypeParams): Promise<{ graph: NeighborGraph; built: boolean } | undefined> => {
    if (input.knnGraph) return { graph: input.knnGraph, built: false };
    const k = params.k ?? 10;
    if (stored && stored.k >= k && (params.metric === undefined || params.metric === stored.metric)) return { graph: stored, built: false };
    if (!input.features) return undefined;
    const graph = await buildKnnGraph(input.features, { k, ...(params.metric ? { metric: params.metric } : {}) });
    if (!stored || graph.k > stored.k || (params.metric !== undefined && params.metric !== stored.metric)) stored = graph;
    return { graph, built: true };
  };
  const checks: CheckResult[] = [];
  const failed: { issueType: IssueType; message: string }[] = [];
  for (const name of requested) {
    const params: IssueTypeParams = input.issueTypes?.[name] ?? {};
    try {
      const res = await runOne(name, params, input, labels, graphFor, warn);
      if (res) checks.push(res);
    } catch (error) {
      failed.push({ issueType: name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  const summary = checks.map((c) => ({ issueType: c.issueType, score: c.score, numIssues: c.numIssues }));
  const healthScore = summary.length ? summary.reduce((a, r) => a + r.score, 0) / summary.length : null;
  return { numExamples: n, classNames: input.classNames, checks, summary, failed, healthScore };
}

async function runOne(
  name: IssueType,
  params: IssueTypeParams,
  input: FindIssuesInput,
  labels: Int32Array | undefined,
  graphFor: (p: IssueTypeParams) => Promise<{ graph: NeighborGraph; built: boolean } | undefined>,
  warn: WarningSink,
): Promise<CheckResult | undefined> {
  const needLabels = (): Int32Array => {
    if (!labels) throw invalidInput(`the ${name} check needs labels`);
    return labels;
  };
  switch (name) {
    case "null":
      if (!input.features) throw invalidInput("the null check needs features");
      return nullCheck({ features: input.features });
    case "label":
      if (!labels) {
        warn("no labels: the label check is skipped");
        return undefined;
      }
      return labelCheck({
        labels,
        ...(input.predProbs ? { predProbs: input.predProbs } : {}),
        ...(input.features ? { features: input.features } : {}),
        ...(params.k !== undefined ? { k: params.k } : {}),
        ...(params.minExamplesPerClass !== undefined ? { minExamplesPerClass: params.minExamplesPerClass } : {}),
        ...(input.classNames ? { classNames: input.classNames } : {}),
      });
    case "outlier": {
      const g = input.features || input.knnGraph ? await graphFor(params) : undefined;
      return outlierCheck({
        ...(g ? { graph: g.graph, metricKnown: g.built } : {}),
        ...(input.predProbs ? { predProbs: input.predProbs } : {}),
        ...(labels ? { labels } : {}),
        ...(params.threshold !== undefined ? { threshold: params.threshold } : {}),
        ...(params.t !== undefined ? { t: params.t } : {}),
        ...(params.scalingFactor !== undefined ? { scalingFactor: params.scalingFactor } : {}),
      });
    }
    case "near_duplicate": {
      const g = await graphFor(params);
      if (!g) throw invalidInput("the near_duplicate check needs features or a kNN graph");
      return nearDuplicateCheck({ graph: g.graph, ...(params.threshold !== undefined ? { threshold: params.threshold } : {}), onWarning: warn });
    }
    case "non_iid": {
      let g = (await graphFor(params))?.graph;
      if (!g) {
        if (!input.predProbs) throw invalidInput("the non_iid check needs features, a kNN graph or pred_probs");
        g = await buildKnnGraph(input.predProbs, { k: params.k ?? 10, ...(params.metric ? { metric: params.metric } : {}) });
      }
      return nonIidCheck({
        graph: g,
        ...(params.numPermutations !== undefined ? { numPermutations: params.numPermutations } : {}),
        ...(params.seed !== undefined ? { seed: params.seed } : {}),
        ...(params.significanceThreshold !== undefined ? { significanceThreshold: params.significanceThreshold } : {}),
      });
    }
    case "class_imbalance":
      if (!labels) return undefined;
      return classImbalanceCheck({
        labels,
        ...(input.classNames ? { classNames: input.classNames } : {}),
        ...(params.threshold !== undefined ? { threshold: params.threshold } : {}),
      });
    case "underperforming_group": {
      if (!input.predProbs) throw invalidInput("the underperforming_group check needs pred_probs");
      const g = params.clusterIds ? undefined : await graphFor(params);
      return underperformingGroupCheck({
        labels: needLabels(),
        predProbs: input.predProbs,
        ...(g ? { graph: g.graph } : {}),
        ...(params.clusterIds ? { clusterIds: params.clusterIds } : {}),
        ...(params.threshold !== undefined ? { threshold: params.threshold } : {}),
        ...(params.eps !== undefined ? { eps: params.eps } : {}),
        ...(params.minSamples !== undefined ? { minSamples: params.minSamples } : {}),
        ...(params.minClusterSamples !== undefined ? { minClusterSamples: params.minClusterSamples } : {}),
      });
    }
    case "data_valuation": {
      const g = await graphFor(params);
      if (!g) throw invalidInput("the data_valuation check needs features or a kNN graph");
      return dataValuationCheck({
        labels: needLabels(),
        graph: g.graph,
        ...(params.k !== undefined ? { k: params.k } : {}),
        ...(params.threshold !== undefined ? { threshold: params.threshold } : {}),
      });
    }
    default:
      throw invalidInput(`unknown issue type "${String(name)}"`);
  }
}
