import { fitLogisticRegression, stratifiedKFold } from "@assay/math";
import type { CoresetIndex } from "./coreset-index.js";
import { intOption, invalidInput, invalidOption } from "./options.js";

/** Options of {@link modelScores}. */
export interface ModelScoreOptions {
  /** Cross-fitting folds, stratified by label (default 5). */
  folds?: number;
  /** Fold seed (default 0). */
  seed?: number;
  /** L2 strength λ on the mean loss: minimises mean weighted log-loss + λ/2·‖θ‖² (default 1e-3; intercepts unpenalised). */
  l2?: number;
  /** L-BFGS iterations per fold (default 200). */
  maxIter?: number;
  /** Gradient tolerance (default 1e-6). */
  tol?: number;
  /**
   * Externally supplied out-of-fold probabilities (`index.size` rows × K columns, rows in index order,
   * columns in `index.classes` order), e.g. from a stronger model. When given, nothing is fitted.
   */
  probabilities?: { rows: number; cols: number; data: ArrayLike<number> };
}

/** Result of {@link modelScores}. */
export interface ModelScores {
  /** Per-row loss ℓ = −ln p̂(own label) (the ranking score, = confident learning's self-confidence order); NaN for removed rows. */
  loss: Float64Array;
  /** Sampling sensitivity σ = ½·ℓ/Σℓ + ½·w/W over live rows (sums to 1); 0 for removed rows. */
  sensitivity: Float64Array;
  /** The out-of-fold probabilities used (size × K, float32; removed rows all 0). */
  probabilities: Float32Array;
}

/**
 * Model-based scores (spec 5.4 B): a weighted multinomial logistic regression on the index's frozen
 * features z, cross-fitted over stratified folds, gives each live row its out-of-fold loss
 * ℓ = −ln p̂(y). Needs no ellipsoid assumption, so it suits visibly multi-modal classes, but it is not
 * incremental: call it again after edits (a refit). Rows are weighted by the index's sample weights.
 *
 * @throws AssayError `INVALID_OPTION` for bad options, `INVALID_INPUT` when the probabilities have the
 * wrong shape or a class has fewer live rows than `folds`.
 */
export function modelScores(index: CoresetIndex, options: ModelScoreOptions = {}): ModelScores {
  const folds = intOption("folds", options.folds ?? 5, 2);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw invalidOption("seed", `must be an integer ≥ 0, got ${String(seed)}`);
  const l2 = options.l2 ?? 1e-3;
  if (!(l2 > 0) || !Number.isFinite(l2)) throw invalidOption("l2", `must be a finite number > 0, got ${String(l2)}`);
  const maxIter = intOption("maxIter", options.maxIter ?? 200, 1);
  const tol = options.tol ?? 1e-6;
  if (!(tol > 0)) throw invalidOption("tol", `must be > 0, got ${String(tol)}`);
  const K = index.classes.length;
  const n = index.size;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (index.isLive(i)) rows.push(i);
  const m = rows.length;
  const probs = new Float32Array(n * K);
  if (options.probabilities !== undefined) {
    const P = options.probabilities;
    if (P.rows !== n || P.cols !== K || P.data.length !== n * K) {
      throw invalidInput(`model probabilities must be ${n}×${K} (index rows × classes), got ${P.rows}×${P.cols} with ${P.data.length} values`);
    }
    for (const r of rows) {
      for (let k = 0; k < K; k++) {
        const v = P.data[r * K + k]!;
        if (!(v >= 0 && v <= 1)) throw invalidInput(`model probability of row ${r}, class ${JSON.stringify(index.classes[k])} must be in [0, 1], got ${String(v)}`, { row: r });
        probs[r * K + k] = v;
      }
    }
  } else {
    const r = index.dim;
    const p = index.p;
    const z = new Float32Array(m * r);
    const y = new Int32Array(m);
    const w = new Float64Array(m);
    rows.forEach((row, t) => {
      for (let j = 0; j < r; j++) z[t * r + j] = index.A[row * p + j]!;
      y[t] = index.labels[row]!;
      w[t] = index.weights[row]!;
    });
    const fold = stratifiedKFold(y, folds, seed);
    for (let f = 0; f < folds; f++) {
      const train: number[] = [];
      const test: number[] = [];
      for (let t = 0; t < m; t++) (fold[t] === f ? test : train).push(t);
      if (test.length === 0) continue;
      const pick = (ids: number[]) => {
        const out = new Float32Array(ids.length * r);
        ids.forEach((t, u) => out.set(z.subarray(t * r, (t + 1) * r), u * r));
        return { rows: ids.length, cols: r, data: out };
      };
      let wTrain = 0;
      for (const t of train) wTrain += w[t]!;
      // mean weighted loss + λ/2‖θ‖²  ⇔  Σ w·loss + ‖θ‖²/(2C) with C = 1/(λ·Σw).
      const model = fitLogisticRegression(pick(train), Int32Array.from(train, (t) => y[t]!), {
        C: 1 / (l2 * wTrain),
        maxIter,
        tol,
        classes: K,
        sampleWeight: Float64Array.from(train, (t) => w[t]!),
      });
      const P = model.predictProba(pick(test)).data;
      test.forEach((t, u) => probs.set(P.subarray(u * K, (u + 1) * K), rows[t]! * K));
    }
  }
  const loss = new Float64Array(n).fill(Number.NaN);
  const sensitivity = new Float64Array(n);
  let sumLoss = 0;
  let sumW = 0;
  for (const r of rows) {
    const l = -Math.log(Math.max(1e-300, probs[r * K + index.labels[r]!]!));
    loss[r] = l;
    sumLoss += l;
    sumW += index.weights[r]!;
  }
  for (const r of rows) sensitivity[r] = (sumLoss > 0 ? (0.5 * loss[r]!) / sumLoss : 0.5 / m) + (0.5 * index.weights[r]!) / sumW;
  return { loss, sensitivity, probabilities: probs };
}
