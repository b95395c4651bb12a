import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssayError, artifacts, createRegistry, defineDetector, defineExtractor, definePlugin, z } from "@assay/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPassThrough, parseClassSize, selectDetectors } from "./audit.js";
import { checkConfigShape, configureNodes, loadConfig } from "./config.js";
import { describePlugins, renderPluginList } from "./describe.js";
import { starterConfigJson, starterConfigModule } from "./init.js";

const opts = z.object({ k: z.number().int().min(1).default(10).describe("neighbours"), metric: z.enum(["euclidean", "cosine"]).default("cosine") });
const dups = defineDetector({ name: "dups", version: "1", description: "near duplicates", options: opts, needs: [], async run() { return { result: null, findings: [] }; } });
const embed = defineExtractor({ name: "embed", version: "2", options: z.object({ size: z.number().default(8) }), needs: [], provides: artifacts.embeddings, async run() { return { rows: 0, cols: 0, data: new Float32Array() }; } });
const representation = defineDetector({ name: "representation", version: "1", options: z.object({ ontology: z.unknown().optional() }), needs: [], async run() { return { result: null, findings: [] }; } });
const coreset = defineDetector({ name: "coreset", version: "1", options: z.object({ classSize: z.record(z.string(), z.number()).optional() }), needs: [], async run() { return { result: null, findings: [] }; } });
const plugin = definePlugin({ name: "p", version: "0.1.0", detectors: [dups], extractors: [embed], presets: { quick: ["dups"] } });
const lensPlugin = definePlugin({ name: "lenses", version: "0.1.0", detectors: [representation, coreset] });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "assay-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (error) {
    expect(error).toBeInstanceOf(AssayError);
    return `${(error as AssayError).code}: ${(error as AssayError).message}`;
  }
  throw new Error("expected an AssayError");
}

describe("loadConfig", () => {
  it("reads JSON, YAML and ES modules", async () => {
    await writeFile(join(dir, "a.json"), JSON.stringify({ detectors: { dups: { k: 3 } } }));
    await writeFile(join(dir, "a.yaml"), "detectors:\n  dups:\n    k: 4\nextractors:\n  embed: {}\n");
    await writeFile(join(dir, "a.mjs"), "// comment\nexport default { detectors: { dups: { k: 5 } } };\n");
    expect(await loadConfig(join(dir, "a.json"))).toEqual({ detectors: { dups: { k: 3 } } });
    expect(await loadConfig(join(dir, "a.yaml"))).toEqual({ detectors: { dups: { k: 4 } }, extractors: { embed: {} } });
    expect(await loadConfig(join(dir, "a.mjs"))).toEqual({ detectors: { dups: { k: 5 } } });
  });

  it("names the file and the problem", async () => {
    await writeFile(join(dir, "bad.json"), "{ detectors: ");
    expect(await code(loadConfig(join(dir, "bad.json")))).toMatch(/^INVALID_INPUT: config .*bad\.json is not valid JSON/);
    expect(await code(loadConfig(join(dir, "missing.json")))).toMatch(/^IO_ERROR: cannot read config .*missing\.json/);
    expect(await code(loadConfig(join(dir, "x.toml")))).toMatch(/^INVALID_INPUT: config .*x\.toml has an unknown extension/);
    await writeFile(join(dir, "broken.ts"), "export default { detectors: {\n");
    expect(await code(loadConfig(join(dir, "broken.ts")))).toMatch(/^INVALID_INPUT: config .*broken\.ts is not valid TypeScript/);
  });

  it("loads a TypeScript config with types and a relative import", async () => {
    await writeFile(join(dir, "shared.mjs"), "export const min = 3;\n");
    await writeFile(
      join(dir, "assay.config.ts"),
      'import { min } from "./shared.mjs";\ninterface Options { min: number }\nconst rare: Options = { min };\nexport default { detectors: { "rare-class": rare } };\n',
    );
    expect(await loadConfig(join(dir, "assay.config.ts"))).toEqual({ detectors: { "rare-class": { min: 3 } } });
    expect((await readdir(dir)).filter((f) => f.endsWith(".assay.mjs"))).toEqual([]);
  });

  it("checks the outer shape", async () => {
    expect(await code(() => checkConfigShape({ detector: {} }, "cfg.json"))).toBe('INVALID_OPTION: cfg.json: "detector" is not a config key; use "detectors" and "extractors"');
    expect(await code(() => checkConfigShape({ detectors: { dups: 3 } }, "cfg.json"))).toBe('INVALID_OPTION: cfg.json: "detectors.dups" must be an object of options');
    expect(await code(() => checkConfigShape([], "cfg.json"))).toMatch(/must be an object/);
  });
});

