import { artifacts, defineArtifact, defineDetector, defineExtractor, z, type Dataset, type DetectorOutput, type FindingInput, type KnnGraph, type NodeContext } from "@assay/core";
import { estimateJoint, findLabelIssues, getMultiLabelQualityScores, numLabelIssues } from "@assay/label-issues";
import { median } from "@assay/math";
import { type HealthSummary, type OverlapRow, overlapsFromJoint, rankFromJoint } from "./class-health.js";
import { conflictingDuplicates, groupsFromKnn, type DuplicateConflicts } from "./conflicts.js";
import { type CorrectionCell, type CorrectionTable, suggestedCorrections } from "./corrections.js";
import { type DetectionLabel, type DetectionPrediction, detectionFindLabelIssues } from "./detection.js";
import { PLUGIN_NAME, invalidInput } from "./errors.js";
import { type MultiLabelCorrectionTable, type MultiLabelHealthSummary, multilabelCorrections, multilabelHealthSummary, multilabelRankedIssues } from "./multilabel.js";
import { type OntologyReport, type OntologySource, type OntologyTree, type PairVerdict, ontologyRollup, readOntology } from "./ontology.js";
import { type ProbMatrix, toRows } from "./validate.js";

/** One duplicate group object: sample indices in `items`; box-level groups (`level: "target"`) are skipped. */
export interface DuplicateGroupLike {
  readonly items: readonly number[];
  readonly level?: string;
  /** What found the group (`exact`, `near`, `embedding`); counted in the result's `kinds`. */
  readonly kind?: string;
}

/**
 * Duplicate groups as the duplicates lens (or any provider) hands them over: the `DuplicateGroups` value
 * of @assay/duplicates' `duplicate-groups` extractor (`{ size, options, groups }`), or a list of index
 * lists and/or group objects.
 */
export type DuplicateGroupsValue =
  | readonly (ArrayLike<number> | DuplicateGroupLike)[]
  | { readonly size?: number; readonly groups: readonly (ArrayLike<number> | DuplicateGroupLike)[] };

/** The `duplicates.groups` artifact: read when some node (or `pipeline.provide`) supplies it. */
export const duplicateGroupsArtifact = defineArtifact<"duplicates.groups", DuplicateGroupsValue>("duplicates.groups");

/** Object-detection predictions, one entry per image: K arrays of `[x1, y1, x2, y2, p]` rows. */
export const detectionPredictionsArtifact = defineArtifact<"detection.predictions", readonly DetectionPrediction[]>("detection.predictions");

/** What a detector returns when the dataset does not fit it (e.g. a multi-label set for a single-label check). */
export interface Skipped {
  skipped: string;
}

const VERSION = "0.1.0";

function skip(ctx: NodeContext, reason: string, warn = true): { result: Skipped; findings: FindingInput[]; summary: { skipped: true } } {
  if (warn) ctx.warn(reason);
  return { result: { skipped: reason }, findings: [], summary: { skipped: true } };
}

/** Result of the `overlapping-classes` detector. */
export interface OverlapResult {
  overlappingClasses: OverlapRow[];
  /** With an ontology: the §6.3 verdict of each pair. */
  verdicts?: PairVerdict[];
}

/**
 * Result of the `conflicting-duplicates` detector: `source` is `duplicates.groups` (the duplicates lens'
 * groups, with `kinds` counting the item-level groups read per kind) or `knn` (the fallback, with the
 * `maxDistance` used).
 */
export type ConflictResult = DuplicateConflicts & { source: string; maxDistance?: number; kinds?: Record<string, number> };

/** Result of the `detection-label-issues` detector. */
export interface DetectionResult {
  imageScores: Float64Array;
  mask: Uint8Array;
  ranked: number[];
  thresholds: number[];
  pooled: { overlooked: number[]; badloc: number[]; swap: number[] };
  sigma: number;
}

/** The labelled single-label view of a dataset: rows with a label, their labels and pred_probs rows. */
interface LabeledView {
  rows: Int32Array | undefined;
  labels: Int32Array;
  P: ProbMatrix;
  classNames: string[];
  toDataset(i: number): number;
}

