import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { findOverlappingClasses, healthSummary, overallLabelHealthScore, rankClassesByLabelQuality } from "./class-health.js";
import { H_C_RAW, H_J, H_LABELS, H_NAMES, H_P } from "./test-fixtures.js";

const tuple = (r: { classIndex: number; labelIssues: number; inverseLabelIssues: number; labelNoise: number; inverseLabelNoise: number; labelQuality: number }) => [
  r.classIndex, r.labelIssues, r.inverseLabelIssues, r.labelNoise, r.inverseLabelNoise, r.labelQuality,
];
const pair = (r: { classIndexA: number; classIndexB: number; numOverlapping: number; jointProbability: number }) => [r.classIndexA, r.classIndexB, r.numOverlapping, r.jointProbability];

function close(actual: number[][], expected: number[][], tol = 1e-6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v, `row ${i} col ${j}`).toBeCloseTo(expected[i]![j]!, -Math.log10(tol))));
}

describe("DI-1 class health on H", () => {
  it("ranks classes by label quality", () => {
    const rows = rankClassesByLabelQuality({ labels: H_LABELS, predProbs: H_P, classNames: H_NAMES });
    close(rows.map(tuple), [
      [0, 3, 0, 0.6, 0, 0.4],
      [2, 1, 1, 0.25, 0.25, 0.75],
      [3, 1, 1, 0.25, 0.25, 0.75],
      [4, 1, 2, 0.25, 0.4, 0.75],
      [1, 0, 2, 0, 0.4, 1],
    ], 1e-9);
    expect(rows[0]!.className).toBe("pole");
    expect(Object.keys(rows[0]!)[0]).toBe("className");
  });

  it("scores overall health from labels + pred_probs and from the joint", () => {
    expect(overallLabelHealthScore({ labels: H_LABELS, predProbs: H_P })).toEqual({ score: 0.7, numIssues: 6, numExamples: 20 });
    const fromJoint = overallLabelHealthScore({ joint: H_J, numExamples: 20 });
    expect(fromJoint.score).toBeCloseTo(0.7, 12);
    expect(fromJoint.numIssues).toBe(6);
  });

  it("rejects a joint without N", () => {
    expect(() => overallLabelHealthScore({ joint: H_J })).toThrow(/numExamples/);
    try {
      overallLabelHealthScore({ joint: H_J });
    } catch (e) {
      expect(isAssayError(e, "INVALID_INPUT")).toBe(true);
    }
  });
});

describe("DI-2 overlapping classes on H", () => {
  it("symmetric", () => {
    const rows = findOverlappingClasses({ labels: H_LABELS, predProbs: H_P });
    expect(rows).toHaveLength(10);
    close(rows.slice(0, 4).map(pair), [[0, 1, 2, 0.1], [3, 4, 2, 0.1], [0, 2, 1, 0.05], [2, 4, 1, 0.05]], 1e-9);
    expect(rows.slice(4).map((r) => [r.classIndexA, r.classIndexB])).toEqual([[0, 3], [0, 4], [1, 2], [1, 3], [1, 4], [2, 3]]);
    expect(rows.slice(4).every((r) => r.jointProbability === 0 && r.numOverlapping === 0)).toBe(true);
  });

  it("asymmetric, stable order", () => {
    const rows = findOverlappingClasses({ labels: H_LABELS, predProbs: H_P, asymmetric: true });
    expect(rows).toHaveLength(20);
    close(rows.slice(0, 5).map(pair), [[0, 1, 2, 0.1], [0, 2, 1, 0.05], [2, 4, 1, 0.05], [3, 4, 1, 0.05], [4, 3, 1, 0.05]], 1e-9);
    expect(rows.slice(5).every((r) => r.jointProbability === 0)).toBe(true);
  });

  it("from a confident joint only (N = ΣC = 19)", () => {
    const rows = findOverlappingClasses({ confidentJoint: H_C_RAW });
    close(rows.slice(0, 4).map(pair), [[0, 1, 2, 0.105263], [3, 4, 2, 0.105263], [0, 2, 1, 0.052632], [2, 4, 1, 0.052632]]);
    const score = overallLabelHealthScore({ confidentJoint: H_C_RAW });
    expect(score.score).toBeCloseTo(13 / 19, 12);
    expect(score.numIssues).toBe(6);
    expect(score.numExamples).toBe(19);
    // deviation from cleanlab (#1329): the ranking works with N = ΣC
    close(rankClassesByLabelQuality({ confidentJoint: H_C_RAW }).map(tuple), [
      [0, 3, 0, 0.6, 0, 0.4],
      [2, 1, 1, 0.25, 0.25, 0.75],
      [3, 1, 1, 0.25, 0.25, 0.75],
      [4, 1, 2, 0.25, 0.4, 0.75],
      [1, 0, 2, 0, 0.5, 1],
    ], 1e-9);
  });
});

