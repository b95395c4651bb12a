import { checkInt, checkPositive } from "./errors.js";
import { lbfgsRun } from "./fit-kernel.js";

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
  checkInt("minimizeLbfgs", "maxLineSearch", maxLs, 1);
  return lbfgsRun(fg, Float64Array.from(x0), maxIter, gtol, ftol, mem, maxLs);
}

