import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, delimiter, dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AssayError } from "@assay/core";
import { type Command, Option } from "commander";
import type { CommandIo } from "./audit.js";
import { entryOf } from "./discover.js";
import { cliDirectory } from "./plugins.js";

/** The package that implements the corrections workflow. */
export const INSIGHTS_PACKAGE = "@assay/insights";

/** One line of a corrections file (`id,action,from,to,reason`), as @assay/insights writes it. */
export interface CorrectionLine {
  id: string;
  action: "relabel" | "remove";
  from: string;
  to: string;
  reason: string;
}

/** The part of @assay/insights that `assay fix` uses. */
interface InsightsModule {
  corrections(report: unknown, options: { accept?: unknown }): CorrectionLine[];
  correctionsCsv(rows: readonly unknown[]): string;
  writeCorrectionsCsv(path: string, rows: readonly unknown[]): Promise<void>;
  readCorrectionsCsv(path: string): Promise<CorrectionLine[]>;
  applyCorrectionsToManifestText(
    text: string,
    rows: readonly CorrectionLine[],
    options: { format: "csv" | "jsonl"; ids?: readonly string[]; labelField?: string; checkFrom?: boolean; source?: string },
  ): { text: string; relabeled: string[]; removed: string[]; labelField: string };
}

/** Options of `assay fix`. */
export interface FixOptions {
  accept?: "suggested" | "duplicates" | "all";
  given?: string[];
  suggested?: string[];
  remove?: boolean;
  out?: string;
  /** The manifest the dataset was loaded from: a CSV/JSONL manifest or a labels `.npy`. */
  manifest?: string;
  /** Where the corrected manifest goes (may equal `manifest`: replaced atomically). */
  outManifest?: string;
  /** The manifest's label column (default: detected as @assay/io does). */
  labelColumn?: string;
  /** Folder the manifest's image paths are relative to, if the audit was given one (default: the manifest's folder). */
  root?: string;
  /** Apply a relabel even when the manifest's current label differs from the correction's `from` (default false). */
  force?: boolean;
}

/**
 * Import @assay/insights from the first `node_modules` reachable from the working directory or the CLI's
 * own folder, or only from the folders of `ASSAY_PLUGIN_PATH` when it is set (the same places plugin
 * discovery looks), so the CLI needs no static dependency on it.
 */
export async function loadInsights(from?: readonly string[]): Promise<InsightsModule> {
  const pinned = from === undefined ? process.env.ASSAY_PLUGIN_PATH?.split(delimiter).filter(Boolean) : undefined;
  const starts = from ?? (pinned?.length ? pinned : [process.cwd(), cliDirectory()]);
  const ancestors = !pinned?.length;
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const pkgDir = join(dir, "node_modules", ...INSIGHTS_PACKAGE.split("/"));
      const manifest = await readFile(join(pkgDir, "package.json"), "utf8").catch(() => undefined);
      const entry = manifest === undefined ? undefined : entryOf(JSON.parse(manifest) as Record<string, never>);
      if (entry !== undefined) return (await import(pathToFileURL(join(pkgDir, entry)).href)) as InsightsModule;
      const parent = dirname(dir);
      if (!ancestors || parent === dir) break;
      dir = parent;
    }
  }
  throw new AssayError("INVALID_OPTION", `assay fix needs ${INSIGHTS_PACKAGE}; install it next to @assay/cli (pnpm add ${INSIGHTS_PACKAGE})`, {
    details: { package: INSIGHTS_PACKAGE },
  });
}

/**
 * `assay fix report.json`: turn the accepted insights of a report (suggested corrections, conflicting
 * duplicates, detection issues) into a corrections CSV (`id,action,from,to,reason`).
 */
