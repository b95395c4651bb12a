import { artifacts, createDataset, createRegistry, pipeline, serializeReport } from "@assay/core";
import { describe, expect, it } from "vitest";
import { findIssues } from "./datalab/run.js";
import { DATALAB_PRESET, crossValPredProbs, datalabDataValuation, labelIssues } from "./nodes.js";
import { datalabTextReport } from "./report-text.js";
import { datasetG } from "./test-helpers.js";
import { crossValPredictProba, knnGraph, plugin as mathPlugin } from "@assay/math";
import { plugin } from "./index.js";

const f32 = (m: { rows: number; cols: number; data: Float32Array | Float64Array }) => ({ rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) });

describe("pipeline: the datalab preset shares one kNN graph", async () => {
  const { X, labels, P } = datasetG();
  const dataset = createDataset({ name: "G", labels, classes: ["a", "b", "c"] });
  const registry = createRegistry().use(mathPlugin).use(plugin);
  const report = await pipeline(dataset, { registry })
    .use(DATALAB_PRESET.map((name) => registry.factory(name)!))
    .provide(artifacts.embeddings, f32(X))
    .provide(artifacts.predProbs, f32(P))
    .run();
  it("runs every check once with one knn-graph node", () => {
    expect(report.status).toBe("ok");
    expect(report.nodes.filter((n) => n.name === "knn-graph").length).toBe(1);
    expect(Object.keys(report.results).sort()).toEqual([...DATALAB_PRESET].sort());
  });
  it("matches the DL-1 summary (float32 inputs)", () => {
    const s = (name: string) => report.results[name]!.summary!;
    expect(s("datalab-null")).toEqual({ issue_type: "null", score: 1, num_issues: 0 });
    expect(s("label-issues").num_issues).toBe(0);
    expect(s("label-issues").score as number).toBeCloseTo(0.9583333333333334, 9);
    expect(s("datalab-outlier").num_issues).toBe(1);
    expect(s("datalab-outlier").score as number).toBeCloseTo(0.33698568017449815, 5);
    expect(s("datalab-near-duplicate").num_issues).toBe(4);
    expect(s("datalab-near-duplicate").score as number).toBeCloseTo(0.5578750764965946, 5);
    expect(s("datalab-non-iid").num_issues).toBe(1);
    expect(s("datalab-non-iid").score as number).toBeCloseTo(0.0016217564299426, 6);
    expect(s("datalab-class-imbalance").score as number).toBeCloseTo(0.2916666667, 9);
    expect(s("datalab-underperforming-group").score as number).toBeCloseTo(0.937678355501814, 5);
  });
  it("findings carry the issue type, score and severity", () => {
    const types = new Set(report.findings.map((f) => f.type));
    expect([...types].sort()).toEqual(["near_duplicate", "non_iid", "outlier"]);
    const out = report.findings.find((f) => f.type === "outlier")!;
    expect(out.indices).toEqual([23]);
    expect(out.severity).toBe("warning");
    expect(out.score!).toBeLessThan(1e-5);
    const nd = report.findings.filter((f) => f.type === "near_duplicate").map((f) => f.indices);
    expect(nd).toEqual([[17, 20], [18, 21], [17, 20], [18, 21]]);
  });
  it("the text report reads the core report (also after JSON round-trip)", () => {
    for (const r of [report, JSON.parse(serializeReport(report))]) {
      const text = datalabTextReport(r);
      const lines = text.split("\n");
      expect(lines[0]).toBe("Dataset Information: num_examples: 24, num_classes: 3");
      const t = lines.indexOf("    issue_type  num_issues");
      expect(t).toBeGreaterThan(0);
      expect(lines.slice(t + 1, t + 4)).toEqual(["near_duplicate           4", "       outlier           1", "       non_iid           1"]);
      expect(text).toContain("------------------ near_duplicate issues -------------------");
      const nonIid = text.slice(text.indexOf(" non_iid issues "));
      expect(nonIid.trimEnd().split("\n").at(-1)).toMatch(/^p-value: 0\.00162175/);
    }
  });
});

describe("DL-11 report shape (pure findIssues result)", async () => {
  const { X, labels, P } = datasetG();
  it("no issues → message (+ suggestion)", async () => {
    const res = await findIssues({ labels, issueTypes: { class_imbalance: {} } });
    expect(datalabTextReport(res)).toBe(
      "No issues found in the data. Good job!\nTry re-running with showSummaryScore: true and showAllIssues: true to print every check's score.\n",
    );
    expect(datalabTextReport(res, { showSummaryScore: true })).toBe("No issues found in the data. Good job!\n");
  });
  it("full report", async () => {
    const res = await findIssues({ labels, predProbs: P, features: X, classNames: ["a", "b", "c"] });
    const text = datalabTextReport(res);
    expect(text.startsWith("Dataset Information: num_examples: 24, num_classes: 3\n")).toBe(true);
    expect(text).toContain("Number of examples with this issue: 4\nOverall dataset quality in terms of this issue: 0.5579");
    expect(text.trimEnd().endsWith("p-value: 0.0016217564299426")).toBe(false); // non_iid is not the last block
    expect(text).toMatch(/p-value: 0\.0016217564299426/);
    const all = datalabTextReport(res, { showAllIssues: true, showSummaryScore: true });
    expect(all).toContain(`${"-".repeat(23)} label issues ${"-".repeat(23)}`);
    expect(all).toContain("issue_type     score  num_issues");
    expect(datalabTextReport({ ...res, checks: [], summary: [] })).toMatch(/No issue types were checked/);
  });
});

