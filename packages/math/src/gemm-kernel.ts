/*
 * Block drivers of the dense matrix-multiply kernels (gemm.ts). Every function here is
 * SELF-CONTAINED (no imports, no module-level values, no nested functions): the worker pool ships
 * them to worker_threads as source text (see pool.ts), so the same code runs in the calling thread
 * and in workers. Rows are streamed block by block into a small per-thread scratch memory (the wasm
 * memory, or a plain Float32Array for the JavaScript kernel), centred and weighted on the way, so no
 * copy of the whole input is ever made.
 */

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

/** The kernel's signature (see gemm-wasm.ts): byte offsets and strides, then tile counts. @internal */
export type GemmTile = (aBase: number, aP: number, bBase: number, bP: number, np: number, cBase: number, cS: number, ni: number, nj: number, sym: number) => void;

/** Everything {@link gemmGramParts} and {@link gemmProjectBlocks} need; arrays may be on SharedArrayBuffers. @internal */
export interface GemmContext {
  /** Input, row-major with d columns. */
  X: Float32Array | Float64Array;
  d: number;
  /** Rows to use, in order (null: 0..count−1), and how many. */
  rows: Int32Array | null;
  count: number;
  /** Subtracted from every row (float64, before rounding to float32), or null. */
  center: Float64Array | null;
  /** Gram: √weight of every selected row (by position), or null; and a factor applied to every value. */
  sw: Float64Array | null;
  scale: number;
  /** Rows per block (a multiple of 8) and d padded to the tile width (gram: 8 float32 or 4 float64). */
  L: number;
  dp: number;
  /** Gram in float64 (the f64x2 kernel; values are not rounded to float32). */
  f64: boolean;
  /** Gram: rows per part (a multiple of L) and the per-part float64 accumulators (parts × d × d, upper triangle). */
  partRows: number;
  acc: Float64Array | null;
  /** Projection: W packed d × mp (float32, zero columns from m to mp), output count × m. */
  W: Float32Array | null;
  m: number;
  mp: number;
  out: Float32Array | null;
  /** The wasm module's bytes for the lane type (null: JavaScript kernel). */
  wasm: Uint8Array | null;
  /** This thread's scratch memory and kernel instance (created on first use; null when shipped). */
  F: Float32Array | Float64Array | null;
  kernel: GemmTile | null;
}

/**
 * The JavaScript twin of the wasm kernel (same arguments, byte offsets into F): float32 arrays are
 * accumulated with float32 rounding after every multiply and add (bit-identical to the f32x4
 * kernel), float64 arrays in float64. @internal
 */
export function gemmTileJs(F: Float32Array | Float64Array, aBase: number, aP: number, bBase: number, bP: number, np: number, cBase: number, cS: number, ni: number, nj: number, sym: number): void {
  const f32 = F instanceof Float32Array;
  const E = f32 ? 4 : 8;
  const T = f32 ? 8 : 4;
  const a0 = aBase / E;
  const ap = aP / E;
  const b0 = bBase / E;
  const bp = bP / E;
  const c0 = cBase / E;
  const cs = cS / E;
  for (let ti = 0; ti < ni; ti++) {
    const i = 4 * ti;
    for (let tj = sym === 0 ? 0 : f32 ? ti >> 1 : ti; tj < nj; tj++) {
      const j = T * tj;
      for (let s = 0; s < 4; s++) {
        for (let t = 0; t < T; t++) {
          let acc = 0;
          let pa = a0 + i + s;
          let pb = b0 + j + t;
          if (f32) {
            for (let p = 0; p < np; p++, pa += ap, pb += bp) acc = Math.fround(acc + Math.fround(F[pa]! * F[pb]!));
          } else {
            for (let p = 0; p < np; p++, pa += ap, pb += bp) acc += F[pa]! * F[pb]!;
          }
          F[c0 + (i + s) * cs + j + t] = acc;
        }
      }
    }
  }
}

