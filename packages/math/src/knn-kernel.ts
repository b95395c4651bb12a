/*
 * The exact kNN kernel. Every function here is SELF-CONTAINED (no imports, no module-level
 * constants, no nested functions): the worker pool serialises them with Function.prototype.toString
 * and evaluates them inside worker_threads, so the same code runs in the main thread and in workers,
 * from TypeScript sources under vitest and from the ESM and CJS bundles alike.
 */

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

/** Everything one call of {@link scanRows} needs. Typed arrays may be backed by SharedArrayBuffers. */
export interface ScanContext {
  /** Query rows, nQ×d (float32, or a float64 copy in workers). */
  Q: Float32Array | Float64Array;
  /** Reference rows, nR×d (may be the same array as Q). */
  R: Float32Array | Float64Array;
  nQ: number;
  nR: number;
  d: number;
  /** Squared Euclidean norms of the query / reference rows (float64). */
  qNorm2: Float64Array;
  rNorm2: Float64Array;
  /** Neighbours to return per query. */
  k: number;
  /** Extra approximate candidates kept before exact re-ranking. */
  margin: number;
  cosine: boolean;
  /**
   * Relative error bound of the fast-form scores: a row is verified against top − tolRel·(‖q‖² +
   * max‖r‖²) (euclidean) or top − tolRel (cosine). 1e-9 for float64 sums, larger for float32 ones.
   */
  tolRel: number;
  /** When true, query i never returns reference i (all-pairs kNN of one matrix). */
  excludeSelf: boolean;
  /** Outputs, nQ×k. */
  outIdx: Int32Array;
  outDist: Float32Array;
}

/** Max-heap on (dist, index) stored in parallel arrays at `base`; returns the new size. */
export function heapPush(hd: Float64Array, hi: Int32Array, base: number, size: number, dist: number, idx: number): number {
  let pos = size;
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    const pd = hd[base + parent]!;
    const pi = hi[base + parent]!;
    if (pd > dist || (pd === dist && pi > idx)) break;
    hd[base + pos] = pd;
    hi[base + pos] = pi;
    pos = parent;
  }
  hd[base + pos] = dist;
  hi[base + pos] = idx;
  return size + 1;
}

/** Replace the top (largest) entry of a full max-heap and restore the heap property. */
export function heapReplaceTop(hd: Float64Array, hi: Int32Array, base: number, size: number, dist: number, idx: number): void {
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= size) break;
    let c = l;
    let cd = hd[base + l]!;
    let ci = hi[base + l]!;
    const r = l + 1;
    if (r < size) {
      const rd = hd[base + r]!;
      const ri = hi[base + r]!;
      if (rd > cd || (rd === cd && ri > ci)) {
        c = r;
        cd = rd;
        ci = ri;
      }
    }
    if (cd < dist || (cd === dist && ci < idx)) break;
    hd[base + pos] = cd;
    hi[base + pos] = ci;
    pos = c;
  }
  hd[base + pos] = dist;
  hi[base + pos] = idx;
}

/** Offer candidate j with fast-form score a to the bounded max-heap of block slot `slot`. */
export function offer(hd: Float64Array, hi: Int32Array, sizes: Int32Array, slot: number, kc: number, a: number, j: number): void {
  const base = slot * kc;
  const size = sizes[slot]!;
  if (size < kc) sizes[slot] = heapPush(hd, hi, base, size, a, j);
  else {
    const top = hd[base]!;
    if (a < top || (a === top && j < hi[base]!)) heapReplaceTop(hd, hi, base, size, a, j);
  }
}

/** Exact distance (euclidean: squared; cosine: 1 − cos) between query row q and reference row r, float64. */
export function exactDistance(ctx: ScanContext, q: number, r: number): number {
  const { Q, R, d } = ctx;
  const qo = q * d;
  const ro = r * d;
  if (ctx.cosine) {
    let dot = 0;
    for (let p = 0; p < d; p++) dot += Q[qo + p]! * R[ro + p]!;
    const nq = ctx.qNorm2[q]!;
    const nr = ctx.rNorm2[r]!;
    if (nq === 0 || nr === 0) return 1;
    const c = 1 - dot / Math.sqrt(nq * nr);
    return c < 0 ? 0 : c > 2 ? 2 : c;
  }
  let s = 0;
  for (let p = 0; p < d; p++) {
    const t = Q[qo + p]! - R[ro + p]!;
    s += t * t;
  }
  return s;
}

