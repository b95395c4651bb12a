#!/usr/bin/env node
/**
 * build-fashion-gaps.mjs — builds examples/data/fashion-gaps, a Fashion-MNIST dataset with planted
 * coverage and representation gaps for the gap report (ontology-representation.md §4 + coverage.md).
 *
 * Usage (from the repo root):
 *   apt-get install -y dataset-fashion-mnist        # provides /usr/share/datasets/fashion-mnist
 *   node tooling/scripts/build-fashion-gaps.mjs [--idx DIR] [--out DIR] [--seed N] [--no-embeddings]
 *
 * Source images are Fashion-MNIST t10k (the test set), so the committed encoder
 * (examples/data/models/fashion-encoder.onnx, trained on the train set) has not seen them.
 *
 * Writes (deterministic; .npy v1.0 by lib/fashion.mjs; rows in a seeded random order):
 *   images.npy        uint8 [N, 28, 28]
 *   labels.npy        int64 [N]          class index into classes.txt
 *   source_index.npy  int64 [N]          t10k row the image is (or is derived from); −1 for the blends
 *   embeddings.npy    float32 [N, 64]    the encoder's `embedding` output (omit with --no-embeddings)
 *   classes.txt       the 10 Fashion-MNIST classes in label order
 *   hierarchy.json    the clothing ontology (nested mapping/list, OR §1.3), with two leaves absent from the data
 *   planted.json      each planted gap: class, rows, how it was made, the expected action and why
 *   README.md         generated description
 *
 * Planted gaps (normal classes: 300 random t10k images each):
 *   absent     Hoodie, Hat — leaves of hierarchy.json with no samples          → acquire
 *   tiny       Trouser — 5 samples                                              → augment / collect more
 *   padded     Pullover — 200 real images + 100 slightly noised copies of one  → deduplicate
 *   collapsed  Bag — 300 linear blends (1−t)·A + t·B of two bags, t evenly spaced → vary the axis
 *   clustered  Sandal — 300 small perturbations of 3 mutually close sandals   → broaden
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  CLASSES, DEFAULT_IDX_DIR, clip8, createRng, encodeNpy, loadEncoder, loadSplit, markdownTable, noisyCopy, toInt64,
} from "./lib/fashion.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    idx: { type: "string", default: DEFAULT_IDX_DIR },
    out: { type: "string", default: join(ROOT, "examples/data/fashion-gaps") },
    seed: { type: "string", default: "20240603" },
    "no-embeddings": { type: "boolean", default: false },
  },
});
const SEED = Number(args.seed);
const OUT = resolve(args.out);
const PIX = 784;
const cls = (name) => CLASSES.indexOf(name);
const roundHalfEven = (x) => { const f = Math.floor(x); const d = x - f; return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f; };

// ---- Parameters (documented in the generated README) ----
const NORMAL_COUNT = 300;
const TINY = { cls: cls("Trouser"), count: 5 };
const PADDED = { cls: cls("Pullover"), real: 200, copies: 100, noiseSigma: 3, brightness: 4 };
const COLLAPSED = { cls: cls("Bag"), count: 300, candidates: 400 };
const CLUSTERED = { cls: cls("Sandal"), bases: 3, perBase: 100, noiseSigma: 4, brightness: 6, pool: 400 };
const HIERARCHY = {
  clothing: {
    tops: ["T-shirt_top", "Pullover", "Shirt", "Coat", "Hoodie"],
    bottoms: ["Trouser"],
    one_piece: ["Dress"],
    footwear: ["Sandal", "Sneaker", "Ankle_boot"],
    accessories: ["Bag", "Hat"],
  },
};
const ABSENT = ["Hoodie", "Hat"];

const rng = createRng(SEED);
const test = loadSplit(args.idx, "t10k");
const imageOf = (i) => test.images.subarray(i * PIX, (i + 1) * PIX);
const byClass = CLASSES.map((_, c) => rng.shuffle([...Array(test.count).keys()].filter((i) => test.labels[i] === c)));
const dist2 = (a, b) => { let s = 0; for (let j = 0; j < PIX; j++) { const d = a[j] - b[j]; s += d * d; } return s; };

/** Rows of the dataset before shuffling: {pixels, label, source, kind}. */
const rows = [];
const add = (pixels, label, source, kind) => rows.push({ pixels, label, source, kind });

