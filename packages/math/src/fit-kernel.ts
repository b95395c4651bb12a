/*
 * Self-contained fitting kernels: L-BFGS and the logistic-regression cores. Every function here calls
 * only functions of THIS module (type imports are erased), because crossValPredictProbaParallel ships
 * them to worker threads as source text (see pool.ts). Keep it that way: no value imports.
 */
import type { LbfgsResult, ObjectiveWithGradient } from "./lbfgs.js";

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

/** max |v_i| (self-contained: shipped to workers). @internal */
export function vecMaxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > m) m = a;
  }
  return m;
}

/** a·b (self-contained: shipped to workers). @internal */
export function vecDot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * The L-BFGS loop behind {@link minimizeLbfgs}, without option checks. Self-contained (calls only
 * {@link vecDot} and {@link vecMaxAbs}) so worker threads can run it from its source text.
 * @internal
 */
export function lbfgsRun(fg: ObjectiveWithGradient, x0: Float64Array, maxIter: number, gtol: number, ftol: number, mem: number, maxLs: number): LbfgsResult {
  const n = x0.length;
  let x: Float64Array = x0;
  let g: Float64Array = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(mem);
  const dir = new Float64Array(n);
  let xNew: Float64Array = new Float64Array(n);
  let gNew: Float64Array = new Float64Array(n);
  if (vecMaxAbs(g) <= gtol) return { x, f, iterations: 0, converged: true, reason: "gtol" };
  for (let iter = 1; iter <= maxIter; iter++) {
    // Two-loop recursion: dir = −H·g.
    for (let i = 0; i < n; i++) dir[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j]! * vecDot(S[j]!, dir);
      alpha[j] = a;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) dir[i]! -= a * y[i]!;
    }
    let step: number;
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = vecDot(S[last]!, Y[last]!) / vecDot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) dir[i]! *= gamma;
      for (let j = 0; j < S.length; j++) {
        const b = rho[j]! * vecDot(Y[j]!, dir);
        const s = S[j]!;
        const c = alpha[j]! - b;
        for (let i = 0; i < n; i++) dir[i]! += c * s[i]!;
      }
      step = 1;
    } else {
      step = Math.min(1, 1 / Math.sqrt(vecDot(g, g)));
    }
    let slope = vecDot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i]!;
      slope = -vecDot(g, g);
      step = Math.min(1, 1 / Math.sqrt(-slope));
    }
    let fNew = Number.NaN;
    let accepted = false;
    let prevStep = 0;
    let prevF = f;
    for (let ls = 0; ls < maxLs; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * dir[i]!;
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      // Interpolate a smaller step: quadratic on the first try, cubic afterwards; keep it in [0.1, 0.5]·step.
      let next: number;
      if (!Number.isFinite(fNew)) next = step * 0.25;
      else if (ls === 0) next = (-slope * step * step) / (2 * (fNew - f - slope * step));
      else {
        const r1 = fNew - f - step * slope;
        const r2 = prevF - f - prevStep * slope;
        const a = (r1 / (step * step) - r2 / (prevStep * prevStep)) / (step - prevStep);
        const b = (-prevStep * r1 / (step * step) + step * r2 / (prevStep * prevStep)) / (step - prevStep);
        if (a === 0) next = -slope / (2 * b);
        else {
          const disc = b * b - 3 * a * slope;
          next = disc < 0 ? 0.5 * step : b <= 0 ? (-b + Math.sqrt(disc)) / (3 * a) : -slope / (b + Math.sqrt(disc));
        }
      }
      prevStep = step;
      prevF = fNew;
      if (!Number.isFinite(next)) next = 0.5 * step;
      step = Math.min(0.5 * step, Math.max(0.1 * step, next));
    }
    if (!accepted) return { x, f, iterations: iter, converged: false, reason: "lineSearch" };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = vecDot(s, y);
    if (sy > 1e-10 * vecDot(y, y)) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fOld = f;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (vecMaxAbs(g) <= gtol) return { x, f, iterations: iter, converged: true, reason: "gtol" };
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) return { x, f, iterations: iter, converged: true, reason: "ftol" };
  }
  return { x, f, iterations: maxIter, converged: false, reason: "maxIter" };
}

/*
 * The fitting and prediction cores below are SELF-CONTAINED (they call only each other and
 * lbfgsRun/vecDot/vecMaxAbs): crossValPredictProbaParallel ships them to worker threads as source text.
 * Parameter layout: w = [W (rows×d, row-major), b (rows)], rows = 1 for two classes, K otherwise.
 */