function labeledView(ctx: NodeContext, P: ProbMatrix): LabeledView {
  const ds = ctx.dataset;
  if (P.rows !== ds.size) throw invalidInput(`pred_probs has ${P.rows} rows but the dataset has ${ds.size} samples`, { rows: P.rows, size: ds.size });
  const K = P.cols;
  if (ds.classes.length !== K) {
    throw invalidInput(
      `the dataset names ${ds.classes.length} classes (${ds.classes.slice(0, 5).join(", ")}${ds.classes.length > 5 ? ", …" : ""}) but pred_probs has ${K} columns; give exactly one class name per column`,
      { classes: ds.classes.length, K },
    );
  }
  let unlabeled = 0;
  for (const v of ds.labels) if (v < 0) unlabeled++;
  if (unlabeled === 0) return { rows: undefined, labels: ds.labels, P, classNames: [...ds.classes], toDataset: (i) => i };
  if (unlabeled === ds.size) throw invalidInput("the dataset has no labels; class-level insights need labels");
  ctx.warn(`${unlabeled} unlabeled samples were left out`);
  const rows = new Int32Array(ds.size - unlabeled);
  let r = 0;
  for (let i = 0; i < ds.size; i++) if (ds.labels[i]! >= 0) rows[r++] = i;
  const data = new (P.data instanceof Float64Array ? Float64Array : Float32Array)(rows.length * K);
  rows.forEach((src, j) => data.set(P.data.subarray(src * K, (src + 1) * K), j * K));
  return { rows, labels: Int32Array.from(rows, (i) => ds.labels[i]!), P: { rows: rows.length, cols: K, data }, classNames: [...ds.classes], toDataset: (i) => rows[i]! };
}

function remapTable(t: CorrectionTable, view: LabeledView): CorrectionTable {
  if (!view.rows) return t;
  const cells = t.cells.map((c) => ({ ...c, examples: c.examples.map(view.toDataset) }));
  return { ...t, cells, rows: cells.slice(0, t.rows.length) };
}

/**
 * What every single-label insight starts from, computed once per run: the joint of (given, true) label,
 * N, and the label-issues mask (label-issues' defaults), over the labelled rows.
 */
export interface InsightsBasis {
  /** Dataset rows the basis covers (the labelled ones), ascending; absent when every row is labelled. */
  rows?: Int32Array;
  K: number;
  N: number;
  /** K×K joint, row-major (given row, true column). */
  joint: Float64Array;
  /** Label-issue mask over the covered rows (1 = flagged). */
  mask: Uint8Array;
  /** `num_label_issues` (off-diagonal estimate). */
  numIssues: number;
  /** Set when the dataset is not single-label classification. */
  skipped?: string;
}

/** The `insights.basis` artifact (joint, mask, issue count), shared by the single-label insight detectors. */
export const insightsBasisArtifact = defineArtifact<"insights.basis", InsightsBasis>("insights.basis");

/** Extractor computing {@link InsightsBasis} once (confident learning via @assay/label-issues). */
export const insightsBasis = defineExtractor({
  name: "insights-basis",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Joint of given/true labels and the label-issue mask, shared by the insight detectors",
  options: z.object({}).strict(),
  needs: [artifacts.predProbs],
  provides: insightsBasisArtifact,
  async run(ctx, inputs): Promise<InsightsBasis> {
    if (ctx.dataset.task !== "classification") {
      return { K: 0, N: 0, joint: new Float64Array(0), mask: new Uint8Array(0), numIssues: 0, skipped: `not single-label classification data (${ctx.dataset.task})` };
    }
    const view = labeledView(ctx, inputs.pred_probs);
    const joint = estimateJoint(view.labels, view.P);
    const mask = findLabelIssues(view.labels, view.P);
    const numIssues = numLabelIssues(view.labels, view.P);
    return { ...(view.rows ? { rows: view.rows } : {}), K: view.P.cols, N: view.labels.length, joint, mask, numIssues };
  },
});

function checkBasis(basis: InsightsBasis, view: LabeledView): void {
  if (basis.skipped !== undefined || basis.K !== view.P.cols || basis.mask.length !== view.labels.length) {
    throw invalidInput(`the insights.basis artifact (${basis.skipped ?? `${basis.mask.length} rows, K ${basis.K}`}) does not match the dataset (${view.labels.length} labelled rows, K ${view.P.cols})`);
  }
}

