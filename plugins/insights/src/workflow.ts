import { readFile, writeFile } from "node:fs/promises";
import type { Report } from "@assay/core";
import { parse } from "csv-parse/sync";
import { type CorrectionCell, type CorrectionSelect, type CorrectionTable, type FixResult, applyLabelCorrections } from "./corrections.js";
import type { DuplicateConflict } from "./conflicts.js";
import { invalidInput, invalidOption, ioError } from "./errors.js";
import type { MultiLabelCorrectionTable } from "./multilabel.js";

/** One line of a corrections file. */
export interface CorrectionRow {
  /** The sample id (as in the report and the manifest). */
  id: string;
  action: "relabel" | "remove";
  /** The current label (class name; multi-label: names joined by `|`). */
  from: string;
  /** The new label for `relabel`; empty for `remove`. */
  to: string;
  /** Why: which insight proposed it. */
  reason: string;
}

/** A filter over the suggested-corrections cells (by class name or index); conditions are AND-ed. */
export interface CorrectionFilter {
  given?: readonly (string | number)[];
  suggested?: readonly (string | number)[];
  /** `relabel` (default) sets the suggestion; `remove` proposes dropping the examples. */
  action?: "relabel" | "remove";
}

/** Options of {@link corrections}. */
export interface CorrectionsOptions {
  /**
   * What to accept: `"suggested"` (every given → suggested cell, relabel), `"duplicates"` (relabel the
   * suspects of conflicting duplicate sets that have a suggestion or majority), `"all"` (both, plus removal
   * of conflicting sets with no majority and of images with detection label issues), or a
   * {@link CorrectionFilter} over the suggested cells. Default `"suggested"`.
   */
  accept?: "suggested" | "duplicates" | "all" | CorrectionFilter;
}

type JsonReport = Pick<Report, "dataset" | "results" | "findings">;

function idMap(report: JsonReport): Map<number, string> {
  const ids = new Map<number, string>();
  for (const f of report.findings ?? []) f.indices.forEach((i, j) => ids.set(i, f.ids[j] ?? String(i)));
  return ids;
}

function resultOf<T>(report: JsonReport, name: string): T | undefined {
  const r = report.results?.[name]?.result as (T & { skipped?: string }) | undefined;
  return r && typeof r === "object" && !("skipped" in r && r.skipped) ? r : undefined;
}

function classRef(value: string | number, classes: readonly string[]): number {
  if (typeof value === "number") return value;
  const k = classes.indexOf(value);
  if (k < 0) throw invalidOption(`unknown class "${value}" in the accept filter; classes: ${classes.join(", ")}`, { option: "accept" });
  return k;
}

/**
 * Turn the insights of a report (the `suggested-corrections`, `conflicting-duplicates` and
 * `detection-label-issues` results) into corrections rows `{ id, action, from, to, reason }`, one per
 * sample, in dataset order. Works on a `Report` or its parsed JSON.
 */
