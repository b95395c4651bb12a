import {
  AssayError,
  checkFeeds,
  type Device,
  type Float32Tensor,
  type InferenceBackend,
  type LoadedModel,
  type LoadModelOptions,
  type TensorInfo,
} from "@assay/core";
import { readModelFile } from "@assay/core/node";
import { scanOnnx } from "./onnx-metadata.js";

const PLUGIN = "@assay/backend-onnx";

/** The parts of the `onnxruntime-node` module this backend uses. */
export interface OrtModule {
  InferenceSession: {
    create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => unknown;
  env?: { logLevel?: string };
}

/** The parts of an onnxruntime `InferenceSession` this backend uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
  readonly outputMetadata?: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[]; type: string }>>;
  release(): Promise<void>;
}

/** Options of {@link onnxBackend}. */
export interface OnnxBackendOptions {
  /**
   * Execution providers to try, best first, e.g. `["cuda", "cpu"]`. Default: CUDA when the installed
   * onnxruntime-node build can start it, then CPU. A provider that fails to start falls back to CPU
   * with a warning.
   */
  executionProviders?: readonly string[];
  /** onnxruntime `SessionOptions` passed to every session (thread counts, graph optimisation level…). */
  sessionOptions?: Record<string, unknown>;
  /** Receives fallback warnings. Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Loads the runtime module. Default: `import("onnxruntime-node")`. Swap it to use another build or a test double. */
  runtime?: () => Promise<OrtModule>;
}

// A 69-byte ONNX model (Identity on a float[1]) used only to probe which execution providers start.
const PROBE_MODEL = "CAg6OwoQCgF4EgF5IghJZGVudGl0eRIFcHJvYmVaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAN";

const GPU_PROVIDERS = new Set(["cuda", "tensorrt", "dml", "webgpu", "coreml"]);

/**
 * An {@link InferenceBackend} on onnxruntime-node. Loads `.onnx` files or bytes, reports inputs,
 * outputs and the model's `metadata_props`, and runs float32 batches on CUDA when the installed build
 * has it, else on CPU.
 */
export function onnxBackend(options: OnnxBackendOptions = {}): InferenceBackend {
  const loadRuntime = options.runtime ?? (async () => (await import("onnxruntime-node")) as unknown as OrtModule);
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, { code: "ASSAY_ONNX_FALLBACK" }));
  let runtime: Promise<OrtModule> | undefined;
  let available: Promise<string[]> | undefined;

  const ort = () =>
    (runtime ??= loadRuntime().catch((error: unknown) => {
      runtime = undefined;
      throw new AssayError(
        "BACKEND_UNAVAILABLE",
        `the "onnx" backend needs the onnxruntime-node package, which could not be loaded: install it with \`npm install onnxruntime-node\` (${error instanceof Error ? error.message : String(error)})`,
        { plugin: PLUGIN, stage: "load", details: { package: "onnxruntime-node" }, cause: error },
      );
    }));

  /** Execution providers that actually start here, in preference order (CPU always last). */
  const startable = () =>
    (available ??= (async () => {
      const rt = await ort();
      const wanted = options.executionProviders ?? ["cuda", "cpu"];
      const ok: string[] = [];
      for (const ep of wanted) {
        if (ep === "cpu") continue;
        if (await probe(rt, ep)) ok.push(ep);
        else if (options.executionProviders) warn(`onnxruntime-node: execution provider "${ep}" is not available in this build; using CPU`);
      }
      ok.push("cpu");
      return ok;
    })());

  return Object.freeze({
    name: "onnx",
    formats: Object.freeze(["onnx"]),
    async devices(): Promise<readonly Device[]> {
      try {
        const eps = await startable();
        const devices: Device[] = eps.some((ep) => GPU_PROVIDERS.has(ep)) ? ["gpu", "cpu"] : ["cpu"];
        return devices;
      } catch {
        return [];
      }
    },
    async load(model: string | Uint8Array, loadOptions: LoadModelOptions = {}): Promise<LoadedModel> {
      const label = typeof model === "string" ? model : `ONNX model (${model.byteLength} bytes)`;
      const bytes = typeof model === "string" ? await readModelFile(model, PLUGIN) : model;
      const scan = scanOnnx(bytes);
      if (!scan?.hasGraph) {
        throw new AssayError("MODEL_ERROR", `${label} is not an ONNX model (no ModelProto graph could be parsed)`, {
          plugin: PLUGIN,
          stage: "load",
          details: { file: typeof model === "string" ? model : undefined },
        });
      }
      const rt = await ort();
      const eps = await chooseProviders(await startable(), loadOptions.devices, warn);
      let session: OrtSession;
      try {
        session = await rt.InferenceSession.create(typeof model === "string" ? model : bytes, {
          ...options.sessionOptions,
          ...loadOptions.session,
          executionProviders: eps,
        });
      } catch (error) {
        throw new AssayError("MODEL_ERROR", `onnxruntime could not load ${label}: ${error instanceof Error ? error.message : String(error)}`, {
          plugin: PLUGIN,
          stage: "load",
          details: { file: typeof model === "string" ? model : undefined },
          cause: error,
        });
      }
      const device: Device = GPU_PROVIDERS.has(eps[0]!) ? "gpu" : "cpu";
      return createLoadedModel(rt, session, {
        label,
        device,
        provider: `onnxruntime-node:${eps[0]}`,
        metadata: Object.freeze({ ...scan.metadata }),
      });
    },
  });
}

