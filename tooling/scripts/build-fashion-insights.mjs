#!/usr/bin/env node
/**
 * build-fashion-insights.mjs — builds examples/data/fashion-insights, Fashion-MNIST arrays with planted
 * label problems for the dataset-insights example (dataset-insights.md): label noise concentrated
 * between sibling classes, duplicates with conflicting labels, a multi-label variant with missing and
 * extra tags, a clothing ontology, and out-of-sample pred_probs / embeddings from the committed encoder.
 *
 * Usage (from the repo root):
 *   apt-get install -y dataset-fashion-mnist        # provides /usr/share/datasets/fashion-mnist
 *   node tooling/scripts/build-fashion-insights.mjs [--idx DIR] [--out DIR] [--seed N] [--per-class N]
 *
 * Source images are Fashion-MNIST **t10k** (the test set): the encoder
 * (examples/data/models/fashion-encoder.onnx) was trained on the train set with its true labels, so its
 * probabilities on t10k images are out-of-sample, as confident learning requires.
 *
 * Writes (deterministic; .npy v1.0 by lib/fashion.mjs; rows in a seeded random order):
 *   images.npy, labels.npy (noisy, int64), true_labels.npy, source_index.npy (t10k row), classes.txt,
 *   pred_probs.npy (float32 N×10), embeddings.npy (float32 N×64), ontology.json,
 *   tags.txt, labels_multi.json, labels_multi.npy (uint8 N×K multi-hot), pred_probs_multi.npy (float32 N×K),
 *   planted.json, README.md
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  CLASSES, DEFAULT_IDX_DIR, createRng, encodeNpy, loadEncoder, loadSplit, markdownTable, noisyCopy, toInt64,
} from "./lib/fashion.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    idx: { type: "string", default: DEFAULT_IDX_DIR },
    out: { type: "string", default: join(ROOT, "examples/data/fashion-insights") },
    seed: { type: "string", default: "20240604" },
    "per-class": { type: "string", default: "240" },
  },
});
const SEED = Number(args.seed);
const PER_CLASS = Number(args["per-class"]);
const OUT = resolve(args.out);
const PIX = 784;
const K = CLASSES.length;
const cls = (name) => {
  const c = CLASSES.indexOf(name);
  if (c < 0) throw new Error(`unknown class ${name}`);
  return c;
};

// ---- The ontology (dataset-insights.md §6.1 grammar; also valid for Ontology.fromHierarchy) ----
const ONTOLOGY = {
  upper_body: { shirts: ["T-shirt_top", "Shirt"], layers: ["Pullover", "Coat"] },
  lower_body: ["Trouser"],
  full_body: ["Dress"],
  footwear: ["Sandal", "Sneaker", "Ankle_boot"],
  accessories: ["Bag"],
};
/** π(c): branch keys from the root to the node that lists the class. */
const PATH = new Map();
(function walk(node, path) {
  if (Array.isArray(node)) node.forEach((name) => PATH.set(cls(name), path));
  else for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
})(ONTOLOGY, []);
const REGIONS = Object.keys(ONTOLOGY);
const regionOf = (c) => PATH.get(c)[0];
const sameParent = (a, b) => PATH.get(a).join("/") === PATH.get(b).join("/");
const crossBranchTargets = (c) => CLASSES.map((_, k) => k).filter((k) => regionOf(k) !== regionOf(c));

// ---- Planted label noise: share of each true class's rows given its sibling's label ----
const SIBLING_FLIPS = [
  ["Shirt", "T-shirt_top", 0.16], ["T-shirt_top", "Shirt", 0.08],
  ["Pullover", "Coat", 0.14], ["Coat", "Pullover", 0.06],
  ["Sneaker", "Sandal", 0.12], ["Sandal", "Sneaker", 0.05],
];
const CROSS_BRANCH_RATE = 0.01; // of all other rows, to a random class in another top-level branch
const DUPLICATES = { conflictingExact: 14, conflictingNear: 6, siblingShare: 0.6, triples: 1, agreeing: 5, nearSigma: 3, nearBrightness: 3 };
const MULTI = { missingRegion: 30, extraRegion: 30, missingClass: 20, extraClass: 20, empty: 3 };
for (const [a, b] of SIBLING_FLIPS.map(([x, y]) => [cls(x), cls(y)])) if (!sameParent(a, b)) throw new Error("flip pair is not a sibling pair");

