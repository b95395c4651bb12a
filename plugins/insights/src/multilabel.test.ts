import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import {
  multilabelCommonIssues,
  multilabelCorrections,
  multilabelFindLabelIssues,
  multilabelHealthSummary,
  multilabelIssuesPerClass,
  multilabelOverallHealthScore,
  multilabelQualityScores,
  multilabelQualityScoresPerClass,
  multilabelRankClasses,
  multilabelRankedIssues,
  multilabelSuggestedSets,
} from "./multilabel.js";
import { M_LABELS, M_NAMES, M_P } from "./test-fixtures.js";

const idx = (m: ArrayLike<number>) => Array.from(m).flatMap((v, i) => (v ? [i] : []));
const r6 = (xs: ArrayLike<number>) => Array.from(xs, (v) => +v.toFixed(6));

describe("DI-7 multi-label flagging on M", () => {
  it("flags [7, 8, 11] for every pruning mode, confident learning and low self-confidence", () => {
    for (const filterBy of ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "low_self_confidence"] as const) {
      expect(idx(multilabelFindLabelIssues(M_LABELS, M_P, { filterBy })), filterBy).toEqual([7, 8, 11]);
    }
    expect(idx(multilabelFindLabelIssues(M_LABELS, M_P, { filterBy: "predicted_neq_given" }))).toEqual([6, 7, 8, 11]);
    expect(Array.from(multilabelRankedIssues(M_LABELS, M_P))).toEqual([8, 7, 11]);
  });

  it("per-class mask and ranked lists", () => {
    const mask = multilabelIssuesPerClass(M_LABELS, M_P);
    expect(idx(mask)).toEqual([7 * 3 + 1, 8 * 3 + 1, 11 * 3 + 2]);
    const ranked = multilabelIssuesPerClass(M_LABELS, M_P, { rankBy: "self_confidence" });
    expect(ranked.ranked).toEqual([[], [8, 7], [11]]);
    expect(Array.from(ranked.binaryLabels[1]!)).toEqual([0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
    expect(ranked.binaryProbs[2]!.data[2 * 11 + 1]).toBeCloseTo(0.85, 12);
    const sets = multilabelSuggestedSets(M_LABELS, mask, 3);
    expect([sets[7], sets[8], sets[11]]).toEqual([[], [0, 1], [2]]);
  });
});

describe("DI-8 multi-label summaries and scores on M", () => {
  it("common issues", () => {
    const rows = multilabelCommonIssues(M_LABELS, M_P, { classNames: M_NAMES });
    expect(rows.map((r) => [r.classIndex, r.inGivenLabel, r.inSuggestedLabel, r.numExamples, +r.issueProbability.toFixed(6)])).toEqual([
      [1, true, false, 1, 0.083333],
      [1, false, true, 1, 0.083333],
      [2, false, true, 1, 0.083333],
      [0, true, false, 0, 0],
      [0, false, true, 0, 0],
      [2, true, false, 0, 0],
    ]);
    expect(rows[0]!.className).toBe("sign");
  });

  it("class ranking with the within-class extension", () => {
    const rows = multilabelRankClasses(M_LABELS, M_P);
    expect(rows.map((r) => [r.classIndex, r.labelIssues, r.inverseLabelIssues, +r.labelNoise.toFixed(6), +r.inverseLabelNoise.toFixed(6), +r.labelQuality.toFixed(6)])).toEqual([
      [1, 1, 1, 0.083333, 0.083333, 0.916667],
      [2, 0, 1, 0, 0.083333, 1],
      [0, 0, 0, 0, 0, 1],
    ]);
    expect(rows.map((r) => [+r.labelNoiseWithinClass.toFixed(6), +r.inverseLabelNoiseWithinClass.toFixed(6)])).toEqual([[0.2, 0.142857], [0, 0.125], [0, 0]]);
  });

  it("health score and summary", () => {
    expect(multilabelOverallHealthScore(M_LABELS, M_P)).toBe(0.75);
    const s = multilabelHealthSummary(M_LABELS, M_P);
    expect(Object.keys(s)).toEqual(["overallMultilabelHealthScore", "classesByMultilabelQuality", "commonMultilabelIssues"]);
    expect(s.overallMultilabelHealthScore).toBe(0.75);
  });

  it("quality scores (EMA, normalized margin, softmin, adjusted)", () => {
    const ema = [0.82, 0.822, 0.86, 0.726, 0.9, 0.902, 0.332, 0.284, 0.23, 0.822, 0.862, 0.3];
    expect(r6(multilabelQualityScores(M_LABELS, M_P))).toEqual(ema);
    expect(r6(multilabelQualityScores(M_LABELS, M_P, { method: "normalized_margin" }))).toEqual(ema);
    expect(r6(multilabelQualityScores(M_LABELS, M_P, { aggregator: { method: "softmin" } }))).toEqual([
      0.842388, 0.844159, 0.877407, 0.739525, 0.9, 0.911635, 0.201612, 0.151389, 0.101656, 0.844159, 0.883992, 0.150829,
    ]);
    expect(r6(multilabelQualityScores(M_LABELS, M_P, { adjustPredProbs: true }))).toEqual([
      0.758365, 0.815367, 0.786277, 0.760555, 0.846223, 0.786651, 0.421505, 0.315193, 0.222097, 0.834512, 0.791696, 0.271395,
    ]);
    const per = multilabelQualityScoresPerClass(M_LABELS, M_P);
    expect(r6(per.slice(18, 21))).toEqual([0.85, 0.9, 0.2]);
    expect(r6(per.slice(24, 27))).toEqual([0.7, 0.1, 0.95]);
  });

  it("correction table: common rows with examples, suggested sets", () => {
    const t = multilabelCorrections(M_LABELS, M_P);
    expect(t.rows.map((r) => [r.classIndex, r.inGivenLabel, r.examples])).toEqual([[1, true, [7]], [1, false, [8]], [2, false, [11]]]);
    expect(t.flagged).toEqual([7, 8, 11]);
    expect(t.suggested).toEqual([[], [0, 1], [2]]);
  });
});

describe("DI-10 multi-label degenerate and bad input", () => {
  const P = { rows: 3, cols: 2, data: new Float64Array(6).fill(0.5) };
  it("all rows with no labels: nothing flagged, zero rows, scores 0.5", () => {
    expect(idx(multilabelFindLabelIssues([[], [], []], P))).toEqual([]);
    const rows = multilabelCommonIssues([[], [], []], P);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.numExamples === 0)).toBe(true);
    expect(Array.from(multilabelQualityScores([[], [], []], P))).toEqual([0.5, 0.5, 0.5]);
  });

  it("ids outside 0…K−1 are an error (cleanlab silently drops them)", () => {
    const P4 = { rows: 4, cols: 2, data: new Float64Array(8).fill(0.5) };
    let err: unknown;
    try {
      multilabelFindLabelIssues([[0], [1], [5], [0]], P4);
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
    expect((err as Error).message).toMatch(/labels\[2\] contains 5/);
  });

  it("a row with no label list at all, and a class present everywhere, are errors", () => {
    expect(() => multilabelFindLabelIssues([[0], undefined as never, [1]], P)).toThrow(/labels\[1\] is undefined: a multi-label row must be a list/);
    expect(() => multilabelFindLabelIssues([[0], [0, 1], [0]], P)).toThrow(/class 0 is present in every example/);
  });
});
