// Test-only: a pure-JS backend (a test double) that runs a dense layer + softmax described in JSON.
// It proves the extractors and the conformance suite work on any backend, not just ONNX Runtime.
import { AssayError, type Float32Tensor, type InferenceBackend, type LoadedModel } from "@assay/core";
import { checkFeeds, readModelFile } from "../backend-kit.js";
import { denseReference } from "./onnx-models.js";

/** The JSON a fake model file holds. */
export interface FakeModel {
  format: "fake-dense";
  inShape: number[];
  weights: number[];
  bias: number[];
  metadata?: Record<string, string>;
}

export function fakeModelBytes(model: Omit<FakeModel, "format">): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: "fake-dense", ...model }));
}

export function fakeBackend(name = "fake"): InferenceBackend & { loads: number } {
  const backend = {
    name,
    formats: ["fake-dense"],
    loads: 0,
    async devices() {
      return ["cpu"] as const;
    },
    async load(source: string | Uint8Array): Promise<LoadedModel> {
      const label = typeof source === "string" ? source : "fake model bytes";
      const bytes = typeof source === "string" ? await readModelFile(source, "fake") : source;
      let spec: FakeModel;
      try {
        spec = JSON.parse(new TextDecoder().decode(bytes)) as FakeModel;
        if (spec.format !== "fake-dense") throw new Error("wrong format");
      } catch (error) {
        throw new AssayError("MODEL_ERROR", `${label} is not a fake-dense model`, { cause: error });
      }
      backend.loads++;
      const inputs = [{ name: "input", shape: [-1, ...spec.inShape], type: "float32" }];
      const k = spec.bias.length;
      let disposed = false;
      const w = Float32Array.from(spec.weights);
      const b = Float32Array.from(spec.bias);
      return {
        inputs,
        outputs: [
          { name: "logits", shape: [-1, k], type: "float32" },
          { name: "probs", shape: [-1, k], type: "float32" },
        ],
        device: "cpu",
        provider: "fake:js",
        metadata: spec.metadata ?? {},
        async run(feeds: Readonly<Record<string, Float32Tensor>>) {
          if (disposed) throw new AssayError("MODEL_ERROR", `${label} was disposed`);
          checkFeeds(inputs, feeds, { plugin: "fake", model: label });
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
  return backend;
}