export function corrections(report: JsonReport, options: CorrectionsOptions = {}): CorrectionRow[] {
  if (!report || typeof report !== "object" || !report.dataset || !report.results) {
    throw invalidInput("not an assay report (expected { dataset, results, findings }); pass the JSON written by `assay audit --out`");
  }
  const accept = options.accept ?? "suggested";
  if (typeof accept === "string" && !["suggested", "duplicates", "all"].includes(accept)) {
    throw invalidOption(`accept must be "suggested", "duplicates", "all" or a filter object (got "${accept}")`, { option: "accept" });
  }
  const classes = report.dataset.classes;
  const name = (k: number) => classes[k] ?? String(k);
  const setName = (s: readonly number[]) => s.map(name).join("|");
  const ids = idMap(report);
  const idOf = (i: number) => {
    const id = ids.get(i);
    if (id === undefined) throw invalidInput(`the report has no sample id for row ${i}; was it edited?`, { row: i });
    return id;
  };
  const out = new Map<number, CorrectionRow>();
  const add = (i: number, row: Omit<CorrectionRow, "id">) => {
    if (!out.has(i)) out.set(i, { id: idOf(i), ...row });
  };

  const table = resultOf<CorrectionTable | { multilabel: MultiLabelCorrectionTable }>(report, "suggested-corrections");
  const wantsSuggested = accept === "suggested" || accept === "all" || typeof accept === "object";
  if (table && wantsSuggested) {
    if ("multilabel" in table) {
      if (typeof accept === "object") throw invalidOption("class filters apply to single-label corrections only", { option: "accept" });
      const t = table.multilabel;
      t.flagged.forEach((i, j) => add(i, { action: "relabel", from: setName(t.given[j]!), to: setName(t.suggested[j]!), reason: "suggested-corrections (multi-label)" }));
    } else {
      const filter = typeof accept === "object" ? accept : undefined;
      const given = filter?.given?.map((g) => classRef(g, classes));
      const suggested = filter?.suggested?.map((g) => classRef(g, classes));
      const action = filter?.action ?? "relabel";
      if (action !== "relabel" && action !== "remove") throw invalidOption(`accept.action must be "relabel" or "remove"`, { option: "accept.action" });
      const cells: CorrectionCell[] = table.cells ?? table.rows;
      for (const c of cells) {
        if (given && !given.includes(c.given)) continue;
        if (suggested && !suggested.includes(c.suggested)) continue;
        for (const i of c.examples) {
          add(i, {
            action,
            from: name(c.given),
            to: action === "relabel" ? name(c.suggested) : "",
            reason: `suggested-corrections: ${name(c.given)} → ${name(c.suggested)} (${c.count} example${c.count === 1 ? "" : "s"})`,
          });
        }
      }
    }
  }

  const dup = resultOf<{ conflicts: DuplicateConflict[] }>(report, "conflicting-duplicates");
  if (dup && (accept === "duplicates" || accept === "all")) {
    for (const c of dup.conflicts) {
      const ref = c.suggested ?? c.majority;
      const text = (k: number | number[]) => (typeof k === "number" ? name(k) : setName(k));
      if (ref !== null && ref !== undefined) {
        for (const i of c.suspects) {
          const j = c.members.indexOf(i);
          add(i, { action: "relabel", from: text(c.labels[j]!), to: text(ref), reason: `conflicting duplicates [${c.members.map(idOf).join(", ")}]` });
        }
      } else if (accept === "all") {
        c.members.forEach((i, j) => add(i, { action: "remove", from: text(c.labels[j]!), to: "", reason: `conflicting duplicates with no majority [${c.members.map(idOf).join(", ")}]` }));
      }
    }
  }

  const det = resultOf<{ ranked: number[] }>(report, "detection-label-issues");
  if (det && accept === "all") for (const i of det.ranked) add(i, { action: "remove", from: "", to: "", reason: "detection-label-issues: annotation looks wrong" });

  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const HEADER = ["id", "action", "from", "to", "reason"] as const;

/** The corrections as CSV text (header `id,action,from,to,reason`). */
export function correctionsCsv(rows: readonly CorrectionRow[]): string {
  return `${[HEADER.join(","), ...rows.map((r) => HEADER.map((h) => csvField(String(r[h]))).join(","))].join("\n")}\n`;
}

/** Write corrections to a CSV file. */
export async function writeCorrectionsCsv(path: string, rows: readonly CorrectionRow[]): Promise<void> {
  try {
    await writeFile(path, correctionsCsv(rows));
  } catch (cause) {
    throw ioError(`cannot write corrections file ${path}: ${(cause as Error).message}`, path, cause);
  }
}

/** Parse corrections CSV text; `source` names the file in errors. */
export function parseCorrectionsCsv(text: string, source = "(text)"): CorrectionRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (cause) {
    throw invalidInput(`${source}: not valid CSV: ${(cause as Error).message}`, { file: source });
  }
  return records.map((r, j) => {
    const line = j + 2;
    if (!r.id) throw invalidInput(`${source} line ${line}: missing id`, { file: source, line });
    if (r.action !== "relabel" && r.action !== "remove") throw invalidInput(`${source} line ${line}: action "${r.action}" must be relabel or remove`, { file: source, line });
    if (r.action === "relabel" && !r.to) throw invalidInput(`${source} line ${line}: relabel of "${r.id}" has no "to" label`, { file: source, line });
    return { id: r.id, action: r.action, from: r.from ?? "", to: r.to ?? "", reason: r.reason ?? "" };
  });
}

