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
import { join } from "node:path";
import { ROOT, matchesReference, score, testBatch } from "./reference.mjs";

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

const { input, labels } = testBatch(N, mean, std);
const session = await ort.InferenceSession.create(modelBytes);
console.log(`onnxruntime-node: inputs ${session.inputNames}, outputs ${session.outputNames}`);
const t0 = performance.now();
const out = await session.run({ [meta["assay.input_name"]]: new ort.Tensor("float32", input, [N, 1, H, W]) });
const ms = performance.now() - t0;
const probs = out[meta["assay.pred_probs_output"]];
const emb = out[meta["assay.embedding_output"]];
console.log(`ran ${N} images in ${ms.toFixed(1)} ms: embedding [${emb.dims}], probs [${probs.dims}]`);

const scored = score(probs.data, classes.length, labels);
console.log(`accuracy on the first ${N} t10k images: ${scored.correct}/${N} = ${scored.accuracy.toFixed(4)}`);
if (N === 100 && !matchesReference("onnxruntime-node", probs.data, classes.length, emb.data, emb.dims[1], scored)) {
  process.exit(1);
}
