import { createRng } from "@assay/math";
import { describe, expect, it } from "vitest";
import { CoresetIndex, type CoresetIndexOptions } from "./coreset-index.js";
import { importantSamples } from "./query.js";
import { sampleCoreset } from "./sampling.js";
import { maxRelDiff, randomData } from "./test-helpers.js";

const CLASSES = ["A", "B", "C", "D"]; // D starts empty: relabels into it create a brand-new class

/** A fresh build on the live rows of `index` with its frozen preprocessing (and λ_c unless `freshLambdas`). */
function freshOf(index: CoresetIndex, x: Float64Array, d: number, extra: CoresetIndexOptions = {}, freshLambdas = false) {
  const rows: number[] = [];
  for (let i = 0; i < index.size; i++) if (index.isLive(i)) rows.push(i);
  const fx = new Float64Array(rows.length * d);
  rows.forEach((r, t) => fx.set(x.subarray(r * d, (r + 1) * d), t * d));
  const fresh = CoresetIndex.build({ rows: rows.length, cols: d, data: fx }, Int32Array.from(rows, (r) => index.labelOf(r)), {
    classes: CLASSES,
    preprocessing: index.preprocessing,
    weights: Float64Array.from(rows, (r) => index.weights[r]!),
    ids: Float64Array.from(rows, (r) => index.ids[r]!),
    ...(freshLambdas ? {} : { lambdas: index.lambdas() }),
    ...extra,
  });
  return { fresh, rows };
}

function expectEqualToFresh(index: CoresetIndex, x: Float64Array, d: number, freshLambdas = false) {
  const { fresh, rows } = freshOf(index, x, d, { chunkSize: 37 }, freshLambdas);
  const mine = Float64Array.from(rows, (r) => index.importance[r]!);
  expect(maxRelDiff(mine, fresh.importanceScores(), 1e-9)).toBeLessThan(1e-6);
  const a = importantSamples(index, { classSize: { A: 5, D: 2 }, size: 12, ignoreSeen: false, markSeen: false }).map((s) => rows.indexOf(s.index));
  const b = importantSamples(fresh, { classSize: { A: 5, D: 2 }, size: 12, ignoreSeen: false, markSeen: false }).map((s) => s.index);
  expect(a).toEqual(b);
  for (const method of ["priority", "multinomial"] as const) {
    const ca = sampleCoreset(index, { size: 60, seed: 9, method });
    const cb = sampleCoreset(fresh, { size: 60, seed: 9, method });
    expect(Array.from(ca.indices, (r) => rows.indexOf(r))).toEqual(Array.from(cb.indices));
    expect(maxRelDiff(ca.weights, cb.weights)).toBeLessThan(1e-6);
  }
}

describe("CI-13 incremental equals rebuild", () => {
  for (const chunkSize of [16, 100, 5000]) {
    it(`matches a fresh build after every batch (chunk size ${chunkSize})`, () => {
      const n = 400;
      const d = 3;
      const { x, y } = randomData(n, d, 3, 31);
      const index = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { classes: CLASSES, chunkSize, candidatesPerClass: 8 });
      const rng = createRng(77);
      const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
      let cursor = 0;
      const nextRows = (k: number) => Array.from(order.subarray(cursor, (cursor += k)));
      // 6 batches: (removals, relabels, weight changes); sizes mix patch (≤ ⌊p/8⌋ = 1 per class) and refactor paths.
      const plan: [number, number, number][] = [
        [1, 0, 0],
        [0, 1, 0],
        [20, 15, 3],
        [1, 1, 1],
        [30, 30, 4],
        [8, 13, 2],
      ];
      let patched = 0;
      let refactored = 0;
      for (const [rem, rel, wt] of plan) {
        const relRows = nextRows(rel);
        const newLabels = relRows.map((r, t) => (t % 3 === 0 ? "D" : CLASSES[(index.labelOf(r) + 1) % 3]!));
        const remRows = nextRows(rem);
        const wtRows = nextRows(wt);
        if (relRows.length > 0) index.relabel(relRows, newLabels, { defer: true });
        if (remRows.length > 0) index.remove(remRows, { defer: true });
        if (wtRows.length > 0) index.setWeights(wtRows, wtRows.map((_, t) => 0.5 + t), { defer: true });
        index.applyPending();
        patched += index.lastBatch.patched;
        refactored += index.lastBatch.refactored;
        expectEqualToFresh(index, x, d);
      }
      expect(patched).toBeGreaterThan(0);
      expect(refactored).toBeGreaterThan(0);
      expect(index.classCounts()[3]).toBeGreaterThan(3);
      index.refresh({ full: true });
      expectEqualToFresh(index, x, d, true);
    });
  }
});

