import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  artifacts,
  createDataset,
  createRegistry,
  defineDetector,
  definePlugin,
  isAssayError,
  memoryCache,
  pipeline,
  z,
  type Dataset,
  type NodeContext,
  type Registry,
} from "@assay/core";
import { denseReference, denseTestBackend, denseTestModel, testFloats } from "@assay/core/testing";
import { describe, expect, it } from "vitest";
import { modelFiles, planModel, readSidecar } from "./model-config.js";
import { modelEmbeddings, modelPredProbs } from "./model-extractors.js";
import { preprocessInto, validatePreprocess, type PreprocessSpec } from "./preprocess.js";

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
const FORMAT = "dense-test";

/** What the model should return for the dataset, computed with the tested preprocessing and a float64 dense layer. */
async function expected(ds: Dataset, s: PreprocessSpec = spec) {
  const x = new Float32Array(ds.size * 4);
  for (let i = 0; i < ds.size; i++) preprocessInto(await ds.image(i), validatePreprocess(s), x, i * 4);
  return denseReference(x, ds.size, weights, bias);
}

function withBackend(backend = denseTestBackend()): Registry {
  return createRegistry().use(definePlugin({ name: "dense", version: "0", backends: [backend] }));
}

function context(ds: Dataset, registry: Registry = withBackend()) {
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

const modelPath = join(dir, "dense.model");
writeFileSync(modelPath, denseTestModel({ inShape: [1, 2, 2], weights: [...weights], bias: [...bias], metadata }));
const barePath = join(dir, "bare.model");
writeFileSync(barePath, denseTestModel({ inShape: [1, 2, 2], weights: [...weights], bias: [...bias] }));
const opts = { model: modelPath, format: FORMAT };

async function failure(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );
}

describe("modelEmbeddings (any registered backend)", () => {
  it("preprocesses from model metadata, batches, and returns the chosen output per row", async () => {
    const { ctx, warnings, progress } = context(dataset);
    const emb = await modelEmbeddings({ ...opts, batchSize: 4 }).run(ctx, {});
    const want = await expected(dataset);
    expect([emb.rows, emb.cols]).toEqual([N, 3]);
    want.logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
    expect(progress).toEqual([
      [4, N],
      [6, N],
    ]);
    expect(warnings).toEqual([]);
  });

  it("derives width, height and channels from the model input shape when nothing declares them", async () => {
    const { ctx } = context(dataset);
    const emb = await modelEmbeddings({ model: barePath, format: FORMAT, output: "logits", preprocess: { resize: "area" } }).run(ctx, {});
    (await expected(dataset, { ...spec, mean: [0], std: [1] })).logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 5));
  });

  it("shares one pass with modelPredProbs when predProbsOutput is set", async () => {
    const backend = denseTestBackend();
    const { ctx } = context(dataset, withBackend(backend));
    const emb = await modelEmbeddings({ ...opts, predProbsOutput: "probs" }).run(ctx, {});
    const probs = await modelPredProbs(opts).run(ctx, {});
    expect(backend.loads).toBe(1);
    expect(emb.cols).toBe(3);
    (await expected(dataset)).probs.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 6));
    await modelPredProbs(opts).run(ctx, {});
    expect(backend.loads).toBe(2);
  });

  it("turns an unreadable image into a blank row and a warning naming it", async () => {
    const broken = createDataset({
      ids: ["ok0", "broken", "ok2"],
      images: async (i) => {
        if (i === 1) throw new Error("truncated PNG");
        return dataset.image(i);
      },
    });
    const { ctx, warnings } = context(broken);
    const emb = await modelEmbeddings(opts).run(ctx, {});
    expect(emb.rows).toBe(3);
    expect(warnings).toEqual(["1 image(s) could not be read and were embedded as blank images: broken"]);
    const error = await failure(modelEmbeddings({ ...opts, onUnreadable: "error" }).run(ctx, {}));
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect(error.message).toContain("broken");
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
    const report = await pipeline(dataset, { registry: withBackend() })
      .use(modelEmbeddings({ ...opts, predProbsOutput: "probs" }), modelPredProbs(opts), probe())
      .run();
    expect(report.nodes.map((n) => [n.name, n.status])).toEqual([
      ["model-embeddings", "ok"],
      ["model-pred-probs", "ok"],
      ["probe", "ok"],
    ]);
    expect(report.results.probe!.summary).toEqual({ rows: 6, cols: 3, k: 3 });
  });
});

