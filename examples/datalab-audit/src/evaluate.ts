/**
 * Scoring the audit against the sample's ground truth (`planted.json`): precision and recall of the
 * label check against the planted label flips, and how the other checks treat the planted duplicates
 * and synthetic extremes.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AssayError, type Dataset, type Report } from "@assay/core";

/** The parts of `planted.json` this example scores against (schema: examples/data/fashion-sample/README.md). */
export interface Planted {
  mislabeled: { path: string; given_label: string; true_label: string; kind: "confusable" | "random" }[];
  exact_duplicates: { original: string; copy: string; variant: string }[];
  near_duplicates: { original: string; copy: string; transform: string }[];
  extreme: { path: string; kind: string; source: string | null }[];
  broken: { path: string; kind: string }[];
}

/**
 * Read `planted.json` from the sample folder.
 * @throws AssayError `IO_ERROR` when it cannot be read, `INVALID_INPUT` when it lacks the lists used here
 */
export async function loadPlanted(dataDir: string): Promise<Planted> {
  const file = join(resolve(dataDir), "planted.json");
  let value: Partial<Planted>;
  try {
    value = JSON.parse(await readFile(file, "utf8")) as Partial<Planted>;
  } catch (error) {
    throw new AssayError("IO_ERROR", `cannot read ${file}: ${(error as Error).message}`, { details: { file }, cause: error });
  }
  for (const key of ["mislabeled", "exact_duplicates", "near_duplicates", "extreme", "broken"] as const) {
    if (!Array.isArray(value[key])) throw new AssayError("INVALID_INPUT", `${file} has no "${key}" list`, { details: { file, key } });
  }
  return value as Planted;
}

/** How well the label check finds the planted flips. */
export interface LabelCheckScore {
  /** Planted flips (ground truth positives). */
  flips: number;
  /** Rows the label check flags (`isIssue`). */
  flagged: number;
  /** Flagged rows that are planted flips. */
  truePositives: number;
  /** truePositives / flagged. */
  precision: number;
  /** truePositives / flips. */
  recall: number;
  /** Recall on the flips to a confusable class (Shirt↔T-shirt, Pullover↔Coat, shoes). */
  confusableRecall: number;
  /** Recall on the flips to a random other class. */
  randomRecall: number;
  /** Precision of the `flips` rows with the lowest label quality score (the review-first ranking). */
  precisionAtFlips: number;
  /** Flagged rows in the test split (which has no planted flips). */
  flaggedInTest: number;
  /** Flagged rows that are other planted files (duplicates, extremes, broken), not flips. */
  flaggedOtherPlanted: number;
  /** Planted flips the check missed (paths). */
  missed: string[];
}

interface CheckLike {
  scores: ArrayLike<number>;
  isIssue: ArrayLike<number | boolean>;
  info?: Record<string, unknown>;
}

function check(report: Report, detector: string): CheckLike {
  const result = report.results[detector]?.result as CheckLike | undefined;
  if (!result || !result.scores || !result.isIssue) {
    throw new AssayError("INVALID_INPUT", `the report has no "${detector}" result; run the datalab preset`, { details: { detector } });
  }
  return result;
}

function rowsOf(dataset: Dataset, paths: readonly string[]): number[] {
  const index = new Map<string, number>();
  dataset.ids.forEach((id, i) => index.set(id, i));
  return paths.map((p) => {
    const i = index.get(p);
    if (i === undefined) throw new AssayError("INVALID_INPUT", `planted file ${p} is not in dataset "${dataset.name}"`, { details: { path: p } });
    return i;
  });
}

/**
 * Precision and recall of the `label-issues` detector (Datalab's label check) against the planted
 * flips, plus the precision of its ranking at the number of flips.
 * @throws AssayError `INVALID_INPUT` when the report has no label check or a planted path is not in the dataset
 */
export function scoreLabelCheck(dataset: Dataset, report: Report, planted: Planted): LabelCheckScore {
  const res = check(report, "label-issues");
  const flipRows = rowsOf(
    dataset,
    planted.mislabeled.map((m) => m.path),
  );
  const isFlip = new Uint8Array(dataset.size);
  flipRows.forEach((i) => (isFlip[i] = 1));
  const confusable = new Set(rowsOf(dataset, planted.mislabeled.filter((m) => m.kind === "confusable").map((m) => m.path)));
  const otherPlanted = new Set(
    rowsOf(dataset, [
      ...planted.exact_duplicates.map((d) => d.copy),
      ...planted.near_duplicates.map((d) => d.copy),
      ...planted.extreme.map((e) => e.path),
      ...planted.broken.map((b) => b.path),
    ]),
  );
  const testRows = new Set(dataset.splits.test ?? []);
  let flagged = 0;
  let tp = 0;
  let flaggedInTest = 0;
  let flaggedOtherPlanted = 0;
  for (let i = 0; i < dataset.size; i++) {
    if (!res.isIssue[i]) continue;
    flagged++;
    if (isFlip[i]) tp++;
    if (testRows.has(i)) flaggedInTest++;
    if (otherPlanted.has(i)) flaggedOtherPlanted++;
  }
  const found = (rows: Iterable<number>) => {
    let hit = 0;
    let all = 0;
    for (const i of rows) {
      all++;
      if (res.isIssue[i]) hit++;
    }
    return all === 0 ? Number.NaN : hit / all;
  };
  const ranked = Array.from({ length: dataset.size }, (_, i) => i)
    .filter((i) => Number.isFinite(res.scores[i]!))
    .sort((a, b) => res.scores[a]! - res.scores[b]! || a - b)
    .slice(0, flipRows.length);
  const atK = ranked.reduce((n, i) => n + isFlip[i]!, 0);
  return {
    flips: flipRows.length,
    flagged,
    truePositives: tp,
    precision: flagged === 0 ? 0 : tp / flagged,
    recall: flipRows.length === 0 ? Number.NaN : tp / flipRows.length,
    confusableRecall: found(confusable),
    randomRecall: found(flipRows.filter((i) => !confusable.has(i))),
    precisionAtFlips: ranked.length === 0 ? 0 : atK / ranked.length,
    flaggedInTest,
    flaggedOtherPlanted,
    missed: flipRows.filter((i) => !res.isIssue[i]).map((i) => dataset.ids[i]!),
  };
}