export async function fix(reportPath: string, options: FixOptions, cio: CommandIo): Promise<void> {
  let report: unknown;
  try {
    report = JSON.parse(await readFile(reportPath, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AssayError(code ? "IO_ERROR" : "INVALID_INPUT", `cannot read report ${reportPath}: ${(error as Error).message}`, { details: { file: reportPath }, cause: error });
  }
  const insights = await loadInsights();
  const filtered = options.given !== undefined || options.suggested !== undefined || options.remove === true;
  if (filtered && options.accept !== undefined && options.accept !== "suggested") {
    throw new AssayError("INVALID_OPTION", "--given, --suggested and --remove filter the suggested corrections; use them with --accept suggested (the default)", {
      details: { option: "accept" },
    });
  }
  const accept = filtered
    ? { ...(options.given ? { given: options.given } : {}), ...(options.suggested ? { suggested: options.suggested } : {}), action: options.remove ? "remove" : "relabel" }
    : (options.accept ?? "suggested");
  if ((options.manifest === undefined) !== (options.outManifest === undefined)) {
    throw new AssayError("INVALID_OPTION", "--manifest and --out-manifest go together: the manifest the dataset was loaded from, and where the corrected one goes", {
      details: { option: options.manifest === undefined ? "manifest" : "out-manifest" },
    });
  }
  const rows = insights.corrections(report, { accept });
  const relabel = rows.filter((r) => r.action === "relabel").length;
  const summary = `${rows.length} correction${rows.length === 1 ? "" : "s"} (${relabel} relabel, ${rows.length - relabel} remove)`;
  if (options.out) {
    await insights.writeCorrectionsCsv(options.out, rows);
    cio.stdout.write(`wrote ${options.out}: ${summary}\n`);
  } else if (options.manifest === undefined) {
    cio.stdout.write(insights.correctionsCsv(rows));
    cio.stderr.write(`${summary}\n`);
  }
  if (options.manifest !== undefined && options.outManifest !== undefined) {
    const classes = (report as { dataset?: { classes?: string[] } }).dataset?.classes;
    const r = await applyManifestCorrections(
      {
        manifest: options.manifest,
        out: options.outManifest,
        corrections: rows,
        ...(classes ? { classes } : {}),
        ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
        ...(options.root ? { root: options.root } : {}),
        checkFrom: !options.force,
      },
      insights,
    );
    if (!options.out) cio.stderr.write(`${summary}\n`);
    cio.stdout.write(`wrote ${options.outManifest}: ${r.relabeled.length} relabelled, ${r.removed.length} ${r.format === "npy" ? "marked unlabeled (-1)" : "removed"}, ${r.untouched} untouched\n`);
  }
}

/** Arguments of {@link applyManifestCorrections}. */
export interface ManifestCorrectionsOptions {
  /** The manifest the dataset was loaded from: `.csv`, `.jsonl`/`.ndjson`, or a labels `.npy` (1-D class indices). */
  manifest: string;
  /** Where to write the corrected manifest (may equal `manifest`; the file is then replaced atomically). */
  out: string;
  /** Corrections rows, or the path of a corrections CSV (`assay fix --out`). */
  corrections: readonly CorrectionLine[] | string;
  /** Class names in index order: needed for a labels `.npy` (names → indices); `assay fix` takes them from the report. */
  classes?: readonly string[];
  /** The label column of a CSV/JSONL manifest (default: detected as @assay/io's loader does). */
  labelColumn?: string;
  /** The folder image paths are relative to, as given to the loader (default: the manifest's folder). */
  root?: string;
  /** Refuse a correction whose `from` is not the manifest's current label (default true). */
  checkFrom?: boolean;
  /** Force the manifest format instead of going by the extension. */
  format?: "csv" | "jsonl" | "npy";
}

/** What {@link applyManifestCorrections} did. */
export interface ManifestCorrectionsResult {
  format: "csv" | "jsonl" | "npy";
  /** Sample ids relabelled, in file order. */
  relabeled: string[];
  /** Sample ids removed (`.npy`: set to −1, unlabeled, so rows stay aligned with pred_probs / embeddings). */
  removed: string[];
  /** Records left exactly as they were. */
  untouched: number;
}

function manifestFormat(path: string, forced: ManifestCorrectionsOptions["format"]): "csv" | "jsonl" | "npy" {
  if (forced !== undefined) return forced;
  const ext = extname(path).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".npy") return "npy";
  throw new AssayError(
    "INVALID_INPUT",
    `cannot apply corrections to ${path}: only CSV/JSONL manifests and labels .npy files can be rewritten (image folders, COCO, VOC, IDX and Arrow datasets: apply the corrections CSV yourself)`,
    { details: { file: path } },
  );
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new AssayError("IO_ERROR", `cannot write ${path}: ${(error as Error).message}`, { details: { file: path }, cause: error });
  }
}

