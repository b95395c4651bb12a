import { availableParallelism } from "node:os";
import type { Float32Matrix } from "@assay/core";
import { cancelled, checkInt, checkPositive, invalidOption } from "./errors.js";
import { rowNorms, shareFloat64 } from "./matrix.js";
import { nnDescentWasm } from "./nndescent-wasm.js";
import { runPool } from "./pool.js";

/**
 * Parameters of the NN-descent all-pairs graph builder (`knn(m, { method: "nndescent" })`). The build:
 * 1. random-projection trees split the rows into leaves of at most `leafSize` rows; every pair inside a
 *    leaf is scored (this seeds each row's list of `neighbors` candidates);
 * 2. NN-descent iterations: each row's new and old candidates (its list plus the rows that list it,
 *    sampled to `maxCandidates` each by a seeded hash) are scored pairwise — "a neighbour of my
 *    neighbour is likely my neighbour" — until fewer than `delta`·n·neighbors list entries change;
 * 3. every row's list is re-scored with exact float64 distances and the k best are kept by
 *    (distance, index).
 * Candidate distances are computed by a WebAssembly SIMD kernel on worker threads over one shared
 * 16-bit copy of the rows. The result is deterministic: it depends on the input, the options and the seed, not on
 * the number of threads or their timing.
 */
export interface NnDescentOptions {
  /** Candidates kept per row while building (≥ k). Default k + 12. */
  neighbors?: number;
  /** Random-projection trees that seed the lists (the first also orders the rows in memory). Default 3. */
  trees?: number;
  /** Largest leaf of a tree. Default max(32, neighbors + 8). */
  leafSize?: number;
  /** New (and old) candidates sampled per row per iteration. Default min(neighbors, 20). */
  maxCandidates?: number;
  /** Most iterations. Default max(5, round(log₂ n)). */
  iterations?: number;
  /** Stop when an iteration changes fewer than delta·n·neighbors list entries. Default 0.001. */
  delta?: number;
  /** Seed of the trees and of the candidate sampling. Default 0. */
  seed?: number;
}

/** WebAssembly API subset used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: SharedArrayBuffer };
}
declare const WebAssembly: WasmApi;

let kernelBytes: Uint8Array | null | undefined;

/** The kernel's bytes when this runtime supports WebAssembly SIMD and shared memory, else null. */
export function nnDescentSupported(): Uint8Array | null {
  if (kernelBytes !== undefined) return kernelBytes;
  try {
    const bytes = nnDescentWasm();
    kernelBytes = typeof WebAssembly === "object" && typeof SharedArrayBuffer === "function" && WebAssembly.validate(bytes) ? bytes : null;
  } catch {
    kernelBytes = null;
  }
  return kernelBytes;
}

/** Everything a worker needs; typed arrays live on SharedArrayBuffers. @internal */
export interface NnContext {
  memory: object;
  wasm: Uint8Array;
  n: number;
  rb: number;
  K: number;
  mc: number;
  leafSize: number;
  trees: number;
  iterations: number;
  minChanges: number;
  seed: number;
  W: number;
  scratch: number;
  scratchBytes: number;
  listBytes: number;
  listLen: number;
  outLen: number;
  cap: number;
  hd: Float32Array;
  hi: Int32Array;
  hf: Uint8Array;
  candN: Int32Array;
  candO: Int32Array;
  cntN: Int32Array;
  cntO: Int32Array;
  upP: Int32Array;
  upQ: Int32Array;
  upD: Float32Array;
  ctl: Int32Array;
  /** Internal row number → original row (tree 0's leaf order). */
  order: Int32Array;
  /** Tree 0's leaf count, then its leaf bounds in internal numbers. */
  leaf0: Int32Array;
}

/** Control slots: 0 barrier count, 1 barrier generation, 2.. per-thread flags, then per-thread counts. */
const CTL_FLAGS = 2;

/* ------------------------------------------------------------------------------------------------
 * Worker-side functions. They are shipped to the worker threads as source text (see pool.ts), so each
 * one is self-contained: no imports, no module-level values.
 * ---------------------------------------------------------------------------------------------- */

