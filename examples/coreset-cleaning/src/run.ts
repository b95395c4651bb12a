/**
 * The runnable example (`pnpm --filter @assay/example-coreset-cleaning start`): the iterative cleaning
 * loop on Fashion-MNIST encoder features, a table per round per arm, and out/results.json.
 *
 *   node dist/run.js [--rows N] [--rounds T] [--per-class B] [--noise dataset|uniform] [--rate R]
 *                    [--seed S] [--arms a,b,…] [--data DIR] [--model FILE] [--out FILE] [--verify]
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { AssayError, isAssayError } from "@assay/core";
import { ALL_ARMS, renderTable, runCleaningLoop, type ArmName } from "./cleaning.js";
import { EXAMPLE_ROOT, loadCleaningData, type NoiseSpec } from "./features.js";

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new AssayError("INVALID_OPTION", `--${name} must be a positive integer, got ${JSON.stringify(text)}`, { details: { option: name } });
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: "string" },
      rounds: { type: "string", default: "5" },
      "per-class": { type: "string", default: "20" },
      noise: { type: "string", default: "dataset" },
      rate: { type: "string", default: "0.1" },
      seed: { type: "string", default: "0" },
      arms: { type: "string", default: ALL_ARMS.join(",") },
      data: { type: "string" },
      model: { type: "string" },
      out: { type: "string", default: join(EXAMPLE_ROOT, "out/results.json") },
      verify: { type: "boolean", default: false },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new AssayError("INVALID_OPTION", `--seed must be an integer, got ${JSON.stringify(values.seed)}`, { details: { option: "seed" } });
  let noise: NoiseSpec;
  if (values.noise === "dataset") noise = { kind: "dataset" };
  else if (values.noise === "uniform") noise = { kind: "uniform", rate: Number(values.rate), seed };
  else throw new AssayError("INVALID_OPTION", `--noise must be "dataset" or "uniform", got ${JSON.stringify(values.noise)}`, { details: { option: "noise" } });
  const rows = integer("rows", values.rows);

  const started = performance.now();
  const data = await loadCleaningData({
    noise,
    ...(rows === undefined ? {} : { rows }),
    ...(values.data === undefined ? {} : { dataDir: values.data }),
    ...(values.model === undefined ? {} : { model: values.model }),
  });
  const embedMs = performance.now() - started;
  const result = runCleaningLoop(data, {
    rounds: integer("rounds", values.rounds)!,
    perClass: integer("per-class", values["per-class"])!,
    arms: values.arms.split(",").map((s) => s.trim()) as ArmName[],
    seed,
    verifyIncremental: values.verify,
  });
  const totalMs = performance.now() - started;

  console.log(`Fashion-MNIST: ${result.rows} train rows, ${result.testRows} clean test rows, ${result.dims}-d encoder embeddings (${(embedMs / 1000).toFixed(1)} s to load and embed)`);
  console.log(`noise: ${result.noise}; ${result.initialErrors} label errors (${((100 * result.initialErrors) / result.rows).toFixed(1)} %)`);
  console.log(`budget: ${result.perClass} rows per class per round × ${result.classes.length} classes × ${result.rounds} rounds`);
  const builds = Object.entries(result.buildMs).map(([arm, ms]) => `${arm} ${(ms / 1000).toFixed(2)} s`);
  if (builds.length > 0) console.log(`index build: ${builds.join(", ")}`);
  console.log("");
  console.log(renderTable(result));
  const out = resolve(values.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\ntotal ${(totalMs / 1000).toFixed(1)} s; wrote ${relative(process.cwd(), out) || out}`);
}

main().catch((error: unknown) => {
  console.error(isAssayError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
