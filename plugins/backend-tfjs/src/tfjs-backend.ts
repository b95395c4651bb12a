import { AssayError, checkFeeds, type Device, type Float32Tensor, type InferenceBackend, type LoadedModel, type LoadModelOptions, type TensorInfo } from "@assay/core";
import { fileIOHandler, modelKind, readModelJson } from "./file-io.js";
import { DEFAULT_FLAVOURS, loadTfjsRuntime, PLUGIN, type ModuleLoader, type TfjsFlavour, type TfjsRuntime, type TfModule, type TfTensor } from "./runtime.js";

/** Options of {@link tfjsBackend}. */
export interface TfjsBackendOptions {
  /** Imports a package by name. Default: `(name) => import(name)`. Inject one to bundle or to test the selection. */
  loader?: ModuleLoader;
  /** TensorFlow.js builds to try, in order. Default: `["tfjs-node-gpu", "tfjs-node", "tfjs-wasm"]`. */
  flavours?: readonly TfjsFlavour[];
}

/** The tfjs backend, with a way to ask which TensorFlow.js build it loaded. */
export interface TfjsBackend extends InferenceBackend {
  /** Load (once) and return the TensorFlow.js build in use; rejects with `BACKEND_UNAVAILABLE` when none loads. */
  runtime(): Promise<TfjsRuntime>;
}

interface SymbolicInfo {
  name?: string;
  /** Layers models: the layer that produces the tensor (its name is stable across loads). */
  sourceLayer?: { name?: string };
  shape?: readonly (number | null)[];
  dtype?: string;
}

interface LayersModelLike {
  inputNames: string[];
  outputNames: string[];
  inputs: SymbolicInfo[];
  outputs: SymbolicInfo[];
  predict(x: TfTensor[] | TfTensor, config?: { batchSize?: number }): TfTensor | TfTensor[];
  dispose(): unknown;
}

interface GraphModelLike {
  inputs: SymbolicInfo[];
  outputs: SymbolicInfo[];
  execute(inputs: Record<string, TfTensor>, outputs?: string[]): TfTensor | TfTensor[];
  executeAsync(inputs: Record<string, TfTensor>, outputs?: string[]): Promise<TfTensor | TfTensor[]>;
  dispose(): void;
}

/**
 * An {@link InferenceBackend} on TensorFlow.js. Uses the best build that is installed:
 * `@tensorflow/tfjs-node-gpu` (device `gpu`), `@tensorflow/tfjs-node` (`cpu`), or `@tensorflow/tfjs`
 * with `@tensorflow/tfjs-backend-wasm` (`wasm`); `provider` says which. Loads TFJS layers and graph
 * models from a `model.json` path (weights read with a file-system IO handler, so no native build is
 * needed).
 */
export function tfjsBackend(options: TfjsBackendOptions = {}): TfjsBackend {
  const loader = options.loader ?? ((name: string) => import(name));
  let runtime: Promise<TfjsRuntime> | undefined;
  const getRuntime = () =>
    (runtime ??= loadTfjsRuntime(loader, options.flavours ?? DEFAULT_FLAVOURS).catch((error: unknown) => {
      runtime = undefined;
      throw error;
    }));

  return Object.freeze({
    name: "tfjs",
    formats: Object.freeze(["tfjs-layers", "tfjs-graph"]),
    runtime: getRuntime,
    async devices(): Promise<readonly Device[]> {
      try {
        return [(await getRuntime()).device];
      } catch {
        return [];
      }
    },
    async load(model: string | Uint8Array, _options: LoadModelOptions = {}): Promise<LoadedModel> {
      if (typeof model !== "string") {
        throw new AssayError("MODEL_ERROR", `the tfjs backend loads a model.json path (its weights are separate files); got ${model.byteLength} bytes`, {
          plugin: PLUGIN,
          stage: "load",
        });
      }
      const json = await readModelJson(model);
      const rt = await getRuntime();
      const kind = modelKind(json);
      const handler = fileIOHandler(model);
      let loaded: unknown;
      try {
        loaded = kind === "graph" ? await rt.tf.loadGraphModel(handler) : await rt.tf.loadLayersModel(handler);
      } catch (error) {
        if (error instanceof AssayError) throw error;
        throw new AssayError("MODEL_ERROR", `TensorFlow.js could not load ${model} as a ${kind} model: ${error instanceof Error ? error.message : String(error)}`, {
          plugin: PLUGIN,
          stage: "load",
          details: { file: model },
          cause: error,
        });
      }
      return wrapModel(rt, kind, loaded, model, flattenMetadata(json.userDefinedMetadata));
    },
  });
}

