import { artifacts, createDataset, createRegistry, isAssayError, pipeline } from "@assay/core";
import { describe, expect, it } from "vitest";
import { detectionPredictionsArtifact, duplicateGroupsArtifact, INSIGHTS_PRESET, plugin } from "./index.js";
import type { CorrectionTable } from "./corrections.js";
import { H_LABELS, H_NAMES, H_P, M_LABELS, M_NAMES, M_P } from "./test-fixtures.js";

const P32 = { rows: 20, cols: 5, data: Float32Array.from(H_P.data) };
const ONTO = { pole: ["flagpole", "maypole"], reptile: ["green lizard", "anole"] };

function runH(extra: (p: ReturnType<typeof pipeline>) => ReturnType<typeof pipeline> = (p) => p, ontology?: unknown) {
  const dataset = createDataset({ name: "H", labels: H_LABELS, classes: H_NAMES, ids: H_LABELS.map((_, i) => `img${i}`) });
  const registry = createRegistry().use(plugin);
  const config: Record<string, Record<string, unknown>> = { "ontology-rollup": ontology ? { ontology } : {}, "overlapping-classes": ontology ? { ontology } : {} };
  const nodes = INSIGHTS_PRESET.map((name) => registry.factory(name)!(config[name] ?? {}));
  return extra(pipeline(dataset, { registry }).use(nodes).provide(artifacts.predProbs, P32)).run();
}