/** Symmetric 32-bit hash of a pair under a per-iteration seed (candidate sampling priority). */
function nnHash(a: number, b: number, s: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(s + 0x165667b1, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * Insert (dist, j) into the sorted top-k list td/ti holding c entries, ordered by (distance, index);
 * returns the new count. A candidate that does not beat the k-th entry leaves the list unchanged.
 * Self-contained: it also runs in the worker threads (HNSW's merge uses it on the calling thread).
 * @internal
 */
export function insertTopK(td: Float64Array, ti: Int32Array, c: number, k: number, dist: number, j: number): number {
  if (c === k && (dist > td[k - 1]! || (dist === td[k - 1]! && j > ti[k - 1]!))) return c;
  let p = c < k ? c++ : k - 1;
  while (p > 0 && (td[p - 1]! > dist || (td[p - 1]! === dist && ti[p - 1]! > j))) {
    td[p] = td[p - 1]!;
    ti[p] = ti[p - 1]!;
    p--;
  }
  td[p] = dist;
  ti[p] = j;
  return c;
}

/** Reusable barrier over `W` threads (generation counting). */
function nnBarrier(ctl: Int32Array, W: number): void {
  if (W === 1) return;
  const gen = Atomics.load(ctl, 1);
  if (Atomics.add(ctl, 0, 1) === W - 1) {
    Atomics.store(ctl, 0, 0);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  } else {
    while (Atomics.load(ctl, 1) === gen) Atomics.wait(ctl, 1, gen);
  }
}

/**
 * Offer q at squared distance `dist` to row p's list: a max-heap on (distance, index) of K entries
 * (empty slots are (+∞, −1)). Returns 1 when q entered the list (flag 2: new this iteration).
 */
function nnOffer(hd: Float32Array, hi: Int32Array, hf: Uint8Array, K: number, p: number, q: number, dist: number): number {
  const base = p * K;
  const rd = hd[base]!;
  if (dist > rd || (dist === rd && q > hi[base]!)) return 0;
  for (let s = 0; s < K; s++) if (hi[base + s] === q) return 0;
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= K) break;
    let c = l;
    const r = l + 1;
    if (r < K && (hd[base + r]! > hd[base + l]! || (hd[base + r] === hd[base + l] && hi[base + r]! > hi[base + l]!))) c = r;
    const cd = hd[base + c]!;
    const ci = hi[base + c]!;
    if (cd > dist || (cd === dist && ci > q)) {
      hd[base + pos] = cd;
      hi[base + pos] = ci;
      hf[base + pos] = hf[base + c]!;
      pos = c;
    } else break;
  }
  hd[base + pos] = dist;
  hi[base + pos] = q;
  hf[base + pos] = 2;
  return 1;
}

/**
 * Add candidate c to row t's sample (`list`, at most mc entries): keeps the mc smallest hash priorities
 * (ties by index) as a max-heap; priorities are recomputed from the pair, so nothing else is stored.
 */
function nnSample(list: Int32Array, cnt: Int32Array, mc: number, t: number, c: number, seed: number): void {
  const base = t * mc;
  const m = cnt[t]!;
  for (let s = 0; s < m; s++) if (list[base + s] === c) return;
  const pr = nnHash(t < c ? t : c, t < c ? c : t, seed);
  if (m < mc) {
    let pos = m;
    cnt[t] = m + 1;
    while (pos > 0) {
      const par = (pos - 1) >> 1;
      const x = list[base + par]!;
      const px = nnHash(t < x ? t : x, t < x ? x : t, seed);
      if (px > pr || (px === pr && x > c)) break;
      list[base + pos] = x;
      pos = par;
    }
    list[base + pos] = c;
    return;
  }
  const root = list[base]!;
  const pRoot = nnHash(t < root ? t : root, t < root ? root : t, seed);
  if (pr > pRoot || (pr === pRoot && c > root)) return;
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= m) break;
    let ch = l;
    let pc = nnHash(t < list[base + l]! ? t : list[base + l]!, t < list[base + l]! ? list[base + l]! : t, seed);
    if (l + 1 < m) {
      const y = list[base + l + 1]!;
      const py = nnHash(t < y ? t : y, t < y ? y : t, seed);
      if (py > pc || (py === pc && y > list[base + l]!)) {
        ch = l + 1;
        pc = py;
      }
    }
    const xc = list[base + ch]!;
    if (pc > pr || (pc === pr && xc > c)) {
      list[base + pos] = xc;
      pos = ch;
    } else break;
  }
  list[base + pos] = c;
}

