import { availableParallelism } from "node:os";
import type { Float32Matrix, KnnGraph } from "@assay/core";
import { cancelled, checkInt, invalidInput, invalidOption } from "./errors.js";
import {
  exactDistance,
  exactScanRow,
  finishRow,
  heapPush,
  heapReplaceTop,
  offer,
  scanRows,
  symBlocks,
  symFinish,
  symOffer,
  symPairs,
  symThreshold,
  tileDots,
  type ScanContext,
  type SymContext,
} from "./knn-kernel.js";
import { assertFinite, assertMatrix, shareFloat64 } from "./matrix.js";
import { hnswSearch, type HnswOptions } from "./hnsw.js";
import { knnTileWasmIfSupported } from "./knn-wasm.js";
import { nnDescentGraph, nnDescentSupported, type NnDescentOptions } from "./nndescent.js";
import { runPool } from "./pool.js";

/** Distance used by {@link knn}: `euclidean` (L2, not squared) or `cosine` (1 − cosine similarity). */
export type Metric = "euclidean" | "cosine";

/** Options of {@link knn} and {@link knnQuery}. */
export interface KnnOptions {
  /** Neighbours per row (integer ≥ 1; at most n − 1 when self is excluded). */
  k: number;
  /** Default `"euclidean"`. Cosine distance of an all-zero row to anything is 1. */
  metric?: Metric;
  /** Leave each row's own index out of its neighbours (default true; ignored by {@link knnQuery}). */
  excludeSelf?: boolean;
  /**
   * `"exact"`: blocked brute force; `"nndescent"`: approximate all-pairs graph by NN-descent ({@link knn}
   * only); `"hnsw"`: approximate hnswlib index; `"auto"` (default): exact while n²·d ≤ 5·10¹⁰ (about
   * 28k×64), beyond that NN-descent for {@link knn} and HNSW for {@link knnQuery}.
   */
  method?: "exact" | "nndescent" | "hnsw" | "auto";
  /** HNSW parameters (see {@link HnswOptions}). */
  hnsw?: HnswOptions;
  /** NN-descent parameters (see {@link NnDescentOptions}). */
  nndescent?: NnDescentOptions;
  /**
   * HNSW only (NN-descent always re-scores): re-score the candidates with exact float64 distances in the original space and sort by
   * (distance, index). Default true. Without it distances are hnswlib's and no PCA projection is used.
   */
  rerank?: boolean;
  /**
   * Worker threads. Exact: default all cores when the work is large (n·m·d ≥ 3·10⁸), none (main
   * thread) otherwise; `0` forces the main thread; a positive number forces that many workers.
   * HNSW: threads that build and query the index shards in parallel (default one per shard, see
   * {@link HnswOptions.shards}; the default shard count follows this value when given).
   * NN-descent: threads that build the graph (default all cores; `0` runs in the calling thread; the
   * graph is the same for any count).
   */
  workers?: number;
  /**
   * Exact only, all-pairs {@link knn}: score candidates with the WebAssembly SIMD float32 kernel
   * (default true when the runtime supports it). Results are identical either way (candidates are
   * re-scored exactly); `false` forces the float64 JavaScript kernel.
   */
  simd?: boolean;
  /** Abort the computation; the promise rejects with an AssayError `CANCELLED`. */
  signal?: AbortSignal;
  /** Called with (rows done, rows total) as query rows complete. */
  onProgress?: (done: number, total: number) => void;
}

const AUTO_EXACT_LIMIT = 5e10;
const AUTO_WORKER_MIN = 3e8;
const MARGIN = 8;
/** Symmetric search keeps slots × n × kc candidates (12 bytes each); above this many it splits rows instead. */
const SYM_MAX_CANDIDATES = 2.5e7;
/** Rows per block of the symmetric kernel (two 64-row blocks of 64 float32 columns fit in L1/L2). */
const SYM_BLOCK = 64;

function norms2(m: Float32Matrix): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = i * cols, e = j + cols; j < e; j++) s += data[j]! * data[j]!;
    out[i] = s;
  }
  return out;
}

function validateCommon(fn: string, opts: KnnOptions): Required<Pick<KnnOptions, "metric" | "method">> {
  if (opts === null || typeof opts !== "object") throw invalidOption(fn, "k", "is required");
  const metric = opts.metric ?? "euclidean";
  if (metric !== "euclidean" && metric !== "cosine") throw invalidOption(fn, "metric", `must be "euclidean" or "cosine", got ${String(metric)}`);
  const method = opts.method ?? "auto";
  if (method !== "exact" && method !== "nndescent" && method !== "hnsw" && method !== "auto") {
    throw invalidOption(fn, "method", `must be "exact", "nndescent", "hnsw" or "auto", got ${String(method)}`);
  }
  if (opts.workers !== undefined) checkInt(fn, "workers", opts.workers, 0, 256);
  return { metric, method };
}