const rng = createRng(SEED);
const test = loadSplit(args.idx, "t10k");
const imageOf = (i) => test.images.subarray(i * PIX, (i + 1) * PIX);

// ---- Base rows: PER_CLASS random t10k images per class ----
/** rows: {pixels, label, trueLabel, source, role} — role: clean | flipped | dup_source | dup_copy */
const rows = [];
const byClass = CLASSES.map((_, c) => rng.shuffle([...Array(test.count).keys()].filter((i) => test.labels[i] === c)).slice(0, PER_CLASS));
byClass.forEach((idx, c) => idx.forEach((i) => rows.push({ pixels: imageOf(i), label: c, trueLabel: c, source: i, role: "clean" })));
const cleanOf = (c) => rows.map((r, k) => k).filter((k) => rows[k].trueLabel === c && rows[k].role === "clean");

// ---- Duplicate sources first (so their labels stay true), round-robin over classes ----
const duplicates = [];
const nPairs = DUPLICATES.conflictingExact + DUPLICATES.conflictingNear;
const nSources = nPairs + DUPLICATES.triples + DUPLICATES.agreeing;
const sourcePools = CLASSES.map((_, c) => rng.shuffle(cleanOf(c)));
const sources = [];
for (let k = 0; sources.length < nSources; k++) sources.push(sourcePools[k % K].pop());
const siblingsOf = (c) => CLASSES.map((_, k) => k).filter((k) => k !== c && sameParent(k, c));
const wrongLabel = (c, preferSibling) => {
  const sib = siblingsOf(c);
  return preferSibling && sib.length > 0 ? rng.pick(sib) : rng.pick(crossBranchTargets(c));
};
const addCopy = (src, label, near) => {
  const s = rows[src];
  rows.push({
    pixels: near ? noisyCopy(s.pixels, rng, DUPLICATES.nearSigma, DUPLICATES.nearBrightness) : s.pixels,
    label, trueLabel: s.trueLabel, source: s.source, role: "dup_copy",
  });
  return rows.length - 1;
};
sources.forEach((src, k) => {
  rows[src].role = "dup_source";
  const c = rows[src].trueLabel;
  if (k < nPairs) {
    const near = k >= DUPLICATES.conflictingExact;
    const preferSibling = (k % 10) < DUPLICATES.siblingShare * 10;
    const label = wrongLabel(c, preferSibling);
    const copy = addCopy(src, label, near);
    duplicates.push({ kind: "conflicting_pair", variant: near ? "near" : "exact", members: [src, copy] });
  } else if (k < nPairs + DUPLICATES.triples) {
    const sib = siblingsOf(c);
    const l1 = sib.length > 0 ? rng.pick(sib) : wrongLabel(c, false);
    const others = crossBranchTargets(c).filter((x) => x !== l1);
    const a = addCopy(src, l1, false), b = addCopy(src, rng.pick(others), false);
    duplicates.push({ kind: "conflicting_triple", variant: "exact", members: [src, a, b] });
  } else {
    const copy = addCopy(src, c, false);
    duplicates.push({ kind: "agreeing_pair", variant: "exact", members: [src, copy] });
  }
});

// ---- Label noise on the remaining clean base rows ----
const flips = [];
for (const [from, to, rate] of SIBLING_FLIPS) {
  const pool = rng.shuffle(cleanOf(cls(from)));
  const n = Math.round(rate * PER_CLASS);
  for (const r of pool.slice(0, n)) {
    rows[r].label = cls(to);
    rows[r].role = "flipped";
    flips.push({ r, kind: "sibling" });
  }
}
{
  const pool = rng.shuffle(rows.map((_, k) => k).filter((k) => rows[k].role === "clean"));
  const n = Math.round(CROSS_BRANCH_RATE * pool.length);
  for (const r of pool.slice(0, n)) {
    rows[r].label = rng.pick(crossBranchTargets(rows[r].trueLabel));
    rows[r].role = "flipped";
    flips.push({ r, kind: "cross_branch" });
  }
}

