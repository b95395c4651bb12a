// End-to-end: the built CLI (dist/bin.js) with @assay/label-issues installed in the workspace, on
// small .npy arrays (--labels/--pred-probs/--embeddings) and on a small image folder (datalab preset).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "@assay/core";
import { encodeNpy } from "@assay/io";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datalabSection } from "./report-sections.js";
import { binPath } from "./test-fixtures.js";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface JsonReport {
  status: string;
  nodes: { name: string; status: string; plugin?: string }[];
  findings: { detector: string; type: string; indices: number[]; ids: string[] }[];
}

let root: string;

function assay(args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [binPath, ...args], { cwd: root, env: { PATH: process.env.PATH ?? "", CI: "true", NO_COLOR: "1" }, timeout: 90_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function readReport(file: string): Promise<JsonReport> {
  return JSON.parse(await readFile(join(root, file), "utf8")) as JsonReport;
}

const flagged = (r: JsonReport, type: string) => r.findings.filter((f) => f.type === type).flatMap((f) => f.indices).sort((a, b) => a - b);

// 36 rows, 3 classes of 12 (rows 0–11 class 0, 12–23 class 1, 24–35 class 2).
const N = 36;
const K = 3;
const cls = (i: number) => Math.floor(i / 12);

/** pred_probs that agree with the labels, except rows 4 (model: class 1) and 20 (model: class 2). */
function predProbs(): Float32Array {
  const p = new Float32Array(N * K);
  for (let i = 0; i < N; i++) {
    const conf = 0.7 + ((i * 7) % 5) * 0.05;
    for (let k = 0; k < K; k++) p[i * K + k] = k === cls(i) ? conf : (1 - conf) / 2;
  }
  p.set([0.05, 0.9, 0.05], 4 * K);
  p.set([0.04, 0.06, 0.9], 20 * K);
  return p;
}

/** 2-D embeddings: one cluster per class (centres (0,0), (4,0), (0,4)); `outlier` moves row 30 far away. */
function embeddings(outlier: boolean): Float32Array {
  const e = new Float32Array(N * 2);
  for (let i = 0; i < N; i++) {
    e[2 * i] = [0, 4, 0][cls(i)]! + ((i * 13) % 7) / 10;
    e[2 * i + 1] = [0, 0, 4][cls(i)]! + ((i * 5) % 9) / 10;
  }
  if (outlier) e.set([30, -30], 60);
  return e;
}

/** A 16×16 gray PNG: "dark" = low noise, "bright" = high noise, "stripes" = vertical bars; seeded by `seed`. */
function png(kind: "dark" | "bright" | "stripes", seed: number): Promise<Buffer> {
  const px = Buffer.alloc(16 * 16);
  let s = seed * 2654435761 + 12345;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const noise = (s >>> 16) % 24;
    const x = i % 16;
    px[i] = kind === "dark" ? 10 + noise : kind === "bright" ? 210 + noise : (x >> 1) % 2 === 0 ? 230 - noise : 20 + noise;
  }
  return sharp(px, { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "assay-cli-datalab-"));
  const labels = Int32Array.from({ length: N }, (_, i) => cls(i));
  await writeFile(join(root, "y.npy"), encodeNpy(labels));
  await writeFile(join(root, "p.npy"), encodeNpy(predProbs(), [N, K]));
  await writeFile(join(root, "e.npy"), encodeNpy(embeddings(true), [N, 2]));
  await writeFile(join(root, "e-clean.npy"), encodeNpy(embeddings(false), [N, 2]));
  const noisy = Int32Array.from(labels);
  noisy[4] = 1;
  noisy[20] = 2;
  await writeFile(join(root, "y-noisy.npy"), encodeNpy(noisy));
  const nan = predProbs();
  nan[7 * K + 1] = Number.NaN;
  await writeFile(join(root, "p-nan.npy"), encodeNpy(nan, [N, K]));
  // image folder: 3 classes × 14 images, one stripes image filed under dark/
  for (const kind of ["dark", "bright", "stripes"] as const) {
    await mkdir(join(root, "images", kind), { recursive: true });
    for (let j = 0; j < 14; j++) await writeFile(join(root, "images", kind, `${kind}-${String(j).padStart(2, "0")}.png`), await png(kind, j + 100 * kind.length));
  }
  await writeFile(join(root, "images", "dark", "dark-99.png"), await png("stripes", 999));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("assay audit --detectors label-issues on arrays", () => {
  it("flags the rows whose pred_probs contradict the label and prints the Datalab text report", async () => {
    const r = await assay(["audit", "--labels", "y.npy", "--pred-probs", "p.npy", "--detectors", "label-issues", "--out", "li.json", "--no-progress"]);
    expect(r.code).toBe(0);
    const report = await readReport("li.json");
    expect(report.nodes.map((n) => n.name)).toEqual(["label-issues"]);
    expect(flagged(report, "label")).toEqual([4, 20]);
    expect(r.stdout).toContain('label "0" is likely wrong; the model predicts "1" (p=0.900)');
    expect(r.stdout).toContain("Datalab report (@assay/label-issues)\n\nDataset Information: num_examples: 36, num_classes: 3\n");
    expect(r.stdout).toMatch(/issue_type {2}num_issues\n {5}label {11}2\n/);
    expect(r.stdout).toMatch(/\n4 +True +0\.050000 +0 +1\n20 +True +0\.060000 +1 +2\n/);
  });

  it("--fail-on warning exits 1 on label issues; --quiet prints nothing", async () => {
    const r = await assay(["audit", "--labels", "y.npy", "--pred-probs", "p.npy", "--detectors", "label-issues", "--fail-on", "warning", "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('assay: --fail-on warning: 2 findings at or above "warning"\n');
  });

  it("runs the datalab preset on arrays: label rows from pred_probs, the outlier from the embeddings", async () => {
    const r = await assay(["audit", "--labels", "y.npy", "--pred-probs", "p.npy", "--embeddings", "e.npy", "--detectors", "datalab", "--out", "dl.json", "--no-progress"]);
    expect(r.code).toBe(0);
    const report = await readReport("dl.json");
    expect(report.status).toBe("ok");
    const names = report.nodes.map((n) => n.name);
    // pred_probs and embeddings come from the files: no extractor computes them
    expect(names).not.toContain("cross-val-pred-probs");
    expect(names).not.toContain("pixel-embedding");
    expect(names).toEqual(expect.arrayContaining(["knn-graph", "label-issues", "datalab-outlier", "datalab-near-duplicate", "datalab-null", "datalab-non-iid"]));
    expect(report.nodes.every((n) => n.status === "ok")).toBe(true);
    expect(flagged(report, "label")).toEqual([4, 20]);
    expect(flagged(report, "outlier")).toEqual([30]);
    expect(flagged(report, "near_duplicate")).toEqual([]);
    expect(r.stdout).toContain("----------------------- label issues -----------------------");
    expect(r.stdout).toContain("---------------------- outlier issues ----------------------");
  });

  it("computes cross-validated pred_probs from --embeddings when --pred-probs is absent", async () => {
    const r = await assay(["audit", "--labels", "y-noisy.npy", "--embeddings", "e-clean.npy", "--detectors", "label-issues", "--out", "cv.json", "--quiet"]);
    expect(r.code).toBe(0);
    const report = await readReport("cv.json");
    expect(report.nodes.map((n) => `${n.name}:${n.status}`)).toEqual(["cross-val-pred-probs:ok", "label-issues:ok"]);
    expect(flagged(report, "label")).toEqual([4, 20]);
  });

  it("rejects bad arrays with one line and exit code 2", async () => {
    const [nan, cols, none] = await Promise.all([
      assay(["audit", "--labels", "y.npy", "--pred-probs", "p-nan.npy", "--detectors", "label-issues"]),
      assay(["audit", "--labels", "y.npy", "--pred-probs", "e.npy", "--detectors", "label-issues"]),
      // nothing can provide pred_probs: no file, no embeddings, no images
      assay(["audit", "--labels", "y.npy", "--detectors", "label-issues"]),
    ]);
    expect(nan.code).toBe(2);
    expect(nan.stderr).toContain("assay: INVALID_INPUT: --pred-probs p-nan.npy holds NaN at row 7, column 1\n");
    expect(cols.code).toBe(2);
    expect(cols.stderr).toContain("assay: INVALID_INPUT: e.npy has 2 columns but the dataset has 3 classes; pred_probs needs one column per class\n");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('assay: NODE_FAILED: label-issues did not run: needs "pred_probs"');
    for (const r of [nan, cols, none]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("assay audit <images> --detectors datalab", () => {
  it("embeds the images, cross-validates pred_probs and flags the misfiled image", async () => {
    const r = await assay(["audit", "images", "--detectors", "datalab", "--out", "img.json", "--no-progress"]);
    expect(r.code).toBe(0);
    const report = await readReport("img.json");
    const names = report.nodes.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(["pixel-embedding", "cross-val-pred-probs", "knn-graph", "label-issues", "datalab-outlier", "datalab-underperforming-group"]));
    expect(report.nodes.every((n) => n.status === "ok")).toBe(true);
    const labelFindings = report.findings.filter((f) => f.type === "label");
    expect(labelFindings.map((f) => f.ids[0])).toEqual(["dark/dark-99.png"]);
    expect(r.stdout).toContain("Datalab report (@assay/label-issues)\n\nDataset Information: num_examples: 43, num_classes: 3\n");
    expect(r.stdout).toMatch(/----------------------- label issues -----------------------[\s\S]*\n\d+ +True +[0-9.]+ +dark +stripes\n/);
  });
});

describe("datalabSection", () => {
  const report = {
    nodes: [{ name: "label-issues", kind: "detector", plugin: "@assay/label-issues", status: "ok" }],
  } as unknown as Report;
  const plugin = { name: "@assay/label-issues", version: "0.1.0" };

  it("is undefined when @assay/label-issues is not installed, so the CLI works without it", () => {
    expect(datalabSection(report, [])).toBeUndefined();
    const other = { packageName: "assay-plugin-x", packageVersion: "1", directory: "/x", plugin: { name: "x", version: "1" }, module: {} };
    expect(datalabSection(report, [other])).toBeUndefined();
  });

  it("calls the installed package's datalabTextReport only when one of its detectors ran", () => {
    const calls: unknown[] = [];
    const module = { datalabTextReport: (_r: Report, o: unknown) => (calls.push(o), "TEXT\n") };
    const found = { packageName: "@assay/label-issues", packageVersion: "0.1.0", directory: "/li", plugin, module };
    expect(datalabSection(report, [found], 3)).toBe("TEXT\n");
    expect(calls).toEqual([{ numExamples: 3 }]);
    const notRun = { nodes: [{ name: "label-issues", kind: "detector", plugin: "@assay/label-issues", status: "skipped" }] } as unknown as Report;
    expect(datalabSection(notRun, [found])).toBeUndefined();
    expect(datalabSection(report, [{ ...found, module: {} }])).toBeUndefined();
  });
});