function summaryOf(basis: InsightsBasis, names: readonly string[], asymmetric: boolean, maxOverlapRows: number, fullJoint = false): HealthSummary {
  const { joint: J, K, N } = basis;
  return {
    overallLabelHealthScore: 1 - basis.numIssues / N,
    numIssues: basis.numIssues,
    numExamples: N,
    joint: fullJoint || K <= 100 ? toRows(J, K) : [],
    classesByLabelQuality: rankFromJoint(J, N, names),
    overlappingClasses: overlapsFromJoint(J, N, asymmetric, names)
      .filter((r) => r.numOverlapping > 0)
      .slice(0, maxOverlapRows),
    classNames: [...names],
  };
}

const fmt = (x: number, d = 3) => (Number.isInteger(x) ? String(x) : x.toFixed(d));
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Class health: per-class label quality, the overall health score and the health summary (§2). */
export const classHealthDetector = defineDetector({
  name: "class-health",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Per-class label quality ranking and the overall label health score (cleanlab health_summary)",
  options: z.object({
    /** Report overlaps as ordered pairs (given a, truly b) instead of unordered pairs. */
    asymmetric: z.boolean().default(false),
    /** Classes at or below this label quality get a `warning` finding (others `info`). */
    warnBelow: z.number().min(0).max(1).default(0.9),
    /** Overlap rows kept in the result (non-zero ones, largest first); the joint is included up to K = 100. */
    maxOverlapRows: z.number().int().min(0).default(100),
  }).strict(),
  needs: [artifacts.predProbs, insightsBasisArtifact],
  async run(ctx, inputs, options): Promise<DetectorOutput<HealthSummary | Skipped>> {
    if (ctx.dataset.task !== "classification") return skip(ctx, `class-health needs single-label classification data (this dataset is ${ctx.dataset.task})`, false);
    const view = labeledView(ctx, inputs.pred_probs);
    const basis = inputs["insights.basis"];
    checkBasis(basis, view);
    const summary = summaryOf(basis, view.classNames, options.asymmetric, options.maxOverlapRows);
    const mask = basis.mask;
    const byClass = new Map<number, number[]>();
    mask.forEach((m, i) => {
      if (!m) return;
      const k = view.labels[i]!;
      let list = byClass.get(k);
      if (!list) byClass.set(k, (list = []));
      list.push(view.toDataset(i));
    });
    const findings: FindingInput[] = summary.classesByLabelQuality
      .filter((r) => r.labelIssues > 0)
      .map((r) => ({
        type: "class_health",
        indices: byClass.get(r.classIndex) ?? [],
        score: r.labelQuality,
        severity: r.labelQuality <= options.warnBelow ? ("warning" as const) : ("info" as const),
        message: `class "${r.className}": label quality ${fmt(r.labelQuality)}; about ${r.labelIssues} of its examples belong to other classes and ${r.inverseLabelIssues} of its own are labelled otherwise`,
        data: { ...r },
      }));
    const worst = summary.classesByLabelQuality[0]!;
    return {
      result: summary,
      findings,
      summary: { health_score: summary.overallLabelHealthScore, num_issues: summary.numIssues, worst_class: worst.className ?? worst.classIndex, worst_class_quality: worst.labelQuality },
    };
  },
});

const ontologyOption = z
  .union([z.string().min(1), z.record(z.string(), z.unknown()), z.custom<OntologySource>((v) => typeof v === "object" && v !== null && typeof (v as { children?: unknown }).children === "function")])
  .optional();

async function resolveOntology(value: unknown): Promise<OntologySource | undefined> {
  if (value === undefined) return undefined;
  if (typeof value === "string") return readOntology(value);
  return value as OntologyTree;
}

/** Members of the correction cells (a→b) and (b→a), ascending, looked up by pair. */
function cellIndex(cells: readonly CorrectionCell[]): (a: number, b: number) => number[] {
  const byPair = new Map<string, number[]>();
  for (const c of cells) byPair.set(`${c.given}:${c.suggested}`, c.examples);
  return (a, b) => [...(byPair.get(`${a}:${b}`) ?? []), ...(byPair.get(`${b}:${a}`) ?? [])].sort((x, y) => x - y);
}