// ---- Multi-label variant: tags = classes + regions, from the TRUE class, then planted tag errors ----
const TAGS = [...CLASSES, ...REGIONS];
const regionTag = (c) => K + REGIONS.indexOf(regionOf(c));
const multi = rows.map((r) => [r.trueLabel, regionTag(r.trueLabel)]);
const multiPlanted = [];
{
  // Only rows without any other planted problem, so each multi-label issue is the planted one.
  const pool = rng.shuffle(rows.map((_, k) => k).filter((k) => rows[k].role === "clean"));
  let at = 0;
  const take = (n) => pool.slice(at, (at += n));
  for (const r of take(MULTI.missingRegion)) {
    const removed = multi[r][1];
    multi[r] = [multi[r][0]];
    multiPlanted.push({ r, kind: "missing_tag", tag: removed });
  }
  for (const r of take(MULTI.extraRegion)) {
    const c = rows[r].trueLabel;
    const extra = K + REGIONS.indexOf(rng.pick(REGIONS.filter((g) => g !== regionOf(c))));
    multi[r] = [...multi[r], extra];
    multiPlanted.push({ r, kind: "extra_tag", tag: extra });
  }
  for (const r of take(MULTI.missingClass)) {
    const removed = multi[r][0];
    multi[r] = [multi[r][1]];
    multiPlanted.push({ r, kind: "missing_tag", tag: removed });
  }
  for (const r of take(MULTI.extraClass)) {
    const c = rows[r].trueLabel;
    const sib = siblingsOf(c);
    const extra = sib.length > 0 ? rng.pick(sib) : rng.pick(crossBranchTargets(c));
    multi[r] = [c, extra, multi[r][1]];
    multiPlanted.push({ r, kind: "extra_tag", tag: extra });
  }
  for (const r of take(MULTI.empty)) {
    multiPlanted.push({ r, kind: "all_tags_missing", removed: [...multi[r]] });
    multi[r] = [];
  }
}

// ---- Shuffle rows ----
const N = rows.length;
const order = rng.shuffle([...Array(N).keys()]); // order[newRow] = old row
const newOf = new Int32Array(N);
order.forEach((old, i) => { newOf[old] = i; });
const images = new Uint8Array(N * PIX);
order.forEach((old, i) => images.set(rows[old].pixels, i * PIX));
const labels = order.map((o) => rows[o].label);
const trueLabels = order.map((o) => rows[o].trueLabel);
const multiRows = order.map((o) => [...multi[o]].sort((a, b) => a - b));

// ---- Encoder outputs (out-of-sample: t10k images) ----
const encode = await loadEncoder(ROOT);
const { embedding, probs } = await encode(images, N);
const tagProbs = new Float32Array(N * TAGS.length);
for (let i = 0; i < N; i++) {
  for (let c = 0; c < K; c++) {
    const p = probs[i * K + c];
    tagProbs[i * TAGS.length + c] = p;
    tagProbs[i * TAGS.length + regionTag(c)] += p;
  }
}
for (let j = 0; j < tagProbs.length; j++) tagProbs[j] = Math.min(1, tagProbs[j]); // sums of softmax parts may round above 1
const multiHot = new Uint8Array(N * TAGS.length);
multiRows.forEach((tags, i) => tags.forEach((t) => { multiHot[i * TAGS.length + t] = 1; }));

// ---- Write ----
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const sizes = {};
const write = (name, buf) => { writeFileSync(join(OUT, name), buf); sizes[name] = buf.length; };
write("images.npy", encodeNpy(images, [N, 28, 28]));
write("labels.npy", encodeNpy(toInt64(labels), [N]));
write("true_labels.npy", encodeNpy(toInt64(trueLabels), [N]));
write("source_index.npy", encodeNpy(toInt64(order.map((o) => rows[o].source)), [N]));
write("pred_probs.npy", encodeNpy(probs, [N, K]));
write("embeddings.npy", encodeNpy(embedding, [N, 64]));
write("classes.txt", Buffer.from(CLASSES.join("\n") + "\n"));
write("tags.txt", Buffer.from(TAGS.join("\n") + "\n"));
write("ontology.json", Buffer.from(JSON.stringify(ONTOLOGY, null, 2) + "\n"));
write("labels_multi.json", Buffer.from(JSON.stringify({ tags: TAGS, labels: multiRows }) + "\n"));
write("labels_multi.npy", encodeNpy(multiHot, [N, TAGS.length]));
write("pred_probs_multi.npy", encodeNpy(tagProbs, [N, TAGS.length]));

