import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFeeds, shapeText, type InferenceBackend, type LoadedModel, type TensorInfo } from "./backend.js";
import { isAssayError } from "./errors.js";
import { fileStamp, readModelFile } from "./model-file.js";
import { backendConformance, denseReference, denseTestBackend, denseTestModel, testFloats } from "./testing.js";

const dir = mkdtempSync(join(tmpdir(), "assay-conformance-"));
const weights = testFloats(4 * 3, 1);
const bias = Float32Array.from([0.1, -0.2, 0.3]);
const x = testFloats(5 * 4, 2);
const ref = denseReference(x, 5, weights, bias);
const modelPath = join(dir, "dense.json");
writeFileSync(modelPath, denseTestModel({ inShape: [4], weights: [...weights], bias: [...bias], metadata: { "assay.note": "tiny" } }));
const garbage = join(dir, "garbage.txt");
writeFileSync(garbage, "not a model\n");
const fixtures = {
  model: modelPath,
  input: { name: "input", data: x, dims: [5, 4] },
  expected: { logits: ref.logits, probs: ref.probs },
  notAModel: garbage,
  missing: join(dir, "missing.json"),
  metadata: { "assay.note": "tiny" },
};

describe("backendConformance on the dense test backend", () => {
  for (const check of backendConformance(() => denseTestBackend(), fixtures)) it(check.name, check.run);
});

describe("backendConformance catches a broken backend", () => {
  /** The test backend with one behaviour broken. */
  function broken(change: (model: LoadedModel) => Partial<LoadedModel>): InferenceBackend {
    const inner = denseTestBackend();
    return { ...inner, load: async (m) => {
      const model = await inner.load(m);
      return { ...model, ...change(model) };
    } };
  }
  const failuresOf = async (backend: InferenceBackend, fixtureChanges = {}) => {
    const failed: string[] = [];
    for (const check of backendConformance(() => backend, { ...fixtures, ...fixtureChanges })) {
      await check.run().catch((e: unknown) => failed.push(`${check.name}: ${(e as Error).message}`));
    }
    return failed;
  };

  it("a backend that skips the shape check fails exactly that check", async () => {
    const failed = await failuresOf(broken((model) => ({ run: (feeds) => (feeds.input && feeds.input.dims[1] !== 4 ? Promise.resolve({}) : model.run(feeds)) })));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain("rejects an input shape mismatch");
  });

  it("wrong numbers fail the known-answer check naming the output and position", async () => {
    const wrong = { ...fixtures, expected: { probs: ref.logits } };
    const failed = await failuresOf(denseTestBackend(), wrong);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/runs a batch .*probs\[0\] is/);
  });
});

describe("checkFeeds", () => {
  const inputs: TensorInfo[] = [{ name: "input", shape: [-1, 1, 2, 2], type: "float32" }];
  const error = (feeds: Parameters<typeof checkFeeds>[1]) => {
    try {
      checkFeeds(inputs, feeds, { plugin: "p", model: "m.onnx" });
    } catch (e) {
      return e as Error;
    }
    return undefined;
  };

  it("accepts a matching batch of any size", () => {
    expect(error({ input: { data: new Float32Array(12), dims: [3, 1, 2, 2] } })).toBeUndefined();
  });

  it("names the input, the expected and the given shape", () => {
    const e = error({ input: { data: new Float32Array(9), dims: [1, 1, 3, 3] } });
    expect(isAssayError(e, "MODEL_ERROR")).toBe(true);
    expect(e!.message).toBe('m.onnx: input "input" expects shape [?, 1, 2, 2] but got [1, 1, 3, 3]');
    expect((e as { plugin?: string }).plugin).toBe("p");
  });

  it("rejects unknown and missing inputs and a length that does not match the dims", () => {
    expect(error({ input: { data: new Float32Array(4), dims: [1, 1, 2, 2] }, other: { data: new Float32Array(1), dims: [1] } })!.message).toContain('no input named "other"');
    expect(error({})!.message).toContain('input "input" [?, 1, 2, 2] was not given');
    expect(error({ input: { data: new Float32Array(5), dims: [1, 1, 2, 2] } })!.message).toContain("has 5 values but dims [1, 1, 2, 2]");
    expect(shapeText([-1, 3])).toBe("[?, 3]");
  });
});

describe("readModelFile / fileStamp", () => {
  it("reads bytes, and names the path in IO_ERROR for a missing file or a directory", async () => {
    expect((await readModelFile(garbage, "p")).byteLength).toBe(12);
    const missing = (await readModelFile(join(dir, "nope.onnx"), "p").catch((e: unknown) => e)) as Error;
    expect(isAssayError(missing, "IO_ERROR")).toBe(true);
    expect(missing.message).toBe(`model file ${join(dir, "nope.onnx")} does not exist`);
    const folder = (await readModelFile(dir, "p").catch((e: unknown) => e)) as Error;
    expect(folder.message).toContain("is a directory");
  });

  it("changes when a file is rewritten and marks missing files with -", async () => {
    const path = join(dir, "stamp.bin");
    writeFileSync(path, "abc");
    const before = await fileStamp([path, join(dir, "absent")]);
    expect(before).toMatch(/^3:[\d.]+\|-$/);
    writeFileSync(path, "abcd");
    expect(await fileStamp([path, join(dir, "absent")])).not.toBe(before);
  });
});