describe("cross-val-pred-probs extractor and label-issues on a labelled/unlabelled dataset", () => {
  it("predicts probabilities from embeddings and flags a planted flip", async () => {
    const n = 60;
    const emb = new Float32Array(n * 2);
    const labels: (number | null)[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      emb[2 * i] = c * 4 + ((i * 37) % 11) / 11;
      emb[2 * i + 1] = ((i * 53) % 13) / 13;
      labels.push(c);
    }
    labels[5] = 0; // true class 2
    labels[59] = null; // unlabelled
    const dataset = createDataset({ labels, classes: ["x", "y", "z"] });
    const report = await pipeline(dataset)
      .use(crossValPredProbs(), labelIssues({ minExamplesPerClass: 1 }), datalabDataValuation())
      .provide(artifacts.embeddings, { rows: n, cols: 2, data: emb })
      .use(knnGraph())
      .run();
    expect(report.status).toBe("ok");
    const res = report.results["label-issues"]!.result as { isIssue: Uint8Array; scores: Float64Array };
    expect(res.isIssue[5]).toBe(1);
    expect(Number.isNaN(res.scores[59]!)).toBe(true);
    expect(report.findings.find((f) => f.type === "label")!.message).toMatch(/label "x" is likely wrong; the model predicts "z"/);
    expect(report.nodes.find((nd) => nd.name === "label-issues")!.warnings).toEqual(["1 unlabelled rows are left out of label-issues"]);
  });
  it("fits the folds on worker threads with the same numbers as crossValPredictProba", async () => {
    const { X, labels } = datasetG();
    const emb = f32(X);
    const dataset = createDataset({ labels, classes: ["a", "b", "c"] });
    const ctx = { dataset, signal: new AbortController().signal, concurrency: 2, progress: () => {}, warn: () => {} } as never;
    const got = await crossValPredProbs().run(ctx, { embeddings: emb });
    const want = crossValPredictProba(emb, Int32Array.from(labels), { folds: 5, seed: 0, C: 1, maxIter: 100, numClasses: 3 });
    expect(got.rows).toBe(24);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
  });
  it("bad option and row mismatch are typed errors", async () => {
    expect(() => labelIssues({ minExamplesPerClass: -1 })).toThrow(/minExamplesPerClass/);
    const dataset = createDataset({ labels: [0, 1, 0] });
    const report = await pipeline(dataset).use(labelIssues()).provide(artifacts.predProbs, { rows: 2, cols: 2, data: new Float32Array([0.5, 0.5, 0.5, 0.5]) }).run();
    const node = report.nodes.find((nd) => nd.name === "label-issues")!;
    expect(node.status).toBe("error");
    expect(node.error!.code).toBe("INVALID_INPUT");
    expect(node.error!.message).toMatch(/pred_probs has 2 rows but dataset "dataset" has 3 samples/);
  });
});

describe("plugin", () => {
  it("exports detectors, extractors and the datalab preset", () => {
    expect(plugin.presets.datalab).toEqual(DATALAB_PRESET);
    // the shared knn-graph extractor is @assay/math's: registering both plugins is unambiguous
    expect(plugin.extractors.map((e) => e.nodeName)).toEqual(["cross-val-pred-probs"]);
    expect(mathPlugin.extractors.map((e) => e.nodeName)).toEqual(["knn-graph"]);
    const registry = createRegistry().use(mathPlugin).use(plugin);
    expect(registry.factory("knn-graph")).toBe(knnGraph);
    for (const name of DATALAB_PRESET) expect(plugin.detectors.some((d) => d.nodeName === name)).toBe(true);
  });
});

describe("unlabelled rows", () => {
  it("are left out of the underperforming-group clusters and scores", async () => {
    const { X, labels, P } = datasetG();
    const withHole: (number | null)[] = Array.from(labels);
    withHole[1] = null;
    const dataset = createDataset({ labels: withHole, classes: ["a", "b", "c"] });
    const registry = createRegistry().use(mathPlugin).use(plugin);
    const report = await pipeline(dataset, { registry })
      .use(registry.factory("datalab-underperforming-group")!)
      .provide(artifacts.embeddings, f32(X))
      .provide(artifacts.predProbs, f32(P))
      .run();
    expect(report.status).toBe("ok");
    const res = report.results["datalab-underperforming-group"]!.result as { scores: Float64Array; info: { clustering: { stats: { cluster_ids: Int32Array } } } };
    expect(Number.isNaN(res.scores[1]!)).toBe(true);
    expect(res.info.clustering.stats.cluster_ids[1]).toBe(-1);
  });
});
