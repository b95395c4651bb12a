import { readFile } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AssayError } from "@assay/core";
import { type Command, Option } from "commander";
import type { CommandIo } from "./audit.js";
import { entryOf } from "./discover.js";
import { cliDirectory } from "./plugins.js";

/** The package that implements the corrections workflow. */
export const INSIGHTS_PACKAGE = "@assay/insights";

/** The part of @assay/insights that `assay fix` uses. */
interface InsightsModule {
  corrections(report: unknown, options: { accept?: unknown }): { id: string; action: "relabel" | "remove"; from: string; to: string; reason: string }[];
  correctionsCsv(rows: readonly unknown[]): string;
  writeCorrectionsCsv(path: string, rows: readonly unknown[]): Promise<void>;
}

/** Options of `assay fix`. */
export interface FixOptions {
  accept?: "suggested" | "duplicates" | "all";
  given?: string[];
  suggested?: string[];
  remove?: boolean;
  out?: string;
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
  const rows = insights.corrections(report, { accept });
  const relabel = rows.filter((r) => r.action === "relabel").length;
  const summary = `${rows.length} correction${rows.length === 1 ? "" : "s"} (${relabel} relabel, ${rows.length - relabel} remove)`;
  if (options.out) {
    await insights.writeCorrectionsCsv(options.out, rows);
    cio.stdout.write(`wrote ${options.out}: ${summary}\n`);
  } else {
    cio.stdout.write(insights.correctionsCsv(rows));
    cio.stderr.write(`${summary}\n`);
  }
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
    .addHelpText(
      "after",
      `
Examples:
  $ assay audit --labels y.npy --pred-probs p.npy --classes names.txt -d insights --out report.json
  $ assay fix report.json --accept suggested --out corrections.csv
  $ assay fix report.json --given T-shirt_top --suggested Shirt --out shirts.csv
  $ assay fix report.json --accept all --out corrections.csv     (also duplicates and removals)

Apply the file with applyCorrections(manifestRows, readCorrectionsCsv(file)) from @assay/insights.`,
    )
    .action(async (reportPath: string, opts: FixOptions) => {
      await fix(reportPath, opts, cio);
    });
}
