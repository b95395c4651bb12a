import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineArtifact } from "./artifacts.js";
import type { Device, InferenceBackend } from "./backend.js";
import { createDataset } from "./dataset.js";
import { defineDetector, defineExtractor } from "./nodes.js";
import { pipeline } from "./pipeline.js";
import { definePlugin } from "./plugin.js";
import { createRegistry } from "./registry.js";

function fakeBackend(name: string, formats: string[], devices: Device[]): InferenceBackend {
  return {
    name,
    formats,
    devices: async () => devices,
    load: async () => {
      throw new Error("not used");
    },
  };
}

const answer = defineArtifact<"test.answer", number>("test.answer");
const provideAnswer = defineExtractor({ name: "answer", version: "1", options: z.object({}), needs: [], provides: answer, run: async () => 42 });
const readAnswer = defineDetector({
  name: "read-answer",
  version: "1",
  options: z.object({}),
  needs: [answer],
  run: async (_ctx, inputs) => ({ result: inputs["test.answer"], findings: [] }),
});

describe("Registry", () => {
  it("registers plugins explicitly and lists their factories", () => {
    const plugin = definePlugin({ name: "assay-plugin-answer", version: "0.1.0", extractors: [provideAnswer], detectors: [readAnswer], presets: { all: ["read-answer"] } });
    const registry = createRegistry().use(plugin).use(plugin);
    expect(registry.plugins()).toEqual([plugin]);
    expect(registry.detectors().map((f) => f.nodeName)).toEqual(["read-answer"]);
    expect(registry.providersOf("test.answer").map((f) => f.nodeName)).toEqual(["answer"]);
    expect(registry.presets()).toEqual({ all: ["read-answer"] });
    expect(readAnswer.kind).toBe("detector");
    expect(provideAnswer.provides?.name).toBe("test.answer");
  });

  it("refuses a second plugin whose node names clash", () => {
    const registry = createRegistry().use(definePlugin({ name: "one", version: "1", detectors: [readAnswer] }));
    expect(() => registry.use(definePlugin({ name: "two", version: "1", detectors: [readAnswer] }))).toThrowError(
      expect.objectContaining({ code: "DUPLICATE_NODE", message: 'plugin "two" registers node "read-answer", which "another plugin" already registered' }),
    );
  });

  it("feeds a pipeline's needs from registered extractors", async () => {
    const registry = createRegistry().use(definePlugin({ name: "p", version: "1", extractors: [provideAnswer] }));
    const report = await pipeline(createDataset({ size: 1 }), { registry }).use(readAnswer).run();
    expect(report.results["read-answer"]!.result).toBe(42);
  });

  it("chooses backends by name, format and device, GPU first", async () => {
    const registry = createRegistry().use(
      definePlugin({
        name: "backends",
        version: "1",
        backends: [fakeBackend("wasm-only", ["tfjs-graph"], ["wasm"]), fakeBackend("onnx", ["onnx"], ["cpu"]), fakeBackend("cuda-onnx", ["onnx"], ["gpu", "cpu"])],
      }),
    );
    expect((await registry.backend({ format: "onnx" })).name).toBe("cuda-onnx");
    // equal device rank: the backend registered first wins
    expect((await registry.backend({ format: "onnx", device: "cpu" })).name).toBe("onnx");
    expect((await registry.backend({ name: "onnx" })).name).toBe("onnx");
    expect((await registry.backend({ format: "tfjs-graph" })).name).toBe("wasm-only");
    await expect(registry.backend({ name: "tfjs" })).rejects.toMatchObject({ code: "BACKEND_NOT_FOUND", message: expect.stringContaining('no inference backend named "tfjs"') });
    await expect(registry.backend({ format: "tfjs-graph", device: "gpu" })).rejects.toMatchObject({ code: "BACKEND_NOT_FOUND" });
    await expect(createRegistry().backend({ format: "onnx" })).rejects.toMatchObject({ message: expect.stringContaining("install @assay/backend-onnx or @assay/backend-tfjs") });
  });

  it("lets a node find a backend through its context", async () => {
    const registry = createRegistry().use(definePlugin({ name: "b", version: "1", backends: [fakeBackend("onnx", ["onnx"], ["cpu"])] }));
    const probe = defineDetector({
      name: "probe",
      version: "1",
      options: z.object({}),
      needs: [],
      run: async (ctx) => ({ result: (await ctx.backend({ format: "onnx" })).name, findings: [] }),
    });
    const report = await pipeline(createDataset({ size: 1 }), { registry }).use(probe).run();
    expect(report.results.probe!.result).toBe("onnx");
  });
});

describe("provider candidates", () => {
  const modelAnswer = defineExtractor({
    name: "model-answer",
    version: "1",
    options: z.object({ model: z.string() }),
    needs: [],
    provides: answer,
    run: async () => 7,
  });

  it("skips offered providers whose default options are invalid", async () => {
    const registry = createRegistry().use(definePlugin({ name: "p", version: "1", extractors: [provideAnswer, modelAnswer] }));
    const report = await pipeline(createDataset({ size: 1 }), { registry }).use(readAnswer).run();
    expect(report.nodes.map((n) => n.name)).toEqual(["answer", "read-answer"]);
    expect(report.results["read-answer"]!.result).toBe(42);
  });

  it("uses an explicitly configured provider over the registry's", async () => {
    const registry = createRegistry().use(definePlugin({ name: "p", version: "1", extractors: [provideAnswer, modelAnswer] }));
    const report = await pipeline(createDataset({ size: 1 }), { registry }).use(modelAnswer({ model: "m.onnx" }), readAnswer).run();
    expect(report.results["read-answer"]!.result).toBe(7);
  });

  it("says which provider needs options when none is usable", () => {
    const registry = createRegistry().use(definePlugin({ name: "p", version: "1", extractors: [modelAnswer] }));
    expect(() => pipeline(createDataset({ size: 1 }), { registry }).use(readAnswer).plan()).toThrowError(
      expect.objectContaining({
        code: "MISSING_PROVIDER",
        message: 'detector "read-answer" needs artifact "test.answer", but no extractor provides it; "model-answer" could, but needs options: pipeline.use(model-answer({ … }))',
      }),
    );
  });
});