/**
 * Score every pair (a, b) with a < nn and a < b < m of the rows `ids[0..m)` with the kernel and queue
 * an offer for each endpoint whose list the pair can enter. Returns the new queue length.
 */
function nnJoin(S: any, ids: Int32Array, nn: number, m: number, u: number): number {
  const mp = (m + 3) & ~3;
  const L: Int32Array = S.L;
  const rb: number = S.rb;
  for (let a = 0; a < m; a++) L[a] = ids[a]! * rb;
  for (let a = m; a < mp; a++) L[a] = L[m - 1]!;
  S.join(S.listAt, nn, mp, rb, S.outAt);
  const O: Float32Array = S.O;
  const hd: Float32Array = S.hd;
  const K: number = S.K;
  const upP: Int32Array = S.upP;
  const upQ: Int32Array = S.upQ;
  const upD: Float32Array = S.upD;
  // Each listed row's current worst distance, read once (the lists do not change while offers queue).
  const thr: Float32Array = S.thr;
  for (let b = 0; b < m; b++) thr[b] = hd[ids[b]! * K]!;
  for (let a = 0; a < nn; a++) {
    const p = ids[a]!;
    const row = a * mp;
    const tp = thr[a]!;
    for (let b = a + 1; b < m; b++) {
      const q = ids[b]!;
      if (q === p) continue;
      const dist = O[row + b]!;
      if (dist <= tp) {
        upP[u] = p;
        upQ[u] = q;
        upD[u] = dist;
        u++;
      }
      if (dist <= thr[b]!) {
        upP[u] = q;
        upQ[u] = p;
        upD[u] = dist;
        u++;
      }
    }
  }
  return u;
}

/**
 * Process this thread's items [from, to) in rounds: queue offers until the next item might overflow
 * the queue, then (after a barrier) every thread applies the offers aimed at its own rows, from every
 * queue in thread order. The lists' final content does not depend on how items were split into rounds
 * or threads: a list keeps the K best offers by (distance, index) whatever their order.
 */
function nnRounds(S: any, from: number, to: number, worst: (item: number) => number, work: (item: number, u: number) => number): void {
  const { W, w, ctl, cap, r0, r1, hd, hi, hf, K, upP, upQ, upD } = S;
  let pos = from;
  for (;;) {
    let u = 0;
    while (pos < to) {
      const need = worst(pos);
      if (u > 0 && u + need > cap) break;
      u = work(pos, w * cap + u) - w * cap;
      pos++;
    }
    ctl[2 + W + w] = u;
    ctl[2 + w] = pos >= to ? 1 : 0;
    nnBarrier(ctl, W);
    let all = true;
    for (let s = 0; s < W; s++) if (ctl[2 + s] === 0) all = false;
    for (let s = 0; s < W; s++) {
      const end = s * cap + ctl[2 + W + s]!;
      for (let e = s * cap; e < end; e++) {
        const p = upP[e]!;
        if (p >= r0 && p < r1) nnOffer(hd, hi, hf, K, p, upQ[e]!, upD[e]!);
      }
    }
    nnBarrier(ctl, W);
    if (all) return;
  }
}

