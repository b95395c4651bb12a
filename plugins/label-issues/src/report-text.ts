import type { Report } from "@assay/core";
import type { DatalabResult } from "./datalab/run.js";
import { DATALAB_ISSUE_TYPES, type IssueType } from "./datalab/types.js";

/** Options of {@link datalabTextReport} (cleanlab `Datalab.report`). */
export interface TextReportOptions {
  /** Examples listed per issue type (default 5). */
  numExamples?: number;
  /** 0 = terse, 1 (default) = headline statistics, up to 3 = everything the checks record. */
  verbosity?: number;
  /** Print each check's description (default true). */
  includeDescription?: boolean;
  /** Add the dataset-level score column (default false). */
  showSummaryScore?: boolean;
  /** List checks without issues too (default false). */
  showAllIssues?: boolean;
}

interface CheckView {
  issueType: IssueType;
  score: number;
  numIssues: number;
  scores: ArrayLike<number | null>;
  isIssue: ArrayLike<number | boolean>;
  info: Record<string, unknown>;
}

const DESCRIPTIONS: Record<IssueType, string> = {
  label:
    "Examples whose given label disagrees with what the model confidently predicts, estimated by confident learning. A low label score means the label is probably wrong; review these first.",
  outlier:
    "Examples that are far from the rest of the data (large mean distance to their nearest neighbours, or very uncertain predictions). They may be corrupted, out of scope, or rare cases worth collecting more of.",
  near_duplicate:
    "Examples that are much closer to another example than typical nearest neighbours are to each other. Duplicates inflate evaluation scores when they cross splits and over-weight what they show.",
  non_iid:
    "Whether the order of the examples carries information: neighbours in feature space sit unusually close together in the dataset order. A small p-value means the data is probably not independent and identically distributed.",
  class_imbalance:
    "The rarest class holds far fewer examples than an even share. Models tend to ignore such classes; consider collecting more of them or re-weighting.",
  null: "Examples whose features are missing (NaN). Rows that are entirely null carry no information and should be removed.",
  underperforming_group:
    "A cluster of similar examples where the model is much less confident in the given labels than on average, i.e. a slice of the data the model handles poorly.",
  data_valuation:
    "How much each example helps a k-nearest-neighbour classifier (KNN-Shapley). Low values mark examples that hurt more than they help, often mislabelled or ambiguous ones.",
};

const LEVEL_KEYS: Record<IssueType, [number, string[]]> = {
  label: [3, ["classes_by_label_quality", "overlapping_classes"]],
  outlier: [2, ["average_ood_score"]],
  near_duplicate: [2, ["threshold"]],
  non_iid: [0, ["p-value"]],
  class_imbalance: [0, ["Rarest Class"]],
  underperforming_group: [2, ["threshold"]],
  data_valuation: [3, ["average_data_valuation"]],
  null: [2, ["most_common_issue"]],
};

function isDatalabResult(x: Report | DatalabResult): x is DatalabResult {
  return (x as DatalabResult).checks !== undefined && (x as Report).schema === undefined;
}

function viewsOf(input: Report | DatalabResult): { n: number; K: number | undefined; classNames: readonly string[] | undefined; checks: CheckView[] } {
  if (isDatalabResult(input)) {
    return { n: input.numExamples, K: input.classNames?.length, classNames: input.classNames, checks: input.checks.map((c) => ({ ...c })) };
  }
  const checks: CheckView[] = [];
  for (const entry of Object.values(input.results)) {
    const r = entry.result as Partial<CheckView> | undefined;
    if (r && typeof r === "object" && DATALAB_ISSUE_TYPES.includes(r.issueType as IssueType) && r.scores && r.isIssue) {
      checks.push({ issueType: r.issueType!, score: r.score ?? Number.NaN, numIssues: r.numIssues ?? 0, scores: r.scores, isIssue: r.isIssue, info: r.info ?? {} });
    }
  }
  // a plan orders nodes topologically; list the checks in Datalab's run order instead
  checks.sort((a, b) => DATALAB_ISSUE_TYPES.indexOf(a.issueType) - DATALAB_ISSUE_TYPES.indexOf(b.issueType));
  const labelled = input.dataset.task === "classification" || input.dataset.task === "multilabel";
  return { n: input.dataset.size, K: labelled ? input.dataset.classes.length : undefined, classNames: input.dataset.classes, checks };
}

