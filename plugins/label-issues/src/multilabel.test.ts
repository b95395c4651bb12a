import { describe, expect, it } from "vitest";
import {
  computeMultiLabelConfidentJoint,
  findMultiLabelIssues,
  findMultiLabelIssuesPerClass,
  findMultiLabelPredictedNeqGiven,
  getMultiLabelClassScores,
  getMultiLabelConfidentThresholds,
  getMultiLabelQualityScores,
  aggregateScores,
  numMultiLabelIssues,
} from "./multilabel.js";
import { close, mat } from "./test-helpers.js";
import { FILTER_BY_MODES } from "./types.js";

describe("LI-11 multi-label fixture", () => {
  const P = mat([[0.9, 0.1, 0, 0.4], [0.7, 0.8, 0.2, 0.3], [0.9, 0.8, 0.4, 0.2], [0.1, 0.1, 0.8, 0.3], [0.4, 0.5, 0.1, 0.1]]);
  const labels = [[0], [0, 1], [0, 1], [2], [0, 2, 3]];
  const joints = [1, 0, 0, 4, 3, 0, 0, 2, 3, 0, 1, 1, 3, 1, 0, 1];
  it("thresholds and joints", () => {
    expect(close(getMultiLabelConfidentThresholds(labels, P), [0.9, 0.725, 0.766667, 0.8, 0.8, 0.45, 0.7, 0.1], 1e-6)).toBe(true);
    expect(Array.from(computeMultiLabelConfidentJoint(labels, P))).toEqual(joints);
  });
  it("every filter_by flags example 4", () => {
    for (const f of FILTER_BY_MODES) {
      expect(Array.from(findMultiLabelIssues(labels, P, { filterBy: f })), f).toEqual([0, 0, 0, 0, 1]);
      for (const r of ["self_confidence", "normalized_margin", "confidence_weighted_entropy"] as const) {
        expect(Array.from(findMultiLabelIssues(labels, P, { filterBy: f, returnIndicesRankedBy: r }))).toEqual([4]);
      }
      expect(Array.from(findMultiLabelIssues(labels, P, { filterBy: f, confidentJoint: { shape: [4, 2, 2], data: joints } }))).toEqual([0, 0, 0, 0, 1]);
      const warnings: string[] = [];
      const m = findMultiLabelIssues(labels, P, { filterBy: f, confidentJoint: { shape: [4, 4], data: new Array(16).fill(1) }, onWarning: (w) => warnings.push(w) });
      expect(Array.from(m)).toEqual([0, 0, 0, 0, 1]);
      expect(warnings.some((w) => /ignored/.test(w))).toBe(true);
    }
  });
  it("per-class masks", () => {
    const cells = (f: (typeof FILTER_BY_MODES)[number]) => {
      const m = findMultiLabelIssuesPerClass(labels, P, { filterBy: f });
      const out: [number, number][] = [];
      m.forEach((v, j) => v && out.push([Math.floor(j / 4), j % 4]));
      return out;
    };
    for (const f of ["prune_by_noise_rate", "prune_by_class", "both"] as const) expect(cells(f)).toEqual([[4, 2]]);
    for (const f of ["confident_learning", "low_self_confidence", "low_normalized_margin"] as const) expect(cells(f)).toEqual([[4, 2], [4, 3]]);
    expect(cells("predicted_neq_given")).toEqual([[4, 0], [4, 2], [4, 3]]);
  });
  it("standalone predicted_neq_given", () => {
    expect(Array.from(findMultiLabelPredictedNeqGiven(labels, P))).toEqual([0, 0, 0, 0, 1]);
  });
  it("scores", () => {
    const s = getMultiLabelQualityScores(labels, P);
    expect(close(s, [0.6608, 0.704, 0.6408, 0.724, 0.1128], 1e-9)).toBe(true);
    const per = getMultiLabelClassScores(labels, P);
    expect(close(per.slice(0, 4), [0.9, 0.9, 1.0, 0.6], 1e-12)).toBe(true);
    expect(close(per.slice(16, 20), [0.4, 0.5, 0.1, 0.1], 1e-12)).toBe(true);
    expect(close(getMultiLabelQualityScores(labels, P, { method: "normalized_margin" }), Array.from(s), 1e-12)).toBe(true);
    const soft = getMultiLabelQualityScores(labels, P, { aggregator: { method: "softmin" } });
    expect(close(soft, [0.633275639, 0.7268941421, 0.6523077999, 0.7554893393, 0.1107646376], 1e-9)).toBe(true);
    expect(numMultiLabelIssues(labels, P)).toBe(1);
  });
  it("EMA worked examples", () => {
    expect(close(aggregateScores([0.9, 0.9, 0.3, 0.4, 0.9, 0.6], 2, 3), [0.42, 0.452], 1e-12)).toBe(true);
  });
  it("a class present in every example is an error; an absent one is fine", () => {
    const P2 = mat([[0.9, 0.2], [0.8, 0.7], [0.7, 0.1], [0.95, 0.4]]);
    expect(() => findMultiLabelIssues([[0], [0, 1], [0], [0]], P2)).toThrow(/Labels must contain at least 2 classes/);
    expect(Array.from(findMultiLabelIssues([[0], [0, 1], [], [0]], P2))).toEqual([0, 0, 0, 0]);
  });
  it("single-label labels given to the multi-label functions", () => {
    expect(() => findMultiLabelIssues([0, 1, 2, 0, 1] as never, P)).toThrow(/labels\[0\] is 0; multi-label labels must be a list/);
  });
});