/** Overlapping classes: pairs the joint says are confused, optionally with their ontology relation (§3, §9). */
export const overlappingClassesDetector = defineDetector({
  name: "overlapping-classes",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Pairs of classes that annotators confuse (candidates for merging or clearer definitions)",
  options: z.object({
    /** Pairs with fewer estimated overlapping examples get no finding. */
    minOverlapCount: z.number().int().min(0).default(1),
    /** Class ontology (§6.1 tree, a JSON/YAML path, or an @assay/representation Ontology): adds relation and category. */
    ontology: ontologyOption,
    /** Overlap rows kept in the result (non-zero ones, largest first). */
    maxOverlapRows: z.number().int().min(0).default(100),
  }).strict(),
  needs: [artifacts.predProbs, insightsBasisArtifact],
  async run(ctx, inputs, options): Promise<DetectorOutput<OverlapResult | Skipped>> {
    if (ctx.dataset.task !== "classification") return skip(ctx, `overlapping-classes needs single-label classification data (this dataset is ${ctx.dataset.task})`, false);
    const view = labeledView(ctx, inputs.pred_probs);
    const basis = inputs["insights.basis"];
    checkBasis(basis, view);
    const summary = summaryOf(basis, view.classNames, false, Number.MAX_SAFE_INTEGER, options.ontology !== undefined);
    const table = remapTable(suggestedCorrections(view.labels, view.P, { classNames: view.classNames, maxRows: 0, mask: basis.mask }), view);
    const onto = await resolveOntology(options.ontology);
    const rollup = onto ? ontologyRollup(onto, summary, table, { minOverlapCount: options.minOverlapCount }) : undefined;
    const rows = summary.overlappingClasses.filter((r) => r.numOverlapping >= options.minOverlapCount);
    const cellExamples = cellIndex(table.cells);
    const findings: FindingInput[] = rows.map((r) => {
      const v = rollup?.verdicts.find((x) => x.a === r.classIndexA && x.b === r.classIndexB);
      return {
        type: "class_overlap",
        indices: cellExamples(r.classIndexA, r.classIndexB),
        score: r.jointProbability,
        severity: "warning" as const,
        message: `"${r.classNameA}" and "${r.classNameB}" overlap: about ${count(r.numOverlapping, "example")} (${fmt(100 * r.jointProbability, 1)}% of the data)${v ? `; ${v.relation} → ${v.advice}` : ""}`,
        data: { ...r, ...(v ? { relation: v.relation, category: v.category, lca: v.lca, dominant: v.dominant } : {}) },
      };
    });
    return {
      result: { overlappingClasses: summary.overlappingClasses.slice(0, options.maxOverlapRows), ...(rollup ? { verdicts: rollup.verdicts } : {}) },
      findings,
      summary: { overlapping_pairs: rows.length, top_pair: rows[0] ? `${rows[0].classNameA} / ${rows[0].classNameB}` : null },
    };
  },
});

/** The given → suggested correction table (§4) with one finding per cell. */
export const suggestedCorrectionsDetector = defineDetector({
  name: "suggested-corrections",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Given → suggested label table of the flagged examples, for bulk fixes (assay fix)",
  options: z.object({
    /** Cells in the result's `rows` (0 = all); `cells` always has every cell. */
    maxRows: z.number().int().min(0).default(20),
  }).strict(),
  needs: [artifacts.predProbs, insightsBasisArtifact],
  async run(ctx, inputs, options): Promise<DetectorOutput<CorrectionTable | { multilabel: MultiLabelCorrectionTable } | Skipped>> {
    if (ctx.dataset.task === "multilabel") {
      const labels = multiLabelsOf(ctx.dataset);
      const t = multilabelCorrections(labels, inputs.pred_probs, { classNames: [...ctx.dataset.classes] });
      const findings: FindingInput[] = t.rows.map((r) => ({
        type: "suggested_correction",
        indices: r.examples,
        score: r.issueProbability,
        severity: "info" as const,
        message: `${count(r.numExamples, "example")} ${r.inGivenLabel ? "carry" : "miss"} "${r.className}": suggested to ${r.inGivenLabel ? "remove" : "add"} it`,
        data: { classIndex: r.classIndex, className: r.className, inGivenLabel: r.inGivenLabel, count: r.numExamples },
      }));
      return { result: { multilabel: t }, findings, summary: { num_flagged: t.flagged.length, cells: t.rows.length } };
    }
    if (ctx.dataset.task !== "classification") return skip(ctx, `suggested-corrections needs classification data (this dataset is ${ctx.dataset.task})`, false);
    const view = labeledView(ctx, inputs.pred_probs);
    const basis = inputs["insights.basis"];
    checkBasis(basis, view);
    const table = remapTable(suggestedCorrections(view.labels, view.P, { classNames: view.classNames, maxRows: options.maxRows, mask: basis.mask }), view);
    const findings: FindingInput[] = table.cells.map((c) => ({
      type: "suggested_correction",
      indices: c.examples,
      score: c.shareOfIssues,
      severity: "info" as const,
      message: `${count(c.count, "example")} labelled "${c.givenName}" look like "${c.suggestedName}"${c.mutual ? " (confused both ways)" : ""}`,
      data: { given: c.given, suggested: c.suggested, givenName: c.givenName, suggestedName: c.suggestedName, count: c.count, mutual: c.mutual },
    }));
    return {
      result: table,
      findings,
      summary: { num_flagged: table.numFlagged, num_suggested: table.numSuggested, cells: table.totalRows, unchanged: table.unchanged },
    };
  },
});

