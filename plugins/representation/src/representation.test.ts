import { AssayError, createDataset, pipeline } from "@assay/core";
import { describe, expect, it } from "vitest";
import { coverageAnalysisArtifact, gapsDetector, plugin, representationDetector } from "./index.js";
import { gapReport, renderGapTable, type CoverageRowLike, type GapReport } from "./gap-report.js";
import { roundHalfEven } from "@assay/math";
import { Ontology } from "./ontology.js";
import { SEED } from "./test-fixtures.js";
import { evaluateRepresentation, type RepresentationResult } from "./representation.js";

const counts = (o: Record<string, number>) => new Map(Object.entries(o));
const rows = (r: RepresentationResult) => r.worklist.map((w) => [w.concept, w.parent, w.action, w.count, w.target, w.deficit]);
const A = Ontology.fromHierarchy({ animal: { mammal: ["cat", "dog"], bird: ["owl", "hawk"] } });
const seedOntology = Ontology.fromHierarchy(SEED);
const seedCounts = counts({ airplane: 300, cat: 300, dog: 300, deer: 300, bird: 30, ship: 300, truck: 300, automobile: 300 });

describe("roundHalfEven", () => {
  it("matches Python round", () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.75, (1 / 10) * 2130, (1 / 6) * 3, (1 / 5) * 3].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, 3, 213, 0, 1]);
  });
});

describe("OR-2 seed representation", () => {
  const r = evaluateRepresentation({ ontology: seedOntology, counts: seedCounts });
  it("worklist, deficit, coverage", () => {
    expect(rows(r)).toEqual([
      ["frog", "amphibian", "acquire", 0, 213, 213],
      ["horse", "mammal", "acquire", 0, 213, 213],
      ["bird", "avian", "augment", 30, 213, 183],
    ]);
    expect(r.totalDeficit).toBe(609);
    expect(r.leafCoverage).toBe(0.8);
    expect(r.violations).toEqual([]);
    expect(r.darkBranches).toEqual([{ concept: "amphibian", label: "amphibian", leaves: 1 }]);
  });
  it("coverage facts", () => {
    const c = r.coverage;
    expect(["subject", "vehicle", "wheeled", "animal", "mammal", "avian", "amphibian"].map((x) => c.subtree.get(x))).toEqual([2130, 1200, 600, 930, 900, 30, 0]);
    expect(["subject", "animal", "mammal", "amphibian"].map((x) => c.coveredLeaves.get(x))).toEqual([[8, 10], [4, 6], [3, 4], [0, 1]]);
    expect([c.coveredChildren.get("animal"), c.coveredChildren.get("mammal")]).toEqual([[2, 3], [3, 4]]);
    expect([...c.coverageByDepth]).toEqual([[0, [1, 1]], [1, [2, 2]], [2, [5, 6]], [3, [8, 10]]]);
    expect(c.leafDistribution.get("cat")).toBeCloseTo(300 / 2130, 15);
    expect(c.leafDistribution.get("bird")).toBeCloseTo(0.014085, 6);
    expect([c.leafDistribution.get("horse"), c.leafDistribution.get("frog")]).toEqual([0, 0]);
  });
});

describe("OR-3 unmatched mass raises targets", () => {
  it("matches the DataEval docstring", () => {
    const o = Ontology.fromHierarchy({ vehicle: { land: ["car", "bike"], water: ["boat"], air: ["plane"] } });
    const r = evaluateRepresentation({ ontology: o, counts: counts({ person: 20, car: 24, boat: 22, plane: 27 }) });
    expect(r.total).toBe(93);
    expect(rows(r)).toEqual([["bike", "land", "acquire", 0, 23, 23], ["boat", "water", "augment", 22, 23, 1]]);
    expect(r.totalDeficit).toBe(24);
    expect(r.leafCoverage).toBe(0.75);
    expect([...r.coverage.unmatched]).toEqual([["person", 20]]);
    expect(r.darkBranches).toEqual([]);
  });
});

