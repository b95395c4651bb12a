import { findLabelIssues } from "@assay/label-issues";
import { invalidInput, invalidOption } from "./errors.js";
import { argmaxAt } from "./numerics-pending.js";
import { type ProbMatrix, checkClassNames, checkLabels, checkMatrix } from "./validate.js";

/** One cell of the given → suggested table (dataset-insights §4.2). */
export interface CorrectionCell {
  given: number;
  suggested: number;
  givenName?: string;
  suggestedName?: string;
  /** Flagged examples in this cell. */
  count: number;
  /** `count / numFlagged`. */
  shareOfIssues: number;
  /** `count / n_given` (examples labelled `given`). */
  shareOfGivenClass: number;
  /** Whether the opposite cell (suggested → given) also exists. */
  mutual: boolean;
  /** Member indices by self-confidence `P[i][given]` ascending, ties by index. */
  examples: number[];
  /** Self-confidence of each member, aligned with `examples`. */
  selfConfidence: number[];
}

/** The given → suggested correction table (dataset-insights §4.2). */
export interface CorrectionTable {
  /** The first `maxRows` cells (all when `maxRows` is 0). */
  rows: CorrectionCell[];
  /** Every cell, in the same order (what {@link applyCorrections} selects from). */
  cells: CorrectionCell[];
  /** Number of cells. */
  totalRows: number;
  /** Flagged examples. */
  numFlagged: number;
  /** Flagged examples whose suggested label differs from the given one (members of the cells). */
  numSuggested: number;
  /** Flagged examples whose suggestion equals their label. */
  unchanged: number;
  /** Examples per given class, n_k. */
  givenCounts: number[];
  classNames?: string[];
}

/** Options of {@link suggestedCorrections}. */
export interface SuggestedCorrectionsOptions {
  /**
   * Which examples are flagged: a length-N mask (1/true = issue). Default: label-issues'
   * `findLabelIssues(labels, predProbs)` with its defaults.
   */
  mask?: ArrayLike<number | boolean>;
  classNames?: readonly string[];
  /** Rows in `rows` (default 20; 0 = all). */
  maxRows?: number;
}

/** The suggested label of every example: `argmax_k P[i][k]`, lowest index on ties (dataset-insights §4.1). */
export function suggestedLabels(predProbs: ProbMatrix): Int32Array {
  const K = checkMatrix(predProbs);
  const out = new Int32Array(predProbs.rows);
  for (let i = 0; i < predProbs.rows; i++) out[i] = argmaxAt(predProbs.data, i * K, K);
  return out;
}

/**
 * Group flagged examples into given → suggested cells (dataset-insights §4.2), most common first
 * (count desc, given asc, suggested asc). Flagged examples whose suggestion equals their label are
 * counted in `unchanged`.
 */
export function suggestedCorrections(labels: ArrayLike<number>, predProbs: ProbMatrix, options: SuggestedCorrectionsOptions = {}): CorrectionTable {
  const K = checkMatrix(predProbs);
  const y = checkLabels(labels, K, predProbs.rows);
  checkClassNames(options.classNames, K);
  const maxRows = checkMaxRows(options.maxRows);
  const n = y.length;
  let mask: ArrayLike<number | boolean>;
  if (options.mask !== undefined) {
    if (options.mask.length !== n) throw invalidInput(`mask has ${options.mask.length} entries but there are ${n} examples`, { mask: options.mask.length, n });
    mask = options.mask;
  } else mask = findLabelIssues(y, predProbs);
  const P = predProbs.data;
  return buildTable(y, K, mask, (i) => argmaxAt(P, i * K, K), (i, k) => P[i * K + k]!, options.classNames, maxRows);
}

/**
 * Per-row inputs of {@link suggestedCorrectionsFromRows}: what a streamed pass over pred_probs keeps
 * (two numbers per row) instead of the N×K matrix.
 */
export interface CorrectionRowsInput {
  /** Given label per example. */
  labels: ArrayLike<number>;
  /** Suggested label per example: `argmax_k P[i][k]` (lowest index on ties). Read for flagged rows only. */
  suggested: ArrayLike<number>;
  /** Self-confidence `P[i][labels[i]]` per example; orders each cell's examples. Read for flagged rows only. */
  selfConfidence: ArrayLike<number>;
  /** Label-issue mask (1/true = flagged), e.g. from a chunked label-issues run. */
  mask: ArrayLike<number | boolean>;
  /** K. */
  numClasses: number;
  classNames?: readonly string[];
  /** Rows in `rows` (default 20; 0 = all). */
  maxRows?: number;
}

/**
 * The same table as {@link suggestedCorrections} from per-row quantities (suggested label and
 * self-confidence) and a mask, so it can be built when pred_probs is streamed in row chunks and never
 * resident: identical output for `suggested = argmax P`, `selfConfidence = P[i][y_i]`.
 */
export function suggestedCorrectionsFromRows(input: CorrectionRowsInput): CorrectionTable {
  const K = input.numClasses;
  if (!Number.isInteger(K) || K < 2) throw invalidInput(`numClasses must be a whole number ≥ 2 (got ${K})`, { numClasses: K });
  const y = checkLabels(input.labels, K);
  const n = y.length;
  for (const [name, arr] of [["suggested", input.suggested], ["selfConfidence", input.selfConfidence], ["mask", input.mask]] as const) {
    if (!arr || arr.length !== n) throw invalidInput(`${name} has ${arr?.length ?? "no"} entries but there are ${n} labels`, { field: name, n });
  }
  checkClassNames(input.classNames, K);
  const maxRows = checkMaxRows(input.maxRows);
  const { suggested, selfConfidence, mask } = input;
  const suggestedOf = (i: number) => {
    const s = suggested[i]!;
    if (!Number.isInteger(s) || s < 0 || s >= K) throw invalidInput(`suggested[${i}] is ${s}; expected a class index in 0…${K - 1}`, { row: i });
    return s;
  };
  return buildTable(y, K, mask, suggestedOf, (i) => selfConfidence[i]!, input.classNames, maxRows);
}