/**
 * Objective Σ sᵢ·log-lossᵢ + ‖W‖²/(2C) and its gradient for encoded labels yc ∈ [0, K); sᵢ = sw[i]
 * (sample weights) or 1 when sw is null. With `wasm` (the float64 gemm module, gemm-wasm.ts) and
 * K > 2 the two products X·Wᵀ and Rᵀ·X run in the f64x2 SIMD kernel ({@link logisticObjectiveWasm}).
 * @internal
 */
export function logisticObjective(Xd: Float64Array, n: number, d: number, yc: Int32Array, K: number, invC: number, sw: Float64Array | null, wasm: Uint8Array | null = null): (w: Float64Array, g: Float64Array) => number {
  if (K > 2 && wasm !== null) {
    const fg = logisticObjectiveWasm(Xd, n, d, yc, K, invC, sw, wasm);
    if (fg !== null) return fg;
  }
  if (K === 2) {
    return (w: Float64Array, g: Float64Array): number => {
      g.fill(0);
      let loss = 0;
      const b = w[d]!;
      for (let i = 0; i < n; i++) {
        const o = i * d;
        let z = b;
        for (let j = 0; j < d; j++) z += Xd[o + j]! * w[j]!;
        const t = yc[i]!;
        const si = sw === null ? 1 : sw[i]!;
        if (si === 0) continue;
        // log(1 + e^z) − t·z, computed stably
        loss += si * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z);
        const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        const r = si * (p - t);
        for (let j = 0; j < d; j++) g[j]! += r * Xd[o + j]!;
        g[d]! += r;
      }
      let pen = 0;
      for (let j = 0; j < d; j++) {
        pen += w[j]! * w[j]!;
        g[j]! += invC * w[j]!;
      }
      return loss + 0.5 * invC * pen;
    };
  }
  const nW = K * d;
  const z = new Float64Array(K);
  const K4 = K - (K % 4);
  return (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const si = sw === null ? 1 : sw[i]!;
      if (si === 0) continue;
      const o = i * d;
      let zmax = -Infinity;
      // Scores, four classes per pass over the row (one load of x_j feeds four multiply-adds). Each
      // class still sums j = 0..d−1 in order, so results equal the one-class-at-a-time loop.
      for (let c = 0; c < K4; c += 4) {
        const w0 = c * d;
        const w1 = w0 + d;
        const w2 = w1 + d;
        const w3 = w2 + d;
        let s0 = w[nW + c]!;
        let s1 = w[nW + c + 1]!;
        let s2 = w[nW + c + 2]!;
        let s3 = w[nW + c + 3]!;
        for (let j = 0; j < d; j++) {
          const x = Xd[o + j]!;
          s0 += x * w[w0 + j]!;
          s1 += x * w[w1 + j]!;
          s2 += x * w[w2 + j]!;
          s3 += x * w[w3 + j]!;
        }
        z[c] = s0;
        z[c + 1] = s1;
        z[c + 2] = s2;
        z[c + 3] = s3;
      }
      for (let c = K4; c < K; c++) {
        let s = w[nW + c]!;
        const wo = c * d;
        for (let j = 0; j < d; j++) s += Xd[o + j]! * w[wo + j]!;
        z[c] = s;
      }
      for (let c = 0; c < K; c++) if (z[c]! > zmax) zmax = z[c]!;
      let se = 0;
      for (let c = 0; c < K; c++) {
        const e = Math.exp(z[c]! - zmax);
        z[c] = e;
        se += e;
      }
      const t = yc[i]!;
      // z now holds exp(z − zmax): loss = log Σ e^z − z_t
      loss += si * (Math.log(se) - Math.log(z[t]!));
      const inv = 1 / se;
      // z ← residuals r_c = s_i·(p_c − [c = t]); gradient rows += r_c·x, four classes per pass.
      for (let c = 0; c < K; c++) {
        const r = si * (z[c]! * inv - (c === t ? 1 : 0));
        z[c] = r;
        g[nW + c]! += r;
      }
      for (let c = 0; c < K4; c += 4) {
        const r0 = z[c]!;
        const r1 = z[c + 1]!;
        const r2 = z[c + 2]!;
        const r3 = z[c + 3]!;
        const w0 = c * d;
        const w1 = w0 + d;
        const w2 = w1 + d;
        const w3 = w2 + d;
        for (let j = 0; j < d; j++) {
          const x = Xd[o + j]!;
          g[w0 + j]! += r0 * x;
          g[w1 + j]! += r1 * x;
          g[w2 + j]! += r2 * x;
          g[w3 + j]! += r3 * x;
        }
      }
      for (let c = K4; c < K; c++) {
        const r = z[c]!;
        if (r === 0) continue;
        const wo = c * d;
        for (let j = 0; j < d; j++) g[wo + j]! += r * Xd[o + j]!;
      }
    }
    let pen = 0;
    for (let j = 0; j < nW; j++) {
      pen += w[j]! * w[j]!;
      g[j]! += invC * w[j]!;
    }
    return loss + 0.5 * invC * pen;
  };
}

