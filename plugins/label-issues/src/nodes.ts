import {
  AssayError,
  artifacts,
  defineDetector,
  defineExtractor,
  type Dataset,
  type FindingInput,
  type Float32Matrix,
  type NodeContext,
  z,
} from "@assay/core";
import { crossValPredictProbaParallel, fitLogisticRegression } from "@assay/math";
import {
  classImbalanceCheck,
  dataValuationCheck,
  dbscanOnGraph,
  labelCheck,
  nearDuplicateCheck,
  nonIidCheck,
  nullCheck,
  outlierCheck,
  underperformingGroupCheck,
} from "./datalab/checks.js";
import { type CheckResult, type IssueType, checkResult } from "./datalab/types.js";
import { PLUGIN_NAME } from "./errors.js";
import { type NeighborGraph, buildKnnGraph } from "./knn-graph.js";
import { findMultiLabelIssues, getMultiLabelQualityScores } from "./multilabel.js";
import { argmaxRow } from "./scores.js";
import type { ProbMatrix } from "./types.js";

const VERSION = "0.1.0";

/** The result every Datalab-style detector stores in the report (`report.results[name].result`). */
export type DatalabDetectorResult = CheckResult;

// ───────────────────────────── extractors ─────────────────────────────

/**
 * Extractor: out-of-sample `artifacts.predProbs` from `artifacts.embeddings` by stratified k-fold
 * cross-validated multinomial logistic regression (@assay/math `crossValPredictProbaParallel`: folds on
 * up to `ctx.concurrency` worker threads, bit-identical to `crossValPredictProba`). Unlabelled rows are
 * predicted by a model fitted on every labelled row.
 */
export const crossValPredProbs = defineExtractor({
  name: "cross-val-pred-probs",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Cross-validated predicted probabilities from the embeddings (stratified 5-fold multinomial logistic regression)",
  options: z.object({
    folds: z.number().int().min(2).default(5),
    seed: z.number().int().min(0).default(0),
    /** Inverse L2 regularisation strength. */
    C: z.number().positive().default(1),
    maxIter: z.number().int().min(1).default(100),
  }),
  needs: [artifacts.embeddings],
  provides: artifacts.predProbs,
  async run(ctx, inputs, options): Promise<Float32Matrix> {
    const emb = checkRows(inputs.embeddings, ctx.dataset, "embeddings", "cross-val-pred-probs");
    const { labels, classes } = ctx.dataset;
    if (ctx.dataset.task !== "classification") {
      throw new AssayError("INVALID_INPUT", `cross-val-pred-probs needs a classification dataset (got task "${ctx.dataset.task}")`, {
        plugin: PLUGIN_NAME,
        node: "cross-val-pred-probs",
      });
    }
    const K = classes.length;
    const labelled: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) labelled.push(i);
    // folds on worker threads (bit-identical to crossValPredictProba), as many as the pipeline's concurrency
    const cvOpts = {
      folds: options.folds,
      seed: options.seed,
      C: options.C,
      maxIter: options.maxIter,
      numClasses: K,
      workers: Math.min(ctx.concurrency, options.folds),
      signal: ctx.signal,
      onProgress: (done: number, total: number) => ctx.progress(done, total),
    };
    if (labelled.length === labels.length) return crossValPredictProbaParallel(emb, labels, cvOpts);
    const d = emb.cols;
    const sub = (rows: number[]): Float32Matrix => {
      const data = new Float32Array(rows.length * d);
      rows.forEach((r, j) => data.set(emb.data.subarray(r * d, (r + 1) * d), j * d));
      return { rows: rows.length, cols: d, data };
    };
    const yl = Int32Array.from(labelled, (i) => labels[i]!);
    const cv = await crossValPredictProbaParallel(sub(labelled), yl, cvOpts);
    const out = new Float32Array(labels.length * K);
    labelled.forEach((r, j) => out.set(cv.data.subarray(j * K, (j + 1) * K), r * K));
    const unl = Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i]! < 0);
    if (unl.length > 0) {
      const model = fitLogisticRegression(sub(labelled), yl, { C: options.C, maxIter: options.maxIter, classes: K });
      const p = model.predictProba(sub(unl));
      unl.forEach((r, j) => out.set(p.data.subarray(j * K, (j + 1) * K), r * K));
    }
    return { rows: labels.length, cols: K, data: out };
  },
});