/** Read a corrections CSV file written by {@link writeCorrectionsCsv} (or by hand). */
export async function readCorrectionsCsv(path: string): Promise<CorrectionRow[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw ioError(`cannot read corrections file ${path}: ${(cause as Error).message}`, path, cause);
  }
  return parseCorrectionsCsv(text, path);
}

/** Options of applying corrections to manifest rows. */
export interface ManifestOptions {
  /** Column holding the sample id (default `"id"`). */
  idField?: string;
  /** Column holding the label (default `"label"`). */
  labelField?: string;
  /** Refuse a correction whose `from` differs from the manifest's current label (default true). */
  checkFrom?: boolean;
}

/** Result of applying corrections to a manifest. */
export interface ManifestFixResult<Row> {
  /** The new manifest: removed rows left out, relabelled rows copied with the new label. */
  rows: Row[];
  relabeled: string[];
  removed: string[];
}

/** Index corrections by id, refusing an id named twice or one the manifest does not have. */
function correctionsById(rows: readonly CorrectionRow[], present: ReadonlySet<string>, idField: string): Map<string, CorrectionRow> {
  const byId = new Map<string, CorrectionRow>();
  for (const r of rows) {
    if (byId.has(r.id)) throw invalidInput(`the corrections name sample "${r.id}" twice`, { id: r.id });
    byId.set(r.id, r);
  }
  const unknown = [...byId.keys()].filter((id) => !present.has(id));
  if (unknown.length > 0) {
    throw invalidInput(
      `the corrections name ${unknown.length} sample${unknown.length === 1 ? "" : "s"} not in the manifest (by "${idField}"): ${unknown.slice(0, 5).map((u) => `"${u}"`).join(", ")}${unknown.length > 5 ? ", …" : ""}`,
      { unknown: unknown.slice(0, 100), idField },
    );
  }
  return byId;
}

function applyToManifest<Row extends Record<string, unknown>>(manifest: readonly Row[], rows: readonly CorrectionRow[], options: ManifestOptions): ManifestFixResult<Row> {
  const idField = options.idField ?? "id";
  const labelField = options.labelField ?? "label";
  const present = new Set<string>();
  manifest.forEach((m, i) => {
    const id = m[idField];
    if (id === undefined || id === null) throw invalidInput(`manifest row ${i} has no "${idField}" column`, { row: i, idField });
    present.add(String(id));
  });
  const byId = correctionsById(rows, present, idField);
  const out: Row[] = [];
  const relabeled: string[] = [];
  const removed: string[] = [];
  for (const m of manifest) {
    const id = String(m[idField]);
    const c = byId.get(id);
    if (!c) {
      out.push(m);
      continue;
    }
    const current = m[labelField] === undefined || m[labelField] === null ? "" : String(m[labelField]);
    if ((options.checkFrom ?? true) && c.from !== "" && current !== c.from) {
      throw invalidInput(`sample "${id}": the corrections expect label "${c.from}" but the manifest has "${current}"; the corrections are stale (rebuild them) or pass checkFrom: false`, { id });
    }
    if (c.action === "remove") removed.push(id);
    else {
      out.push({ ...m, [labelField]: c.to });
      relabeled.push(id);
    }
  }
  return { rows: out, relabeled, removed };
}

/**
 * Apply corrections. Two forms:
 * - `applyCorrections(manifestRows, correctionRows, options?)`: relabel / drop manifest rows by sample id;
 *   ids the manifest does not have are an `INVALID_INPUT` error naming them.
 * - `applyCorrections(labels, table, select)`: the pure bulk fix of dataset-insights §4.3 on a label array.
 */
