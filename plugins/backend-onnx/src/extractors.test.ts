import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifacts, createDataset, createRegistry, defineDetector, definePlugin, isAssayError, pipeline, z, type Dataset, type NodeContext, type Registry } from "@assay/core";
import { describe, expect, it } from "vitest";
import { modelEmbeddings, modelPredProbs } from "./extractors.js";
import { onnxBackend } from "./onnx-backend.js";
import { preprocessInto, validatePreprocess, type PreprocessSpec } from "./preprocess.js";
import { fakeBackend, fakeModelBytes } from "./testing/fake-backend.js";
import { denseModel, denseReference, testFloats } from "./testing/onnx-models.js";

const dir = mkdtempSync(join(tmpdir(), "assay-extract-"));
const N = 6;
// Six 4×4 gray images with distinct content.
const pixels = Uint8Array.from({ length: N * 16 }, (_, i) => (i * 37 + Math.floor(i / 16) * 11) % 256);
const dataset = createDataset({ images: { data: pixels, shape: [N, 4, 4] }, labels: [0, 1, 2, 0, 1, 2], classes: ["a", "b", "c"] });
const weights = testFloats(4 * 3, 7);
const bias = Float32Array.from([0.05, 0.1, -0.1]);
const spec: PreprocessSpec = { width: 2, height: 2, channels: 1, channelOrder: "gray", layout: "NCHW", mean: [0.5], std: [0.25], pixelScale: 255, resize: "area" };
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

/** What the model should return for the dataset, computed with the tested preprocessing and a float64 dense layer. */
async function expected(ds: Dataset, s: PreprocessSpec = spec) {
  const x = new Float32Array(ds.size * 4);
  for (let i = 0; i < ds.size; i++) preprocessInto(await ds.image(i), validatePreprocess(s), x, i * 4);
  return denseReference(x, ds.size, weights, bias);
}

function context(ds: Dataset, registry: Registry) {
  const warnings: string[] = [];
  const progress: [number, number][] = [];
  const ctx: NodeContext = {
    dataset: ds,
    signal: new AbortController().signal,
    concurrency: 2,
    progress: (d, t) => progress.push([d, t]),
    warn: (m) => warnings.push(m),
    backend: (q) => registry.backend(q),
  };
  return { ctx, warnings, progress };
}

const fakePath = join(dir, "dense.fake");
writeFileSync(fakePath, fakeModelBytes({ inShape: [1, 2, 2], weights: [...weights], bias: [...bias], metadata }));
const onnxWithMeta = join(dir, "meta.onnx");
writeFileSync(onnxWithMeta, denseModel({ inShape: [1, 2, 2], weights, bias, metadata }));

async function failure(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );
}

describe("modelEmbeddings on a fake backend (any registered backend works)", () => {
  it("preprocesses from model metadata, batches, and returns the chosen output per row", async () => {
    const fake = fakeBackend();
    const registry = createRegistry().use(definePlugin({ name: "fake", version: "0", backends: [fake] }));
    const { ctx, warnings, progress } = context(dataset, registry);
    const emb = await modelEmbeddings({ model: fakePath, format: "fake-dense", batchSize: 4 }).run(ctx, {});
    const want = await expected(dataset);
    expect([emb.rows, emb.cols]).toEqual([N, 3]);
    want.logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
    expect(progress).toEqual([
      [4, N],
      [6, N],
    ]);
    expect(warnings).toEqual([]);
  });

  it("shares one pass with modelPredProbs when predProbsOutput is set", async () => {
    const fake = fakeBackend();
    const registry = createRegistry().use(definePlugin({ name: "fake", version: "0", backends: [fake] }));
    const { ctx } = context(dataset, registry);
    const opts = { model: fakePath, format: "fake-dense" };
    const emb = await modelEmbeddings({ ...opts, predProbsOutput: "probs" }).run(ctx, {});
    const probs = await modelPredProbs(opts).run(ctx, {});
    expect(fake.loads).toBe(1);
    expect(emb.cols).toBe(3);
    const want = await expected(dataset);
    want.probs.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 6));
    await modelPredProbs(opts).run(ctx, {});
    expect(fake.loads).toBe(2);
  });

  it("turns an unreadable image into a blank row and a warning naming it", async () => {
    const broken = createDataset({
      ids: ["ok0", "broken", "ok2"],
      images: async (i) => {
        if (i === 1) throw new Error("truncated PNG");
        return dataset.image(i);
      },
    });
    const registry = createRegistry().use(definePlugin({ name: "fake", version: "0", backends: [fakeBackend()] }));
    const { ctx, warnings } = context(broken, registry);
    const emb = await modelEmbeddings({ model: fakePath, format: "fake-dense" }).run(ctx, {});
    expect(emb.rows).toBe(3);
    expect(warnings).toEqual(["1 image(s) could not be read and were embedded as blank images: broken"]);
    const error = await failure(modelEmbeddings({ model: fakePath, format: "fake-dense", onUnreadable: "error" }).run(ctx, {}));
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect(error.message).toContain("broken");
  });
});