/**
 * Apply a corrections file to the manifest the dataset was loaded from and write the corrected manifest:
 * relabels applied, removed records dropped, every untouched record byte-identical (CSV/JSONL). Sample ids
 * are matched the way the audit named them: for a CSV/JSONL manifest, the ids @assay/io's loader gives
 * (image paths relative to the root); for a labels `.npy`, the row index. Corrections naming samples the
 * manifest does not have are an `INVALID_INPUT` error listing them; nothing is written then.
 *
 * Re-auditing the corrected manifest from the same path with the same `--cache` reuses every
 * label-independent artifact (embeddings, image statistics): their cache keys cover the data, not the labels.
 */
export async function applyManifestCorrections(options: ManifestCorrectionsOptions, insightsModule?: InsightsModule): Promise<ManifestCorrectionsResult> {
  const insights = insightsModule ?? (await loadInsights());
  const rows = typeof options.corrections === "string" ? await insights.readCorrectionsCsv(options.corrections) : options.corrections;
  const format = manifestFormat(options.manifest, options.format);
  const io = await import("@assay/io");
  if (format === "npy") {
    const arr = await io.readNpy(options.manifest);
    if (arr.shape.length !== 1) {
      throw new AssayError("INVALID_INPUT", `${options.manifest} has shape [${arr.shape.join(", ")}]; corrections apply to 1-D labels .npy files (one class index per row)`, {
        details: { file: options.manifest },
      });
    }
    const n = arr.shape[0]!;
    const classes = options.classes;
    const indexOf = (name: string, id: string): number => {
      const k = classes ? classes.indexOf(name) : -1;
      if (k >= 0) return k;
      if (/^\d+$/.test(name) && (!classes || Number(name) < classes.length)) return Number(name);
      throw new AssayError("INVALID_INPUT", `sample "${id}": unknown class "${name}"${classes ? ` (classes: ${classes.slice(0, 10).join(", ")}${classes.length > 10 ? ", …" : ""})` : "; pass the class names"}`, {
        details: { id, label: name },
      });
    };
    const unknown = rows.filter((r) => !/^\d+$/.test(r.id) || Number(r.id) >= n).map((r) => r.id);
    if (unknown.length > 0) {
      throw new AssayError(
        "INVALID_INPUT",
        `the corrections name ${unknown.length} sample${unknown.length === 1 ? "" : "s"} not in ${options.manifest} (${n} rows, ids 0…${n - 1}): ${unknown.slice(0, 5).map((u) => `"${u}"`).join(", ")}${unknown.length > 5 ? ", …" : ""}`,
        { details: { file: options.manifest, unknown: unknown.slice(0, 100) } },
      );
    }
    const labels = Int32Array.from(io.toNumbers(arr.data));
    const seen = new Set<number>();
    const relabeled: string[] = [];
    const removed: string[] = [];
    for (const r of [...rows].sort((a, b) => Number(a.id) - Number(b.id))) {
      const i = Number(r.id);
      if (seen.has(i)) throw new AssayError("INVALID_INPUT", `the corrections name sample "${r.id}" twice`, { details: { id: r.id } });
      seen.add(i);
      if ((options.checkFrom ?? true) && r.from !== "" && labels[i] !== indexOf(r.from, r.id)) {
        throw new AssayError("INVALID_INPUT", `sample "${r.id}": the corrections expect label "${r.from}" but ${options.manifest} has ${labels[i]}; the corrections are stale (rebuild them)`, {
          details: { id: r.id },
        });
      }
      if (r.action === "remove") {
        labels[i] = -1;
        removed.push(r.id);
      } else {
        labels[i] = indexOf(r.to, r.id);
        relabeled.push(r.id);
      }
    }
    // keep the file's dtype when it can hold −1 (signed ints, floats); unsigned labels are written as int32
    const d = arr.data;
    let out: Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array = labels;
    if (d instanceof BigInt64Array) {
      labels.forEach((v, i) => (d[i] = BigInt(v)));
      out = d;
    } else if (d instanceof Int8Array || d instanceof Int16Array || d instanceof Int32Array || d instanceof Float32Array || d instanceof Float64Array) {
      d.set(labels);
      out = d;
    }
    await writeAtomically(options.out, io.encodeNpy(out, [n]));
    return { format, relabeled, removed, untouched: n - relabeled.length - removed.length };
  }
  let text: string;
  try {
    text = await readFile(options.manifest, "utf8");
  } catch (error) {
    throw new AssayError("IO_ERROR", `cannot read manifest ${options.manifest}: ${(error as Error).message}`, { details: { file: options.manifest }, cause: error });
  }
  // the ids the audit used: @assay/io's loader names each record by its path relative to the root
  const dataset = await io.loadManifest(options.manifest, format, {
    ...(options.root ? { root: options.root } : {}),
    ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
    ...(options.classes ? { classes: [...options.classes] } : {}),
  });
  const r = insights.applyCorrectionsToManifestText(text, rows, {
    format,
    ids: dataset.ids,
    source: options.manifest,
    checkFrom: options.checkFrom ?? true,
    ...(options.labelColumn ? { labelField: options.labelColumn } : {}),
  });
  await writeAtomically(options.out, r.text);
  return { format, relabeled: r.relabeled, removed: r.removed, untouched: dataset.size - r.relabeled.length - r.removed.length };
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

/** Add the `fix` command to the program. */
export function registerFix(program: Command, cio: CommandIo): void {
  program
    .command("fix")
    .description("turn a report's suggested corrections into a corrections CSV (id,action,from,to,reason) to apply to your manifest")
    .argument("<report>", "report JSON written by `assay audit --out`")
    .addOption(new Option("--accept <what>", "which insights to accept").choices(["suggested", "duplicates", "all"]))
    .option("--given <classes>", "only cells whose given label is one of these classes (comma-separated)", list)
    .option("--suggested <classes>", "only cells whose suggested label is one of these classes (comma-separated)", list)
    .option("--remove", "propose removing the selected examples instead of relabelling them")
    .option("-o, --out <file>", "write the corrections CSV here (default: print it)")
    .option("--manifest <file>", "also apply the corrections to the manifest the dataset was loaded from (CSV, JSONL, or a labels .npy)")
    .option("--out-manifest <file>", "where the corrected manifest goes (may be the --manifest file itself; untouched records stay byte-identical)")
    .option("--label-column <name>", "the manifest's label column (default: detected like the loader does)")
    .option("--root <dir>", "folder the manifest's image paths are relative to, if the audit used one (default: the manifest's folder)")
    .option("--force", "relabel even when the manifest's label differs from the correction's 'from' (stale corrections)")
    .addHelpText(
      "after",
      `
Examples:
  $ assay audit --labels y.npy --pred-probs p.npy --classes names.txt -d insights --out report.json
  $ assay fix report.json --accept suggested --out corrections.csv
  $ assay fix report.json --given T-shirt_top --suggested Shirt --out shirts.csv
  $ assay fix report.json --accept all --out corrections.csv     (also duplicates and removals)
  $ assay fix report.json --out corrections.csv --manifest data/train.csv --out-manifest data/train.csv
    (apply in place, then re-audit with the same --cache: embeddings and image stats come from the cache)

From code: applyManifestCorrections({ manifest, out, corrections }) from @assay/cli.`,
    )
    .action(async (reportPath: string, opts: FixOptions) => {
      await fix(reportPath, opts, cio);
    });
}