export function applyCorrections<Row extends Record<string, unknown>>(manifest: readonly Row[], rows: readonly CorrectionRow[], options?: ManifestOptions): ManifestFixResult<Row>;
export function applyCorrections(labels: ArrayLike<number>, table: CorrectionTable, select: CorrectionSelect): FixResult;
export function applyCorrections(
  first: ArrayLike<number> | readonly Record<string, unknown>[],
  second: CorrectionTable | readonly CorrectionRow[],
  third?: CorrectionSelect | ManifestOptions,
): FixResult | ManifestFixResult<Record<string, unknown>> {
  if (Array.isArray(second)) return applyToManifest(first as readonly Record<string, unknown>[], second as readonly CorrectionRow[], (third ?? {}) as ManifestOptions);
  if (third === undefined || !("action" in third)) throw invalidOption("applyCorrections(labels, table, select) needs select.action (relabel or exclude)", { option: "action" });
  return applyLabelCorrections(first as ArrayLike<number>, second as CorrectionTable, third as CorrectionSelect);
}

/** Options of {@link applyCorrectionsToManifestText}. */
export interface ManifestTextOptions {
  /** `csv` (header row) or `jsonl` (one JSON object per line). */
  format: "csv" | "jsonl";
  /**
   * The sample id of every record, in file order (blank lines skipped): what the report calls the
   * samples. For @assay/io manifests these are the image paths relative to the root, i.e. the `ids` of
   * the dataset `loadDataset(file)` returns. Default: the `id` column.
   */
  ids?: readonly string[];
  /** The label column (default: the first of label, class, category, target, labels, tags present). */
  labelField?: string;
  /** Refuse a correction whose `from` differs from the record's current label (default true). */
  checkFrom?: boolean;
  /** Names the file in error messages. */
  source?: string;
}

/** Result of {@link applyCorrectionsToManifestText}. */
export interface ManifestTextResult {
  /** The corrected manifest text. */
  text: string;
  relabeled: string[];
  removed: string[];
  /** The label column used. */
  labelField: string;
}

/** Label columns @assay/io's manifest loader recognises, single-label first (same order as the loader). */
const LABEL_FIELDS = ["label", "class", "category", "target", "labels", "tags"];
const MULTI_SEPARATOR = /[|;]/;