const name = (c) => CLASSES[c];
const relation = (a, b) => (sameParent(a, b) ? "sibling" : regionOf(a) === regionOf(b) ? "related" : "cross-branch");
const flipRecords = flips
  .map((f) => ({ row: newOf[f.r], given: name(rows[f.r].label), true: name(rows[f.r].trueLabel), kind: f.kind, relation: relation(rows[f.r].label, rows[f.r].trueLabel) }))
  .sort((a, b) => a.row - b.row);
const dupRecords = duplicates.map((d) => {
  const members = d.members.map((m) => newOf[m]);
  const perm = members.map((_, k) => k).sort((x, y) => members[x] - members[y]);
  return {
    kind: d.kind, variant: d.variant,
    members: perm.map((k) => members[k]),
    labels: perm.map((k) => name(rows[d.members[k]].label)),
    true_label: name(rows[d.members[0]].trueLabel),
    wrong: perm.filter((k) => rows[d.members[k]].label !== rows[d.members[k]].trueLabel).map((k) => members[k]),
    original: newOf[d.members[0]],
    source_index: rows[d.members[0]].source,
  };
}).sort((a, b) => a.members[0] - b.members[0]);
const multiRecords = multiPlanted.map((m) => ({
  row: newOf[m.r], kind: m.kind,
  ...(m.tag !== undefined ? { tag: TAGS[m.tag] } : { removed: m.removed.map((t) => TAGS[t]) }),
  given: multiRows[newOf[m.r]].map((t) => TAGS[t]),
  true: [name(rows[m.r].trueLabel), REGIONS[regionTag(rows[m.r].trueLabel) - K]],
})).sort((a, b) => a.row - b.row);

const pairCounts = new Map();
for (const f of flipRecords) if (f.kind === "sibling") pairCounts.set(`${f.given}|${f.true}`, (pairCounts.get(`${f.given}|${f.true}`) ?? 0) + 1);
const siblingPairs = [["Shirt", "T-shirt_top"], ["Pullover", "Coat"], ["Sneaker", "Sandal"]].map(([a, b]) => ({
  pair: [a, b], relation: "sibling", parent: PATH.get(cls(a)).join("/"),
  flips: { [`${b}→${a}`]: pairCounts.get(`${a}|${b}`) ?? 0, [`${a}→${b}`]: pairCounts.get(`${b}|${a}`) ?? 0 },
}));
const classCount = (arr) => Object.fromEntries(CLASSES.map((c, k) => [c, arr.filter((l) => l === k).length]));
const accuracyVsTrue = trueLabels.filter((t, i) => argmax(probs, i) === t).length / N;
function argmax(p, i) { let b = 0; for (let c = 1; c < K; c++) if (p[i * K + c] > p[i * K + b]) b = c; return b; }

const planted = {
  version: 1,
  generator: "tooling/scripts/build-fashion-insights.mjs",
  seed: SEED,
  source: "Fashion-MNIST t10k (Debian dataset-fashion-mnist); source_index.npy = t10k row",
  classes: CLASSES,
  tags: TAGS,
  counts: {
    rows: N, base_per_class: PER_CLASS,
    given_per_class: classCount(labels), true_per_class: classCount(trueLabels),
    mislabeled: labels.filter((l, i) => l !== trueLabels[i]).length,
  },
  encoder: { file: "examples/data/models/fashion-encoder.onnx", out_of_sample: true, accuracy_vs_true_labels: Number(accuracyVsTrue.toFixed(4)) },
  label_noise: {
    sibling_rates: SIBLING_FLIPS.map(([from, to, rate]) => ({ true: from, given: to, rate, count: Math.round(rate * PER_CLASS) })),
    cross_branch_rate: CROSS_BRANCH_RATE,
    top_overlapping_pairs: siblingPairs,
    flips: flipRecords,
  },
  duplicates: dupRecords,
  multilabel: {
    note: "labels_multi is built from the TRUE class (one class tag + its region tag); only the rows below differ",
    issues: multiRecords,
  },
};
write("planted.json", Buffer.from(JSON.stringify(planted, null, 1) + "\n"));

