import { mkdir, writeFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { readFile } from "node:fs/promises";
import { type AnyNode, AssayError, artifacts, type Dataset, type Float32Matrix, pipeline, type Registry, type Report, type Severity } from "@assay/core";
import { diskCache } from "@assay/core/node";
import { renderConsole, renderCsv, renderHtml, renderJson } from "@assay/report";
import { parse as parseYaml } from "yaml";
import { type AssayConfig, configureNodes, loadConfig } from "./config.js";
import { datalabSection, gapSection, LABEL_ISSUES_PACKAGE, REPRESENTATION_PACKAGE } from "./report-sections.js";
import { exitCodes } from "./errors.js";
import { type DatasetInputs, loadInputs } from "./inputs.js";
import { buildRegistry } from "./plugins.js";
import { createProgress, progressMode } from "./progress.js";
import { reportThumbnails } from "./thumbnails.js";

/** Options of the `audit` command. */
export interface AuditOptions extends DatasetInputs {
  detectors?: string[];
  config?: string;
  cache?: string;
  concurrency?: number;
  failOn?: "warning" | "error";
  quiet?: boolean;
  progress?: boolean;
  color?: boolean;
  out?: string;
  csv?: string;
  html?: string;
  ontology?: string;
  classSize?: string;
  maxPerType?: number;
  plugin?: string[];
  /** Extractors to use explicitly (picks the provider when several provide one artifact). */
  use?: string[];
  /** Put image thumbnails in the HTML report (default true). */
  thumbnails?: boolean;
}

/** The streams and environment a command runs against. */
export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Aborts the run (Ctrl-C). */
  signal?: AbortSignal;
}

const rank: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * `assay audit`: load the dataset, run the chosen (or every installed) detector with the configured
 * options, print the summary, write the requested files. Resolves to the exit code.
 */
