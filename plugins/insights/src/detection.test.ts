import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { detectionClassAp, detectionFindLabelIssues, detectionIssuesFromScores, detectionScores, type DetectionLabel, type DetectionPrediction } from "./detection.js";

const LABELS: DetectionLabel[] = [
  { bboxes: [[0, 0, 10, 10], [20, 20, 30, 30]], labels: [0, 1] },
  { bboxes: [[0, 0, 10, 10]], labels: [0] },
  { bboxes: [[0, 0, 10, 10]], labels: [1] },
  { bboxes: [[0, 0, 10, 10]], labels: [0] },
];
const PREDS: DetectionPrediction[] = [
  [[[0, 0, 10, 10, 0.99]], [[20, 20, 30, 30, 0.98]]],
  [[[1, 1, 11, 11, 0.97]], [[40, 40, 50, 50, 0.96]]],
  [[[0, 0, 10, 10, 0.98]], []],
  [[[3, 3, 13, 13, 0.9]], []],
];

const near = (actual: readonly number[], expected: readonly number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => (Number.isNaN(expected[i]!) ? expect(v).toBeNaN() : expect(v, `entry ${i}`).toBeCloseTo(expected[i]!, digits)));
};

describe("DI-9 object detection", () => {
  const s = detectionScores(LABELS, PREDS);

  it("σ and per-box scores", () => {
    expect(s.sigma).toBeCloseTo(0.000349349, 9);
    near(s.boxes.flatMap((b) => b.overlooked), [NaN, NaN, NaN, 1.3973957e-5, NaN, NaN], 10);
    near(s.boxes.flatMap((b) => b.badloc), [1, 1, 0.6994174, 1, 0.3574781]);
    near(s.boxes.flatMap((b) => b.swap), [0.9940894, 0.9940894, 0.9996507, 0.000349349, 1]);
  });

  it("pooled and image scores", () => {
    near(s.pooled.overlooked, [1, 1.3973957e-5, 1, 1], 10);
    near(s.pooled.badloc, [1, 0.6994174, 1, 0.3574781]);
    near(s.pooled.swap, [0.9940894, 0.9996507, 0.000349349, 1]);
    near(Array.from(s.imageScores), [0.998025914, 0.021378047, 0.070429262, 0.709713625], 8);
    expect(detectionIssuesFromScores(s.imageScores)).toEqual([1, 2]);
    expect(() => detectionIssuesFromScores(s.imageScores, 1.5)).toThrow(/threshold must be ≤ 1/);
  });

  it("per-class AP cut-offs and flagged images", () => {
    near(Array.from(detectionClassAp(LABELS, PREDS)), [0.422222, 0.5]);
    const r = detectionFindLabelIssues(LABELS, PREDS);
    near(r.thresholds, [0.1055556, 0.125]);
    expect(Array.from(r.mask)).toEqual([0, 1, 1, 0]);
    expect(r.ranked).toEqual([1, 2]);
    expect(r.subtypes[1]).toEqual({ overlooked: true, badloc: false, swap: false });
    expect(r.subtypes[2]!.swap).toBe(true);
  });

  it("overlapping-label check", () => {
    const labels: DetectionLabel[] = [{ bboxes: [[0, 0, 10, 10], [0, 0, 10, 10], [30, 0, 40, 10]], labels: [0, 1, 1] }];
    const preds: DetectionPrediction[] = [[[[0, 0, 10, 10, 0.99]], [[30, 0, 40, 10, 0.9]]]];
    const on = detectionScores(labels, preds);
    expect(on.sigma).toBeCloseTo(0.004978707, 9);
    near(on.boxes[0]!.swap, [0.004978707, 0.004978707, 0.9950213]);
    expect(on.pooled.swap[0]).toBeCloseTo(0.00500353, 8);
    expect(on.imageScores[0]).toBeCloseTo(0.171038, 6);
    const off = detectionScores(labels, preds, { overlappingLabelCheck: false });
    near(off.boxes[0]!.swap, [1, 0.004978707, 0.9950213]);
    expect(off.pooled.swap[0]).toBeCloseTo(0.00507583, 8);
    expect(off.imageScores[0]).toBeCloseTo(0.171858, 6);
    expect(Array.from(detectionFindLabelIssues(labels, preds).mask)).toEqual([1]);
    expect(Array.from(detectionFindLabelIssues(labels, preds, { overlappingLabelCheck: false }).mask)).toEqual([1]);
  });

  it("images without labels or predictions", () => {
    const r = detectionScores([{ bboxes: [], labels: [] }, { bboxes: [[0, 0, 5, 5]], labels: [0] }], [[[[0, 0, 4, 4, 0.99]], []], [[], []]]);
    expect(r.pooled.badloc[0]).toBe(1);
    expect(r.pooled.swap[0]).toBe(1);
    expect(r.pooled.overlooked[0]).toBeLessThan(1);
    expect([r.pooled.overlooked[1], r.pooled.badloc[1], r.pooled.swap[1]]).toEqual([1, 1, 1]);
  });
});

describe("detection bad input", () => {
  const fail = (fn: () => unknown, msg: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT"), String(err)).toBe(true);
    expect((err as Error).message).toMatch(msg);
  };
  it("rejects boxes with zero area, length mismatches, bad rows", () => {
    fail(() => detectionScores([{ bboxes: [[0, 0, 0, 10]], labels: [0] }], [[[], []]]), /labels\[0\] box 0 \[0, 0, 0, 10\] has zero area/);
    fail(() => detectionScores([{ bboxes: [[5, 5, 9, 5]], labels: [0] }], [[[], []]]), /zero area/);
    fail(() => detectionScores(LABELS, PREDS.slice(1)), /labels has 4 images but predictions has 3/);
    fail(() => detectionScores([[0, 0, 1, 1]] as never, [[[], []]]), /labels\[0\] is not an annotation object/);
    fail(() => detectionScores([{ bboxes: [[0, 0, 1, 1]], labels: [0] }], [[[[0, 0, 1, 1]], []]]), /predictions\[0\]\[0\] has 4 columns/);
    fail(() => detectionScores([{ bboxes: [[0, 0, 1, 1]], labels: [2] }], [[[], []]]), /class 2; expected 0…1/);
  });
});