const perturb = (src, sigma, brightness) => noisyCopy(src, rng, sigma, brightness);

const plan = {};
for (let c = 0; c < CLASSES.length; c++) {
  const pool = byClass[c];
  if (c === TINY.cls) {
    pool.slice(0, TINY.count).forEach((i) => add(imageOf(i), c, i, "real"));
  } else if (c === PADDED.cls) {
    const real = pool.slice(0, PADDED.real);
    real.forEach((i) => add(imageOf(i), c, i, "real"));
    const base = real[0];
    for (let k = 0; k < PADDED.copies; k++) add(perturb(imageOf(base), PADDED.noiseSigma, PADDED.brightness), c, base, "near_copy");
    plan.padded = { base };
  } else if (c === COLLAPSED.cls) {
    // The two most different bags (pixel L2) among the first `candidates` of the shuffled pool, so the
    // blend line is long enough not to look clustered.
    const cand = pool.slice(0, COLLAPSED.candidates);
    let best = [-1, cand[0], cand[1]];
    for (let a = 0; a < cand.length; a++) for (let b = a + 1; b < cand.length; b++) {
      const d = dist2(imageOf(cand[a]), imageOf(cand[b]));
      if (d > best[0]) best = [d, cand[a], cand[b]];
    }
    const [, A, B] = best;
    const pa = imageOf(A), pb = imageOf(B);
    for (let k = 0; k < COLLAPSED.count; k++) {
      const t = k / (COLLAPSED.count - 1);
      add(Uint8Array.from(pa, (v, j) => clip8((1 - t) * v + t * pb[j])), c, -1, "blend");
    }
    plan.collapsed = { a: A, b: B, distance: Math.sqrt(best[0]) };
  } else if (c === CLUSTERED.cls) {
    // The tightest triple among `pool` random sandals: for each candidate, it and its two nearest
    // neighbours (pixel L2); keep the triple with the smallest sum of pairwise distances.
    const cand = pool.slice(0, CLUSTERED.pool);
    const d = cand.map((a) => cand.map((b) => Math.sqrt(dist2(imageOf(a), imageOf(b)))));
    let bases = null, bestSum = Infinity;
    cand.forEach((_, a) => {
      const nn = cand.map((_, b) => b).filter((b) => b !== a).sort((x, y) => d[a][x] - d[a][y] || x - y).slice(0, CLUSTERED.bases - 1);
      const tri = [a, ...nn];
      let sum = 0;
      for (let i = 0; i < tri.length; i++) for (let j = i + 1; j < tri.length; j++) sum += d[tri[i]][tri[j]];
      if (sum < bestSum) { bestSum = sum; bases = tri.map((k) => cand[k]); }
    });
    for (const b of bases) for (let k = 0; k < CLUSTERED.perBase; k++) add(perturb(imageOf(b), CLUSTERED.noiseSigma, CLUSTERED.brightness), c, b, "perturbed");
    plan.clustered = { bases };
  } else {
    pool.slice(0, NORMAL_COUNT).forEach((i) => add(imageOf(i), c, i, "real"));
  }
}

// ---- Shuffle rows and write ----
const order = rng.shuffle([...rows.keys()]);
const N = rows.length;
const images = new Uint8Array(N * PIX);
const labels = [], sources = [];
const newIndex = new Int32Array(N);
order.forEach((r, i) => {
  newIndex[r] = i;
  images.set(rows[r].pixels, i * PIX);
  labels.push(rows[r].label);
  sources.push(rows[r].source);
});
const rowList = (filter) => rows.map((row, r) => (filter(row) ? newIndex[r] : -1)).filter((i) => i >= 0).sort((a, b) => a - b);

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const sizes = {};
const write = (name, buf) => { writeFileSync(join(OUT, name), buf); sizes[name] = buf.length; };
write("images.npy", encodeNpy(images, [N, 28, 28]));
write("labels.npy", encodeNpy(toInt64(labels), [N]));
write("source_index.npy", encodeNpy(toInt64(sources), [N]));
if (!args["no-embeddings"]) {
  const encode = await loadEncoder(ROOT);
  const { embedding } = await encode(images, N);
  write("embeddings.npy", encodeNpy(embedding, [N, 64]));
}
write("classes.txt", Buffer.from(CLASSES.join("\n") + "\n"));
write("hierarchy.json", Buffer.from(JSON.stringify(HIERARCHY, null, 2) + "\n"));