function checkRows<M extends { rows: number }>(m: M, dataset: Dataset, name: string, node: string): M {
  if (m.rows !== dataset.size) {
    throw new AssayError("INVALID_INPUT", `${name} has ${m.rows} rows but dataset "${dataset.name}" has ${dataset.size} samples`, {
      plugin: PLUGIN_NAME,
      node,
      details: { rows: m.rows, size: dataset.size },
    });
  }
  return m;
}

// ───────────────────────────── helpers ─────────────────────────────

/** Rows with a label (≥ 0) and their labels; `all` when every row is labelled. */
function labelledRows(dataset: Dataset): { rows: Int32Array; labels: Int32Array; all: boolean } {
  const rows: number[] = [];
  for (let i = 0; i < dataset.size; i++) if (dataset.labels[i]! >= 0) rows.push(i);
  const r = Int32Array.from(rows);
  return { rows: r, labels: Int32Array.from(r, (i) => dataset.labels[i]!), all: rows.length === dataset.size };
}

function subsetRows(P: ProbMatrix, rows: Int32Array): ProbMatrix {
  const K = P.cols;
  const data = new Float64Array(rows.length * K);
  rows.forEach((r, j) => {
    for (let k = 0; k < K; k++) data[j * K + k] = P.data[r * K + k]!;
  });
  return { rows: rows.length, cols: K, data };
}

/** Spread a result on a subset of rows back to dataset rows (missing rows: score NaN, not flagged). */
function expand(res: CheckResult, rows: Int32Array, n: number): CheckResult {
  const scores = new Float64Array(n).fill(Number.NaN);
  const isIssue = new Uint8Array(n);
  rows.forEach((r, j) => {
    scores[r] = res.scores[j]!;
    isIssue[r] = res.isIssue[j]!;
  });
  return checkResult(res.issueType, scores, isIssue, res.score, { ...res.info, rows });
}

function needLabels(ctx: NodeContext, node: string): { rows: Int32Array; labels: Int32Array; all: boolean } {
  const l = labelledRows(ctx.dataset);
  if (l.rows.length === 0) {
    throw new AssayError("INVALID_INPUT", `${node} needs labels but dataset "${ctx.dataset.name}" has none`, { plugin: PLUGIN_NAME, node });
  }
  if (!l.all) ctx.warn(`${ctx.dataset.size - l.rows.length} unlabelled rows are left out of ${node}`);
  return l;
}

function className(ds: Dataset, k: number): string {
  return ds.classes[k] ?? String(k);
}

function perSample(res: CheckResult, severity: FindingInput["severity"], message: (i: number) => string, data?: (i: number) => Record<string, unknown>): FindingInput[] {
  const out: FindingInput[] = [];
  for (let i = 0; i < res.isIssue.length; i++) {
    if (!res.isIssue[i]) continue;
    out.push({ type: res.issueType, indices: [i], score: res.scores[i]!, severity, message: message(i), ...(data ? { data: data(i) } : {}) });
  }
  return out;
}

function summaryOf(res: CheckResult): Record<string, number | string | boolean | null> {
  return { issue_type: res.issueType, score: Number.isFinite(res.score) ? res.score : null, num_issues: res.numIssues };
}

function warnRowSums(ctx: NodeContext, P: ProbMatrix): void {
  const K = P.cols;
  for (let i = 0; i < P.rows; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += P.data[i * K + k]!;
    if (Math.abs(s - 1) > 1e-3) {
      ctx.warn(`pred_probs rows should sum to 1 (row ${i} sums to ${s.toFixed(4)}); scores assume probabilities`);
      return;
    }
  }
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));

// ───────────────────────────── detectors ─────────────────────────────

/**
 * Detector `label-issues` (Datalab `label` check): confident learning on cross-validated pred_probs.
 * Flags by `prune_by_noise_rate` with `min_examples_per_class = 10` (CleanLearning); per-sample score =
 * self-confidence; dataset score = 1 − num_label_issues / N. Multi-label datasets use the multi-label
 * search (score = EMA-aggregated self-confidence, dataset score = mean score).
 */
