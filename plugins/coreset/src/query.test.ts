import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { fairAllocation, importantSamples } from "./query.js";
import { gaussianClasses } from "./test-helpers.js";

function data() {
  const { x, y, d } = gaussianClasses([60, 100, 25], [[0, 0, 0], [5, 0, 0], [0, 5, 0]], 1, 14);
  return { x: { rows: 185, cols: d, data: x }, labels: Array.from(y, (c) => ["A", "B", "C"][c]!) };
}

describe("CI-8 class-restricted query semantics", () => {
  it("returns ≤ 3 rows of A in descending importance, then the next 3, then the first 3 again with ignoreSeen false", () => {
    const { x, labels } = data();
    const index = CoresetIndex.build(x, labels, { candidatesPerClass: 4, chunkSize: 16 });
    const brute = index.exactClassOrder(0);
    const first = importantSamples(index, { classSize: { A: 3 } });
    expect(first.map((r) => r.index)).toEqual(Array.from(brute.subarray(0, 3)));
    for (const r of first) expect(r.label).toBe("A");
    for (let t = 1; t < 3; t++) expect(first[t - 1]!.importance).toBeGreaterThanOrEqual(first[t]!.importance);
    const second = importantSamples(index, { classSize: { A: 3 } });
    expect(second.map((r) => r.index)).toEqual(Array.from(brute.subarray(3, 6))); // past the 4-row candidate list
    const again = importantSamples(index, { classSize: { A: 3 }, ignoreSeen: false });
    expect(again.map((r) => r.index)).toEqual(Array.from(brute.subarray(0, 3)));
  });
  it("returns n_c rows when more are asked, throws on an unknown class, and normalises per class", () => {
    const { x, labels } = data();
    const index = CoresetIndex.build(x, labels);
    expect(importantSamples(index, { classSize: { C: 1000 }, markSeen: false })).toHaveLength(25);
    expect(() => importantSamples(index, { classSize: { Q: 1 } })).toThrow(/unknown class "Q"/);
    const norm = importantSamples(index, { classSize: { A: 5, B: 5 }, normalize: "classMax", markSeen: false });
    for (const cls of ["A", "B"]) {
      const rows = norm.filter((r) => r.label === cls);
      expect(rows[0]!.normalized).toBe(1);
      for (const r of rows.slice(1)) expect(r.normalized > 0 && r.normalized <= 1).toBe(true);
    }
  });
  it("honours exclude, restrictTo, filter and classes", () => {
    const { x, labels } = data();
    const index = CoresetIndex.build(x, labels);
    const top = importantSamples(index, { classSize: { B: 2 }, markSeen: false }).map((r) => r.index);
    const excl = importantSamples(index, { classSize: { B: 1 }, exclude: [top[0]!], markSeen: false });
    expect(excl[0]!.index).toBe(top[1]);
    const restricted = importantSamples(index, { size: 5, restrictTo: [0, 1, 2, 70], markSeen: false });
    expect(restricted.map((r) => r.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 70]);
    const filtered = importantSamples(index, { size: 10, filter: (i) => i % 2 === 0, classes: ["C"], markSeen: false });
    for (const r of filtered) expect(r.index % 2 === 0 && r.label === "C").toBe(true);
  });
});

describe("CI-9 mixed query with fair allocation", () => {
  it("returns 2 from A and 5 split over B (100 rows) and C (25 rows) by the √-rule: 3 + 2", () => {
    const { x, labels } = data();
    const index = CoresetIndex.build(x, labels);
    const out = importantSamples(index, { classSize: { A: 2 }, size: 5, allocation: "fair" });
    const count = (c: string) => out.filter((r) => r.label === c).length;
    expect([count("A"), count("B"), count("C")]).toEqual([2, 3, 2]);
    expect(out).toHaveLength(7);
  });
  it("allocates ∝ √count with at least one per class, capped, with sizes summing exactly", () => {
    expect(Array.from(fairAllocation([100, 25], 5))).toEqual([3, 2]);
    expect(Array.from(fairAllocation([400, 1, 1], 4))).toEqual([2, 1, 1]);
    expect(Array.from(fairAllocation([2, 100], 10))).toEqual([1, 9]);
    expect(Array.from(fairAllocation([2, 2, 100], 50))).toEqual([2, 2, 46]);
    expect(Array.from(fairAllocation([3, 4], 100))).toEqual([3, 4]);
  });
});
