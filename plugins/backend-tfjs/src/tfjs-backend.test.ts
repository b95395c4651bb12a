import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDataset, createRegistry, definePlugin, isAssayError, type NodeContext } from "@assay/core";
import { backendConformance, denseReference } from "@assay/core/testing";
import { modelEmbeddings, modelPredProbs, preprocessInto, validatePreprocess } from "@assay/io";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { fileIOHandler } from "./file-io.js";
import { tfjsBackend } from "./tfjs-backend.js";

const dir = mkdtempSync(join(tmpdir(), "assay-tfjs-"));

/** Deterministic floats in [-1, 1] from a sine hash. */
const floats = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((i + 1) * 12.9898 + seed * 78.233));

const W = floats(4 * 3, 11);
const B = Float32Array.from([0.2, -0.1, 0.05]);
const X = floats(5 * 4, 12);
const REF = denseReference(X, 5, W, B);

/** A functional layers model input[inShape] → flatten → dense "logits" → softmax "probs", saved with our file IO handler. */
async function saveLayersModel(path: string, inShape: number[], metadata?: Record<string, string>) {
  await tfjsBackend({ flavours: ["tfjs-wasm"] }).runtime();
  const input = tf.input({ shape: inShape, name: "input" });
  const flat = inShape.length > 1 ? (tf.layers.flatten().apply(input) as tf.SymbolicTensor) : input;
  const logitsLayer = tf.layers.dense({ units: 3, name: "logits" });
  const logits = logitsLayer.apply(flat) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ activation: "softmax", name: "probs" }).apply(logits) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [logits, probs] });
  logitsLayer.setWeights([tf.tensor2d(W, [4, 3]), tf.tensor1d(B)]);
  if (metadata) model.setUserDefinedMetadata(metadata);
  await model.save(fileIOHandler(path));
  model.dispose();
}

