/**
 * The runnable example (`pnpm --filter @assay/example-gap-report start`): prints the gap table of
 * examples/data/fashion-gaps and writes the whole report to out/gap-report.json.
 *
 *   node dist/run.js [--data DIR] [--embeddings encoder|file] [--out FILE]
 */
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isAssayError } from "@assay/core";
import { writeReport } from "@assay/io";
import { EXAMPLE_ROOT, runGapReport, type EmbeddingSource } from "./gap-report.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string" },
      embeddings: { type: "string", default: "encoder" },
      out: { type: "string", default: join(EXAMPLE_ROOT, "out/gap-report.json") },
    },
  });
  const { report, gaps, table, dims, ms } = await runGapReport({
    ...(values.data === undefined ? {} : { dataDir: values.data }),
    embeddings: values.embeddings as EmbeddingSource,
  });
  const via = values.embeddings === "encoder" ? "fashion-encoder.onnx (ONNX Runtime)" : "embeddings.npy";
  console.log(`${report.dataset.name}: ${report.dataset.size} images, ${report.dataset.classes.length} classes; embeddings: ${via}, ${dims} dims`);
  console.log(`pipeline: ${report.nodes.map((n) => n.name).join(", ")} — ${(ms / 1000).toFixed(1)} s`);
  const c = gaps.cutoffs;
  console.log(`cut-offs: dispersion < ${c.dispersion?.toFixed(3) ?? "-"}, isotropy < ${c.isotropy?.toFixed(3) ?? "-"}, near-dup > ${c.nearDuplicate}\n`);
  console.log(table.trimEnd());
  const actions = report.findings.filter((f) => f.detector === "gaps").map((f) => `${f.type}(${String(f.data?.class)})`);
  console.log(`\ngap findings: ${actions.join(", ") || "none"}`);
  const out = resolve(values.out);
  await writeReport(out, report, { timings: false });
  console.log(`wrote ${relative(process.cwd(), out) || out}`);
}

main().catch((error: unknown) => {
  console.error(isAssayError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