// ---- README ----
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
const nSib = flipRecords.filter((f) => f.kind === "sibling").length;
const nCross = flipRecords.length - nSib;
const conflicting = dupRecords.filter((d) => d.kind !== "agreeing_pair");
const readme = `# fashion-insights — label noise, conflicting duplicates, multi-label tags and an ontology

${N} real Fashion-MNIST images (t10k, the test set) as .npy arrays with planted label problems, out-of-sample
pred_probs and embeddings from the committed encoder, a multi-label variant and a clothing ontology: the data
of the dataset-insights example (class health, overlapping classes, suggested corrections, conflicting
duplicates, ontology roll-up, multi-label issues; dataset-insights.md).

**Generated — do not edit by hand.** Rebuild with (from the repo root):

\`\`\`sh
apt-get install -y dataset-fashion-mnist            # /usr/share/datasets/fashion-mnist/*.gz
node tooling/scripts/build-fashion-insights.mjs     # --seed ${SEED} --per-class ${PER_CLASS} --idx DIR --out DIR
\`\`\`

Seed **${SEED}**; the same seed and IDX files give byte-identical arrays (the encoder runs single-threaded in
onnxruntime-node). Total ${(total / 1e6).toFixed(2)} MB. ${PER_CLASS} base images per class keep the folder under
3 MB; \`--per-class 500\` gives a ≈ 5,000-row variant (≈ 6 MB) with the same planted rates.

**Why t10k:** the encoder (examples/data/models/fashion-encoder.onnx) was trained on the Fashion-MNIST *train*
set with its true labels. Its probabilities on train images would be in-sample (it has memorised them), which
confident learning must not use. All images here come from t10k, so \`pred_probs.npy\` is out-of-sample. The
encoder's accuracy against the true labels of these rows is ${(accuracyVsTrue * 100).toFixed(1)} %.

## Files

${markdownTable(["file", "dtype", "shape", "content"], [
  ["images.npy", "uint8", `(${N}, 28, 28)`, "raw pixels (item light on black), rows in a seeded random order"],
  ["labels.npy", "int64", `(${N},)`, "**given** (noisy) labels — what an audit sees"],
  ["true_labels.npy", "int64", `(${N},)`, "the original Fashion-MNIST labels"],
  ["source_index.npy", "int64", `(${N},)`, "t10k row (duplicates share their original's)"],
  ["pred_probs.npy", "float32", `(${N}, ${K})`, "encoder \`probs\` (softmax) on images.npy — out-of-sample"],
  ["embeddings.npy", "float32", `(${N}, 64)`, "encoder \`embedding\` on images.npy"],
  ["classes.txt", "text", `${K} lines`, "class names in label order"],
  ["ontology.json", "JSON", "", "clothing ontology (below)"],
  ["tags.txt", "text", `${TAGS.length} lines`, "multi-label tag names: the 10 classes, then the 5 regions"],
  ["labels_multi.json", "JSON", "", `\`{ tags: string[${TAGS.length}], labels: number[${N}][] }\` — per row the ascending tag ids`],
  ["labels_multi.npy", "uint8", `(${N}, ${TAGS.length})`, "the same as a 0/1 multi-hot matrix (io's \`loadNpy\` reads N×K labels as multi-label)"],
  ["pred_probs_multi.npy", "float32", `(${N}, ${TAGS.length})`, "per tag: class tags = pred_probs; region tag = sum of its classes' pred_probs (capped at 1)"],
  ["planted.json", "JSON", "", "every planted problem (schema below)"],
])}

## Ontology

