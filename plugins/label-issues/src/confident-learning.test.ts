import { AssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import {
  calibrateConfidentJoint,
  computeConfidentJoint,
  estimateJoint,
  findLabelIssues,
  findLabelIssuesUsingArgmaxConfusionMatrix,
  findPredictedNeqGiven,
  keepAtLeast,
  numLabelIssues,
  roundPreservingSum,
} from "./confident-learning.js";
import { estimateLatent, estimatePyAndNoiseMatricesFromProbabilities } from "./latent.js";
import { getLabelQualityScores } from "./scores.js";
import { findOverlappingClasses, overallLabelHealthScore, rankClassesByLabelQuality } from "./summary.js";
import { close, DATASET_E_FLAGS, datasetE, mat, where } from "./test-helpers.js";
import { getConfidentThresholds } from "./thresholds.js";
import { FILTER_BY_MODES, type FilterBy } from "./types.js";

const expectClose = (a: ArrayLike<number>, e: readonly number[], tol = 1e-6) => {
  expect(close(a, e, tol), `${Array.from(a)} vs ${e}`).toBe(true);
};
const T = (m: ArrayLike<number>, K: number) => {
  const out = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) out[i * K + j] = m[j * K + i]!;
  return out;
};

describe("LI-1 tiny binary", () => {
  const labels = [0, 0, 0, 1, 1, 1];
  const P = mat([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.6, 0.4], [0.1, 0.9]]);
  it("thresholds and joints", () => {
    expectClose(getConfidentThresholds(labels, P), [0.666667, 0.7]);
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(cj.uncalibrated)).toEqual([2, 1, 0, 2]);
    expect(Array.from(cj.offDiagonalIndices)).toEqual([2]);
    expect(Array.from(cj.joint)).toEqual([2, 1, 0, 3]);
  });
  it("every filter_by", () => {
    for (const f of FILTER_BY_MODES) {
      expect(where(findLabelIssues(labels, P, { filterBy: f })), f).toEqual(f === "predicted_neq_given" ? [2, 4] : [2]);
    }
  });
  it("scores", () => {
    const sc = [0.9, 0.8, 0.3, 0.8, 0.4, 0.9];
    expectClose(getLabelQualityScores(labels, P), sc, 1e-12);
    expectClose(getLabelQualityScores(labels, P, { method: "normalized_margin" }), sc, 1e-12);
    expectClose(
      getLabelQualityScores(labels, P, { method: "confidence_weighted_entropy" }),
      [0.8048989459, 0.7126710489, 0.4665589858, 0.7126710489, 0.5074594331, 0.8048989459],
      1e-9,
    );
    const adj = [0.9032258065, 0.8064516129, 0.3225806452, 0.7741935484, 0.3870967742, 0.8709677419];
    expectClose(getLabelQualityScores(labels, P, { adjustPredProbs: true }), adj, 1e-9);
    expectClose(getLabelQualityScores(labels, P, { method: "normalized_margin", adjustPredProbs: true }), adj, 1e-9);
  });
  it("num_label_issues and joint", () => {
    expect(numLabelIssues(labels, P)).toBe(1);
    expect(numLabelIssues(labels, P, { estimationMethod: "off_diagonal_calibrated" })).toBe(1);
    expectClose(estimateJoint(labels, P), [1 / 3, 1 / 6, 0, 1 / 2], 1e-12);
  });
});

