import { describe, expect, it } from "vitest";
import { findLabelIssues } from "./confident-learning.js";
import { getLabelQualityEnsembleScores, getLabelQualityScores } from "./scores.js";
import { FILTER_BY_MODES } from "./types.js";
import { healthSummary } from "./summary.js";
import { datasetE } from "./test-helpers.js";

describe("LI-10 health_summary (spec §11)", () => {
  it("gives the overall score, the class ranking and the overlapping pairs of dataset E", () => {
    const { labels, P } = datasetE();
    const h = healthSummary({ labels, predProbs: P, classNames: ["a", "b", "c"] });
    expect(h.overallLabelHealthScore).toBe(0.875);
    expect(h.classesByLabelQuality.map((r) => [r.className, r.classIndex, r.labelIssues, r.inverseLabelIssues])).toEqual([
      ["c", 2, 4, 0],
      ["b", 1, 3, 5],
      ["a", 0, 2, 4],
    ]);
    expect(h.overlappingClasses.map((r) => [r.classIndexA, r.classIndexB, r.numOverlappingExamples, +r.jointProbability.toFixed(6)])).toEqual([
      [0, 1, 5, 0.104167],
      [1, 2, 3, 0.0625],
      [0, 2, 1, 0.020833],
    ]);
    expect(h.joint[3]).toBeCloseTo(0.0625, 12);
  });
});

describe("get_label_quality_ensemble_scores weights (spec §8)", () => {
  const { labels, P } = datasetE();
  const single = getLabelQualityScores(labels, P);
  // a second model: every row's probabilities rotated by one class (accuracy differs)
  const Q = { rows: P.rows, cols: 3, data: Float64Array.from(P.data, (_, i) => P.data[i - (i % 3) + ((i % 3) + 1) % 3]!) };
  const other = getLabelQualityScores(labels, Q);
  it("uniform = plain average; custom weights used as given; accuracy ∝ argmax accuracy", () => {
    const u = getLabelQualityEnsembleScores(labels, [P, Q], { weightEnsembleMembersBy: "uniform" });
    const c = getLabelQualityEnsembleScores(labels, [P, Q], { weightEnsembleMembersBy: "custom", customWeights: [2, 1] });
    const a = getLabelQualityEnsembleScores(labels, [P, Q]);
    const acc = (M: typeof P) => {
      let hits = 0;
      for (let i = 0; i < M.rows; i++) {
        const r = Array.from(M.data.subarray(i * 3, i * 3 + 3));
        if (r.indexOf(Math.max(...r)) === labels[i]) hits++;
      }
      return hits / M.rows;
    };
    const [wa, wb] = [acc(P), acc(Q)];
    for (let i = 0; i < labels.length; i++) {
      expect(u[i]).toBeCloseTo((single[i]! + other[i]!) / 2, 14);
      expect(c[i]).toBeCloseTo(2 * single[i]! + other[i]!, 14);
      expect(a[i]).toBeCloseTo((wa * single[i]! + wb * other[i]!) / (wa + wb), 14);
    }
    // one model: every weighting returns that model's scores
    expect(Array.from(getLabelQualityEnsembleScores(labels, [P], { weightEnsembleMembersBy: "log_loss_search" }))).toEqual(Array.from(single));
    expect(() => getLabelQualityEnsembleScores(labels, [P, Q], { weightEnsembleMembersBy: "custom" })).toThrow(/customWeights/);
  });
});

describe("value-range validation fused into every pass (spec §1)", () => {
  const { labels, P } = datasetE();
  const cases: [number, number, string][] = [
    [Number.NaN, 0, "pred_probs[30][0] is NaN"],
    [-0.01, 1, "pred_probs[30][1] is negative (-0.01)"],
    [1.5, 2, "pred_probs[30][2] is 1.5, above 1"],
  ];
  for (const f32 of [false, true]) {
    it(`every score method and filter_by mode names the bad value (${f32 ? "float32" : "float64"})`, async () => {
      for (const [v, col, msg] of cases) {
        const data = f32 ? Float32Array.from(P.data) : Float64Array.from(P.data);
        data[30 * 3 + col] = v;
        const bad = { rows: 48, cols: 3, data };
        const shown = f32 ? msg.replace("-0.01", String(Math.fround(-0.01))) : msg;
        for (const method of ["self_confidence", "normalized_margin", "confidence_weighted_entropy"] as const) {
          expect(() => getLabelQualityScores(labels, bad, { method }), method).toThrow(shown);
        }
        expect(() => getLabelQualityScores(labels, bad, { adjustPredProbs: true })).toThrow(shown);
        for (const mode of FILTER_BY_MODES) expect(() => findLabelIssues(labels, bad, { filterBy: mode }), mode).toThrow(shown);
      }
    });
  }
  it("values within 1e-6 of [0, 1] are accepted; entropy still needs [0, 1]", () => {
    const data = Float64Array.from(P.data);
    data[5 * 3] = -5e-7;
    const p = { rows: 48, cols: 3, data };
    expect(() => findLabelIssues(labels, p)).not.toThrow();
    expect(() => getLabelQualityScores(labels, p, { method: "normalized_margin" })).not.toThrow();
    expect(() => getLabelQualityScores(labels, p, { method: "confidence_weighted_entropy" })).toThrow(/entropy needs valid probabilities/);
  });
});