/**
 * k nearest neighbours of every row of `m` among the rows of `m`: one {@link KnnGraph} artifact
 * (indices n×k, nearest first, ties by the lower index; distances: euclidean L2 or cosine 1 − cos).
 *
 * Exact mode scores candidates with the matrix-multiply form in cache-sized tiles, re-scores the best
 * with the exact formula in float64 and verifies nothing was missed, so neighbour sets equal a brute
 * force search (and scikit-learn's `algorithm="brute"` away from exact ties). Large inputs run on
 * worker threads.
 *
 * @throws AssayError `INVALID_INPUT` for an empty matrix, NaN/Inf (naming row and column) or k too
 * large; `INVALID_OPTION` for a bad option; `CANCELLED` when `signal` aborts.
 */
export async function knn(m: Float32Matrix, opts: KnnOptions): Promise<KnnGraph> {
  const fn = "knn";
  const { metric, method } = validateCommon(fn, opts);
  assertMatrix(m, "matrix", fn);
  assertFinite(m, "matrix");
  const excludeSelf = opts.excludeSelf ?? true;
  const maxK = excludeSelf ? m.rows - 1 : m.rows;
  if (!Number.isInteger(opts.k) || opts.k < 1) throw invalidOption(fn, "k", `must be an integer ≥ 1, got ${String(opts.k)}`);
  if (opts.k > maxK) {
    throw invalidInput(fn, `k = ${opts.k} needs at least ${excludeSelf ? opts.k + 1 : opts.k} rows${excludeSelf ? " (self excluded)" : ""}, the matrix has ${m.rows}`, { k: opts.k, rows: m.rows });
  }
  const large = m.rows * m.rows * m.cols > AUTO_EXACT_LIMIT;
  const resolved = method === "auto" ? (!large ? "exact" : nnDescentSupported() !== null ? "nndescent" : "hnsw") : method;
  if (resolved === "nndescent") {
    const r = await nnDescentGraph(m, { k: opts.k, cosine: metric === "cosine", excludeSelf, nndescent: opts.nndescent ?? {}, workers: opts.workers, signal: opts.signal });
    opts.onProgress?.(m.rows, m.rows);
    return { rows: m.rows, k: opts.k, metric, indices: r.indices, distances: r.distances, includesSelf: !excludeSelf, method: "nndescent" };
  }
  if (resolved === "hnsw") {
    const r = await hnswSearch(m, m, { k: opts.k, metric, excludeSelf, rerank: opts.rerank ?? true, hnsw: opts.hnsw ?? {}, workers: opts.workers, signal: opts.signal, onProgress: opts.onProgress });
    return { rows: m.rows, k: opts.k, metric, indices: r.indices, distances: r.distances, includesSelf: !excludeSelf, method: "hnsw" };
  }
  const r = await exactSearch(m, m, opts.k, metric, excludeSelf, opts);
  return { rows: m.rows, k: opts.k, metric, indices: r.indices, distances: r.distances, includesSelf: !excludeSelf, method: "exact" };
}

/**
 * k nearest neighbours in `reference` of every row of `queries` (new points against an existing
 * set; nothing is excluded). Same options and guarantees as {@link knn}; the result's `rows` is the
 * number of queries and `includesSelf` is false.
 *
 * @throws AssayError `INVALID_INPUT` on a column-count mismatch, empty input, NaN/Inf or k > reference rows.
 */
export async function knnQuery(reference: Float32Matrix, queries: Float32Matrix, opts: KnnOptions): Promise<KnnGraph> {
  const fn = "knnQuery";
  const { metric, method } = validateCommon(fn, opts);
  assertMatrix(reference, "reference", fn);
  assertMatrix(queries, "queries", fn);
  if (reference.cols !== queries.cols) {
    throw invalidInput(fn, `dimension mismatch: reference has ${reference.cols} columns, queries have ${queries.cols}`);
  }
  assertFinite(reference, "reference");
  assertFinite(queries, "queries");
  if (!Number.isInteger(opts.k) || opts.k < 1) throw invalidOption(fn, "k", `must be an integer ≥ 1, got ${String(opts.k)}`);
  if (opts.k > reference.rows) throw invalidInput(fn, `k = ${opts.k} exceeds the ${reference.rows} reference rows`, { k: opts.k, rows: reference.rows });
  if (method === "nndescent") throw invalidOption(fn, "method", `"nndescent" builds the graph of one matrix (knn); to search new points use "hnsw" or "exact"`);
  const resolved = method === "auto" ? (reference.rows * queries.rows * reference.cols <= AUTO_EXACT_LIMIT ? "exact" : "hnsw") : method;
  if (resolved === "hnsw") {
    const r = await hnswSearch(reference, queries, { k: opts.k, metric, excludeSelf: false, rerank: opts.rerank ?? true, hnsw: opts.hnsw ?? {}, workers: opts.workers, signal: opts.signal, onProgress: opts.onProgress });
    return { rows: queries.rows, k: opts.k, metric, indices: r.indices, distances: r.distances, includesSelf: false, method: "hnsw" };
  }
  const r = await exactSearch(reference, queries, opts.k, metric, false, opts);
  return { rows: queries.rows, k: opts.k, metric, indices: r.indices, distances: r.distances, includesSelf: false, method: "exact" };
}