describe("CI-14 Sherman–Morrison drift", () => {
  it("1000 single-row edits without refactoring stay within 1e-6 of refactored values", () => {
    const n = 1200;
    const d = 4;
    const { x, y } = randomData(n, d, 2, 5);
    const index = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { maxCorrections: Number.POSITIVE_INFINITY });
    const rng = createRng(3);
    for (let t = 0; t < 1000; t++) {
      const r = rng.int(n);
      if (!index.isLive(r)) continue;
      if (t % 2 === 0 && index.classCounts()[index.labelOf(r)]! > 50) index.remove([r]);
      else index.relabel([r], [1 - index.labelOf(r)]);
      expect(index.lastBatch.refactored).toBe(0);
    }
    const before = index.importanceScores();
    index.refresh(); // refactors with the frozen λ_c
    expect(maxRelDiff(before, index.importanceScores(), 1e-9)).toBeLessThan(1e-6);
  });
  it("refactors at least every 64 corrections with auto-refactor on", () => {
    const { x, y } = randomData(600, 4, 2, 6);
    const index = CoresetIndex.build({ rows: 600, cols: 4, data: x }, y);
    let refactors = 0;
    for (let r = 0; r < 200; r++) {
      index.relabel([r], [1 - index.labelOf(r)]);
      refactors += index.lastBatch.refactored;
      for (const st of index.stats) expect(st.corrU.length).toBeLessThanOrEqual(64);
    }
    expect(refactors).toBeGreaterThanOrEqual(6); // 200 corrections per class → ≥ 3 refactors each
  });
});

describe("CI-15 deferred edits", () => {
  it("leave results unchanged until applyPending, then equal immediate application", () => {
    const { x, y } = randomData(300, 4, 3, 8);
    for (const patchLimit of [10, undefined]) {
      const opts = patchLimit === undefined ? {} : { patchLimit };
      const a = CoresetIndex.build({ rows: 300, cols: 4, data: x }, y, opts);
      const b = CoresetIndex.build({ rows: 300, cols: 4, data: x }, y, opts);
      const before = a.importanceScores();
      a.remove([3, 4], { defer: true });
      a.relabel([10, 11], [2, 0], { defer: true });
      expect(a.pendingCount).toBe(2);
      expect(a.importanceScores()).toEqual(before);
      expect(a.classCounts()).toEqual(b.classCounts());
      a.applyPending();
      expect(a.pendingCount).toBe(0);
      b.remove([3, 4]);
      b.relabel([10, 11], [2, 0]);
      if (patchLimit !== undefined) {
        // Both paths patch with the frozen λ_c: equal up to round-off.
        expect(maxRelDiff(a.importanceScores(), b.importanceScores(), 1e-9)).toBeLessThan(1e-9);
      } else {
        // Refactor timing may differ (λ_c is refreshed at a refactor); a full refresh makes them equal.
        a.refresh({ full: true });
        b.refresh({ full: true });
        expect(maxRelDiff(a.importanceScores(), b.importanceScores(), 1e-9)).toBeLessThan(1e-9);
      }
    }
  });
});