describe("LI-2 cleanlab's 10-row fixture", () => {
  const P = mat([[0.9, 0.1, 0], [0.6, 0.2, 0.2], [0.1, 0, 0.9], ...Array(6).fill([0.1, 0.8, 0.1]), [0.1, 0.1, 0.8]]);
  const labels = [0, 0, 1, 1, 1, 1, 1, 1, 1, 2];
  it("thresholds, joints, masks", () => {
    expectClose(getConfidentThresholds(labels, P), [0.75, 0.6857142857, 0.8], 1e-9);
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(cj.uncalibrated)).toEqual([1, 0, 0, 0, 6, 1, 0, 0, 1]);
    expect(Array.from(cj.joint)).toEqual([2, 0, 0, 0, 6, 1, 0, 0, 1]);
    expect(Array.from(cj.offDiagonalIndices)).toEqual([2]);
    for (const f of FILTER_BY_MODES) expect(where(findLabelIssues(labels, P, { filterBy: f })), f).toEqual([2]);
    expect(where(findLabelIssuesUsingArgmaxConfusionMatrix(labels, P))).toEqual([2]);
    expect(Array.from(findPredictedNeqGiven(labels, P))).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });
  it("scores", () => {
    expectClose(getLabelQualityScores(labels, P), [0.9, 0.6, 0, ...Array(7).fill(0.8)], 1e-12);
    expectClose(getLabelQualityScores(labels, P, { method: "normalized_margin" }), [0.9, 0.7, 0.05, ...Array(7).fill(0.85)], 1e-12);
    expectClose(
      getLabelQualityScores(labels, P, { method: "confidence_weighted_entropy" }),
      [0.8645935562, 0.6192070185, 0.000042574, ...Array(7).fill(0.7515409925)],
      1e-9,
    );
  });
  it("second fixture predicted_neq_given", () => {
    const P2 = mat([[0.9, 0.1, 0], [0.6, 0.2, 0.2], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8], [0.4, 0.5, 0.1]]);
    expect(Array.from(findPredictedNeqGiven([0, 0, 1, 1, 2], P2))).toEqual([0, 0, 1, 1, 1]);
  });
});

describe("LI-3 missing classes", () => {
  const labels = [0, 0, 2, 2];
  const P = mat([[0.9, 0, 0.1, 0], [0.8, 0, 0.2, 0], [0.1, 0, 0.9, 0], [0.95, 0, 0.05, 0]]);
  it("thresholds and joints", () => {
    expectClose(getConfidentThresholds(labels, P), [0.85, 2, 0.475, 2], 1e-12);
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(cj.uncalibrated)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(cj.joint)).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });
  it("masks", () => {
    for (const f of FILTER_BY_MODES) {
      if (f.startsWith("low_")) continue;
      expect(Array.from(findLabelIssues(labels, P, { filterBy: f })), f).toEqual([0, 0, 0, 1]);
      expect(Array.from(findLabelIssues([0, 0, 1, 1], mat([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05]]), { filterBy: f }))).toEqual([
        0, 0, 0, 1,
      ]);
      const P3 = mat([[0.9, 0.1, 0, 0], [0.8, 0.1, 0.1, 0], [0.1, 0, 0.9, 0], [0.9, 0.025, 0.025, 0.05]]);
      expect(Array.from(findLabelIssues(labels, P3, { filterBy: f }))).toEqual([0, 0, 0, 1]);
    }
  });
});

