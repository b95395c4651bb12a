import { describe, expect, it } from "vitest";
import { PruneSelector } from "./prune.js";

/** prune_by_class only: `M` with diagonal m_k − q_k and no off-diagonal counts, so class k flags q_k members. */
function byClassSelector(y: Int32Array, K: number, q: number[], f32: boolean): PruneSelector {
  const counts = new Float64Array(K);
  for (const k of y) counts[k]!++;
  const M = new Float64Array(K * K);
  for (let k = 0; k < K; k++) M[k * K + k] = counts[k]! - q[k]!;
  return new PruneSelector(K, y, counts, M, new Uint8Array(K).fill(1), false, true, f32);
}

describe("PruneSelector prune_by_class", () => {
  // class 0 (rows 0, 2, 4, 6, 8): own values 0.3, 0.1, 0.2, 0.2, 0.5 → 3 smallest: 0.1, 0.2, 0.2 (no tie at the cut)
  // class 1 (rows 1, 3, 5, 7, 9): own values 0.4, 0.2, 0.2, 0.9, 0.2 → 2 smallest: a tie among three 0.2s
  const y = Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  const own = [0.3, 0.4, 0.1, 0.2, 0.2, 0.2, 0.2, 0.9, 0.5, 0.2];
  for (const f32 of [false, true]) {
    const P = (f32 ? Float32Array : Float64Array).from(own.flatMap((v, i) => (y[i] === 0 ? [v, 1 - v] : [1 - v, v])));
    const feed = (sel: PruneSelector) => {
      sel.add({ P: P.subarray(0, 8), start: 0, rows: 4 });
      sel.add({ P: P.subarray(8), start: 4, rows: 6 });
    };
    const rows = (mask: Uint8Array) => Array.from(mask.keys()).filter((i) => mask[i]);

    it(`keeps the smallest own probabilities per class, ties to the lower index, and counts a tie at the cut-off (${f32 ? "float32" : "float64"})`, () => {
      const sel = byClassSelector(y, 2, [3, 2], f32);
      feed(sel);
      const { byClass, byNoise } = sel.finish(10);
      expect(rows(byClass)).toEqual([2, 3, 4, 5, 6]);
      expect(rows(byNoise)).toEqual([]);
      expect(sel.tieFallbacks).toBe(1);
    });

    it(`lets the in-memory path recompute only the tied selection (${f32 ? "float32" : "float64"})`, () => {
      const sel = byClassSelector(y, 2, [3, 2], f32);
      feed(sel);
      const asked: number[][] = [];
      const { byClass } = sel.finish(10, (k, j, cap) => {
        asked.push([k, j, cap]);
        return [5, 9];
      });
      expect(asked).toEqual([[1, 1, 2]]);
      expect(rows(byClass)).toEqual([2, 4, 5, 6, 9]);
    });
  }
});