async function exactSearch(
  reference: Float32Matrix,
  queries: Float32Matrix,
  k: number,
  metric: Metric,
  excludeSelf: boolean,
  opts: KnnOptions,
): Promise<{ indices: Int32Array; distances: Float32Array }> {
  const nQ = queries.rows;
  const nR = reference.rows;
  const d = reference.cols;
  const work = nQ * nR * d;
  const cores = Math.max(1, availableParallelism());
  const workers = opts.workers ?? (work >= AUTO_WORKER_MIN ? cores : 0);
  const signal = opts.signal;
  if (signal?.aborted) throw cancelled("knn", signal.reason);
  const same = reference === queries;
  if (same) {
    const kc = Math.min(k + MARGIN, excludeSelf ? nR - 1 : nR);
    const slots = workers === 0 ? 1 : Math.max(1, Math.min(workers, Math.ceil(nR / SYM_BLOCK)));
    if (slots * nR * kc <= SYM_MAX_CANDIDATES) return symmetricSearch(queries, k, kc, metric, excludeSelf, workers, slots, SYM_BLOCK, opts);
  }
  if (workers === 0) {
    const ctx: ScanContext = {
      Q: queries.data,
      R: reference.data,
      nQ,
      nR,
      d,
      qNorm2: norms2(queries),
      rNorm2: same ? norms2(queries) : norms2(reference),
      k,
      margin: MARGIN,
      cosine: metric === "cosine",
      tolRel: 1e-9,
      excludeSelf,
      outIdx: new Int32Array(nQ * k),
      outDist: new Float32Array(nQ * k),
    };
    // Chunks keep the event loop responsive for progress and abort.
    const chunk = Math.max(16, Math.floor(2e7 / Math.max(1, nR * d)));
    for (let q0 = 0; q0 < nQ; q0 += chunk) {
      const q1 = Math.min(nQ, q0 + chunk);
      scanRows(ctx, q0, q1);
      opts.onProgress?.(q1, nQ);
      if (q1 < nQ) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal?.aborted) throw cancelled("knn", signal.reason);
      }
    }
    return { indices: ctx.outIdx, distances: ctx.outDist };
  }
  // Workers read float64 copies (exactly the same values; ~20% faster loads than float32 in V8).
  const Q = shareFloat64(queries.data);
  const R = same ? Q : shareFloat64(reference.data);
  const qNorm2 = shareFloat64(norms2(queries));
  const rNorm2 = same ? qNorm2 : shareFloat64(norms2(reference));
  const outIdx = new Int32Array(new SharedArrayBuffer(nQ * k * 4));
  const outDist = new Float32Array(new SharedArrayBuffer(nQ * k * 4));
  const chunk = Math.max(16, Math.min(1024, Math.floor(nQ / (workers * 8)) || 16));
  const ctx = { Q, R, nQ, nR, d, qNorm2, rNorm2, k, margin: MARGIN, cosine: metric === "cosine", tolRel: 1e-9, excludeSelf, outIdx, outDist };
  await runPool({
    fn: "knn",
    fns: [heapPush, heapReplaceTop, offer, exactDistance, exactScanRow, finishRow, scanRows],
    entry: scanRows,
    ctx,
    total: nQ,
    chunk,
    workers,
    signal,
    onProgress: opts.onProgress,
  });
  // Copy out of shared memory so callers get ordinary, transferable arrays.
  return { indices: new Int32Array(outIdx), distances: new Float32Array(outDist) };
}

/**
 * All-pairs exact kNN of one matrix with the symmetric kernel (see knn-kernel.ts): pass 1 scores each
 * pair of row blocks once (on `workers` threads, or in the calling thread when 0) into per-thread
 * candidate heaps; pass 2 merges them per row, re-scores exactly and verifies. Same output as the
 * one-sided kernel: exact neighbours ordered by (distance, index).
 */
