#!/usr/bin/env node
/**
 * check-onnx.mjs — checks that the committed encoder runs in Node with onnxruntime-node and agrees with
 * PyTorch.
 *
 * Usage (from the repo root, after the workspace install): node tooling/encoder/check-onnx.mjs [N]
 *
 * It reads the model's metadata_props with onnx-proto (onnxruntime's JS API does not expose them),
 * takes the first N (default 100, at most 2,000) images of examples/data/fashion-arrays/test_images.npy
 * (= the first images of Fashion-MNIST t10k), preprocesses them as the metadata says, runs one batch, and
 * prints the accuracy. For N = 100 it also compares with tooling/encoder/reference-first100.json, which
 * train.py wrote from PyTorch: same predicted classes, probabilities within 1e-4. Exit code 1 on mismatch.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const req = createRequire(join(ROOT, "plugins/backend-onnx/package.json"));
const ort = req("onnxruntime-node");
const { onnx } = req("onnx-proto");

const N = Number(process.argv[2] ?? 100);
const modelPath = join(ROOT, "examples/data/models/fashion-encoder.onnx");
const modelBytes = readFileSync(modelPath);

// Metadata written by train.py.
const proto = onnx.ModelProto.decode(modelBytes);
const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
const mean = Number(meta["assay.mean"]), std = Number(meta["assay.std"]);
const classes = JSON.parse(meta["assay.classes"]);
const H = Number(meta["assay.input_height"]), W = Number(meta["assay.input_width"]);
console.log(`model ${modelPath} (${modelBytes.length} bytes), opset ${proto.opsetImport.map((o) => o.version).join(",")}`);
console.log(`metadata: input ${meta["assay.input_name"]} ${meta["assay.layout"]} ${H}×${W}×${meta["assay.channels"]} ` +
  `${meta["assay.channel_order"]}, x = (pixel/${meta["assay.pixel_scale"]} - ${mean}) / ${std}; ` +
  `embedding=${meta["assay.embedding_output"]}, pred_probs=${meta["assay.pred_probs_output"]}; ${classes.length} classes`);

/** Minimal .npy v1/v2 reader for the little-endian uint8 / int64 arrays the tooling writes. */
function readNpy(path) {
  const buf = readFileSync(path);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString("latin1", start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(start + hlen);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  const data = descr === "|u1" ? new Uint8Array(ab) : descr === "<i8" ? new BigInt64Array(ab) : null;
  if (!data) throw new Error(`${path}: unsupported dtype ${descr}`);
  return { shape, data };
}

const images = readNpy(join(ROOT, "examples/data/fashion-arrays/test_images.npy"));
const labels = readNpy(join(ROOT, "examples/data/fashion-arrays/test_labels.npy"));
if (N < 1 || N > images.shape[0]) throw new Error(`N must be in 1..${images.shape[0]}`);
const input = new Float32Array(N * H * W);
for (let i = 0; i < input.length; i++) input[i] = (images.data[i] / 255 - mean) / std;

const session = await ort.InferenceSession.create(modelBytes);
console.log(`onnxruntime-node ${ort.env.versions?.node ?? ""} inputs ${session.inputNames} outputs ${session.outputNames}`);
const t0 = performance.now();
const out = await session.run({ [meta["assay.input_name"]]: new ort.Tensor("float32", input, [N, 1, H, W]) });
const ms = performance.now() - t0;
const probs = out[meta["assay.pred_probs_output"]];
const emb = out[meta["assay.embedding_output"]];
console.log(`ran ${N} images in ${ms.toFixed(1)} ms: embedding [${emb.dims}], probs [${probs.dims}]`);

const K = classes.length;
const pred = [];
let correct = 0;
for (let i = 0; i < N; i++) {
  let best = 0;
  for (let k = 1; k < K; k++) if (probs.data[i * K + k] > probs.data[i * K + best]) best = k;
  pred.push(best);
  if (BigInt(best) === labels.data[i]) correct++;
}
const acc = correct / N;
console.log(`accuracy on the first ${N} t10k images: ${correct}/${N} = ${acc.toFixed(4)}`);

if (N === 100) {
  const ref = JSON.parse(readFileSync(join(HERE, "reference-first100.json"), "utf8"));
  let maxDiff = 0;
  for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) maxDiff = Math.max(maxDiff, Math.abs(probs.data[i * K + k] - ref.probs[i][k]));
  let embDiff = 0;
  ref.embedding_first5.forEach((row, i) => row.forEach((v, j) => { embDiff = Math.max(embDiff, Math.abs(emb.data[i * emb.dims[1] + j] - v)); }));
  const samePred = pred.every((p, i) => p === ref.pred[i]);
  console.log(`PyTorch: accuracy ${ref.accuracy.toFixed(4)}; same predictions: ${samePred}; ` +
    `max |Δprob| ${maxDiff.toExponential(2)}; max |Δembedding| (5 rows) ${embDiff.toExponential(2)}`);
  if (!samePred || maxDiff > 1e-4 || embDiff > 1e-3 || Math.abs(acc - ref.accuracy) > 1e-6) {
    console.error("MISMATCH between onnxruntime-node and PyTorch");
    process.exit(1);
  }
  console.log("OK: onnxruntime-node matches PyTorch");
}
