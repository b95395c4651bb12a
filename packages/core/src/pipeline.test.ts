import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defineArtifact, type Float32Matrix } from "./artifacts.js";
import { memoryCache } from "./cache.js";
import { createDataset } from "./dataset.js";
import { diskCache } from "./disk-cache.js";
import { AssayError } from "./errors.js";
import { defineDetector, defineExtractor } from "./nodes.js";
import { pipeline, type ProgressEvent } from "./pipeline.js";
import { definePlugin } from "./plugin.js";
import { createRegistry } from "./registry.js";
import { serializeReport } from "./report.js";
import { z } from "zod";

const dataset = createDataset({ name: "toy", labels: [0, 1, 1, 0, 2], classes: ["a", "b", "c"] });

const squares = defineArtifact<"test.squares", Float64Array>("test.squares");
const cubes = defineArtifact<"test.cubes", Float64Array>("test.cubes");

function counter() {
  const calls = { squares: 0, cubes: 0 };
  const squaresExtractor = defineExtractor({
    name: "squares",
    version: "1",
    options: z.object({ offset: z.number().default(0) }),
    needs: [],
    provides: squares,
    async run(ctx, _inputs, options) {
      calls.squares++;
      return Float64Array.from(ctx.dataset.labels, (l) => l * l + options.offset);
    },
  });
  const cubesExtractor = defineExtractor({
    name: "cubes",
    version: "1",
    options: z.object({}),
    needs: [squares],
    provides: cubes,
    async run(ctx, inputs) {
      calls.cubes++;
      return Float64Array.from(inputs["test.squares"], (s, i) => s * ctx.dataset.labels[i]!);
    },
  });
  return { calls, squaresExtractor, cubesExtractor };
}

const sumOver = (name: string, key: typeof squares | typeof cubes = squares) =>
  defineDetector({
    name,
    version: "1",
    options: z.object({ above: z.number().default(0) }),
    needs: [key],
    async run(_ctx, inputs, options) {
      const values = (inputs as Record<string, Float64Array>)[key.name]!;
      const flagged = [...values.keys()].filter((i) => values[i]! > options.above);
      return {
        result: { total: values.reduce((a, b) => a + b, 0) },
        findings: flagged.map((i) => ({ type: "large", indices: [i], score: values[i]!, severity: "warning" as const, message: `value ${values[i]}` })),
        summary: { flagged: flagged.length },
      };
    },
  });

describe("planning", () => {
  it("names the detector and the artifact when no provider exists", () => {
    const p = pipeline(dataset).use(sumOver("sum"));
    expect(() => p.plan()).toThrowError(AssayError);
    try {
      p.plan();
    } catch (error) {
      expect((error as AssayError).code).toBe("MISSING_PROVIDER");
      expect((error as AssayError).message).toBe(
        'detector "sum" needs artifact "test.squares", but no extractor provides it; add one with pipeline.use(...) or supply it with pipeline.provide(...)',
      );
    }
  });

  it("rejects two providers of one artifact, naming both", () => {
    const { squaresExtractor } = counter();
    const other = defineExtractor({ name: "squares-too", version: "1", options: z.object({}), needs: [], provides: squares, run: async () => new Float64Array(5) });
    const p = pipeline(dataset).use(squaresExtractor(), other(), sumOver("sum"));
    expect(() => p.plan()).toThrowError(/"sum" needs "test.squares", which "squares" and "squares-too" all provide/);
    expect(() => p.plan()).toThrowError(expect.objectContaining({ code: "AMBIGUOUS_PROVIDER" }));
  });

  it("rejects ambiguous providers offered by the registry", () => {
    const { squaresExtractor } = counter();
    const other = defineExtractor({ name: "squares-too", version: "1", options: z.object({}), needs: [], provides: squares, run: async () => new Float64Array(5) });
    const registry = createRegistry().use(definePlugin({ name: "p", version: "1", extractors: [squaresExtractor, other] }));
    expect(() => pipeline(dataset, { registry }).use(sumOver("sum")).plan()).toThrowError(expect.objectContaining({ code: "AMBIGUOUS_PROVIDER" }));
  });

  it("reports a cycle with the node names in order", () => {
    const a = defineArtifact<"test.a", number>("test.a");
    const b = defineArtifact<"test.b", number>("test.b");
    const ea = defineExtractor({ name: "make-a", version: "1", options: z.object({}), needs: [b], provides: a, run: async (_c, i) => i["test.b"] + 1 });
    const eb = defineExtractor({ name: "make-b", version: "1", options: z.object({}), needs: [a], provides: b, run: async (_c, i) => i["test.a"] + 1 });
    const p = pipeline(dataset).use(ea(), eb());
    expect(() => p.plan()).toThrowError(expect.objectContaining({ code: "CYCLE", message: "the pipeline has a cycle: make-a → make-b → make-a" }));
  });

  it("resolves needs from the registry and orders providers first", () => {
    const { squaresExtractor, cubesExtractor } = counter();
    const registry = createRegistry().use(definePlugin({ name: "p", version: "1", extractors: [squaresExtractor, cubesExtractor] }));
    const plan = pipeline(dataset, { registry }).use(sumOver("sum-cubes", cubes)).plan();
    expect(plan.describe()).toBe(
      ["extractor squares", "extractor cubes <- test.squares:squares", "detector sum-cubes <- test.cubes:cubes"].join("\n"),
    );
  });

  it("freezes after planning", () => {
    const { squaresExtractor } = counter();
    const p = pipeline(dataset).use(squaresExtractor(), sumOver("sum"));
    p.plan();
    expect(() => p.use(sumOver("late"))).toThrowError(expect.objectContaining({ code: "PIPELINE_FROZEN" }));
    expect(p.clone().use(sumOver("late")).plan().nodes.map((n) => n.node.name)).toEqual(["squares", "sum", "late"]);
  });

  it("rejects two nodes with one name", () => {
    expect(() => pipeline(dataset).use(sumOver("sum"), sumOver("sum"))).toThrowError(expect.objectContaining({ code: "DUPLICATE_NODE" }));
  });
});

