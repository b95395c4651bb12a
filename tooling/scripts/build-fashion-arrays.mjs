#!/usr/bin/env node
/**
 * build-fashion-arrays.mjs — builds examples/data/fashion-arrays, Fashion-MNIST as .npy arrays with
 * seeded label noise, for the fast numeric examples (label issues, Datalab checks, coverage…).
 *
 * Usage (from the repo root):
 *   apt-get install -y dataset-fashion-mnist        # provides /usr/share/datasets/fashion-mnist
 *   node tooling/scripts/build-fashion-arrays.mjs [--idx DIR] [--out DIR] [--seed N] [--rows N] [--test-rows N]
 *
 * Writes (deterministic; .npy v1.0, C order, little endian, written by lib/fashion.mjs):
 *   images.npy        uint8 [rows, 28, 28]   random train rows (seeded, without replacement, sorted by source index)
 *   labels.npy        int64 [rows]           noisy labels: FLIP_RATE of the rows flipped, half of them to a
 *                                            confusable class (Shirt↔T-shirt_top, Pullover↔Coat,
 *                                            Sneaker↔Sandal↔Ankle_boot), the rest to a random other class
 *   true_labels.npy   int64 [rows]           the original Fashion-MNIST labels
 *   source_index.npy  int64 [rows]           row index in the Fashion-MNIST train set
 *   test_images.npy   uint8 [testRows, 28, 28]  the FIRST testRows images of t10k, in order
 *   test_labels.npy   int64 [testRows]       their (true) labels
 *   classes.txt       the 10 class names, one a line, in label order
 *   flips.json        every flipped row: {row, source_index, given, true, kind}
 *   README.md         generated description with the counts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CLASSES, DEFAULT_IDX_DIR, createRng, encodeNpy, loadSplit, planFlips } from "./lib/fashion.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    idx: { type: "string", default: DEFAULT_IDX_DIR },
    out: { type: "string", default: join(ROOT, "examples/data/fashion-arrays") },
    seed: { type: "string", default: "20240602" },
    rows: { type: "string", default: "10000" },
    "test-rows": { type: "string", default: "2000" },
  },
});
const SEED = Number(args.seed);
const ROWS = Number(args.rows);
const TEST_ROWS = Number(args["test-rows"]);
const FLIP_RATE = 0.06;
const OUT = resolve(args.out);
const PIX = 28 * 28;

const rng = createRng(SEED);
const train = loadSplit(args.idx, "train");
const test = loadSplit(args.idx, "t10k");
if (ROWS > train.count || TEST_ROWS > test.count) throw new Error("more rows requested than the dataset has");

const all = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
const source = all.slice(0, ROWS).sort((a, b) => a - b);
const images = new Uint8Array(ROWS * PIX);
const trueLabels = new Array(ROWS);
source.forEach((s, r) => {
  images.set(train.images.subarray(s * PIX, (s + 1) * PIX), r * PIX);
  trueLabels[r] = train.labels[s];
});
const allClasses = CLASSES.map((_, c) => c);
const flips = planFlips(rng, trueLabels, trueLabels.map((_, i) => i), Math.round(FLIP_RATE * ROWS), allClasses);
const labels = [...trueLabels];
for (const f of flips) labels[f.pos] = f.to;

const i64 = (arr) => BigInt64Array.from(arr, (v) => BigInt(v));
mkdirSync(OUT, { recursive: true });
const write = (name, buf) => { writeFileSync(join(OUT, name), buf); return buf.length; };
const sizes = {
  "images.npy": write("images.npy", encodeNpy(images, [ROWS, 28, 28])),
  "labels.npy": write("labels.npy", encodeNpy(i64(labels), [ROWS])),
  "true_labels.npy": write("true_labels.npy", encodeNpy(i64(trueLabels), [ROWS])),
  "source_index.npy": write("source_index.npy", encodeNpy(i64(source), [ROWS])),
  "test_images.npy": write("test_images.npy", encodeNpy(test.images.slice(0, TEST_ROWS * PIX), [TEST_ROWS, 28, 28])),
  "test_labels.npy": write("test_labels.npy", encodeNpy(i64(test.labels.slice(0, TEST_ROWS)), [TEST_ROWS])),
  "classes.txt": write("classes.txt", Buffer.from(CLASSES.join("\n") + "\n")),
};
const flipRecords = flips.map((f) => ({ row: f.pos, source_index: source[f.pos], given: CLASSES[f.to], true: CLASSES[f.from], kind: f.kind }));
sizes["flips.json"] = write("flips.json", Buffer.from(JSON.stringify({ seed: SEED, flip_rate: FLIP_RATE, flips: flipRecords }, null, 1) + "\n"));

const perClass = (arr) => CLASSES.map((_, c) => arr.filter((v) => v === c).length);
const noisyCounts = perClass(labels), trueCounts = perClass(trueLabels), testCounts = perClass([...test.labels.slice(0, TEST_ROWS)]);
const nConf = flips.filter((f) => f.kind === "confusable").length;
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
const readme = `# fashion-arrays — Fashion-MNIST as .npy with seeded label noise

Real Fashion-MNIST images as plain NumPy arrays, for the examples that work on numbers rather than files
(label issues, Datalab-style checks, coverage, benchmarks). **Generated — do not edit by hand.** Rebuild with:

\`\`\`sh
apt-get install -y dataset-fashion-mnist
node tooling/scripts/build-fashion-arrays.mjs     # --seed ${SEED} --rows ${ROWS} --test-rows ${TEST_ROWS}
\`\`\`

Seed **${SEED}**; same seed and IDX files give byte-identical files. Total ${(total / 1e6).toFixed(2)} MB.

| file | dtype | shape | content |
|---|---|---|---|
| images.npy | uint8 | (${ROWS}, 28, 28) | ${ROWS} train images drawn at random without replacement, ordered by source index |
| labels.npy | int64 | (${ROWS},) | **noisy** labels (what an audit sees) |
| true_labels.npy | int64 | (${ROWS},) | original Fashion-MNIST labels |
| source_index.npy | int64 | (${ROWS},) | row in Fashion-MNIST train-images-idx3 |
| test_images.npy | uint8 | (${TEST_ROWS}, 28, 28) | the first ${TEST_ROWS} images of t10k, in file order |
| test_labels.npy | int64 | (${TEST_ROWS},) | their labels (no noise) |
| classes.txt | text | 10 lines | class names in label order |
| flips.json | JSON | ${flips.length} records | \`{row, source_index, given, true, kind: "confusable" \\| "random"}\` |

Pixels are 0–255, garment light on a black background (raw IDX values, not normalised).

## Label noise

${flips.length} of ${ROWS} labels (${FLIP_RATE * 100} %) are flipped: ${nConf} to a confusable class (Shirt↔T-shirt_top,
Pullover↔Coat, Sneaker↔Sandal↔Ankle_boot; chosen uniformly when there are two), ${flips.length - nConf} to a uniformly random
other class (any of the 9). \`labels != true_labels\` marks exactly the flipped rows.

| class | true count | noisy count | test count |
|---|---|---|---|
${CLASSES.map((c, k) => `| ${k} ${c} | ${trueCounts[k]} | ${noisyCounts[k]} | ${testCounts[k]} |`).join("\n")}

The committed encoder (examples/data/models/fashion-encoder.onnx) was trained on the full Fashion-MNIST
train set with true labels, so its predictions on images.npy are in-sample; for out-of-sample pred_probs
use cross-validation on its embeddings.
`;
writeFileSync(join(OUT, "README.md"), readme);
console.log(`wrote ${OUT}: ${ROWS} train rows (${flips.length} flipped, ${nConf} confusable), ${TEST_ROWS} test rows, ${(total / 1e6).toFixed(2)} MB`);