async function symmetricSearch(
  m: Float32Matrix,
  k: number,
  kc: number,
  metric: Metric,
  excludeSelf: boolean,
  workers: number,
  slots: number,
  B: number,
  opts: KnnOptions,
): Promise<{ indices: Int32Array; distances: Float32Array }> {
  const { rows: n, cols: d, data } = m;
  const signal = opts.signal;
  const shared = workers > 0;
  const f32 = (len: number): Float32Array => new Float32Array(shared ? new SharedArrayBuffer(len * 4) : new ArrayBuffer(len * 4));
  const f64 = (len: number): Float64Array => new Float64Array(shared ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  const i32 = (len: number): Int32Array => new Int32Array(shared ? new SharedArrayBuffer(len * 4) : new ArrayBuffer(len * 4));
  const wasm = opts.simd === false ? null : knnTileWasmIfSupported();
  const nPad = (n + 7) & ~7;
  const P = f32(nPad * d);
  for (let r = 0; r < n; r++) {
    const po = (r >> 2) * 4 * d + (r & 3);
    const ro = r * d;
    for (let p = 0; p < d; p++) P[po + 4 * p] = data[ro + p]!;
  }
  let X = data;
  if (shared) {
    X = f32(n * d);
    X.set(data);
  }
  const nrm = f64(n);
  nrm.set(norms2(m));
  const invNorm = f64(n);
  let maxR2 = 0;
  for (let i = 0; i < n; i++) {
    const v = nrm[i]!;
    if (v > maxR2) maxR2 = v;
    invNorm[i] = metric === "cosine" && v > 0 ? 1 / Math.sqrt(v) : 0;
  }
  const ht = f64(slots * n);
  ht.fill(Number.POSITIVE_INFINITY);
  const nb = Math.ceil(n / B);
  const ctx: SymContext = {
    Q: X, R: X, nQ: n, nR: n, d, qNorm2: nrm, rNorm2: nrm, k, margin: MARGIN, cosine: metric === "cosine", excludeSelf,
    // float32 sums (wasm): |error| ≤ ≈ d·2⁻²⁴·Σ|aₚbₚ| per dot product; 4× that bound, plus the float64 term.
    tolRel: wasm === null ? 1e-9 : (d + 2) * 2 ** -22 + 1e-9,
    outIdx: i32(n * k), outDist: f32(n * k),
    P, B, nb, kc, invNorm, maxR2,
    hd: f64(slots * n * kc), hi: i32(slots * n * kc), hs: i32(slots * n), ht,
    slotCount: slots, slotCounter: i32(1), slot: shared ? -1 : 0, tile: null,
    wasm, wasmTile: null, wasmOffsets: null, wasmThr: null, wasmFlags: null,
  };
  const progress = opts.onProgress;
  if (!shared) {
    // Blocks are unequal (block I scores nb − I tiles): yield to the event loop every ~2·10⁷ multiply-adds.
    let done = 0;
    const total = (nb * (nb + 1)) / 2;
    let t = 0;
    while (t < nb) {
      let t1 = t;
      let work = 0;
      while (t1 < nb && (work === 0 || work * B * B * d < 2e7)) work += nb - t1++;
      symBlocks(ctx, t, t1);
      done += work;
      t = t1;
      if (t < nb) {
        progress?.(Math.floor((n * done) / total), n);
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal?.aborted) throw cancelled("knn", signal.reason);
      }
    }
    symFinish(ctx, 0, n);
    progress?.(n, n);
    return { indices: ctx.outIdx, distances: ctx.outDist };
  }
  // Pass 1: block I has nb − I tiles, so handing out blocks in order (largest first) balances the threads.
  await runPool({
    fn: "knn",
    fns: [heapPush, heapReplaceTop, symOffer, tileDots, symThreshold, symPairs, symBlocks],
    entry: symBlocks,
    ctx,
    total: nb,
    chunk: 1,
    workers: slots,
    signal,
    onProgress: progress === undefined ? undefined : (done: number) => {
      const rest = nb - done;
      progress(Math.min(n - 1, Math.floor((n * (nb * (nb + 1) - rest * (rest + 1))) / (nb * (nb + 1)))), n);
    },
  });
  // Pass 2: merge the slots per row, exact re-scoring and verification.
  await runPool({
    fn: "knn",
    fns: [heapPush, heapReplaceTop, exactDistance, exactScanRow, finishRow, symFinish],
    entry: symFinish,
    ctx: { ...ctx, P: new Float32Array(0), ht: new Float64Array(0), wasm: null },
    total: n,
    chunk: Math.max(64, Math.min(4096, Math.ceil(n / (workers * 4)))),
    workers,
    signal,
  });
  progress?.(n, n);
  return { indices: new Int32Array(ctx.outIdx), distances: new Float32Array(ctx.outDist) };
}

