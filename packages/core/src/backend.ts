import { AssayError } from "./errors.js";

/** A device a backend can run on. */
export type Device = "gpu" | "cpu" | "wasm";

/** Shape and type of one model input or output. Unknown dimensions are -1. */
export interface TensorInfo {
  name: string;
  /** Dimensions, -1 where symbolic (e.g. the batch dimension). */
  shape: readonly number[];
  /** Element type as the runtime names it, e.g. `"float32"`. */
  type: string;
}

/** A float32 tensor crossing the backend boundary. */
export interface Float32Tensor {
  data: Float32Array;
  dims: readonly number[];
}

/** Options for loading a model. */
export interface LoadModelOptions {
  /** Preferred devices in order; a backend falls back to the next one it has. */
  devices?: readonly Device[];
  /** Backend-specific session options, passed through. */
  session?: Record<string, unknown>;
}

/** A model loaded by a backend, ready to run batches. */
export interface LoadedModel {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Device it actually runs on. */
  readonly device: Device;
  /** The runtime's own name for what runs it, e.g. `"onnxruntime-node:cpu"` or `"tfjs:wasm"`. */
  readonly provider: string;
  /** Key/value metadata stored in the model (preprocessing hints, labels…). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Run one batch; `inputs` maps input names to tensors; resolves to every output by name. */
  run(inputs: Readonly<Record<string, Float32Tensor>>): Promise<Record<string, Float32Tensor>>;
  /** Release native memory. */
  dispose(): Promise<void>;
}

/**
 * An inference backend: a service that loads models of some formats on some devices. Backends are
 * registered with `registry.use(plugin)` and looked up by name or by capability.
 */
export interface InferenceBackend {
  /** Unique name, e.g. `"onnx"` or `"tfjs"`. */
  readonly name: string;
  /** Model formats it loads, e.g. `["onnx"]` or `["tfjs-graph", "tfjs-layers"]`. */
  readonly formats: readonly string[];
  /** Devices it can use on this machine, best first (probe once, then cache). */
  devices(): Promise<readonly Device[]>;
  /** Load a model from a file path or its bytes. */
  load(model: string | Uint8Array, options?: LoadModelOptions): Promise<LoadedModel>;
}

/** How to choose a backend: by name, or by capability (format and device). */
export interface BackendQuery {
  name?: string;
  format?: string;
  /** Required device; without it GPU backends are preferred, then CPU, then wasm. */
  device?: Device;
}

/** Format a shape for messages, unknown (`-1`) dimensions shown as `?`: `[?, 1, 28, 28]`. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? "?" : String(d))).join(", ")}]`;
}

/**
 * Check a batch against a model's inputs before running it, for backend authors: every input given,
 * no unknown names, data length equal to the product of dims, and every fixed dimension matching (an
 * input with an empty shape is not checked). Throws `MODEL_ERROR` naming the model, the input, the
 * expected shape and the shape it got, with `stage: "run"` and the given `plugin`.
 */
export function checkFeeds(
  inputs: readonly TensorInfo[],
  feeds: Readonly<Record<string, Float32Tensor>>,
  context: { plugin: string; model: string },
): void {
  const fail = (message: string, details: Record<string, unknown>) =>
    new AssayError("MODEL_ERROR", `${context.model}: ${message}`, { plugin: context.plugin, stage: "run", details });
  const known = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) throw fail(`no input named "${name}"; the model's inputs are ${[...known].map((n) => `"${n}"`).join(", ")}`, { input: name });
  }
  for (const info of inputs) {
    const feed = feeds[info.name];
    if (!feed) throw fail(`input "${info.name}" ${shapeText(info.shape)} was not given`, { input: info.name });
    const count = feed.dims.reduce((a, b) => a * b, 1);
    if (feed.dims.some((d) => !Number.isInteger(d) || d < 0) || count !== feed.data.length) {
      throw fail(`input "${info.name}" has ${feed.data.length} values but dims ${shapeText(feed.dims)}`, { input: info.name, got: [...feed.dims] });
    }
    const fits =
      info.shape.length === 0 ||
      (info.shape.length === feed.dims.length && info.shape.every((d, k) => d < 0 || d === feed.dims[k]));
    if (!fits) {
      throw fail(`input "${info.name}" expects shape ${shapeText(info.shape)} but got ${shapeText(feed.dims)}`, {
        input: info.name,
        expected: [...info.shape],
        got: [...feed.dims],
      });
    }
  }
}
