import { isAssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { conflictingDuplicates, groupsFromKnn } from "./conflicts.js";
import { H_LABELS, H_P, M_LABELS, M_P } from "./test-fixtures.js";

const GROUPS = [[0, 1], [5, 2, 7], [9, 10], [10, 11], [19, 15]];

describe("DI-6 conflicting duplicates on H", () => {
  it("with pred_probs", () => {
    const r = conflictingDuplicates(GROUPS, H_LABELS, { predProbs: H_P });
    expect(r.summary).toEqual({ numGroups: 4, numConflicting: 2, numExamplesInConflicts: 5, conflictRate: 0.5 });
    const [a, b] = r.conflicts;
    expect(a!.members).toEqual([2, 5, 7]);
    expect(a!.labels).toEqual([0, 1, 1]);
    expect(a!.labelCounts).toEqual([[0, 1], [1, 2]]);
    expect(a!.majority).toBe(1);
    expect(a!.suggested).toBe(1);
    expect(a!.suspects).toEqual([2]);
    expect(a!.meanProbs!.map((v) => +v.toFixed(6))).toEqual([0.076667, 0.883333, 0.02, 0.01, 0.01]);
    expect(a!.agreement).toBeCloseTo(0.666667, 6);
    expect(b!.members).toEqual([15, 19]);
    expect(b!.labels).toEqual([3, 4]);
    expect(b!.labelCounts).toEqual([[3, 1], [4, 1]]);
    expect(b!.majority).toBeNull();
    expect(b!.suggested).toBe(3);
    expect(b!.suspects).toEqual([19]);
    expect(b!.meanProbs!.map((v) => +v.toFixed(6))).toEqual([0.01, 0.01, 0.01, 0.495, 0.475]);
    expect(b!.agreement).toBe(0.5);
  });

  it("without pred_probs the suspects follow the majority", () => {
    const r = conflictingDuplicates(GROUPS, H_LABELS);
    expect(r.conflicts.map((c) => c.suspects)).toEqual([[2], []]);
    expect(r.conflicts[0]!.suggested).toBeUndefined();
  });

  it("rejects an index out of range; a singleton is no group", () => {
    let err: unknown;
    try {
      conflictingDuplicates([[3, 20]], H_LABELS);
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
    expect((err as Error).message).toMatch(/row 20, outside 0…19/);
    expect(conflictingDuplicates([[1]], H_LABELS).summary).toEqual({ numGroups: 0, numConflicting: 0, numExamplesInConflicts: 0, conflictRate: 0 });
    expect(() => conflictingDuplicates([[0, 1.5]], H_LABELS)).toThrow(/outside/);
  });

  it("multi-label (dataset M)", () => {
    const r = conflictingDuplicates([[3, 4], [5, 11]], M_LABELS, { predProbs: M_P });
    expect(r.summary.numGroups).toBe(2);
    expect(r.conflicts).toHaveLength(1);
    const c = r.conflicts[0]!;
    expect(c.members).toEqual([3, 4]);
    expect(c.labels).toEqual([[1, 2], [2]]);
    expect(c.majority).toBeNull();
    expect(c.suggested).toEqual([2]);
    expect(c.suspects).toEqual([3]);
    expect(c.meanProbs!.map((v) => +v.toFixed(6))).toEqual([0.075, 0.45, 0.8]);
  });

  it("severity ordering: more distinct labels first", () => {
    const r = conflictingDuplicates([[0, 5], [1, 8, 12]], H_LABELS);
    expect(r.conflicts.map((c) => c.distinct)).toEqual([3, 2]);
  });

  it("builds pair groups from a kNN graph", () => {
    const knn = { rows: 3, k: 2, metric: "euclidean" as const, indices: Int32Array.from([1, 2, 0, 2, 0, 1]), distances: Float32Array.from([0.01, 5, 0.01, 4, 5, 4]), includesSelf: false, method: "exact" as const };
    expect(groupsFromKnn(knn, 0.1)).toEqual([[0, 1], [1, 0]]);
  });
});