describe("the insights preset on dataset H", () => {
  it("emits class_overlap, class_health, ontology_issue and conflicting_duplicate_labels findings", async () => {
    const report = await runH((p) => p.provide(duplicateGroupsArtifact, [[0, 1], [5, 2, 7], [9, 10], [10, 11], [19, 15]]), ONTO);
    expect(report.status).toBe("ok");
    const overlaps = report.findings.filter((f) => f.type === "class_overlap");
    expect(overlaps.map((f) => [f.data!.classIndexA, f.data!.classIndexB, f.indices, f.data!.relation])).toEqual([
      [0, 1, [2, 3], "is-a"],
      [3, 4, [15, 19], "sibling"],
      [0, 2, [4], "is-a"],
      [2, 4, [11], "cross-branch"],
    ]);
    expect(overlaps[0]!.score).toBeCloseTo(0.1, 6);
    expect(overlaps.every((f) => f.severity === "warning")).toBe(true);
    const health = report.findings.filter((f) => f.type === "class_health");
    expect(health.map((f) => [f.data!.className, f.indices])).toEqual([
      ["pole", [2, 3, 4]],
      ["maypole", [11]],
      ["green lizard", [15]],
      ["anole", [19]],
    ]);
    expect(report.results["class-health"]!.summary).toMatchObject({ health_score: 0.7, num_issues: 6, worst_class: "pole" });
    // the joint and the mask are computed once, by the insights-basis extractor
    expect(report.nodes.filter((n) => n.kind === "extractor").map((n) => n.name)).toEqual(["insights-basis"]);
    // results keep the non-zero overlap rows only (the pure function keeps all K(K−1)/2)
    const ch = report.results["class-health"]!.result as { overlappingClasses: unknown[]; joint: number[][] };
    expect(ch.overlappingClasses).toHaveLength(4);
    expect(ch.joint).toHaveLength(5);
    const onto = report.findings.filter((f) => f.type === "ontology_issue");
    expect(onto.map((f) => [f.data!.a, f.data!.b, f.severity])).toEqual([[0, 1, "info"], [3, 4, "info"], [0, 2, "info"]]);
    const dup = report.findings.filter((f) => f.type === "conflicting_duplicate_labels");
    expect(dup.map((f) => [f.indices, f.ids, f.severity, +f.score!.toFixed(6)])).toEqual([
      [[2, 5, 7], ["img2", "img5", "img7"], "warning", 0.666667],
      [[15, 19], ["img15", "img19"], "warning", 0.5],
    ]);
    const table = report.results["suggested-corrections"]!.result as CorrectionTable;
    expect(table.totalRows).toBe(5);
    expect(report.findings.filter((f) => f.type === "suggested_correction")).toHaveLength(5);
    // multi-label and detection detectors skip a classification dataset without failing
    expect(report.results["multilabel-issues"]!.summary).toEqual({ skipped: true });
    expect(report.results["detection-label-issues"]!.summary).toEqual({ skipped: true });
  });

  it("without groups or knn the duplicates node is skipped with a warning; without ontology the roll-up is skipped", async () => {
    const report = await runH();
    expect(report.results["conflicting-duplicates"]!.summary).toEqual({ skipped: true });
    expect(report.nodes.find((n) => n.name === "conflicting-duplicates")!.warnings![0]).toMatch(/no duplicate groups/);
    expect(report.results["ontology-rollup"]!.result).toEqual({ skipped: "no ontology given (option `ontology`)" });
  });

  it("falls back to the kNN graph with Datalab's relative threshold", async () => {
    // rows 2 and 5 are near-identical; everything else is 1 apart
    const indices = new Int32Array(20);
    const distances = new Float32Array(20).fill(1);
    for (let i = 0; i < 20; i++) indices[i] = (i + 1) % 20;
    indices[2] = 5;
    distances[2] = 0.01;
    indices[5] = 2;
    distances[5] = 0.01;
    const knn = { rows: 20, k: 1, metric: "euclidean" as const, indices, distances, includesSelf: false, method: "exact" as const };
    const report = await runH((p) => p.provide(artifacts.knn, knn));
    const r = report.results["conflicting-duplicates"]!;
    expect(r.summary).toMatchObject({ numGroups: 1, numConflicting: 1, source: "knn" });
    expect((r.result as { maxDistance: number }).maxDistance).toBeCloseTo(0.13, 6);
    expect(report.findings.find((f) => f.type === "conflicting_duplicate_labels")!.indices).toEqual([2, 5]);
  });

  it("bad input: class names whose count differs from K", async () => {
    const dataset = createDataset({ labels: H_LABELS, classes: [...H_NAMES, "extra"] });
    const report = await pipeline(dataset).use(plugin.extractors[0]!(), plugin.detectors[0]!()).provide(artifacts.predProbs, P32).run();
    expect(report.nodes.find((n) => n.name === "class-health")!.status).toBe("skipped");
    const node = report.nodes.find((n) => n.name === "insights-basis")!;
    expect(node.status).toBe("error");
    expect(node.error!.code).toBe("INVALID_INPUT");
    expect(node.error!.message).toMatch(/names 6 classes .* pred_probs has 5 columns/);
  });

  it("unknown options are an error naming the option", () => {
    let err: unknown;
    try {
      plugin.detectors[1]!({ minOverlap: 2 } as never);
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_OPTION")).toBe(true);
    expect((err as Error).message).toMatch(/minOverlap/);
  });
});

describe("multi-label and detection datasets", () => {
  it("multilabel-issues flags [8, 7, 11] on M with suggested sets", async () => {
    const dataset = createDataset({ multiLabels: M_LABELS, classes: M_NAMES });
    const registry = createRegistry().use(plugin);
    const report = await pipeline(dataset, { registry })
      .use(INSIGHTS_PRESET.map((n) => registry.factory(n)!()))
      .provide(artifacts.predProbs, { rows: 12, cols: 3, data: Float32Array.from(M_P.data) })
      .provide(duplicateGroupsArtifact, [[3, 4], [5, 11]])
      .run();
    const issues = report.findings.filter((f) => f.detector === "multilabel-issues");
    expect(issues.map((f) => [f.indices[0], f.data!.suggested])).toEqual([[8, [0, 1]], [7, []], [11, [2]]]);
    expect(issues[0]!.score).toBeCloseTo(0.23, 6);
    expect(report.results["multilabel-issues"]!.summary).toMatchObject({ health_score: 0.75, num_issues: 3 });
    expect(report.results["class-health"]!.summary).toEqual({ skipped: true });
    expect(report.findings.filter((f) => f.type === "conflicting_duplicate_labels").map((f) => f.indices)).toEqual([[3, 4]]);
    const roll = report.nodes.find((n) => n.name === "ontology-rollup")!;
    expect(roll.status).toBe("ok");
  });

  it("detection-label-issues flags images 1 and 2 of DI-9; zero-area boxes are an error", async () => {
    const box = (x1: number, y1: number, x2: number, y2: number, label: number) => ({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, label });
    const boxes = [[box(0, 0, 10, 10, 0), box(20, 20, 30, 30, 1)], [box(0, 0, 10, 10, 0)], [box(0, 0, 10, 10, 1)], [box(0, 0, 10, 10, 0)]];
    const preds = [
      [[[0, 0, 10, 10, 0.99]], [[20, 20, 30, 30, 0.98]]],
      [[[1, 1, 11, 11, 0.97]], [[40, 40, 50, 50, 0.96]]],
      [[[0, 0, 10, 10, 0.98]], []],
      [[[3, 3, 13, 13, 0.9]], []],
    ];
    const dataset = createDataset({ boxes, classes: ["a", "b"] });
    const detector = plugin.detectors.find((d) => d.nodeName === "detection-label-issues")!;
    const report = await pipeline(dataset).use(detector()).provide(detectionPredictionsArtifact, preds).run();
    const f = report.findings;
    expect(f.map((x) => x.indices[0])).toEqual([1, 2]);
    expect(f[0]!.data!.subtypes).toEqual(["overlooked"]);
    expect(f[1]!.data!.subtypes).toEqual(["swap"]);
    expect(f[0]!.score).toBeCloseTo(0.021378047, 8);

    const bad = createDataset({ boxes: [[box(0, 0, 10, 10, 0)], [{ x: 3, y: 3, width: 0, height: 5, label: 1 }], [], []], classes: ["a", "b"] });
    const r2 = await pipeline(bad).use(detector()).provide(detectionPredictionsArtifact, preds).run();
    const node = r2.nodes[0]!;
    expect(node.error!.code).toBe("INVALID_INPUT");
    expect(node.error!.message).toMatch(/sample 1 \("1"\) box 0 has zero area/);
  });
});