describe("OR-4 banker's rounding and sort ties", () => {
  it("total 10 → 2.5 → 2", () => {
    const r = evaluateRepresentation({ ontology: A, counts: counts({ cat: 8, dog: 2 }) });
    expect(rows(r)).toEqual([["hawk", "bird", "acquire", 0, 2, 2], ["owl", "bird", "acquire", 0, 2, 2]]);
    expect([r.totalDeficit, r.leafCoverage]).toEqual([4, 0.5]);
    expect(r.darkBranches.map((d) => [d.concept, d.leaves])).toEqual([["bird", 2]]);
  });
  it("total 14 → 3.5 → 4", () => {
    const r = evaluateRepresentation({ ontology: A, counts: counts({ cat: 12, dog: 2 }) });
    expect(rows(r).map((x) => [x[0], x[2], x[3], x[4], x[5]])).toEqual([["hawk", "acquire", 0, 4, 4], ["owl", "acquire", 0, 4, 4], ["dog", "augment", 2, 4, 2]]);
    expect(r.totalDeficit).toBe(10);
  });
  it("total 10 with owl 1", () => {
    const r = evaluateRepresentation({ ontology: A, counts: counts({ cat: 7, dog: 2, owl: 1 }) });
    expect(rows(r).map((x) => [x[0], x[2], x[3], x[4], x[5]])).toEqual([["hawk", "acquire", 0, 2, 2], ["owl", "augment", 1, 2, 1]]);
    expect(r.darkBranches).toEqual([]);
  });
  it("total 11 → 2.75 → 3", () => {
    const r = evaluateRepresentation({ ontology: A, counts: counts({ cat: 8, dog: 2, owl: 1 }) });
    expect(rows(r).map((x) => [x[0], x[3], x[4], x[5]])).toEqual([["hawk", 0, 3, 3], ["owl", 1, 3, 2], ["dog", 2, 3, 1]]);
    expect([r.totalDeficit, r.leafCoverage]).toEqual([6, 0.75]);
    expect(r.coverage.coveredLeaves.get("bird")).toEqual([1, 2]);
    expect([...r.coverage.coverageByDepth]).toEqual([[0, [1, 1]], [1, [2, 2]], [2, [3, 4]]]);
    expect(r.coverage.subtree.get("mammal")).toBe(10);
    expect(r.coverage.leafDistribution.get("cat")).toBe(0.7272727272727273);
  });
});

describe("OR-5 floors and violations", () => {
  it("resolves floors case-insensitively, ignores unknown names", () => {
    const r = evaluateRepresentation({
      ontology: A,
      counts: counts({ cat: 8, dog: 2, owl: 1 }),
      expected: { owl: 0.2, Hawk: 0.05, dog: 0.1, unicorn: 0.5, mammal: 0.3 },
    });
    expect(r.ignoredFloors).toEqual(["unicorn"]);
    expect([...r.targets]).toEqual([["cat", 3], ["dog", 1], ["owl", 2], ["hawk", 1]]);
    expect(rows(r).map((x) => [x[0], x[2], x[3], x[4], x[5]])).toEqual([["hawk", "acquire", 0, 1, 1], ["owl", "augment", 1, 2, 1]]);
    expect(r.totalDeficit).toBe(2);
    expect(r.violations.map((v) => [v.concept, v.floor, v.actual, v.shortfall])).toEqual([
      ["owl", 0.2, 0.09090909090909091, 1],
      ["hawk", 0.05, 0, 1],
      ["mammal", 0.3, 0, 3],
    ]);
  });
  it("rejects floors outside [0,1] and floors without leaves", () => {
    for (const bad of [1.5, -0.1, Number.NaN]) {
      const e = (() => {
        try {
          evaluateRepresentation({ ontology: A, counts: counts({}), expected: { cat: bad } });
        } catch (x) {
          return x as AssayError;
        }
      })();
      expect(e?.code).toBe("INVALID_OPTION");
    }
    expect(() => evaluateRepresentation({ ontology: Ontology.fromHierarchy([]), counts: counts({}), expected: { cat: 0.1 } })).toThrow(/no leaves/);
  });
});

