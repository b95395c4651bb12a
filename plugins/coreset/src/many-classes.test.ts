import { createRng } from "@assay/math";
import { describe, expect, it } from "vitest";
import { CoresetIndex } from "./coreset-index.js";
import { importantSamples } from "./query.js";
import { maxRelDiff } from "./test-helpers.js";

/** K = 40 classes of 25 rows each in d = 3, means on a 5×8 grid 10σ apart (well separated). */
function grid(seed: number) {
  const rng = createRng(seed);
  const K = 40;
  const per = 25;
  const d = 3;
  const x = new Float64Array(K * per * d);
  const y = new Int32Array(K * per);
  for (let c = 0; c < K; c++) {
    for (let t = 0; t < per; t++) {
      const i = c * per + t;
      y[i] = c;
      x[i * d] = 10 * (c % 8) + rng.normal();
      x[i * d + 1] = 10 * Math.floor(c / 8) + rng.normal();
      x[i * d + 2] = rng.normal();
    }
  }
  return { x: { rows: K * per, cols: d, data: x }, y, K };
}

describe("K > 32: each row is scored against the 8 classes with the nearest means (spec 5.3)", () => {
  const { x, y, K } = grid(3);
  const short = CoresetIndex.build(x, y);
  const all = CoresetIndex.build(x, y, { otherClasses: K - 1 });

  it("defaults to 8 other classes above 32 classes and computes only the needed score entries", () => {
    expect(short.otherClasses).toBe(8);
    expect(all.otherClasses).toBe(K - 1);
    expect(CoresetIndex.build({ rows: 8, cols: 1, data: [0, 1, 2, 3, 10, 11, 12, 13] }, [0, 0, 0, 0, 1, 1, 1, 1], { smallClass: "allow" }).otherClasses).toBe(1);
    const Q = short.Q;
    for (let i = 0; i < x.rows; i++) {
      let computed = 0;
      for (let k = 0; k < K; k++) if (!Number.isNaN(Q[i * K + k]!)) computed++;
      expect(computed).toBe(9); // own class + 8 candidates
    }
    // Candidates of every class: its 8 nearest class means in standardised space, by brute force.
    const pre = short.preprocessing;
    const means = Array.from({ length: K }, (_, c) => {
      const m = [0, 0, 0];
      for (let t = 0; t < 25; t++) for (let j = 0; j < 3; j++) m[j]! += (x.data[(c * 25 + t) * 3 + j]! - pre.mean[j]!) / pre.scale[j]! / 25;
      return m;
    });
    for (let c = 0; c < K; c++) {
      const dist = (k: number) => means[k]!.reduce((s, v, j) => s + (v - means[c]![j]!) ** 2, 0);
      const order = Array.from({ length: K }, (_, k) => k).filter((k) => k !== c).sort((a, b) => dist(a) - dist(b) || a - b);
      expect(Array.from(short.candidates![c]!)).toEqual(order.slice(0, 8));
    }
  });

  it("gives the same scores as scoring against every class when the nearest other class is a candidate", () => {
    expect(maxRelDiff(short.importanceScores(), all.importanceScores())).toBe(0);
    for (let i = 0; i < x.rows; i += 37) expect(short.scores(i).suggestedLabel).toBe(all.scores(i).suggestedLabel);
  });

  it("stays equal to a fresh build after edits that move rows between classes", () => {
    const ix = CoresetIndex.build(x, y);
    ix.relabel([0, 1, 30], [9, 9, 39]); // row 0/1 of class 0 into class 9; one row of class 1 into class 39
    ix.remove([100, 101]);
    ix.relabel([200], [1]); // a single change: patch path
    const live = Array.from({ length: x.rows }, (_, i) => i).filter((i) => ix.isLive(i));
    const fx = new Float64Array(live.length * 3);
    live.forEach((r, t) => fx.set(x.data.subarray(r * 3, r * 3 + 3), t * 3));
    const fresh = CoresetIndex.build({ rows: live.length, cols: 3, data: fx }, Int32Array.from(live, (r) => ix.labelOf(r)), {
      preprocessing: ix.preprocessing,
      lambdas: ix.lambdas(),
      classes: ix.classes,
    });
    const mine = ix.importanceScores();
    expect(maxRelDiff(Float64Array.from(live, (r) => mine[r]!), fresh.importanceScores(), 1e-9)).toBeLessThan(1e-6);
    expect(importantSamples(ix, { classSize: { "9": 2 } }).map((s) => s.index).sort()).toEqual([0, 1]);
    expect(ix.scores(0).suggestedLabel).toBe("0");
  });
});
