import { checkInt, checkPositive } from "./errors.js";

/** Objective for {@link minimizeLbfgs}: writes the gradient at `x` into `grad` and returns f(x). */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimizeLbfgs} (defaults follow scipy's L-BFGS-B). */
export interface LbfgsOptions {
  /** Maximum iterations (default 100). */
  maxIter?: number;
  /** Stop when max |gradient| ≤ gtol (default 1e-5). */
  gtol?: number;
  /** Stop when the relative decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol (default 2.22e-9). */
  ftol?: number;
  /** Stored correction pairs (default 10). */
  memory?: number;
  /** Maximum line-search steps per iteration (default 40). */
  maxLineSearch?: number;
}

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
  /** Why it stopped: `"gtol"`, `"ftol"`, `"maxIter"` or `"lineSearch"`. */
  reason: "gtol" | "ftol" | "maxIter" | "lineSearch";
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > m) m = a;
  }
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Unconstrained limited-memory BFGS (two-loop recursion) with a backtracking line search on the
 * Armijo condition (c₁ = 1e-4, cubic/quadratic step interpolation). Deterministic; meant for smooth
 * convex objectives such as regularised logistic regression.
 */
export function minimizeLbfgs(fg: ObjectiveWithGradient, x0: ArrayLike<number>, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIter = opts.maxIter ?? 100;
  const gtol = opts.gtol ?? 1e-5;
  const ftol = opts.ftol ?? 2.220446049250313e-9;
  const mem = opts.memory ?? 10;
  const maxLs = opts.maxLineSearch ?? 40;
  checkInt("minimizeLbfgs", "maxIter", maxIter, 0);
  checkPositive("minimizeLbfgs", "gtol", gtol, 0, true);
  checkPositive("minimizeLbfgs", "ftol", ftol, 0, true);
  checkInt("minimizeLbfgs", "memory", mem, 1);
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(mem);
  const dir = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  if (maxAbs(g) <= gtol) return { x, f, iterations: 0, converged: true, reason: "gtol" };
  for (let iter = 1; iter <= maxIter; iter++) {
    // Two-loop recursion: dir = −H·g.
    for (let i = 0; i < n; i++) dir[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, dir);
      alpha[j] = a;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) dir[i]! -= a * y[i]!;
    }
    let step: number;
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) dir[i]! *= gamma;
      for (let j = 0; j < S.length; j++) {
        const b = rho[j]! * dot(Y[j]!, dir);
        const s = S[j]!;
        const c = alpha[j]! - b;
        for (let i = 0; i < n; i++) dir[i]! += c * s[i]!;
      }
      step = 1;
    } else {
      step = Math.min(1, 1 / Math.sqrt(dot(g, g)));
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i]!;
      slope = -dot(g, g);
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
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {
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
    if (maxAbs(g) <= gtol) return { x, f, iterations: iter, converged: true, reason: "gtol" };
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) return { x, f, iterations: iter, converged: true, reason: "ftol" };
  }
  return { x, f, iterations: maxIter, converged: false, reason: "maxIter" };
}