function flattenMetadata(meta: Record<string, unknown> | undefined): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return Object.freeze(out);
}

function info(name: string, s: SymbolicInfo | undefined): TensorInfo {
  return Object.freeze({
    name,
    shape: Object.freeze((s?.shape ?? []).map((d) => (typeof d === "number" && d >= 0 ? d : -1))),
    type: s?.dtype ?? "float32",
  });
}

function wrapModel(rt: TfjsRuntime, kind: "graph" | "layers", loaded: unknown, label: string, metadata: Readonly<Record<string, string>>): LoadedModel {
  const tf: TfModule = rt.tf;
  let inputs: readonly TensorInfo[];
  let outputs: readonly TensorInfo[];
  let execute: (feeds: TfTensor[]) => Promise<TfTensor[]>;
  if (kind === "layers") {
    const m = loaded as LayersModelLike;
    // Functional models name inputs/outputs by layer; Sequential models leave inputNames/outputNames empty.
    const layerName = (names: string[], s: SymbolicInfo, i: number) => names[i] ?? s.sourceLayer?.name ?? s.name ?? `tensor_${i}`;
    inputs = m.inputs.map((s, i) => info(layerName(m.inputNames, s, i), s));
    outputs = m.outputs.map((s, i) => info(layerName(m.outputNames, s, i), s));
    execute = async (feeds) => {
      const y = m.predict(feeds.length === 1 ? feeds[0]! : feeds, { batchSize: feeds[0]!.shape[0] ?? 1 });
      return Array.isArray(y) ? y : [y];
    };
  } else {
    const m = loaded as GraphModelLike;
    let needsAsync = false;
    const strip = (n: string | undefined, i: number) => (n ?? `output_${i}`).replace(/:0$/, "");
    inputs = m.inputs.map((s, i) => info(strip(s.name, i), s));
    outputs = m.outputs.map((s, i) => info(strip(s.name, i), s));
    execute = async (feeds) => {
      const map: Record<string, TfTensor> = {};
      inputs.forEach((inp, i) => (map[inp.name] = feeds[i]!));
      const names = outputs.map((o) => o.name);
      // execute() is synchronous and quieter; graphs with control flow or dynamic shapes need executeAsync().
      let y: TfTensor | TfTensor[];
      if (needsAsync) y = await m.executeAsync(map, names);
      else {
        try {
          y = m.execute(map, names);
        } catch (error) {
          if (!/executeAsync/.test(String(error))) throw error;
          needsAsync = true;
          y = await m.executeAsync(map, names);
        }
      }
      return Array.isArray(y) ? y : [y];
    };
  }
  let disposed = false;
  return Object.freeze({
    inputs: Object.freeze(inputs),
    outputs: Object.freeze(outputs),
    device: rt.device,
    provider: rt.flavour,
    metadata,
    async run(feeds: Readonly<Record<string, Float32Tensor>>): Promise<Record<string, Float32Tensor>> {
      if (disposed) throw new AssayError("MODEL_ERROR", `${label} was disposed; load it again to run it`, { plugin: PLUGIN, stage: "run" });
      checkFeeds(inputs, feeds, { plugin: PLUGIN, model: label });
      const tensors = inputs.map((inp) => tf.tensor(feeds[inp.name]!.data, [...feeds[inp.name]!.dims], "float32"));
      let results: TfTensor[] = [];
      try {
        results = await execute(tensors);
        const out: Record<string, Float32Tensor> = {};
        for (let i = 0; i < outputs.length; i++) {
          const t = results[i]!;
          const values = await t.data();
          out[outputs[i]!.name] = { data: values instanceof Float32Array ? values : Float32Array.from(values), dims: Object.freeze([...t.shape]) };
        }
        return out;
      } catch (error) {
        if (error instanceof AssayError) throw error;
        throw new AssayError("MODEL_ERROR", `TensorFlow.js failed to run ${label}: ${error instanceof Error ? error.message : String(error)}`, {
          plugin: PLUGIN,
          stage: "run",
          cause: error,
        });
      } finally {
        for (const t of tensors) t.dispose();
        for (const t of results) t.dispose();
      }
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      (loaded as { dispose(): unknown }).dispose();
    },
  });
}
