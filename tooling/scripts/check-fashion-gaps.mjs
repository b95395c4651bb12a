#!/usr/bin/env node
/**
 * check-fashion-gaps.mjs — runs assay's own coverage + representation lenses on
 * examples/data/fashion-gaps and checks that every class gets the action planted.json expects.
 *
 * Usage (from the repo root, after `pnpm --filter @assay/coverage --filter @assay/representation build`):
 *   node tooling/scripts/check-fashion-gaps.mjs [DIR] [--space encoder|pixels] [--pca N]
 *
 * --space encoder (default): embeddings.npy (the committed encoder's 64-d output);
 * --space pixels: the raw pixels / 255 (784-d), with --pca 128 by default (the seed's recipe).
 * Prints the gap table and exits 1 if any class's action differs from planted.json.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { space: { type: "string", default: "encoder" }, pca: { type: "string" } },
});
const DIR = resolve(positionals[0] ?? join(ROOT, "examples/data/fashion-gaps"));
const { coverageAnalysis } = await import(join(ROOT, "plugins/coverage/dist/index.js"));
const { Ontology, evaluateRepresentation, gapReport, renderGapTable } = await import(join(ROOT, "plugins/representation/dist/index.js"));
const { readNpy } = await import(join(ROOT, "packages/io/dist/index.js"));

const planted = JSON.parse(readFileSync(join(DIR, "planted.json"), "utf8"));
const classes = readFileSync(join(DIR, "classes.txt"), "utf8").trim().split("\n");
const labels = Int32Array.from((await readNpy(join(DIR, "labels.npy"))).data, Number);
let embeddings, pca = args.pca === undefined ? null : Number(args.pca);
if (args.space === "encoder") {
  const e = await readNpy(join(DIR, "embeddings.npy"));
  embeddings = { rows: e.shape[0], cols: e.shape[1], data: e.data };
} else if (args.space === "pixels") {
  const img = await readNpy(join(DIR, "images.npy"));
  embeddings = { rows: img.shape[0], cols: 784, data: Float32Array.from(img.data, (v) => v / 255) };
  pca ??= 128;
} else throw new Error(`--space must be encoder or pixels, not ${args.space}`);

const coverage = await coverageAnalysis(embeddings, labels, { classNames: classes, pca });
const ontology = Ontology.fromHierarchy(JSON.parse(readFileSync(join(DIR, "hierarchy.json"), "utf8")));
const counts = new Map(classes.map((c, k) => [c, labels.filter((l) => l === k).length]));
const representation = evaluateRepresentation({ ontology, counts });
const report = gapReport({ ontology, representation, coverage });
console.log(`space ${args.space}${pca ? `, PCA ${pca}` : ""} (${coverage.dims} dims); cut-offs ${JSON.stringify(report.cutoffs)}`);
console.log(renderGapTable(report));

const expected = new Map([
  ...planted.gaps.map((g) => [g.class, g.expected.gap_action]),
  ...planted.normal_classes.map((g) => [g.class, g.expected.gap_action]),
]);
const wrong = report.rows.filter((r) => expected.has(r.class) && expected.get(r.class) !== r.action);
const missing = [...expected.keys()].filter((c) => !report.rows.some((r) => r.class === c));
for (const r of wrong) console.error(`MISMATCH ${r.class}: got ${r.action}, planted.json expects ${expected.get(r.class)}`);
for (const c of missing) console.error(`MISSING ${c}: no gap-report row`);
if (wrong.length || missing.length) process.exit(1);
console.log(`ok: all ${expected.size} leaves get the planted action`);
