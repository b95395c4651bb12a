import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { importantSamples } from "./query.js";
import { sampleCoreset } from "./sampling.js";
import { loadIndex, saveIndex } from "./serialize.js";
import { randomData } from "./test-helpers.js";

describe("save / load", () => {
  const { x, y, d } = randomData(400, 6, 3, 17);
  const make = () => {
    const index = CoresetIndex.build({ rows: 400, cols: d, data: x }, y, { chunkSize: 50, maxDim: 4 });
    index.remove([3, 9]);
    index.relabel([20], [2]); // patched: leaves Sherman–Morrison corrections in the state
    importantSamples(index, { classSize: { "0": 4 } }); // seen marks
    return index;
  };
  it("resumes a session exactly: scores, seen marks, corrections, frozen projection, later edits", () => {
    const a = make();
    expect(a.dim).toBe(4);
    const b = loadIndex(saveIndex(a));
    expect(b.importanceScores()).toEqual(a.importanceScores());
    expect(b.lambdas()).toEqual(a.lambdas());
    expect(b.classes).toEqual(a.classes);
    expect(importantSamples(b, { classSize: { "0": 4 } })).toEqual(importantSamples(a, { classSize: { "0": 4 } }));
    expect(sampleCoreset(b, { size: 50, seed: 2 })).toEqual(sampleCoreset(a, { size: 50, seed: 2 }));
    for (const ix of [a, b]) {
      ix.relabel([30, 31], [0, 1]);
      ix.add({ rows: 2, cols: d, data: x.subarray(0, 2 * d) }, [1, 2]);
    }
    expect(b.importanceScores()).toEqual(a.importanceScores());
  });
  it("rejects foreign, truncated or future-version bytes with INVALID_INPUT", () => {
    const bytes = saveIndex(make());
    expect(() => loadIndex(new Uint8Array(40))).toThrow(/bad magic/);
    expect(() => loadIndex(bytes.subarray(0, bytes.length - 100))).toThrow(/runs past the end/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, 99, true);
    expect(() => loadIndex(future)).toThrow(/format version 99 is not supported/);
  });
  it("refuses to save with deferred edits pending", () => {
    const a = make();
    a.remove([5], { defer: true });
    expect(() => saveIndex(a)).toThrow(/applyPending/);
  });
});
