/**
 * The runnable example: a 12-image in-memory dataset with camera metadata, audited by this plugin
 * composed with a core pipeline. Run it with `pnpm start` (or `pnpm demo` at the repo root).
 */
import { createDataset, createRegistry, pipeline, serializeReport } from "@assay/core";
import { metadataRules, plugin } from "./index.js";

const rows = [
  { id: "img_000.jpg", label: 0, meta: { camera: "A7", iso: 100, exposure_ms: 8, site: "S-01" } },
  { id: "img_001.jpg", label: 0, meta: { camera: "A7", iso: 200, exposure_ms: 10, site: "S-01" } },
  { id: "img_002.jpg", label: 1, meta: { camera: "A7", iso: 12800, exposure_ms: 9, site: "S-02" } },
  { id: "img_003.jpg", label: 1, meta: { camera: "X100", iso: 400, exposure_ms: 4, site: "S-02" } },
  { id: "img_004.jpg", label: 0, meta: { camera: "A7", iso: 100, site: "S-03" } },
  { id: "img_005.jpg", label: 1, meta: { camera: "phone", iso: 800, exposure_ms: 33, site: "S-03" } },
  { id: "img_006.jpg", label: 0, meta: { camera: "X100", iso: 160, exposure_ms: 2, site: "site 4" } },
  { id: "img_007.jpg", label: 1, meta: { camera: "A7", iso: 250, exposure_ms: 6, site: "S-04" } },
  { id: "img_008.jpg", label: 0, meta: { camera: "A7", iso: "auto", exposure_ms: 5, site: "S-05" } },
  { id: "img_009.jpg", label: 1, meta: { camera: "X100", iso: 320, exposure_ms: 1200, site: "S-05" } },
  { id: "img_010.jpg", label: 0, meta: { camera: "A7", iso: 100, exposure_ms: 7, site: "S-06" } },
  { id: "img_011.jpg", label: 1, meta: { camera: "X100", iso: 200, exposure_ms: 3, site: "S-06" } },
];

const dataset = createDataset({
  name: "field-photos",
  classes: ["no_defect", "defect"],
  ids: rows.map((r) => r.id),
  labels: rows.map((r) => r.label),
  meta: rows.map((r) => r.meta),
});

async function main(): Promise<void> {
const registry = createRegistry().use(plugin);
const report = await pipeline(dataset, { registry })
  .use(
    metadataRules({
      rules: [
        { column: "camera", oneOf: ["A7", "X100"] },
        { column: "iso", min: 50, max: 6400 },
        { column: "exposure_ms", required: true, max: 1000, severity: "error" },
        { column: "site", pattern: "S-\\d{2}" },
      ],
    }),
  )
  .run();

console.log(`dataset ${report.dataset.name}: ${report.dataset.size} samples, ${report.dataset.classes.length} classes`);
for (const node of report.nodes) console.log(`  ${node.kind.padEnd(9)} ${node.name.padEnd(16)} ${node.status}`);
console.log(`${report.findings.length} findings (${report.counts.error} error, ${report.counts.warning} warning, ${report.counts.info} info):`);
for (const f of report.findings) console.log(`  [${f.severity}] ${f.type.padEnd(16)} ${f.message}`);
if (process.argv.includes("--json")) console.log(serializeReport(report, { timings: false }));
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
