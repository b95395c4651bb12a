import { firstNonProbabilityRow, softmaxRows } from "@assay/math";
import { resolve as resolvePath } from "node:path";
import {
  AssayError,
  artifacts,
  defineExtractor,
  isAssayError,
  requiresImages,
  stableStringify,
  z,
  type Dataset,
  type Device,
  type Float32Matrix,
  type InferenceBackend,
  type LoadedModel,
  type NodeContext,
} from "@assay/core";
import { fileStamp } from "@assay/core/node";
import { PLUGIN } from "./errors.js";
import { matrixStorage } from "./npy.js";
import { detectModelFormat, modelFiles, pickOutput, planModel, readSidecar } from "./model-config.js";
import { imageBatches } from "./preprocess.js";

/** Where each backend name and model format comes from, for "install this package" messages. */
const PACKAGE_OF_BACKEND: Record<string, string> = { onnx: "@assay/backend-onnx", tfjs: "@assay/backend-tfjs" };
const PACKAGE_OF_FORMAT: Record<string, string> = {
  onnx: "@assay/backend-onnx",
  "tfjs-layers": "@assay/backend-tfjs",
  "tfjs-graph": "@assay/backend-tfjs",
};

const preprocessSchema = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.union([z.literal(1), z.literal(3)]),
    channelOrder: z.enum(["gray", "rgb", "bgr"]),
    layout: z.enum(["NCHW", "NHWC"]),
    mean: z.array(z.number()).min(1),
    std: z.array(z.number()).min(1),
    pixelScale: z.number().positive(),
    resize: z.enum(["bilinear", "area", "nearest"]),
  })
  .partial()
  .strict();

const commonOptions = {
  /** Path to the model file (`.onnx`, or a TFJS `model.json`). */
  model: z.string({ error: 'required: the model file to run, e.g. modelEmbeddings({ model: "encoder.onnx" }); these extractors need options, so add them with pipeline.use(...)' }).min(1),
  /** Model format when the file name does not tell it. */
  format: z.string().min(1).optional(),
  /** Backend name (e.g. `"onnx"`, `"tfjs"`); default: the best registered backend for the format. */
  backend: z.string().min(1).optional(),
  /** Device to require (`gpu`, `cpu`, `wasm`); default: the backend's best. */
  device: z.enum(["gpu", "cpu", "wasm"]).optional(),
  /** Model input to feed; default: from metadata, or the only input. */
  input: z.string().min(1).optional(),
  /** Preprocessing fields; each one overrides the model metadata and sidecar JSON. */
  preprocess: preprocessSchema.optional(),
  /** Images per batch (capped by `maxBatchBytes`). */
  batchSize: z.number().int().positive().default(64),
  /** Upper bound on one batch tensor in bytes. */
  maxBatchBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 2 ** 20),
  /** What to do with an image that cannot be decoded: run a blank image and warn, or fail. */
  onUnreadable: z.enum(["blank", "error"]).default("blank"),
};

const embeddingsSchema = z
  .object({
    ...commonOptions,
    /** Output holding the embedding; default: metadata `assay.embedding_output`, sidecar role, or the only float output. */
    output: z.string().min(1).optional(),
    /** Also collect this output in the same pass and hand it to `modelPredProbs` (saves a second pass). */
    predProbsOutput: z.string().min(1).optional(),
  })
  .strict();

const predProbsSchema = z
  .object({
    ...commonOptions,
    /** Output holding class probabilities; default: metadata `assay.pred_probs_output`, sidecar role, or the only float output. */
    output: z.string().min(1).optional(),
    /** The output is logits: apply a row softmax. Without it, rows that are not probabilities are an error. */
    logits: z.boolean().default(false),
  })
  .strict();

/** Options of {@link modelEmbeddings}. */
export type ModelEmbeddingsOptions = z.input<typeof embeddingsSchema>;
/** Options of {@link modelPredProbs}. */
export type ModelPredProbsOptions = z.input<typeof predProbsSchema>;

type Common = z.output<typeof embeddingsSchema> | z.output<typeof predProbsSchema>;

/** Outputs parked by a `modelEmbeddings` pass for a later `modelPredProbs` on the same dataset and model. */
const parked = new WeakMap<Dataset, Map<string, { output: string; value: Promise<Float32Matrix> }>>();

/**
 * The cache salt of a model extractor: size and modification time of the model file, its sidecar
 * JSON and (TFJS) its weight shards, so a cached artifact is recomputed after the model is retrained
 * or its preprocessing edited.
 */
async function modelSalt(o: Common): Promise<string> {
  return fileStamp(await modelFiles(resolvePath(o.model)));
}

function passKey(o: Common): string {
  return stableStringify({
    model: resolvePath(o.model),
    format: o.format ?? null,
    backend: o.backend ?? null,
    device: o.device ?? null,
    input: o.input ?? null,
    preprocess: o.preprocess ?? null,
  });
}