function checkMaxRows(value: number | undefined): number {
  const maxRows = value ?? 20;
  if (!Number.isInteger(maxRows) || maxRows < 0) throw invalidOption(`maxRows must be a whole number ≥ 0 (got ${maxRows})`, { option: "maxRows" });
  return maxRows;
}

/** The §4.2 table from the labels, the mask, and per-row accessors (suggested label; probability of class k). */
function buildTable(
  y: Int32Array,
  K: number,
  mask: ArrayLike<number | boolean>,
  suggestedOf: (i: number) => number,
  probOf: (i: number, k: number) => number,
  names: readonly string[] | undefined,
  maxRows: number,
): CorrectionTable {
  const n = y.length;
  const givenCounts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) givenCounts[y[i]!]!++;
  const members = new Map<number, number[]>();
  let numFlagged = 0;
  let unchanged = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    numFlagged++;
    const s = suggestedOf(i);
    if (s === y[i]) {
      unchanged++;
      continue;
    }
    const key = y[i]! * K + s;
    let list = members.get(key);
    if (!list) members.set(key, (list = []));
    list.push(i);
  }
  const cells: CorrectionCell[] = [];
  for (const [key, list] of members) {
    const given = Math.floor(key / K);
    const suggested = key - given * K;
    const sc = (i: number) => probOf(i, given);
    list.sort((a, b) => sc(a) - sc(b) || a - b);
    const cell: CorrectionCell = {
      given,
      suggested,
      count: list.length,
      shareOfIssues: list.length / numFlagged,
      shareOfGivenClass: list.length / givenCounts[given]!,
      mutual: members.has(suggested * K + given),
      examples: list,
      selfConfidence: list.map(sc),
    };
    cells.push(names ? { ...withNames(cell, names[given]!, names[suggested]!) } : cell);
  }
  cells.sort(cellOrder);
  const out: CorrectionTable = {
    rows: maxRows === 0 ? cells : cells.slice(0, maxRows),
    cells,
    totalRows: cells.length,
    numFlagged,
    numSuggested: numFlagged - unchanged,
    unchanged,
    givenCounts,
  };
  if (names) out.classNames = [...names];
  return out;
}

function withNames(cell: CorrectionCell, givenName: string, suggestedName: string): CorrectionCell {
  const { given, suggested, ...rest } = cell;
  return { given, suggested, givenName, suggestedName, ...rest };
}

/** The §4.2 order: count desc, then given asc, then suggested asc. */
export function cellOrder(a: { count: number; given: number; suggested: number }, b: { count: number; given: number; suggested: number }): number {
  return b.count - a.count || a.given - b.given || a.suggested - b.suggested;
}

/** Which table cells a bulk fix applies to (conditions are AND-ed). */
export interface CorrectionSelect {
  given?: number;
  suggested?: number;
  /** Only these examples. */
  indices?: ArrayLike<number>;
  /** `relabel`: set each selected label to its suggestion; `exclude`: list them for removal. */
  action: "relabel" | "exclude";
}

/** One relabelling done by {@link applyCorrections}. */
export interface FixLogEntry {
  index: number;
  from: number;
  to: number;
}

/** Result of a bulk fix on labels (dataset-insights §4.3). */
export interface FixResult {
  /** A new label array (the input is never modified). */
  labels: Int32Array;
  /** Relabelled indices, ascending. */
  changed: number[];
  /** Indices selected for exclusion, ascending (labels untouched). */
  excluded: number[];
  log: FixLogEntry[];
}

/**
 * Apply a bulk fix to labels (dataset-insights §4.3), purely: only examples in the table's cells are
 * eligible; `relabel` sets `y_i = s_i`, `exclude` lists them in `excluded`.
 */
export function applyLabelCorrections(labels: ArrayLike<number>, table: CorrectionTable, select: CorrectionSelect): FixResult {
  if (select.action !== "relabel" && select.action !== "exclude") {
    throw invalidOption(`action must be "relabel" or "exclude" (got ${JSON.stringify(select.action)})`, { option: "action" });
  }
  const out = Int32Array.from(labels);
  const only = select.indices ? new Set(Array.from(select.indices)) : undefined;
  const picked: { index: number; from: number; to: number }[] = [];
  for (const cell of table.cells) {
    if (select.given !== undefined && cell.given !== select.given) continue;
    if (select.suggested !== undefined && cell.suggested !== select.suggested) continue;
    for (const i of cell.examples) {
      if (only && !only.has(i)) continue;
      if (i >= out.length) throw invalidInput(`the correction table names example ${i} but labels has ${out.length} entries`, { index: i });
      if (out[i] !== cell.given) {
        throw invalidInput(`labels[${i}] is ${out[i]} but the correction table was built with label ${cell.given}; rebuild the table for these labels`, { index: i });
      }
      picked.push({ index: i, from: cell.given, to: cell.suggested });
    }
  }
  picked.sort((a, b) => a.index - b.index);
  if (select.action === "exclude") return { labels: out, changed: [], excluded: picked.map((p) => p.index), log: [] };
  for (const p of picked) out[p.index] = p.to;
  return { labels: out, changed: picked.map((p) => p.index), excluded: [], log: picked };
}