/** Brute-force exact scan of one query against every reference row (the rare fallback path). */
export function exactScanRow(ctx: ScanContext, q: number, hd: Float64Array, hi: Int32Array): void {
  const { nR, k, excludeSelf } = ctx;
  let size = 0;
  for (let r = 0; r < nR; r++) {
    if (excludeSelf && r === q) continue;
    const e = exactDistance(ctx, q, r);
    if (size < k) size = heapPush(hd, hi, 0, size, e, r);
    else if (e < hd[0]! || (e === hd[0]! && r < hi[0]!)) heapReplaceTop(hd, hi, 0, size, e, r);
  }
  // Heap → ascending by (dist, index): repeatedly pop the max into the tail.
  for (let end = size - 1; end >= 0; end--) {
    const d0 = hd[0]!;
    const i0 = hi[0]!;
    const dl = hd[end]!;
    const il = hi[end]!;
    heapReplaceTop(hd, hi, 0, end, dl, il);
    hd[end] = d0;
    hi[end] = i0;
  }
  for (let c = 0; c < size; c++) {
    ctx.outIdx[q * k + c] = hi[c]!;
    ctx.outDist[q * k + c] = ctx.cosine ? hd[c]! : Math.sqrt(hd[c]!);
  }
}

/**
 * Exact k nearest neighbours of query rows [q0, q1). Candidates come from the matrix-multiply form
 * (‖q‖² + ‖r‖² − 2q·r, or 1 − q·r/(‖q‖‖r‖)) over cache-sized tiles with float64 accumulation; the
 * best k + margin are re-scored with the exact formula, sorted by (distance, index), and checked:
 * if any unkept reference could still tie or beat the k-th exact distance (within the rounding
 * bound of the fast form) the row is redone by brute force. Ties always go to the lower index.
 */
export function scanRows(ctx: ScanContext, q0: number, q1: number): void {
  const { Q, R, nR, d, qNorm2, rNorm2, k, cosine, excludeSelf } = ctx;
  const available = excludeSelf ? nR - 1 : nR;
  const kc = Math.min(k + ctx.margin, available);
  const BQ = 16;
  const BR = 256;
  const nb = Math.min(BQ, q1 - q0);
  const hd = new Float64Array(nb * kc);
  const hi = new Int32Array(nb * kc);
  const sizes = new Int32Array(nb);
  const invQ = new Float64Array(nb);
  const candD = new Float64Array(kc);
  const candI = new Int32Array(kc);
  const fbD = new Float64Array(k);
  const fbI = new Int32Array(k);
  let maxR2 = 0;
  for (let r = 0; r < nR; r++) if (rNorm2[r]! > maxR2) maxR2 = rNorm2[r]!;
  for (let b0 = q0; b0 < q1; b0 += BQ) {
    const b1 = Math.min(q1, b0 + BQ);
    sizes.fill(0);
    for (let q = b0; q < b1; q++) {
      const nq = qNorm2[q]!;
      invQ[q - b0] = nq > 0 ? 1 / Math.sqrt(nq) : 0;
    }
    for (let r0 = 0; r0 < nR; r0 += BR) {
      const r1 = Math.min(nR, r0 + BR);
      // Two queries × four references per step: 8 dot products share 6 loads per coordinate.
      for (let q = b0; q < b1; q += 2) {
        const q2 = q + 1 < b1 ? q + 1 : q;
        const pair = q2 !== q;
        const qo = q * d;
        const qo2 = q2 * d;
        const nq = qNorm2[q]!;
        const nq2 = qNorm2[q2]!;
        const iq = invQ[q - b0]!;
        const iq2 = invQ[q2 - b0]!;
        for (let r = r0; r < r1; r += 4) {
          const cnt = r1 - r < 4 ? r1 - r : 4;
          const o0 = r * d;
          const o1 = cnt > 1 ? o0 + d : o0;
          const o2 = cnt > 2 ? o0 + 2 * d : o0;
          const o3 = cnt > 3 ? o0 + 3 * d : o0;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let u0 = 0, u1 = 0, u2 = 0, u3 = 0;
          for (let p = 0; p < d; p++) {
            const qv = Q[qo + p]!;
            const qw = Q[qo2 + p]!;
            const x0 = R[o0 + p]!;
            const x1 = R[o1 + p]!;
            const x2 = R[o2 + p]!;
            const x3 = R[o3 + p]!;
            s0 += qv * x0;
            s1 += qv * x1;
            s2 += qv * x2;
            s3 += qv * x3;
            u0 += qw * x0;
            u1 += qw * x1;
            u2 += qw * x2;
            u3 += qw * x3;
          }
          for (let t = 0; t < cnt; t++) {
            const j = r + t;
            const nr = rNorm2[j]!;
            const ir = cosine && nr > 0 ? 1 / Math.sqrt(nr) : 0;
            if (!(excludeSelf && j === q)) {
              const dot = t === 0 ? s0 : t === 1 ? s1 : t === 2 ? s2 : s3;
              offer(hd, hi, sizes, q - b0, kc, cosine ? (iq === 0 || ir === 0 ? 1 : 1 - dot * iq * ir) : nq + nr - 2 * dot, j);
            }
            if (pair && !(excludeSelf && j === q2)) {
              const dot = t === 0 ? u0 : t === 1 ? u1 : t === 2 ? u2 : u3;
              offer(hd, hi, sizes, q2 - b0, kc, cosine ? (iq2 === 0 || ir === 0 ? 1 : 1 - dot * iq2 * ir) : nq2 + nr - 2 * dot, j);
            }
          }
        }
      }
    }
    for (let q = b0; q < b1; q++) {
      const slot = q - b0;
      finishRow(ctx, q, hd, hi, slot * kc, sizes[slot]!, available, maxR2, candD, candI, fbD, fbI);
    }
  }
}

