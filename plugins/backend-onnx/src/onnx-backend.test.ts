import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { backendConformance, denseReference, testFloats } from "@assay/core/testing";
import { onnxBackend } from "./onnx-backend.js";
import { denseModel } from "./testing/onnx-models.js";

const dir = mkdtempSync(join(tmpdir(), "assay-onnx-"));
const weights = testFloats(4 * 3, 1);
const bias = Float32Array.from([0.1, -0.2, 0.3]);
const x = testFloats(5 * 4, 2);
const ref = denseReference(x, 5, weights, bias);
const modelPath = join(dir, "dense.onnx");
writeFileSync(modelPath, denseModel({ inShape: [4], weights, bias, metadata: { "assay.note": "tiny", "assay.classes": '["a","b","c"]' } }));
const garbage = join(dir, "garbage.onnx");
writeFileSync(garbage, "this is not a protobuf at all, just text\n");

const fixtures = {
  model: modelPath,
  input: { name: "input", data: x, dims: [5, 4] },
  expected: { logits: ref.logits, probs: ref.probs },
  notAModel: garbage,
  missing: join(dir, "missing.onnx"),
  metadata: { "assay.note": "tiny" },
};

describe("onnxBackend conformance", () => {
  for (const check of backendConformance(() => onnxBackend(), fixtures)) it(check.name, check.run);
});

describe("onnxBackend", () => {
  it("loads from bytes and reports tensor info with symbolic dims as -1", async () => {
    const model = await onnxBackend().load(denseModel({ inShape: [4], weights, bias }));
    expect(model.inputs).toEqual([{ name: "input", shape: [-1, 4], type: "float32" }]);
    expect(model.outputs.map((o) => [o.name, o.shape])).toEqual([
      ["logits", [-1, 3]],
      ["probs", [-1, 3]],
    ]);
    expect(model.provider).toBe("onnxruntime-node:cpu");
    expect(model.device).toBe("cpu");
    const out = await model.run({ input: { data: x, dims: [5, 4] } });
    ref.probs.forEach((v, i) => expect(out.probs!.data[i]).toBeCloseTo(v, 6));
    await model.dispose();
  });

  it("reads metadata_props from the model", async () => {
    const model = await onnxBackend().load(modelPath);
    expect(model.metadata).toEqual({ "assay.note": "tiny", "assay.classes": '["a","b","c"]' });
    await model.dispose();
  });

  it("probes devices: CPU only on this machine (no CUDA build installed)", async () => {
    expect(await onnxBackend().devices()).toEqual(["cpu"]);
  });

  it("falls back to CPU with a warning when CUDA is asked for but does not start", async () => {
    const warnings: string[] = [];
    const backend = onnxBackend({ executionProviders: ["cuda", "cpu"], onWarning: (m) => warnings.push(m) });
    expect(await backend.devices()).toEqual(["cpu"]);
    const model = await backend.load(modelPath, { devices: ["gpu", "cpu"] });
    expect(model.device).toBe("cpu");
    expect(warnings.some((w) => w.includes('"cuda"') && w.includes("CPU"))).toBe(true);
    expect(warnings.some((w) => w.includes("GPU was requested"))).toBe(true);
    await model.dispose();
  });

  it("passes session options through (a bad option value is a MODEL_ERROR naming the model)", async () => {
    const backend = onnxBackend({ sessionOptions: { graphOptimizationLevel: "no-such-level" } });
    const error = await backend.load(modelPath).catch((e: unknown) => e);
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect((error as Error).message).toContain(modelPath);
  });

  it("says which package to install when onnxruntime-node cannot be loaded", async () => {
    const backend = onnxBackend({ runtime: () => Promise.reject(new Error("Cannot find module 'onnxruntime-node'")) });
    expect(await backend.devices()).toEqual([]);
    const error = await backend.load(modelPath).catch((e: unknown) => e);
    expect(isAssayError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("npm install onnxruntime-node");
  });

  it("converts an int64 output to float32 and leaves its type in outputs", async () => {
    const model = await onnxBackend().load(denseModel({ inShape: [4], weights, bias, onlyIntOutput: true }));
    expect(model.outputs).toEqual([{ name: "label", shape: [-1], type: "int64" }]);
    const out = await model.run({ input: { data: x, dims: [5, 4] } });
    const argmax = Array.from({ length: 5 }, (_, r) => {
      const row = Array.from(ref.probs.subarray(r * 3, r * 3 + 3));
      return row.indexOf(Math.max(...row));
    });
    expect(Array.from(out.label!.data)).toEqual(argmax);
    await model.dispose();
  });

  it("rejects a directory with IO_ERROR", async () => {
    const error = await onnxBackend().load(dir).catch((e: unknown) => e);
    expect(isAssayError(error, "IO_ERROR")).toBe(true);
    expect((error as Error).message).toContain("is a directory");
  });

  it("rejects protobuf that is not a model (no graph) with MODEL_ERROR", async () => {
    const error = await onnxBackend().load(Uint8Array.from([0x08, 0x07])).catch((e: unknown) => e);
    expect(isAssayError(error, "MODEL_ERROR")).toBe(true);
    expect((error as Error).message).toContain("not an ONNX model");
  });
});