function multiLabelsOf(ds: Dataset): number[][] {
  return Array.from({ length: ds.size }, (_, i) => {
    const s = ds.sample(i);
    if (!s.labels) throw invalidInput(`sample ${i} ("${s.id}") has no label list; every row of a multi-label dataset needs one ([] for none)`, { row: i });
    return [...s.labels];
  });
}

/** Index lists of the item-level groups of a `duplicates.groups` value, and how many groups of each kind. */
export function normaliseGroups(value: DuplicateGroupsValue, size?: number): { groups: number[][]; kinds: Record<string, number> } {
  const list = Array.isArray(value) ? (value as readonly (ArrayLike<number> | DuplicateGroupLike)[]) : (value as { groups?: unknown }).groups;
  if (!Array.isArray(list)) throw invalidInput("duplicates.groups must be a list of groups or { groups: [...] } (the duplicate-groups extractor's value)");
  const declared = Array.isArray(value) ? undefined : (value as { size?: number }).size;
  if (size !== undefined && declared !== undefined && declared !== size) {
    throw invalidInput(`duplicates.groups was computed for ${declared} samples but the dataset has ${size}`, { size: declared, expected: size });
  }
  const groups: number[][] = [];
  const kinds: Record<string, number> = {};
  for (const g of list as readonly (ArrayLike<number> | DuplicateGroupLike)[]) {
    if (g && typeof g === "object" && "items" in g) {
      if (g.level !== undefined && g.level !== "item") continue;
      groups.push([...new Set(g.items)]);
      const kind = g.kind ?? "unknown";
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    } else {
      groups.push(Array.from(g as ArrayLike<number>));
      kinds.list = (kinds.list ?? 0) + 1;
    }
  }
  return { groups, kinds };
}

/** Duplicate sets whose labels disagree (§5): from `duplicates.groups` when provided, else from the kNN graph. */
export const conflictingDuplicatesDetector = defineDetector({
  name: "conflicting-duplicates",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Duplicate or near-duplicate sets whose members carry different labels",
  options: z.object({
    /** kNN fallback: neighbours closer than this (graph metric) are duplicates; overrides `threshold`. */
    maxDistance: z.number().min(0).optional(),
    /** kNN fallback: duplicates are closer than `threshold × median nearest-neighbour distance` (Datalab's rule). */
    threshold: z.number().min(0).default(0.13),
    /** Use pred_probs (when available) for `suggested` and the suspects. */
    usePredProbs: z.boolean().default(true),
  }).strict(),
  needs: [],
  wants: [duplicateGroupsArtifact, artifacts.knn, artifacts.predProbs],
  async run(ctx, inputs, options): Promise<DetectorOutput<ConflictResult | Skipped>> {
    const ds = ctx.dataset;
    if (ds.task !== "classification" && ds.task !== "multilabel") return skip(ctx, `conflicting-duplicates needs labels (this dataset is ${ds.task})`, false);
    let groups: number[][];
    let source: string;
    let cutoff: number | null = null;
    let kinds: Record<string, number> | undefined;
    if (inputs["duplicates.groups"]) {
      ({ groups, kinds } = normaliseGroups(inputs["duplicates.groups"], ds.size));
      source = "duplicates.groups";
    } else if (inputs.knn) {
      const knn: KnnGraph = inputs.knn;
      if (knn.rows !== ds.size) throw invalidInput(`knn has ${knn.rows} rows but the dataset has ${ds.size} samples`);
      if (options.maxDistance !== undefined) cutoff = options.maxDistance;
      else {
        const first = new Float64Array(knn.rows);
        for (let i = 0; i < knn.rows; i++) first[i] = knn.distances[i * knn.k]!;
        cutoff = options.threshold * median(first);
      }
      groups = groupsFromKnn(knn, cutoff);
      source = "knn";
    } else {
      return skip(ctx, "no duplicate groups: add the duplicates lens (duplicates.groups) or a kNN graph (knn)");
    }
    const multi = ds.task === "multilabel";
    const labels = multi ? multiLabelsOf(ds) : ds.labels;
    if (!multi) groups = groups.map((g) => g.filter((i) => i >= 0 && i < ds.size && ds.labels[i]! >= 0)).filter((g) => g.length > 1);
    const P = options.usePredProbs ? inputs.pred_probs : undefined;
    const r: DuplicateConflicts = conflictingDuplicates(groups, labels, P ? { predProbs: P } : {});
    const name = (k: number | number[]) => (typeof k === "number" ? (ds.classes[k] ?? String(k)) : `[${k.map((c) => ds.classes[c] ?? c).join(", ")}]`);
    const findings: FindingInput[] = r.conflicts.map((c) => ({
      type: "conflicting_duplicate_labels",
      indices: c.members,
      score: c.agreement,
      severity: c.distinct >= 3 ? ("error" as const) : ("warning" as const),
      message: `${c.members.length} duplicates carry ${c.distinct} different labels (${c.labelCounts.map(([k, n]) => `${name(k)}×${n}`).join(", ")})${c.suggested !== undefined ? `; suggested ${name(c.suggested)}` : ""}`,
      data: { ...c },
    }));
    return { result: { ...r, source, ...(cutoff !== null ? { maxDistance: cutoff } : {}), ...(kinds ? { kinds } : {}) }, findings, summary: { ...r.summary, source } };
  },
});

