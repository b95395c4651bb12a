import { createDataset, createRegistry, pipeline } from "@assay/core";
import { checkDetector } from "@assay/core/testing";
import { describe, expect, it } from "vitest";
import { coreset, plugin, type CoresetResult } from "./index.js";
import { gaussianClasses } from "./test-helpers.js";

function fixture() {
  const { x, y, d } = gaussianClasses([120, 120], [[0, 0, 0, 0], [8, 0, 0, 0]], 1, 21);
  const labels = Array.from(y);
  labels[0] = 1; // a planted label error: truly "cat", labelled "dog"
  labels[5] = -1; // an unlabelled row is skipped
  const dataset = createDataset({ name: "toy", classes: ["cat", "dog"], labels, ids: labels.map((_, i) => `img${i}`) });
  return { dataset, embeddings: { rows: 240, cols: d, data: Float32Array.from(x) } };
}

describe("coreset detector", () => {
  it("passes the core conformance checks", async () => {
    const { dataset, embeddings } = fixture();
    expect(await checkDetector(coreset, { dataset, provide: { embeddings }, options: { topK: 5 } })).toEqual([]);
  });
  it("reports important_sample findings with score and class, and the ranking in the result", async () => {
    const { dataset, embeddings } = fixture();
    const report = await pipeline(dataset).use(coreset({ classSize: { dog: 3 }, topK: 2 })).provide({ name: "embeddings" }, embeddings).run();
    const result = report.results.coreset!.result as CoresetResult;
    expect(result.scored).toBe(239);
    expect(result.ranking).toHaveLength(5);
    expect(result.ranking[0]).toMatchObject({ rank: 1, index: 0, id: "img0", class: "dog", suggestedLabel: "cat" });
    const findings = report.findings.filter((f) => f.type === "important_sample");
    expect(findings).toHaveLength(5);
    const first = findings.find((f) => f.indices[0] === 0)!;
    expect(first.severity).toBe("warning");
    expect(first.score).toBeCloseTo(result.ranking[0]!.importance!, 12);
    expect(first.data).toMatchObject({ class: "dog", suggestedLabel: "cat", rank: 1 });
    expect(findings.every((f) => f.indices[0] !== 5)).toBe(true);
  });
  it("is registered by the plugin and rejects an unknown class in classSize", async () => {
    expect(createRegistry().use(plugin)).toBeDefined();
    const { dataset, embeddings } = fixture();
    const report = await pipeline(dataset).use(coreset({ classSize: { bird: 3 } })).provide({ name: "embeddings" }, embeddings).run();
    const node = report.nodes.find((n) => n.name === "coreset")!;
    expect(node.status).toBe("error");
    expect(JSON.stringify(node.error)).toMatch(/unknown class \\"bird\\"/);
  });
});

describe("coreset detector on small classes", () => {
  it("warns about a class with fewer rows than features instead of failing, unless asked to", async () => {
    const { artifacts } = await import("@assay/core");
    const d = 6;
    const n = 40;
    const data = new Float32Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 43758.5453 % 1;
    const labels = Array.from({ length: n }, (_, i) => (i < 36 ? i % 2 : 2));
    const dataset = createDataset({ labels, classes: ["a", "b", "small"] });
    const embeddings = { rows: n, cols: d, data };
    const warned = await pipeline(dataset).provide(artifacts.embeddings, embeddings).use(coreset()).run();
    expect(warned.nodes[0]!.status).toBe("ok");
    expect(warned.nodes[0]!.warnings).toEqual([
      'class "small" has 4 rows but the features have 6 dimensions; its leverage is scored through the ridge and is less reliable',
    ]);
    const strict = await pipeline(dataset).provide(artifacts.embeddings, embeddings).use(coreset({ smallClass: "error" })).run();
    expect(strict.nodes[0]!.error).toMatchObject({ code: "INVALID_INPUT" });
  });
});