describe("running", () => {
  it("computes an artifact needed by three detectors exactly once", async () => {
    const { calls, squaresExtractor } = counter();
    const report = await pipeline(dataset)
      .use(squaresExtractor(), sumOver("d1"), sumOver("d2"), sumOver("d3", squares))
      .run({ concurrency: 3 });
    expect(calls.squares).toBe(1);
    expect(report.status).toBe("ok");
    // labels 0,1,1,0,2 → squares 0,1,1,0,4
    expect(report.results.d1!.result).toEqual({ total: 6 });
    expect(report.findings.filter((f) => f.detector === "d2").map((f) => f.indices)).toEqual([[1], [2], [4]]);
    expect(report.findings[0]).toEqual({ detector: "d1", type: "large", indices: [1], ids: ["1"], score: 1, severity: "warning", message: "value 1" });
    expect(report.counts).toEqual({ info: 0, warning: 9, error: 0 });
  });

  it("never runs more nodes at once than the concurrency cap", async () => {
    let active = 0;
    let peak = 0;
    const slow = (name: string) =>
      defineDetector({
        name,
        version: "1",
        options: z.object({}),
        needs: [],
        async run() {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 20));
          active--;
          return { result: null, findings: [] };
        },
      })();
    const nodes = Array.from({ length: 7 }, (_, i) => slow(`slow-${i}`));
    await pipeline(dataset).use(nodes).run({ concurrency: 3 });
    expect(peak).toBe(3);
    peak = 0;
    await pipeline(dataset).use(nodes).run({ concurrency: 1 });
    expect(peak).toBe(1);
  });

  it("isolates a failing node and skips its dependents with the reason", async () => {
    const { squaresExtractor } = counter();
    const broken = defineExtractor({
      name: "broken",
      version: "1",
      plugin: "assay-plugin-broken",
      options: z.object({}),
      needs: [],
      provides: cubes,
      run: async () => {
        throw new Error("disk on fire");
      },
    });
    const report = await pipeline(dataset).use(squaresExtractor(), broken(), sumOver("on-squares"), sumOver("on-cubes", cubes)).run();
    expect(report.status).toBe("partial");
    const byName = Object.fromEntries(report.nodes.map((n) => [n.name, n]));
    expect(byName.broken!.status).toBe("error");
    expect(byName.broken!.error).toMatchObject({ code: "NODE_FAILED", plugin: "assay-plugin-broken", node: "broken", message: "broken failed: disk on fire", cause: "Error: disk on fire" });
    expect(byName["on-cubes"]).toMatchObject({ status: "skipped", reason: 'needs "test.cubes" from "broken", which failed (NODE_FAILED)' });
    expect(byName["on-squares"]!.status).toBe("ok");
    expect(report.results["on-squares"]!.summary).toEqual({ flagged: 3 });
  });

  it("runs a detector without an optional input whose provider failed, with a warning", async () => {
    const broken = defineExtractor({
      name: "broken-cubes",
      version: "1",
      options: z.object({}),
      needs: [],
      provides: cubes,
      run: async () => {
        throw new Error("no cubes today");
      },
    });
    const flexible = defineDetector({
      name: "flexible",
      version: "1",
      options: z.object({}),
      needs: [],
      wants: [cubes],
      run: async (_ctx, inputs) => ({ result: { hadCubes: "test.cubes" in inputs }, findings: [] }),
    });
    const report = await pipeline(dataset).use(broken(), flexible()).run();
    expect(report.nodes.map((n) => [n.name, n.status])).toEqual([
      ["broken-cubes", "error"],
      ["flexible", "ok"],
    ]);
    expect(report.results.flexible!.result).toEqual({ hadCubes: false });
    expect(report.nodes[1]!.warnings).toEqual(['runs without optional "test.cubes": "broken-cubes" failed']);
  });

  it("never pulls in a provider for a want when it, or a provider it needs, does not apply to the dataset", async () => {
    const pixels = defineArtifact<"test.pixels", Float64Array>("test.pixels");
    const needsImages = (ds: { hasImages: boolean }) => ds.hasImages || "the dataset has no images";
    const pixelStats = defineExtractor({
      name: "pixel-stats",
      version: "1",
      options: z.object({}),
      needs: [],
      provides: pixels,
      appliesTo: needsImages,
      run: async () => new Float64Array(1),
    });
    const cubeGroups = defineExtractor({ name: "cube-groups", version: "1", options: z.object({}), needs: [pixels], provides: cubes, run: async () => new Float64Array(1) });
    const flexible = defineDetector({
      name: "flexible",
      version: "1",
      options: z.object({}),
      needs: [],
      wants: [cubes],
      run: async (_ctx, inputs) => ({ result: { hadCubes: "test.cubes" in inputs }, findings: [] }),
    });
    const offered = definePlugin({ name: "offers", version: "1", extractors: [pixelStats, cubeGroups] });
    const registry = createRegistry().use(offered);
    const report = await pipeline(dataset, { registry }).use(flexible()).run();
    expect(report.status).toBe("ok");
    expect(report.nodes.map((n) => n.name)).toEqual(["flexible"]);
    expect(report.results.flexible!.result).toEqual({ hadCubes: false });

    const withImages = createDataset({ name: "pics", size: 2, images: async () => ({ width: 1, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array(1) }) });
    const pulled = await pipeline(withImages, { registry }).use(flexible()).run();
    expect(pulled.nodes.map((n) => [n.name, n.status])).toEqual([
      ["pixel-stats", "ok"],
      ["cube-groups", "ok"],
      ["flexible", "ok"],
    ]);
    expect(pulled.results.flexible!.result).toEqual({ hadCubes: true });

    const explicit = await pipeline(dataset).use(pixelStats(), cubeGroups(), flexible()).run();
    expect(explicit.nodes.map((n) => [n.name, n.status])).toEqual([
      ["pixel-stats", "skipped"],
      ["cube-groups", "skipped"],
      ["flexible", "ok"],
    ]);
    expect(explicit.nodes[0]!.reason).toBe("does not apply to this dataset: the dataset has no images");
    expect(explicit.nodes[1]!.reason).toBe('needs "test.pixels" from "pixel-stats", which was skipped');
    // nodes that do not apply (and what depends on them) leave the report "ok"; a failure still makes it partial
    expect(explicit.status).toBe("ok");
  });

  it("cancels mid-run: finished nodes stay, the rest are cancelled", async () => {
    const controller = new AbortController();
    const quick = defineDetector({ name: "quick", version: "1", options: z.object({}), needs: [], run: async () => ({ result: 1, findings: [] }) });
    const hang = defineDetector({
      name: "hang",
      version: "1",
      options: z.object({}),
      needs: [],
      run: (ctx) =>
        new Promise<never>((_, reject) => {
          setTimeout(() => controller.abort(new Error("user pressed ctrl-c")), 10);
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
        }),
    });
    const after = defineDetector({ name: "after", version: "1", options: z.object({}), needs: [], run: async () => ({ result: 2, findings: [] }) });
    const report = await pipeline(dataset).use(quick(), hang(), after()).run({ concurrency: 1, signal: controller.signal });
    expect(report.status).toBe("cancelled");
    expect(report.nodes.map((n) => [n.name, n.status])).toEqual([
      ["quick", "ok"],
      ["hang", "cancelled"],
      ["after", "cancelled"],
    ]);
    expect(report.results.quick!.result).toBe(1);
  });

  it("emits start, progress and end events per node", async () => {
    const events: ProgressEvent[] = [];
    const stepping = defineDetector({
      name: "stepping",
      version: "1",
      options: z.object({}),
      needs: [],
      async run(ctx) {
        for (let i = 1; i <= 3; i++) ctx.progress(i, 3);
        return { result: null, findings: [] };
      },
    });
    await pipeline(dataset).use(stepping()).run({ onProgress: (e) => events.push(e) });
    expect(events.map((e) => `${e.phase}:${e.done ?? ""}/${e.total ?? ""}:${e.status ?? ""}`)).toEqual([
      "start:/:",
      "progress:1/3:",
      "progress:2/3:",
      "progress:3/3:",
      "end:/:ok",
    ]);
  });

  it("uses provided artifacts instead of running an extractor", async () => {
    const report = await pipeline(dataset).provide(squares, Float64Array.from([5, 0, 0, 0, 1])).use(sumOver("sum")).run();
    expect(report.results.sum!.result).toEqual({ total: 6 });
  });

  it("rejects a finding that names a row outside the dataset as a node error", async () => {
    const bad = defineDetector({
      name: "bad-rows",
      version: "1",
      options: z.object({}),
      needs: [],
      run: async () => ({ result: null, findings: [{ type: "x", indices: [99], severity: "info", message: "m" }] }),
    });
    const report = await pipeline(dataset).use(bad()).run();
    expect(report.nodes[0]!.error).toMatchObject({ code: "INVALID_INPUT", message: 'finding "x" names row 99, outside 0…4' });
  });

  it("serialises two runs to identical bytes when timings are left out", async () => {
    const build = () => {
      const { squaresExtractor, cubesExtractor } = counter();
      return pipeline(dataset).use(squaresExtractor(), cubesExtractor(), sumOver("a"), sumOver("b", cubes));
    };
    const one = serializeReport(await build().run({ concurrency: 2 }), { timings: false });
    const two = serializeReport(await build().run({ concurrency: 1 }), { timings: false });
    expect(one).toBe(two);
    expect(one).not.toContain("durationMs");
    expect(JSON.parse(one).dataset).toEqual({ name: "toy", size: 5, task: "classification", classes: ["a", "b", "c"], fingerprint: dataset.fingerprint(), splits: {} });
  });
});

