import { artifacts, createDataset, pipeline, serializeReport, type Float32Matrix } from "@assay/core";
import { plugin as coveragePlugin } from "@assay/coverage";
import { createRng } from "@assay/math";
import { describe, expect, it } from "vitest";
import { renderGapTable, type GapReport } from "./gap-report.js";
import { gapsDetector, representationDetector } from "./index.js";

/**
 * Planted gaps on synthetic 8-d embeddings: an absent class, a tiny class, a class padded with
 * near-copies of one sample, a class stretched along one direction, a tightly clustered class.
 */
function planted() {
  const rng = createRng(7);
  const d = 8;
  const classes = ["shirt", "pullover", "coat", "dress", "sneaker", "boot", "sandal", "bag"];
  const rows: number[][] = [];
  const labels: number[] = [];
  const add = (label: number, v: number[]) => {
    rows.push(v);
    labels.push(label);
  };
  const gaussian = (scale: number) => Array.from({ length: d }, () => scale * rng.normal());
  for (const c of [0, 1, 2]) for (let i = 0; i < 60; i++) add(c, gaussian(1).map((x, j) => x + (j === c ? 6 : 0)));
  for (let i = 0; i < 60; i++) add(3, gaussian(0.2).map((x, j) => x + (j === 3 ? 6 : 0))); // dress: clustered
  for (let i = 0; i < 60; i++) {
    const t = 3 * rng.normal();
    add(4, gaussian(0.3).map((x, j) => x + (j === 4 ? 6 + t : 0))); // sneaker: one direction
  }
  const frame = gaussian(1).map((x, j) => x + (j === 5 ? 6 : 0));
  for (let i = 0; i < 40; i++) add(5, gaussian(1).map((x, j) => x + (j === 5 ? 6 : 0)));
  for (let i = 0; i < 20; i++) add(5, frame.map((x) => x + 1e-3 * rng.normal())); // boot: 20 near-copies
  for (let i = 0; i < 3; i++) add(6, gaussian(1).map((x, j) => x + (j === 6 ? 6 : 0))); // sandal: tiny
  // bag (7): absent
  const embeddings: Float32Matrix = { rows: rows.length, cols: d, data: Float32Array.from(rows.flat()) };
  const dataset = createDataset({ labels, classes });
  return { dataset, embeddings };
}

const hierarchy = { clothing: { tops: ["shirt", "pullover", "coat", "dress"], footwear: ["sneaker", "boot", "sandal"], accessories: ["bag"] } };

describe("gap report end to end (coverage plugin + representation)", () => {
  it("gives each planted gap the right action", async () => {
    const { dataset, embeddings } = planted();
    const report = await pipeline(dataset)
      .use(coveragePlugin, representationDetector({ ontology: hierarchy }), gapsDetector({ ontology: hierarchy }))
      .provide(artifacts.embeddings, embeddings)
      .run();
    expect(report.status).toBe("ok");
    const gaps = report.results.gaps!.result as GapReport;
    const action = Object.fromEntries(gaps.rows.map((r) => [r.class, r.action]));
    expect(action).toEqual({
      bag: "acquire",
      sandal: "collect_more",
      dress: "broaden",
      boot: "deduplicate",
      sneaker: "vary_axis",
      shirt: "ok",
      pullover: "ok",
      coat: "ok",
    });
    const gapFindings = report.findings.filter((f) => f.detector === "gaps").map((f) => [f.type, f.data?.class]);
    expect(gapFindings).toEqual([
      ["acquire", "bag"],
      ["collect_more", "sandal"],
      ["broaden", "dress"],
      ["deduplicate", "boot"],
      ["vary_axis", "sneaker"],
    ]);
    expect(gaps.branches.find((b) => b.concept === "accessories")!.action).toBe("acquire");
    expect(renderGapTable(gaps)).toMatch(/bag\s+0\s+missing/);
    const json = JSON.parse(serializeReport(report, { timings: false }));
    expect(json.results.gaps.result.rows[0]).toMatchObject({ class: "bag", action: "acquire", gap: "acquire data (label gap)" });
    expect(json.results.representation.result.coverage.subtree.clothing).toBe(363);
    expect(json.results.coverage.result.rows).toHaveLength(7);
  });
});