const counts = Object.fromEntries(CLASSES.map((c, k) => [c, labels.filter((l) => l === k).length]));
const leaves = Object.values(HIERARCHY.clothing).flat();
const total = labels.length;
const target = roundHalfEven(total / leaves.length); // OR §0: Python round
const planted = {
  version: 1,
  generator: "tooling/scripts/build-fashion-gaps.mjs",
  seed: SEED,
  source: "Fashion-MNIST t10k (Debian dataset-fashion-mnist); source_index.npy = t10k row",
  classes: CLASSES,
  counts: { rows: N, per_class: counts, leaves: leaves.length, representation_target: target },
  embeddings: args["no-embeddings"] ? null : "embeddings.npy: fashion-encoder.onnx `embedding` (64-d, post-ReLU) of images.npy",
  gaps: [
    ...ABSENT.map((name) => ({
      class: name, gap: "absent", rows: [],
      expected: { representation: "acquire", gap_action: "acquire", gap: "acquire data (label gap)", label_status: "missing" },
      how: "a leaf of hierarchy.json with no samples (not in classes.txt)",
      why: `count 0 < target ${target} (= round(${total}/${leaves.length})) and count = 0 → acquire (OR §3.5); gap rank 0 (OR §4)`,
    })),
    {
      class: CLASSES[TINY.cls], gap: "tiny", rows: rowList((r) => r.label === TINY.cls),
      expected: { representation: "augment", gap_action: "collect_more", gap: "collect more (label gap)", label_status: "under-collected", assessable: false },
      how: `${TINY.count} random t10k images`,
      why: `0 < count ${TINY.count} < target ${target} → augment (OR §3.5); gap rank 1; also below minClassSamples 20, so coverage rows are unassessable (CV §6.2)`,
    },
    {
      class: CLASSES[PADDED.cls], gap: "padded_near_duplicates", rows: rowList((r) => r.label === PADDED.cls),
      copies: rowList((r) => r.label === PADDED.cls && r.kind === "near_copy"),
      base_source_index: plan.padded.base,
      base_row: rowList((r) => r.label === PADDED.cls && r.kind === "real" && r.source === plan.padded.base)[0],
      expected: { representation: "ok", gap_action: "deduplicate", gap: "deduplicate (repeated frames)", label_status: "present" },
      how: `${PADDED.real} real t10k images + ${PADDED.copies} copies of one of them (t10k ${plan.padded.base}) with a brightness offset uniform in ±${PADDED.brightness} on the item and Gaussian pixel noise σ = ${PADDED.noiseSigma} (background pixels stay 0)`,
      why: "the copies are each other's nearest neighbours at a small fraction of the class's median nearest-neighbour distance, so about a third of the class's nearest-neighbour pairs are near duplicates (> 0.1, CV §6.5) while the 200 real images keep the spread normal (dispersion ≥ 0.5) → gap rank 3",
    },
    {
      class: CLASSES[COLLAPSED.cls], gap: "collapsed_one_direction", rows: rowList((r) => r.label === COLLAPSED.cls),
      blend_sources: { a: plan.collapsed.a, b: plan.collapsed.b, pixel_distance: Number(plan.collapsed.distance.toFixed(3)) },
      expected: { representation: "ok", gap_action: "vary_axis", gap: "vary the axis (one-dimensional)", label_status: "present" },
      how: `${COLLAPSED.count} images (1 − t)·A + t·B, t = k/${COLLAPSED.count - 1} for k = 0…${COLLAPSED.count - 1}, rounded to uint8; A, B = t10k ${plan.collapsed.a}, ${plan.collapsed.b}, the most different pair (pixel L2) of ${COLLAPSED.candidates} random bags`,
      why: "all variation lies along one curve (a straight line in pixel space), so the effective dimension is ≈ 1 and isotropy falls far below 0.5 × the median (CV §6.4); A and B are far apart and t is evenly spaced, so dispersion stays ≥ 0.5 and nearest-neighbour distances are uniform (near-dup ≤ 0.1) → gap rank 4",
    },
    {
      class: CLASSES[CLUSTERED.cls], gap: "clustered", rows: rowList((r) => r.label === CLUSTERED.cls),
      base_source_indices: plan.clustered.bases,
      expected: { representation: "ok", gap_action: "broaden", gap: "broaden (clustered)", label_status: "present" },
      how: `${CLUSTERED.perBase} perturbations of each of ${CLUSTERED.bases} sandals (the tightest triple among ${CLUSTERED.pool} random sandals: a sandal and its ${CLUSTERED.bases - 1} nearest neighbours in pixel L2, smallest sum of pairwise distances); brightness offset uniform in ±${CLUSTERED.brightness} on the item, Gaussian pixel noise σ = ${CLUSTERED.noiseSigma}`,
      why: "the class's mean distance to its centroid is far below the median class's, so dispersion < 0.5 (CV §6.3) → gap rank 2 (checked before near-dup and isotropy)",
    },
  ],
  normal_classes: CLASSES.filter((_, c) => ![TINY.cls, PADDED.cls, COLLAPSED.cls, CLUSTERED.cls].includes(c)).map((name) => ({
    class: name, rows_count: counts[name], expected: { representation: "ok", gap_action: "ok", gap: "ok", label_status: "present" },
  })),
};
write("planted.json", Buffer.from(JSON.stringify(planted, null, 1) + "\n"));