/**
 * Finish query row q from its kept candidates (a max-heap of `size` fast-form scores at `base`):
 * re-score them with the exact formula, sort by (distance, index), and verify that no unkept
 * reference (fast score ≥ the heap's top) could tie or beat the k-th exact distance within the
 * fast form's rounding bound; otherwise redo the row by brute force. Writes the row's output.
 */
export function finishRow(
  ctx: ScanContext,
  q: number,
  hd: Float64Array,
  hi: Int32Array,
  base: number,
  size: number,
  available: number,
  maxR2: number,
  candD: Float64Array,
  candI: Int32Array,
  fbD: Float64Array,
  fbI: Int32Array,
): void {
  const { k, cosine } = ctx;
  // Exact re-scoring of the kept candidates, then insertion sort by (dist, index).
  for (let c = 0; c < size; c++) {
    const j = hi[base + c]!;
    const e = exactDistance(ctx, q, j);
    let pos = c;
    while (pos > 0 && (candD[pos - 1]! > e || (candD[pos - 1]! === e && candI[pos - 1]! > j))) {
      candD[pos] = candD[pos - 1]!;
      candI[pos] = candI[pos - 1]!;
      pos--;
    }
    candD[pos] = e;
    candI[pos] = j;
  }
  let safe = true;
  if (size < available) {
    // Every unkept reference has fast-form score ≥ top; the fast form errs by at most tol.
    const tol = cosine ? ctx.tolRel : ctx.tolRel * (ctx.qNorm2[q]! + maxR2) + 1e-30;
    safe = candD[k - 1]! < hd[base]! - tol;
  }
  if (!safe) {
    exactScanRow(ctx, q, fbD, fbI);
    return;
  }
  for (let c = 0; c < k; c++) {
    ctx.outIdx[q * k + c] = candI[c]!;
    ctx.outDist[q * k + c] = cosine ? candD[c]! : Math.sqrt(candD[c]!);
  }
}

/*
 * Symmetric all-pairs search (one matrix against itself). Each pair of row blocks (I, J ≥ I) is
 * scored once and offered to both rows, which halves the multiply-adds. Every worker owns a slot of
 * candidate heaps for ALL rows (slots × n × kc), so no two threads write the same heap; a second pass
 * merges the slots per row and finishes the rows exactly as the one-sided kernel does.
 */