export async function audit(options: AuditOptions, cio: CommandIo): Promise<number> {
  const { registry, plugins, warnings } = await buildRegistry(options.plugin ? { modules: options.plugin } : {});
  for (const w of warnings) cio.stderr.write(`assay: warning: ${w}\n`);

  const config: AssayConfig = options.config ? await loadConfig(options.config) : {};
  await applyPassThrough(config, registry, options);
  for (const name of options.use ?? []) {
    // --use x is the same as naming x under "extractors" in the config
    if (!config.extractors?.[name]) config.extractors = { ...config.extractors, [name]: {} };
  }
  const configured = configureNodes(registry, config);
  const selected = selectDetectors(registry, options.detectors);

  const inputs = await loadInputs(options);
  if (cio.signal?.aborted) throw new AssayError("CANCELLED", "stopped before the run started");
  const build = (detectors: readonly AnyNode[]) => {
    const p = pipeline(inputs.dataset, { registry }).use(...configured.extractors.values(), ...detectors);
    if (inputs.predProbs) p.provide(artifacts.predProbs, inputs.predProbs);
    if (inputs.embeddings) p.provide(artifacts.embeddings, inputs.embeddings);
    try {
      p.plan();
    } catch (error) {
      if (error instanceof AssayError && error.code === "AMBIGUOUS_PROVIDER") {
        const providers = (error.details?.providers as string[] | undefined) ?? [];
        throw new AssayError(
          "AMBIGUOUS_PROVIDER",
          `${error.message.split("; pick one")[0]}; pick one with --use ${providers[0] ?? "<extractor>"} (or by naming it under "extractors" in --config)`,
          { details: error.details ?? {}, cause: error },
        );
      }
      throw error;
    }
    return p;
  };
  const detectorNodes: AnyNode[] = [];
  for (const name of selected.names) {
    const configuredNode = configured.detectors.get(name);
    if (configuredNode) {
      detectorNodes.push(configuredNode);
      continue;
    }
    try {
      detectorNodes.push(registry.factory(name)!());
    } catch (error) {
      // With every installed lens, one that cannot run on its defaults (a required option) is left out.
      if (selected.explicit || !(error instanceof AssayError) || error.code !== "INVALID_OPTION") throw error;
      cio.stderr.write(`assay: note: ${name} left out: it has no usable default options (${error.message}); set them under detectors."${name}" in --config\n`);
    }
  }

  let runnable = detectorNodes;
  if (!selected.explicit) {
    // Every installed lens: leave out those whose inputs nothing here can provide, and say why.
    runnable = [];
    for (const node of detectorNodes) {
      try {
        build([node]);
        runnable.push(node);
      } catch (error) {
        if (!(error instanceof AssayError) || error.code !== "MISSING_PROVIDER") throw error;
        const artifact = String(error.details?.artifact ?? "?");
        cio.stderr.write(`assay: note: ${node.name} left out: it needs "${artifact}", which nothing provides${hintFor(artifact)}\n`);
      }
    }
    if (runnable.length === 0) {
      throw new AssayError(
        "MISSING_PROVIDER",
        `none of the installed detectors (${detectorNodes.map((n) => n.name).join(", ")}) can run on this input; supply what they need (see the notes above)`,
      );
    }
  }

  const p = build(runnable);
  const mode = options.progress === false ? "off" : progressMode(cio.stderr, cio.env, options.quiet ?? false);
  const progress = createProgress({ stream: cio.stderr, mode });
  let report: Report;
  try {
    report = await p.run({
      concurrency: options.concurrency ?? 2,
      onProgress: progress.onProgress,
      ...(options.cache ? { cache: diskCache(resolve(options.cache), { onCorrupt: (key) => cio.stderr.write(`assay: warning: cache entry ${key} was unreadable and is recomputed\n`) }) } : {}),
      ...(cio.signal ? { signal: cio.signal } : {}),
    });
  } finally {
    progress.stop();
  }

  if (!options.quiet) {
    cio.stdout.write(renderConsole(report, { color: options.color ?? false, ...(options.maxPerType === undefined ? {} : { maxPerType: options.maxPerType }) }));
    // label-issues / Datalab checks ran: add cleanlab's familiar text report (only when that package is installed)
    const datalab = datalabSection(report, plugins, options.maxPerType);
    if (datalab !== undefined) cio.stdout.write(`\nDatalab report (${LABEL_ISSUES_PACKAGE})\n\n${datalab}`);
    const gaps = gapSection(report, plugins);
    if (gaps !== undefined) cio.stdout.write(`\nGap report (${REPRESENTATION_PACKAGE})\n\n${gaps}\n`);
  }
  if (options.out) await writeOutput(options.out, renderJson(report));
  if (options.csv) await writeOutput(options.csv, renderCsv(report));
  if (options.html) {
    const thumbnails = options.thumbnails === false ? new Map<number, string>() : await reportThumbnails(report, inputs.dataset, { concurrency: options.concurrency ?? 2 });
    await writeOutput(options.html, renderHtml(report, { thumbnails }));
  }

  // A lens asked for by name must run; with every installed lens, one that cannot run is a warning.
  const failed = report.nodes.filter((n) => n.status === "error");
  const selectedNames = new Set(runnable.map((n) => n.name));
  const missed = selected.explicit ? report.nodes.filter((n) => n.kind === "detector" && selectedNames.has(n.name) && n.status !== "ok") : [];
  for (const n of failed) {
    const level = missed.length > 0 ? "" : "warning: ";
    cio.stderr.write(`assay: ${level}${n.error?.code ?? "NODE_FAILED"}: ${n.name}: ${(n.error?.message ?? "failed").replace(/\s*\n\s*/g, " ")}\n`);
  }
  if (report.status === "cancelled") throw new AssayError("CANCELLED", "the run was cancelled before every node finished");
  if (missed.length > 0) {
    const skipped = missed.filter((n) => n.status === "skipped");
    for (const n of skipped) cio.stderr.write(`assay: NODE_FAILED: ${n.name} did not run: ${n.reason ?? "skipped"}\n`);
    return exitCodes.error;
  }
  if (options.failOn) {
    const threshold = rank[options.failOn];
    const hits = report.findings.filter((f) => rank[f.severity] >= threshold).length;
    if (hits > 0) {
      cio.stderr.write(`assay: --fail-on ${options.failOn}: ${hits} finding${hits === 1 ? "" : "s"} at or above "${options.failOn}"\n`);
      return exitCodes.findings;
    }
  }
  return exitCodes.ok;
}

function hintFor(artifact: string): string {
  if (artifact === "pred_probs") return "; pass --pred-probs p.npy (out-of-sample predicted probabilities)";
  if (artifact === "embeddings") return "; pass --embeddings e.npy or install a plugin with an embeddings extractor (@assay/io)";
  return "";
}