describe("LI-4 nothing confident", () => {
  it("identity joints", () => {
    const a = computeConfidentJoint([0, 1, 0], mat([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]), { thresholds: [0.51, 0.51], calibrate: false });
    expect(Array.from(a.joint)).toEqual([1, 0, 0, 1]);
    const P = mat([[0.1, 0.1, 0.8], [0.2, 0.2, 0.6], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]]);
    const b = computeConfidentJoint([0, 1, 2, 0, 1], P, { thresholds: [0.9, 0.9, 0.9], calibrate: false });
    expect(Array.from(b.joint)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe("LI-5 all labels flipped", () => {
  const labels = [0, 0, 0, 0, 1, 1, 1, 1];
  const P = mat([...Array(4).fill([0.2, 0.8]), ...Array(4).fill([0.8, 0.2])]);
  it("joints, flags, ranking, counts", () => {
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(cj.uncalibrated)).toEqual([1, 4, 4, 1]);
    expect(Array.from(cj.joint)).toEqual([1, 3, 3, 1]);
    expect(where(findLabelIssues(labels, P))).toEqual([0, 1, 2, 4, 5, 6]);
    expect(Array.from(findLabelIssues(labels, P, { returnIndicesRankedBy: "self_confidence" }))).toEqual([0, 1, 2, 4, 5, 6]);
    expect(numLabelIssues(labels, P)).toBe(8);
    expect(numLabelIssues(labels, P, { estimationMethod: "off_diagonal_calibrated" })).toBe(6);
  });
});

describe("LI-6 singleton class", () => {
  const labels = [0, 0, 0, 0, 1];
  const P = mat([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.2, 0.8], [0.9, 0.1]]);
  it("joints and flags", () => {
    expectClose(getConfidentThresholds(labels, P), [0.65, 0.1], 1e-12);
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(cj.uncalibrated)).toEqual([3, 1, 1, 1]);
    expect(Array.from(cj.joint)).toEqual([3, 1, 0, 1]);
    for (const f of ["prune_by_noise_rate", "prune_by_class", "both"] as FilterBy[]) expect(where(findLabelIssues(labels, P, { filterBy: f }))).toEqual([3]);
    for (const f of ["confident_learning", "predicted_neq_given", "low_self_confidence"] as FilterBy[]) {
      expect(where(findLabelIssues(labels, P, { filterBy: f })), f).toEqual([3, 4]);
    }
  });
});

describe("LI-7 rounding", () => {
  it("roundPreservingSum examples", () => {
    expect(Array.from(roundPreservingSum([0.5, 1.5, 2.5, 0.5]))).toEqual([0, 2, 2, 1]);
    expect(Array.from(roundPreservingSum([1.4, 1.4, 1.2]))).toEqual([1, 2, 1]);
    expect(Array.from(roundPreservingSum([2.6, 2.6, 0.8]))).toEqual([2, 3, 1]);
    expect(Array.from(roundPreservingSum([0.3, 0.3, 0.4]))).toEqual([0, 0, 1]);
    expect(Array.from(roundPreservingSum([2.5, 2.5]))).toEqual([2, 3]);
  });
  it("calibration", () => {
    const labels = [...Array(7).fill(0), ...Array(4).fill(1), ...Array(9).fill(2)];
    expect(Array.from(calibrateConfidentJoint([5, 1, 0, 2, 2, 2, 0, 1, 3], labels))).toEqual([6, 1, 0, 1, 1, 2, 0, 2, 7]);
  });
});

describe("LI-8 keepAtLeast", () => {
  const Ct = T([3, 2, 1, 0, 5, 0, 4, 0, 1], 3);
  it("spec matrices", () => {
    expect(Array.from(keepAtLeast(Ct, 3, 3))).toEqual([3, 0, 2, 2, 5, 0, 1, 0, 3]);
    expect(Array.from(keepAtLeast(Ct, 3, 3, 0.5))).toEqual([4, 0, 1, 1, 5, 0, 0, 0, 4]);
    expect(Array.from(keepAtLeast(Ct, 3, 1, 0.5))).toEqual([4, 0, 2, 1, 5, 0, 0, 0, 3]);
  });
  it("cleanlab's test matrix", () => {
    const C = [325, 16, 22, 47, 178, 10, 36, 8, 159];
    expect(Array.from(T(keepAtLeast(T(C, 3), 3, 5), 3))).toEqual(C);
    expect(Array.from(keepAtLeast(T(C, 3), 3, 0, 1))).toEqual(Array.from(T(C, 3)));
  });
});

describe("LI-9 confidence-weighted-entropy quirk", () => {
  it("scores", () => {
    const cwe = { method: "confidence_weighted_entropy" } as const;
    expectClose(getLabelQualityScores([0, 1], mat([[1, 0], [0, 1]]), cwe), [0, 0], 1e-12);
    expectClose(getLabelQualityScores([0, 1], mat([[1 - 1e-9, 1e-9], [0.5, 0.5]]), cwe), [0.03134005, 0.54930614], 1e-8);
    expectClose(getLabelQualityScores([1], mat([[1, 0]]), cwe), [0], 1e-12);
  });
});

describe("LI-10 dataset E", () => {
  const { labels, P } = datasetE();
  it("generator check", () => {
    expect(Array.from(labels.slice(0, 10))).toEqual([0, 2, 2, 0, 2, 1, 0, 1, 1, 0]);
    expect(Array.from(P.data.slice(0, 3))).toEqual([0.20833333333333334, 0.375, 0.4166666666666667]);
  });
  it("thresholds and joints", () => {
    expectClose(getConfidentThresholds(labels, P), [0.435618677407, 0.446133629874, 0.52989629283], 1e-11);
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(cj.uncalibrated)).toEqual([7, 1, 0, 2, 10, 0, 1, 2, 11]);
    expect(Array.from(cj.offDiagonalIndices)).toEqual([2, 12, 17, 27, 32, 42]);
    expect(Array.from(cj.joint)).toEqual([11, 2, 0, 3, 13, 0, 1, 3, 15]);
  });
  it("default flags per mode", () => {
    for (const f of FILTER_BY_MODES) expect(where(findLabelIssues(labels, P, { filterBy: f })), f).toEqual(DATASET_E_FLAGS[f]);
  });
  it("parameter variants", () => {
    for (const f of ["prune_by_noise_rate", "prune_by_class", "both"] as FilterBy[]) {
      expect(where(findLabelIssues(labels, P, { filterBy: f, minExamplesPerClass: 10 }))).toEqual([0, 2, 7, 12, 17, 27, 32, 42]);
    }
    expect(where(findLabelIssues(labels, P, { minExamplesPerClass: 17 }))).toEqual([2, 32]);
    expect(where(findLabelIssues(labels, P, { filterBy: "prune_by_class", minExamplesPerClass: 16 }))).toEqual([2, 27, 32]);
    expect(where(findLabelIssues(labels, P, { fracNoise: 0.5 }))).toEqual([2, 12, 17]);
    expect(where(findLabelIssues(labels, P, { filterBy: "prune_by_class", fracNoise: 0.5 }))).toEqual([12, 17, 27, 32, 42]);
    expect(where(findLabelIssues(labels, P, { filterBy: "both", fracNoise: 0.5 }))).toEqual([12, 17]);
    const r = [1, 2, 0];
    expect(where(findLabelIssues(labels, P, { numToRemovePerClass: r }))).toEqual([2, 12, 17]);
    expect(where(findLabelIssues(labels, P, { filterBy: "prune_by_class", numToRemovePerClass: r }))).toEqual([12, 17, 42]);
    expect(where(findLabelIssues(labels, P, { filterBy: "both", numToRemovePerClass: r }))).toEqual([12, 17]);
  });
  it("ranked output", () => {
    const rank = (o: Parameters<typeof findLabelIssues>[2]) => Array.from(findLabelIssues(labels, P, o as never) as Int32Array);
    expect(rank({ returnIndicesRankedBy: "self_confidence" })).toEqual([17, 12, 27, 42, 7, 0, 32, 2]);
    expect(rank({ returnIndicesRankedBy: "normalized_margin" })).toEqual([12, 27, 17, 42, 7, 2, 0, 32]);
    expect(rank({ returnIndicesRankedBy: "confidence_weighted_entropy" })).toEqual([17, 12, 42, 7, 0, 27, 32, 2]);
    expect(rank({ returnIndicesRankedBy: "self_confidence", rankByKwargs: { adjustPredProbs: true } })).toEqual([27, 17, 12, 42, 7, 0, 32, 2]);
    expect(rank({ filterBy: "low_self_confidence", returnIndicesRankedBy: "normalized_margin" })).toEqual([12, 27, 17, 42, 7, 0]);
  });
  it("score sums and first rows", () => {
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    const sc = getLabelQualityScores(labels, P);
    const nm = getLabelQualityScores(labels, P, { method: "normalized_margin" });
    expect(sum(sc)).toBeCloseTo(22.869210448053323, 9);
    expect(sum(nm)).toBeCloseTo(26.72785009177666, 9);
    expect(sum(getLabelQualityScores(labels, P, { method: "confidence_weighted_entropy" }))).toBeCloseTo(26.675930095171747, 9);
    expect(sum(getLabelQualityScores(labels, P, { adjustPredProbs: true }))).toBeCloseTo(21.590961296200785, 9);
    expect(sum(getLabelQualityScores(labels, P, { method: "normalized_margin", adjustPredProbs: true }))).toBeCloseTo(25.95081609203343, 9);
    expectClose(sc.slice(0, 4), [0.208333333333, 0.47619047619, 0.354838709677, 0.678571428571], 1e-11);
    expectClose(nm.slice(0, 4), [0.395833333333, 0.547619047619, 0.387096774194, 0.75], 1e-11);
  });
  it("num_label_issues, joint, latent", () => {
    expect(numLabelIssues(labels, P)).toBe(6);
    expect(numLabelIssues(labels, P, { estimationMethod: "off_diagonal_calibrated" })).toBe(9);
    const cal = computeConfidentJoint(labels, P).joint;
    expect(numLabelIssues(labels, P, { estimationMethod: "off_diagonal_custom", confidentJoint: cal })).toBe(9);
    expectClose(
      estimateJoint(labels, P),
      [0.229166666667, 0.041666666667, 0, 0.0625, 0.270833333333, 0, 0.020833333333, 0.0625, 0.3125],
      1e-11,
    );
    const nmExp = [0.733333, 0.111111, 0, 0.2, 0.722222, 0, 0.066667, 0.166667, 1];
    const invExp = [0.846154, 0.1875, 0.052632, 0.153846, 0.8125, 0.157895, 0, 0, 0.789474];
    for (const converge of [false, true]) {
      const lat = estimateLatent(cal, labels, { convergeLatentEstimates: converge });
      expectClose(lat.py, [0.3125, 0.375, 0.3125], 1e-6);
      expectClose(lat.noiseMatrix, nmExp, 1e-6);
      expectClose(lat.inverseNoiseMatrix, invExp, 1e-6);
    }
    const est = estimatePyAndNoiseMatricesFromProbabilities(labels, P);
    expectClose(est.py, [0.3125, 0.375, 0.3125], 1e-6);
  });
  it("dataset summaries", () => {
    const classNames = ["a", "b", "c"];
    const rows = rankClassesByLabelQuality({ labels, predProbs: P, classNames });
    const flat = rows.map((r) => [r.className, r.classIndex, r.labelIssues, r.inverseLabelIssues, r.labelNoise, r.inverseLabelNoise, r.labelQualityScore]);
    const exp = [
      ["c", 2, 4, 0, 0.210526, 0, 0.789474],
      ["b", 1, 3, 5, 0.1875, 0.277778, 0.8125],
      ["a", 0, 2, 4, 0.153846, 0.266667, 0.846154],
    ];
    flat.forEach((r, i) => {
      expect(r.slice(0, 4)).toEqual(exp[i]!.slice(0, 4));
      expectClose(r.slice(4) as number[], exp[i]!.slice(4) as number[], 1e-6);
    });
    const ov = findOverlappingClasses({ labels, predProbs: P }).map((r) => [r.classIndexA, r.classIndexB, r.numOverlappingExamples, r.jointProbability]);
    const ovExp = [[0, 1, 5, 0.104167], [1, 2, 3, 0.0625], [0, 2, 1, 0.020833]];
    ov.forEach((r, i) => {
      expect(r.slice(0, 3)).toEqual(ovExp[i]!.slice(0, 3));
      expect(r[3]!).toBeCloseTo(ovExp[i]![3]!, 6);
    });
    const asym = findOverlappingClasses({ labels, predProbs: P, asymmetric: true }).map((r) => [r.classIndexA, r.classIndexB, r.numOverlappingExamples]);
    expect(asym).toEqual([[1, 0, 3], [2, 1, 3], [0, 1, 2], [2, 0, 1], [0, 2, 0], [1, 2, 0]]);
    expect(overallLabelHealthScore({ labels, predProbs: P })).toBeCloseTo(0.875, 12);
  });
});

