import { createDataset, type Dataset } from "@assay/core";
import { parse } from "csv-parse/sync";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { invalidInput, messageOf } from "../errors.js";
import { readText, resolveClassList } from "../files.js";
import { type CommonLoadOptions, fileImages, salt } from "./common.js";
import { type RawLabel, resolveLabels } from "./labels.js";

/** Options of {@link loadManifest}. */
export interface ManifestOptions extends CommonLoadOptions {
  /** Folder that relative paths are resolved against (default: the manifest's folder). */
  root?: string;
  /** Column holding the image path (default: the first of path, image, file, filename, file_name, filepath, image_path). */
  pathColumn?: string;
  /** Column holding one label per row (default: the first of label, class, category, target). */
  labelColumn?: string;
  /** Column holding several labels per row (default: the first of labels, tags). */
  labelsColumn?: string;
  /** Column naming the split (default `split`). */
  splitColumn?: string;
  /** Separator of several labels inside one CSV cell or JSONL string (default: `|` or `;`). */
  labelSeparator?: string | RegExp;
}

const PATH_COLUMNS = ["path", "image", "file", "filename", "file_name", "filepath", "image_path"];
const LABEL_COLUMNS = ["label", "class", "category", "target"];
const LABELS_COLUMNS = ["labels", "tags"];

type Record_ = Record<string, unknown>;

/**
 * Load a CSV or JSONL manifest: one row per image with a path column, optionally a label (or
 * multi-label) column and a split column; every other column becomes `meta`. CSV is parsed with
 * csv-parse (header row required, quotes and BOM handled); JSONL is one JSON object per line.
 * Ids are the image paths relative to the root.
 */
export async function loadManifest(file: string, format: "csv" | "jsonl", options: ManifestOptions = {}): Promise<Dataset> {
  const text = await readText(file);
  const { records, lineOf } = format === "csv" ? parseCsv(text, file) : parseJsonl(text, file);
  if (records.length === 0) throw invalidInput(`${file} has no rows`, { file });
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const pick = (explicit: string | undefined, candidates: string[], what: string) => {
    if (explicit !== undefined) {
      if (!columns.includes(explicit)) throw invalidInput(`${file} has no ${what} column "${explicit}" (columns: ${columns.join(", ")})`, { file, column: explicit });
      return explicit;
    }
    return candidates.find((c) => columns.includes(c));
  };
  const pathCol = pick(options.pathColumn, PATH_COLUMNS, "path");
  if (!pathCol) throw invalidInput(`${file} has no path column; expected one of ${PATH_COLUMNS.join(", ")} (columns: ${columns.join(", ")})`, { file });
  const labelCol = pick(options.labelColumn, LABEL_COLUMNS, "label");
  const labelsCol = labelCol === undefined ? pick(options.labelsColumn, LABELS_COLUMNS, "labels") : undefined;
  const splitCol = pick(options.splitColumn, ["split"], "split");
  const root = resolve(options.root ?? dirname(file));
  const separator = options.labelSeparator ?? /[|;]/;
  const rowName = (r: number) => `row ${r + 1} (line ${lineOf(r)})`;

  const ids: string[] = [];
  const paths: string[] = [];
  const meta: Record_[] = [];
  const splits: (string | undefined)[] = [];
  const rawLabels: RawLabel[][] = [];
  records.forEach((rec, r) => {
    const p = rec[pathCol];
    if (typeof p !== "string" || p.trim() === "") {
      throw invalidInput(`${file}: ${rowName(r)} has an empty "${pathCol}"`, { file, row: r, column: pathCol });
    }
    const abs = isAbsolute(p) ? p : resolve(root, p);
    paths.push(abs);
    ids.push(relative(root, abs).split("\\").join("/"));
    const m: Record_ = {};
    for (const [k, v] of Object.entries(rec)) if (k !== pathCol && k !== labelCol && k !== labelsCol && k !== splitCol) m[k] = v;
    meta.push(m);
    const s = splitCol ? rec[splitCol] : undefined;
    splits.push(s === null || s === undefined || s === "" ? undefined : String(s));
    if (labelCol) {
      rawLabels.push([asRaw(rec[labelCol], file, rowName(r), labelCol)]);
    } else if (labelsCol) {
      const v = rec[labelsCol];
      const list = Array.isArray(v) ? v : typeof v === "string" ? v.split(separator) : v === null || v === undefined ? [] : [v];
      rawLabels.push(list.map((x) => asRaw(x, file, rowName(r), labelsCol)));
    }
  });

  const given = await resolveClassList(options.classes);
  const { images, imageBytes } = fileImages(paths, options);
  const base = {
    name: options.name ?? basename(file).replace(/\.[^.]+$/, ""),
    ids,
    sources: paths,
    meta,
    images,
    imageBytes,
    fingerprintSalt: salt(format, root, { manifest: resolve(file) }),
    ...(splitCol ? { splits } : {}),
  };
  if (!labelCol && !labelsCol) return createDataset({ ...base, ...(given ? { classes: given } : {}) });
  const { classes, indices } = resolveLabels(rawLabels, given, file, rowName);
  if (labelCol) return createDataset({ ...base, classes, labels: indices.map((l) => (l.length > 0 ? l[0]! : -1)) });
  return createDataset({ ...base, classes, multiLabels: indices.map((l) => [...new Set(l)].sort((a, b) => a - b)) });
}

function asRaw(v: unknown, file: string, row: string, column: string): RawLabel {
  if (v === null || v === undefined || typeof v === "string" || typeof v === "number" || typeof v === "bigint") return v;
  throw invalidInput(`${file}: ${row} column "${column}" holds ${JSON.stringify(v)}; expected a class name or index`, { file, column });
}

function parseCsv(text: string, file: string): { records: Record_[]; lineOf: (r: number) => number } {
  try {
    const out = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as { record: Record_; info: { lines: number } }[];
    return { records: out.map((o) => o.record), lineOf: (r) => out[r]!.info.lines };
  } catch (error) {
    throw invalidInput(`${file} is not valid CSV: ${messageOf(error)}`, { file }, error);
  }
}

function parseJsonl(text: string, file: string): { records: Record_[]; lineOf: (r: number) => number } {
  const records: Record_[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw invalidInput(`${file} line ${i + 1} is not valid JSON: ${messageOf(error)}`, { file, line: i + 1 }, error);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw invalidInput(`${file} line ${i + 1} must be a JSON object`, { file, line: i + 1 });
    }
    records.push(value as Record_);
    lines.push(i + 1);
  });
  return { records, lineOf: (r) => lines[r]! };
}