async function probe(rt: OrtModule, ep: string): Promise<boolean> {
  const env = rt.env;
  const previous = env?.logLevel;
  // The native provider bridge logs a loud error when a provider library is missing; silence the probe.
  if (env) env.logLevel = "fatal";
  try {
    const session = await rt.InferenceSession.create(Buffer.from(PROBE_MODEL, "base64"), { executionProviders: [ep], logSeverityLevel: 4 });
    await session.release();
    return true;
  } catch {
    return false;
  } finally {
    if (env && previous !== undefined) env.logLevel = previous;
  }
}

async function chooseProviders(startable: readonly string[], devices: readonly Device[] | undefined, warn: (m: string) => void): Promise<string[]> {
  if (!devices || devices.length === 0) return [...startable];
  const out: string[] = [];
  for (const d of devices) {
    if (d === "gpu") out.push(...startable.filter((ep) => GPU_PROVIDERS.has(ep)));
    if (d === "cpu") out.push("cpu");
  }
  if (devices[0] === "gpu" && !startable.some((ep) => GPU_PROVIDERS.has(ep))) {
    warn("onnxruntime-node: a GPU was requested but no GPU execution provider starts in this build; running on CPU");
  }
  if (!out.includes("cpu")) out.push("cpu");
  return [...new Set(out)];
}

function tensorInfo(meta: NonNullable<OrtSession["inputMetadata"]>[number] | undefined, name: string): TensorInfo {
  if (!meta || !meta.isTensor) return { name, shape: [], type: meta ? "non-tensor" : "unknown" };
  return {
    name,
    shape: Object.freeze((meta.shape ?? []).map((d) => (typeof d === "number" && d >= 0 ? d : -1))),
    type: meta.type ?? "unknown",
  };
}

function createLoadedModel(
  rt: OrtModule,
  session: OrtSession,
  info: { label: string; device: Device; provider: string; metadata: Readonly<Record<string, string>> },
): LoadedModel {
  const byName = <T extends { name: string }>(list: readonly T[] | undefined, name: string) => list?.find((m) => m.name === name);
  const inputs = Object.freeze(session.inputNames.map((n) => Object.freeze(tensorInfo(byName(session.inputMetadata, n), n))));
  const outputs = Object.freeze(session.outputNames.map((n) => Object.freeze(tensorInfo(byName(session.outputMetadata, n), n))));
  let disposed = false;
  return Object.freeze({
    inputs,
    outputs,
    device: info.device,
    provider: info.provider,
    metadata: info.metadata,
    async run(feeds: Readonly<Record<string, Float32Tensor>>): Promise<Record<string, Float32Tensor>> {
      if (disposed) throw new AssayError("MODEL_ERROR", `${info.label} was disposed; load it again to run it`, { plugin: PLUGIN, stage: "run" });
      checkFeeds(inputs, feeds, { plugin: PLUGIN, model: info.label });
      for (const input of inputs) {
        if (input.type !== "float32") {
          throw new AssayError("MODEL_ERROR", `${info.label}: input "${input.name}" is ${input.type}; assay feeds float32 tensors only`, {
            plugin: PLUGIN,
            stage: "run",
            details: { input: input.name, type: input.type },
          });
        }
      }
      const ortFeeds: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new rt.Tensor("float32", t.data, t.dims);
      let result: Awaited<ReturnType<OrtSession["run"]>>;
      try {
        result = await session.run(ortFeeds);
      } catch (error) {
        throw new AssayError("MODEL_ERROR", `onnxruntime failed to run ${info.label}: ${error instanceof Error ? error.message : String(error)}`, {
          plugin: PLUGIN,
          stage: "run",
          cause: error,
        });
      }
      const out: Record<string, Float32Tensor> = {};
      for (const [name, value] of Object.entries(result)) {
        const data = toFloat32(value.data);
        if (data) out[name] = { data, dims: Object.freeze([...value.dims]) };
      }
      return out;
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  });
}

/** Numeric output data as float32 (int64 via Number); `undefined` for strings and other non-numeric outputs. */
function toFloat32(data: unknown): Float32Array | undefined {
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, (v) => Number(v));
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number>);
  return undefined;
}