describe("LI-12 properties", () => {
  const { labels, P } = datasetE();
  it("hold on dataset E", () => {
    const K = 3;
    for (const f of FILTER_BY_MODES) {
      if (f.startsWith("low_")) continue;
      const m = findLabelIssues(labels, P, { filterBy: f });
      for (let i = 0; i < labels.length; i++) {
        const row = Array.from(P.data.slice(i * K, i * K + K));
        if (row.indexOf(Math.max(...row)) === labels[i]) expect(m[i]).toBe(0);
      }
    }
    const cj = computeConfidentJoint(labels, P, { calibrate: false });
    const tot = cj.uncalibrated.reduce((a, b) => a + b, 0);
    expect(cj.offDiagonalIndices.length).toBe(tot - (cj.uncalibrated[0]! + cj.uncalibrated[4]! + cj.uncalibrated[8]!));
    const sum = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    const n = numLabelIssues(labels, P);
    expect(sum(findLabelIssues(labels, P, { filterBy: "low_self_confidence" }))).toBe(n);
    expect(sum(findLabelIssues(labels, P, { filterBy: "low_normalized_margin" }))).toBe(n);
    expect(sum(findLabelIssues(labels, P, { filterBy: "confident_learning" }))).toBe(n);
    for (const opts of [{}, { fracNoise: 0.5 }, { minExamplesPerClass: 16 }]) {
      const b = findLabelIssues(labels, P, { ...opts, filterBy: "both" });
      const c = findLabelIssues(labels, P, { ...opts, filterBy: "prune_by_class" });
      const r = findLabelIssues(labels, P, { ...opts, filterBy: "prune_by_noise_rate" });
      expect(Array.from(b)).toEqual(Array.from(c, (v, i) => v & r[i]!));
    }
    const cal = computeConfidentJoint(labels, P).joint;
    expect([cal[0]! + cal[1]! + cal[2]!, cal[3]! + cal[4]! + cal[5]!, cal[6]! + cal[7]! + cal[8]!]).toEqual([13, 16, 19]);
    expect(Math.abs(estimateJoint(labels, P).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    for (const rb of ["self_confidence", "normalized_margin", "confidence_weighted_entropy"] as const) {
      const ranked = findLabelIssues(labels, P, { returnIndicesRankedBy: rb });
      expect([...ranked].sort((a, b) => a - b)).toEqual(where(findLabelIssues(labels, P)));
    }
  });
  it("prune_by_class with num_to_remove_per_class = 5 removes exactly 5 per class", () => {
    const n = 300;
    const K = 3;
    const labels2 = new Int32Array(n);
    const data = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      const y = i % K;
      labels2[i] = y;
      const w = [1 + ((i * 7) % 5), 1 + ((i * 11) % 7), 1 + ((i * 13) % 3)];
      // every 10th example of each class looks like the next class (argmax ≠ label), so the 5 lowest
      // P[i][y] of each class survive the near-tie reduction
      w[Math.floor(i / K) % 10 === 0 ? (y + 1) % K : y]! += 6;
      const s = w[0]! + w[1]! + w[2]!;
      for (let k = 0; k < K; k++) data[i * K + k] = w[k]! / s;
    }
    const P2 = { rows: n, cols: K, data };
    const m = findLabelIssues(labels2, P2, { filterBy: "prune_by_class", numToRemovePerClass: 5 });
    const perClass = [0, 0, 0];
    for (let i = 0; i < n; i++) if (m[i]) perClass[labels2[i]!]!++;
    expect(perClass).toEqual([5, 5, 5]);
  });
  it("tiny classes produce no flags with the default min_examples_per_class", () => {
    const labels3 = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const P3 = mat([[0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]]);
    const m = findLabelIssues(labels3, P3, { minExamplesPerClass: 3 });
    expect(where(m)).toEqual([]);
  });
});

describe("bad input", () => {
  const P = mat([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]);
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(AssayError);
      return [(e as AssayError).code, (e as AssayError).message];
    }
    return ["no error", ""];
  };
  it("NaN, negative, above 1", () => {
    const nan = mat([[0.9, 0.1], [Number.NaN, 0.8], [0.6, 0.4]]);
    expect(code(() => findLabelIssues([0, 1, 0], nan))).toEqual(["INVALID_INPUT", "pred_probs[1][0] is NaN; probabilities must lie in [0, 1]"]);
    const neg = mat([[0.9, 0.1], [-0.2, 0.8], [0.6, 0.4]]);
    expect(code(() => getLabelQualityScores([0, 1, 0], neg))[1]).toMatch(/pred_probs\[1\]\[0\] is negative/);
    const big = mat([[1.5, 0.1], [0.2, 0.8], [0.6, 0.4]]);
    expect(code(() => numLabelIssues([0, 1, 0], big))[1]).toMatch(/pred_probs\[0\]\[0\] is 1.5, above 1/);
    // within the 1e-6 slack is accepted
    expect(() => findLabelIssues([0, 1, 0], mat([[1 + 5e-7, -5e-7], [0.2, 0.8], [0.6, 0.4]]))).not.toThrow();
  });
  it("rows not summing to 1 are accepted (cleanlab does not require it)", () => {
    const loose = mat([[0.5, 0.1], [0.2, 0.5], [0.3, 0.2], [0.1, 0.6]]);
    expect(where(findLabelIssues([0, 1, 0, 1], loose))).toEqual([]);
  });
  it("wrong shape and length mismatch", () => {
    expect(code(() => findLabelIssues([0, 1, 0], { rows: 3, cols: 2, data: new Float64Array(5) }))).toEqual([
      "INVALID_INPUT",
      "pred_probs has 5 values but its shape 3×2 needs 6",
    ]);
    expect(code(() => findLabelIssues([0, 1], P))).toEqual(["INVALID_INPUT", "labels has 2 entries but pred_probs has 3 rows"]);
  });
  it("label ≥ K, negative, non-integer", () => {
    expect(code(() => findLabelIssues([0, 2, 1], P))).toEqual(["INVALID_INPUT", "labels[1] is 2 but pred_probs has only 2 columns (needs at least 3)"]);
    expect(code(() => findLabelIssues([0, -1, 1], P))).toEqual(["INVALID_INPUT", "labels[1] is -1; labels must be non-negative class indices"]);
    expect(code(() => findLabelIssues([0, 0.5, 1], P))[1]).toMatch(/labels\[1\] is 0.5; labels must be integer/);
    // Int32Array labels: the first offending entry, as with plain arrays
    expect(code(() => findLabelIssues(Int32Array.of(0, 2, -1), P))).toEqual(["INVALID_INPUT", "labels[1] is 2 but pred_probs has only 2 columns (needs at least 3)"]);
    expect(code(() => findLabelIssues(Int32Array.of(0, -1, 2), P))).toEqual(["INVALID_INPUT", "labels[1] is -1; labels must be non-negative class indices"]);
  });
  it("fewer than two classes", () => {
    expect(code(() => findLabelIssues([1, 1, 1], P))).toEqual(["INVALID_INPUT", "Labels must contain at least 2 classes (found 1 distinct class)"]);
    expect(where(findLabelIssues([0, 0, 0], P))).toEqual([]);
    expect(Array.from(getLabelQualityScores([1, 1, 1], P))).toEqual([0.1, 0.8, 0.4]);
  });
  it("a class with no examples and N < K are allowed", () => {
    const wide = mat([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1]]);
    expect(Array.from(getConfidentThresholds([0, 1], wide))).toEqual([0.7, 0.7, 2, 2]);
    expect(where(findLabelIssues([0, 1], wide))).toEqual([]);
  });
  it("multi-label given as single-label", () => {
    expect(code(() => findLabelIssues([[0], [0, 1], [1]] as unknown as number[], P))[1]).toMatch(
      /labels\[0\] is a list of classes: these look like multi-label labels/,
    );
  });
  it("bad options", () => {
    expect(code(() => findLabelIssues([0, 1, 0], P, { filterBy: "nope" as FilterBy }))[0]).toBe("INVALID_OPTION");
    expect(code(() => findLabelIssues([0, 1, 0], P, { filterBy: "confident_learning", numToRemovePerClass: 1 }))[0]).toBe("INVALID_OPTION");
    expect(code(() => numLabelIssues([0, 1, 0], P, { estimationMethod: "off_diagonal_custom" }))[0]).toBe("INVALID_OPTION");
    expect(code(() => numLabelIssues([0, 1, 0], P, { estimationMethod: "x" as never }))[0]).toBe("INVALID_OPTION");
    expect(code(() => getLabelQualityScores([0, 1, 0], P, { method: "confidence_weighted_entropy", adjustPredProbs: true }))[0]).toBe("INVALID_OPTION");
  });
  it("warnings", () => {
    const warnings: string[] = [];
    findLabelIssues([0, 1, 0], P, { filterBy: "confident_learning", fracNoise: 0.5, confidentJoint: [1, 0, 0, 1], onWarning: (w) => warnings.push(w) });
    expect(warnings.length).toBe(2);
    numLabelIssues([0, 1, 0], P, { confidentJoint: [1, 0, 0, 1], onWarning: (w) => warnings.push(w) });
    expect(warnings[2]).toMatch(/ignored/);
  });
});