/**
 * The multinomial objective of {@link logisticObjective} on the float64 SIMD gemm kernel. The data
 * live in the kernel's memory twice: row-major (n × dp, for the gradient Rᵀ·X, summed over chunks
 * of 512 rows) and as 4-row panels (for the scores X·Wᵀ, one kernel call per panel). Returns null
 * when that memory would exceed 1 GiB (the caller then uses the JavaScript loops). @internal
 */
export function logisticObjectiveWasm(Xd: Float64Array, n: number, d: number, yc: Int32Array, K: number, invC: number, sw: Float64Array | null, wasm: Uint8Array): ((w: Float64Array, g: Float64Array) => number) | null {
  const Kp = (K + 3) & ~3;
  const dp = (d + 3) & ~3;
  const n4 = (n + 3) & ~3;
  const CH = 512;
  const oP = n * dp; // panels: value (i, j) at oP + ((i >> 2)·d + j)·4 + (i & 3)
  const oW = oP + n4 * d; // Wᵀ, d × Kp
  const oZ = oW + d * Kp; // scores, then residuals: n4 × Kp
  const oG = oZ + n4 * Kp; // gradient chunk, Kp × dp
  const total = oG + Kp * dp;
  if (total * 8 > 2 ** 30) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((total * 8) / 65536) + 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { e: { m: memory } });
  const kernel = instance.exports.g as (aBase: number, aP: number, bBase: number, bP: number, np: number, cBase: number, cS: number, ni: number, nj: number, sym: number) => void;
  const F = new Float64Array(memory.buffer);
  for (let i = 0; i < n; i++) {
    const pb = oP + (i >> 2) * 4 * d + (i & 3);
    for (let j = 0; j < d; j++) {
      const v = Xd[i * d + j]!;
      F[i * dp + j] = v;
      F[pb + 4 * j] = v;
    }
  }
  const nW = K * d;
  return (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    for (let c = 0; c < K; c++) for (let j = 0; j < d; j++) F[oW + j * Kp + c] = w[c * d + j]!;
    for (let ti = 0; ti < n4 >> 2; ti++) kernel((oP + ti * 4 * d) * 8, 32, oW * 8, Kp * 8, d, (oZ + 4 * ti * Kp) * 8, Kp * 8, 1, Kp >> 2, 0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const zo = oZ + i * Kp;
      const si = sw === null ? 1 : sw[i]!;
      if (si === 0) {
        for (let c = 0; c < K; c++) F[zo + c] = 0;
        continue;
      }
      let zmax = -Infinity;
      for (let c = 0; c < K; c++) {
        const z = F[zo + c]! + w[nW + c]!;
        F[zo + c] = z;
        if (z > zmax) zmax = z;
      }
      const t = yc[i]!;
      const zt = F[zo + t]! - zmax;
      let se = 0;
      for (let c = 0; c < K; c++) {
        const e = Math.exp(F[zo + c]! - zmax);
        F[zo + c] = e;
        se += e;
      }
      // log Σ e^z − z_t
      loss += si * (Math.log(se) - zt);
      const inv = 1 / se;
      for (let c = 0; c < K; c++) {
        const r = si * (F[zo + c]! * inv - (c === t ? 1 : 0));
        F[zo + c] = r;
        g[nW + c]! += r;
      }
    }
    for (let c0 = 0; c0 < n; c0 += CH) {
      const cnt = Math.min(CH, n - c0);
      kernel((oZ + c0 * Kp) * 8, Kp * 8, c0 * dp * 8, dp * 8, cnt, oG * 8, dp * 8, Kp >> 2, dp >> 2, 0);
      for (let c = 0; c < K; c++) for (let j = 0; j < d; j++) g[c * d + j]! += F[oG + c * dp + j]!;
    }
    let pen = 0;
    for (let j = 0; j < nW; j++) {
      pen += w[j]! * w[j]!;
      g[j]! += invC * w[j]!;
    }
    return loss + 0.5 * invC * pen;
  };
}