/** Everything {@link symBlocks} and {@link symFinish} need; typed arrays may be on SharedArrayBuffers. */
export interface SymContext extends ScanContext {
  /**
   * The rows packed in panels of four: value (r, p) at `P[((r >> 2)·d + p)·4 + (r & 3)]`, zero
   * rows padding n up to a multiple of 4. Lets the 4×4 micro-kernel read both operands sequentially.
   */
  P: Float32Array | Float64Array;
  /** Rows per block (a multiple of 4) and the number of blocks. */
  B: number;
  nb: number;
  /** Candidates kept per row: min(k + margin, available rows). */
  kc: number;
  /** 1/‖row‖ (cosine; 0 for zero rows). */
  invNorm: Float64Array;
  /** Largest squared row norm (rounding bound of the fast form). */
  maxR2: number;
  /** Candidate heaps: slots × n × kc scores and indices; slots × n sizes and thresholds (+∞ until full). */
  hd: Float64Array;
  hi: Int32Array;
  hs: Int32Array;
  ht: Float64Array;
  /** Number of heap slots and the shared counter threads use to claim one. */
  slotCount: number;
  slotCounter: Int32Array;
  /** This thread's slot (−1 until claimed) and its B×B scratch tile (created on first use). */
  slot: number;
  tile: Float64Array | Float32Array | null;
  /**
   * The WebAssembly SIMD tile kernel (knn-wasm.ts) or null for the JavaScript one. With it, P must
   * be float32 and padded to a multiple of 8 rows, B a multiple of 8, and tolRel must cover float32 sums.
   */
  wasm: Uint8Array | null;
  /** This thread's instance of the wasm kernel (created on first use; see knn-wasm.ts for the arguments). */
  wasmTile: ((...args: number[]) => void) | null;
  /** Byte offsets in the wasm memory of the tile, the α, β and τ row arrays and the micro-tile flags. */
  wasmOffsets: Int32Array | null;
  /** Views of the wasm memory: the prefilter thresholds τ (float32, one per row) and the flags. */
  wasmThr: Float32Array | null;
  wasmFlags: Uint8Array | null;
}

/** Offer candidate j with fast score a to heap `row` (slot-major row index); keeps the threshold ht[row] = heap top once full. */
export function symOffer(hd: Float64Array, hi: Int32Array, hs: Int32Array, ht: Float64Array, row: number, kc: number, a: number, j: number): void {
  const base = row * kc;
  const size = hs[row]!;
  if (size < kc) {
    hs[row] = heapPush(hd, hi, base, size, a, j);
    if (size + 1 === kc) ht[row] = hd[base]!;
    return;
  }
  const top = hd[base]!;
  if (a < top || (a === top && j < hi[base]!)) {
    heapReplaceTop(hd, hi, base, size, a, j);
    ht[row] = hd[base]!;
  }
}

/**
 * Dot products of rows [i0, i1) with rows [j0, j1) (i0, j0 multiples of 4) into the B×B tile T
 * (T[(i − i0)·B + (j − j0)]): register-blocked 4×4 micro-tiles over the packed panels, sixteen float64
 * accumulators, each summing p = 0..d−1 in order (the same sums as the one-sided kernel).
 */
export function tileDots(P: Float32Array | Float64Array, d: number, i0: number, i1: number, j0: number, j1: number, T: Float64Array, B: number): void {
  const stride = 4 * d;
  for (let ia = i0; ia < i1; ia += 4) {
    const ao = (ia >> 2) * stride;
    const aEnd = ao + stride;
    const tRow = (ia - i0) * B;
    for (let jb = j0; jb < j1; jb += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let a = ao, b = (jb >> 2) * stride; a < aEnd; a += 4, b += 4) {
        const b0 = P[b]!, b1 = P[b + 1]!, b2 = P[b + 2]!, b3 = P[b + 3]!;
        let v = P[a]!;
        c00 += v * b0; c01 += v * b1; c02 += v * b2; c03 += v * b3;
        v = P[a + 1]!;
        c10 += v * b0; c11 += v * b1; c12 += v * b2; c13 += v * b3;
        v = P[a + 2]!;
        c20 += v * b0; c21 += v * b1; c22 += v * b2; c23 += v * b3;
        v = P[a + 3]!;
        c30 += v * b0; c31 += v * b1; c32 += v * b2; c33 += v * b3;
      }
      let o = tRow + (jb - j0);
      T[o] = c00; T[o + 1] = c01; T[o + 2] = c02; T[o + 3] = c03;
      o += B;
      T[o] = c10; T[o + 1] = c11; T[o + 2] = c12; T[o + 3] = c13;
      o += B;
      T[o] = c20; T[o + 1] = c21; T[o + 2] = c22; T[o + 3] = c23;
      o += B;
      T[o] = c30; T[o + 1] = c31; T[o + 2] = c32; T[o + 3] = c33;
    }
  }
}