/** Compressed sparse rows of radius neighbours: row i's neighbours are `indices[offsets[i] .. offsets[i+1])`. */
export interface RadiusNeighbors {
  offsets: Int32Array;
  indices: Int32Array;
  distances: Float32Array;
}

/** Options of {@link radiusNeighbors}. */
export interface RadiusOptions {
  /** Default `"euclidean"`. */
  metric?: Metric;
  /** Leave each row out of its own neighbours (default true). */
  excludeSelf?: boolean;
}

/**
 * All rows within `radius` (distance ≤ radius, like scikit-learn) of every row, as CSR arrays, each
 * row's neighbours sorted by (distance, index). Candidates come from the matrix-multiply form with a
 * rounding margin; membership and distances use the exact float64 formula. Runs in the calling thread.
 *
 * @throws AssayError `INVALID_INPUT` for an empty matrix or NaN/Inf; `INVALID_OPTION` for a negative radius.
 */
export function radiusNeighbors(m: Float32Matrix, radius: number, opts: RadiusOptions = {}): RadiusNeighbors {
  const fn = "radiusNeighbors";
  assertMatrix(m, "matrix", fn);
  assertFinite(m, "matrix");
  if (!(radius >= 0) || !Number.isFinite(radius)) throw invalidOption(fn, "radius", `must be a finite number ≥ 0, got ${String(radius)}`);
  const metric = opts.metric ?? "euclidean";
  if (metric !== "euclidean" && metric !== "cosine") throw invalidOption(fn, "metric", `must be "euclidean" or "cosine", got ${String(metric)}`);
  const excludeSelf = opts.excludeSelf ?? true;
  const { rows: n, cols: d, data } = m;
  const cosine = metric === "cosine";
  const nrm2 = norms2(m);
  const ctx: ScanContext = {
    Q: data, R: data, nQ: n, nR: n, d, qNorm2: nrm2, rNorm2: nrm2, k: 0, margin: 0, cosine, tolRel: 1e-9, excludeSelf,
    outIdx: new Int32Array(0), outDist: new Float32Array(0),
  };
  let maxR2 = 0;
  for (let i = 0; i < n; i++) if (nrm2[i]! > maxR2) maxR2 = nrm2[i]!;
  const thr = cosine ? radius : radius * radius;
  const offsets = new Int32Array(n + 1);
  let idx = new Int32Array(Math.max(16, n));
  let dist = new Float64Array(idx.length);
  let count = 0;
  const rowI: number[] = [];
  const rowD: number[] = [];
  const BR = 256;
  for (let i = 0; i < n; i++) {
    rowI.length = 0;
    rowD.length = 0;
    const io = i * d;
    const ni = nrm2[i]!;
    const tol = cosine ? 1e-9 : 1e-9 * (ni + maxR2) + 1e-30;
    for (let r0 = 0; r0 < n; r0 += BR) {
      const r1 = Math.min(n, r0 + BR);
      for (let j = r0; j < r1; j++) {
        if (excludeSelf && j === i) continue;
        const jo = j * d;
        let dot = 0;
        for (let p = 0; p < d; p++) dot += data[io + p]! * data[jo + p]!;
        const nj = nrm2[j]!;
        const a = cosine ? (ni === 0 || nj === 0 ? 1 : 1 - dot / Math.sqrt(ni * nj)) : ni + nj - 2 * dot;
        if (a > thr + tol) continue;
        const e = exactDistance(ctx, i, j);
        if (e <= thr) {
          rowI.push(j);
          rowD.push(cosine ? e : Math.sqrt(e));
        }
      }
    }
    const order = rowI.map((_, t) => t).sort((a, b) => rowD[a]! - rowD[b]! || rowI[a]! - rowI[b]!);
    if (count + order.length > idx.length) {
      const grown = Math.max(idx.length * 2, count + order.length);
      const ni2 = new Int32Array(grown);
      ni2.set(idx.subarray(0, count));
      const nd2 = new Float64Array(grown);
      nd2.set(dist.subarray(0, count));
      idx = ni2;
      dist = nd2;
    }
    for (const t of order) {
      idx[count] = rowI[t]!;
      dist[count] = rowD[t]!;
      count++;
    }
    offsets[i + 1] = count;
  }
  return { offsets, indices: idx.slice(0, count), distances: Float32Array.from(dist.subarray(0, count)) };
}