describe("DI-3 health summary on H", () => {
  it("labels + pred_probs", () => {
    const s = healthSummary({ labels: H_LABELS, predProbs: H_P, classNames: H_NAMES });
    expect(Object.keys(s).slice(0, 4)).toEqual(["overallLabelHealthScore", "numIssues", "numExamples", "joint"]);
    expect(s.overallLabelHealthScore).toBe(0.7);
    close(s.joint, H_J, 1e-12);
    expect(s.classesByLabelQuality.map((r) => r.classIndex)).toEqual([0, 2, 3, 4, 1]);
    expect(s.overlappingClasses.slice(0, 4).map((r) => [r.classIndexA, r.classIndexB])).toEqual([[0, 1], [3, 4], [0, 2], [2, 4]]);
  });

  it("joint + numExamples (cleanlab raises here; assay uses the trace)", () => {
    const s = healthSummary({ joint: H_J, numExamples: 20 });
    expect(s.overallLabelHealthScore).toBeCloseTo(0.7, 12);
    expect(s.classesByLabelQuality.map(tuple)[0]).toEqual([0, 3, 0, 0.6, 0, 0.4]);
    expect(s.overlappingClasses[0]!.numOverlapping).toBe(2);
  });
});

describe("DI-10 and bad input", () => {
  it("binary LI-1 gives one overlap row", () => {
    const P = { rows: 6, cols: 2, data: Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.2, 0.8, 0.6, 0.4, 0.1, 0.9]) };
    const rows = findOverlappingClasses({ labels: [0, 0, 0, 1, 1, 1], predProbs: P });
    expect(rows).toHaveLength(1);
    close(rows.map(pair), [[0, 1, 1, 0.166667]]);
  });

  it("every example correct: qualities 1, overlaps 0, score 1", () => {
    const P = { rows: 4, cols: 2, data: Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.3, 0.7]) };
    const s = healthSummary({ labels: [0, 0, 1, 1], predProbs: P });
    expect(s.overallLabelHealthScore).toBe(1);
    expect(s.classesByLabelQuality.every((r) => r.labelQuality === 1 && r.labelNoise === 0)).toBe(true);
    expect(s.overlappingClasses.every((r) => r.jointProbability === 0)).toBe(true);
  });

  it("class names whose count differs from K", () => {
    for (const names of [H_NAMES.slice(0, 4), [...H_NAMES, "extra"]]) {
      let err: unknown;
      try {
        rankClassesByLabelQuality({ labels: H_LABELS, predProbs: H_P, classNames: names });
      } catch (e) {
        err = e;
      }
      expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`classNames has ${names.length} entries but there are 5 classes`));
    }
  });

  it("an empty class (absent from the labels) has quality 1 and can still be overlapped", () => {
    // class 2 has no examples; example 3 (labelled 1) looks like class 2
    const P = { rows: 6, cols: 3, data: Float64Array.from([0.8, 0.1, 0.1, 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.7, 0.2, 0.9, 0.05, 0.05]) };
    const rows = rankClassesByLabelQuality({ labels: [0, 0, 1, 1, 1, 0], predProbs: P });
    const c2 = rows.find((r) => r.classIndex === 2)!;
    expect(c2.labelQuality).toBe(1);
    expect(c2.labelIssues).toBe(0);
  });

  it("multi-label labels are pointed to §7", () => {
    expect(() => rankClassesByLabelQuality({ labels: [[0], [1]] as unknown as number[], predProbs: H_P })).toThrow(/multi-label/);
  });
});