describe("OR-6 DAG", () => {
  it("a shared leaf counts once per ancestor", () => {
    const o = Ontology.fromHierarchy({ vehicle: { land: ["car", "amphibious"], water: ["amphibious", "boat"] } });
    const r = evaluateRepresentation({ ontology: o, counts: counts({ amphibious: 4, car: 2 }) });
    expect(["vehicle", "land", "water"].map((x) => r.coverage.subtree.get(x))).toEqual([6, 6, 4]);
    expect([r.coverage.coveredLeaves.get("vehicle"), r.coverage.coveredLeaves.get("water")]).toEqual([[2, 3], [1, 2]]);
    expect([...r.coverage.coverageByDepth]).toEqual([[0, [1, 1]], [1, [2, 2]], [2, [2, 3]]]);
    expect(rows(r)).toEqual([["boat", "water", "acquire", 0, 2, 2]]);
    expect(r.leafCoverage).toBe(2 / 3);
  });
  it("variant with two roots", () => {
    const o = Ontology.fromHierarchy({ land: ["amphibious", "car"], water: ["amphibious", "boat"] });
    const r = evaluateRepresentation({ ontology: o, counts: counts({ car: 6, boat: 2 }) });
    expect(rows(r)).toEqual([["amphibious", "land, water", "acquire", 0, 3, 3], ["boat", "water", "augment", 2, 3, 1]]);
    expect(r.leafCoverage).toBe(0.6666666666666666);
  });
});

describe("OR-7 empty inputs", () => {
  it("no labels", () => {
    const r = evaluateRepresentation({ ontology: A, counts: counts({}) });
    expect([r.worklist, r.totalDeficit, r.leafCoverage]).toEqual([[], 0, 0]);
    expect(r.darkBranches.map((d) => [d.concept, d.leaves])).toEqual([["animal", 4]]);
    expect([...r.coverage.coverageByDepth]).toEqual([[0, [0, 1]], [1, [0, 2]], [2, [0, 4]]]);
    expect([...r.coverage.leafDistribution.values()]).toEqual([0, 0, 0, 0]);
  });
  it("empty ontology", () => {
    const r = evaluateRepresentation({ ontology: Ontology.fromHierarchy([]), counts: counts({ cat: 3 }) });
    expect([r.worklist, r.leafCoverage]).toEqual([[], 0]);
    expect([...r.coverage.unmatched]).toEqual([["cat", 3]]);
  });
  it("maximal dark branch, a root leaf", () => {
    const o = Ontology.fromHierarchy({ a: { a1: ["x", "y"] }, b: { b1: ["z"], b2: ["w"] }, c: null });
    const r = evaluateRepresentation({ ontology: o, counts: counts({ x: 3 }) });
    expect(r.darkBranches.map((d) => [d.concept, d.leaves])).toEqual([["b", 2]]);
    expect(rows(r)).toEqual([["c", "", "acquire", 0, 1, 1], ["w", "b2", "acquire", 0, 1, 1], ["y", "a1", "acquire", 0, 1, 1], ["z", "b1", "acquire", 0, 1, 1]]);
    expect(r.leafCoverage).toBe(0.2);
  });
});

