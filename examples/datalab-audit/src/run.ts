/**
 * The runnable example (`pnpm --filter @assay/example-datalab-audit start`): the Datalab-style audit
 * of the bundled Fashion-MNIST sample, its text report, and the label check scored against the
 * planted flips.
 *
 *   node dist/run.js [--embeddings pixels|encoder] [--data DIR] [--model FILE] [--no-cache] [--examples N]
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { AssayError, isAssayError } from "@assay/core";
import { datalabTextReport } from "@assay/label-issues";
import { DEFAULT_DATA_DIR, type EmbeddingSource, runDatalabAudit } from "./audit.js";
import { loadPlanted, renderScores, reviewTable, scoreLabelCheck, scoreOtherChecks } from "./evaluate.js";

const REVIEW_ROWS = 12;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      embeddings: { type: "string", default: "pixels" },
      data: { type: "string", default: DEFAULT_DATA_DIR },
      model: { type: "string" },
      "no-cache": { type: "boolean", default: false },
      examples: { type: "string", default: "5" },
    },
  });
  const numExamples = Number(values.examples);
  if (!Number.isInteger(numExamples) || numExamples < 0) {
    throw new AssayError("INVALID_OPTION", `--examples must be a whole number ≥ 0, got ${JSON.stringify(values.examples)}`, { details: { option: "examples" } });
  }
  const result = await runDatalabAudit({
    dataDir: values.data,
    embeddings: values.embeddings as EmbeddingSource,
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values["no-cache"] ? { cache: false } : {}),
  });
  const { dataset, report } = result;
  const planted = await loadPlanted(values.data);

  const source = result.embeddings === "pixels" ? "pixel-embedding (16×16 thumbnail + colour stats)" : "model-embeddings (fashion-encoder.onnx, 64-d)";
  console.log(`${relative(process.cwd(), values.data) || values.data}: ${dataset.size} images, ${dataset.classes.length} classes`);
  console.log(`embeddings: ${source} → knn-graph (k=10) + cross-val-pred-probs (5-fold logistic regression)`);
  const timings = report.nodes.map((n) => `${n.name} ${((n.durationMs ?? 0) / 1000).toFixed(1)} s${n.cached ? " (cached)" : ""}`);
  console.log(`pipeline: ${(result.ms / 1000).toFixed(1)} s — ${timings.join(", ")}`);
  for (const n of report.nodes) for (const w of n.warnings ?? []) console.log(`  ! ${n.name}: ${w}`);
  console.log("");
  console.log(numExamples === 5 ? result.text : datalabTextReport(report, { numExamples }));
  console.log(`the ${REVIEW_ROWS} lowest label scores, with the ground truth from planted.json:`);
  console.log(reviewTable(dataset, report, planted, REVIEW_ROWS));
  console.log(renderScores(scoreLabelCheck(dataset, report, planted), scoreOtherChecks(dataset, report, planted)));
}

main().catch((error: unknown) => {
  console.error(isAssayError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