describe("CI-16 append", () => {
  it("building from the first half and adding the second half equals a one-shot build", () => {
    const n = 500;
    const d = 5;
    const { x, y } = randomData(n, d, 3, 12);
    const oneShot = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { chunkSize: 64 });
    const half = CoresetIndex.build({ rows: 250, cols: d, data: x.subarray(0, 250 * d) }, y.subarray(0, 250), {
      chunkSize: 64,
      preprocessing: oneShot.preprocessing,
    });
    const added = half.add({ rows: 1, cols: d, data: x.subarray(250 * d, 251 * d) }, y.subarray(250, 251));
    expect(Array.from(added)).toEqual([250]);
    expect(half.lastBatch.patched).toBe(1);
    half.add({ rows: 249, cols: d, data: x.subarray(251 * d) }, y.subarray(251));
    // Exact against the current λ_c before any refresh …
    const { fresh } = freshOf2(half, x, d);
    expect(maxRelDiff(half.importanceScores(), fresh.importanceScores(), 1e-9)).toBeLessThan(1e-6);
    // … and equal to the one-shot build after a full refresh.
    half.refresh({ full: true });
    expect(maxRelDiff(half.importanceScores(), oneShot.importanceScores(), 1e-9)).toBeLessThan(1e-9);
    expect(importantSamples(half, { size: 30 }).map((s) => s.index)).toEqual(importantSamples(oneShot, { size: 30 }).map((s) => s.index));
  });
});

function freshOf2(index: CoresetIndex, x: Float64Array, d: number) {
  return {
    fresh: CoresetIndex.build({ rows: index.size, cols: d, data: x }, Int32Array.from({ length: index.size }, (_, i) => index.labelOf(i)), {
      preprocessing: index.preprocessing,
      lambdas: index.lambdas(),
    }),
  };
}