/**
 * Offer the pairs (i, j), i ∈ [i0 + ia0, i0 + ia1), j ∈ [j0 + ja0, j0 + ja1) of the tile of blocks
 * starting at rows i0, j0 (dot products in T, row stride B): row i takes candidate j, and off the
 * diagonal row j takes candidate i. Fast scores are computed in float64 from the tile exactly as in
 * {@link scanRows}. When `thr` is given (the wasm prefilter), every changed heap threshold is copied
 * there with its slack (see {@link symThreshold}).
 */
export function symPairs(ctx: SymContext, T: Float32Array | Float64Array, i0: number, j0: number, ia0: number, ia1: number, ja0: number, ja1: number, diagonal: boolean, thr: Float32Array | null): void {
  const { nQ: n, kc, cosine, excludeSelf, qNorm2: nrm, invNorm, hd, hi, hs, ht } = ctx;
  const hb = ctx.slot * n;
  const B = ctx.B;
  const jEnd = j0 + ja1;
  for (let i = i0 + ia0, iEnd = i0 + ia1; i < iEnd; i++) {
    const ni = nrm[i]!;
    const ii = invNorm[i]!;
    const to = (i - i0) * B - j0;
    const ri = hb + i;
    for (let j = j0 + ja0; j < jEnd; j++) {
      if (diagonal && excludeSelf && j === i) continue;
      const dot = T[to + j]!;
      const ij = invNorm[j]!;
      const zero = ii === 0 || ij === 0;
      const a = cosine ? (zero ? 1 : 1 - dot * ii * ij) : ni + nrm[j]! - 2 * dot;
      if (a <= ht[ri]!) {
        symOffer(hd, hi, hs, ht, ri, kc, a, j);
        if (thr !== null) thr[i] = symThreshold(ctx, i, ht[ri]!);
      }
      if (diagonal) continue;
      const rj = hb + j;
      const aj = cosine ? (zero ? 1 : 1 - dot * ij * ii) : a;
      if (aj <= ht[rj]!) {
        symOffer(hd, hi, hs, ht, rj, kc, aj, i);
        if (thr !== null) thr[j] = symThreshold(ctx, j, ht[rj]!);
      }
    }
  }
}

/**
 * The wasm prefilter's float32 threshold of row r for heap threshold t: t plus a slack larger than
 * the float32 scoring error (≤ ~9·2⁻²⁴·(‖r‖² + max‖·‖²) euclidean, ~5·2⁻²⁴ cosine), so the
 * prefilter only ever passes MORE pairs than the float64 test it guards.
 */
export function symThreshold(ctx: SymContext, r: number, t: number): number {
  return ctx.cosine ? t + 2 ** -18 : t + 2 ** -20 * (ctx.qNorm2[r]! + ctx.maxR2);
}

/**
 * Score row blocks I ∈ [t0, t1) against every block J ≥ I and offer each pair to both rows' heaps in
 * this thread's slot. With the wasm kernel, only micro-tiles its prefilter flags are examined.
 */
