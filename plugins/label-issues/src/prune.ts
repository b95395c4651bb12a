/**
 * Streaming selection for the pruning modes of confident learning. Every (given class k, other class j)
 * pair of `prune_by_noise_rate` keeps the `M[j][k]` members of class k with the largest margin
 * `P[i][j] − P[i][k]` in a bounded heap fed row by row, so the matrix is read once, row-major, in any
 * number of row blocks. `prune_by_class` keeps the `q_k` members with the smallest `P[i][k]`: one value
 * per row, kept on the way (4 or 8 bytes per row) and selected per class at the end (a quickselect is much
 * cheaper than a heap holding about half of each class).
 *
 * Ties: the selections break ties by lower index first (a stable sort). cleanlab uses numpy's argsort,
 * whose tie order for more than 16 elements differs; that only matters when equal values straddle a
 * cut-off, which every selection detects (for a heap: `rej == top`). The in-memory path then recomputes
 * that one selection with the numpy-order emulation; the chunked path keeps the stable choice and counts
 * it in `tieFallbacks`.
 */
import { markSmallestNumpy, markSmallestStable } from "@assay/math";
import { type PruneWasm, pruneWasmFor } from "./prune-wasm.js";
import { blockRows, type RowsKernel, rowsKernel } from "./rows-wasm.js";

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
  /** Per slot: the other class j. */
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
  /** K×K, row k: the floor of class k's prune_by_noise_rate slot for column j (+∞ where there is none). */
  private readonly gate: Float64Array;
  /** K×K: the slot of (class k, column j), where `gate` is finite. */
  private readonly slotAt: Int32Array;
  /** `gate` as float32 for the WebAssembly pre-filter (float32 input: every floor is a float32 value). */
  private gate32: Float32Array | undefined;
  /** Per class: how many members prune_by_class flags (0: none). */
  private readonly classCap: Float64Array;
  /** prune_by_class: `P[i][y_i]` of every row fed so far (null without prune_by_class). */
  private readonly own: Float32Array | Float64Array | null;
  /** The JavaScript heaps' values and rows, per slot from slotOff (empty when the selection runs in WebAssembly). */
  private readonly vals: Float64Array;
  private readonly idx: Int32Array;
  private readonly f32: boolean;
  /** float32 input with K a multiple of 4: the whole selection runs in WebAssembly (prune-wasm.ts). */
  private readonly wasm: PruneWasm | null;
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
    this.classCap = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      slotStart[k] = js.length;
      if (!eligible[k]) continue;
      const m = counts[k]!;
      const q = m - M[k * K + k]!;
      if (byClass && q >= 1) this.classCap[k] = Math.min(q, m);
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
    this.gate = new Float64Array(K * K).fill(Infinity);
    this.slotAt = new Int32Array(K * K);
    for (let k = 0; k < K; k++) {
      for (let s = slotStart[k]!; s < slotStart[k + 1]!; s++) {
        this.gate[k * K + this.slotJ[s]!] = -Infinity;
        this.slotAt[k * K + this.slotJ[s]!] = s;
      }
    }
    this.own = byClass ? (f32 ? new Float32Array(y.length) : new Float64Array(y.length)) : null;
    const { slotJ, slotCap, slotOff, slotAt, gate } = this;
    this.wasm = f32 && S > 0 ? pruneWasmFor({ K, y, slotJ, slotCap, slotOff, slotAt, gate }) : null;
    const heapEntries = this.wasm ? 0 : this.slotOff[S]!;
    this.vals = new Float64Array(heapEntries);
    this.idx = new Int32Array(heapEntries);
  }

  /** Feed a block of rows (global rows `start … start+rows−1`, in ascending order across calls). */
  add(block: RowBlock): void {
    const { P, start, rows } = block;
    const { own, K, y } = this;
    // per cache-sized chunk: the prune_by_class values, then the heaps while the chunk is cache-warm
    const R = blockRows(K);
    for (let r0 = 0; r0 < rows; r0 += R) {
      const nr = Math.min(R, rows - r0);
      const sub = P.subarray(r0 * K, (r0 + nr) * K);
      if (own) for (let r = 0, g = start + r0; r < nr; r++, g++) own[g] = sub[r * K + y[g]!]!;
      if (this.slotJ.length > 0) this.addChunk(sub, start + r0, nr);
    }
  }

  private addChunk(P: Float32Array | Float64Array, start: number, rows: number): void {
    const { K } = this;
    if (this.wasm) {
      this.wasm.add(P as Float32Array, start, rows);
      return;
    }
    const wk = this.f32 && P instanceof Float32Array && rows * K >= 4096 ? rowsKernel(K, P) : null;
    if (!wk) {
      this.addRows(P, start, 0, rows, 0);
      return;
    }
    try {
      this.addFiltered(wk, P as Float32Array, start, rows);
    } finally {
      wk.release();
    }
  }

  /**
   * WebAssembly pre-filter of the first K4 columns: it lists the (row, column) pairs at or above their
   * slot's floor (a superset of those that reach a heap: floors only rise while a block is scanned).
   * Slots are independent and each sees its rows in ascending order, as in the plain scan.
   */
  private addFiltered(wk: RowsKernel, P: Float32Array, start: number, rows: number): void {
    const K = this.K;
    this.gate32 ??= Float32Array.from(this.gate);
    const { y, gate, slotAt } = this;
    const G = wk.K4 / 4;
    const fr = Math.fround;
    for (let r0 = 0; r0 < rows; r0 += wk.R) {
      const nr = Math.min(wk.R, rows - r0);
      // read the cache-warm block (in place, or its copy in the kernel memory) rather than P
      const { entries, block } = wk.candidates(P, r0 * K, nr, y, start + r0, this.gate32);
      for (let t = 0; t < entries.length; t++) {
        const e = entries[t]!;
        const cell = e >>> 4;
        const rr = Math.floor(cell / G);
        const gi = start + r0 + rr;
        const k = y[gi]!;
        const b = rr * K;
        const own = block[b + k]!;
        const gk = k * K;
        for (let j = 4 * (cell - rr * G), m = e & 15; m !== 0; j++, m >>>= 1) {
          if ((m & 1) === 0) continue;
          const v = fr(block[b + j]! - own);
          if (v >= gate[gk + j]!) this.offer(slotAt[gk + j]!, k, v, gi);
        }
      }
      this.addRows(block, start + r0, 0, nr, wk.K4);
    }
  }

  /** Rows `r0 … r1−1` of a block: the prune_by_noise_rate columns `from…K−1`. */
  private addRows(P: Float32Array | Float64Array, start: number, r0: number, r1: number, from: number): void {
    const { K, y, slotStart, slotAt, gate } = this;
    const fr = Math.fround;
    for (let r = r0; r < r1; r++) {
      const gi = start + r;
      const k = y[gi]!;
      if (slotStart[k] === slotStart[k + 1]) continue;
      const b = r * K;
      const own = P[b + k]!;
      // selection values (larger = flagged first): P[i][j] − own against each slot's floor (+∞ where class k has no slot j)
      const gk = k * K;
      if (this.f32) {
        for (let j = from; j < K; j++) {
          const v = fr(P[b + j]! - own);
          if (v >= gate[gk + j]!) this.offer(slotAt[gk + j]!, k, v, gi);
        }
      } else {
        for (let j = from; j < K; j++) {
          const v = P[b + j]! - own;
          if (v >= gate[gk + j]!) this.offer(slotAt[gk + j]!, k, v, gi);
        }
      }
    }
  }

  /** Offer value `v` of global row `gi` to slot `s` (of class `k`): a bounded min-heap on (value asc, index desc). */
  private offer(s: number, k: number, v: number, gi: number): void {
    const { slotCap, slotSize, slotOff, rej, vals, idx } = this;
    if (!(v > rej[s]!)) return;
    const off = slotOff[s]!;
    const size = slotSize[s]!;
    if (size < slotCap[s]!) {
      // push and sift up
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
      if (size + 1 === slotCap[s]!) this.raiseFloor(k, this.slotJ[s]!, s, vals[off]!);
      return;
    }
    const top = vals[off]!;
    if (!(v > top)) {
      rej[s] = v; // equal to the weakest kept value: loses the tie (higher index)
      return;
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
    this.raiseFloor(k, this.slotJ[s]!, s, vals[off]!);
  }

  private raiseFloor(k: number, j: number, s: number, v: number): void {
    this.floor[s] = v;
    this.gate[k * this.K + j] = v;
    if (this.gate32) this.gate32[k * this.K + j] = v;
  }

  /**
   * The flagged masks. `recompute(k, j, cap)` (in-memory path) returns the numpy-order selection of a
   * slot whose cut-off fell in a tie; without it the stable choice is kept.
   */
  finish(n: number, recompute?: (k: number, j: number, cap: number) => Iterable<number>): { byNoise: Uint8Array; byClass: Uint8Array } {
    const byNoise = new Uint8Array(n);
    const byClass = new Uint8Array(n);
    let vals: Float32Array | Float64Array = this.vals;
    let idx = this.idx;
    if (this.wasm) {
      // read the heaps where the module keeps them
      const st = this.wasm.state();
      this.slotSize.set(st.size);
      this.rej.set(st.rej);
      vals = st.values;
      idx = st.rows;
    }
    const { K, slotStart, slotJ, slotCap, slotSize, slotOff, rej } = this;
    for (let k = 0; k < K; k++) {
      for (let s = slotStart[k]!; s < slotStart[k + 1]!; s++) {
        const off = slotOff[s]!;
        const size = slotSize[s]!;
        const tie = size === slotCap[s]! && size > 0 && rej[s] === vals[off]!;
        if (tie) {
          this.tieFallbacks++;
          if (recompute) {
            for (const i of recompute(k, slotJ[s]!, slotCap[s]!)) byNoise[i] = 1;
            continue;
          }
        }
        for (let t = 0; t < size; t++) byNoise[idx[off + t]!] = 1;
      }
    }
    if (this.own) this.selectByClass(byClass, recompute);
    return { byNoise, byClass };
  }

  /**
   * prune_by_class: per class, flag the `classCap[k]` members with the smallest own probability (ties to
   * the lower index); a cut-off between equal values is a tie fallback, as for the heaps.
   */
  private selectByClass(out: Uint8Array, recompute?: (k: number, j: number, cap: number) => Iterable<number>): void {
    const { K, y, classCap } = this;
    const own = this.own!;
    const members = membersByClass(y, K);
    // one buffer for every class's values and one for the selection's copy (the largest class), warm in cache
    // from class to class
    let largest = 0;
    for (let k = 0; k < K; k++) largest = Math.max(largest, members.offsets[k + 1]! - members.offsets[k]!);
    const buffer = new Float64Array(largest);
    const scratch = new Float64Array(largest);
    for (let k = 0; k < K; k++) {
      const cap = classCap[k]!;
      if (cap === 0) continue;
      const start = members.offsets[k]!;
      const rows = members.rows.subarray(start, members.offsets[k + 1]!);
      const values = buffer.subarray(0, rows.length);
      for (let r = 0; r < rows.length; r++) values[r] = own[rows[r]!]!;
      let weakest = -Infinity;
      markSmallestStable(values, cap, (r: number) => {
        out[rows[r]!] = 1;
        if (values[r]! > weakest) weakest = values[r]!;
      }, scratch);
      let tie = false;
      for (let r = 0; r < rows.length; r++) {
        if (values[r] === weakest && out[rows[r]!] === 0) {
          tie = true;
          break;
        }
      }
      if (!tie) continue;
      this.tieFallbacks++;
      if (recompute) {
        for (const i of rows) out[i] = 0;
        for (const i of recompute(k, k, cap)) out[i] = 1;
      }
    }
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