/** L-BFGS fit from zero with scikit-learn's stopping rule (sw: sample weights or null; wasm: see {@link logisticObjective}). @internal */
export function fitLogisticCore(Xd: Float64Array, n: number, d: number, yc: Int32Array, K: number, C: number, maxIter: number, tol: number, sw: Float64Array | null, wasm: Uint8Array | null = null): LbfgsResult {
  const fg = logisticObjective(Xd, n, d, yc, K, 1 / C, sw, wasm);
  const size = K === 2 ? d + 1 : K * d + K;
  return lbfgsRun(fg, new Float64Array(size), maxIter, tol, 2.220446049250313e-9, 10, 40);
}

/**
 * Probabilities of rows `rows` (all rows 0..count−1 when null) of X (d columns), written to
 * `out[i·outCols + colMap[c]]` for input row i. @internal
 */
export function predictLogisticCore(w: Float64Array, K: number, d: number, X: Float32Array | Float64Array, rows: Int32Array | null, count: number, out: Float32Array, outCols: number, colMap: Int32Array): void {
  const nW = K === 2 ? d : K * d;
  const z = new Float64Array(K);
  for (let t = 0; t < count; t++) {
    const i = rows === null ? t : rows[t]!;
    const o = i * d;
    const oo = i * outCols;
    if (K === 2) {
      let s = w[d]!;
      for (let j = 0; j < d; j++) s += X[o + j]! * w[j]!;
      const p = s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
      out[oo + colMap[0]!] = 1 - p;
      out[oo + colMap[1]!] = p;
      continue;
    }
    let zmax = -Infinity;
    for (let c = 0; c < K; c++) {
      let s = w[nW + c]!;
      for (let j = 0; j < d; j++) s += X[o + j]! * w[c * d + j]!;
      z[c] = s;
      if (s > zmax) zmax = s;
    }
    let se = 0;
    for (let c = 0; c < K; c++) {
      z[c] = Math.exp(z[c]! - zmax);
      se += z[c]!;
    }
    for (let c = 0; c < K; c++) out[oo + colMap[c]!] = z[c]! / se;
  }
}

/** What {@link cvFolds} needs; arrays may live on SharedArrayBuffers. @internal */
export interface CvContext {
  Xd: Float64Array;
  n: number;
  d: number;
  y: Int32Array;
  assignment: Int32Array;
  numClasses: number;
  C: number;
  maxIter: number;
  tol: number;
  out: Float32Array;
  /** The float64 gemm module's bytes (gemm-wasm.ts), or null for the JavaScript loops. */
  wasm: Uint8Array | null;
}

/** Fit on every fold but f and predict fold f, for folds [f0, f1). @internal */
export function cvFolds(ctx: CvContext, f0: number, f1: number): void {
  const { Xd, n, d, y, assignment, numClasses: K, out } = ctx;
  for (let f = f0; f < f1; f++) {
    let nTest = 0;
    const seen = new Uint8Array(K);
    for (let i = 0; i < n; i++) {
      if (assignment[i] === f) nTest++;
      else seen[y[i]!] = 1;
    }
    if (nTest === 0) continue;
    const test = new Int32Array(nTest);
    const nTrain = n - nTest;
    const Xt = new Float64Array(nTrain * d);
    const code = new Int32Array(K).fill(-1);
    let kp = 0;
    for (let c = 0; c < K; c++) if (seen[c] === 1) code[c] = kp++;
    const present = new Int32Array(kp);
    for (let c = 0; c < K; c++) if (code[c]! >= 0) present[code[c]!] = c;
    const yc = new Int32Array(nTrain);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (assignment[i] === f) test[b++] = i;
      else {
        for (let j = 0; j < d; j++) Xt[a * d + j] = Xd[i * d + j]!;
        yc[a++] = code[y[i]!]!;
      }
    }
    if (kp === 1) {
      for (let t = 0; t < nTest; t++) out[test[t]! * K + present[0]!] = 1;
      continue;
    }
    const res = fitLogisticCore(Xt, nTrain, d, yc, kp, ctx.C, ctx.maxIter, ctx.tol, null, ctx.wasm);
    predictLogisticCore(res.x, kp, d, Xd, test, nTest, out, K, present);
  }
}