export const labelIssues = defineDetector({
  name: "label-issues",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Likely label errors by confident learning (cleanlab find_label_issues, Datalab label check)",
  options: z.object({
    minExamplesPerClass: z.number().int().min(0).default(10),
    scoreMethod: z.enum(["self_confidence", "normalized_margin", "confidence_weighted_entropy"]).default("self_confidence"),
  }),
  needs: [artifacts.predProbs],
  async run(ctx, inputs, options) {
    const P = inputs.pred_probs;
    checkRows(P, ctx.dataset, "pred_probs", "label-issues");
    warnRowSums(ctx, P);
    const ds = ctx.dataset;
    if (ds.task === "multilabel") {
      const ml = Array.from({ length: ds.size }, (_, i) => [...(ds.sample(i).labels ?? [])]);
      const mask = findMultiLabelIssues(ml, P);
      const scores = getMultiLabelQualityScores(ml, P);
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      const res = checkResult("label", scores, mask, mean, { given_label: ml });
      return {
        result: res,
        findings: perSample(res, "warning", (i) => `labels [${ml[i]!.map((k) => className(ds, k)).join(", ")}] are likely wrong (score ${fmt(scores[i]!)})`),
        summary: summaryOf(res),
      };
    }
    const l = needLabels(ctx, "label-issues");
    const sub = l.all ? P : subsetRows(P, l.rows);
    const raw = await labelCheck({
      labels: l.labels,
      predProbs: sub,
      minExamplesPerClass: options.minExamplesPerClass,
      scoreMethod: options.scoreMethod,
      classNames: ds.classes,
    });
    const res = l.all ? raw : expand(raw, l.rows, ds.size);
    const K = P.cols;
    const findings = perSample(
      res,
      "warning",
      (i) => {
        const pred = argmaxRow(P.data, i, K);
        return `label "${className(ds, ds.labels[i]!)}" is likely wrong; the model predicts "${className(ds, pred)}" (p=${fmt(P.data[i * K + pred]!)})`;
      },
      (i) => ({ given: ds.labels[i], predicted: argmaxRow(P.data, i, K), label_score: res.scores[i] }),
    );
    return { result: res, findings, summary: summaryOf(res) };
  },
});

/** Detector `datalab-outlier`: kNN-distance outlier scores on the shared graph, else entropy of adjusted pred_probs. */
export const datalabOutlier = defineDetector({
  name: "datalab-outlier",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Atypical examples: mean distance to the k nearest neighbours (or pred_probs entropy) — Datalab outlier check",
  options: z.object({
    threshold: z.number().min(0).optional(),
    t: z.number().positive().default(1),
    scalingFactor: z.number().positive().optional(),
  }),
  needs: [],
  wants: [artifacts.knn, artifacts.predProbs],
  async run(ctx, inputs, options) {
    const g = inputs.knn;
    let res: CheckResult;
    if (g) res = await outlierCheck({ graph: checkRows(g, ctx.dataset, "knn", "datalab-outlier"), ...opt(options) });
    else if (inputs.pred_probs) {
      const l = needLabels(ctx, "datalab-outlier");
      const P = checkRows(inputs.pred_probs, ctx.dataset, "pred_probs", "datalab-outlier");
      const raw = await outlierCheck({ predProbs: l.all ? P : subsetRows(P, l.rows), labels: l.labels, ...opt(options) });
      res = l.all ? raw : expand(raw, l.rows, ctx.dataset.size);
    } else {
      throw new AssayError("MISSING_PROVIDER", "datalab-outlier needs the knn graph (from embeddings) or pred_probs", { plugin: PLUGIN_NAME, node: "datalab-outlier" });
    }
    return { result: res, findings: perSample(res, "warning", (i) => `example is an outlier (score ${fmt(res.scores[i]!)})`), summary: summaryOf(res) };
  },
});

function opt(o: { threshold?: number | undefined; t: number; scalingFactor?: number | undefined }) {
  return { t: o.t, ...(o.threshold !== undefined ? { threshold: o.threshold } : {}), ...(o.scalingFactor !== undefined ? { scalingFactor: o.scalingFactor } : {}) };
}

