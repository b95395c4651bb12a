/**
 * The runnable example (`pnpm --filter @assay/example-data-cleaning start`): the cleaning workflow on the
 * bundled Fashion-MNIST sample, then on the VOC detection set; prints each cleaning table, what was found
 * of the planted problems, and writes out/<dataset>.cleaning.json, .csv and .report.json.
 *
 *   node dist/run.js [--rows N] [--out DIR]
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isAssayError, serializeReport } from "@assay/core";
import { renderTable, runCleaning, tableCsv, type CleaningResult } from "./cleaning.js";
import { scoreDetection, scoreSample, type Recall } from "./evaluate.js";

/** The example's folder (dist/ and src/ both sit one level below it). */
export const EXAMPLE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The bundled datasets. */
export const SAMPLE_DIR = resolve(EXAMPLE_ROOT, "../data/fashion-sample");
export const DETECTION_DIR = resolve(EXAMPLE_ROOT, "../data/fashion-detection");

const pct = (r: Recall) => `${r.found}/${r.total}${r.missed.length ? ` (missed: ${r.missed.join(", ")})` : ""}`;

async function save(out: string, name: string, result: CleaningResult): Promise<string[]> {
  const files = [join(out, `${name}.cleaning.json`), join(out, `${name}.cleaning.csv`), join(out, `${name}.report.json`)];
  const drop = result.rows.filter((r) => r.action === "drop").map((r) => r.id);
  const review = result.rows.filter((r) => r.action === "review").map((r) => r.id);
  await writeFile(files[0]!, `${JSON.stringify({ dataset: result.dataset.name, size: result.dataset.size, counts: result.counts, drop, review, rows: result.rows }, null, 2)}\n`);
  await writeFile(files[1]!, tableCsv(result.rows));
  await writeFile(files[2]!, serializeReport(result.report, { timings: true }));
  return files;
}

function summary(result: CleaningResult, rows: number): void {
  const drop = result.rows.filter((r) => r.action === "drop").length;
  console.log(`${result.dataset.name}: ${result.dataset.size} images, ${(result.durationMs / 1000).toFixed(1)} s`);
  console.log(`findings: ${Object.entries(result.counts).map(([t, n]) => `${t} ${n}`).join(", ")}`);
  console.log(`cleaning table: ${result.rows.length} samples — drop ${drop}, review ${result.rows.length - drop}\n`);
  console.log(renderTable(result.rows, rows));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: "string", default: "25" }, out: { type: "string", default: join(EXAMPLE_ROOT, "out") } } });
  const rows = Number(values.rows);
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const written: string[] = [];

  const sample = await runCleaning(SAMPLE_DIR);
  summary(sample, rows);
  const s = scoreSample(SAMPLE_DIR, sample.dataset.ids, sample.report, sample.rows);
  console.log(`\nagainst planted.json: exact duplicates ${pct(s.exact)}; near duplicates ${pct(s.near)}`);
  console.log(`  (hash-visible transforms ${s.nearNoShift.found}/${s.nearNoShift.total}, 1-px shifts ${s.nearShift.found}/${s.nearShift.total})`);
  console.log(`  leakage ${pct(s.leakage)}; extreme ${pct(s.extreme)}; broken → unreadable ${pct(s.broken)}`);
  console.log(`  false positives: ${s.falsePositives.flagged} of ${s.falsePositives.clean} clean images (${(100 * s.falsePositives.rate).toFixed(2)} %)${s.falsePositives.ids.length ? `: ${s.falsePositives.ids.join(", ")}` : ""}`);
  written.push(...(await save(out, "fashion-sample", sample)));

  const classes = (await readFile(join(DETECTION_DIR, "classes.txt"), "utf8")).trim().split(/\r?\n/);
  const detection = await runCleaning(DETECTION_DIR, { format: "voc", classes });
  console.log("");
  summary(detection, rows);
  const d = scoreDetection(DETECTION_DIR, detection.dataset.ids, detection.report, detection.rows);
  console.log(`\nagainst planted.json: duplicate boxes ${pct(d.duplicateBoxes)}; duplicate images ${pct(d.duplicateImages)} (leakage ${pct(d.imageLeakage)})`);
  console.log(`  zero-area/outside boxes ${pct(d.invalidBoxes)}; dark images ${pct(d.darkImages)}; empty images ${pct(d.emptyImages)}`);
  console.log(`  false positives: ${d.falsePositives.flagged} of ${d.falsePositives.clean} clean images (${(100 * d.falsePositives.rate).toFixed(2)} %)${d.falsePositives.ids.length ? `: ${d.falsePositives.ids.join(", ")}` : ""}`);
  written.push(...(await save(out, "fashion-detection", detection)));
  console.log(`\nwrote ${written.map((f) => relative(process.cwd(), f) || f).join(", ")}`);
}

main().catch((error: unknown) => {
  console.error(isAssayError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
