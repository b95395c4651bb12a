#!/usr/bin/env node
/**
 * build-fashion-sample.mjs — builds examples/data/fashion-sample, the bundled real sample of assay.
 *
 * Usage (from the repo root):
 *   apt-get install -y dataset-fashion-mnist        # provides /usr/share/datasets/fashion-mnist
 *   node tooling/scripts/build-fashion-sample.mjs [--idx DIR] [--out DIR] [--seed N]
 *
 * What it writes (deterministic: the same seed and IDX files give byte-identical output):
 *   <out>/train/<ClassName>/<id>.png   ~1,970 files from Fashion-MNIST train (28×28 8-bit gray PNG)
 *   <out>/test/<ClassName>/<id>.png    300 files from Fashion-MNIST t10k (+ leaked train copies)
 *   <out>/manifest.csv                 path,label,split,source_index,planted,source_set,true_label
 *   <out>/planted.json                 every planted problem with the file paths (schema in README)
 *   <out>/classes.txt                  the 10 class names in label order (the "ontology")
 *   <out>/README.md                    seed, counts and the planted problems, generated here
 *
 * Planted problems (all on disjoint clean source images, so no file carries two problems):
 *   exact duplicates (byte-identical copies; pixel-identical copies re-encoded with another PNG
 *   filter/zlib level), near duplicates (brightness, contrast, mild noise, 1-px shift), cross-split
 *   leakage (test files that copy or nearly copy train files), broken files (0 bytes, truncated PNG,
 *   text named .png), extreme images (all black, all white, low contrast, heavy blur, 280×280,
 *   RGBA, inverted, uniform noise), mislabeled train images (6 % of the clean train images, half to a
 *   confusable class), a missing class (Bag: 0 train images, present in test) and a tiny class
 *   (Trouser: 5 train images).
 *
 * File ids are a seeded permutation, so a file name says nothing about whether it was planted.
 * PNGs are encoded by lib/fashion.mjs with Node's zlib only; no image library is needed.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CLASSES, CONFUSABLE, DEFAULT_IDX_DIR, createRng, encodePng, loadSplit, planFlips } from "./lib/fashion.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    idx: { type: "string", default: DEFAULT_IDX_DIR },
    out: { type: "string", default: join(ROOT, "examples/data/fashion-sample") },
    seed: { type: "string", default: "20240601" },
  },
});
const SEED = Number(args.seed);
const OUT = resolve(args.out);

// ---- Layout parameters (documented in the generated README) ----
const TRAIN_PER_CLASS = 240;
const MISSING_CLASS = CLASSES.indexOf("Bag"); // 0 train images
const TINY_CLASS = CLASSES.indexOf("Trouser"); // TINY_COUNT train images
const TINY_COUNT = 5;
const TEST_PER_CLASS = 29;
const FLIP_RATE = 0.06;
const N_EXACT_BYTES = 8; // sources; the first gets two copies (a group of three)
const N_EXACT_REENCODED = 6;
const NEAR_TRANSFORMS = [
  ["brightness", { delta: 20 }], ["brightness", { delta: -20 }], ["brightness", { delta: 12 }], ["brightness", { delta: 30 }],
  ["contrast", { factor: 1.2 }], ["contrast", { factor: 0.85 }], ["contrast", { factor: 1.1 }], ["contrast", { factor: 0.9 }],
  ["noise", { amplitude: 2 }], ["noise", { amplitude: 3 }], ["noise", { amplitude: 2 }], ["noise", { amplitude: 4 }],
  ["gamma", { gamma: 0.9 }], ["gamma", { gamma: 1.15 }],
  ["shift", { dx: 1, dy: 0 }], ["shift", { dx: 0, dy: 1 }],
];
const LEAK_PLAN = [
  ["byte_identical"], ["byte_identical"], ["byte_identical"], ["byte_identical"], ["byte_identical"],
  ["reencoded"], ["reencoded"],
  ["near", "brightness", { delta: 15 }], ["near", "noise", { amplitude: 2 }], ["near", "contrast", { factor: 1.15 }],
];
const DERIVED_EXTREMES = ["low_contrast", "blurred", "large", "rgba", "inverted"];
const SYNTHETIC_EXTREMES = ["all_black", "all_white", "uniform_noise"];

const W = 28;
const PIX = W * W;

// ---- Pixel transforms on one 28×28 gray image (Uint8Array of 784) ----
const clip = (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
const mapPixels = (src, f) => Uint8Array.from(src, f);

function nearTransform(src, kind, p, rng) {
  switch (kind) {
    case "brightness": return mapPixels(src, (v) => clip(v + p.delta));
    case "contrast": return mapPixels(src, (v) => clip((v - 128) * p.factor + 128));
    case "gamma": return mapPixels(src, (v) => clip(255 * Math.pow(v / 255, p.gamma)));
    case "noise": return mapPixels(src, (v) => clip(v + rng.int(2 * p.amplitude + 1) - p.amplitude));
    case "shift": {
      const out = new Uint8Array(PIX); // vacated border filled with 0 (the Fashion-MNIST background)
      for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
        const sx = x - p.dx, sy = y - p.dy;
        if (sx >= 0 && sy >= 0 && sx < W && sy < W) out[y * W + x] = src[sy * W + sx];
      }
      return out;
    }
    default: throw new Error(`unknown transform ${kind}`);
  }
}

function gaussianBlur(src, sigma) {
  const r = Math.ceil(3 * sigma);
  const k = [];
  let sum = 0;
  for (let i = -r; i <= r; i++) { const w = Math.exp(-(i * i) / (2 * sigma * sigma)); k.push(w); sum += w; }
  const kn = k.map((w) => w / sum);
  const at = (img, x, y) => img[Math.min(W - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))];
  const tmp = new Float64Array(PIX);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
    let a = 0;
    for (let i = -r; i <= r; i++) a += kn[i + r] * at(src, x + i, y);
    tmp[y * W + x] = a;
  }
  const out = new Uint8Array(PIX);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
    let a = 0;
    for (let i = -r; i <= r; i++) a += kn[i + r] * tmp[Math.min(W - 1, Math.max(0, y + i)) * W + x];
    out[y * W + x] = clip(a);
  }
  return out;
}

/** Bilinear upscale by an integer factor (pixel centres aligned, edges clamped). */
function upscale(src, factor) {
  const n = W * factor;
  const out = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) {
    const fy = Math.min(W - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(W - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < n; x++) {
      const fx = Math.min(W - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(W - 1, x0 + 1), wx = fx - x0;
      const top = src[y0 * W + x0] * (1 - wx) + src[y0 * W + x1] * wx;
      const bot = src[y1 * W + x0] * (1 - wx) + src[y1 * W + x1] * wx;
      out[y * n + x] = clip(top * (1 - wy) + bot * wy);
    }
  }
  return { pixels: out, width: n, height: n };
}

/** Tinted RGBA: the garment in orange-ish colour, the background fully transparent. */
function toRgba(src) {
  const out = new Uint8Array(PIX * 4);
  for (let i = 0; i < PIX; i++) {
    const v = src[i];
    out[4 * i] = v;
    out[4 * i + 1] = Math.round(v * 0.6);
    out[4 * i + 2] = Math.round(v * 0.3);
    out[4 * i + 3] = v > 0 ? 255 : 0;
  }
  return out;
}

function extremeImage(kind, src, rng) {
  const gray = (pixels) => ({ pixels, width: W, height: W, channels: 1 });
  switch (kind) {
    case "low_contrast": return { ...gray(mapPixels(src, (v) => 120 + Math.round((v * 15) / 255))), params: { range: [120, 135] } };
    case "blurred": return { ...gray(gaussianBlur(src, 2.5)), params: { gaussian_sigma: 2.5 } };
    case "large": return { ...upscale(src, 10), channels: 1, params: { scale: 10, resample: "bilinear" } };
    case "rgba": return { pixels: toRgba(src), width: W, height: W, channels: 4, params: { alpha: "0 on background, 255 on garment" } };
    case "inverted": return { ...gray(mapPixels(src, (v) => 255 - v)), params: {} };
    case "all_black": return { ...gray(new Uint8Array(PIX)), params: { value: 0 } };
    case "all_white": return { ...gray(new Uint8Array(PIX).fill(255)), params: { value: 255 } };
    case "uniform_noise": return { ...gray(Uint8Array.from({ length: PIX }, () => rng.int(256))), params: { distribution: "uniform 0..255" } };
    default: throw new Error(`unknown extreme ${kind}`);
  }
}

const REENCODE = { filter: 1, level: 6 }; // default encoding is { filter: 0, level: 9 }

// ---- Build ----
const rng = createRng(SEED);
const train = loadSplit(args.idx, "train");
const test = loadSplit(args.idx, "t10k");
const imageOf = (set, i) => set.images.subarray(i * PIX, (i + 1) * PIX);

function pickPerClass(set, perClass) {
  const byClass = CLASSES.map(() => []);
  for (let i = 0; i < set.count; i++) byClass[set.labels[i]].push(i);
  const chosen = [];
  for (let c = 0; c < CLASSES.length; c++) {
    const n = perClass(c);
    chosen.push(...rng.shuffle(byClass[c]).slice(0, n).sort((a, b) => a - b));
  }
  return chosen;
}

/** Every output file: {split, label, trueLabel, sourceSet, sourceIndex, planted, bytes, key}. */
const files = [];
const addFile = (f) => { files.push(f); return f; };

// Clean originals.
const trainSrc = pickPerClass(train, (c) => (c === MISSING_CLASS ? 0 : c === TINY_CLASS ? TINY_COUNT : TRAIN_PER_CLASS));
const testSrc = pickPerClass(test, () => TEST_PER_CLASS);
const trainFiles = trainSrc.map((i) => addFile({
  split: "train", label: train.labels[i], trueLabel: train.labels[i], sourceSet: "train", sourceIndex: i,
  planted: "", bytes: encodePng(imageOf(train, i), W, W, 1),
}));
for (const i of testSrc) addFile({
  split: "test", label: test.labels[i], trueLabel: test.labels[i], sourceSet: "t10k", sourceIndex: i,
  planted: "", bytes: encodePng(imageOf(test, i), W, W, 1),
});

// Disjoint pools of clean train originals for each planted problem (the tiny class stays untouched).
const pool = rng.shuffle(trainFiles.filter((f) => f.label !== TINY_CLASS));
let cursor = 0;
const take = (n) => { const s = pool.slice(cursor, cursor + n); cursor += n; if (s.length < n) throw new Error("pool exhausted"); return s; };
const markSource = (f) => { f.planted = "source"; return f; };
const derived = (src, extra) => addFile({
  split: "train", label: src.label, trueLabel: src.trueLabel, sourceSet: "train", sourceIndex: src.sourceIndex, ...extra,
});

const plan = { exact: [], near: [], leakage: [], broken: [], extreme: [], mislabeled: [] };

take(N_EXACT_BYTES).forEach((src, k) => {
  markSource(src);
  for (let c = 0; c < (k === 0 ? 2 : 1); c++) {
    const copy = derived(src, { planted: "exact_duplicate", bytes: Buffer.from(src.bytes) });
    plan.exact.push({ src, copy, variant: "byte_identical" });
  }
});
take(N_EXACT_REENCODED).forEach((src) => {
  markSource(src);
  const copy = derived(src, { planted: "exact_duplicate", bytes: encodePng(imageOf(train, src.sourceIndex), W, W, 1, REENCODE) });
  plan.exact.push({ src, copy, variant: "reencoded" });
});
take(NEAR_TRANSFORMS.length).forEach((src, k) => {
  markSource(src);
  const [transform, params] = NEAR_TRANSFORMS[k];
  const pixels = nearTransform(imageOf(train, src.sourceIndex), transform, params, rng);
  const copy = derived(src, { planted: "near_duplicate", bytes: encodePng(pixels, W, W, 1) });
  plan.near.push({ src, copy, transform, params });
});
take(LEAK_PLAN.length).forEach((src, k) => {
  markSource(src);
  const [variant, transform, params] = LEAK_PLAN[k];
  const px = imageOf(train, src.sourceIndex);
  const bytes = variant === "byte_identical" ? Buffer.from(src.bytes)
    : variant === "reencoded" ? encodePng(px, W, W, 1, REENCODE)
    : encodePng(nearTransform(px, transform, params, rng), W, W, 1);
  const copy = derived(src, { split: "test", planted: "leakage", bytes });
  plan.leakage.push({ src, copy, variant, transform, params });
});
take(DERIVED_EXTREMES.length).forEach((src, k) => {
  markSource(src);
  const kind = DERIVED_EXTREMES[k];
  const img = extremeImage(kind, imageOf(train, src.sourceIndex), rng);
  const copy = derived(src, { planted: "extreme", bytes: encodePng(img.pixels, img.width, img.height, img.channels) });
  plan.extreme.push({ src, copy, kind, img });
});
const regularClasses = CLASSES.map((_, c) => c).filter((c) => c !== MISSING_CLASS && c !== TINY_CLASS);
for (const kind of SYNTHETIC_EXTREMES) {
  const img = extremeImage(kind, null, rng);
  const label = rng.pick(regularClasses);
  const copy = addFile({ split: "train", label, trueLabel: null, sourceSet: "", sourceIndex: null, planted: "extreme",
    bytes: encodePng(img.pixels, img.width, img.height, img.channels) });
  plan.extreme.push({ src: null, copy, kind, img });
}
{
  const [src] = take(1);
  markSource(src);
  const cut = Math.floor(src.bytes.length / 2);
  const copy = derived(src, { planted: "broken", bytes: Buffer.from(src.bytes.subarray(0, cut)) });
  plan.broken.push({ src, copy, kind: "truncated", detail: `first ${cut} of ${src.bytes.length} bytes of a valid PNG` });
  const empty = addFile({ split: "train", label: rng.pick(regularClasses), trueLabel: null, sourceSet: "", sourceIndex: null,
    planted: "broken", bytes: Buffer.alloc(0) });
  plan.broken.push({ src: null, copy: empty, kind: "empty", detail: "0 bytes" });
  const text = addFile({ split: "train", label: rng.pick(regularClasses), trueLabel: null, sourceSet: "", sourceIndex: null,
    planted: "broken", bytes: Buffer.from("This is not a PNG image, just text with a .png name.\n", "utf8") });
  plan.broken.push({ src: null, copy: text, kind: "not_an_image", detail: "UTF-8 text" });
}

// Label noise on the clean train originals that were not used above (tiny class excluded, and no
// flip lands in the missing or the tiny class so that those counts stay exact).
const cleanTrain = pool.slice(cursor);
const nFlips = Math.round(FLIP_RATE * (cleanTrain.length + trainFiles.filter((f) => f.label === TINY_CLASS).length));
const flips = planFlips(rng, cleanTrain.map((f) => f.label), cleanTrain.map((_, i) => i), nFlips, regularClasses);
for (const fl of flips) {
  const f = cleanTrain[fl.pos];
  f.label = fl.to;
  f.planted = "mislabeled";
  plan.mislabeled.push({ f, kind: fl.kind });
}

// ---- Ids and paths ----
const ids = rng.shuffle(files.map((_, i) => i));
files.forEach((f, i) => { f.path = `${f.split}/${CLASSES[f.label]}/${String(ids[i]).padStart(5, "0")}.png`; });

// ---- Write ----
rmSync(OUT, { recursive: true, force: true });
for (const f of files) {
  mkdirSync(join(OUT, dirname(f.path)), { recursive: true });
  writeFileSync(join(OUT, f.path), f.bytes);
}
const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
const csv = ["path,label,split,source_index,planted,source_set,true_label"];
for (const f of sorted) {
  csv.push([f.path, CLASSES[f.label], f.split, f.sourceIndex ?? "", f.planted, f.sourceSet,
    f.trueLabel === null ? "" : CLASSES[f.trueLabel]].join(","));
}
writeFileSync(join(OUT, "manifest.csv"), csv.join("\n") + "\n");
writeFileSync(join(OUT, "classes.txt"), CLASSES.join("\n") + "\n");

const countBy = (split) => Object.fromEntries(CLASSES.map((c, k) => [c, files.filter((f) => f.split === split && f.label === k).length]));
const counts = {
  files: files.length,
  train: files.filter((f) => f.split === "train").length,
  test: files.filter((f) => f.split === "test").length,
  train_per_class: countBy("train"),
  test_per_class: countBy("test"),
  clean_train_originals: trainFiles.length,
};
const confusable = (a, b) => (CONFUSABLE[a] ?? []).includes(b);
const planted = {
  version: 1,
  generator: "tooling/scripts/build-fashion-sample.mjs",
  seed: SEED,
  source: "Fashion-MNIST (Debian dataset-fashion-mnist): train-* for source_set train, t10k-* for source_set t10k",
  classes: CLASSES,
  counts,
  exact_duplicates: plan.exact.map((e) => ({ original: e.src.path, copy: e.copy.path, variant: e.variant })),
  near_duplicates: plan.near.map((e) => ({ original: e.src.path, copy: e.copy.path, transform: e.transform, params: e.params })),
  leakage: plan.leakage.map((e) => ({
    train: e.src.path, test: e.copy.path, variant: e.variant,
    ...(e.transform ? { transform: e.transform, params: e.params } : {}),
  })),
  broken: plan.broken.map((e) => ({ path: e.copy.path, kind: e.kind, bytes: e.copy.bytes.length, source: e.src?.path ?? null, detail: e.detail })),
  extreme: plan.extreme.map((e) => ({
    path: e.copy.path, kind: e.kind, source: e.src?.path ?? null,
    width: e.img.width, height: e.img.height, channels: e.img.channels, params: e.img.params,
  })),
  mislabeled: plan.mislabeled.map((m) => ({
    path: m.f.path, given_label: CLASSES[m.f.label], true_label: CLASSES[m.f.trueLabel], kind: m.kind,
    confusable: confusable(m.f.trueLabel, m.f.label),
  })).sort((a, b) => (a.path < b.path ? -1 : 1)),
  missing_classes: [{ class: CLASSES[MISSING_CLASS], split: "train", train_count: counts.train_per_class[CLASSES[MISSING_CLASS]], test_count: counts.test_per_class[CLASSES[MISSING_CLASS]] }],
  tiny_classes: [{ class: CLASSES[TINY_CLASS], split: "train", train_count: counts.train_per_class[CLASSES[TINY_CLASS]], test_count: counts.test_per_class[CLASSES[TINY_CLASS]] }],
};
writeFileSync(join(OUT, "planted.json"), JSON.stringify(planted, null, 2) + "\n");

// ---- README ----
const totalBytes = files.reduce((a, f) => a + f.bytes.length, 0);
const nConf = plan.mislabeled.filter((m) => m.kind === "confusable").length;
const table = (rows, head) => [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const readme = `# fashion-sample — the bundled real sample

${files.length} real Fashion-MNIST images (${counts.train} train, ${counts.test} test) as PNG files in class
folders, with a seeded, documented set of planted problems. It is what \`assay audit examples/data/fashion-sample\`
runs on, and what the examples' tests check their findings against.

**Generated — do not edit by hand.** Rebuild with (from the repo root):

\`\`\`sh
apt-get install -y dataset-fashion-mnist   # /usr/share/datasets/fashion-mnist/*.gz
node tooling/scripts/build-fashion-sample.mjs          # --seed ${SEED} --idx DIR --out DIR
\`\`\`

Seed **${SEED}**. The same seed and IDX files give byte-identical output (PNGs are encoded with Node's
zlib by \`tooling/scripts/lib/fashion.mjs\`). Total size of the image files: ${(totalBytes / 1024).toFixed(0)} KiB.

## Layout

- \`train/<ClassName>/<id>.png\`, \`test/<ClassName>/<id>.png\` — the folder is the (possibly noisy) label.
  Ids are 5-digit numbers from a seeded permutation: a name does not reveal whether a file was planted.
  Normal images are 28×28 8-bit grayscale PNG, garment light on a black background.
- \`classes.txt\` — the 10 Fashion-MNIST classes in label order (the ontology; \`/\` in "T-shirt/top" is \`_\`).
- \`manifest.csv\` — one row per file, sorted by path: \`path,label,split,source_index,planted,source_set,true_label\`.
  \`label\` = folder name; \`source_set\` = \`train\` or \`t10k\` (which IDX file \`source_index\` refers to; empty
  for synthetic files); \`true_label\` = the original Fashion-MNIST label (empty for synthetic files);
  \`planted\` = empty for a clean image, \`source\` for a clean image from which a planted file was derived,
  else one of \`exact_duplicate\`, \`near_duplicate\`, \`leakage\`, \`broken\`, \`extreme\`, \`mislabeled\`.
  A file carries at most one tag. "Clean" images for false-positive rates are the rows with an empty \`planted\`.
- \`planted.json\` — every planted problem with its paths (schema below).

## Counts

Clean originals: ${TRAIN_PER_CLASS} random train images per class, except **Bag: 0** (missing class) and
**Trouser: ${TINY_COUNT}** (tiny class); ${TEST_PER_CLASS} random t10k images per class in test. Planted files are added on top.

${table(CLASSES.map((c) => [c, counts.train_per_class[c], counts.test_per_class[c]]), ["class", "train files", "test files"])}
| **total** | **${counts.train}** | **${counts.test}** |

(Train counts are by folder, i.e. after label noise and including planted files.)

## Planted problems

Every planted file is derived from its own clean train original (sources are disjoint), and the tiny
class is never touched, so the problems do not overlap.

| problem | count | what |
|---|---|---|
| exact duplicate, byte-identical | ${plan.exact.filter((e) => e.variant === "byte_identical").length} | copy of a train file's bytes in the same folder (one original has two copies: a group of three) |
| exact duplicate, re-encoded | ${plan.exact.filter((e) => e.variant === "reencoded").length} | same decoded pixels, different PNG bytes (Sub filter, zlib level 6 instead of None/9) |
| near duplicate | ${plan.near.length} | ${NEAR_TRANSFORMS.map(([t, p]) => `${t} ${JSON.stringify(p)}`).join("; ")} |
| cross-split leakage | ${plan.leakage.length} | test files that are train images: ${LEAK_PLAN.map(([v, t, p]) => (t ? `${v} (${t} ${JSON.stringify(p)})` : v)).join(", ")} |
| broken | ${plan.broken.length} | ${plan.broken.map((b) => `${b.kind} (${b.detail})`).join("; ")} |
| extreme | ${plan.extreme.length} | ${plan.extreme.map((e) => `${e.kind} ${e.img.width}×${e.img.height}×${e.img.channels}`).join("; ")} |
| mislabeled | ${plan.mislabeled.length} | ${FLIP_RATE * 100} % of the ${cleanTrain.length + TINY_COUNT} clean train images; ${nConf} to a confusable class (Shirt↔T-shirt_top, Pullover↔Coat, Sneaker↔Sandal↔Ankle_boot), ${plan.mislabeled.length - nConf} to a random other class; never into Bag or Trouser |
| missing class | 1 | Bag: 0 train images (${counts.test_per_class.Bag} in test; listed in classes.txt) |
| tiny class | 1 | Trouser: ${TINY_COUNT} train images (${counts.test_per_class.Trouser} in test) |

Notes for detectors and tests:
- Near duplicates by brightness/contrast/gamma/noise keep the pHash of a 28×28 image in most cases
  (duplicates.md §11); the two 1-px shifts (≈ 3.6 % of the side) usually change it and are meant for
  embedding-based near-duplicate search. \`transform\` says which is which.
- Extreme images derived from a source (low_contrast, blurred, large, rgba, inverted) keep that source's
  label; all_black, all_white and uniform_noise sit in a random class folder. The 280×280 image is an
  upscale of a real item; the RGBA one has a transparent background and an orange-tinted garment.
- Broken files sit in class folders like any other file and must become \`unreadable_image\` findings.
- Synthetic and broken files have no \`true_label\`; the label-noise ground truth is \`planted.json#mislabeled\`
  (equivalently, manifest rows with \`label != true_label\`).

## planted.json schema

\`\`\`ts
{
  version: 1, generator: string, seed: number, source: string,
  classes: string[],                       // label order, = classes.txt
  counts: { files, train, test, clean_train_originals: number,
            train_per_class: Record<string, number>, test_per_class: Record<string, number> },
  exact_duplicates: { original: string, copy: string, variant: "byte_identical" | "reencoded" }[],
  near_duplicates:  { original: string, copy: string,
                      transform: "brightness" | "contrast" | "gamma" | "noise" | "shift", params: object }[],
  leakage:          { train: string, test: string, variant: "byte_identical" | "reencoded" | "near",
                      transform?: string, params?: object }[],
  broken:           { path: string, kind: "empty" | "truncated" | "not_an_image", bytes: number,
                      source: string | null, detail: string }[],
  extreme:          { path: string, kind: "all_black" | "all_white" | "uniform_noise" | "low_contrast"
                      | "blurred" | "large" | "rgba" | "inverted", source: string | null,
                      width: number, height: number, channels: number, params: object }[],
  mislabeled:       { path: string, given_label: string, true_label: string,
                      kind: "confusable" | "random", confusable: boolean }[],
  missing_classes:  { class: string, split: "train", train_count: 0, test_count: number }[],
  tiny_classes:     { class: string, split: "train", train_count: number, test_count: number }[],
}
\`\`\`
All paths are relative to this folder, with \`/\` separators. Pairs are listed pairwise: an original with
two copies appears in two \`exact_duplicates\` entries. \`confusable\` on a \`random\` flip is true when the
random target happens to be confusable.
`;
writeFileSync(join(OUT, "README.md"), readme);

console.log(`wrote ${files.length} files (${counts.train} train, ${counts.test} test, ${(totalBytes / 1024).toFixed(0)} KiB) to ${OUT}`);
console.log(`planted: ${plan.exact.length} exact, ${plan.near.length} near, ${plan.leakage.length} leakage, ${plan.broken.length} broken, ${plan.extreme.length} extreme, ${plan.mislabeled.length} mislabeled`);