/** The ontology-aware roll-up (§6): pair verdicts and branch-level confusion. */
export const ontologyRollupDetector = defineDetector({
  name: "ontology-rollup",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Reads class confusion through a class ontology: is-a / sibling / cross-branch verdicts, branch-level health",
  options: z.object({
    /** The class ontology: a §6.1 tree, a JSON/YAML file path, or an @assay/representation Ontology. Without it the node reports `skipped`. */
    ontology: ontologyOption,
    depth: z.number().int().min(1).default(1),
    minOverlapCount: z.number().int().min(0).default(1),
  }).strict(),
  needs: [artifacts.predProbs, insightsBasisArtifact],
  async run(ctx, inputs, options): Promise<DetectorOutput<OntologyReport | Skipped>> {
    if (options.ontology === undefined) return skip(ctx, "no ontology given (option `ontology`)", false);
    if (ctx.dataset.task === "multilabel") return skip(ctx, "the ontology roll-up is not defined for multi-label data (dataset-insights §6.4)");
    if (ctx.dataset.task !== "classification") return skip(ctx, `ontology-rollup needs classification data (this dataset is ${ctx.dataset.task})`, false);
    const view = labeledView(ctx, inputs.pred_probs);
    const onto = (await resolveOntology(options.ontology))!;
    const basis = inputs["insights.basis"];
    checkBasis(basis, view);
    const summary = summaryOf(basis, view.classNames, false, 0, true);
    const table = remapTable(suggestedCorrections(view.labels, view.P, { classNames: view.classNames, maxRows: 0, mask: basis.mask }), view);
    const report = ontologyRollup(onto, summary, table, { depth: options.depth, minOverlapCount: options.minOverlapCount });
    const cellExamples = cellIndex(table.cells);
    const findings: FindingInput[] = report.verdicts
      .filter((v) => v.category === "ontology")
      .map((v) => ({
        type: "ontology_issue",
        indices: cellExamples(v.a, v.b),
        score: v.jointProbability,
        severity: "info" as const,
        message: `"${v.nameA}" / "${v.nameB}" (${v.relation}${v.general !== undefined ? `, general "${view.classNames[v.general]}"` : ""}): ${v.advice}`,
        data: { ...v },
      }));
    return {
      result: report,
      findings,
      summary: { verdicts: report.verdicts.length, ontology_pairs: findings.length, within_share: report.withinShare },
    };
  },
});

