/**
 * Streaming selection for the pruning modes of confident learning. Every (given class k, other class j)
 * pair of `prune_by_noise_rate` keeps the `M[j][k]` members of class k with the largest margin
 * `P[i][j] − P[i][k]`, and `prune_by_class` keeps the `q_k` members with the smallest `P[i][k]` — each in
 * a bounded heap fed row by row, so the matrix is read once, row-major, in any number of row blocks.
 *
 * Ties: the heaps break ties by lower index first (a stable sort). cleanlab uses numpy's argsort, whose
 * tie order for more than 16 elements differs; that only matters when equal values straddle a cut-off,
 * which every heap detects (`rej == top`). The in-memory path then recomputes that one selection with
 * the numpy-order emulation; the chunked path keeps the stable choice and counts it in `tieFallbacks`.
 */
import { markSmallestNumpy } from "@assay/math";

/** One row-block of pred_probs: `rows` rows starting at global row `start`. */
export interface RowBlock {
  readonly P: Float32Array | Float64Array;
  readonly start: number;
  readonly rows: number;
}

/** Bounded-heap selection state for `prune_by_noise_rate` and/or `prune_by_class`. */
export class PruneSelector {
  private readonly K: number;
  private readonly y: Int32Array;
  /** Per class: slot range [slotStart[k], slotStart[k+1]). */
  private readonly slotStart: Int32Array;
  /** Per slot: the other class j (j === k means the prune_by_class slot). */
  private readonly slotJ: Int32Array;
  private readonly slotCap: Int32Array;
  private readonly slotSize: Int32Array;
  private readonly slotOff: Int32Array;
  private readonly rej: Float64Array;
  /**
   * Per slot: the weakest kept value once the heap is full (−∞ before). A value below it can neither
   * enter the heap nor tie with its final weakest value (which only grows), so it is skipped at once.
   */
  private readonly floor: Float64Array;
  private readonly vals: Float64Array;
  private readonly idx: Int32Array;
  private readonly f32: boolean;
  /** Selections whose cut-off fell inside a run of equal values (numpy's order may differ). */
  tieFallbacks = 0;

  /**
   * @param M prune-count matrix (K×K, column k = given class k) after keepAtLeast / num_to_remove
   * @param eligible per class: whether the class is pruned at all (m_k > min_examples_per_class and m_k > 1)
   */
  constructor(K: number, y: Int32Array, counts: Float64Array, M: Float64Array, eligible: Uint8Array, byNoise: boolean, byClass: boolean, f32: boolean) {
    this.K = K;
    this.y = y;
    this.f32 = f32;
    const js: number[] = [];
    const caps: number[] = [];
    const slotStart = new Int32Array(K + 1);
    for (let k = 0; k < K; k++) {
      slotStart[k] = js.length;
      if (!eligible[k]) continue;
      const m = counts[k]!;
      if (byClass) {
        const q = m - M[k * K + k]!;
        if (q >= 1) {
          js.push(k);
          caps.push(Math.min(q, m));
        }
      }
      if (byNoise) {
        for (let j = 0; j < K; j++) {
          if (j === k) continue;
          const cnt = M[j * K + k]!;
          if (cnt > 0) {
            js.push(j);
            caps.push(Math.min(cnt, m));
          }
        }
      }
    }
    slotStart[K] = js.length;
    this.slotStart = slotStart;
    this.slotJ = Int32Array.from(js);
    this.slotCap = Int32Array.from(caps);
    const S = js.length;
    this.slotSize = new Int32Array(S);
    this.slotOff = new Int32Array(S + 1);
    for (let s = 0; s < S; s++) this.slotOff[s + 1] = this.slotOff[s]! + this.slotCap[s]!;
    this.rej = new Float64Array(S).fill(-Infinity);
    this.floor = new Float64Array(S).fill(-Infinity);
    this.vals = new Float64Array(this.slotOff[S]!);
    this.idx = new Int32Array(this.slotOff[S]!);
  }

