import { describe, expect, it } from "vitest";
import { applyLabelCorrections, suggestedCorrections, suggestedLabels } from "./corrections.js";
import { H_LABELS, H_NAMES, H_P } from "./test-fixtures.js";

describe("DI-4 suggested corrections on H", () => {
  it("suggests argmax labels", () => {
    expect(Array.from(suggestedLabels(H_P))).toEqual([0, 0, 1, 1, 2, 1, 1, 1, 2, 2, 2, 4, 3, 3, 3, 4, 4, 4, 4, 3]);
  });

  it("builds the given → suggested table from the default flags", () => {
    const t = suggestedCorrections(H_LABELS, H_P, { classNames: H_NAMES });
    expect(t.numFlagged).toBe(6);
    expect(t.unchanged).toBe(0);
    expect(t.numSuggested).toBe(6);
    expect(t.totalRows).toBe(5);
    expect(t.rows.map((r) => [r.givenName, r.suggestedName, r.count, +r.shareOfIssues.toFixed(6), r.shareOfGivenClass, r.mutual, r.examples])).toEqual([
      ["pole", "flagpole", 2, 0.333333, 0.4, false, [2, 3]],
      ["pole", "maypole", 1, 0.166667, 0.2, false, [4]],
      ["maypole", "anole", 1, 0.166667, 0.25, false, [11]],
      ["green lizard", "anole", 1, 0.166667, 0.25, true, [15]],
      ["anole", "green lizard", 1, 0.166667, 0.25, true, [19]],
    ]);
  });

  it("relabels and excludes in bulk", () => {
    const t = suggestedCorrections(H_LABELS, H_P);
    const fix = applyLabelCorrections(H_LABELS, t, { given: 0, action: "relabel" });
    expect(fix.changed).toEqual([2, 3, 4]);
    expect([fix.labels[2], fix.labels[3], fix.labels[4]]).toEqual([1, 1, 2]);
    expect(fix.log).toEqual([{ index: 2, from: 0, to: 1 }, { index: 3, from: 0, to: 1 }, { index: 4, from: 0, to: 2 }]);
    expect(Array.from(fix.labels.slice(5))).toEqual(H_LABELS.slice(5));
    const ex = applyLabelCorrections(H_LABELS, t, { given: 0, action: "exclude" });
    expect(ex.excluded).toEqual([2, 3, 4]);
    expect(Array.from(ex.labels)).toEqual(H_LABELS);
    expect(applyLabelCorrections(H_LABELS, t, { given: 0, suggested: 2, action: "relabel" }).changed).toEqual([4]);
    expect(applyLabelCorrections(H_LABELS, t, { indices: [15, 2], action: "relabel" }).changed).toEqual([2, 15]);
  });

  it("an all-false mask gives an empty table; maxRows limits rows", () => {
    const t = suggestedCorrections(H_LABELS, H_P, { mask: new Uint8Array(20) });
    expect(t.rows).toEqual([]);
    expect(t.totalRows).toBe(0);
    const t2 = suggestedCorrections(H_LABELS, H_P, { maxRows: 2 });
    expect(t2.rows).toHaveLength(2);
    expect(t2.cells).toHaveLength(5);
  });

  it("counts flagged examples whose suggestion equals the label as unchanged", () => {
    const mask = new Uint8Array(20);
    mask[0] = 1;
    mask[2] = 1;
    const t = suggestedCorrections(H_LABELS, H_P, { mask });
    expect(t.unchanged).toBe(1);
    expect(t.numSuggested).toBe(1);
  });
});
