import { AssayError, type Device } from "@assay/core";

export const PLUGIN = "@assay/backend-tfjs";

/** Which TensorFlow.js build runs the models. */
export type TfjsFlavour = "tfjs-node-gpu" | "tfjs-node" | "tfjs-wasm";

/** Loads a module by package name; the default is `import(name)`. Inject one to test or to bundle. */
export type ModuleLoader = (name: string) => Promise<unknown>;

/** A minimal view of a TensorFlow.js tensor. */
export interface TfTensor {
  readonly shape: number[];
  readonly dtype: string;
  data(): Promise<ArrayLike<number> & { readonly length: number }>;
  dispose(): void;
}

/** A minimal view of the TensorFlow.js module this backend uses (the `@tensorflow/tfjs` API). */
export interface TfModule {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor(values: Float32Array, shape: number[], dtype: "float32"): TfTensor;
  loadLayersModel(handler: unknown): Promise<unknown>;
  loadGraphModel(handler: unknown): Promise<unknown>;
}

/** The TensorFlow.js build in use. */
export interface TfjsRuntime {
  flavour: TfjsFlavour;
  device: Device;
  tf: TfModule;
}

/** The packages each flavour needs, in the order they are imported. */
export const FLAVOUR_PACKAGES: Readonly<Record<TfjsFlavour, readonly string[]>> = {
  "tfjs-node-gpu": ["@tensorflow/tfjs-node-gpu"],
  "tfjs-node": ["@tensorflow/tfjs-node"],
  "tfjs-wasm": ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"],
};

const DEVICE_OF: Record<TfjsFlavour, Device> = { "tfjs-node-gpu": "gpu", "tfjs-node": "cpu", "tfjs-wasm": "wasm" };

/** The default order: native GPU, native CPU, then portable WebAssembly. */
export const DEFAULT_FLAVOURS: readonly TfjsFlavour[] = ["tfjs-node-gpu", "tfjs-node", "tfjs-wasm"];

function moduleOf(mod: unknown): TfModule {
  const m = mod as { default?: unknown; setBackend?: unknown };
  return (typeof m.setBackend === "function" ? m : (m.default ?? m)) as TfModule;
}

/**
 * Import the first TensorFlow.js build that loads, trying `flavours` in order. tfjs-node(-gpu) are
 * used as they are (they register their native backend on import); the wasm path imports
 * `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm` and switches the global tfjs backend to
 * `wasm`. Throws `BACKEND_UNAVAILABLE` listing what was tried and which package to install.
 */
export async function loadTfjsRuntime(loader: ModuleLoader, flavours: readonly TfjsFlavour[] = DEFAULT_FLAVOURS): Promise<TfjsRuntime> {
  const tried: string[] = [];
  for (const flavour of flavours) {
    try {
      if (flavour === "tfjs-wasm") {
        const tf = moduleOf(await loader("@tensorflow/tfjs"));
        await loader("@tensorflow/tfjs-backend-wasm");
        if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
        await tf.ready();
        return { flavour, device: DEVICE_OF[flavour], tf };
      }
      const tf = moduleOf(await loader(FLAVOUR_PACKAGES[flavour][0]!));
      await tf.ready();
      return { flavour, device: DEVICE_OF[flavour], tf };
    } catch (error) {
      tried.push(`${FLAVOUR_PACKAGES[flavour].join(" + ")}: ${firstLine(error)}`);
    }
  }
  throw new AssayError(
    "BACKEND_UNAVAILABLE",
    `the "tfjs" backend found no TensorFlow.js build; install @tensorflow/tfjs-node (native CPU), @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs with @tensorflow/tfjs-backend-wasm (portable). Tried: ${tried.join("; ")}`,
    { plugin: PLUGIN, stage: "load", details: { tried, packages: flavours.flatMap((f) => FLAVOUR_PACKAGES[f]) } },
  );
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!;
}
