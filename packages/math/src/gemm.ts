import type { Float32Matrix } from "@assay/core";
import { checkInt, invalidInput, invalidOption } from "./errors.js";
import { gemmGramParts, gemmProjectBlocks, gemmSetup, gemmTileJs, type GemmContext } from "./gemm-kernel.js";
import { gemmWasmIfSupported } from "./gemm-wasm.js";
import type { Float64Matrix } from "./logistic.js";
import { assertMatrix } from "./matrix.js";
import { runPool } from "./pool.js";

/** Options of {@link gram} and {@link gramParallel}. */
export interface GramOptions {
  /** Use only these rows (in this order; repeats allowed). Default: all rows. */
  rows?: Int32Array;
  /** Per-row weights (length = number of selected rows, finite, ≥ 0): computes Σ wᵢ xᵢxᵢᵀ. Default: all 1. */
  weights?: ArrayLike<number>;
  /**
   * Subtract a centre from every row first: `true` = the (weighted) mean of the selected rows, or an
   * explicit vector of length cols. Default: no centring.
   */
  center?: boolean | ArrayLike<number>;
  /**
   * Multiply every (centred, weighted) value by this factor before it is rounded to float32, and
   * divide the result by its square afterwards (default 1). Use a power of two near 1/max|x − c|
   * for data whose products would underflow or overflow float32 (|x| ≲ 1e-19 or ≳ 1e19).
   */
  scale?: number;
  /**
   * `"float64"` (default): centred values and every sum in float64 (f64x2 kernel, 4×4 tiles).
   * `"float32"`: values rounded to float32 and each block of 128 rows summed in float32 (f32x4
   * kernel, 4×8 tiles; about 2× faster, relative error ~1e-7 of the largest entry), blocks added in float64.
   */
  precision?: "float32" | "float64";
  /** Use the WebAssembly SIMD kernel when the runtime has it (default true); `false` = JavaScript kernel (same bits, slower). */
  simd?: boolean;
}

/** Options of {@link project} and {@link projectParallel}. */
export interface ProjectOptions {
  /** Project only these rows, in this order (output row t = input row rows[t]). Default: all rows. */
  rows?: Int32Array;
  /** Subtract this vector (length cols) from every row first. */
  center?: ArrayLike<number>;
  /** See {@link GramOptions.simd}. */
  simd?: boolean;
}

/** Extra options of the worker-thread variants. */
export interface GemmParallelOptions {
  /**
   * Worker threads (default 2 when the product has ≥ 2·10⁸ multiply-adds, else 0); `0` = the calling
   * thread. Workers read the input directly when `m.data` lives on a SharedArrayBuffer; otherwise it
   * is copied once into shared memory (1× the input extra — pass shared data to avoid it).
   */
  workers?: number;
  /** Abort; the promise rejects with an AssayError `CANCELLED`. */
  signal?: AbortSignal;
}

/** Result of {@link gram}: the d×d matrix Σ wᵢ (xᵢ − c)(xᵢ − c)ᵀ and the centre c that was subtracted (null: none). */
export interface GramResult extends Float64Matrix {
  readonly center: Float64Array | null;
}

/** Rows per block: float32 sums run over at most this many rows before joining the float64 total. */
const BLOCK_ROWS = 128;
/** The gram sum is split into at most this many fixed parts (float64 partial sums added in order). */
const GRAM_PARTS = 8;
/** Work (multiply-adds) from which the parallel variants use workers by default. */
const PARALLEL_WORK = 2e8;

function selection(fn: string, m: { readonly rows: number }, rows: Int32Array | undefined): number {
  if (rows === undefined) return m.rows;
  if (!(rows instanceof Int32Array)) throw invalidOption(fn, "rows", "must be an Int32Array of row indices");
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t]!;
    if (i < 0 || i >= m.rows) throw invalidInput(fn, `rows[${t}] = ${i} is out of range [0, ${m.rows})`, { position: t });
  }
  return rows.length;
}

function vector(fn: string, option: string, v: ArrayLike<number>, len: number): Float64Array {
  if (v === null || typeof v !== "object" || typeof v.length !== "number") throw invalidOption(fn, option, "must be an array of numbers");
  if (v.length !== len) throw invalidInput(fn, `dimension mismatch: ${option} has ${v.length} entries, expected ${len}`);
  const out = new Float64Array(len);
  for (let j = 0; j < len; j++) {
    const x = v[j]!;
    if (typeof x !== "number" || !Number.isFinite(x)) throw invalidInput(fn, `${option}[${j}] must be a finite number, got ${String(x)}`);
    out[j] = x;
  }
  return out;
}

