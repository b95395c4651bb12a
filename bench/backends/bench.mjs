// Images/second of the Fashion-MNIST encoder through modelEmbeddings (decode + preprocess + batch +
// inference, pred_probs collected in the same pass) on each backend available here, batch-size sweep,
// peak RSS. Each configuration runs in a fresh child process so its peak memory is its own.
//
//   pnpm --filter @assay/bench-backends bench [-- --images 70000 --append]
//
// onnx: examples/data/models/fashion-encoder.onnx (the trained model).
// tfjs: examples/data/models/fashion-encoder-tfjs/model.json (the same encoder exported to TFJS);
// when it is absent, the same architecture built in TensorFlow.js with random weights.
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const data = arg("data", "/usr/share/datasets/fashion-mnist");

if (arg("child") !== undefined) {
  await child(JSON.parse(arg("child")));
} else {
  await parent();
}

async function parent() {
  const images = Number(arg("images", "70000"));
  const shipped = join(root, "examples", "data", "models", "fashion-encoder-tfjs", "model.json");
  const tfjsModel = existsSync(shipped) ? shipped : join(mkdtempSync(join(tmpdir(), "bench-tfjs-")), "model.json");
  const configs = [
    ...[1, 16, 64, 256, 1024].map((batchSize) => ({ backend: "onnx", batchSize })),
    ...[16, 64, 256, 1024].map((batchSize) => ({ backend: "tfjs", batchSize })),
    { backend: "preprocess-only", batchSize: 256 },
  ];
  const rows = [];
  for (const c of configs) {
    const out = execFileSync(process.execPath, [join(here, "bench.mjs"), "--child", JSON.stringify({ ...c, images, tfjsModel }), "--data", data], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    const r = JSON.parse(out.trim().split("\n").pop());
    rows.push(r);
    console.log(`${r.backend.padEnd(16)} ${r.provider.padEnd(22)} batch ${String(r.batchSize).padStart(5)}  ${String(r.imagesPerSecond).padStart(7)} img/s  ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${r.peakRssMiB} MiB`);
  }
  const table = [
    "",
    `## Inference backends (@assay/bench-backends) — ${new Date().toISOString().slice(0, 10)}`,
    "",
    `Machine: 2 cores, 24 GiB, Node ${process.versions.node}. ${images.toLocaleString("en")} Fashion-MNIST images (train + t10k, 28×28 gray) through`,
    "`modelEmbeddings` with `predProbsOutput` (decode, preprocess, batch, inference; embeddings + pred_probs from one pass).",
    `onnx: fashion-encoder.onnx; tfjs: ${tfjsModel === shipped ? "fashion-encoder-tfjs/model.json (the same trained encoder)" : "the same architecture in TensorFlow.js (random weights)"}. Peak RSS is the whole process.`,
    "",
    "| backend | provider | batch | images/s | seconds | peak RSS (MiB) |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows.map((r) => `| ${r.backend} | ${r.provider} | ${r.batchSize} | ${r.imagesPerSecond} | ${r.seconds.toFixed(1)} | ${r.peakRssMiB} |`),
    "",
  ].join("\n");
  console.log(table);
  if (args.includes("--append")) appendFileSync(join(root, "bench", "RESULTS.md"), table);
}

function loadImages(n) {
  const idx = (file, skip) => gunzipSync(readFileSync(join(data, file))).subarray(skip);
  const train = idx("train-images-idx3-ubyte.gz", 16);
  const test = idx("t10k-images-idx3-ubyte.gz", 16);
  const all = new Uint8Array(train.length + test.length);
  all.set(train);
  all.set(test, train.length);
  return all.subarray(0, n * 784);
}

async function buildTfjsModel(path) {
  if (existsSync(path)) return;
  const tf = await import("@tensorflow/tfjs");
  const { fileIOHandler } = await import("@assay/backend-tfjs");
  tf.setBackend("cpu");
  const input = tf.input({ shape: [28, 28, 1], name: "input" });
  let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" }).apply(input);
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x);
  x = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }).apply(x);
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x);
  const emb = tf.layers.dense({ units: 64, activation: "relu", name: "embedding" }).apply(tf.layers.flatten().apply(x));
  const probs = tf.layers.dense({ units: 10, activation: "softmax", name: "probs" }).apply(emb);
  const model = tf.model({ inputs: input, outputs: [emb, probs] });
  model.setUserDefinedMetadata({ "assay.layout": "NHWC", "assay.mean": "0.286", "assay.std": "0.353", "assay.embedding_output": "embedding" });
  await model.save(fileIOHandler(path));
}

async function child({ backend, batchSize, images, tfjsModel }) {
  const { createDataset, createRegistry } = await import("@assay/core");
  const onnx = await import("@assay/backend-onnx");
  const io = await import("@assay/io");
  const pixels = loadImages(images);
  const n = pixels.length / 784;
  const dataset = createDataset({ images: { data: pixels, shape: [n, 28, 28] } });
  let provider = "-";
  const t0 = performance.now();
  if (backend === "preprocess-only") {
    const spec = io.validatePreprocess({ width: 28, height: 28, channels: 1, channelOrder: "gray", layout: "NCHW", mean: [0.286], std: [0.353], pixelScale: 255, resize: "bilinear" });
    let count = 0;
    for await (const b of io.imageBatches(n, (i) => dataset.image(i), spec, { batchSize, concurrency: 2 })) count += b.indices.length;
    provider = "(no model)";
  } else {
    const registry = createRegistry();
    let model;
    if (backend === "onnx") {
      registry.use(onnx.plugin);
      model = join(root, "examples", "data", "models", "fashion-encoder.onnx");
    } else {
      await buildTfjsModel(tfjsModel);
      const { tfjsBackend } = await import("@assay/backend-tfjs");
      const b = tfjsBackend();
      registry.use({ name: "tfjs", version: "0", backends: [b] });
      model = tfjsModel;
    }
    const ctx = { dataset, signal: new AbortController().signal, concurrency: 2, progress() {}, warn: (m) => console.error(m), backend: (q) => registry.backend(q) };
    const chosen = await registry.backend({ name: backend });
    const loaded = await chosen.load(model);
    provider = loaded.provider;
    await loaded.dispose();
    const t1 = performance.now();
    const emb = await io.modelEmbeddings({ model, predProbsOutput: "probs", batchSize }).run(ctx, {});
    const probs = await io.modelPredProbs({ model }).run(ctx, {});
    if (emb.rows !== n || probs.rows !== n) throw new Error("row count mismatch");
    // time only the pass (not the one-off model load used to read the provider)
    const seconds = (performance.now() - t1) / 1000;
    return report(backend, provider, batchSize, n, seconds);
  }
  return report(backend, provider, batchSize, n, (performance.now() - t0) / 1000);
}

function report(backend, provider, batchSize, n, seconds) {
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ backend, provider, batchSize, images: n, seconds, imagesPerSecond: Math.round(n / seconds), peakRssMiB }));
}