// ---- README ----
const gapRows = planted.gaps.map((g) => [g.class, g.gap.replace(/_/g, " "), g.rows.length, g.expected.representation, `\`${g.expected.gap_action}\` — ${g.expected.gap}`, g.how]);
const normalRows = planted.normal_classes.map((g) => [g.class, "none", g.rows_count, "ok", "`ok`", `${NORMAL_COUNT} random t10k images`]);
const readme = `# fashion-gaps — Fashion-MNIST with planted coverage and representation gaps

${N} real Fashion-MNIST images (t10k, the test set) as .npy arrays plus a clothing ontology, built so that
each gap of the gap report (ontology-representation.md §4, coverage.md §6) is planted in one class and the
other classes are normal. It is the data of the gap-report example (\`assay audit … --ontology hierarchy.json\`).

**Generated — do not edit by hand.** Rebuild with (from the repo root):

\`\`\`sh
apt-get install -y dataset-fashion-mnist          # /usr/share/datasets/fashion-mnist/*.gz
node tooling/scripts/build-fashion-gaps.mjs       # --seed ${SEED} --idx DIR --out DIR [--no-embeddings]
node tooling/scripts/check-fashion-gaps.mjs       # runs @assay/coverage + @assay/representation, checks every action
\`\`\`

Seed **${SEED}**; the same seed and IDX files give byte-identical arrays (embeddings.npy: identical with the same
onnxruntime-node build; it runs single-threaded). Total ${(Object.values(sizes).reduce((a, b) => a + b, 0) / 1e6).toFixed(2)} MB.

## Files

${markdownTable(["file", "dtype", "shape", "content"], [
  ["images.npy", "uint8", `(${N}, 28, 28)`, "raw Fashion-MNIST pixels (item light on black), rows in a seeded random order"],
  ["labels.npy", "int64", `(${N},)`, "class index into classes.txt (no label noise)"],
  ["source_index.npy", "int64", `(${N},)`, "t10k row the image is, or was derived from; −1 for the Bag blends"],
  ...(sizes["embeddings.npy"] ? [["embeddings.npy", "float32", `(${N}, 64)`, "\`embedding\` output of examples/data/models/fashion-encoder.onnx on images.npy (out-of-sample: the encoder was trained on the train set)"]] : []),
  ["classes.txt", "text", "10 lines", "the 10 Fashion-MNIST classes in label order (\`/\` → \`_\`)"],
  ["hierarchy.json", "JSON", `${leaves.length} leaves`, "the ontology, nested mapping/list grammar of OR §1.3 (\`Ontology.fromHierarchy\`)"],
  ["planted.json", "JSON", "", "every planted gap with its rows and the expected actions (schema below)"],
])}

## Ontology

\`\`\`json
${JSON.stringify(HIERARCHY, null, 2)}
\`\`\`

${leaves.length} leaves; **${ABSENT.join("** and **")}** are leaves with no data. Dress is a one-piece garment,
neither a top nor a bottom, so it gets its own branch \`one_piece\` (a unary branch, like \`bottoms\`).
No branch is dark (every branch has a leaf with data); \`accessories\` is half covered.

## Planted gaps

Representation (OR §3): total = ${total} labels over ${leaves.length} leaves → every leaf's target is
round(${total}/${leaves.length}) = **${target}**; a leaf below it with no samples is \`acquire\`, with some samples \`augment\`.
Coverage rules (OR §4, first that fires): dispersion < 0.5 × median → broaden; near-duplicate fraction > 0.1 →
deduplicate; isotropy < 0.5 × median isotropy → vary the axis.

${markdownTable(["class", "gap", "rows", "representation", "expected gap-report action", "how it was made"], [...gapRows, ...normalRows])}

Why each planted class gets its action (also in planted.json \`why\`):
${planted.gaps.map((g) => `- **${g.class}** — ${g.why}.`).join("\n")}

Checked when the data was built, in six embedding spaces, with an independent NumPy implementation of
coverage.md §6 and with \`check-fashion-gaps.mjs\` (assay's own lenses): the encoder's embeddings.npy (64-d),
raw pixels/255 after a PCA to 128, 64 or 32 components, and io's \`pixelEmbedding\` (16×16 thumbnail + 6 colour
stats, 262-d, raw and PCA 128). Every class gets the expected action in all of them. Measured on embeddings.npy
with the default seed, Sandal dispersion ≈ 0.22; Pullover near-duplicate fraction ≈ 0.34 (dispersion ≈ 0.95); Bag isotropy ≈ 0.035
against a cut-off of ≈ 0.085 (dispersion ≈ 0.97, near-dup ≈ 0.005); normal classes: dispersion 0.90–1.51,
isotropy 0.16–0.20, near-dup ≤ 0.012. Trouser (5 rows) is below \`minClassSamples\` 20 and unassessable.

## planted.json schema

\`\`\`ts
{
  version: 1, generator: string, seed: number, source: string,
  classes: string[],                                   // = classes.txt
  counts: { rows: number, per_class: Record<string, number>, leaves: number, representation_target: number },
  embeddings: string | null,
  gaps: {
    class: string,                                     // a leaf of hierarchy.json
    gap: "absent" | "tiny" | "padded_near_duplicates" | "collapsed_one_direction" | "clustered",
    rows: number[],                                    // rows of the class in images.npy, ascending ([] if absent)
    expected: { representation: "acquire" | "augment" | "ok",          // OR §3 worklist action ("ok" = no row)
                gap_action: "acquire" | "collect_more" | "broaden" | "deduplicate" | "vary_axis" | "ok",
                gap: string,                                           // the seed's wording, OR §4
                label_status: "missing" | "under-collected" | "present", assessable?: boolean },
    how: string, why: string,
    copies?: number[], base_source_index?: number, base_row?: number,  // padded: the noised copies, their original
    blend_sources?: { a: number, b: number, pixel_distance: number }, // collapsed: t10k rows of A and B
    base_source_indices?: number[],                                   // clustered: the 3 t10k originals
  }[],
  normal_classes: { class: string, rows_count: number, expected: {…as above, all "ok"} }[],
}
\`\`\`
`;
writeFileSync(join(OUT, "README.md"), readme);
console.log(`wrote ${OUT}: ${N} rows, ${(Object.values(sizes).reduce((a, b) => a + b, 0) / 1e6).toFixed(2)} MB; representation target ${target}`);