/** Detector `datalab-near-duplicate`: sets of examples much closer to each other than typical nearest neighbours. */
export const datalabNearDuplicate = defineDetector({
  name: "datalab-near-duplicate",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Near-duplicate sets from the shared kNN graph — Datalab near_duplicate check",
  options: z.object({ threshold: z.number().default(0.13) }),
  needs: [artifacts.knn],
  async run(ctx, inputs, options) {
    const res = nearDuplicateCheck({ graph: checkRows(inputs.knn, ctx.dataset, "knn", "datalab-near-duplicate"), threshold: options.threshold, onWarning: (m) => ctx.warn(m) });
    const sets = res.info.near_duplicate_sets as number[][];
    const findings: FindingInput[] = [];
    for (let i = 0; i < sets.length; i++) {
      if (!res.isIssue[i]) continue;
      findings.push({
        type: "near_duplicate",
        indices: [i, ...sets[i]!],
        score: res.scores[i]!,
        severity: "warning",
        message: `example is a near duplicate of ${sets[i]!.map((j) => ctx.dataset.ids[j] ?? j).join(", ")}`,
        data: { near_duplicate_set: sets[i] },
      });
    }
    return { result: res, findings, summary: summaryOf(res) };
  },
});

/** Detector `datalab-non-iid`: permutation test on neighbour index distances (dataset order not i.i.d.). */
export const datalabNonIid = defineDetector({
  name: "datalab-non-iid",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Whether the dataset order is non-i.i.d. (kNN permutation test) — Datalab non_iid check",
  options: z.object({
    numPermutations: z.number().int().min(2).default(25),
    seed: z.number().int().min(0).default(0),
    significanceThreshold: z.number().min(0).max(1).default(0.05),
    k: z.number().int().min(1).default(10),
  }),
  needs: [],
  wants: [artifacts.knn, artifacts.predProbs],
  async run(ctx, inputs, options) {
    let graph: NeighborGraph | undefined = inputs.knn;
    if (!graph) {
      if (!inputs.pred_probs) {
        throw new AssayError("MISSING_PROVIDER", "datalab-non-iid needs the knn graph (from embeddings) or pred_probs", { plugin: PLUGIN_NAME, node: "datalab-non-iid" });
      }
      graph = await buildKnnGraph(checkRows(inputs.pred_probs, ctx.dataset, "pred_probs", "datalab-non-iid"), { k: options.k, signal: ctx.signal });
    }
    const res = nonIidCheck({ graph, numPermutations: options.numPermutations, seed: options.seed, significanceThreshold: options.significanceThreshold });
    const p = res.score;
    const findings: FindingInput[] = res.numIssues
      ? [{ type: "non_iid", indices: Array.from(res.isIssue.keys()).filter((i) => res.isIssue[i]), score: p, severity: "warning", message: `dataset order looks non-i.i.d. (p = ${p.toExponential(3)})`, data: { "p-value": p } }]
      : [];
    return { result: res, findings, summary: summaryOf(res) };
  },
});

/** Detector `datalab-class-imbalance`: the rarest class when its share is below threshold / K. */
export const datalabClassImbalance = defineDetector({
  name: "datalab-class-imbalance",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Rarest class far below a uniform share — Datalab class_imbalance check",
  options: z.object({ threshold: z.number().min(0).default(0.1) }),
  needs: [],
  async run(ctx, _inputs, options) {
    const l = needLabels(ctx, "datalab-class-imbalance");
    const raw = classImbalanceCheck({ labels: l.labels, threshold: options.threshold, classNames: ctx.dataset.classes });
    const res = l.all ? raw : expand(raw, l.rows, ctx.dataset.size);
    const flagged = Array.from(res.isIssue.keys()).filter((i) => res.isIssue[i]);
    const findings: FindingInput[] = flagged.length
      ? [{ type: "class_imbalance", indices: flagged, score: res.score, severity: "warning", message: `class "${String(res.info["Rarest Class"])}" has only ${flagged.length} examples (${(res.score * 100).toFixed(2)}%)` }]
      : [];
    return { result: res, findings, summary: summaryOf(res) };
  },
});

/** Detector `datalab-null`: rows of the embeddings/features that are entirely (or partly) NaN. */
export const datalabNull = defineDetector({
  name: "datalab-null",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Rows whose features are all null (NaN) — Datalab null check",
  options: z.object({}),
  needs: [artifacts.embeddings],
  async run(ctx, inputs) {
    const res = nullCheck({ features: checkRows(inputs.embeddings, ctx.dataset, "embeddings", "datalab-null") });
    return { result: res, findings: perSample(res, "error", () => "every feature of this example is null (NaN)"), summary: summaryOf(res) };
  },
});