/** Random-projection tree over all rows: fills `perm` (rows grouped by leaf) and returns the leaf bounds. */
function nnTree(S: any, tree: number): Int32Array {
  const { n, leafSize, seed, perm, side } = S;
  let state = nnHash(seed, tree, 0x5eed) | 1;
  const rand = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) perm[i] = i;
  const bounds: number[] = [0];
  const stack: number[] = [0, n];
  const L: Int32Array = S.L;
  const O: Float32Array = S.O;
  const rb: number = S.rb;
  const chunk: number = S.treeChunk;
  while (stack.length > 0) {
    const hiEnd = stack.pop()!;
    const lo = stack.pop()!;
    const size = hiEnd - lo;
    if (size <= leafSize) {
      bounds.push(hiEnd);
      continue;
    }
    const ia = Math.floor(rand() * size);
    let ib = Math.floor(rand() * (size - 1));
    if (ib >= ia) ib++;
    const a = perm[lo + ia]!;
    const b = perm[lo + ib]!;
    L[0] = a * rb;
    L[1] = b * rb;
    let left = 0;
    for (let c0 = lo; c0 < hiEnd; c0 += chunk) {
      const c1 = Math.min(hiEnd, c0 + chunk);
      const m = c1 - c0 + 2;
      const mp = (m + 3) & ~3;
      for (let j = c0; j < c1; j++) L[2 + j - c0] = perm[j]! * rb;
      for (let j = m; j < mp; j++) L[j] = L[m - 1]!;
      S.join(S.listAt, 2, mp, rb, S.outAt);
      for (let j = c0; j < c1; j++) {
        const da = O[2 + j - c0]!;
        const db = O[mp + 2 + j - c0]!;
        const s = da < db ? 1 : da > db ? 0 : rand() < 0.5 ? 1 : 0;
        side[j - lo] = s;
        left += s;
      }
    }
    let mid: number;
    if (left === 0 || left === size) {
      mid = lo + (size >> 1);
    } else {
      // Stable partition: rows nearer a first.
      const tmp: Int32Array = S.tmp;
      let x = lo;
      let y = 0;
      for (let j = lo; j < hiEnd; j++) {
        if (side[j - lo] === 1) perm[x++] = perm[j]!;
        else tmp[y++] = perm[j]!;
      }
      mid = x;
      for (let j = 0; j < y; j++) perm[x + j] = tmp[j]!;
    }
    stack.push(mid, hiEnd, lo, mid);
  }
  return Int32Array.from(bounds);
}