describe("bad input (CI-17 and the issue's list): typed errors, state unchanged", () => {
  const n = 90;
  const d = 3;
  const { x, y } = randomData(n, d, 3, 2);
  const names = ["A", "B", "C"];
  const build = () => CoresetIndex.build({ rows: n, cols: d, data: x }, Array.from(y, (c) => names[c]!), { classes: [...names, "E"] });
  const snapshot = (ix: CoresetIndex) => ({ imp: ix.importanceScores(), counts: Array.from(ix.classCounts()), seen: Array.from({ length: ix.size }, (_, i) => ix.isSeen(i)) });
  const expectError = (fn: () => unknown, code: string, text: RegExp) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "AssayError", code, plugin: "@assay/coreset" });
    expect(String((error as Error).message)).toMatch(text);
  };

  it("unknown class in classSize", () => {
    const ix = build();
    const before = snapshot(ix);
    expectError(() => importantSamples(ix, { classSize: { A: 2, Z: 3 } }), "INVALID_OPTION", /unknown class "Z"/);
    expect(snapshot(ix)).toEqual(before);
  });
  it("a class with fewer rows than features (at build and through an edit)", () => {
    const few = { rows: 13, cols: 5, data: Float64Array.from({ length: 65 }, (_, i) => Math.sin(i * 1.7)) };
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    expectError(() => CoresetIndex.build(few, labels), "INVALID_INPUT", /class "0" would have 4 rows but the features have 5 dimensions/);
    expect(CoresetIndex.build(few, labels, { smallClass: "allow" }).size).toBe(13);
    const four = randomData(90, 4, 3, 9);
    const ix = CoresetIndex.build({ rows: 90, cols: 4, data: four.x }, Array.from(four.y, (c) => names[c]!), { classes: [...names, "E"] });
    const before = snapshot(ix);
    expectError(() => ix.relabel([0, 1, 2], ["E", "E", "E"]), "INVALID_INPUT", /class "E" would have 3 rows but the features have 4 dimensions/);
    expect(snapshot(ix)).toEqual(before);
    ix.relabel([0, 1], ["E", "E"]); // 2 rows: a tiny class, flagged rather than scored
    expect(ix.scores(0).tinyClass).toBe(true);
  });
  it("NaN or ∞ features, at build and in added rows", () => {
    const bad = x.slice();
    bad[7 * d + 1] = Number.NaN;
    expectError(() => CoresetIndex.build({ rows: n, cols: d, data: bad }, y), "INVALID_INPUT", /row 7, column 1 is NaN/);
    const ix = build();
    const before = snapshot(ix);
    expectError(() => ix.add([[1, Number.POSITIVE_INFINITY, 0]], ["A"]), "INVALID_INPUT", /added row row 0, column 1 is Infinity/);
    expect(snapshot(ix)).toEqual(before);
    expect(ix.size).toBe(n);
  });
  it("relabel to a class that does not exist", () => {
    const ix = build();
    const before = snapshot(ix);
    expectError(() => ix.relabel([1, 2], ["B", "Nope"]), "INVALID_INPUT", /row 2 cannot move to "Nope"/);
    expect(snapshot(ix)).toEqual(before);
  });
  it("removing an index twice (across calls and within one call)", () => {
    const ix = build();
    ix.remove([5]);
    const before = snapshot(ix);
    expectError(() => ix.remove([6, 5]), "INVALID_INPUT", /row 5 was already removed/);
    expectError(() => ix.remove([7, 7]), "INVALID_INPUT", /row 7 is listed twice/);
    ix.remove([8], { defer: true });
    expectError(() => ix.remove([8], { defer: true }), "INVALID_INPUT", /row 8 is already queued for removal/);
    expect(snapshot(ix)).toEqual(before);
  });
  it("weights ≤ 0, length mismatches, duplicate ids, unknown rows, relabel arrays of different lengths", () => {
    expectError(() => CoresetIndex.build({ rows: n, cols: d, data: x }, y, { weights: new Float64Array(n).fill(1).fill(0, 4, 5) }), "INVALID_INPUT", /weight of row 4/);
    expectError(() => CoresetIndex.build({ rows: n, cols: d, data: x }, y.subarray(1)), "INVALID_INPUT", /90 feature rows but 89 labels/);
    expectError(() => CoresetIndex.build({ rows: n, cols: d, data: x }, y, { ids: Array.from({ length: n }, (_, i) => (i === 9 ? 3 : i)) }), "INVALID_INPUT", /id 3 of row 9 is not unique/);
    const ix = build();
    const before = snapshot(ix);
    expectError(() => ix.remove([n + 4]), "INVALID_INPUT", /row 94 does not exist/);
    expectError(() => ix.relabel([1, 2], ["A"]), "INVALID_INPUT", /2 indices but 1 labels/);
    expect(snapshot(ix)).toEqual(before);
  });
});

describe("lazy rescoring: edits queue their O(n·p) work for the next read", () => {
  for (const chunkSize of [7, 64]) {
    it(`many edits with no read in between equal a fresh build (chunk size ${chunkSize})`, () => {
      const n = 300;
      const d = 3;
      const { x, y } = randomData(n, d, 3, 44);
      const index = CoresetIndex.build({ rows: n, cols: d, data: x }, y, { classes: CLASSES, chunkSize, candidatesPerClass: 5 });
      expect(index.dirty).toBe(false);
      const rng = createRng(9);
      let refactored = 0;
      for (let e = 0; e < 40; e++) {
        const r = rng.int(n);
        if (!index.isLive(r)) continue;
        if (e % 3 === 0) index.remove([r]);
        else index.relabel([r], [CLASSES[(index.labelOf(r) + 1 + (e % 2)) % 4]!]);
        refactored += index.lastBatch.refactored;
        expect(index.dirty).toBe(true); // nothing rescored yet
      }
      const big = Array.from({ length: 12 }, (_, t) => 100 + t).filter((r) => index.isLive(r));
      index.relabel(big, big.map(() => "B")); // > patchLimit: a fresh-λ refactor of B, its column queued
      refactored += index.lastBatch.refactored;
      expect(refactored).toBeGreaterThan(0);
      expect(index.lastBatch.leavesRebuilt).toBe(0);
      expectEqualToFresh(index, x, d); // the first read syncs everything
      expect(index.dirty).toBe(false);
    });
  }
});
