// Build a tiny TFJS layers model, save it to disk with fileIOHandler, then embed a dataset with it
// through the "tfjs" backend. Run after `pnpm --filter @assay/io --filter @assay/backend-tfjs build`:
//   node plugins/backend-tfjs/examples/quickstart.mjs
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { createDataset, createRegistry } from "@assay/core";
import { modelEmbeddings } from "@assay/io";
import { fileIOHandler, tfjsBackend } from "@assay/backend-tfjs";

const backend = tfjsBackend();
const runtime = await backend.runtime(); // imports the best TensorFlow.js build installed
console.log("TensorFlow.js build:", runtime.flavour, "device:", runtime.device);

// A model: 8×8 gray NHWC image → flatten → 4-d embedding. Preprocessing hints go in its metadata.
const path = join(mkdtempSync(join(tmpdir(), "tfjs-")), "model.json");
const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.ones(), name: "embedding" })] });
model.setUserDefinedMetadata({ "assay.input_width": "8", "assay.input_height": "8", "assay.channels": "1", "assay.layout": "NHWC" });
await model.save(fileIOHandler(path));

// Three 16×16 images of constant brightness 0, 128 and 255; they are area-resized to 8×8 and scaled to 0…1.
const pixels = new Uint8Array(3 * 256);
pixels.fill(128, 256, 512).fill(255, 512);
const dataset = createDataset({ images: { data: pixels, shape: [3, 16, 16] } });
const registry = createRegistry().use({ name: "tfjs", version: "0", backends: [backend] });
const ctx = { dataset, signal: new AbortController().signal, concurrency: 2, progress() {}, warn: console.warn, backend: (q) => registry.backend(q) };
const emb = await modelEmbeddings({ model: path, preprocess: { resize: "area" } }).run(ctx, {});
console.log(`${emb.rows}×${emb.cols} embeddings, first column:`, Array.from({ length: emb.rows }, (_, i) => emb.data[i * emb.cols].toFixed(3)));