/** Worker entry: thread `w` of S.W runs the whole build in lock step with the others. */
function nnDescentWorker(ctx: any, w: number): void {
  const { n, K, W, rb, mc, memory } = ctx;
  const inst = new (globalThis as any).WebAssembly.Instance(new (globalThis as any).WebAssembly.Module(ctx.wasm), { e: { m: memory } });
  const buf = memory.buffer;
  const listAt = ctx.scratch + w * ctx.scratchBytes;
  const outAt = listAt + ctx.listBytes;
  const S: any = {
    ...ctx,
    w,
    join: inst.exports.j,
    listAt,
    outAt,
    L: new Int32Array(buf, listAt, ctx.listLen),
    O: new Float32Array(buf, outAt, ctx.outLen),
    Q: new Int16Array(buf, 0, n * (rb >> 1)),
    r0: Math.floor((w * n) / W),
    r1: Math.floor(((w + 1) * n) / W),
    treeChunk: ctx.listLen - 4,
  };
  const { hd, hi, hf, ctl, candN, candO, cntN, cntO, r0, r1 } = S;
  const Q: Int16Array = S.Q;
  const d8 = rb >> 1;
  const ids = new Int32Array(Math.max(2 * mc, ctx.leafSize) + 4);
  S.thr = new Float32Array(ids.length);

  // 1. Trees. Thread 0 builds tree 0 and renumbers the rows in its leaf order (rows that are near in
  //    space become near in memory, which keeps the random row reads of the joins in cache); every
  //    later step works on these internal numbers, mapped back through `order` at the end.
  S.perm = new Int32Array(n);
  S.side = new Uint8Array(n);
  S.tmp = new Int32Array(n);
  const order: Int32Array = ctx.order;
  const leaf0: Int32Array = ctx.leaf0;
  if (w === 0) {
    const bounds = ctx.trees > 0 ? nnTree(S, 0) : Int32Array.of(0);
    const perm: Int32Array = S.perm;
    if (ctx.trees === 0) for (let i = 0; i < n; i++) perm[i] = i;
    order.set(perm);
    const row = new Int16Array(d8);
    const moved = S.side;
    moved.fill(0);
    for (let s0 = 0; s0 < n; s0++) {
      if (moved[s0] === 1 || order[s0] === s0) continue;
      row.set(Q.subarray(s0 * d8, s0 * d8 + d8));
      let j = s0;
      for (;;) {
        moved[j] = 1;
        const src = order[j]!;
        if (src === s0) {
          Q.set(row, j * d8);
          break;
        }
        Q.copyWithin(j * d8, src * d8, src * d8 + d8);
        j = src;
      }
    }
    leaf0[0] = bounds.length - 1;
    leaf0.set(bounds, 1);
  }
  nnBarrier(ctl, W);
  const joinLeaves = (bounds: Int32Array, from: number, to: number, perm: Int32Array | null): void =>
    nnRounds(
      S,
      from,
      to,
      (leaf) => {
        const m = bounds[leaf + 1]! - bounds[leaf]!;
        return m * (m - 1);
      },
      (leaf, u) => {
        const lo = bounds[leaf]!;
        const m = bounds[leaf + 1]! - lo;
        if (m < 2) return u;
        for (let j = 0; j < m; j++) ids[j] = perm === null ? lo + j : perm[lo + j]!;
        return nnJoin(S, ids, m, m, u);
      },
    );
  // Tree 0's leaves are runs of consecutive internal numbers, shared out among the threads; then
  // thread w builds trees 1 + w, 1 + w + W, … and joins its own tree's leaves.
  const leaves0 = leaf0[0]!;
  joinLeaves(leaf0.subarray(1, leaves0 + 2), Math.floor((w * leaves0) / W), Math.floor(((w + 1) * leaves0) / W), null);
  for (let t0 = 1; t0 < ctx.trees; t0 += W) {
    const bounds = t0 + w < ctx.trees ? nnTree(S, t0 + w) : new Int32Array(1);
    joinLeaves(bounds, 0, bounds.length - 1, S.perm);
  }
  S.perm = S.side = S.tmp = null;
  for (let s = r0 * K, e = r1 * K; s < e; s++) if (hf[s] === 2) hf[s] = 1;

  // Rows whose list is not full yet (tiny leaves) get seeded rows at their float32 distances.
  for (let i = r0; i < r1; i++) {
    for (let attempt = 0; hd[i * K]! === Number.POSITIVE_INFINITY && attempt < 4 * K + 16; attempt++) {
      const j = nnHash(i, attempt, ctx.seed + 0x51ed) % n;
      if (j === i) continue;
      let s = 0;
      for (let p = 0; p < d8; p++) {
        const t = Q[i * d8 + p]! - Q[j * d8 + p]!;
        s += t * t;
      }
      nnOffer(hd, hi, hf, K, i, j, Math.fround(s));
    }
  }
  nnBarrier(ctl, W);

  // 2. NN-descent iterations.
  const stamp = new Uint8Array(n);
  for (let it = 0; it < ctx.iterations; it++) {
    const iterSeed = (ctx.seed * 7919 + it * 104729 + 1) | 0;
    for (let i = r0; i < r1; i++) {
      cntN[i] = 0;
      cntO[i] = 0;
    }
    for (let i = 0; i < n; i++) {
      const mine = i >= r0 && i < r1;
      for (let s = i * K, e = s + K; s < e; s++) {
        const j = hi[s]!;
        if (j < 0) continue;
        const fresh = hf[s] !== 0;
        if (mine) nnSample(fresh ? candN : candO, fresh ? cntN : cntO, mc, i, j, iterSeed);
        if (j >= r0 && j < r1) nnSample(fresh ? candN : candO, fresh ? cntN : cntO, mc, j, i, iterSeed);
      }
    }
    nnBarrier(ctl, W);
    // New entries that were sampled are old from now on.
    for (let i = r0; i < r1; i++) {
      const cb = i * mc;
      const cn = cntN[i]!;
      for (let c = 0; c < cn; c++) stamp[candN[cb + c]!] = 1;
      for (let s = i * K, e = s + K; s < e; s++) if (hf[s] !== 0 && hi[s]! >= 0 && stamp[hi[s]!] === 1) hf[s] = 0;
      for (let c = 0; c < cn; c++) stamp[candN[cb + c]!] = 0;
    }
    nnRounds(
      S,
      r0,
      r1,
      (i) => 2 * cntN[i]! * (cntN[i]! + cntO[i]!),
      (i, u) => {
        const nn = cntN[i]!;
        if (nn === 0) return u;
        const no = cntO[i]!;
        for (let c = 0; c < nn; c++) ids[c] = candN[i * mc + c]!;
        for (let c = 0; c < no; c++) ids[nn + c] = candO[i * mc + c]!;
        return nnJoin(S, ids, nn, nn + no, u);
      },
    );
    let changed = 0;
    for (let s = r0 * K, e = r1 * K; s < e; s++) {
      if (hf[s] === 2) {
        hf[s] = 1;
        changed++;
      }
    }
    ctl[2 + W + w] = changed;
    nnBarrier(ctl, W);
    let total = 0;
    for (let s = 0; s < W; s++) total += ctl[2 + W + s]!;
    nnBarrier(ctl, W);
    if (total <= ctx.minChanges) break;
  }
}