/** Create this thread's scratch memory of `count` values (float64 when ctx.f64) and the wasm instance, once. @internal */
export function gemmSetup(ctx: GemmContext, count: number): Float32Array | Float64Array {
  if (ctx.F !== null) return ctx.F;
  const E = ctx.f64 ? 8 : 4;
  if (ctx.wasm !== null) {
    const memory = new WebAssembly.Memory({ initial: Math.ceil((count * E) / 65536) + 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(ctx.wasm), { e: { m: memory } });
    ctx.kernel = instance.exports.g as GemmTile;
    ctx.F = ctx.f64 ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
  } else ctx.F = ctx.f64 ? new Float64Array(count) : new Float32Array(count);
  return ctx.F;
}

/**
 * Gram parts [p0, p1): part p covers selected rows [p·partRows, (p + 1)·partRows) and accumulates,
 * block of L rows by block, the product AᵀA (float32, or float64 when ctx.f64) of the centred,
 * √weighted block into the upper
 * triangle of its own float64 d×d accumulator. Parts are fixed by the row count alone, so the sum
 * of parts (in order) is the same whichever thread computed each. @internal
 */
export function gemmGramParts(ctx: GemmContext, p0: number, p1: number): void {
  const { X, d, dp, L, rows, count, center, sw, partRows, scale } = ctx;
  const plain = sw === null && scale === 1;
  const acc = ctx.acc!;
  const cOff = L * dp;
  const F = gemmSetup(ctx, cOff + dp * dp);
  const kernel = ctx.kernel;
  const E = ctx.f64 ? 8 : 4;
  const rs = dp * E;
  const nj = ctx.f64 ? dp >> 2 : dp >> 3;
  for (let part = p0; part < p1; part++) {
    const r0 = part * partRows;
    const r1 = Math.min(count, r0 + partRows);
    const accBase = part * d * d;
    for (let b0 = r0; b0 < r1; b0 += L) {
      const cnt = Math.min(L, r1 - b0);
      for (let r = 0; r < cnt; r++) {
        const t = b0 + r;
        const src = (rows === null ? t : rows[t]!) * d;
        const dst = r * dp;
        const w = (sw === null ? 1 : sw[t]!) * scale;
        if (center === null) {
          if (plain) for (let p = 0; p < d; p++) F[dst + p] = X[src + p]!;
          else for (let p = 0; p < d; p++) F[dst + p] = X[src + p]! * w;
        } else if (plain) for (let p = 0; p < d; p++) F[dst + p] = X[src + p]! - center[p]!;
        else for (let p = 0; p < d; p++) F[dst + p] = (X[src + p]! - center[p]!) * w;
      }
      if (kernel !== null) kernel(0, rs, 0, rs, cnt, cOff * E, rs, dp >> 2, nj, 1);
      else gemmTileJs(F, 0, rs, 0, rs, cnt, cOff * E, rs, dp >> 2, nj, 1);
      for (let a = 0; a < d; a++) {
        const ro = cOff + a * dp;
        const ao = accBase + a * d;
        for (let b = a; b < d; b++) acc[ao + b]! += F[ro + b]!;
      }
    }
  }
}

/**
 * Projection blocks [k0, k1): rows [k·L, (k + 1)·L) of the selection, centred, are copied into
 * scratch as 4-row panels (value (r, p) at ((r >> 2)·d + p)·4 + (r & 3), so the copy writes nearly
 * sequentially), multiplied panel by panel by W (d × mp) with float32 accumulation over the d
 * columns, and written to `out` (count × m). @internal
 */
export function gemmProjectBlocks(ctx: GemmContext, k0: number, k1: number): void {
  const { X, d, L, rows, count, center, m, mp } = ctx;
  const out = ctx.out!;
  const wOff = d * L;
  const cOff = wOff + d * mp;
  const fresh = ctx.F === null;
  const F = gemmSetup(ctx, cOff + L * mp) as Float32Array;
  if (fresh) F.set(ctx.W!, wOff);
  const kernel = ctx.kernel;
  const panel = 4 * d;
  for (let k = k0; k < k1; k++) {
    const r0 = k * L;
    const cnt = Math.min(L, count - r0);
    for (let r = 0; r < cnt; r++) {
      const t = r0 + r;
      const src = (rows === null ? t : rows[t]!) * d;
      const dst = (r >> 2) * panel + (r & 3);
      if (center === null) for (let p = 0; p < d; p++) F[dst + 4 * p] = X[src + p]!;
      else for (let p = 0; p < d; p++) F[dst + 4 * p] = X[src + p]! - center[p]!;
    }
    const ni = (cnt + 3) >> 2;
    for (let ti = 0; ti < ni; ti++) {
      const a = ti * panel * 4;
      const c = (cOff + 4 * ti * mp) * 4;
      if (kernel !== null) kernel(a, 16, wOff * 4, mp * 4, d, c, mp * 4, 1, mp >> 3, 0);
      else gemmTileJs(F, a, 16, wOff * 4, mp * 4, d, c, mp * 4, 1, mp >> 3, 0);
    }
    for (let r = 0; r < cnt; r++) {
      const so = cOff + r * mp;
      const oo = (r0 + r) * m;
      for (let c = 0; c < m; c++) out[oo + c] = F[so + c]!;
    }
  }
}
