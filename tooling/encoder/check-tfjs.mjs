#!/usr/bin/env node
/**
 * check-tfjs.mjs — checks that the TFJS layers export of the encoder (onnx_to_tfjs.py) loads in Node with
 * @tensorflow/tfjs (pure-JS CPU backend, or @tensorflow/tfjs-backend-wasm with --wasm) and agrees with
 * PyTorch.
 *
 * Usage (from the repo root): node tooling/encoder/check-tfjs.mjs [N] [--wasm] [--model DIR]
 *
 * Loads <DIR>/model.json (default examples/data/models/fashion-encoder-tfjs) through a file IOHandler
 * (tfjs without tfjs-node has no file:// loader), feeds the first N (default 100) images of
 * examples/data/fashion-arrays/test_images.npy as N×28×28×1 (NHWC, per userDefinedMetadata), prints the
 * accuracy and, for N = 100, compares with tooling/encoder/reference-first100.json. Exit 1 on mismatch.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, matchesReference, score, testBatch } from "./reference.mjs";

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { wasm: { type: "boolean", default: false }, model: { type: "string" } },
});
const req = createRequire(join(ROOT, "plugins/backend-tfjs/package.json"));
const tf = req("@tensorflow/tfjs");
if (opts.wasm) req("@tensorflow/tfjs-backend-wasm");
await tf.setBackend(opts.wasm ? "wasm" : "cpu");
await tf.ready();

const N = Number(positionals[0] ?? 100);
const dir = resolve(opts.model ?? join(ROOT, "examples/data/models/fashion-encoder-tfjs"));
const modelJson = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
const handler = {
  load: async () => {
    const group = modelJson.weightsManifest[0];
    const bin = readFileSync(join(dir, group.paths[0]));
    return {
      modelTopology: modelJson.modelTopology,
      weightSpecs: group.weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      userDefinedMetadata: modelJson.userDefinedMetadata,
    };
  },
};
const model = await tf.loadLayersModel(handler);
const meta = model.getUserDefinedMetadata();
const mean = Number(meta["assay.mean"]), std = Number(meta["assay.std"]);
const H = Number(meta["assay.input_height"]), W = Number(meta["assay.input_width"]), C = Number(meta["assay.channels"]);
console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}; layout ${meta["assay.layout"]}; ` +
  `outputs ${model.outputNames}; ${model.countParams()} parameters`);

const { input, labels } = testBatch(N, mean, std);
const t0 = performance.now();
const [embT, probsT] = model.predict(tf.tensor4d(input, [N, H, W, C]));
const [emb, probs] = [await embT.data(), await probsT.data()];
const ms = performance.now() - t0;
const K = probsT.shape[1];
const scored = score(probs, K, labels);
console.log(`ran ${N} images in ${ms.toFixed(1)} ms; accuracy ${scored.correct}/${N} = ${scored.accuracy.toFixed(4)}`);
if (N === 100 && !matchesReference(`tfjs:${tf.getBackend()}`, probs, K, emb, embT.shape[1], scored)) process.exit(1);