function gramContext(fn: string, m: Float32Matrix | Float64Matrix, opts: GramOptions): GemmContext {
  assertMatrix(m, "matrix", fn, false, true);
  const d = m.cols;
  const count = selection(fn, m, opts.rows);
  const rows = opts.rows ?? null;
  let w: Float64Array | null = null;
  if (opts.weights !== undefined) {
    w = vector(fn, "weights", opts.weights, count);
    for (let t = 0; t < count; t++) if (w[t]! < 0) throw invalidInput(fn, `weights[${t}] must be ≥ 0, got ${w[t]}`);
  }
  let center: Float64Array | null = null;
  if (opts.center === true) {
    center = new Float64Array(d);
    let total = 0;
    const X = m.data;
    for (let t = 0; t < count; t++) {
      const wt = w === null ? 1 : w[t]!;
      if (wt === 0) continue;
      total += wt;
      const o = (rows === null ? t : rows[t]!) * d;
      for (let j = 0; j < d; j++) center[j]! += wt * X[o + j]!;
    }
    if (total > 0) for (let j = 0; j < d; j++) center[j]! /= total;
  } else if (opts.center !== undefined && opts.center !== false) center = vector(fn, "center", opts.center, d);
  let sw: Float64Array | null = null;
  if (w !== null) {
    sw = w;
    for (let t = 0; t < count; t++) sw[t] = Math.sqrt(w[t]!);
  }
  const precision = opts.precision ?? "float64";
  if (precision !== "float32" && precision !== "float64") throw invalidOption(fn, "precision", `must be "float32" or "float64", got ${String(precision)}`);
  const f64 = precision === "float64";
  const scale = opts.scale ?? 1;
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0) throw invalidOption(fn, "scale", `must be a finite number > 0, got ${String(scale)}`);
  const L = BLOCK_ROWS;
  const blocks = Math.ceil(count / L);
  // Up to 8 parts, fewer when d is large (each part holds a d×d float64 accumulator; ≤ 64 MiB in all).
  const maxParts = Math.max(1, Math.min(GRAM_PARTS, Math.floor(2 ** 26 / (8 * d * d + 1))));
  const partRows = Math.max(1, Math.ceil(blocks / maxParts)) * L;
  return {
    X: m.data,
    d,
    rows,
    count,
    center,
    sw,
    scale,
    L,
    dp: f64 ? Math.max(4, (d + 3) & ~3) : Math.max(8, (d + 7) & ~7),
    f64,
    partRows,
    acc: null,
    W: null,
    m: 0,
    mp: 0,
    out: null,
    wasm: opts.simd === false ? null : gemmWasmIfSupported(f64),
    F: null,
    kernel: null,
  };
}

function gramFinish(ctx: GemmContext, parts: number): GramResult {
  const { d } = ctx;
  const acc = ctx.acc!;
  const G = new Float64Array(d * d);
  for (let p = 0; p < parts; p++) {
    const base = p * d * d;
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) G[a * d + b]! += acc[base + a * d + b]!;
  }
  if (ctx.scale !== 1) {
    const inv = 1 / (ctx.scale * ctx.scale);
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) G[a * d + b]! *= inv;
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[a * d + b] = G[b * d + a]!;
  return { rows: d, cols: d, data: G, center: ctx.center };
}

/**
 * The Gram matrix XᵀX (cols × cols, float64) of a row subset, optionally weighted and centred:
 * `Σ wᵢ (xᵢ − c)(xᵢ − c)ᵀ` over the selected rows. Rows stream through a WebAssembly SIMD kernel
 * in blocks of 128 — float64 (f64x2) by default, or float32 (f32x4: values rounded to float32 and
 * each block summed in float32, as scikit-learn computes on float32 input) with
 * `precision: "float32"` — and the blocks are added in float64 in a fixed order, so the result is
 * deterministic and independent of thread count. No copy
 * of the input is made (scratch memory is a few blocks). Runs in the calling thread; see
 * {@link gramParallel} for worker threads.
 *
 * @throws AssayError `INVALID_INPUT` for out-of-range rows, negative/non-finite weights or a
 * length mismatch; `INVALID_OPTION` for a malformed option.
 */
export function gram(m: Float32Matrix | Float64Matrix, opts: GramOptions = {}): GramResult {
  const ctx = gramContext("gram", m, opts);
  const parts = Math.ceil(ctx.count / ctx.partRows);
  ctx.acc = new Float64Array(parts * ctx.d * ctx.d);
  gemmGramParts(ctx, 0, parts);
  return gramFinish(ctx, parts);
}

function shareInput<T extends Float32Array | Float64Array>(X: T): T {
  if (X.buffer instanceof SharedArrayBuffer) return X;
  const S = (X instanceof Float64Array ? new Float64Array(new SharedArrayBuffer(X.byteLength)) : new Float32Array(new SharedArrayBuffer(X.byteLength))) as T;
  S.set(X);
  return S;
}

function workerCount(fn: string, opts: GemmParallelOptions, work: number): number {
  if (opts.workers !== undefined) checkInt(fn, "workers", opts.workers, 0, 64);
  return opts.workers ?? (work >= PARALLEL_WORK ? 2 : 0);
}

