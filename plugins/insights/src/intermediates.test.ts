// The label-issues intermediates the spec lists for DI-1 and DI-7, checked through @assay/label-issues'
// public API (insights builds on exactly these), and empty classes through every insights function.
import { computeConfidentJoint, computeMultiLabelConfidentJoint, findLabelIssues, getConfidentThresholds, getMultiLabelConfidentThresholds, numLabelIssues } from "@assay/label-issues";
import { describe, expect, it } from "vitest";
import { healthSummary } from "./class-health.js";
import { suggestedCorrections } from "./corrections.js";
import { ontologyRollup } from "./ontology.js";
import { H_C_CAL, H_C_RAW, H_LABELS, H_P, M_LABELS, M_P } from "./test-fixtures.js";

const r6 = (xs: ArrayLike<number>) => Array.from(xs, (v) => +v.toFixed(6));
const idx = (m: ArrayLike<number>) => Array.from(m).flatMap((v, i) => (v ? [i] : []));

describe("DI-1 intermediates", () => {
  it("thresholds, confident joints, flags", () => {
    expect(r6(getConfidentThresholds(H_LABELS, H_P))).toEqual([0.356, 0.86, 0.61, 0.6425, 0.6275]);
    const cj = computeConfidentJoint(H_LABELS, H_P);
    expect(Array.from(cj.uncalibrated)).toEqual(H_C_RAW.flat());
    expect(Array.from(cj.joint)).toEqual(H_C_CAL.flat());
    expect(idx(findLabelIssues(H_LABELS, H_P))).toEqual([2, 3, 4, 11, 15, 19]);
    expect(idx(findLabelIssues(H_LABELS, H_P, { filterBy: "confident_learning" }))).toEqual([2, 3, 4, 11, 15, 19]);
    expect(numLabelIssues(H_LABELS, H_P)).toBe(6);
  });
});

describe("DI-7 intermediates", () => {
  it("per-class thresholds and confident joints", () => {
    expect(r6(getMultiLabelConfidentThresholds(M_LABELS, M_P))).toEqual([0.9, 0.84, 0.778571, 0.71, 0.81875, 0.65]);
    expect(Array.from(computeMultiLabelConfidentJoint(M_LABELS, M_P))).toEqual([7, 0, 0, 5, 6, 1, 1, 4, 7, 1, 0, 4]);
    expect(Array.from(computeMultiLabelConfidentJoint(M_LABELS, M_P, { calibrate: false }))).toEqual([6, 0, 0, 3, 6, 1, 1, 4, 7, 1, 0, 3]);
  });
});

describe("empty classes (§10: allowed, never NaN)", () => {
  // class 2 ("c") has no examples; rows 3 and 4 (labelled b) look like c
  const labels = [0, 0, 0, 1, 1, 1, 1, 0];
  const P = {
    rows: 8,
    cols: 3,
    data: Float64Array.from([0.8, 0.1, 0.1, 0.7, 0.2, 0.1, 0.9, 0.05, 0.05, 0.1, 0.1, 0.8, 0.05, 0.15, 0.8, 0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1]),
  };
  const names = ["a", "b", "c"];

  it("health, corrections and the roll-up handle a class nobody has", () => {
    const s = healthSummary({ labels, predProbs: P, classNames: names });
    const c = s.classesByLabelQuality.find((r) => r.className === "c")!;
    expect(c.labelQuality).toBe(1);
    expect(c.labelIssues).toBe(0);
    const flat = [...s.joint.flat(), ...s.classesByLabelQuality.flatMap((r) => [r.labelNoise, r.inverseLabelNoise]), ...s.overlappingClasses.map((r) => r.jointProbability)];
    expect(flat.every(Number.isFinite)).toBe(true);
    const t = suggestedCorrections(labels, P, { classNames: names, mask: [0, 0, 0, 1, 1, 0, 0, 0] });
    expect(t.cells.map((x) => [x.givenName, x.suggestedName, x.examples])).toEqual([["b", "c", [3, 4]]]);
    expect(t.givenCounts).toEqual([4, 4, 0]);
    const roll = ontologyRollup({ top: ["a", "b"], other: ["c"] }, s, t);
    expect([roll.within, roll.cross, roll.withinShare].every(Number.isFinite)).toBe(true);
    expect(roll.branches.every((b) => Number.isFinite(b.labelQuality))).toBe(true);
  });
});