/** Detector `datalab-underperforming-group`: a DBSCAN cluster (on the shared graph) where the model does much worse. */
export const datalabUnderperformingGroup = defineDetector({
  name: "datalab-underperforming-group",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "A cluster of examples with much lower self-confidence than the rest — Datalab underperforming_group check",
  options: z.object({
    threshold: z.number().default(0.1),
    eps: z.number().positive().default(0.5),
    minSamples: z.number().int().min(1).default(5),
    minClusterSamples: z.number().int().min(1).default(5),
  }),
  needs: [artifacts.predProbs, artifacts.knn],
  async run(ctx, inputs, options) {
    const P = checkRows(inputs.pred_probs, ctx.dataset, "pred_probs", "datalab-underperforming-group");
    const g = checkRows(inputs.knn, ctx.dataset, "knn", "datalab-underperforming-group");
    const ds = ctx.dataset;
    const l = needLabels(ctx, "datalab-underperforming-group");
    let res: CheckResult;
    if (l.all) {
      res = underperformingGroupCheck({
        labels: ds.labels,
        predProbs: P,
        graph: g,
        threshold: options.threshold,
        eps: options.eps,
        minSamples: options.minSamples,
        minClusterSamples: options.minClusterSamples,
      });
    } else {
      // cluster everything on the graph, then leave unlabelled rows out as noise (−1)
      const ids = dbscanOnGraph(g, options.eps, options.minSamples);
      const labelsOrZero = Int32Array.from(ds.labels, (v, i) => {
        if (v < 0) ids[i] = -1;
        return Math.max(v, 0);
      });
      res = underperformingGroupCheck({
        labels: labelsOrZero,
        predProbs: P,
        clusterIds: ids,
        threshold: options.threshold,
        minClusterSamples: options.minClusterSamples,
      });
      const scores = Float64Array.from(res.scores, (v, i) => (ds.labels[i]! < 0 ? Number.NaN : v));
      res = checkResult(res.issueType, scores, res.isIssue, res.score, res.info);
    }
    const flagged = Array.from(res.isIssue.keys()).filter((i) => res.isIssue[i]);
    const findings: FindingInput[] = flagged.length
      ? [{ type: "underperforming_group", indices: flagged, score: res.score, severity: "warning", message: `a cluster of ${flagged.length} examples has ${(res.score * 100).toFixed(1)}% of the average self-confidence` }]
      : [];
    return { result: res, findings, summary: summaryOf(res) };
  },
});

/** Detector `datalab-data-valuation`: KNN-Shapley value of each example (not in the default preset). */
export const datalabDataValuation = defineDetector({
  name: "datalab-data-valuation",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Examples that hurt a kNN classifier (KNN-Shapley < threshold) — Datalab data_valuation check",
  options: z.object({ k: z.number().int().min(1).default(10), threshold: z.number().default(0.5) }),
  needs: [artifacts.knn],
  async run(ctx, inputs, options) {
    const g = checkRows(inputs.knn, ctx.dataset, "knn", "datalab-data-valuation");
    needLabels(ctx, "datalab-data-valuation");
    const res = dataValuationCheck({ labels: ctx.dataset.labels, graph: g, k: options.k, threshold: options.threshold });
    return { result: res, findings: perSample(res, "info", (i) => `low data value (score ${fmt(res.scores[i]!)})`), summary: summaryOf(res) };
  },
});

/** Detector name → Datalab issue type. */
export const DETECTOR_ISSUE_TYPES: Readonly<Record<string, IssueType>> = {
  "label-issues": "label",
  "datalab-outlier": "outlier",
  "datalab-near-duplicate": "near_duplicate",
  "datalab-non-iid": "non_iid",
  "datalab-class-imbalance": "class_imbalance",
  "datalab-null": "null",
  "datalab-underperforming-group": "underperforming_group",
  "datalab-data-valuation": "data_valuation",
};

/** The `datalab` preset: cleanlab's default checks, in its order. */
export const DATALAB_PRESET = [
  "datalab-null",
  "label-issues",
  "datalab-outlier",
  "datalab-near-duplicate",
  "datalab-non-iid",
  "datalab-class-imbalance",
  "datalab-underperforming-group",
] as const;