describe("OR-8 ambiguous and unmatched names", () => {
  it("ambiguous mass goes nowhere but counts in the total", () => {
    const o = Ontology.fromConcepts([{ id: "a", label: "car" }, { id: "b", label: "auto", synonyms: ["car"] }, { id: "c", label: "truck" }]);
    const r = evaluateRepresentation({ ontology: o, counts: counts({ car: 5, truck: 3, person: 2 }) });
    expect([...r.coverage.ambiguous]).toEqual([["car", ["a", "b"]]]);
    expect([...r.coverage.unmatched]).toEqual([["person", 2]]);
    expect(r.total).toBe(10);
    expect(r.worklist.map((w) => [w.concept, w.label, w.parent, w.action, w.count, w.target, w.deficit])).toEqual([
      ["a", "car", "", "acquire", 0, 3, 3],
      ["b", "auto", "", "acquire", 0, 3, 3],
    ]);
    expect(r.leafCoverage).toBe(1 / 3);
  });
});

describe("OR-9 mass on an internal concept", () => {
  it("lights the chain; plant is the only maximal dark branch", () => {
    const o = Ontology.fromHierarchy({ animal: { mammal: ["cat", "dog"], bird: ["owl", "hawk"] }, plant: { tree: ["oak", "pine"], flower: ["rose"] } });
    const r = evaluateRepresentation({ ontology: o, counts: counts({ cat: 5, Bird: 3 }) });
    expect(r.total).toBe(8);
    expect([r.coverage.subtree.get("bird"), r.coverage.subtree.get("animal")]).toEqual([3, 8]);
    expect(r.darkBranches.map((d) => [d.concept, d.leaves])).toEqual([["plant", 3]]);
    expect(rows(r).map((x) => [x[0], x[2], x[3], x[4], x[5]])).toEqual(
      ["dog", "hawk", "oak", "owl", "pine", "rose"].map((l) => [l, "acquire", 0, 1, 1]),
    );
    expect(r.leafCoverage).toBe(0.14285714285714285);
  });
});

