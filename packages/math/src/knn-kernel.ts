/*
 * The exact kNN kernel. Every function here is SELF-CONTAINED (no imports, no module-level
 * constants, no nested functions): the worker pool serialises them with Function.prototype.toString
 * and evaluates them inside worker_threads, so the same code runs in the main thread and in workers,
 * from TypeScript sources under vitest and from the ESM and CJS bundles alike.
 */

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
      const base = slot * kc;
      const size = sizes[slot]!;
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
        const tol = cosine ? 1e-9 : 1e-9 * (qNorm2[q]! + maxR2) + 1e-30;
        safe = candD[k - 1]! < hd[base]! - tol;
      }
      if (!safe) {
        exactScanRow(ctx, q, fbD, fbI);
        continue;
      }
      for (let c = 0; c < k; c++) {
        ctx.outIdx[q * k + c] = candI[c]!;
        ctx.outDist[q * k + c] = cosine ? candD[c]! : Math.sqrt(candD[c]!);
      }
    }
  }
}
