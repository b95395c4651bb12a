import { isAssayError } from "@assay/core";
import { Ontology } from "@assay/representation";
import { describe, expect, it } from "vitest";
import { healthSummary } from "./class-health.js";
import { suggestedCorrections } from "./corrections.js";
import { classPaths, ontologyRollup } from "./ontology.js";
import { H_LABELS, H_NAMES, H_P } from "./test-fixtures.js";

const ONTO = { pole: ["flagpole", "maypole"], reptile: ["green lizard", "anole"] };

describe("DI-5 ontology roll-up on H", () => {
  const summary = healthSummary({ labels: H_LABELS, predProbs: H_P, classNames: H_NAMES });
  const table = suggestedCorrections(H_LABELS, H_P, { classNames: H_NAMES });
  const r = ontologyRollup(ONTO, summary, table);

  it("resolves paths with the anchor", () => {
    expect(r.classes.map((c) => c.path)).toEqual([["pole"], ["pole"], ["pole"], ["reptile"], ["reptile"]]);
    expect(r.classes.map((c) => c.anchor)).toEqual([true, false, false, false, false]);
  });

  it("gives pair verdicts", () => {
    expect(r.verdicts.map((v) => [v.a, v.b, v.relation, v.category, +v.forward.toFixed(9), +v.backward.toFixed(9), v.asymmetry, v.dominant])).toEqual([
      [0, 1, "is-a", "ontology", 0.1, 0, 1, "a→b"],
      [3, 4, "sibling", "ontology", 0.05, 0.05, 0, "both"],
      [0, 2, "is-a", "ontology", 0.05, 0, 1, "a→b"],
      [2, 4, "cross-branch", "label-error", 0.05, 0, 1, "a→b"],
    ]);
    expect(r.verdicts[0]!.general).toBe(0);
    expect(r.verdicts[0]!.directionConsistent).toBe(true);
    expect(r.verdicts[2]!.directionConsistent).toBe(true);
    expect(r.verdicts[1]!.general).toBeUndefined();
  });

  it("rolls up to branches at depth 1", () => {
    expect(r.units).toEqual([{ name: "pole", members: [0, 1, 2] }, { name: "reptile", members: [3, 4] }]);
    expect(r.unitJoint.flat().map((v) => +v.toFixed(9))).toEqual([0.55, 0.05, 0, 0.4]);
    expect(r.branches.map((b) => [b.unit, b.labelIssues, b.inverseLabelIssues, +b.labelNoise.toFixed(6), +b.inverseLabelNoise.toFixed(6), +b.labelQuality.toFixed(6)])).toEqual([
      ["pole", 1, 0, 0.083333, 0, 0.916667],
      ["reptile", 0, 1, 0, 0.111111, 1],
    ]);
    expect(r.branchOverlaps.map((o) => [o.unitA, o.unitB, o.numOverlapping, +o.jointProbability.toFixed(9)])).toEqual([["pole", "reptile", 1, 0.05]]);
    expect(r.within).toBeCloseTo(0.25, 12);
    expect(r.cross).toBeCloseTo(0.05, 12);
    expect(r.withinShare).toBeCloseTo(0.833333, 6);
    expect(r.corrections.map((c) => [c.givenName, c.suggestedName, c.count, c.examples, c.mutual])).toEqual([
      ["pole", "pole", 3, [2, 3, 4], false],
      ["reptile", "reptile", 2, [19, 15], false],
      ["pole", "reptile", 1, [11], false],
    ]);
  });

  it("accepts an Ontology of @assay/representation", () => {
    const cp = classPaths(Ontology.fromHierarchy(ONTO), 5, H_NAMES);
    expect(cp.paths).toEqual([["pole"], ["pole"], ["pole"], ["reptile"], ["reptile"]]);
    expect(cp.anchors).toEqual([true, false, false, false, false]);
  });

  it("class indices as leaves; classes outside the ontology are cross-branch", () => {
    const rr = ontologyRollup({ reptile: [3, 4] }, summary, table);
    expect(rr.classes[0]!.path).toEqual([]);
    expect(rr.verdicts.find((v) => v.a === 0 && v.b === 1)!.relation).toBe("cross-branch");
    expect(rr.verdicts.find((v) => v.a === 3)!.relation).toBe("sibling");
    expect(rr.units.map((u) => u.name)).toEqual(["pole", "flagpole", "maypole", "reptile"]);
  });

  it("rejects bad ontologies with clear errors", () => {
    const cases: [unknown, RegExp][] = [
      [{ pole: ["flagpole", "pole"] }, /"pole" is listed twice/],
      [{ x: ["kangaroo"] }, /"kangaroo" is not one of the dataset's classes \(unknown class\)/],
      [{ "": ["anole"] }, /empty branch key/],
      [{ a: ["anole"], b: ["anole"] }, /listed twice/],
    ];
    for (const [onto, msg] of cases) {
      let err: unknown;
      try {
        classPaths(onto as never, 5, H_NAMES);
      } catch (e) {
        err = e;
      }
      expect(isAssayError(err, "INVALID_INPUT"), String(msg)).toBe(true);
      expect((err as Error).message).toMatch(msg);
    }
    expect(() => classPaths({ a: ["anole"] }, 5)).toThrow(/no class names are known/);
  });
});