/**
 * Extractor factory: run an image model over every dataset image and provide `artifacts.embeddings`
 * (one row per sample, the chosen output flattened). Works on any registered backend that loads the
 * model's format; preprocessing comes from the options, the model's metadata or a sidecar JSON.
 */
export const modelEmbeddings = defineExtractor({
  name: "model-embeddings",
  readsLabels: false,
  version: "1",
  plugin: PLUGIN,
  description: "Embeddings from an image model (ONNX, TFJS, …) run on a registered inference backend",
  options: embeddingsSchema,
  needs: [],
  provides: artifacts.embeddings,
  appliesTo: requiresImages,
  cacheSalt: modelSalt,
  async run(ctx, _inputs, options) {
    let resolveProbs: ((m: Float32Matrix) => void) | undefined;
    let rejectProbs: ((e: unknown) => void) | undefined;
    if (options.predProbsOutput !== undefined) {
      const value = new Promise<Float32Matrix>((res, rej) => {
        resolveProbs = res;
        rejectProbs = rej;
      });
      value.catch(() => {});
      let byKey = parked.get(ctx.dataset);
      if (!byKey) parked.set(ctx.dataset, (byKey = new Map()));
      byKey.set(passKey(options), { output: options.predProbsOutput, value });
    }
    try {
      const result = await runModel(ctx, options, (model, label, hints) => {
        const emb = pickOutput(model, label, options.output, hints.embeddingOutput, "embeddings").name;
        return options.predProbsOutput === undefined ? [emb] : [emb, pickOutput(model, label, options.predProbsOutput, undefined, "pred_probs").name];
      });
      const [embeddings, probs] = result;
      if (probs) resolveProbs?.(probs);
      return embeddings!;
    } catch (error) {
      rejectProbs?.(error);
      throw error;
    }
  },
});

/**
 * Extractor factory: run a classifier over every dataset image and provide `artifacts.predProbs`.
 * Rows must be probabilities (softmax output) unless `logits: true`, which applies a row softmax.
 * Reuses the pass of a `modelEmbeddings` node with the same model that set `predProbsOutput`.
 */
export const modelPredProbs = defineExtractor({
  name: "model-pred-probs",
  version: "1",
  plugin: PLUGIN,
  description: "Predicted class probabilities from an image classifier run on a registered inference backend",
  options: predProbsSchema,
  needs: [],
  provides: artifacts.predProbs,
  appliesTo: requiresImages,
  cacheSalt: modelSalt,
  async run(ctx, _inputs, options) {
    const byKey = parked.get(ctx.dataset);
    const key = passKey(options);
    const shared = byKey?.get(key);
    let matrix: Float32Matrix | undefined;
    let outputName = options.output ?? "pred_probs";
    if (shared && (options.output === undefined || options.output === shared.output)) {
      byKey!.delete(key);
      matrix = await shared.value.catch(() => undefined);
      outputName = shared.output;
    }
    if (!matrix) {
      const [probs] = await runModel(ctx, options, (model, label, hints) => {
        outputName = pickOutput(model, label, options.output, hints.predProbsOutput, "pred_probs").name;
        return [outputName];
      });
      matrix = probs!;
    }
    const data = options.logits ? Float32Array.from(matrix.data) : matrix.data;
    if (options.logits) softmaxRows(data, matrix.rows, matrix.cols);
    const bad = firstNonProbabilityRow(data, matrix.rows, matrix.cols);
    if (bad) {
      throw new AssayError(
        "MODEL_ERROR",
        `output "${outputName}" of ${options.model} is not a probability vector at row ${bad.row} (sums to ${bad.sum.toPrecision(4)}); if the model outputs logits, pass { logits: true }`,
        { plugin: PLUGIN, node: "model-pred-probs", details: { output: outputName, row: bad.row } },
      );
    }
    const k = ctx.dataset.classes.length;
    if (ctx.dataset.task === "classification" && k > 0 && matrix.cols !== k) {
      throw new AssayError("MODEL_ERROR", `output "${outputName}" of ${options.model} has ${matrix.cols} columns but the dataset has ${k} classes`, {
        plugin: PLUGIN,
        node: "model-pred-probs",
        details: { output: outputName, columns: matrix.cols, classes: k },
      });
    }
    return { rows: matrix.rows, cols: matrix.cols, data };
  },
});