/** Options of {@link nnDescentGraph} (validated by `knn`). @internal */
export interface NnDescentSearchOptions {
  k: number;
  cosine: boolean;
  excludeSelf: boolean;
  nndescent: NnDescentOptions;
  workers?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * All-pairs approximate kNN graph by NN-descent (see {@link NnDescentOptions}). Returns indices and
 * distances n×k ordered by (exact distance, index).
 * @internal
 */
export async function nnDescentGraph(m: Float32Matrix, o: NnDescentSearchOptions): Promise<{ indices: Int32Array; distances: Float32Array }> {
  const fn = "knn";
  const wasm = nnDescentSupported();
  if (wasm === null) throw invalidOption(fn, "method", `"nndescent" needs WebAssembly SIMD and SharedArrayBuffer, which this runtime lacks; use "hnsw"`);
  const { rows: n, cols: d, data } = m;
  const { k } = o;
  const h = o.nndescent;
  const includeSelf = !o.excludeSelf;
  const maxK = n - 1;
  const K = Math.min(maxK, h.neighbors ?? k + 12);
  checkInt(fn, "nndescent.neighbors", K, Math.min(k, maxK), maxK);
  const mc = h.maxCandidates ?? Math.min(K, 20);
  checkInt(fn, "nndescent.maxCandidates", mc, 1, 4096);
  const leafSize = h.leafSize ?? Math.max(32, K + 8);
  checkInt(fn, "nndescent.leafSize", leafSize, 2, 4096);
  const trees = h.trees ?? 3;
  checkInt(fn, "nndescent.trees", trees, 0, 1024);
  const iterations = h.iterations ?? Math.max(5, Math.round(Math.log2(n)));
  checkInt(fn, "nndescent.iterations", iterations, 0, 1000);
  const delta = h.delta ?? 0.001;
  checkPositive(fn, "nndescent.delta", delta, 0, true);
  const seed = h.seed ?? 0;
  checkInt(fn, "nndescent.seed", seed, 0, 0x7fffffff);
  const signal = o.signal;
  if (signal?.aborted) throw cancelled(fn, signal.reason);

  const cores = Math.max(1, availableParallelism());
  const W = Math.max(1, Math.min(o.workers === undefined || o.workers === 0 ? cores : o.workers, 64));
  const inline = o.workers === 0;
  const d8 = (d + 7) & ~7;
  const rb = d8 * 2;
  const joinM = (Math.max(2 * mc, leafSize) + 7) & ~3;
  const listLen = Math.max(joinM, 1024);
  const listBytes = listLen * 4;
  const outLen = Math.max(Math.max(mc, leafSize) * joinM, 2 * listLen);
  const scratchBytes = listBytes + outLen * 4;
  const rowsBytes = n * rb;
  const threads = inline ? 1 : W;
  const totalBytes = rowsBytes + threads * scratchBytes;
  if (totalBytes > 65536 * 65536) {
    throw invalidOption(fn, "method", `"nndescent" keeps a 16-bit copy of the rows in one WebAssembly memory of at most 4 GiB; ${n}×${d} needs ${(rowsBytes / 2 ** 30).toFixed(1)} GiB — use "hnsw"`);
  }
  const pages = Math.ceil(totalBytes / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const norms = o.cosine ? rowNorms(m) : null;
  const step = quantizeRows(m, norms, new Int16Array(memory.buffer, 0, n * d8), d8);
  const sab = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);
  const cap = Math.max(1 << 18, 4 * mc * mc, leafSize * leafSize);
  const candN = new Int32Array(sab(n * mc * 4));
  const candO = new Int32Array(sab(n * mc * 4));
  const ctx: NnContext = {
    memory, wasm, n, rb, K, mc, leafSize, trees, iterations,
    minChanges: delta * n * K, seed, W: threads,
    scratch: rowsBytes, scratchBytes, listBytes, listLen, outLen, cap,
    hd: new Float32Array(sab(n * K * 4)).fill(Number.POSITIVE_INFINITY),
    hi: new Int32Array(sab(n * K * 4)).fill(-1),
    hf: new Uint8Array(sab(n * K)),
    candN, candO,
    cntN: new Int32Array(sab(n * 4)), cntO: new Int32Array(sab(n * 4)),
    upP: new Int32Array(sab(threads * cap * 4)), upQ: new Int32Array(sab(threads * cap * 4)), upD: new Float32Array(sab(threads * cap * 4)),
    ctl: new Int32Array(sab((2 + 2 * W) * 4)),
    order: new Int32Array(sab(n * 4)),
    leaf0: new Int32Array(sab((n + 2) * 4)),
  };
  if (inline) nnDescentWorker(ctx, 0);
  else {
    await runPool({
      fn,
      fns: [nnHash, nnBarrier, nnOffer, nnSample, nnJoin, nnRounds, nnTree, nnDescentWorker],
      entry: nnDescentWorker,
      ctx,
      total: W,
      chunk: 1,
      workers: W,
      signal,
    });
  }
  // The samples are dead by now: the result reuses their memory (a copy would add n·k·8 bytes).
  const rescore: RescoreContext = {
    hi: ctx.hi, hd: ctx.hd, order: ctx.order, data, d, K, k, includeSelf, step,
    norms: norms === null ? null : shareFloat64(norms),
    indices: mc >= k ? new Int32Array(candN.buffer, 0, n * k) : new Int32Array(sab(n * k * 4)),
    distances: mc >= k ? new Float32Array(candO.buffer, 0, n * k) : new Float32Array(sab(n * k * 4)),
  };
  // Worker threads can read the input only when it is on a SharedArrayBuffer (e.g. kernelFloat32Array).
  if (inline || !(data.buffer instanceof SharedArrayBuffer)) nnRescore(rescore, 0, n);
  else await runPool({ fn, fns: [insertTopK, nnRescore], entry: nnRescore, ctx: rescore, total: n, chunk: 8192, workers: W, signal });
  return { indices: rescore.indices, distances: rescore.distances };
}

/** What {@link nnRescore} reads and writes. @internal */
export interface RescoreContext {
  hi: Int32Array;
  hd: Float32Array;
  /** The grid step (see quantizeRows). */
  step: number;
  order: Int32Array;
  data: Float32Array;
  d: number;
  K: number;
  k: number;
  includeSelf: boolean;
  /** Row norms (cosine), else null (euclidean). */
  norms: Float64Array | null;
  indices: Int32Array;
  distances: Float32Array;
}

/**
 * Rows [r0, r1) in internal numbers: their listed candidates re-scored with exact float64 distances
 * from the input (the same formula as `pairDistance`, written out because worker code is
 * self-contained), the best k by (distance, index) written at the original row. Candidates are tried
 * in grid-distance order and the rest skipped once the grid's lower bound on the true distance passes
 * the k-th exact one: grid rounding moves each row by at most step·√d / 2, so the true euclidean
 * distance of two rows is at least step·(√grid − √d) (cosine, unit rows: half its square). @internal
 */
export function nnRescore(R: RescoreContext, r0: number, r1: number): void {
  const { hi, hd, order, data, d, K, k, includeSelf, step, norms, indices, distances } = R;
  const cd = new Float64Array(k);
  const ci = new Int32Array(k);
  const sg = new Float32Array(K);
  const sj = new Int32Array(K);
  const slack = Math.sqrt(d);
  // The kernel's float32 partial sums round each grid distance by less than this (relative).
  const rounding = 1 - 1.2e-7 * (d / 8 + 8);
  for (let r = r0; r < r1; r++) {
    const i = order[r]!;
    let m = 0;
    for (let s = r * K, e = s + K; s < e; s++) {
      if (hi[s]! < 0) continue;
      const g = hd[s]!;
      let p = m++;
      while (p > 0 && sg[p - 1]! > g) {
        sg[p] = sg[p - 1]!;
        sj[p] = sj[p - 1]!;
        p--;
      }
      sg[p] = g;
      sj[p] = hi[s]!;
    }
    const bounded = norms === null || norms[i]! > 0;
    let c = includeSelf ? insertTopK(cd, ci, 0, k, 0, i) : 0;
    for (let t = 0; t < m; t++) {
      if (c === k && bounded) {
        const e = Math.max(0, Math.sqrt(sg[t]! * rounding) - slack) * step;
        if ((norms === null ? e : (e * e) / 2 - 1e-12) > cd[k - 1]!) break;
      }
      const j = order[sj[t]!]!;
      let dist: number;
      if (norms === null) {
        let acc = 0;
        for (let p = 0; p < d; p++) {
          const u = data[i * d + p]! - data[j * d + p]!;
          acc += u * u;
        }
        dist = Math.sqrt(acc);
      } else if (norms[i] === 0 || norms[j] === 0) {
        dist = 1;
      } else {
        let dot = 0;
        for (let p = 0; p < d; p++) dot += data[i * d + p]! * data[j * d + p]!;
        const cs = 1 - dot / (norms[i]! * norms[j]!);
        dist = cs < 0 ? 0 : cs > 2 ? 2 : cs;
      }
      c = insertTopK(cd, ci, c, k, dist, j);
    }
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = t < c ? ci[t]! : -1;
      distances[i * k + t] = t < c ? cd[t]! : Number.POSITIVE_INFINITY;
    }
  }
}

