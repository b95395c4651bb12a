// A pure-JS inference backend for tests: a dense layer + softmax described in a small JSON file. It
// lets extractor authors test model extractors without a native runtime, and it passes
// `backendConformance`, which is what makes it a faithful stand-in.
import { checkFeeds, type Float32Tensor, type InferenceBackend, type LoadedModel } from "./backend.js";
import { AssayError } from "./errors.js";
import { readModelFile } from "./model-file.js";

/** What a dense test model holds: `input [N, ...inShape]` → flatten → `logits = x·W + b` → `probs = softmax(logits)`. */
export interface DenseTestModel {
  /** Input shape without the batch dimension. */
  inShape: number[];
  /** Row-major `prod(inShape) × k` weights. */
  weights: number[];
  /** `k` biases. */
  bias: number[];
  /** Model metadata (e.g. `assay.*` preprocessing hints). */
  metadata?: Record<string, string>;
}

/** The file bytes of a {@link DenseTestModel} (JSON with `format: "dense-test"`), for {@link denseTestBackend}. */
export function denseTestModel(model: DenseTestModel): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: "dense-test", ...model }));
}

/**
 * A test {@link InferenceBackend} named `name` (default `"dense-test"`) for the format `"dense-test"`:
 * it loads {@link denseTestModel} files or bytes, runs them in float64 ({@link denseReference}),
 * outputs `logits` and `probs`, checks feeds with {@link checkFeeds}, and counts its loads.
 * Device `cpu`, provider `"dense-test:js"`. Node-only (reads files).
 */
export function denseTestBackend(name = "dense-test"): InferenceBackend & { readonly loads: number } {
  let loads = 0;
  return {
    name,
    formats: ["dense-test"],
    get loads() {
      return loads;
    },
    async devices() {
      return ["cpu"] as const;
    },
    async load(source: string | Uint8Array): Promise<LoadedModel> {
      const label = typeof source === "string" ? source : `dense-test model (${source.byteLength} bytes)`;
      const bytes = typeof source === "string" ? await readModelFile(source, name) : source;
      let spec: DenseTestModel & { format?: string };
      try {
        spec = JSON.parse(new TextDecoder().decode(bytes)) as DenseTestModel & { format?: string };
        if (spec.format !== "dense-test") throw new Error(`format is ${String(spec.format)}`);
      } catch (error) {
        throw new AssayError("MODEL_ERROR", `${label} is not a dense-test model`, { plugin: name, stage: "load", cause: error });
      }
      loads++;
      const inputs = [{ name: "input", shape: [-1, ...spec.inShape], type: "float32" }];
      const k = spec.bias.length;
      const w = Float32Array.from(spec.weights);
      const b = Float32Array.from(spec.bias);
      let disposed = false;
      return {
        inputs,
        outputs: [
          { name: "logits", shape: [-1, k], type: "float32" },
          { name: "probs", shape: [-1, k], type: "float32" },
        ],
        device: "cpu",
        provider: "dense-test:js",
        metadata: { ...spec.metadata },
        async run(feeds: Readonly<Record<string, Float32Tensor>>) {
          if (disposed) throw new AssayError("MODEL_ERROR", `${label} was disposed`, { plugin: name, stage: "run" });
          checkFeeds(inputs, feeds, { plugin: name, model: label });
          const x = feeds.input!;
          const n = x.dims[0]!;
          const { logits, probs } = denseReference(x.data, n, w, b);
          return { logits: { data: logits, dims: [n, k] }, probs: { data: probs, dims: [n, k] } };
        },
        async dispose() {
          disposed = true;
        },
      };
    },
  };
}

/**
 * Reference dense layer + softmax in float64 over `n` rows of `x` (row-major, `d = x.length / n`
 * columns): `logits = x·W + b` with `W` row-major `d × k`, `probs = softmax(logits)` per row. The
 * independent answer backend and extractor tests compare against.
 */
export function denseReference(x: Float32Array, n: number, weights: Float32Array, bias: Float32Array): { logits: Float32Array; probs: Float32Array } {
  const k = bias.length;
  const d = n === 0 ? 0 : x.length / n;
  const logits = new Float32Array(n * k);
  const probs = new Float32Array(n * k);
  const z = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      let acc = bias[j]!;
      for (let i = 0; i < d; i++) acc += x[r * d + i]! * weights[i * k + j]!;
      z[j] = acc;
      max = Math.max(max, acc);
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[j]! - max);
    for (let j = 0; j < k; j++) {
      logits[r * k + j] = z[j]!;
      probs[r * k + j] = Math.exp(z[j]! - max) / sum;
    }
  }
  return { logits, probs };
}

/** `n` deterministic pseudo-random floats in [-1, 1) from a 32-bit LCG seeded with `seed` (test data only). */
export function testFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