/** Multi-label label issues (§7) with the class table and the common-issues table. */
export const multilabelIssuesDetector = defineDetector({
  name: "multilabel-issues",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Multi-label label issues (one-vs-rest confident learning), per-class quality and common issues",
  options: z.object({}).strict(),
  needs: [artifacts.predProbs],
  async run(ctx, inputs): Promise<DetectorOutput<{ multilabel: MultiLabelHealthSummary; corrections: MultiLabelCorrectionTable } | Skipped>> {
    if (ctx.dataset.task !== "multilabel") return skip(ctx, `multilabel-issues needs multi-label data (this dataset is ${ctx.dataset.task})`, false);
    const labels = multiLabelsOf(ctx.dataset);
    const P = inputs.pred_probs;
    if (P.rows !== labels.length) throw invalidInput(`pred_probs has ${P.rows} rows but the dataset has ${labels.length} samples`);
    const classNames = [...ctx.dataset.classes];
    if (classNames.length !== P.cols) throw invalidInput(`the dataset names ${classNames.length} classes but pred_probs has ${P.cols} columns`, { classes: classNames.length, K: P.cols });
    const health = multilabelHealthSummary(labels, P, { classNames });
    const corrections = multilabelCorrections(labels, P, { classNames });
    const ranked = multilabelRankedIssues(labels, P);
    const scores = getMultiLabelQualityScores(labels, P);
    const pos = new Map(corrections.flagged.map((i, j) => [i, j]));
    const findings: FindingInput[] = Array.from(ranked, (i) => {
      const j = pos.get(i)!;
      const given = corrections.given[j]!;
      const suggested = corrections.suggested[j]!;
      const names = (s: number[]) => `[${s.map((c) => classNames[c]).join(", ")}]`;
      return {
        type: "label_issue",
        indices: [i],
        score: scores[i]!,
        severity: "warning" as const,
        message: `labels ${names(given)} look wrong; suggested ${names(suggested)}`,
        data: { given, suggested },
      };
    });
    return { result: { multilabel: health, corrections }, findings, summary: { health_score: health.overallMultilabelHealthScore, num_issues: ranked.length } };
  },
});

/** Object-detection label issues (§8): overlooked, badly located and swapped boxes. */
export const detectionLabelIssuesDetector = defineDetector({
  name: "detection-label-issues",
  version: VERSION,
  plugin: PLUGIN_NAME,
  description: "Object-detection label issues: overlooked, badly located and swapped boxes",
  options: z.object({
    overlappingLabelCheck: z.boolean().default(true),
  }).strict(),
  needs: [],
  wants: [detectionPredictionsArtifact],
  async run(ctx, inputs, options): Promise<DetectorOutput<DetectionResult | Skipped>> {
    const ds = ctx.dataset;
    if (ds.task !== "detection") return skip(ctx, `detection-label-issues needs a detection dataset (this dataset is ${ds.task})`, false);
    const preds = inputs["detection.predictions"];
    if (!preds) return skip(ctx, "no detection predictions: provide the detection.predictions artifact (K arrays of [x1, y1, x2, y2, p] per image)");
    const labels: DetectionLabel[] = Array.from({ length: ds.size }, (_, i) => {
      const boxes = ds.sample(i).boxes ?? [];
      boxes.forEach((b, j) => {
        if (!(b.width > 0 && b.height > 0)) {
          throw invalidInput(`sample ${i} ("${ds.ids[i]}") box ${j} has zero area (width ${b.width}, height ${b.height})`, { row: i, box: j });
        }
      });
      return { bboxes: boxes.map((b) => [b.x, b.y, b.x + b.width, b.y + b.height]), labels: boxes.map((b) => b.label) };
    });
    const r = detectionFindLabelIssues(labels, preds, { overlappingLabelCheck: options.overlappingLabelCheck });
    const findings: FindingInput[] = r.ranked.map((i) => {
      const st = r.subtypes[i]!;
      const kinds = (["overlooked", "badloc", "swap"] as const).filter((k) => st[k]);
      const text = { overlooked: "an object without a box", badloc: "a badly located box", swap: "a box with the wrong class" };
      return {
        type: "label_issue",
        indices: [i],
        score: r.scores.imageScores[i]!,
        severity: "warning" as const,
        message: `annotation looks wrong: ${kinds.map((k) => text[k]).join(", ")}`,
        data: { subtypes: kinds, overlooked: r.scores.pooled.overlooked[i], badloc: r.scores.pooled.badloc[i], swap: r.scores.pooled.swap[i] },
      };
    });
    return {
      result: { imageScores: r.scores.imageScores, mask: r.mask, ranked: r.ranked, thresholds: r.thresholds, pooled: r.scores.pooled, sigma: r.scores.sigma },
      findings,
      summary: { num_issues: r.ranked.length },
    };
  },
});