/**
 * The rows (cosine: unit rows) as 16-bit integers on one grid for all columns: each column centred on
 * its mid-range, one step = the largest half-range / 16383, so any two rows' differences fit in int16
 * and the kernel's squared distances are those of the grid points. Rounding moves a row by at most
 * step·√d / 2; the candidates are re-scored exactly at the end, so the grid only decides which rows are
 * tried — with half the memory traffic of float32 rows, and half the memory of a float32 copy.
 * Returns the step. @internal
 */
export function quantizeRows(m: Float32Matrix, norms: Float64Array | null, Q: Int16Array, d8: number): number {
  const { rows: n, cols: d, data } = m;
  const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
  const scale = (i: number): number => (norms === null ? 1 : norms[i]! > 0 ? 1 / norms[i]! : 0);
  for (let i = 0; i < n; i++) rowRange(data, i * d, d, scale(i), lo, hi);
  let half = 0;
  const mid = new Float64Array(d);
  for (let p = 0; p < d && n > 0; p++) {
    mid[p] = (lo[p]! + hi[p]!) / 2;
    half = Math.max(half, (hi[p]! - lo[p]!) / 2);
  }
  const inv = half > 0 ? 16383 / half : 0;
  for (let i = 0; i < n; i++) quantizeRow(data, i * d, d, scale(i), mid, inv, Q, i * d8);
  return half / 16383;
}

// Per-row helpers: called n times, so they are optimised within the first rows of a one-off pass.
function rowRange(data: Float32Array, at: number, d: number, f: number, lo: Float64Array, hi: Float64Array): void {
  for (let p = 0; p < d; p++) {
    const v = data[at + p]! * f;
    if (v < lo[p]!) lo[p] = v;
    if (v > hi[p]!) hi[p] = v;
  }
}

/** Values land in [−16383, 16383] up to rounding of the last bit; the clamp keeps every difference in int16. */
function quantizeRow(data: Float32Array, at: number, d: number, f: number, mid: Float64Array, inv: number, Q: Int16Array, to: number): void {
  for (let p = 0; p < d; p++) {
    const q = (((data[at + p]! * f - mid[p]!) * inv + 16384.5) | 0) - 16384;
    Q[to + p] = q > 16383 ? 16383 : q < -16383 ? -16383 : q;
  }
}
