import { invertSquare } from "@assay/math";
import { confidentJointOf } from "./confident-learning.js";
import { invalidInput, invalidOption } from "./errors.js";
import type { LabelsInput, ProbMatrix } from "./types.js";
import { checkInputs } from "./validate.js";

const TINY = 1e-100;

/** How the latent true-class prior is estimated. */
export type PyMethod = "cnt" | "eqn" | "marginal" | "marginal_ps";

/** Latent estimates from a confident joint (all K×K matrices row-major). */
export interface LatentEstimates {
  /** Estimated prior of the true labels, length K, sums to 1. */
  readonly py: Float64Array;
  /** P(given = i | true = j) at `[i*K + j]`; columns sum to 1. */
  readonly noiseMatrix: Float64Array;
  /** P(true = i | given = j) at `[i*K + j]`; columns sum to 1. */
  readonly inverseNoiseMatrix: Float64Array;
}

/** Options of {@link estimateLatent}. */
export interface LatentOptions {
  /** Default `"cnt"`. */
  pyMethod?: PyMethod;
  /** Iterate the estimates towards consistency (3 × 5 rounds). Default false. */
  convergeLatentEstimates?: boolean;
}

/**
 * Noise matrix, inverse noise matrix and true-label prior from a confident joint (cleanlab
 * `count.estimate_latent`). `confidentJoint` is K×K row-major.
 */
export function estimateLatent(confidentJoint: ArrayLike<number>, labels: ArrayLike<number>, options: LatentOptions = {}): LatentEstimates {
  const K = Math.round(Math.sqrt(confidentJoint.length));
  if (K * K !== confidentJoint.length) throw invalidInput(`confident_joint has ${confidentJoint.length} values; expected K×K`);
  const ps = new Float64Array(K);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= K) throw invalidInput(`labels[${i}] is ${v}; expected a class in 0…${K - 1}`, { row: i });
    ps[v]!++;
  }
  for (let k = 0; k < K; k++) ps[k]! /= labels.length;
  return latentOf(Float64Array.from(confidentJoint), ps, K, options);
}

/** Internal: estimate_latent with the label prior `ps`. */
export function latentOf(C: Float64Array, ps: Float64Array, K: number, options: LatentOptions): LatentEstimates {
  const method = options.pyMethod ?? "cnt";
  const col = new Float64Array(K);
  const row = new Float64Array(K);
  let total = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      col[j]! += C[i * K + j]!;
      row[i]! += C[i * K + j]!;
      total += C[i * K + j]!;
    }
  }
  let nm: Float64Array = new Float64Array(K * K);
  let inv: Float64Array = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      nm[i * K + j] = C[i * K + j]! / Math.max(col[j]!, TINY);
      inv[i * K + j] = C[j * K + i]! / Math.max(row[j]!, TINY);
    }
  }
  let py: Float64Array = new Float64Array(K);
  if (method === "cnt") py = computePyCnt(ps, nm, inv, K);
  else if (method === "eqn") {
    const ninv = invertSquare(nm, K);
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) py[i]! += ninv[i * K + j]! * ps[j]!;
  } else if (method === "marginal") {
    for (let k = 0; k < K; k++) py[k] = col[k]! / Math.max(total, TINY);
  } else if (method === "marginal_ps") {
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) py[i]! += inv[i * K + j]! * ps[j]!;
  } else {
    throw invalidOption(`unknown py_method "${method}"; expected cnt, eqn, marginal or marginal_ps`, { pyMethod: method });
  }
  py = clipValues(py, 1e-6, 1, 1);
  nm = clipNoiseRates(nm, K);
  inv = clipNoiseRates(inv, K);
  if (options.convergeLatentEstimates) {
    for (let outer = 0; outer < 3; outer++) {
      for (let inner = 0; inner < 5; inner++) {
        inv = computeInv(py, nm, ps, K);
        py = computePyCnt(ps, nm, inv, K);
      }
      nm = computeNoiseFromInverse(ps, inv, py, K);
    }
    py = clipValues(py, 1e-6, 1, 1);
    nm = clipNoiseRates(nm, K);
    inv = clipNoiseRates(inv, K);
  }
  return { py, noiseMatrix: nm, inverseNoiseMatrix: inv };
}

function computePyCnt(ps: Float64Array, nm: Float64Array, inv: Float64Array, K: number): Float64Array {
  const py = new Float64Array(K);
  for (let k = 0; k < K; k++) py[k] = (inv[k * K + k]! / Math.max(nm[k * K + k]!, TINY)) * ps[k]!;
  return py;
}

function computeInv(py: Float64Array, nm: Float64Array, ps: Float64Array, K: number): Float64Array {
  const inv = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) inv[i * K + j] = (nm[j * K + i]! * py[i]!) / Math.max(ps[j]!, TINY);
  return clipNoiseRates(inv, K);
}

function computeNoiseFromInverse(ps: Float64Array, inv: Float64Array, py: Float64Array, K: number): Float64Array {
  const nm = new Float64Array(K * K);
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) nm[a * K + b] = (inv[b * K + a]! * ps[a]!) / Math.max(py[b]!, TINY);
  return clipNoiseRates(nm, K);
}

/** Clip to [low, high] then rescale to `newSum` (cleanlab `clip_values`). */
export function clipValues(x: Float64Array, low: number, high: number, newSum?: number): Float64Array {
  let orig = 0;
  for (const v of x) orig += v;
  const out = x.map((v) => Math.min(Math.max(v, low), high));
  let s = 0;
  for (const v of out) s += v;
  const target = newSum ?? orig;
  const f = target / Math.max(s, TINY);
  return out.map((v) => v * f);
}

/** Keep the diagonal, clip others to [0, 0.9999], renormalise each column (cleanlab `clip_noise_rates`). */
export function clipNoiseRates(m: Float64Array, K: number): Float64Array {
  const out = m.map((v) => Math.min(Math.max(v, 0), 0.9999));
  for (let k = 0; k < K; k++) out[k * K + k] = m[k * K + k]!;
  for (let j = 0; j < K; j++) {
    let s = 0;
    for (let i = 0; i < K; i++) s += out[i * K + j]!;
    const d = Math.max(s, TINY);
    for (let i = 0; i < K; i++) out[i * K + j]! /= d;
  }
  return out;
}

/** Options of {@link estimatePyAndNoiseMatricesFromProbabilities}. */
export interface PyNoiseOptions extends LatentOptions {
  thresholds?: ArrayLike<number>;
  calibrate?: boolean;
}

/**
 * Latent estimates from labels and pred_probs (cleanlab
 * `count.estimate_py_and_noise_matrices_from_probabilities`; converge defaults to true as there).
 * Also returns the confident joint used.
 */
export function estimatePyAndNoiseMatricesFromProbabilities(
  labels: LabelsInput,
  predProbs: ProbMatrix,
  options: PyNoiseOptions = {},
): LatentEstimates & { confidentJoint: Float64Array } {
  const c = checkInputs(labels, predProbs, { allowOneClass: true });
  const t = options.thresholds ? Float64Array.from(options.thresholds) : undefined;
  const C = confidentJointOf(c, t, options.calibrate ?? true).joint;
  const ps = c.counts.map((v) => v / c.n);
  const est = latentOf(C, ps, c.K, { pyMethod: options.pyMethod ?? "cnt", convergeLatentEstimates: options.convergeLatentEstimates ?? true });
  return { ...est, confidentJoint: C };
}

