import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { LocalCoresetTree } from "./local-tree.js";
import { importantSamples } from "./query.js";
import { gaussianClasses, mixtureWithFlips } from "./test-helpers.js";

describe("local scope tree (spec 5.7 v2)", () => {
  const { x, y, d } = mixtureWithFlips(3000, 16, 5, 0.1, 7);
  const X = { rows: 3000, cols: d, data: x };
  const global = CoresetIndex.build(X, y);
  const classSize = { "0": 30, "1": 30, "2": 30, "3": 30, "4": 30 };
  const exact = importantSamples(global, { classSize, markSeen: false });

  it("with one leaf equals the global index exactly (same rows, same scores)", () => {
    const tree = LocalCoresetTree.build(X, y, { chunkSize: 3000, nodeSize: 64 });
    expect(tree.depth).toBe(0);
    const local = tree.important({ classSize });
    expect(local.map((s) => s.index)).toEqual(exact.map((s) => s.index));
    local.forEach((s, t) => expect(s.importance).toBeCloseTo(exact[t]!.importance, 9));
    // seen exclusion: the next call returns the next rows, as for the global index
    const next = tree.important({ classSize: { "0": 3 } });
    expect(next.map((s) => s.index)).toEqual(importantSamples(global, { classSize: { "0": 33 }, markSeen: false }).slice(30).map((s) => s.index));
  });

  it("degrades gracefully with depth: recall of the exact per-class top 30 and of the flips", () => {
    const want = new Set(exact.map((s) => s.index));
    const recalls: number[] = [];
    for (const chunkSize of [3000, 750, 375, 188]) {
      const tree = LocalCoresetTree.build(X, y, { chunkSize, nodeSize: 64 });
      const got = tree.important({ classSize });
      expect(got.length).toBe(150);
      recalls.push(got.filter((s) => want.has(s.index)).length / 150);
      if (chunkSize === 188) expect(tree.depth).toBeGreaterThanOrEqual(3);
    }
    expect(recalls[0]).toBe(1);
    for (const r of recalls) expect(r).toBeGreaterThanOrEqual(0.9);
  });

  it("keeps a planted label error at #1 of its class at depth 3, and streaming equals a one-shot build", () => {
    const base = gaussianClasses([200, 200], [[0, 0, 0, 0], [8, 0, 0, 0]], 1, 21);
    const labels = Array.from(base.y, (c) => (c === 0 ? "A" : "B"));
    labels[0] = "B";
    const tree = LocalCoresetTree.build({ rows: 400, cols: 4, data: base.x }, labels, { chunkSize: 50, nodeSize: 8 });
    expect(tree.depth).toBe(3);
    const [top] = tree.important({ classSize: { B: 1 } });
    expect(top!.index).toBe(0);
    expect(top!.suggestedLabel).toBe("A");
    const streamed = LocalCoresetTree.build({ rows: 150, cols: 4, data: base.x.subarray(0, 600) }, labels.slice(0, 150), {
      chunkSize: 50,
      nodeSize: 8,
      classes: ["A", "B"],
      preprocessing: tree["pre"]!,
    });
    streamed.append({ rows: 250, cols: 4, data: base.x.subarray(600) }, labels.slice(150));
    expect(streamed.important({ size: 20 }).map((s) => s.index)).toEqual(tree.important({ size: 20, ignoreSeen: false }).map((s) => s.index));
    expect(Array.from(streamed.classCounts())).toEqual([199, 201]);
    expect(() => tree.important({ classSize: { Z: 1 } })).toThrow(/unknown class "Z"/);
  });
});