describe("artifact caches", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("reuses an extractor's output from disk on the second run", async () => {
    dir = await mkdtemp(join(tmpdir(), "assay-cache-"));
    const { calls, squaresExtractor, cubesExtractor } = counter();
    const run = () => pipeline(dataset).use(squaresExtractor(), cubesExtractor(), sumOver("sum", cubes)).run({ cache: diskCache(dir!) });
    const first = await run();
    const second = await run();
    expect(calls).toEqual({ squares: 1, cubes: 1 });
    expect(first.nodes.map((n) => n.cached ?? false)).toEqual([false, false, false]);
    expect(second.nodes.map((n) => n.cached ?? false)).toEqual([true, true, false]);
    expect(second.results.sum!.result).toEqual(first.results.sum!.result);
    expect((await readdir(dir)).filter((f) => f.endsWith(".v8"))).toHaveLength(2);
  });

  it("misses when an option, a version or the data changes", async () => {
    const cache = memoryCache();
    const { calls, squaresExtractor } = counter();
    await pipeline(dataset).use(squaresExtractor(), sumOver("sum")).run({ cache });
    await pipeline(dataset).use(squaresExtractor({ offset: 1 }), sumOver("sum")).run({ cache });
    const other = createDataset({ name: "toy", labels: [0, 1, 1, 0, 1], classes: ["a", "b", "c"] });
    await pipeline(other).use(squaresExtractor(), sumOver("sum")).run({ cache });
    await pipeline(dataset).use(squaresExtractor(), sumOver("sum")).run({ cache });
    expect(calls.squares).toBe(3);
    expect(cache.size).toBe(3);
  });

  it("misses when an extractor's cache salt changes", async () => {
    const cache = memoryCache();
    let modelVersion = "size=10;mtime=1";
    let calls = 0;
    const fromModel = defineExtractor({
      name: "from-model",
      version: "1",
      options: z.object({ model: z.string() }),
      needs: [],
      provides: squares,
      cacheSalt: async () => modelVersion,
      run: async () => {
        calls++;
        return new Float64Array(5);
      },
    });
    const run = () => pipeline(dataset).use(fromModel({ model: "m.onnx" }), sumOver("sum")).run({ cache });
    await run();
    await run();
    modelVersion = "size=12;mtime=2";
    await run();
    expect(calls).toBe(2);
  });

  it("keeps label-independent outputs across a relabel", async () => {
    const cache = memoryCache();
    let pixelRuns = 0;
    let labelRuns = 0;
    const fromPixels = defineExtractor({
      name: "from-pixels",
      version: "1",
      options: z.object({}),
      needs: [],
      provides: squares,
      readsLabels: false,
      run: async (ctx) => {
        pixelRuns++;
        return new Float64Array(ctx.dataset.size);
      },
    });
    const fromLabels = defineExtractor({
      name: "from-labels",
      version: "1",
      options: z.object({}),
      needs: [squares],
      provides: cubes,
      run: async (ctx) => {
        labelRuns++;
        return Float64Array.from(ctx.dataset.labels);
      },
    });
    const relabelled = createDataset({ name: "toy", labels: [0, 1, 2, 0, 2], classes: ["a", "b", "c"] });
    expect(relabelled.fingerprint("content")).toBe(dataset.fingerprint("content"));
    expect(relabelled.fingerprint()).not.toBe(dataset.fingerprint());
    for (const ds of [dataset, relabelled]) await pipeline(ds).use(fromPixels(), fromLabels(), sumOver("sum", cubes)).run({ cache });
    expect([pixelRuns, labelRuns]).toEqual([1, 2]);
  });

  it("treats a corrupt disk entry as a miss and recomputes", async () => {
    dir = await mkdtemp(join(tmpdir(), "assay-cache-"));
    const { calls, squaresExtractor } = counter();
    const corrupt: string[] = [];
    const cache = diskCache(dir, { onCorrupt: (key) => corrupt.push(key) });
    await pipeline(dataset).use(squaresExtractor(), sumOver("sum")).run({ cache });
    const [file] = await readdir(dir);
    await writeFile(join(dir, file!), "not v8 data");
    const report = await pipeline(dataset).use(squaresExtractor(), sumOver("sum")).run({ cache });
    expect(calls.squares).toBe(2);
    expect(corrupt).toEqual([file!.replace(".v8", "")]);
    expect(report.results.sum!.result).toEqual({ total: 6 });
  });
});