/**
 * The Datalab-style text report: dataset line, issue summary table (sorted by number of issues), then
 * one block per issue type with its description, counts, dataset score, the most severe examples and
 * extra statistics. Accepts a core `Report` (from the `datalab` preset) or a {@link DatalabResult}.
 */
export function datalabTextReport(input: Report | DatalabResult, options: TextReportOptions = {}): string {
  const numExamples = options.numExamples ?? 5;
  const verbosity = options.verbosity ?? 1;
  const showScore = options.showSummaryScore ?? false;
  const showAll = options.showAllIssues ?? false;
  const { n, K, classNames, checks } = viewsOf(input);
  if (checks.length === 0) return "No issue types were checked. Run the datalab preset (or name the checks to run) first.\n";
  const total = checks.reduce((a, c) => a + c.numIssues, 0);
  if (!showAll && total === 0) {
    let msg = "No issues found in the data. Good job!\n";
    if (!showScore) msg += "Try re-running with showSummaryScore: true and showAllIssues: true to print every check's score.\n";
    return msg;
  }
  const listed = checks
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => showAll || c.numIssues > 0)
    .sort((a, b) => b.c.numIssues - a.c.numIssues || a.i - b.i)
    .map(({ c }) => c);
  const lines: string[] = [];
  lines.push(`Dataset Information: num_examples: ${n}${K ? `, num_classes: ${K}` : ""}`, "");
  lines.push("Here is a summary of various issues found in your data:", "");
  const header = showScore ? ["issue_type", "score", "num_issues"] : ["issue_type", "num_issues"];
  const rows = listed.map((c) => (showScore ? [c.issueType, fmtFloat(c.score), String(c.numIssues)] : [c.issueType, String(c.numIssues)]));
  lines.push(...table(header, rows, undefined));
  lines.push("");
  if (showScore) lines.push("(Note: A lower score indicates a more severe issue across all examples in the dataset.)", "");
  lines.push(
    "Learn about each issue type in the @assay/label-issues README.",
    "See which examples exhibit each issue in report.results[<detector>].result (scores, isIssue, info).",
    "",
    "Data indices corresponding to top examples of each issue are shown below.",
    "",
  );
  const blocks = listed.map((c) => block(c, { numExamples, verbosity, includeDescription: options.includeDescription ?? true, classNames }));
  return `${lines.join("\n")}\n\n${blocks.join("\n\n\n")}\n`;
}

function block(c: CheckView, o: { numExamples: number; verbosity: number; includeDescription: boolean; classNames: readonly string[] | undefined }): string {
  const title = ` ${c.issueType} issues `;
  const left = Math.floor((60 - title.length) / 2);
  const out: string[] = [`${"-".repeat(Math.max(left, 0))}${title}${"-".repeat(Math.max(60 - title.length - left, 0))}`, ""];
  if (o.includeDescription) {
    const d = DESCRIPTIONS[c.issueType];
    out.push("About this issue:", `\t${o.verbosity === 0 ? d.split(". ")[0]! + "." : d}`, "");
  }
  out.push(`Number of examples with this issue: ${c.numIssues}`, `Overall dataset quality in terms of this issue: ${c.score.toFixed(4)}`, "");
  out.push("Examples representing most severe instances of this issue:");
  const idx = Array.from({ length: c.scores.length }, (_, i) => i).filter((i) => c.scores[i] !== null && !Number.isNaN(c.scores[i] as number));
  idx.sort((a, b) => (c.scores[a] as number) - (c.scores[b] as number) || a - b);
  const top = idx.slice(0, o.numExamples);
  const header = [`is_${c.issueType}_issue`, `${c.issueType}_score`];
  const extra = extraColumns(c, o.classNames);
  header.push(...extra.map((e) => e[0]));
  const rows = top.map((i) => [c.isIssue[i] ? "True" : "False", fmtFloat(c.scores[i] as number), ...extra.map((e) => e[1](i))]);
  out.push(...table(header, rows, top.map(String)));
  const [maxLevel, keys] = LEVEL_KEYS[c.issueType];
  // Deterministic order: at the top level every other key first, then the check's headline keys.
  const shown =
    o.verbosity > maxLevel
      ? [...Object.keys(c.info).filter((k) => k !== "statistics" && !keys.includes(k)), ...keys]
      : o.verbosity >= maxLevel
        ? keys
        : [];
  const infoLines = shown.filter((k) => k in c.info).map((k) => `${k}: ${fmtValue(c.info[k])}`);
  if (infoLines.length) out.push("", "Additional Information: ", ...infoLines);
  if (c.issueType === "null") {
    let partial = 0;
    for (let i = 0; i < c.scores.length; i++) if ((c.scores[i] as number) < 1 && !c.isIssue[i]) partial++;
    if (c.numIssues > 0) out.push("", `Found ${c.numIssues} examples whose features are all null; remove them before training.`);
    if (partial > 0) out.push("", `Found ${partial} examples with some (not all) features null.`);
  }
  return out.join("\n");
}