/** A hand-written TFJS graph model: Placeholder → MatMul W → AddV2 b → Softmax "probs". */
function saveGraphModel(path: string) {
  const f = { type: "DT_FLOAT" };
  const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const json = {
    format: "graph-model",
    generatedBy: "assay-tests",
    modelTopology: {
      node: [
        { name: "input", op: "Placeholder", attr: { dtype: f, shape: { shape: dims(-1, 4) } } },
        { name: "W", op: "Const", attr: { value: { tensor: { dtype: "DT_FLOAT", tensorShape: dims(4, 3) } }, dtype: f } },
        { name: "b", op: "Const", attr: { value: { tensor: { dtype: "DT_FLOAT", tensorShape: dims(3) } }, dtype: f } },
        { name: "mm", op: "MatMul", input: ["input", "W"], attr: { T: f, transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: "logits", op: "AddV2", input: ["mm", "b"], attr: { T: f } },
        { name: "probs", op: "Softmax", input: ["logits"], attr: { T: f } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ["graph.bin"], weights: [{ name: "W", shape: [4, 3], dtype: "float32" }, { name: "b", shape: [3], dtype: "float32" }] }],
    userDefinedMetadata: { "assay.note": "graph" },
  };
  const bin = new Float32Array([...W, ...B]);
  writeFileSync(join(dir, "graph.bin"), new Uint8Array(bin.buffer));
  writeFileSync(path, JSON.stringify(json));
}

const layersPath = join(dir, "layers", "model.json");
const graphPath = join(dir, "graph.json");
const notAModel = join(dir, "notes.json");
writeFileSync(notAModel, JSON.stringify({ hello: "world" }));

beforeAll(async () => {
  await saveLayersModel(layersPath, [4], { "assay.note": "layers" });
  saveGraphModel(graphPath);
});

const wasmOnly = () => tfjsBackend({ flavours: ["tfjs-wasm"] });
const fixtures = (model: string, expected: Record<string, Float32Array>, note: string) => ({
  model,
  input: { name: "input", data: X, dims: [5, 4] },
  expected,
  notAModel,
  missing: join(dir, "missing", "model.json"),
  metadata: { "assay.note": note },
  tolerance: 1e-5,
});

describe("tfjs backend conformance (wasm, layers model)", () => {
  for (const check of backendConformance(wasmOnly, fixtures(layersPath, { logits: REF.logits, probs: REF.probs }, "layers"))) it(check.name, check.run);
});

describe("tfjs backend conformance (wasm, graph model)", () => {
  for (const check of backendConformance(wasmOnly, fixtures(graphPath, { probs: REF.probs }, "graph"))) it(check.name, check.run);
});

describe("tfjsBackend on the wasm build", () => {
  it("loads the full default chain down to wasm here and says so", async () => {
    const backend = tfjsBackend();
    const rt = await backend.runtime();
    expect(rt.flavour).toBe("tfjs-wasm");
    expect(await backend.devices()).toEqual(["wasm"]);
    const model = await backend.load(layersPath);
    expect(model.provider).toBe("tfjs-wasm");
    expect(model.device).toBe("wasm");
    expect(model.inputs).toEqual([{ name: "input", shape: [-1, 4], type: "float32" }]);
    expect(model.outputs.map((o) => [o.name, o.shape])).toEqual([
      ["logits", [-1, 3]],
      ["probs", [-1, 3]],
    ]);
    await model.dispose();
  });

  it("names Sequential model inputs and outputs by their (stable) layer names", async () => {
    const path = join(dir, "seq", "model.json");
    const seq = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, name: "scores", activation: "softmax" })] });
    seq.layers[0]!.setWeights([tf.tensor2d(W, [4, 3]), tf.tensor1d(B)]);
    await seq.save(fileIOHandler(path));
    const model = await wasmOnly().load(path);
    expect(model.outputs.map((o) => o.name)).toEqual(["scores"]);
    expect(model.inputs).toHaveLength(1);
    const out = await model.run({ [model.inputs[0]!.name]: { data: X, dims: [5, 4] } });
    REF.probs.forEach((v, i) => expect(out.scores!.data[i]).toBeCloseTo(v, 5));
    await model.dispose();
  });

  it("rejects bytes (TFJS models are a model.json plus weight files)", async () => {
    const error = await wasmOnly().load(new Uint8Array(4)).catch((e: unknown) => e);
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
  });

  it("a missing weights shard is IO_ERROR naming the shard", async () => {
    const path = join(dir, "orphan.json");
    writeFileSync(path, JSON.stringify({ format: "layers-model", modelTopology: { class_name: "Model" }, weightsManifest: [{ paths: ["gone.bin"], weights: [] }] }));
    const error = await wasmOnly().load(path).catch((e: unknown) => e);
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect((error as Error).message).toContain("gone.bin");
  });

  it("runs modelEmbeddings / modelPredProbs from @assay/io (same preprocessing contract as ONNX)", async () => {
    const imgPath = join(dir, "image", "model.json");
    await saveLayersModel(imgPath, [2, 2, 1], {
      "assay.input_width": "2",
      "assay.input_height": "2",
      "assay.channels": "1",
      "assay.layout": "NHWC",
      "assay.mean": "0.5",
      "assay.std": "0.25",
      "assay.resize": "area",
      "assay.embedding_output": "logits",
      "assay.pred_probs_output": "probs",
    });
    const n = 7;
    const pixels = Uint8Array.from({ length: n * 16 }, (_, i) => (i * 53 + 17) % 256);
    const dataset = createDataset({ images: { data: pixels, shape: [n, 4, 4] }, labels: [0, 1, 2, 0, 1, 2, 0], classes: ["a", "b", "c"] });
    const registry = createRegistry().use(definePlugin({ name: "t", version: "0", backends: [wasmOnly()] }));
    const ctx: NodeContext = {
      dataset,
      signal: new AbortController().signal,
      concurrency: 2,
      progress: () => {},
      warn: () => {},
      backend: (q) => registry.backend(q),
    };
    const emb = await modelEmbeddings({ model: imgPath, batchSize: 3 }).run(ctx, {});
    const probs = await modelPredProbs({ model: imgPath }).run(ctx, {});
    const spec = validatePreprocess({ width: 2, height: 2, channels: 1, channelOrder: "gray", layout: "NHWC", mean: [0.5], std: [0.25], pixelScale: 255, resize: "area" });
    const x = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) preprocessInto(await dataset.image(i), spec, x, i * 4);
    const ref = denseReference(x, n, W, B);
    expect([emb.rows, emb.cols, probs.rows, probs.cols]).toEqual([n, 3, n, 3]);
    ref.logits.forEach((v, i) => expect(emb.data[i]).toBeCloseTo(v, 4));
    ref.probs.forEach((v, i) => expect(probs.data[i]).toBeCloseTo(v, 5));
  });
});

