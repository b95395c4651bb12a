/**
 * Shared by check-onnx.mjs and check-tfjs.mjs: the first test images of the committed arrays, scoring,
 * and the comparison with PyTorch's outputs in reference-first100.json (written by train.py).
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "../..");

/** Minimal .npy v1/v2 reader for the little-endian uint8 / int64 arrays the tooling writes. */
export function readNpy(path) {
  const buf = readFileSync(path);
  const major = buf[6];
  const start = major === 1 ? 10 : 12;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const header = buf.toString("latin1", start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(start + hlen);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  const data = descr === "|u1" ? new Uint8Array(ab) : descr === "<i8" ? new BigInt64Array(ab) : null;
  if (!data) throw new Error(`${path}: unsupported dtype ${descr}`);
  return { shape, data };
}

/**
 * The first n images of examples/data/fashion-arrays/test_images.npy (= the first n of t10k) as
 * float32 (pixel/255 - mean)/std, one channel (so NCHW and NHWC have the same bytes), and their labels.
 */
export function testBatch(n, mean, std) {
  const images = readNpy(join(ROOT, "examples/data/fashion-arrays/test_images.npy"));
  const labels = readNpy(join(ROOT, "examples/data/fashion-arrays/test_labels.npy"));
  if (!(n >= 1 && n <= images.shape[0])) throw new Error(`N must be in 1..${images.shape[0]}`);
  const pixels = images.shape[1] * images.shape[2];
  const input = new Float32Array(n * pixels);
  for (let i = 0; i < input.length; i++) input[i] = (images.data[i] / 255 - mean) / std;
  return { input, labels: Array.from(labels.data.subarray(0, n), Number) };
}

/** Argmax per row of an n×k probability matrix, and the accuracy against labels. */
export function score(probs, k, labels) {
  const pred = labels.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    return best;
  });
  const correct = pred.filter((p, i) => p === labels[i]).length;
  return { pred, correct, accuracy: correct / labels.length };
}

/**
 * Compare outputs for the first 100 test images with PyTorch's. Prints the differences and returns
 * false when predictions differ, a probability differs by > 1e-4 or an embedding value by > 1e-3.
 */
export function matchesReference(runtime, probs, k, emb, embDim, scored) {
  const ref = JSON.parse(readFileSync(join(HERE, "reference-first100.json"), "utf8"));
  let maxDiff = 0, embDiff = 0;
  ref.probs.forEach((row, i) => row.forEach((v, c) => { maxDiff = Math.max(maxDiff, Math.abs(probs[i * k + c] - v)); }));
  ref.embedding_first5.forEach((row, i) => row.forEach((v, j) => { embDiff = Math.max(embDiff, Math.abs(emb[i * embDim + j] - v)); }));
  const samePred = scored.pred.every((p, i) => p === ref.pred[i]);
  console.log(`PyTorch: accuracy ${ref.accuracy.toFixed(4)}; same predictions: ${samePred}; ` +
    `max |Δprob| ${maxDiff.toExponential(2)}; max |Δembedding| (5 rows) ${embDiff.toExponential(2)}`);
  const ok = samePred && maxDiff <= 1e-4 && embDiff <= 1e-3 && Math.abs(scored.accuracy - ref.accuracy) <= 1e-6;
  console.log(ok ? `OK: ${runtime} matches PyTorch` : `MISMATCH between ${runtime} and PyTorch`);
  return ok;
}
