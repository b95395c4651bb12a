// End to end: @assay/io's backend-agnostic model extractors running ONNX models on this backend.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifacts, createDataset, createRegistry, defineDetector, definePlugin, isAssayError, pipeline, z, type NodeContext, type Registry } from "@assay/core";
import { denseTestBackend, denseTestModel, testFloats } from "@assay/core/testing";
import { modelEmbeddings, modelPredProbs, plugin as ioPlugin, type ModelEmbeddingsOptions } from "@assay/io";
import { describe, expect, it } from "vitest";
import { plugin } from "./index.js";
import { denseModel } from "./testing/onnx-models.js";

const dir = mkdtempSync(join(tmpdir(), "assay-onnx-extract-"));
const N = 6;
const pixels = Uint8Array.from({ length: N * 16 }, (_, i) => (i * 37 + Math.floor(i / 16) * 11) % 256);
const dataset = createDataset({ images: { data: pixels, shape: [N, 4, 4] }, labels: [0, 1, 2, 0, 1, 2], classes: ["a", "b", "c"] });
const weights = testFloats(4 * 3, 7);
const bias = Float32Array.from([0.05, 0.1, -0.1]);
const metadata = {
  "assay.input_width": "2",
  "assay.input_height": "2",
  "assay.channels": "1",
  "assay.channel_order": "gray",
  "assay.mean": "0.5",
  "assay.std": "0.25",
  "assay.resize": "area",
  "assay.embedding_output": "logits",
  "assay.pred_probs_output": "probs",
};
const registry = createRegistry().use(plugin);
const onnxWithMeta = join(dir, "meta.onnx");
writeFileSync(onnxWithMeta, denseModel({ inShape: [1, 2, 2], weights, bias, metadata }));

// The same dense model for core's pure-JS reference backend: ONNX Runtime must give its numbers.
const referencePath = join(dir, "reference.model");
writeFileSync(referencePath, denseTestModel({ inShape: [1, 2, 2], weights: [...weights], bias: [...bias], metadata }));
const referenceRegistry = createRegistry().use(definePlugin({ name: "reference", version: "0", backends: [denseTestBackend()] }));

function contextOf(reg: Registry): NodeContext {
  return { dataset, signal: new AbortController().signal, concurrency: 2, progress: () => {}, warn: () => {}, backend: (q) => reg.backend(q) };
}
const ctx = contextOf(registry);

/** What the reference backend gives for the same model and options; `output` picks logits or probs. */
async function reference(options: Omit<ModelEmbeddingsOptions, "model">, output: "logits" | "probs" = "logits") {
  return modelEmbeddings({ ...options, output, model: referencePath, format: "dense-test" }).run(contextOf(referenceRegistry), {});
}

describe("@assay/io model extractors on ONNX Runtime", () => {
  it("reads preprocessing from the model's metadata_props", async () => {
    const emb = await modelEmbeddings({ model: onnxWithMeta }).run(ctx, {});
    (await reference({})).data.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
  });

  it("reads preprocessing and output roles from a sidecar JSON, user options win", async () => {
    const path = join(dir, "sidecar.onnx");
    writeFileSync(path, denseModel({ inShape: [1, 2, 2], weights, bias }));
    writeFileSync(
      join(dir, "sidecar.json"),
      JSON.stringify({
        preprocessing: { height: 2, width: 2, channels: 1, channel_order: "gray", layout: "NCHW", resize: "area", pixel_scale: 255, mean: [0.5], std: [0.25] },
        outputs: [
          { name: "logits", role: "embedding" },
          { name: "probs", role: "pred_probs" },
        ],
      }),
    );
    const emb = await modelEmbeddings({ model: path }).run(ctx, {});
    (await reference({})).data.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
    const probs = await modelPredProbs({ model: path, preprocess: { resize: "bilinear" } }).run(ctx, {});
    const bilinear = await reference({ preprocess: { resize: "bilinear" } }, "probs");
    bilinear.data.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 5));
  });

  it("derives width, height and channels from the ONNX input shape when nothing declares them", async () => {
    const path = join(dir, "bare.onnx");
    writeFileSync(path, denseModel({ inShape: [1, 2, 2], weights, bias }));
    const emb = await modelEmbeddings({ model: path, output: "logits", preprocess: { resize: "area" } }).run(ctx, {});
    (await reference({ preprocess: { mean: [0], std: [1] } })).data.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
  });

  it("runs in a pipeline with the backend plugin and the io plugin registered", async () => {
    const probe = defineDetector({
      name: "probe",
      version: "1",
      options: z.object({}).strict(),
      needs: [artifacts.embeddings, artifacts.predProbs],
      async run(_ctx, inputs) {
        return { result: null, findings: [], summary: { rows: inputs.embeddings.rows, cols: inputs.embeddings.cols, k: inputs.pred_probs.cols } };
      },
    });
    const report = await pipeline(dataset, { registry: createRegistry().use(plugin).use(ioPlugin) })
      .use(modelEmbeddings({ model: onnxWithMeta, predProbsOutput: "probs" }), modelPredProbs({ model: onnxWithMeta }), probe())
      .run();
    expect(report.nodes.map((n) => [n.name, n.status])).toEqual([
      ["model-embeddings", "ok"],
      ["model-pred-probs", "ok"],
      ["probe", "ok"],
    ]);
    expect(report.results.probe!.summary).toEqual({ rows: 6, cols: 3, k: 3 });
  });
});

describe("ONNX-specific errors through the extractors", () => {
  /** The error a run rejects with (a resolved run fails the test). */
  const run = async (opts: ModelEmbeddingsOptions) => {
    const outcome = await modelEmbeddings(opts).run(ctx, {}).then(() => new Error("expected a rejection"), (e: unknown) => ({ rejected: e as Error }));
    if (outcome instanceof Error) throw outcome;
    return outcome.rejected;
  };

  it("missing model file → IO_ERROR naming it", async () => {
    const missing = join(dir, "nope.onnx");
    const error = await run({ model: missing });
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect(error.message).toContain(missing);
  });

  it("a file that is not a model → MODEL_ERROR naming it", async () => {
    const path = join(dir, "text.onnx");
    writeFileSync(path, "hello, I am a text file");
    const error = await run({ model: path });
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain(path);
  });

  it("a model with no float output → MODEL_ERROR listing its outputs", async () => {
    const path = join(dir, "int.onnx");
    writeFileSync(path, denseModel({ inShape: [1, 2, 2], weights, bias, onlyIntOutput: true }));
    const error = await run({ model: path });
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain('no float output to use as embeddings; its outputs are "label" (int64 [?])');
  });

  it("gpu on a CPU-only build → BACKEND_NOT_FOUND saying the onnx backend cannot use it here", async () => {
    const error = await run({ model: onnxWithMeta, device: "gpu" });
    expect(isAssayError(error, "BACKEND_NOT_FOUND")).toBe(true);
    expect(error.message).toContain('backend "onnx" loads onnx models but not on gpu here');
  });
});
