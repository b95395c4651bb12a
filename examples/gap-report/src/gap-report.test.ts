import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isAssayError, serializeReport } from "@assay/core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DATA_DIR, runGapReport, type GapReportExampleResult } from "./gap-report.js";

interface Expected {
  representation: "acquire" | "augment" | "ok";
  gap_action: string;
  gap: string;
  label_status: string;
  assessable?: boolean;
}
interface Planted {
  counts: { rows: number; per_class: Record<string, number>; leaves: number; representation_target: number };
  gaps: { class: string; gap: string; rows: number[]; expected: Expected }[];
  normal_classes: { class: string; rows_count: number; expected: Expected }[];
}

const planted = JSON.parse(readFileSync(join(DEFAULT_DATA_DIR, "planted.json"), "utf8")) as Planted;
const allLeaves = [...planted.gaps, ...planted.normal_classes];

describe("gap-report example on examples/data/fashion-gaps (encoder embeddings)", () => {
  let run: GapReportExampleResult;
  beforeAll(async () => {
    run = await runGapReport();
  });
  const row = (name: string) => run.gaps.rows.find((r) => r.class === name);

  it("runs label-stats, representation, coverage and gaps in one pipeline over every image", () => {
    expect(run.report.status).toBe("ok");
    expect(run.report.dataset.size).toBe(planted.counts.rows);
    expect(run.report.nodes.map((n) => n.name).sort()).toEqual(
      ["coverage", "coverage.analysis", "gaps", "label-stats", "label.stats", "model-embeddings", "representation"].sort(),
    );
    expect(run.dims).toBe(64);
    expect(run.gaps.rows).toHaveLength(planted.counts.leaves);
  });

  it.each(planted.gaps.map((g) => [g.class, g.gap, g] as const))("planted %s (%s) gets its action", (name, _gap, g) => {
    const r = row(name)!;
    expect(r).toBeDefined();
    expect(r.action).toBe(g.expected.gap_action);
    expect(r.gap).toBe(g.expected.gap);
    expect(r.labelStatus).toBe(g.expected.label_status);
    expect(r.count).toBe(g.rows.length);
    // the gaps finding is typed by the action and sits on exactly the class's rows
    const findings = run.report.findings.filter((f) => f.detector === "gaps" && f.data?.class === name);
    expect(findings.map((f) => f.type)).toEqual([g.expected.gap_action]);
    expect(findings[0]!.indices).toEqual(g.rows);
    // representation: acquire / augment rows only for the label gaps
    const rep = run.report.findings.filter((f) => f.detector === "representation" && f.data?.class === name).map((f) => f.type);
    expect(rep).toEqual(g.expected.representation === "ok" ? [] : [g.expected.representation]);
    if (g.expected.assessable !== undefined) {
      const cov = (run.report.results.coverage!.result as { rows: { class: string; assessable: boolean }[] }).rows.find((c) => c.class === name)!;
      expect(cov.assessable).toBe(g.expected.assessable);
    }
  });

  it.each(planted.normal_classes.map((c) => [c.class, c] as const))("clean class %s is ok with no finding", (name, c) => {
    const r = row(name)!;
    expect(r.action).toBe("ok");
    expect(r.gap).toBe("ok");
    expect(r.count).toBe(c.rows_count);
    expect(run.report.findings.filter((f) => (f.detector === "gaps" || f.detector === "representation") && f.data?.class === name)).toEqual([]);
  });

  it("the planted signals clear their cut-offs with margin (values as measured when the data was built)", () => {
    const { cutoffs } = run.gaps;
    expect(cutoffs.dispersion).toBeCloseTo(0.5, 6); // 0.5 × median dispersion, and the median class is 1 by definition
    const sandal = row("Sandal")!;
    const pullover = row("Pullover")!;
    const bag = row("Bag")!;
    expect(sandal.dispersion).toBeCloseTo(0.22, 2);
    expect(pullover.nearDup).toBeCloseTo(0.34, 2);
    expect(pullover.dispersion!).toBeGreaterThan(0.8); // the 200 real pullovers keep the spread normal (≈ 0.95)
    expect(bag.isotropy).toBeCloseTo(0.035, 3);
    expect(bag.isotropy!).toBeLessThan(cutoffs.isotropy! / 2);
    expect(bag.nearDup!).toBeLessThan(0.1);
    for (const c of planted.normal_classes) {
      const r = row(c.class)!;
      expect(r.dispersion!).toBeGreaterThan(0.8);
      expect(r.isotropy!).toBeGreaterThan(cutoffs.isotropy! * 1.5);
      expect(r.nearDup!).toBeLessThan(0.05);
    }
  });

  it("gap findings: one per leaf that needs action, in rank order; branches and totals as planted", () => {
    const expected = planted.gaps.map((g) => [g.expected.gap_action, g.class]);
    const rank = ["acquire", "collect_more", "broaden", "deduplicate", "vary_axis"];
    expected.sort((a, b) => rank.indexOf(a[0]!) - rank.indexOf(b[0]!) || (a[1]! < b[1]! ? -1 : 1));
    expect(run.report.findings.filter((f) => f.detector === "gaps").map((f) => [f.type, f.data?.class])).toEqual(expected);
    const target = planted.counts.representation_target;
    const deficit = planted.gaps.filter((g) => g.expected.representation !== "ok").reduce((s, g) => s + target - g.rows.length, 0);
    expect(run.gaps.totalDeficit).toBe(deficit); // 225 + 225 + 220
    expect(run.gaps.leafCoverage).toBeCloseTo(10 / 12, 12);
    const branch = (c: string) => run.gaps.branches.find((b) => b.concept === c)!;
    expect(branch("one_piece").action).toBe("ok");
    expect(branch("accessories")).toMatchObject({ action: "review", coveredLeaves: [1, 2], count: 300 });
    expect(branch("clothing").leavesNeedingAction).toHaveLength(planted.gaps.length);
  });

  it("prints the table and serialises the report with the gap rows", () => {
    for (const g of allLeaves) {
      const count = "rows" in g ? g.rows.length : g.rows_count;
      expect(run.table).toMatch(new RegExp(`^${g.class}\\s+${count}\\s+.*${g.expected.gap.replace(/[()]/g, "\\$&")}$`, "m"));
    }
    expect(run.table).toMatch(/leaf coverage 83\.3%, total deficit 670/);
    const json = JSON.parse(serializeReport(run.report, { timings: false }));
    expect(json.results.gaps.result.rows.map((r: { class: string }) => r.class)).toEqual(run.gaps.rows.map((r) => r.class));
    expect(json.findings.filter((f: { detector: string }) => f.detector === "gaps")).toHaveLength(planted.gaps.length);
  });

  it("the committed embeddings.npy reproduces the live encoder's report", async () => {
    const fromFile = await runGapReport({ embeddings: "file" });
    expect(fromFile.report.nodes.some((n) => n.name === "model-embeddings")).toBe(false);
    expect(fromFile.gaps.rows.map((r) => [r.class, r.action])).toEqual(run.gaps.rows.map((r) => [r.class, r.action]));
    for (const r of fromFile.gaps.rows) {
      const live = row(r.class)!;
      for (const key of ["dispersion", "isotropy", "nearDup"] as const) {
        if (live[key] === null) expect(r[key]).toBeNull();
        else expect(r[key]).toBeCloseTo(live[key]!, 4);
      }
    }
  });

  it("bad input is a typed error naming the problem", async () => {
    const source = await runGapReport({ embeddings: "pixels" as never }).catch((e: unknown) => e);
    expect(isAssayError(source, "INVALID_OPTION")).toBe(true);
    expect((source as Error).message).toMatch(/"pixels"/);
    const missing = await runGapReport({ dataDir: "/nonexistent/fashion-gaps" }).catch((e: unknown) => e);
    expect(isAssayError(missing)).toBe(true);
    expect((missing as Error).message).toMatch(/nonexistent/);
  });
});
