#!/usr/bin/env node
/**
 * check-fashion-insights.mjs — runs assay's label-issues lens on examples/data/fashion-insights and
 * checks the planted problems come out on top.
 *
 * Usage (from the repo root, after `pnpm --filter @assay/label-issues build`):
 *   node tooling/scripts/check-fashion-insights.mjs [DIR]
 *
 * Checks (exit 1 on failure):
 *   - the three planted sibling pairs are the top 3 symmetric overlapping classes;
 *   - recall/precision of find_label_issues against labels ≠ true_labels (printed; recall ≥ 0.5 required);
 *   - every planted conflicting duplicate group has > 1 distinct label and every agreeing pair has 1, and
 *     exact copies have identical pixels;
 *   - multi-label flagging (find_multilabel_issues, defaults) finds ≥ 80 % of the planted tag errors.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIR = resolve(process.argv[2] ?? join(ROOT, "examples/data/fashion-insights"));
const li = await import(join(ROOT, "plugins/label-issues/dist/index.js"));
const { readNpy } = await import(join(ROOT, "packages/io/dist/index.js"));

const planted = JSON.parse(readFileSync(join(DIR, "planted.json"), "utf8"));
const classes = planted.classes;
const num = async (f) => Int32Array.from((await readNpy(join(DIR, f))).data, Number);
const labels = await num("labels.npy");
const trueLabels = await num("true_labels.npy");
const pp = await readNpy(join(DIR, "pred_probs.npy"));
const predProbs = { rows: pp.shape[0], cols: pp.shape[1], data: pp.data };
const failures = [];

// Overlapping classes
const summary = li.healthSummary({ labels, predProbs, classNames: classes });
console.log(`overall label health ${summary.overallLabelHealthScore.toFixed(4)}`);
console.log("top overlapping pairs:");
const pairName = (r) => [classes[r.classIndexA ?? r.classA ?? r[0]], classes[r.classIndexB ?? r.classB ?? r[1]]];
summary.overlappingClasses.slice(0, 6).forEach((r) => console.log(`  ${pairName(r).join(" / ")}  ${JSON.stringify(r)}`));
const key = (a, b) => [a, b].sort().join("|");
const top3 = new Set(summary.overlappingClasses.slice(0, 3).map((r) => key(...pairName(r))));
for (const p of planted.label_noise.top_overlapping_pairs) if (!top3.has(key(...p.pair))) failures.push(`planted pair ${p.pair.join("/")} not in the top 3 overlapping classes`);
console.log("class health (worst 5):");
summary.classesByLabelQuality.slice(0, 5).forEach((r) => console.log(`  ${JSON.stringify(r)}`));

// Label issues vs truth
const mask = li.findLabelIssues(labels, predProbs);
let tp = 0, flagged = 0, wrong = 0;
for (let i = 0; i < labels.length; i++) {
  const bad = labels[i] !== trueLabels[i];
  wrong += bad;
  flagged += mask[i];
  tp += mask[i] && bad ? 1 : 0;
}
console.log(`find_label_issues: ${flagged} flagged, ${tp} of ${wrong} mislabeled rows (recall ${(tp / wrong).toFixed(3)}, precision ${(tp / flagged).toFixed(3)})`);
if (tp / wrong < 0.5) failures.push(`label-issue recall ${(tp / wrong).toFixed(3)} < 0.5`);

// Duplicates
const images = (await readNpy(join(DIR, "images.npy"))).data;
const same = (a, b) => images.subarray(a * 784, (a + 1) * 784).every((v, j) => v === images[b * 784 + j]);
for (const d of planted.duplicates) {
  const distinct = new Set(d.members.map((m) => labels[m])).size;
  if (d.kind === "agreeing_pair" ? distinct !== 1 : distinct < 2) failures.push(`duplicate group ${d.members} (${d.kind}) has ${distinct} distinct labels`);
  if (d.variant === "exact" && !d.members.every((m) => same(m, d.members[0]))) failures.push(`exact duplicate group ${d.members} differs in pixels`);
  if (d.variant === "near" && same(d.members[0], d.members[1])) failures.push(`near duplicate group ${d.members} is pixel-identical`);
}
console.log(`duplicates: ${planted.duplicates.length} groups checked`);

// Multi-label
const multi = JSON.parse(readFileSync(join(DIR, "labels_multi.json"), "utf8"));
const mp = await readNpy(join(DIR, "pred_probs_multi.npy"));
const mmask = li.findMultiLabelIssues(multi.labels, { rows: mp.shape[0], cols: mp.shape[1], data: mp.data });
const plantedRows = new Set(planted.multilabel.issues.map((m) => m.row));
let mtp = 0, mflag = 0;
for (let i = 0; i < mmask.length; i++) { mflag += mmask[i]; if (mmask[i] && plantedRows.has(i)) mtp++; }
console.log(`multi-label: ${mflag} flagged, ${mtp} of ${plantedRows.size} planted rows`);
if (mtp / plantedRows.size < 0.8) failures.push(`multi-label recall ${(mtp / plantedRows.size).toFixed(3)} < 0.8`);

for (const f of failures) console.error(`FAIL ${f}`);
if (failures.length) process.exit(1);
console.log("ok");
