import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifacts, createDataset, createRegistry, isAssayError, pipeline, serializeReport, type Report } from "@assay/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSIGHTS_PRESET, duplicateGroupsArtifact, plugin } from "./index.js";
import { suggestedCorrections } from "./corrections.js";
import { applyCorrections, corrections, correctionsCsv, parseCorrectionsCsv, readCorrectionsCsv, writeCorrectionsCsv } from "./workflow.js";
import { H_LABELS, H_NAMES, H_P } from "./test-fixtures.js";

let report: Report;
let dir: string;
const ids = H_LABELS.map((_, i) => `img${i}`);

beforeAll(async () => {
  const dataset = createDataset({ name: "H", labels: H_LABELS, classes: H_NAMES, ids });
  const registry = createRegistry().use(plugin);
  report = await pipeline(dataset, { registry })
    .use(INSIGHTS_PRESET.map((n) => registry.factory(n)!()))
    .provide(artifacts.predProbs, { rows: 20, cols: 5, data: Float32Array.from(H_P.data) })
    .provide(duplicateGroupsArtifact, [[0, 1], [5, 2, 7], [9, 10], [10, 11], [19, 15], [12, 16, 17]])
    .run();
  dir = await mkdtemp(join(tmpdir(), "assay-insights-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("corrections(report)", () => {
  it("accepts every suggestion (also from the report's JSON)", () => {
    const rows = corrections(JSON.parse(serializeReport(report)), { accept: "suggested" });
    expect(rows.map((r) => [r.id, r.action, r.from, r.to])).toEqual([
      ["img2", "relabel", "pole", "flagpole"],
      ["img3", "relabel", "pole", "flagpole"],
      ["img4", "relabel", "pole", "maypole"],
      ["img11", "relabel", "maypole", "anole"],
      ["img15", "relabel", "green lizard", "anole"],
      ["img19", "relabel", "anole", "green lizard"],
    ]);
    expect(rows[0]!.reason).toMatch(/pole → flagpole \(2 examples\)/);
  });

  it("filters cells by class and can propose removal", () => {
    expect(corrections(report, { accept: { given: ["pole"] } }).map((r) => r.id)).toEqual(["img2", "img3", "img4"]);
    expect(corrections(report, { accept: { given: [0], suggested: ["maypole"], action: "remove" } })).toEqual([
      { id: "img4", action: "remove", from: "pole", to: "", reason: "suggested-corrections: pole → maypole (1 example)" },
    ]);
    expect(() => corrections(report, { accept: { given: ["kangaroo"] } })).toThrow(/unknown class "kangaroo"/);
    expect(() => corrections(report, { accept: "everything" as never })).toThrow(/accept must be/);
  });

  it("duplicates: relabel suspects; all: also remove sets without a majority", () => {
    const dup = corrections(report, { accept: "duplicates" });
    // [2,5,7] → suggested flagpole for img2; [15,19] → suggested green lizard for img19; [12,16,17] → suggested anole for img12
    expect(dup.map((r) => [r.id, r.from, r.to])).toEqual([
      ["img2", "pole", "flagpole"],
      ["img12", "green lizard", "anole"],
      ["img19", "anole", "green lizard"],
    ]);
    const all = corrections(report, { accept: "all" });
    expect(all.map((r) => r.id)).toEqual(["img2", "img3", "img4", "img11", "img12", "img15", "img19"]);
    expect(() => corrections({} as never)).toThrow(/not an assay report/);
  });
});

describe("corrections files and manifests", () => {
  it("round-trips CSV, quoting commas", async () => {
    const rows = corrections(report);
    const path = join(dir, "corrections.csv");
    await writeCorrectionsCsv(path, rows);
    const text = await readFile(path, "utf8");
    expect(text.split("\n")[0]).toBe("id,action,from,to,reason");
    expect(await readCorrectionsCsv(path)).toEqual(rows);
    const odd = [{ id: "a,b", action: "relabel" as const, from: 'x"y', to: "z", reason: "r" }];
    expect(parseCorrectionsCsv(correctionsCsv(odd))).toEqual(odd);
    expect(() => parseCorrectionsCsv("id,action,from,to,reason\nx,delete,a,,r\n", "c.csv")).toThrow(/c.csv line 2: action "delete"/);
  });

  it("applies corrections to manifest rows", () => {
    const manifest = ids.map((id, i) => ({ id, label: H_NAMES[H_LABELS[i]!]!, split: "train" }));
    const rows = corrections(report, { accept: { given: ["pole"] } });
    rows[2] = { ...rows[2]!, action: "remove", to: "" };
    const fixed = applyCorrections(manifest, rows);
    expect(fixed.relabeled).toEqual(["img2", "img3"]);
    expect(fixed.removed).toEqual(["img4"]);
    expect(fixed.rows).toHaveLength(19);
    expect(fixed.rows[2]).toEqual({ id: "img2", label: "flagpole", split: "train" });
    expect(manifest[2]!.label).toBe("pole");
  });

  it("bad input: a corrections file naming unknown samples; stale labels; duplicate ids", async () => {
    const manifest = ids.map((id, i) => ({ id, label: H_NAMES[H_LABELS[i]!]! }));
    const path = join(dir, "bad.csv");
    await writeFile(path, "id,action,from,to,reason\nimg2,relabel,pole,flagpole,x\nimg99,relabel,pole,flagpole,x\nghost,remove,,,x\n");
    let err: unknown;
    try {
      applyCorrections(manifest, await readCorrectionsCsv(path));
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
    expect((err as Error).message).toBe('the corrections name 2 samples not in the manifest (by "id"): "img99", "ghost"');
    expect((err as { details: { unknown: string[] } }).details.unknown).toEqual(["img99", "ghost"]);
    const stale = [{ id: "img5", action: "relabel" as const, from: "pole", to: "maypole", reason: "" }];
    expect(() => applyCorrections(manifest, stale)).toThrow(/expect label "pole" but the manifest has "flagpole"/);
    expect(applyCorrections(manifest, stale, { checkFrom: false }).relabeled).toEqual(["img5"]);
    expect(() => applyCorrections(manifest, [stale[0]!, stale[0]!], { checkFrom: false })).toThrow(/twice/);
    await expect(readCorrectionsCsv(join(dir, "missing.csv"))).rejects.toMatchObject({ code: "IO_ERROR" });
  });

  it("the label-array form is the §4.3 bulk fix", () => {
    const t = suggestedCorrections(H_LABELS, H_P);
    expect(applyCorrections(H_LABELS, t, { suggested: 1, action: "relabel" }).changed).toEqual([2, 3]);
  });
});

describe("corrections from multi-label and detection reports", () => {
  it("multi-label: one relabel per flagged example, sets joined by |", async () => {
    const { M_LABELS, M_NAMES, M_P } = await import("./test-fixtures.js");
    const dataset = createDataset({ multiLabels: M_LABELS, classes: M_NAMES });
    const registry = createRegistry().use(plugin);
    const r = await pipeline(dataset, { registry })
      .use(registry.factory("suggested-corrections")!(), registry.factory("multilabel-issues")!())
      .provide(artifacts.predProbs, { rows: 12, cols: 3, data: Float32Array.from(M_P.data) })
      .run();
    expect(corrections(r).map((c) => [c.id, c.action, c.from, c.to])).toEqual([
      ["7", "relabel", "sign", ""],
      ["8", "relabel", "light", "light|sign"],
      ["11", "relabel", "", "car"],
    ]);
  });

  it("detection: accept all proposes removing flagged images", async () => {
    const { detectionPredictionsArtifact } = await import("./index.js");
    const box = (x1: number, y1: number, x2: number, y2: number, label: number) => ({ x: x1, y: y1, width: x2 - x1, height: y2 - y1, label });
    const dataset = createDataset({ boxes: [[box(0, 0, 10, 10, 0), box(20, 20, 30, 30, 1)], [box(0, 0, 10, 10, 0)], [box(0, 0, 10, 10, 1)], [box(0, 0, 10, 10, 0)]], classes: ["a", "b"] });
    const preds = [
      [[[0, 0, 10, 10, 0.99]], [[20, 20, 30, 30, 0.98]]],
      [[[1, 1, 11, 11, 0.97]], [[40, 40, 50, 50, 0.96]]],
      [[[0, 0, 10, 10, 0.98]], []],
      [[[3, 3, 13, 13, 0.9]], []],
    ];
    const registry = createRegistry().use(plugin);
    const r = await pipeline(dataset, { registry }).use(registry.factory("detection-label-issues")!()).provide(detectionPredictionsArtifact, preds).run();
    expect(corrections(r, { accept: "all" }).map((c) => [c.id, c.action])).toEqual([["1", "remove"], ["2", "remove"]]);
    expect(corrections(r, { accept: "suggested" })).toEqual([]);
  });
});

describe("applyCorrectionsToManifestText", () => {
  const rows = [
    { id: "b.png", action: "relabel" as const, from: "cat", to: "dog", reason: "r" },
    { id: "c.png", action: "remove" as const, from: "dog", to: "", reason: "r" },
  ];

  it("CSV: relabels and drops records, every other byte unchanged", async () => {
    const { applyCorrectionsToManifestText } = await import("./workflow.js");
    const text = '\ufeffpath,label,note\r\na.png, cat ,"x,\ny"\r\n\r\nb.png,cat,  "q"\r\nc.png,dog,z\r\nd.png,dog,"w"';
    const r = applyCorrectionsToManifestText(text, rows, { format: "csv", ids: ["a.png", "b.png", "c.png", "d.png"] });
    expect(r.text).toBe('\ufeffpath,label,note\r\na.png, cat ,"x,\ny"\r\n\r\nb.png,dog,q\r\nd.png,dog,"w"');
    expect([r.relabeled, r.removed, r.labelField]).toEqual([["b.png"], ["c.png"], "label"]);
    // the id column is the default when no ids are given; multi-label cells compare as sets
    const multi = applyCorrectionsToManifestText("id,tags\n1,b;a\n2,a\n", [{ id: "1", action: "relabel", from: "a|b", to: "a", reason: "" }], { format: "csv" });
    expect(multi.text).toBe("id,tags\n1,a\n2,a\n");
  });

  it("JSONL: rewrites only the relabelled line, keeping value types", async () => {
    const { applyCorrectionsToManifestText } = await import("./workflow.js");
    const text = '{"path":"a.png","label":"cat"}\n\n{"path": "b.png", "label": "cat", "w": 1}\n{"path":"c.png","label":"dog"}\n{"path":"d.png","labels":[1,2],"label":"dog"}\n';
    const r = applyCorrectionsToManifestText(text, rows, { format: "jsonl", ids: ["a.png", "b.png", "c.png", "d.png"] });
    expect(r.text).toBe('{"path":"a.png","label":"cat"}\n\n{"path":"b.png","label":"dog","w":1}\n{"path":"d.png","labels":[1,2],"label":"dog"}\n');
    const nums = applyCorrectionsToManifestText('{"id":"x","label":3}\n', [{ id: "x", action: "relabel", from: "3", to: "5", reason: "" }], { format: "jsonl" });
    expect(nums.text).toBe('{"id":"x","label":5}\n');
  });

  it("bad input: unknown samples, stale labels, misaligned ids, no label column", async () => {
    const { applyCorrectionsToManifestText } = await import("./workflow.js");
    const text = "path,label\na.png,cat\nb.png,dog\n";
    const ids = ["a.png", "b.png"];
    let err: unknown;
    try {
      applyCorrectionsToManifestText(text, [{ id: "zz.png", action: "remove", from: "", to: "", reason: "" }], { format: "csv", ids, source: "m.csv" });
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
    expect((err as Error).message).toBe('the corrections name 1 sample not in the manifest (by "id"): "zz.png"');
    expect(() => applyCorrectionsToManifestText(text, [{ id: "a.png", action: "relabel", from: "dog", to: "cat", reason: "" }], { format: "csv", ids, source: "m.csv" })).toThrow(
      'm.csv: sample "a.png": the corrections expect label "dog" but the manifest has "cat"',
    );
    expect(() => applyCorrectionsToManifestText(text, [], { format: "csv", ids: ["a.png"], source: "m.csv" })).toThrow("m.csv has 2 records but 1 ids were given");
    expect(() => applyCorrectionsToManifestText("path,x\na,b\n", [], { format: "csv", ids: ["a"], source: "m.csv" })).toThrow(/m.csv has no label column \(expected one of label/);
    expect(() => applyCorrectionsToManifestText("{]\n", [], { format: "jsonl", source: "m.jsonl" })).toThrow(/m.jsonl line 1 is not valid JSON/);
  });
});