describe("modelPredProbs", () => {
  it("logits are an error unless logits: true, which applies softmax", async () => {
    const { ctx } = context(dataset);
    const error = await failure(modelPredProbs({ ...opts, output: "logits" }).run(ctx, {}));
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain("logits: true");
    const probs = await modelPredProbs({ ...opts, output: "logits", logits: true }).run(ctx, {});
    (await expected(dataset)).probs.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 5));
  });

  it("a column count that differs from the dataset's classes is MODEL_ERROR", async () => {
    const fourClasses = createDataset({ images: { data: pixels, shape: [N, 4, 4] }, labels: [0, 1, 2, 3, 0, 1] });
    const error = await failure(modelPredProbs(opts).run(context(fourClasses).ctx, {}));
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain("3 columns but the dataset has 4 classes");
  });
});

describe("cacheSalt: the disk cache misses after the model is retrained", () => {
  it("salts with the model file's size and mtime, and with the sidecar JSON", async () => {
    const path = join(dir, "salted.onnx");
    writeFileSync(path, "model v1");
    const node = modelEmbeddings({ model: path, format: FORMAT });
    const first = await node.cacheSalt!();
    expect(await node.cacheSalt!()).toBe(first);
    expect(first).toMatch(/^8:[\d.]+\|-$/); // model stamp | no sidecar
    writeFileSync(path, "model v1");
    utimesSync(path, new Date(2030, 0, 1), new Date(2030, 0, 1));
    const touched = await node.cacheSalt!();
    expect(touched).not.toBe(first);
    writeFileSync(join(dir, "salted.json"), "{}");
    expect(await node.cacheSalt!()).not.toBe(touched);
    expect(await modelPredProbs({ model: path, format: FORMAT }).cacheSalt!()).toBe(await node.cacheSalt!());
  });

  it("lists a TFJS model.json's weight shards as model files", async () => {
    const json = join(dir, "tfjs", "model.json");
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "tfjs"), { recursive: true }));
    writeFileSync(json, JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["a.bin", "b.bin"], weights: [] }] }));
    expect(await modelFiles(json)).toEqual([json, join(dir, "tfjs", "a.bin"), join(dir, "tfjs", "b.bin")]);
    expect(await modelFiles(join(dir, "m.onnx"))).toEqual([join(dir, "m.onnx"), join(dir, "m.json")]);
  });

  it("recomputes in a pipeline with a cache after the model file changes, and reuses it otherwise", async () => {
    const path = join(dir, "retrained.model");
    const save = (b: Float32Array, time: number) => {
      writeFileSync(path, denseTestModel({ inShape: [1, 2, 2], weights: [...weights], bias: [...b], metadata }));
      utimesSync(path, time, time);
    };
    save(bias, 1_700_000_000);
    const backend = denseTestBackend();
    const cache = memoryCache();
    const run = () => pipeline(dataset, { registry: withBackend(backend) }).use(modelEmbeddings({ model: path, format: FORMAT }), needsEmbeddings()).run({ cache });
    const a = await run();
    const b = await run();
    expect(backend.loads).toBe(1);
    expect(b.nodes[0]!.cached).toBe(true);
    save(Float32Array.from([1, 2, 3]), 1_700_000_100);
    const c = await run();
    expect(backend.loads).toBe(2);
    expect(c.nodes[0]!.cached).toBeUndefined();
    expect(c.results["needs-embeddings"]!.summary!.first).not.toBe(a.results["needs-embeddings"]!.summary!.first);
  });
});

const needsEmbeddings = defineDetector({
  name: "needs-embeddings",
  version: "1",
  options: z.object({}).strict(),
  needs: [artifacts.embeddings],
  async run(_ctx, inputs) {
    return { result: null, findings: [], summary: { first: inputs.embeddings.data[0]! } };
  },
});

