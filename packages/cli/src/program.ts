import { access, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { AssayError } from "@assay/core";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type AuditOptions, audit, type CommandIo } from "./audit.js";
import { describePlugins, renderPluginList } from "./describe.js";
import { exitCodes, formatError } from "./errors.js";
import { registerFix } from "./fix.js";
import { starterConfigJson, starterConfigModule } from "./init.js";
import { buildRegistry } from "./plugins.js";

/** This package's version (read from package.json next to dist/ or src/). */
export function cliVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

const auditExamples = `
Examples:
  $ assay audit ./images                         every installed lens on an image folder
  $ assay audit ./data --detectors duplicates,outliers --out report.json --html report.html
  $ assay audit --labels y.npy --pred-probs p.npy --classes names.txt --fail-on error
  $ assay audit ./data --config assay.config.mjs --cache .assay-cache

Config files: .json, .yaml, .mjs, .js (default export) or .ts. A .ts config loads natively on Node >= 22.6,
and on Node 20 when esbuild is installed (npm install -D esbuild).
Exit codes: 0 done; 1 --fail-on matched a finding; 2 error (bad input, option or file, or a lens named
with --detectors failed). Without --detectors, a lens that fails is a warning and the rest still report.`;

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

/**
 * The `assay` command-line program. `run(argv)` parses and runs one command and resolves to the exit
 * code; errors are printed as one `assay: <code>: <message>` line (with the stack only under `--debug`).
 */
