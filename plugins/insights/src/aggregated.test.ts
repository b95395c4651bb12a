// Class health, overlapping classes and suggested corrections from aggregated inputs (the confident joint
// and two numbers per row), as a chunked pass over a pred_probs matrix that is never resident gives them.
import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { findOverlappingClasses, healthSummary, overallLabelHealthScore } from "./class-health.js";
import { suggestedCorrections, suggestedCorrectionsFromRows } from "./corrections.js";
import { H_LABELS, H_NAMES, H_P } from "./test-fixtures.js";

// DI-1: uncalibrated confident joint of H (ΣC = 19) and the default flags
const C = [2, 2, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 1, 0, 0, 0, 3, 1, 0, 0, 0, 1, 3];
const FLAGS = [2, 3, 4, 11, 15, 19];
const mask = Uint8Array.from(H_LABELS, (_, i) => (FLAGS.includes(i) ? 1 : 0));

/** Argmax and self-confidence per row, as a streamed pass keeps them. */
function rowQuantities() {
  const suggested = new Int32Array(20);
  const selfConfidence = new Float32Array(20);
  for (let i = 0; i < 20; i++) {
    let best = 0;
    for (let k = 1; k < 5; k++) if (H_P.data[i * 5 + k]! > H_P.data[i * 5 + best]!) best = k;
    suggested[i] = best;
    selfConfidence[i] = H_P.data[i * 5 + H_LABELS[i]!]!;
  }
  return { suggested, selfConfidence };
}

describe("class health from the confident joint + labels + a streamed issue count", () => {
  it("equals the labels + pred_probs summary of DI-1/DI-3", () => {
    const full = healthSummary({ labels: H_LABELS, predProbs: H_P, classNames: H_NAMES });
    const agg = healthSummary({ confidentJoint: C, labels: H_LABELS, numLabelIssues: 6, classNames: H_NAMES });
    expect(agg.overallLabelHealthScore).toBeCloseTo(0.7, 12);
    expect(agg.numIssues).toBe(6);
    expect(agg.numExamples).toBe(20);
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) expect(agg.joint[a]![b]).toBeCloseTo(full.joint[a]![b]!, 12);
    expect(agg.classesByLabelQuality.map((r) => [r.classIndex, r.labelIssues, r.inverseLabelIssues])).toEqual([
      [0, 3, 0],
      [2, 1, 1],
      [3, 1, 1],
      [4, 1, 2],
      [1, 0, 2],
    ]);
    expect(agg.classesByLabelQuality).toEqual(full.classesByLabelQuality);
    expect(agg.overlappingClasses).toEqual(full.overlappingClasses);
    const top = findOverlappingClasses({ confidentJoint: C, labels: H_LABELS }).slice(0, 4);
    expect(top.map((r) => [r.classIndexA, r.classIndexB, r.numOverlapping])).toEqual([
      [0, 1, 2],
      [3, 4, 2],
      [0, 2, 1],
      [2, 4, 1],
    ]);
  });

  it("without numLabelIssues the score is the trace; a bad count is an error", () => {
    expect(overallLabelHealthScore({ confidentJoint: C, labels: H_LABELS }).score).toBeCloseTo(0.7, 12);
    let err: unknown;
    try {
      overallLabelHealthScore({ confidentJoint: C, labels: H_LABELS, numLabelIssues: 21 });
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
    expect((err as Error).message).toBe("numLabelIssues must be a whole number in 0…20 (got 21)");
  });
});

describe("suggestedCorrectionsFromRows", () => {
  it("builds the DI-4 table from per-row argmax and self-confidence", () => {
    const { suggested, selfConfidence } = rowQuantities();
    const t = suggestedCorrectionsFromRows({ labels: H_LABELS, suggested, selfConfidence, mask, numClasses: 5, classNames: H_NAMES });
    expect(t.rows.map((r) => [r.givenName, r.suggestedName, r.count, r.mutual, r.examples])).toEqual([
      ["pole", "flagpole", 2, false, [2, 3]],
      ["pole", "maypole", 1, false, [4]],
      ["maypole", "anole", 1, false, [11]],
      ["green lizard", "anole", 1, true, [15]],
      ["anole", "green lizard", 1, true, [19]],
    ]);
    expect([t.numFlagged, t.totalRows, t.unchanged]).toEqual([6, 5, 0]);
    const full = suggestedCorrections(H_LABELS, H_P, { classNames: H_NAMES, mask });
    expect(t.cells.map((c) => ({ ...c, selfConfidence: c.selfConfidence.map((x) => Math.round(x * 1e6)) }))).toEqual(
      full.cells.map((c) => ({ ...c, selfConfidence: c.selfConfidence.map((x) => Math.round(x * 1e6)) })),
    );
  });

  it("rejects misaligned or out-of-range inputs", () => {
    const { suggested, selfConfidence } = rowQuantities();
    expect(() => suggestedCorrectionsFromRows({ labels: H_LABELS, suggested: suggested.subarray(1), selfConfidence, mask, numClasses: 5 })).toThrow(
      "suggested has 19 entries but there are 20 labels",
    );
    const bad = Int32Array.from(suggested);
    bad[2] = 7;
    expect(() => suggestedCorrectionsFromRows({ labels: H_LABELS, suggested: bad, selfConfidence, mask, numClasses: 5 })).toThrow("suggested[2] is 7; expected a class index in 0…4");
    expect(() => suggestedCorrectionsFromRows({ labels: H_LABELS, suggested, selfConfidence, mask, numClasses: 1 })).toThrow(/numClasses must be a whole number ≥ 2/);
    expect(() => suggestedCorrectionsFromRows({ labels: H_LABELS, suggested, selfConfidence, mask, numClasses: 5, classNames: ["a"] })).toThrow(/classNames has 1 entries/);
  });
});