describe("model configuration", () => {
  it("reads preprocessing and output roles from a sidecar JSON next to an .onnx file", async () => {
    const path = join(dir, "side.onnx");
    writeFileSync(
      join(dir, "side.json"),
      JSON.stringify({
        preprocessing: { height: 2, width: 2, channels: 1, channel_order: "gray", pixelScale: 1, mean: [0.5], std: [0.25] },
        outputs: [
          { name: "logits", role: "embedding" },
          { name: "probs", role: "pred_probs" },
        ],
        classes: ["a", "b", "c"],
      }),
    );
    const hints = await readSidecar(path);
    expect(hints).toMatchObject({ embeddingOutput: "logits", predProbsOutput: "probs", classes: ["a", "b", "c"] });
    expect(hints!.preprocess).toEqual({ width: 2, height: 2, channels: 1, channelOrder: "gray", pixelScale: 1, mean: [0.5], std: [0.25] });
    expect(await readSidecar(join(dir, "model.json"))).toBeUndefined();
    writeFileSync(join(dir, "bad.json"), "{ not json");
    const error = await failure(readSidecar(join(dir, "bad.onnx")));
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect(error.message).toContain("bad.json");
  });

  it("user options win over metadata, which wins over the sidecar", async () => {
    const model = await denseTestBackend().load(modelPath);
    const plan = planModel(model, "m", { preprocess: { resize: "bilinear" } }, { preprocess: { mean: [0.1], resize: "nearest" } });
    expect(plan.spec).toMatchObject({ mean: [0.5], resize: "bilinear", width: 2, height: 2, layout: "NCHW" });
  });
});

describe("bad input", () => {
  const run = (o: Parameters<typeof modelEmbeddings>[0], registry?: Registry) => failure(modelEmbeddings(o).run(context(dataset, registry).ctx, {}));

  it("input shape mismatch → MODEL_ERROR naming expected and got", async () => {
    const error = await run({ ...opts, preprocess: { width: 3, height: 3 } });
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toContain('input "input" expects shape [?, 1, 2, 2] but the preprocessing gives [?, 1, 3, 3]');
  });

  it("a missing model file → IO_ERROR naming it", async () => {
    const missing = join(dir, "nope.model");
    const error = await run({ model: missing, format: FORMAT });
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect(error.message).toContain(missing);
  });

  it("a backend that is not installed → BACKEND_NOT_FOUND naming the package to install", async () => {
    const modelJson = join(dir, "model.json");
    writeFileSync(modelJson, JSON.stringify({ format: "layers-model", modelTopology: { class_name: "Sequential" }, weightsManifest: [] }));
    const error = await run({ model: modelJson }, createRegistry());
    expect(isAssayError(error, "BACKEND_NOT_FOUND")).toBe(true);
    expect(error.message).toContain("install @assay/backend-tfjs");
    const onnx = await run({ model: join(dir, "x.onnx") }, createRegistry());
    expect(onnx.message).toContain("install @assay/backend-onnx");
    const byName = await run({ ...opts, backend: "tfjs" });
    expect(isAssayError(byName, "BACKEND_NOT_FOUND")).toBe(true);
    expect(byName.message).toContain('no inference backend named "tfjs"');
    expect(byName.message).toContain("install @assay/backend-tfjs");
  });

  it("a device the installed backend cannot use → BACKEND_NOT_FOUND saying so, not 'install the package'", async () => {
    const error = await run({ ...opts, device: "gpu" });
    expect(isAssayError(error, "BACKEND_NOT_FOUND")).toBe(true);
    expect(error.message).toContain('backend "dense-test" loads dense-test models but not on gpu here');
  });

  it("a model name without a known extension and no format → INVALID_OPTION", async () => {
    const error = await run({ model: modelPath });
    expect(isAssayError(error, "INVALID_OPTION")).toBe(true);
    expect(error.message).toContain("cannot tell the format of model");
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
  it("the io plugin offers the model extractors, but pixel-embedding stays the implicit embeddings provider", async () => {
    const { plugin } = await import("./plugin.js");
    expect(plugin.extractors!.map((f) => f.nodeName)).toEqual(["image-scan", "pixel-embedding", "model-embeddings", "model-pred-probs"]);
    expect(pipeline(dataset).use(plugin, needsEmbeddings()).plan().describe()).toContain("detector needs-embeddings <- embeddings:pixel-embedding");
  });

  it("a model extractor picked implicitly without a model says how to add it", async () => {
    const only = definePlugin({ name: "models", version: "0", extractors: [modelEmbeddings] });
    let error: unknown;
    try {
      pipeline(dataset).use(only, needsEmbeddings()).plan();
    } catch (e) {
      error = e;
    }
    expect(isAssayError(error, "MISSING_PROVIDER")).toBe(true);
    expect((error as Error).message).toContain('"model-embeddings" could, but needs options: pipeline.use(model-embeddings({ … }))');
  });
});