  /** Feed a block of rows (global rows `start … start+rows−1`, in ascending order across calls). */
  add(block: RowBlock): void {
    const { P, start, rows } = block;
    const { K, y, slotStart, slotJ, slotCap, slotSize, slotOff, rej, floor, vals, idx } = this;
    const f32 = this.f32;
    const fr = Math.fround;
    for (let r = 0; r < rows; r++) {
      const gi = start + r;
      const k = y[gi]!;
      const s0 = slotStart[k]!;
      const s1 = slotStart[k + 1]!;
      if (s0 === s1) continue;
      const b = r * K;
      const own = P[b + k]!;
      for (let s = s0; s < s1; s++) {
        const j = slotJ[s]!;
        // selection value: larger = flagged first
        const v = j === k ? -own : f32 ? fr(P[b + j]! - own) : P[b + j]! - own;
        if (v < floor[s]! || !(v > rej[s]!)) continue;
        const off = slotOff[s]!;
        const size = slotSize[s]!;
        if (size < slotCap[s]!) {
          // push and sift up (min-heap on (value asc, index desc))
          let c = size;
          while (c > 0) {
            const p = (c - 1) >> 1;
            const pv = vals[off + p]!;
            if (pv < v || (pv === v && idx[off + p]! > gi)) break;
            vals[off + c] = pv;
            idx[off + c] = idx[off + p]!;
            c = p;
          }
          vals[off + c] = v;
          idx[off + c] = gi;
          slotSize[s] = size + 1;
          if (size + 1 === slotCap[s]!) floor[s] = vals[off]!;
          continue;
        }
        const top = vals[off]!;
        if (!(v > top)) {
          rej[s] = v; // equal to the weakest kept value: loses the tie (higher index)
          continue;
        }
        if (top > rej[s]!) rej[s] = top;
        // replace the top and sift down
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= size) break;
          let m = l;
          const rr = l + 1;
          if (rr < size) {
            const lv = vals[off + l]!;
            const rv = vals[off + rr]!;
            if (rv < lv || (rv === lv && idx[off + rr]! > idx[off + l]!)) m = rr;
          }
          const mv = vals[off + m]!;
          if (v < mv || (v === mv && gi > idx[off + m]!)) break;
          vals[off + c] = mv;
          idx[off + c] = idx[off + m]!;
          c = m;
        }
        vals[off + c] = v;
        idx[off + c] = gi;
        floor[s] = vals[off]!;
      }
    }
  }

  /**
   * The flagged masks. `recompute(k, j, cap)` (in-memory path) returns the numpy-order selection of a
   * slot whose cut-off fell in a tie; without it the stable choice is kept.
   */
  finish(n: number, recompute?: (k: number, j: number, cap: number) => Iterable<number>): { byNoise: Uint8Array; byClass: Uint8Array } {
    const byNoise = new Uint8Array(n);
    const byClass = new Uint8Array(n);
    const { K, slotStart, slotJ, slotCap, slotSize, slotOff, rej, vals, idx } = this;
    for (let k = 0; k < K; k++) {
      for (let s = slotStart[k]!; s < slotStart[k + 1]!; s++) {
        const out = slotJ[s] === k ? byClass : byNoise;
        const off = slotOff[s]!;
        const size = slotSize[s]!;
        const tie = size === slotCap[s]! && size > 0 && rej[s] === vals[off]!;
        if (tie) {
          this.tieFallbacks++;
          if (recompute) {
            for (const i of recompute(k, slotJ[s]!, slotCap[s]!)) out[i] = 1;
            continue;
          }
        }
        for (let t = 0; t < size; t++) out[idx[off + t]!] = 1;
      }
    }
    return { byNoise, byClass };
  }
}

/** numpy-order recomputation of one selection on the in-memory matrix (see {@link PruneSelector.finish}). */
export function recomputeInMemory(P: Float32Array | Float64Array, K: number, y: Int32Array): (k: number, j: number, cap: number) => number[] {
  let members: { offsets: Int32Array; rows: Int32Array } | undefined;
  const f32 = P instanceof Float32Array;
  return (k, j, cap) => {
    members ??= membersByClass(y, K);
    const start = members.offsets[k]!;
    const m = members.offsets[k + 1]! - start;
    const vals = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const b = members.rows[start + r]! * K;
      // ascending order of these values = the order cleanlab sorts by
      vals[r] = j === k ? P[b + k]! : f32 ? -Math.fround(P[b + j]! - P[b + k]!) : P[b + k]! - P[b + j]!;
    }
    const out: number[] = [];
    markSmallestNumpy(vals, cap, (r: number) => {
      out.push(members!.rows[start + r]!);
    });
    return out;
  };
}

/** Row indices grouped by given class, ascending within each class: `{offsets (K+1), rows}`. */
export function membersByClass(y: Int32Array, K: number): { offsets: Int32Array; rows: Int32Array } {
  const offsets = new Int32Array(K + 1);
  for (let i = 0; i < y.length; i++) offsets[y[i]! + 1]!++;
  for (let k = 0; k < K; k++) offsets[k + 1]! += offsets[k]!;
  const fill = offsets.slice(0, K);
  const rows = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) rows[fill[y[i]!]!++] = i;
  return { offsets, rows };
}