describe("options", () => {
  it("names the detector and the unknown option", () => {
    expect(() => sumOver("sum")({ abvoe: 3 } as never)).toThrowError(
      expect.objectContaining({ code: "INVALID_OPTION", node: "sum", message: 'sum: unknown option "abvoe"' }),
    );
  });

  it("names the option with the wrong type", () => {
    try {
      sumOver("sum")({ above: "three" as never });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AssayError);
      expect((error as AssayError).message).toMatch(/^sum: option "above": Invalid input: expected number, received string$/);
      expect((error as AssayError).details).toEqual({ options: ["above"] });
    }
  });

  it("applies defaults", () => {
    expect(sumOver("sum")().options).toEqual({ above: 0 });
  });
});

describe("typed data flow", () => {
  it("types inputs from the needed keys", () => {
    const matrixKey = defineArtifact("embeddings");
    const node = defineDetector({
      name: "typed",
      version: "1",
      options: z.object({}),
      needs: [matrixKey],
      async run(_ctx, inputs) {
        const m: Float32Matrix = inputs.embeddings;
        // @ts-expect-error "test.squares" is not among this detector's needs
        void inputs["test.squares"];
        return { result: m.rows, findings: [] };
      },
    })();
    expect(node.needs.map((k) => k.name)).toEqual(["embeddings"]);
  });
});