export function createProgram(cio: CommandIo): { program: Command; run(argv: readonly string[]): Promise<number> } {
  let exitCode: number = exitCodes.ok;
  const program = new Command("assay")
    .description("Audit a machine-learning dataset with every installed assay lens: label errors, duplicates, outliers, coverage gaps, …")
    .version(cliVersion(), "-v, --version")
    .option("--debug", "print stack traces of errors")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => cio.stdout.write(s),
      writeErr: (s) => cio.stderr.write(s),
    })
    .exitOverride();
  program.addHelpText("after", "\nRun `assay <command> --help` for a command's options.\nExample: assay audit ./data --out report.json");

  program
    .command("audit")
    .description("load a dataset, run the lenses and report what is wrong with it")
    .argument("[path]", "dataset folder or file (image folder, CSV/JSONL manifest, COCO, VOC, IDX, .npy, Arrow)")
    .option("--format <name>", "force the dataset format instead of detecting it")
    .option("--images <file>", "images as an N×H×W[×C] uint8 .npy file")
    .option("--labels <file>", "labels .npy: N integers (−1 = unlabeled) or N×K multi-hot")
    .option("--pred-probs <file>", "out-of-sample predicted probabilities, N×K .npy")
    .option("--embeddings <file>", "embeddings, N×D .npy or Arrow")
    .option("--classes <file>", "class names, one per line (or a JSON array)")
    .option("-d, --detectors <names>", "detectors or presets to run, comma-separated (default: every installed detector)", list)
    .option("--use <extractors>", "extractors to use, comma-separated; picks one when several provide the same artifact (e.g. --use pixel-embedding)", list)
    .option("-c, --config <file>", "per-node options: { detectors: { <name>: {…} }, extractors: { <name>: {…} } }")
    .option("--cache <dir>", "keep extractor outputs (embeddings, kNN…) in this folder and reuse them")
    .option("--concurrency <n>", "nodes (and tasks inside a node) run at once", positiveInt("--concurrency"), 2)
    .addOption(new Option("--fail-on <severity>", "exit with code 1 when a finding is at or above this severity").choices(["warning", "error"]))
    .option("-o, --out <file>", "write the full report as JSON")
    .option("--csv <file>", "write one CSV row per finding")
    .option("--html <file>", "write a self-contained HTML report")
    .option("--no-thumbnails", "leave image thumbnails out of the HTML report")
    .option("--ontology <file>", "class ontology (JSON/YAML) for the representation lens")
    .option("--class-size <list>", "coreset lens: important samples per class, e.g. cat=20,dog=10")
    .option("--max-per-type <n>", "examples shown per finding type in the summary", (v) => Math.max(0, Math.floor(Number(v)) || 0))
    .option("--plugin <module>", "also load this plugin module (path or package name); repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("-q, --quiet", "print no progress and no summary (errors and warnings still go to stderr)")
    .option("--no-progress", "print no progress")
    .option("--no-color", "no colours in the summary")
    .addHelpText("after", auditExamples)
    .action(async (path: string | undefined, opts: Record<string, unknown>) => {
      const options: AuditOptions = { ...(opts as AuditOptions) };
      if (path !== undefined) options.path = path;
      if (opts.color !== false) options.color = Boolean(cio.stdout.isTTY) && !cio.env.NO_COLOR;
      if (cio.env.FORCE_COLOR && cio.env.FORCE_COLOR !== "0" && opts.color !== false) options.color = true;
      exitCode = await audit(options, cio);
    });

  program
    .command("list")
    .description("show installed plugins, their detectors, extractors, backends and options")
    .option("--json", "print JSON")
    .option("--plugin <module>", "also load this plugin module; repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .action(async (opts: { json?: boolean; plugin?: string[] }) => {
      const { registry, plugins, warnings } = await buildRegistry(opts.plugin ? { modules: opts.plugin } : {});
      const infos = describePlugins(registry, plugins);
      if (opts.json) cio.stdout.write(`${JSON.stringify({ plugins: infos, warnings }, null, 2)}\n`);
      else {
        for (const w of warnings) cio.stderr.write(`assay: warning: ${w}\n`);
        cio.stdout.write(renderPluginList(infos));
      }
    });

  program
    .command("init")
    .description("write a commented starter config listing every installed detector with its defaults")
    .argument("[file]", "where to write it (default assay.config.mjs, or assay.config.json with --json)")
    .option("--json", "write JSON (no comments: every option at its default)")
    .option("-f, --force", "overwrite an existing file")
    .option("--plugin <module>", "also load this plugin module; repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .action(async (file: string | undefined, opts: { json?: boolean; force?: boolean; plugin?: string[] }) => {
      const target = resolve(file ?? (opts.json ? "assay.config.json" : "assay.config.mjs"));
      if (!opts.force && (await exists(target))) {
        throw new AssayError("IO_ERROR", `${target} already exists; pass --force to overwrite it`, { details: { file: target } });
      }
      const { registry, plugins, warnings } = await buildRegistry(opts.plugin ? { modules: opts.plugin } : {});
      for (const w of warnings) cio.stderr.write(`assay: warning: ${w}\n`);
      const infos = describePlugins(registry, plugins);
      const json = opts.json || target.endsWith(".json");
      const text = json ? starterConfigJson(infos) : starterConfigModule(infos);
      try {
        await writeFile(target, text);
      } catch (error) {
        throw new AssayError("IO_ERROR", `cannot write ${target}: ${(error as Error).message}`, { cause: error });
      }
      const nodes = infos.reduce((n, p) => n + p.detectors.length + p.extractors.length, 0);
      cio.stdout.write(`wrote ${target} (${nodes} node${nodes === 1 ? "" : "s"} from ${infos.length} plugin${infos.length === 1 ? "" : "s"})\n`);
      if (json) {
        cio.stdout.write("JSON has no comments: every option is listed at its default; delete those you do not change. `assay list` describes each option.\n");
      }
      cio.stdout.write(`use it with: assay audit <data> --config ${file ?? (json ? "assay.config.json" : "assay.config.mjs")}\n`);
    });

  registerFix(program, cio);

  return {
    program,
    async run(argv) {
      const debug = argv.includes("--debug");
      try {
        await program.parseAsync(argv as string[], { from: "user" });
        return exitCode;
      } catch (error) {
        if (error instanceof CommanderError) {
          // help and version exit with 0; usage errors were already printed by commander
          return error.exitCode === 0 ? exitCodes.ok : exitCodes.error;
        }
        cio.stderr.write(`${formatError(error)}\n`);
        if (debug && error instanceof Error && error.stack) cio.stderr.write(`${error.stack}\n`);
        return exitCodes.error;
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