function extraColumns(c: CheckView, classNames: readonly string[] | undefined): [string, (i: number) => string][] {
  const name = (k: unknown) => (typeof k === "number" && classNames?.[k] !== undefined ? classNames[k]! : String(k));
  const arr = (key: string) => c.info[key] as ArrayLike<unknown> | undefined;
  if (c.issueType === "label" && arr("given_label") && arr("predicted_label")) {
    const rows = arr("rows") as ArrayLike<number> | undefined;
    const pos = (i: number) => (rows ? Array.prototype.indexOf.call(rows, i) : i);
    return [
      ["given_label", (i) => name(arr("given_label")![pos(i)])],
      ["predicted_label", (i) => name(arr("predicted_label")![pos(i)])],
    ];
  }
  if (c.issueType === "near_duplicate" && arr("near_duplicate_sets")) {
    return [
      ["near_duplicate_sets", (i) => `[${(arr("near_duplicate_sets")![i] as number[]).join(", ")}]`],
      ["distance_to_nearest_neighbor", (i) => fmtFloat(arr("distance_to_nearest_neighbor")![i] as number)],
    ];
  }
  if (c.issueType === "class_imbalance" && arr("given_label")) {
    const rows = arr("rows") as ArrayLike<number> | undefined;
    const pos = (i: number) => (rows ? Array.prototype.indexOf.call(rows, i) : i);
    return [["given_label", (i) => name(arr("given_label")![pos(i)])]];
  }
  return [];
}

function fmtFloat(v: number): string {
  return Number.isFinite(v) ? v.toFixed(6) : String(v);
}

function fmtValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = Array.from(v as ArrayLike<unknown>);
    if (a.length > 0 && typeof a[0] === "object" && a[0] !== null && !Array.isArray(a[0])) {
      const keys = Object.keys(a[0] as object);
      const rows = a.slice(0, 5).map((r) => keys.map((k) => fmtCell((r as Record<string, unknown>)[k])));
      const t = table(keys, rows, rows.map((_, i) => String(i)));
      return `\n${t.join("\n")}${a.length > 5 ? `\n... (total ${a.length} rows)` : ""}`;
    }
    const shown = a.slice(0, 4).map((x) => fmtCell(x));
    return `[${shown.join(", ")}${a.length > 4 ? ", '...'" : ""}]`;
  }
  if (v && typeof v === "object") return `\n${JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x), 4)}`;
  return String(v);
}

function fmtCell(x: unknown): string {
  if (typeof x === "number") return Number.isInteger(x) ? String(x) : fmtFloat(x);
  if (Array.isArray(x)) return `[${x.join(", ")}]`;
  return String(x);
}

/** Right-aligned columns like pandas `to_string` (optional index column, left-aligned). */
function table(header: string[], rows: string[][], index: string[] | undefined): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const iw = index ? Math.max(0, ...index.map((s) => s.length)) : 0;
  const line = (cells: string[], idx: string | undefined) =>
    (index ? `${(idx ?? "").padEnd(iw)}  ` : "") + cells.map((c, j) => c.padStart(widths[j]!)).join("  ");
  return [line(header, ""), ...rows.map((r, i) => line(r, index?.[i]))];
}