describe("tfjsBackend build selection (loader stubbed at its boundary)", () => {
  const fakeTf = (backend: string, setOk = true) => ({
    setBackend: async () => setOk,
    ready: async () => {},
    getBackend: () => backend,
    tensor: () => {
      throw new Error("not used");
    },
    loadLayersModel: async () => ({}),
    loadGraphModel: async () => ({}),
  });
  const stub = (available: Record<string, unknown>) => {
    const calls: string[] = [];
    const loader = async (name: string) => {
      calls.push(name);
      if (name in available) return available[name];
      throw new Error(`Cannot find package '${name}'`);
    };
    return { calls, loader };
  };

  it("prefers tfjs-node-gpu when it imports", async () => {
    const { calls, loader } = stub({ "@tensorflow/tfjs-node-gpu": { default: fakeTf("tensorflow") }, "@tensorflow/tfjs-node": fakeTf("tensorflow") });
    const backend = tfjsBackend({ loader });
    expect((await backend.runtime()).flavour).toBe("tfjs-node-gpu");
    expect(await backend.devices()).toEqual(["gpu"]);
    expect(calls).toEqual(["@tensorflow/tfjs-node-gpu"]);
  });

  it("falls back to tfjs-node (cpu) when the GPU build is missing", async () => {
    const { calls, loader } = stub({ "@tensorflow/tfjs-node": fakeTf("tensorflow") });
    const backend = tfjsBackend({ loader });
    expect((await backend.runtime()).flavour).toBe("tfjs-node");
    expect(await backend.devices()).toEqual(["cpu"]);
    expect(calls).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]);
  });

  it("falls back to tfjs + wasm last", async () => {
    const { calls, loader } = stub({ "@tensorflow/tfjs": fakeTf("wasm"), "@tensorflow/tfjs-backend-wasm": {} });
    const backend = tfjsBackend({ loader });
    expect((await backend.runtime()).flavour).toBe("tfjs-wasm");
    expect(await backend.devices()).toEqual(["wasm"]);
    expect(calls).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"]);
  });

  it("treats a wasm backend that will not start as unavailable", async () => {
    const { loader } = stub({ "@tensorflow/tfjs": fakeTf("cpu", false), "@tensorflow/tfjs-backend-wasm": {} });
    const error = await tfjsBackend({ loader }).runtime().catch((e: unknown) => e);
    expect(isAssayError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("setBackend('wasm') returned false");
  });

  it("with nothing installed: devices() is empty and load() says which packages to install", async () => {
    const { loader } = stub({});
    const backend = tfjsBackend({ loader });
    expect(await backend.devices()).toEqual([]);
    const error = await backend.load(layersPath).catch((e: unknown) => e);
    expect(isAssayError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    for (const pkg of ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-backend-wasm"]) expect((error as Error).message).toContain(pkg);
  });

  it("is skipped by capability lookup when unavailable, so another backend is chosen", async () => {
    const { loader } = stub({});
    const registry = createRegistry().use(definePlugin({ name: "t", version: "0", backends: [tfjsBackend({ loader })] }));
    const error = await registry.backend({ format: "tfjs-layers" }).catch((e: unknown) => e);
    expect(isAssayError(error, "BACKEND_NOT_FOUND")).toBe(true);
  });

  it("honours a restricted flavour list", async () => {
    const { calls, loader } = stub({ "@tensorflow/tfjs-node-gpu": fakeTf("tensorflow"), "@tensorflow/tfjs-node": fakeTf("tensorflow") });
    expect((await tfjsBackend({ loader, flavours: ["tfjs-node"] }).runtime()).flavour).toBe("tfjs-node");
    expect(calls).toEqual(["@tensorflow/tfjs-node"]);
  });
});