/** {@link gram} on worker threads (default 2 for large inputs); bit-identical to {@link gram}. */
export async function gramParallel(m: Float32Matrix | Float64Matrix, opts: GramOptions & GemmParallelOptions = {}): Promise<GramResult> {
  const fn = "gramParallel";
  const ctx = gramContext(fn, m, opts);
  const parts = Math.ceil(ctx.count / ctx.partRows);
  const workers = workerCount(fn, opts, (ctx.count * ctx.d * ctx.d) / 2);
  if (workers === 0) {
    ctx.acc = new Float64Array(parts * ctx.d * ctx.d);
    gemmGramParts(ctx, 0, parts);
    return gramFinish(ctx, parts);
  }
  ctx.acc = new Float64Array(new SharedArrayBuffer(parts * ctx.d * ctx.d * 8));
  ctx.X = shareInput(ctx.X);
  await runPool({ fn, fns: [gemmTileJs, gemmSetup, gemmGramParts], entry: gemmGramParts, ctx, total: parts, chunk: 1, workers, signal: opts.signal });
  return gramFinish(ctx, parts);
}

function projectContext(fn: string, m: Float32Matrix, W: Float32Matrix | Float64Matrix, opts: ProjectOptions, shared: boolean): GemmContext {
  assertMatrix(m, "matrix", fn, false);
  if (W === null || typeof W !== "object" || !(W.data instanceof Float32Array || W.data instanceof Float64Array) || W.data.length !== W.rows * W.cols) {
    throw invalidInput(fn, "W must be a matrix { rows, cols, data: Float32Array | Float64Array } with rows·cols values");
  }
  const d = m.cols;
  if (W.rows !== d) throw invalidInput(fn, `dimension mismatch: the matrix has ${d} columns, W is ${W.rows}×${W.cols}`);
  const count = selection(fn, m, opts.rows);
  const center = opts.center === undefined ? null : vector(fn, "center", opts.center, d);
  const k = W.cols;
  const mp = Math.max(8, (k + 7) & ~7);
  const Wp = new Float32Array(d * mp);
  for (let p = 0; p < d; p++) for (let c = 0; c < k; c++) Wp[p * mp + c] = W.data[p * k + c]!;
  return {
    X: m.data,
    d,
    rows: opts.rows ?? null,
    count,
    center,
    sw: null,
    scale: 1,
    L: BLOCK_ROWS,
    dp: d,
    f64: false,
    partRows: 0,
    acc: null,
    W: Wp,
    m: k,
    mp,
    out: new Float32Array(shared ? new SharedArrayBuffer(count * k * 4) : new ArrayBuffer(count * k * 4)),
    wasm: opts.simd === false ? null : gemmWasmIfSupported(false),
    F: null,
    kernel: null,
  };
}

/**
 * `X·W` for a tall X (n × d float32, optionally centred and row-selected) and a small W (d × k):
 * an n × k float32 matrix, written block by block (128 rows) straight into the output. Each output
 * value is a float32 sum over the d columns (the WebAssembly SIMD kernel, or its bit-identical
 * JavaScript twin). Runs in the calling thread; see {@link projectParallel}.
 *
 * @throws AssayError `INVALID_INPUT` when `W.rows !== m.cols`, for out-of-range rows or a bad centre.
 */
export function project(m: Float32Matrix, W: Float32Matrix | Float64Matrix, opts: ProjectOptions = {}): Float32Matrix {
  const ctx = projectContext("project", m, W, opts, false);
  gemmProjectBlocks(ctx, 0, Math.ceil(ctx.count / ctx.L));
  return { rows: ctx.count, cols: ctx.m, data: ctx.out! };
}

/** {@link project} on worker threads (default 2 for large inputs); identical output (its data then lives on a SharedArrayBuffer). */
export async function projectParallel(m: Float32Matrix, W: Float32Matrix | Float64Matrix, opts: ProjectOptions & GemmParallelOptions = {}): Promise<Float32Matrix> {
  const fn = "projectParallel";
  assertMatrix(m, "matrix", fn, false);
  const workers = workerCount(fn, opts, m.rows * m.cols * (W?.cols ?? 0));
  const ctx = projectContext(fn, m, W, opts, workers > 0);
  const blocks = Math.ceil(ctx.count / ctx.L);
  if (workers === 0) gemmProjectBlocks(ctx, 0, blocks);
  else {
    ctx.X = shareInput(ctx.X);
    await runPool({ fn, fns: [gemmTileJs, gemmSetup, gemmProjectBlocks], entry: gemmProjectBlocks, ctx, total: blocks, chunk: 16, workers, signal: opts.signal });
  }
  return { rows: ctx.count, cols: ctx.m, data: ctx.out! };
}