/** Which detectors to run: the named ones (presets expanded), or every registered detector. */
export function selectDetectors(registry: Registry, names: readonly string[] | undefined): { names: string[]; explicit: boolean } {
  const all = registry.detectors().map((f) => f.nodeName);
  if (names === undefined || names.length === 0) {
    if (all.length === 0) {
      throw new AssayError("MISSING_PROVIDER", "no detectors are installed; install a lens package, e.g. npm install @assay/duplicates (assay list shows what is installed)");
    }
    return { names: all, explicit: false };
  }
  const presets = registry.presets();
  const out: string[] = [];
  const add = (n: string) => {
    if (!out.includes(n)) out.push(n);
  };
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    const factory = registry.factory(name);
    if (factory?.kind === "detector") add(name);
    else if (presets[name]) {
      for (const member of presets[name]!) {
        if (registry.factory(member)?.kind !== "detector") {
          throw new AssayError("INVALID_OPTION", `preset "${name}" names detector "${member}", which is not installed`, { details: { option: "detectors", preset: name } });
        }
        add(member);
      }
    } else if (factory) {
      throw new AssayError("INVALID_OPTION", `"${name}" is an extractor, not a detector; extractors run when a detector needs their output (configure them under "extractors")`, {
        details: { option: "detectors", name },
      });
    } else {
      const presetNames = Object.keys(presets);
      throw new AssayError(
        "INVALID_OPTION",
        `unknown detector "${name}"; installed detectors: ${all.join(", ") || "none"}${presetNames.length ? `; presets: ${presetNames.join(", ")}` : ""}`,
        { details: { option: "detectors", name } },
      );
    }
  }
  return { names: out, explicit: true };
}

/** Detectors that take an `ontology` option; `--ontology` configures every one that is installed. */
const ontologyDetectors = ["representation", "gaps", "ontology-rollup"] as const;

/**
 * `--ontology FILE` becomes the `ontology` option of every installed detector that takes one
 * (representation, gaps, ontology-rollup), and `--class-size a=3,b=5` becomes
 * `detectors.coreset.classSize`, when those detectors are installed. The ontology is passed as the
 * file's path when the detector's option is a string, else as the parsed JSON/YAML content.
 */
export async function applyPassThrough(config: AssayConfig, registry: Registry, options: Pick<AuditOptions, "ontology" | "classSize">): Promise<void> {
  if (options.ontology !== undefined) {
    const targets = ontologyDetectors.filter((name) => registry.factory(name)?.kind === "detector");
    if (targets.length === 0) {
      throw new AssayError("INVALID_OPTION", `--ontology needs the "representation" detector; install @assay/representation`, { details: { option: "ontology" } });
    }
    for (const name of targets) {
      const wantsPath = optionIsString(registry.factory(name)!.schema, "ontology");
      const value = wantsPath ? resolve(options.ontology) : await readStructured(options.ontology, "--ontology");
      config.detectors = { ...config.detectors, [name]: { ...config.detectors?.[name], ontology: value } };
    }
  }
  if (options.classSize !== undefined) {
    const factory = registry.factory("coreset");
    if (factory?.kind !== "detector") {
      throw new AssayError("INVALID_OPTION", `--class-size needs the "coreset" detector; install @assay/coreset`, { details: { option: "class-size" } });
    }
    config.detectors = { ...config.detectors, coreset: { ...config.detectors?.coreset, classSize: parseClassSize(options.classSize) } };
  }
}

/** Parse `cat=3,dog=5` into `{ cat: 3, dog: 5 }`. */
export function parseClassSize(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",")) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.lastIndexOf("=");
    const name = item.slice(0, eq).trim();
    const n = Number(item.slice(eq + 1));
    if (eq <= 0 || !name || !Number.isInteger(n) || n < 0) {
      throw new AssayError("INVALID_OPTION", `--class-size: "${item}" is not class=count (a whole number ≥ 0); example: --class-size cat=20,dog=10`, { details: { option: "class-size" } });
    }
    out[name] = n;
  }
  return out;
}

function optionIsString(schema: unknown, key: string): boolean {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  let field = shape?.[key] as { def?: { type?: string; innerType?: unknown } } | undefined;
  for (let i = 0; field && i < 5; i++) {
    const type = field.def?.type;
    if (type === "string") return true;
    if (type !== "optional" && type !== "default" && type !== "nullable") return false;
    field = field.def?.innerType as typeof field;
  }
  return false;
}

async function readStructured(file: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new AssayError("IO_ERROR", `cannot read ${flag} ${file}: ${(error as Error).message}`, { details: { file }, cause: error });
  }
  try {
    return extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new AssayError("INVALID_INPUT", `${flag} ${file} is not valid JSON/YAML: ${(error as Error).message.split("\n")[0]}`, { details: { file }, cause: error });
  }
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    throw new AssayError("IO_ERROR", `cannot write ${path}: ${(error as Error).message}`, { details: { file: path }, cause: error });
  }
}