describe("modelEmbeddings / modelPredProbs on ONNX Runtime", () => {
  const registry = createRegistry().use(definePlugin({ name: "onnx", version: "0", backends: [onnxBackend()] }));

  it("reads preprocessing from metadata_props", async () => {
    const { ctx } = context(dataset, registry);
    const emb = await modelEmbeddings({ model: onnxWithMeta }).run(ctx, {});
    const want = await expected(dataset);
    want.logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
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
    const { ctx } = context(dataset, registry);
    const emb = await modelEmbeddings({ model: path }).run(ctx, {});
    (await expected(dataset)).logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
    const probs = await modelPredProbs({ model: path, preprocess: { resize: "bilinear" } }).run(ctx, {});
    (await expected(dataset, { ...spec, resize: "bilinear" })).probs.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 5));
  });

  it("derives width, height and channels from the model input shape when nothing declares them", async () => {
    const path = join(dir, "bare.onnx");
    writeFileSync(path, denseModel({ inShape: [1, 2, 2], weights, bias }));
    const { ctx } = context(dataset, registry);
    const emb = await modelEmbeddings({ model: path, output: "logits", preprocess: { resize: "area" } }).run(ctx, {});
    (await expected(dataset, { ...spec, mean: [0], std: [1] })).logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
  });

  it("pred_probs: logits are an error unless logits: true, which applies softmax", async () => {
    const { ctx } = context(dataset, registry);
    const error = await failure(modelPredProbs({ model: onnxWithMeta, output: "logits" }).run(ctx, {}));
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain("logits: true");
    const probs = await modelPredProbs({ model: onnxWithMeta, output: "logits", logits: true }).run(ctx, {});
    (await expected(dataset)).probs.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 5));
  });

  it("pred_probs: a column count that differs from the dataset's classes is MODEL_ERROR", async () => {
    const fourClasses = createDataset({ images: { data: pixels, shape: [N, 4, 4] }, labels: [0, 1, 2, 3, 0, 1] });
    const error = await failure(modelPredProbs({ model: onnxWithMeta }).run(context(fourClasses, registry).ctx, {}));
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain("3 columns but the dataset has 4 classes");
  });

  it("runs inside a pipeline and feeds a detector", async () => {
    const probe = defineDetector({
      name: "probe",
      version: "1",
      options: z.object({}).strict(),
      needs: [artifacts.embeddings, artifacts.predProbs],
      async run(_ctx, inputs) {
        return { result: null, findings: [], summary: { rows: inputs.embeddings.rows, cols: inputs.embeddings.cols, k: inputs.pred_probs.cols } };
      },
    });
    const report = await pipeline(dataset, { registry })
      .use(modelEmbeddings({ model: onnxWithMeta, predProbsOutput: "probs" }), modelPredProbs({ model: onnxWithMeta }), probe())
      .run();
    expect(report.status).toBe("ok");
    expect(report.nodes.map((n) => [n.name, n.status])).toEqual([
      ["model-embeddings", "ok"],
      ["model-pred-probs", "ok"],
      ["probe", "ok"],
    ]);
    expect(report.results.probe!.summary).toEqual({ rows: 6, cols: 3, k: 3 });
  });
});

describe("bad input", () => {
  const registry = createRegistry().use(definePlugin({ name: "onnx", version: "0", backends: [onnxBackend()] }));
  const run = (opts: Parameters<typeof modelEmbeddings>[0]) => failure(modelEmbeddings(opts).run(context(dataset, registry).ctx, {}));

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

  it("input shape mismatch → MODEL_ERROR naming expected and got", async () => {
    const error = await run({ model: onnxWithMeta, preprocess: { width: 3, height: 3 } });
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain('input "input" expects shape [?, 1, 2, 2] but the preprocessing gives [?, 1, 3, 3]');
  });

  it("a model with no float output → MODEL_ERROR listing its outputs", async () => {
    const path = join(dir, "int.onnx");
    writeFileSync(path, denseModel({ inShape: [1, 2, 2], weights, bias, onlyIntOutput: true }));
    const error = await run({ model: path });
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain('no float output to use as embeddings; its outputs are "label" (int64 [?])');
  });

  it("a backend that is not installed → BACKEND_NOT_FOUND naming the package to install", async () => {
    const modelJson = join(dir, "model.json");
    writeFileSync(modelJson, JSON.stringify({ format: "layers-model", modelTopology: { class_name: "Sequential" }, weightsManifest: [] }));
    const error = await run({ model: modelJson });
    expect(isAssayError(error, "BACKEND_NOT_FOUND")).toBe(true);
    expect(error.message).toContain("install @assay/backend-tfjs");
    const byName = await run({ model: onnxWithMeta, backend: "tfjs" });
    expect(isAssayError(byName, "BACKEND_NOT_FOUND")).toBe(true);
    expect(byName.message).toContain('no inference backend named "tfjs"');
    expect(byName.message).toContain("install @assay/backend-tfjs");
  });

  it("a device the installed backend cannot use → BACKEND_NOT_FOUND saying so, not 'install the package'", async () => {
    const error = await run({ model: onnxWithMeta, device: "gpu" });
    expect(isAssayError(error, "BACKEND_NOT_FOUND")).toBe(true);
    expect(error.message).toContain('backend "onnx" loads onnx models but not on gpu here');
  });

  it("unknown options → INVALID_OPTION naming the option", () => {
    let error: unknown;
    try {
      modelEmbeddings({ model: "x.onnx", batchsize: 3 } as never);
    } catch (e) {
      error = e;
    }
    expect(isAssayError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toContain("batchsize");
  });
});

describe("plugin registration", () => {
  it("an extractor picked implicitly without a model says how to add it", async () => {
    const { plugin } = await import("./index.js");
    const needsEmbeddings = defineDetector({
      name: "needs-embeddings",
      version: "1",
      options: z.object({}).strict(),
      needs: [artifacts.embeddings],
      async run() {
        return { result: null, findings: [] };
      },
    });
    let error: unknown;
    try {
      pipeline(dataset).use(plugin, needsEmbeddings()).plan();
    } catch (e) {
      error = e;
    }
    expect(isAssayError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toContain('modelEmbeddings({ model: "encoder.onnx" })');
  });
});