function sameLabel(current: string, from: string): boolean {
  if (current === from) return true;
  const set = (v: string) => v.split(MULTI_SEPARATOR).map((x) => x.trim()).filter(Boolean).sort().join("|");
  return set(current) === set(from);
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Apply corrections to the text of a CSV or JSONL manifest: relabelled records get the new label,
 * removed records are dropped, and every other byte of the file — header, untouched records, their
 * quoting, spacing and line endings — is kept as it was. A relabelled CSV record is written again from its
 * fields (values unchanged, quotes only where needed); a relabelled JSONL record is `JSON.stringify` of
 * the object with the label replaced (a list stays a list, a number stays a number when the new label is
 * numeric). Ids the manifest does not have are an `INVALID_INPUT` error naming them.
 */
export function applyCorrectionsToManifestText(text: string, rows: readonly CorrectionRow[], options: ManifestTextOptions): ManifestTextResult {
  const source = options.source ?? "(manifest)";
  if (options.format !== "csv" && options.format !== "jsonl") throw invalidOption(`format must be "csv" or "jsonl" (got ${JSON.stringify(options.format)})`, { option: "format" });
  const records = options.format === "csv" ? csvRecords(text, source) : jsonlRecords(text, source);
  if (records.items.length === 0) throw invalidInput(`${source} has no records`, { file: source });
  const columns = new Set(records.items.flatMap((r) => Object.keys(r.record)));
  const labelField = options.labelField ?? LABEL_FIELDS.find((c) => columns.has(c));
  if (labelField === undefined || !columns.has(labelField)) {
    throw invalidInput(`${source} has no label column ${labelField === undefined ? `(expected one of ${LABEL_FIELDS.join(", ")})` : `"${labelField}"`}; columns: ${[...columns].join(", ")}`, {
      file: source,
      column: labelField ?? null,
    });
  }
  let ids: readonly string[];
  if (options.ids) {
    if (options.ids.length !== records.items.length) {
      throw invalidInput(`${source} has ${records.items.length} records but ${options.ids.length} ids were given`, { file: source, records: records.items.length, ids: options.ids.length });
    }
    ids = options.ids;
  } else {
    if (!columns.has("id")) throw invalidInput(`${source} has no "id" column; pass the sample ids of its records (options.ids)`, { file: source });
    ids = records.items.map((r, i) => {
      const v = r.record.id;
      if (v === undefined || v === null || v === "") throw invalidInput(`${source}: record ${i + 1} has no id`, { file: source, row: i });
      return String(v);
    });
  }
  const byId = correctionsById(rows, new Set(ids), "id");
  const relabeled: string[] = [];
  const removed: string[] = [];
  let out = records.head;
  records.items.forEach((item, r) => {
    const id = ids[r]!;
    const c = byId.get(id);
    if (!c) {
      out += item.raw;
      return;
    }
    const value = item.record[labelField];
    const current = value === undefined || value === null ? "" : Array.isArray(value) ? value.map(String).join("|") : String(value).trim();
    if ((options.checkFrom ?? true) && c.from !== "" && !sameLabel(current, c.from)) {
      throw invalidInput(`${source}: sample "${id}": the corrections expect label "${c.from}" but the manifest has "${current}"; the corrections are stale (rebuild them) or pass checkFrom: false`, {
        file: source,
        id,
      });
    }
    if (c.action === "remove") {
      removed.push(id);
      return;
    }
    relabeled.push(id);
    out += item.rewrite(labelField, c.to);
  });
  out += records.tail;
  return { text: out, relabeled, removed, labelField };
}

interface TextRecord {
  record: Record<string, unknown>;
  /** The record's text as in the file (with the blank lines before it and its line ending). */
  raw: string;
  /** The record's text with the label replaced. */
  rewrite(field: string, to: string): string;
}

function csvRecords(text: string, source: string): { head: string; items: TextRecord[]; tail: string } {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (cause) {
    throw invalidInput(`${source}: not valid CSV: ${(cause as Error).message}`, { file: source });
  }
  if (parsed.length === 0) return { head: text, items: [], tail: "" };
  // physical lines with their endings; a record ends on line info.lines (1-based) and starts after the previous one
  const lines = text.split(/(?<=\n)/);
  const slice = (from: number, to: number) => lines.slice(from, to).join("");
  const header = parsed[0]!.record;
  const head = slice(0, parsed[0]!.info.lines);
  const items: TextRecord[] = [];
  let prev = parsed[0]!.info.lines;
  for (const p of parsed.slice(1)) {
    const raw = slice(prev, p.info.lines);
    prev = p.info.lines;
    const record: Record<string, string> = {};
    header.forEach((h, j) => {
      if (p.record[j] !== undefined) record[h] = p.record[j]!;
    });
    items.push({
      record,
      raw,
      rewrite(field: string, to: string) {
        const lead = /^(?:[ \t]*\r?\n)*/.exec(raw)![0];
        const end = /\r?\n$/.exec(raw)?.[0] ?? "";
        const fields = [...p.record];
        fields[header.indexOf(field)] = to;
        return `${lead}${fields.map(csvCell).join(",")}${end}`;
      },
    });
  }
  return { head, items, tail: slice(prev, lines.length) };
}

function jsonlRecords(text: string, source: string): { head: string; items: TextRecord[]; tail: string } {
  const items: TextRecord[] = [];
  let pending = "";
  const parts = text.split(/(?<=\n)/);
  parts.forEach((line, i) => {
    if (line.trim() === "") {
      pending += line;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw invalidInput(`${source} line ${i + 1} is not valid JSON: ${(cause as Error).message}`, { file: source, line: i + 1 });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalidInput(`${source} line ${i + 1} must be a JSON object`, { file: source, line: i + 1 });
    const record = value as Record<string, unknown>;
    const lead = pending;
    pending = "";
    items.push({
      record,
      raw: lead + line,
      rewrite(field: string, to: string) {
        const old = record[field];
        let next: unknown = to;
        if (Array.isArray(old)) next = to === "" ? [] : to.split("|").map((x) => (typeof old[0] === "number" && /^\d+$/.test(x) ? Number(x) : x));
        else if (typeof old === "number" && /^-?\d+$/.test(to)) next = Number(to);
        const end = /\r?\n$/.exec(line)?.[0] ?? "";
        return `${lead}${JSON.stringify({ ...record, [field]: next })}${end}`;
      },
    });
  });
  return { head: "", items, tail: pending };
}