describe("configureNodes", () => {
  const registry = createRegistry().use(plugin);
  it("creates nodes with validated options", () => {
    const nodes = configureNodes(registry, { detectors: { dups: { k: 3 } }, extractors: { embed: {} } });
    expect(nodes.detectors.get("dups")!.options).toEqual({ k: 3, metric: "cosine" });
    expect(nodes.extractors.get("embed")!.options).toEqual({ size: 8 });
  });
  it("rejects bad options naming node and option", async () => {
    expect(await code(() => configureNodes(registry, { detectors: { dups: { k: 0 } } }))).toMatch(/^INVALID_OPTION: dups: option "k": /);
    expect(await code(() => configureNodes(registry, { detectors: { dups: { kk: 3 } } }))).toBe('INVALID_OPTION: dups: unknown option "kk"');
    expect(await code(() => configureNodes(registry, { detectors: { nope: {} } }))).toBe(
      'INVALID_OPTION: config detectors."nope": no installed plugin provides a detector named "nope" (installed detectors: dups)',
    );
    expect(await code(() => configureNodes(registry, { detectors: { embed: {} } }))).toBe('INVALID_OPTION: config detectors."embed": "embed" is an extractor; move it under "extractors"');
  });
});

describe("selectDetectors", () => {
  const registry = createRegistry().use(plugin);
  it("expands presets and rejects unknown names", async () => {
    expect(selectDetectors(registry, undefined)).toEqual({ names: ["dups"], explicit: false });
    expect(selectDetectors(registry, ["quick", "dups"])).toEqual({ names: ["dups"], explicit: true });
    expect(await code(() => selectDetectors(registry, ["dupes"]))).toBe('INVALID_OPTION: unknown detector "dupes"; installed detectors: dups; presets: quick');
    expect(await code(() => selectDetectors(registry, ["embed"]))).toMatch(/^INVALID_OPTION: "embed" is an extractor, not a detector/);
    expect(await code(() => selectDetectors(createRegistry(), undefined))).toMatch(/^MISSING_PROVIDER: no detectors are installed/);
  });
});

describe("pass-through options", () => {
  it("puts --ontology and --class-size into the lens configs, or says what to install", async () => {
    await writeFile(join(dir, "onto.yaml"), "animal:\n  mammal: [cat, dog]\n");
    const config = {};
    await applyPassThrough(config, createRegistry().use(lensPlugin), { ontology: join(dir, "onto.yaml"), classSize: "cat=3, dog=5" });
    expect(config).toEqual({ detectors: { representation: { ontology: { animal: { mammal: ["cat", "dog"] } } }, coreset: { classSize: { cat: 3, dog: 5 } } } });
    expect(await code(applyPassThrough({}, createRegistry().use(plugin), { ontology: "x.json" }))).toBe('INVALID_OPTION: --ontology needs the "representation" detector; install @assay/representation');
    expect(await code(applyPassThrough({}, createRegistry().use(plugin), { classSize: "a=1" }))).toBe('INVALID_OPTION: --class-size needs the "coreset" detector; install @assay/coreset');
    expect(await code(() => parseClassSize("cat:3"))).toMatch(/^INVALID_OPTION: --class-size: "cat:3" is not class=count/);
    expect(parseClassSize("a=b=2")).toEqual({ "a=b": 2 });
  });
});

