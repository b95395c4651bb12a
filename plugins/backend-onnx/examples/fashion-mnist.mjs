// Embeddings and pred_probs for the Fashion-MNIST test set with the encoder shipped in
// examples/data/models, on the ONNX Runtime backend. Run from the repo root after
// `pnpm --filter @assay/io --filter @assay/backend-onnx build`:
//   node plugins/backend-onnx/examples/fashion-mnist.mjs [/usr/share/datasets/fashion-mnist]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { artifacts, createDataset, createRegistry, defineDetector, pipeline, z } from "@assay/core";
import { plugin } from "@assay/backend-onnx";
import { modelEmbeddings, modelPredProbs } from "@assay/io";

const root = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const model = new URL("../../../examples/data/models/fashion-encoder.onnx", import.meta.url).pathname;
const idx = (file) => gunzipSync(readFileSync(join(root, file)));
const images = idx("t10k-images-idx3-ubyte.gz").subarray(16);
const labels = idx("t10k-labels-idx1-ubyte.gz").subarray(8);
const dataset = createDataset({ name: "fashion-mnist-t10k", images: { data: images, shape: [labels.length, 28, 28] }, labels });

// A tiny detector that reads both artifacts and reports accuracy (stands in for a real lens).
const accuracy = defineDetector({
  name: "accuracy",
  version: "1",
  options: z.object({}).strict(),
  needs: [artifacts.embeddings, artifacts.predProbs],
  async run(ctx, { embeddings, pred_probs: p }) {
    let correct = 0;
    for (let i = 0; i < p.rows; i++) {
      const row = p.data.subarray(i * p.cols, (i + 1) * p.cols);
      if (row.indexOf(Math.max(...row)) === ctx.dataset.labels[i]) correct++;
    }
    return { result: null, findings: [], summary: { embedding_dim: embeddings.cols, classes: p.cols, accuracy: correct / p.rows } };
  },
});

const t0 = performance.now();
const report = await pipeline(dataset, { registry: createRegistry().use(plugin) })
  .use(modelEmbeddings({ model, predProbsOutput: "probs", batchSize: 256 }), modelPredProbs({ model }), accuracy())
  .run();
console.log(report.nodes.map((n) => `${n.name}: ${n.status}${n.warnings ? ` ${n.warnings}` : ""}`).join("\n"));
console.log(report.results.accuracy.summary);
console.log(`${labels.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