/** Find the backend for a model; a missing one names the package to install. */
async function findBackend(ctx: NodeContext, name: string | undefined, format: string, device: Device | undefined): Promise<InferenceBackend> {
  try {
    return await ctx.backend({ ...(name === undefined ? {} : { name }), format, ...(device === undefined ? {} : { device }) });
  } catch (error) {
    if (!isAssayError(error, "BACKEND_NOT_FOUND")) throw error;
    if (device !== undefined) {
      const without = await ctx.backend({ ...(name === undefined ? {} : { name }), format }).catch(() => undefined);
      if (without) {
        throw new AssayError(
          "BACKEND_NOT_FOUND",
          `${error.message}; backend "${without.name}" loads ${format} models but not on ${device} here: install its ${device} build (onnxruntime-node with CUDA, @tensorflow/tfjs-node-gpu, …) or drop the \`device\` option`,
          { plugin: PLUGIN, stage: "backend", details: { ...error.details }, cause: error },
        );
      }
    }
    const pkg = (name !== undefined ? PACKAGE_OF_BACKEND[name] : undefined) ?? PACKAGE_OF_FORMAT[format];
    const advice = pkg ? `install ${pkg} and register its plugin (registry.use(plugin) or pipeline.use(plugin))` : "register a backend plugin that loads this format";
    throw new AssayError("BACKEND_NOT_FOUND", `${error.message}; to run ${format} models ${advice}`, {
      plugin: PLUGIN,
      stage: "backend",
      details: { ...error.details, ...(pkg ? { package: pkg } : {}) },
      cause: error,
    });
  }
}

/**
 * Load the model on its backend, plan preprocessing, stream batches and collect the outputs chosen by
 * `choose` as n×d matrices (in the order `choose` returns them).
 */
async function runModel(
  ctx: NodeContext,
  options: Common,
  choose: (model: LoadedModel, label: string, hints: ReturnType<typeof planModel>["hints"]) => string[],
): Promise<Float32Matrix[]> {
  const dataset = ctx.dataset;
  if (!dataset.hasImages) {
    throw new AssayError("INVALID_INPUT", `dataset "${dataset.name}" has no images to run ${options.model} on`, { plugin: PLUGIN, stage: "plan" });
  }
  const format = options.format ?? (await detectModelFormat(options.model));
  const backend = await findBackend(ctx, options.backend, format, options.device);
  const model = await backend.load(options.model, options.device === undefined ? {} : { devices: [options.device] });
  try {
    const label = options.model;
    if (options.device !== undefined && model.device !== options.device) {
      ctx.warn(`${label} asked for ${options.device} but runs on ${model.device} (${model.provider})`);
    }
    const sidecar = await readSidecar(options.model);
    const plan = planModel(model, label, { input: options.input, preprocess: options.preprocess }, sidecar);
    const names = choose(model, label, plan.hints);
    const n = dataset.size;
    const out: (Float32Matrix & { data: Float32Array })[] = [];
    let done = 0;
    const unreadable: { index: number; reason: string }[] = [];
    const batches = imageBatches(n, (i) => dataset.image(i, { signal: ctx.signal }), plan.spec, {
      batchSize: options.batchSize,
      maxBatchBytes: options.maxBatchBytes,
      concurrency: ctx.concurrency,
      signal: ctx.signal,
    });
    // Prefetch: the next batch is decoded and preprocessed while the model runs this one, so at most
    // two batches are in memory.
    const iterator = batches[Symbol.asyncIterator]();
    let pending = iterator.next();
    pending.catch(() => {});
    for (;;) {
      const step = await pending;
      if (step.done) break;
      const batch = step.value;
      pending = iterator.next();
      pending.catch(() => {});
      if (batch.failures.length > 0) {
        if (options.onUnreadable === "error") {
          const f = batch.failures[0]!;
          throw new AssayError("IO_ERROR", `image ${dataset.ids[f.index]} (row ${f.index}) cannot be read: ${f.reason}`, {
            plugin: PLUGIN,
            stage: "decode",
            details: { index: f.index, id: dataset.ids[f.index] },
          });
        }
        unreadable.push(...batch.failures);
      }
      const m = batch.indices.length;
      const result = await model.run({ [plan.input.name]: { data: batch.data, dims: batch.dims } });
      names.forEach((name, k) => {
        const t = result[name];
        if (!t) throw new AssayError("MODEL_ERROR", `${label} did not return output "${name}"`, { plugin: PLUGIN, stage: "run" });
        if (t.dims[0] !== m || t.data.length % m !== 0) {
          throw new AssayError("MODEL_ERROR", `${label}: output "${name}" has dims [${t.dims.join(", ")}] for a batch of ${m}; expected the batch first`, {
            plugin: PLUGIN,
            stage: "run",
          });
        }
        const cols = t.data.length / m;
        if (!out[k]) out[k] = { rows: n, cols, data: matrixStorage(n * cols) };
        else if (out[k]!.cols !== cols) throw new AssayError("MODEL_ERROR", `${label}: output "${name}" changed width between batches`, { plugin: PLUGIN, stage: "run" });
        out[k]!.data.set(t.data, batch.indices[0]! * cols);
      });
      done += m;
      ctx.progress(done, n);
    }
    if (unreadable.length > 0) {
      const shown = unreadable.slice(0, 5).map((f) => dataset.ids[f.index]).join(", ");
      ctx.warn(`${unreadable.length} image(s) could not be read and were embedded as blank images: ${shown}${unreadable.length > 5 ? ", …" : ""}`);
    }
    if (n === 0) return names.map(() => ({ rows: 0, cols: 0, data: new Float32Array(0) }));
    return out;
  } finally {
    await model.dispose();
  }
}