describe("list and init output", () => {
  const registry = createRegistry().use(plugin);
  const infos = describePlugins(registry, []);
  it("describes options from the JSON Schema", () => {
    expect(infos[0]!.detectors[0]!.options).toEqual([
      { name: "k", type: "integer ≥1", required: false, hasDefault: true, default: 10, description: "neighbours" },
      { name: "metric", type: '"euclidean" | "cosine"', required: false, hasDefault: true, default: "cosine" },
    ]);
    const text = renderPluginList(infos);
    expect(text).toContain("p 0.1.0\n  detector dups v1 — near duplicates\n    k: integer ≥1 = 10  neighbours\n    metric: \"euclidean\" | \"cosine\" = \"cosine\"\n  extractor embed v2\n    provides embeddings\n    size: number = 8\n  preset quick: dups\n");
  });
  it("writes a starter module that loads and validates as written", async () => {
    const text = starterConfigModule(infos);
    expect(text).toContain("    // dups (p 0.1.0): near duplicates\n    dups: {\n      // k: 10, // integer ≥1 — neighbours\n      // metric: \"cosine\", // \"euclidean\" | \"cosine\"\n    },");
    await writeFile(join(dir, "starter.mjs"), text);
    const loaded = await loadConfig(join(dir, "starter.mjs"));
    expect(loaded).toEqual({ detectors: { dups: {} }, extractors: { embed: {} } });
    expect(() => configureNodes(registry, loaded)).not.toThrow();
    const json = JSON.parse(starterConfigJson(infos));
    expect(json).toEqual({ detectors: { dups: { k: 10, metric: "cosine" } }, extractors: { embed: { size: 8 } } });
    expect(configureNodes(registry, json).detectors.get("dups")!.options).toEqual({ k: 10, metric: "cosine" });
  });
});

describe("typeOf", () => {
  it("writes short types from JSON Schema", async () => {
    const { typeOf } = await import("./describe.js");
    expect(typeOf({ type: "array", items: { enum: ["a", "b"] } })).toBe('("a" | "b")[]');
    expect(typeOf({ type: "array", items: { type: "number" } })).toBe("number[]");
    expect(typeOf({ anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }] })).toBe("integer ≥1 | null");
    expect(typeOf({ type: "object", additionalProperties: { type: "number" } })).toBe("{ [key]: number }");
  });
});

describe("audit planning errors", () => {
  it("tells how to pick between two providers of one artifact", async () => {
    const { audit } = await import("./audit.js");
    const { mkdtemp, writeFile: write } = await import("node:fs/promises");
    const { encodeNpy } = await import("@assay/io");
    const work = await mkdtemp(join(tmpdir(), "assay-ambiguous-"));
    await write(join(work, "labels.npy"), encodeNpy(Int32Array.from([0, 1, 0])));
    const needsEmb = defineDetector({ name: "needs-emb", version: "1", options: z.object({}), needs: [artifacts.embeddings], async run() { return { result: null, findings: [] }; } });
    const embed2 = defineExtractor({ name: "embed2", version: "1", options: z.object({}), needs: [], provides: artifacts.embeddings, async run() { return { rows: 0, cols: 0, data: new Float32Array() }; } });
    const pluginFile = join(work, "plugin.mjs");
    // the registry comes from discovery + --plugin; here a module exporting both providers
    (globalThis as Record<string, unknown>).__assayTestPlugin = definePlugin({ name: "amb", version: "1", detectors: [needsEmb], extractors: [embed, embed2] });
    await write(pluginFile, "export const plugin = globalThis.__assayTestPlugin;\n");
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const run = (config?: string) =>
      audit({ labels: join(work, "labels.npy"), detectors: ["needs-emb"], plugin: [pluginFile], quiet: true, ...(config ? { config } : {}) }, { stdout: sink, stderr: sink, env: {} });
    // @assay/io (found next to the CLI) provides embeddings too
    expect(await code(run())).toMatch(
      /^AMBIGUOUS_PROVIDER: detector "needs-emb" needs "embeddings", which "pixel-embedding" and "embed" and "embed2" all provide; pick one with --use pixel-embedding \(or by naming it under "extractors" in --config\)$/,
    );
    expect(await audit({ labels: join(work, "labels.npy"), detectors: ["needs-emb"], plugin: [pluginFile], quiet: true, use: ["embed"] }, { stdout: sink, stderr: sink, env: {} })).toBe(0);
    expect(await code(audit({ labels: join(work, "labels.npy"), detectors: ["needs-emb"], plugin: [pluginFile], quiet: true, use: ["embedx"] }, { stdout: sink, stderr: sink, env: {} }))).toMatch(
      /^INVALID_OPTION: config extractors\."embedx": no installed plugin provides an extractor named "embedx"/,
    );
    await write(join(work, "pick.json"), JSON.stringify({ extractors: { embed2: {} } }));
    expect(await run(join(work, "pick.json"))).toBe(0);
    await rm(work, { recursive: true, force: true });
  });
});