\`\`\`json
${JSON.stringify(ONTOLOGY, null, 2)}
\`\`\`

Grammar of dataset-insights.md §6.1 (every leaf is a class of classes.txt; no anchors); it is also a valid
\`Ontology.fromHierarchy\` input. Paths: Shirt, T-shirt_top → [upper_body, shirts]; Pullover, Coat →
[upper_body, layers]; Sandal, Sneaker, Ankle_boot → [footwear]. So the planted pairs are **siblings**, Shirt ↔
Pullover or Coat ↔ T-shirt_top are **related** (common prefix upper_body), and e.g. Bag ↔ Shirt is **cross-branch**.

## Planted problems

**Label noise** (${flipRecords.length} rows, labels ≠ true_labels apart from the duplicate copies): ${nSib} sibling flips at
fixed per-class rates (asymmetric, so each pair has a dominant direction) and ${nCross} cross-branch flips
(${CROSS_BRANCH_RATE * 100} % of the other clean rows, to a random class in another top-level branch):

${markdownTable(["true class", "given label", "rate", "rows"], SIBLING_FLIPS.map(([f, t, r]) => [f, t, `${Math.round(r * 1000) / 10} %`, Math.round(r * PER_CLASS)]))}

Expected: the three symmetric overlapping pairs are, in this order, Shirt/T-shirt_top, Pullover/Coat and
Sneaker/Sandal (all siblings; planted pair totals ${siblingPairs.map((p) => Object.values(p.flips).reduce((a, b) => a + b, 0)).join(" > ")}
rows), well ahead of the encoder's own confusions (Pullover/Shirt is next); the classes of those pairs rank
lowest in class health; the suggested-corrections table's top cells undo the flips (e.g. given T-shirt_top →
suggested Shirt). \`node tooling/scripts/check-fashion-insights.mjs\` runs assay's label-issues lens on this folder
and checks the top-3 pairs, label-issue recall, the duplicate groups and multi-label recall.

**Duplicates with conflicting labels** (${conflicting.length} groups): ${DUPLICATES.conflictingExact} exact copies and ${DUPLICATES.conflictingNear} near copies (Gaussian pixel noise
σ = ${DUPLICATES.nearSigma}, brightness ±${DUPLICATES.nearBrightness} on the item) of a clean image, each copy given a wrong label (${DUPLICATES.siblingShare * 100} %
a sibling class where one exists, otherwise a cross-branch class); ${DUPLICATES.triples} exact triple with three distinct labels (distinct ≥ 3 →
severity error in §9); plus ${DUPLICATES.agreeing} exact **agreeing** pairs (same label) as controls that must not be reported as conflicts.
The original always keeps its true label, the copy/copies are the \`wrong\` members.

**Multi-label variant** (labels_multi.json): each row = its TRUE class tag + its region tag (upper_body,
lower_body, full_body, footwear, accessories), except the planted rows, all on otherwise clean rows:
${MULTI.missingRegion} rows missing their region tag, ${MULTI.extraRegion} with an extra wrong region tag, ${MULTI.missingClass} missing their class tag,
${MULTI.extraClass} with an extra class tag (a sibling where one exists), ${MULTI.empty} with no tags at all (\`[]\`, allowed by §7.1).
The single-label noise and the duplicate copies are **not** in the multi-label variant (it uses the true class).

## Counts

${markdownTable(["class", "true", "given"], CLASSES.map((c) => [c, planted.counts.true_per_class[c], planted.counts.given_per_class[c]]))}

## planted.json schema

\`\`\`ts
{
  version: 1, generator: string, seed: number, source: string,
  classes: string[], tags: string[],
  counts: { rows, base_per_class, mislabeled: number, given_per_class, true_per_class: Record<string, number> },
  encoder: { file: string, out_of_sample: true, accuracy_vs_true_labels: number },
  label_noise: {
    sibling_rates: { true: string, given: string, rate: number, count: number }[],
    cross_branch_rate: number,
    top_overlapping_pairs: { pair: [string, string], relation: "sibling", parent: string,
                             flips: Record<"<true>→<given>", number> }[],
    flips: { row: number, given: string, true: string, kind: "sibling" | "cross_branch",
             relation: "sibling" | "related" | "cross-branch" }[],       // ascending row
  },
  duplicates: { kind: "conflicting_pair" | "conflicting_triple" | "agreeing_pair", variant: "exact" | "near",
                members: number[], labels: string[],                      // aligned, ascending members
                true_label: string, wrong: number[], original: number, source_index: number }[],
  multilabel: { note: string,
                issues: { row: number, kind: "missing_tag" | "extra_tag" | "all_tags_missing",
                          tag?: string, removed?: string[], given: string[], true: [string, string] }[] },
}
\`\`\`
Rows are 0-based indices into the .npy arrays. \`labels != true_labels\` marks exactly the flipped rows plus the
wrong duplicate copies.
`;
writeFileSync(join(OUT, "README.md"), readme);
console.log(`wrote ${OUT}: ${N} rows (${flipRecords.length} flipped, ${conflicting.length} conflicting duplicate groups, ${multiRecords.length} multi-label issues), ${(total / 1e6).toFixed(2)} MB; encoder accuracy ${accuracyVsTrue.toFixed(4)}`);