describe("§5.1 two ids sharing a name are summed (deviation)", () => {
  it("flat ontology", async () => {
    const ds = createDataset({ labels: [0, 0, 0, 0, 0, 1, 1, 1, 2, 2], classes: ["cat", "cat2", "dog"] });
    // Rename class 1 to "cat" through a label.stats artifact: counts {0:5, 1:3, 2:2}, names {cat, cat, dog}
    const { labelStats, labelStatsArtifact } = await import("@assay/label-stats");
    const stats = labelStats([0, 0, 0, 0, 0, 1, 1, 1, 2, 2], { index2label: { 0: "cat", 1: "cat", 2: "dog" }, itemIndices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const report = await pipeline(ds).use(representationDetector({ ontology: ["cat", "dog"] })).provide(labelStatsArtifact, stats).run();
    const result = report.results.representation!.result as RepresentationResult;
    expect(result.total).toBe(10);
    expect(rows(result)).toEqual([["dog", "", "augment", 2, 5, 3]]);
  });
});

// OR-11: the seed's coverage table
const seedCoverage: CoverageRowLike[] = (
  [
    ["ship", 0.159511, 0.375346, 0.0],
    ["automobile", 0.753621, 0.019326, 0.004739],
    ["truck", 0.897474, 0.198957, 0.332075],
    ["deer", 0.966829, 0.39621, 0.0],
    ["cat", 1.033171, 0.463797, 0.007752],
    ["airplane", 1.034478, 0.394918, 0.0],
    ["bird", 1.063318, null, 0.0],
    ["dog", 1.101978, 0.424772, 0.0],
  ] as const
).map(([c, d, i, n]) => ({ class: c, dispersion: d, isotropy: i, nearDuplicateFraction: n, assessable: true }));

describe("OR-11 gap report on the seed", () => {
  const rep = evaluateRepresentation({ ontology: seedOntology, counts: seedCounts });
  const g = gapReport({ ontology: seedOntology, representation: rep, coverage: seedCoverage });
  it("cutoffs and rows", () => {
    expect(g.cutoffs.dispersion).toBeCloseTo(0.5, 12);
    expect(g.cutoffs.isotropy).toBeCloseTo(0.197459, 12);
    expect(g.rows.map((r) => [r.class, r.count, r.labelStatus, r.gap])).toEqual([
      ["frog", 0, "missing", "acquire data (label gap)"],
      ["horse", 0, "missing", "acquire data (label gap)"],
      ["bird", 30, "under-collected", "collect more (label gap)"],
      ["ship", 300, "present", "broaden (clustered)"],
      ["truck", 300, "present", "deduplicate (repeated frames)"],
      ["automobile", 300, "present", "vary the axis (one-dimensional)"],
      ["airplane", 300, "present", "ok"],
      ["cat", 300, "present", "ok"],
      ["deer", 300, "present", "ok"],
      ["dog", 300, "present", "ok"],
    ]);
    const truck = g.rows.find((r) => r.class === "truck")!;
    expect([truck.dispersion, truck.isotropy, truck.nearDup].map((v) => Number(v!.toFixed(2)))).toEqual([0.9, 0.2, 0.33]);
  });
  it("branches", () => {
    const b = Object.fromEntries(g.branches.map((x) => [x.concept, [x.action, x.count, x.leavesNeedingAction]]));
    expect(b.amphibian).toEqual(["acquire", 0, ["frog"]]);
    expect(b.mammal).toEqual(["review", 900, ["horse"]]);
    expect(b.wheeled).toEqual(["review", 600, ["automobile", "truck"]]);
    expect(b.airborne).toEqual(["ok", 300, []]);
  });
  it("plain-text table", () => {
    const text = renderGapTable(g);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^class\s+count\s+label status\s+dispersion\s+isotropy\s+near-dup\s+gap$/);
    expect(lines[2]).toMatch(/^frog\s+0\s+missing\s+-\s+-\s+-\s+acquire data \(label gap\)$/);
    expect(text).toMatch(/truck\s+300\s+present\s+0\.90\s+0\.20\s+0\.33\s+deduplicate \(repeated frames\)/);
    expect(text).toContain("leaf coverage 80.0%, total deficit 609");
    expect(text).toMatch(/amphibian\s+2\s+0\s+0\/1\s+acquire data \(dark branch\)/);
  });
});

describe("OR-12 gap rule priority", () => {
  it("first rule wins", () => {
    const o = Ontology.fromHierarchy(["a", "b", "c", "d", "e", "f", "g"]);
    const rep = evaluateRepresentation({ ontology: o, counts: counts({ b: 1, c: 10, d: 10, e: 10, f: 10, g: 10 }) });
    expect(rep.worklist.map((w) => [w.concept, w.action])).toEqual([["a", "acquire"], ["b", "augment"]]);
    const cov: CoverageRowLike[] = (
      [
        ["b", 0.3, 0.5, 0.0, true],
        ["c", 0.4, 0.01, 0.5, true],
        ["d", 1.0, 0.3, 0.2, true],
        ["e", 1.2, 0.1, 0.1, true],
        ["f", null, null, null, false],
        ["g", 0.9, 0.6, 0.0, true],
      ] as const
    ).map(([c, d, i, n, a]) => ({ class: c, dispersion: d, isotropy: i, nearDuplicateFraction: n, assessable: a }));
    const g = gapReport({ ontology: o, representation: rep, coverage: { rows: cov } });
    expect([g.cutoffs.dispersion, g.cutoffs.isotropy]).toEqual([0.45, 0.15]);
    expect(g.rows.map((r) => [r.class, r.action])).toEqual([
      ["a", "acquire"],
      ["b", "collect_more"],
      ["c", "broaden"],
      ["d", "deduplicate"],
      ["e", "vary_axis"],
      ["f", "unassessed"],
      ["g", "ok"],
    ]);
  });
  it("rejects bad cut-offs", () => {
    const rep = evaluateRepresentation({ ontology: A, counts: counts({}) });
    expect(() => gapReport({ ontology: A, representation: rep, coverage: [], options: { dispersionFactor: 0 } })).toThrow(/dispersionFactor/);
  });
});

describe("detectors", () => {
  const names = ["cat", "dog", "deer", "bird", "person"];
  // cat 6, dog 6, deer 6, bird 1 (one sample), person 2 (outside the ontology); horse absent
  const labels = [...Array(6).fill(0), ...Array(6).fill(1), ...Array(6).fill(2), 3, 4, 4];
  const ds = createDataset({ labels, classes: names });
  const hierarchy = { animal: { mammal: ["cat", "dog", "deer", "horse"], avian: ["bird"] } };

  it("representation: findings name the action and the class", async () => {
    const report = await pipeline(ds).use(representationDetector({ ontology: hierarchy })).run();
    expect(report.status).toBe("ok");
    const f = report.findings.map((x) => [x.type, x.data?.class ?? x.data?.name, x.severity, x.indices.length]);
    // total 21, 5 leaves → 4.2 → 4: horse acquire 4, bird augment 1/4
    expect(f).toEqual([
      ["acquire", "horse", "error", 0],
      ["augment", "bird", "warning", 1],
      ["unmatched_label", "person", "warning", 2],
    ]);
    expect(report.findings[1]!.score).toBe(3 / 4);
    expect(report.findings[2]!.indices).toEqual([19, 20]);
    expect(report.results.representation!.summary).toMatchObject({ acquire: 1, augment: 1, total_deficit: 7, unmatched_labels: 2 });
  });

  it("gaps: needs the coverage artifact and emits one finding per non-ok leaf", async () => {
    const cov: CoverageRowLike[] = [
      { class: "cat", dispersion: 1, isotropy: 0.5, nearDuplicateFraction: 0, assessable: true },
      { class: "dog", dispersion: 0.2, isotropy: 0.5, nearDuplicateFraction: 0, assessable: true },
      { class: "deer", dispersion: 1.1, isotropy: 0.5, nearDuplicateFraction: 0, assessable: true },
      { class: "bird", dispersion: null, isotropy: null, nearDuplicateFraction: null, assessable: false },
    ];
    const report = await pipeline(ds)
      .use(gapsDetector({ ontology: Ontology.fromHierarchy(hierarchy) }))
      .provide(coverageAnalysisArtifact, { rows: cov })
      .run();
    expect(report.status).toBe("ok");
    expect(report.findings.map((x) => [x.type, x.data?.class, x.indices])).toEqual([
      ["acquire", "horse", []],
      ["collect_more", "bird", [18]],
      ["broaden", "dog", [6, 7, 8, 9, 10, 11]],
    ]);
    const g = report.results.gaps!.result as GapReport;
    expect(g.rows.map((r) => r.action)).toEqual(["acquire", "collect_more", "broaden", "ok", "ok"]);
  });

  it("gaps without a coverage provider fails at planning", async () => {
    expect(() => pipeline(ds).use(gapsDetector({ ontology: hierarchy })).plan()).toThrow(/coverage\.analysis/);
  });

  it("bad ontology options are clear errors", async () => {
    const cyc = await pipeline(ds).use(representationDetector({ ontology: { a: ["a"] } })).run();
    expect(cyc.nodes[0]!.error).toMatchObject({ code: "INVALID_INPUT", message: "Ontology contains a cycle involving 'a'" });
    // ontology is required: without it the factory refuses (so `assay audit` leaves the lens out)
    expect(() => representationDetector()).toThrow(/ontology/);
    expect(() => gapsDetector()).toThrow(/ontology/);
    expect(() => pipeline(ds).use(plugin)).toThrow(AssayError);
    expect(() => representationDetector({ ontology: 5 as never })).toThrow(AssayError);
    expect(() => representationDetector({ ontology: hierarchy, expected: { cat: 2 } })).toThrow(/expected/);
  });

  it("plugin lists both detectors", () => {
    expect(plugin.detectors.map((d) => d.nodeName)).toEqual(["representation", "gaps"]);
  });
});