export function symBlocks(ctx: SymContext, t0: number, t1: number): void {
  if (ctx.slot < 0) ctx.slot = Atomics.add(ctx.slotCounter, 0, 1);
  const { P, nQ: n, d, B, nb, cosine, qNorm2: nrm, invNorm } = ctx;
  if (ctx.tile === null) {
    if (ctx.wasm !== null) {
      // This thread's wasm memory: panels | tile | α | β | τ | flags (16-byte aligned).
      const nPad = P.length / d;
      const o = new Int32Array(6);
      o[0] = (P.byteLength + 15) & ~15;
      o[1] = o[0] + B * B * 4;
      o[2] = o[1] + nPad * 4;
      o[3] = o[2] + nPad * 4;
      o[4] = o[3] + nPad * 4;
      o[5] = o[4] + ((B * B) >> 5) + 16;
      const memory = new WebAssembly.Memory({ initial: Math.ceil(o[5] / 65536) });
      const f = new Float32Array(memory.buffer);
      f.set(P);
      const alpha = new Float32Array(memory.buffer, o[1], nPad);
      const beta = new Float32Array(memory.buffer, o[2], nPad);
      const thr = new Float32Array(memory.buffer, o[3], nPad);
      for (let r = 0; r < n; r++) {
        // score = α_i + α_j − dot·β_i·β_j: euclidean ‖i‖² + ‖j‖² − 2·dot, cosine 1 − dot/(‖i‖‖j‖)
        alpha[r] = cosine ? 0.5 : nrm[r]!;
        beta[r] = cosine ? invNorm[r]! : Math.SQRT2;
        thr[r] = symThreshold(ctx, r, ctx.ht[ctx.slot * n + r]!);
      }
      const instance = new WebAssembly.Instance(new WebAssembly.Module(ctx.wasm), { e: { m: memory } });
      ctx.wasmTile = instance.exports.t as SymContext["wasmTile"];
      ctx.wasmOffsets = o;
      ctx.wasmThr = thr;
      ctx.wasmFlags = new Uint8Array(memory.buffer, o[4], (B * B) >> 5);
      ctx.tile = new Float32Array(memory.buffer, o[0], B * B);
    } else ctx.tile = new Float64Array(B * B);
  }
  const T = ctx.tile;
  const wasmTile = ctx.wasmTile;
  const o = ctx.wasmOffsets;
  const flags = ctx.wasmFlags;
  const thr = ctx.wasmThr;
  const panelBytes = 16 * d;
  for (let I = t0; I < t1; I++) {
    const i0 = I * B;
    const i1 = Math.min(n, i0 + B);
    for (let J = I; J < nb; J++) {
      const j0 = J * B;
      const j1 = Math.min(n, j0 + B);
      const diagonal = J === I;
      if (wasmTile === null || o === null || flags === null) {
        tileDots(P, d, i0, i1, j0, j1, T as Float64Array, B);
        symPairs(ctx, T, i0, j0, 0, i1 - i0, 0, j1 - j0, diagonal, null);
        continue;
      }
      const na = (i1 - i0 + 3) >> 2;
      const pairs = (j1 - j0 + 7) >> 3;
      const r4 = 4 * i0;
      const c4 = 4 * j0;
      wasmTile((i0 >> 2) * panelBytes, (j0 >> 2) * panelBytes, na, pairs << 1, d, o[0]!, B, o[1]! + r4, o[1]! + c4, o[2]! + r4, o[2]! + c4, o[3]! + r4, o[3]! + c4, o[4]!);
      for (let ia = 0; ia < na; ia++) {
        for (let jp = 0; jp < pairs; jp++) {
          if (flags[ia * pairs + jp] === 0) continue;
          symPairs(ctx, T, i0, j0, 4 * ia, Math.min(4 * ia + 4, i1 - i0), 8 * jp, Math.min(8 * jp + 8, j1 - j0), diagonal, thr);
        }
      }
    }
  }
}

/** Merge every slot's heap of rows [r0, r1) into the best kc candidates and finish each row (see {@link finishRow}). */
export function symFinish(ctx: SymContext, r0: number, r1: number): void {
  const { nQ: n, k, kc, excludeSelf, hd, hi, hs, slotCount, maxR2 } = ctx;
  const available = excludeSelf ? n - 1 : n;
  const md = new Float64Array(kc);
  const mi = new Int32Array(kc);
  const candD = new Float64Array(kc);
  const candI = new Int32Array(kc);
  const fbD = new Float64Array(k);
  const fbI = new Int32Array(k);
  for (let i = r0; i < r1; i++) {
    let size = 0;
    for (let w = 0; w < slotCount; w++) {
      const row = w * n + i;
      const base = row * kc;
      const cnt = hs[row]!;
      for (let c = 0; c < cnt; c++) {
        const a = hd[base + c]!;
        const j = hi[base + c]!;
        if (size < kc) size = heapPush(md, mi, 0, size, a, j);
        else if (a < md[0]! || (a === md[0]! && j < mi[0]!)) heapReplaceTop(md, mi, 0, size, a, j);
      }
    }
    finishRow(ctx, i, md, mi, 0, size, available, maxR2, candD, candI, fbD, fbI);
  }
}