/** What the graph checks make of the other planted problems (fractions of the planted files flagged). */
export interface OtherChecksScore {
  /** Exact-duplicate copies (byte-identical and re-encoded) flagged by `near_duplicate`. */
  exactDuplicates: { planted: number; flagged: number };
  /** Near-duplicate copies (brightness, contrast, gamma, noise, 1-px shift) flagged by `near_duplicate`. */
  nearDuplicates: { planted: number; flagged: number };
  /** Synthetic and degraded images (all black/white, noise, blurred, inverted, …) flagged by `outlier`. */
  extremes: { planted: number; flagged: number; kinds: string[] };
}

/**
 * How the `near_duplicate` and `outlier` checks treat the planted duplicates and extreme images.
 * @throws AssayError `INVALID_INPUT` when those checks are missing from the report
 */
export function scoreOtherChecks(dataset: Dataset, report: Report, planted: Planted): OtherChecksScore {
  const dup = check(report, "datalab-near-duplicate");
  const out = check(report, "datalab-outlier");
  const count = (res: CheckLike, paths: string[]) => rowsOf(dataset, paths).filter((i) => res.isIssue[i]).length;
  const extremes = planted.extreme.map((e) => e.path);
  return {
    exactDuplicates: { planted: planted.exact_duplicates.length, flagged: count(dup, planted.exact_duplicates.map((d) => d.copy)) },
    nearDuplicates: { planted: planted.near_duplicates.length, flagged: count(dup, planted.near_duplicates.map((d) => d.copy)) },
    extremes: {
      planted: extremes.length,
      flagged: count(out, extremes),
      kinds: planted.extreme.filter((e) => out.isIssue[rowsOf(dataset, [e.path])[0]!]).map((e) => e.kind),
    },
  };
}

/**
 * The `n` rows with the lowest label quality score (what a reviewer looks at first): path, given and
 * predicted class, whether the check flags it, and what `planted.json` says about the file.
 * @throws AssayError `INVALID_INPUT` when the report has no label check
 */
export function reviewTable(dataset: Dataset, report: Report, planted: Planted, n = 10): string {
  const res = check(report, "label-issues");
  const predicted = res.info?.predicted_label as ArrayLike<number> | undefined;
  const rows = res.info?.rows as ArrayLike<number> | undefined;
  const pos = (i: number) => (rows ? Array.prototype.indexOf.call(rows, i) : i);
  const truth = new Map<string, string>();
  for (const d of planted.exact_duplicates) truth.set(d.copy, "exact duplicate");
  for (const d of planted.near_duplicates) truth.set(d.copy, `near duplicate (${d.transform})`);
  for (const e of planted.extreme) truth.set(e.path, `extreme (${e.kind})`);
  for (const b of planted.broken) truth.set(b.path, `broken (${b.kind})`);
  for (const m of planted.mislabeled) truth.set(m.path, `flip: truly ${m.true_label} (${m.kind})`);
  const order = Array.from({ length: dataset.size }, (_, i) => i)
    .filter((i) => Number.isFinite(res.scores[i]!))
    .sort((a, b) => res.scores[a]! - res.scores[b]! || a - b)
    .slice(0, n);
  const name = (k: number | undefined) => (k === undefined || k < 0 ? "?" : (dataset.classes[k] ?? String(k)));
  const cells = order.map((i) => [
    String(i),
    dataset.ids[i]!,
    res.scores[i]!.toFixed(4),
    res.isIssue[i] ? "yes" : "no",
    name(dataset.labels[i]),
    name(predicted?.[pos(i)]),
    truth.get(dataset.ids[i]!) ?? "clean",
  ]);
  const header = ["row", "path", "score", "flagged", "given", "predicted", "planted.json"];
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
  const line = (c: string[]) => c.map((v, j) => v.padEnd(widths[j]!)).join("  ").trimEnd();
  return `${[line(header), ...cells.map(line)].join("\n")}\n`;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "—");

/** The scores as a few aligned lines for the console. */
export function renderScores(label: LabelCheckScore, other: OtherChecksScore): string {
  const lines = [
    `label check vs the ${label.flips} planted flips (planted.json#mislabeled):`,
    `  flagged ${label.flagged}, of which ${label.truePositives} planted flips`,
    `  precision ${pct(label.precision)}   recall ${pct(label.recall)}   (confusable flips ${pct(label.confusableRecall)}, random flips ${pct(label.randomRecall)})`,
    `  precision of the ${label.flips} lowest label scores: ${pct(label.precisionAtFlips)}`,
    `  flagged in the clean test split: ${label.flaggedInTest}; flagged other planted files: ${label.flaggedOtherPlanted}`,
    `other checks vs planted problems:`,
    `  near_duplicate: ${other.exactDuplicates.flagged}/${other.exactDuplicates.planted} exact-duplicate copies, ${other.nearDuplicates.flagged}/${other.nearDuplicates.planted} near-duplicate copies`,
    `  outlier: ${other.extremes.flagged}/${other.extremes.planted} extreme images (${other.extremes.kinds.join(", ") || "none"})`,
  ];
  return `${lines.join("\n")}\n`;
}
