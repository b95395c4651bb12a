import { knnQuery, median } from "@assay/math";
import { invalidInput, invalidOption } from "./errors.js";
import { type FeatureMatrix, type GraphMetric, type NeighborGraph, buildKnnGraph, defaultMetric } from "./knn-graph.js";
import { adjustedProbs } from "./scores.js";
import { thresholdsOf } from "./thresholds.js";
import type { LabelsInput, ProbMatrix, WarningSink } from "./types.js";
import { checkInputs, checkProbMatrix } from "./validate.js";

/** Parameters of {@link OutOfDistribution} (cleanlab's names in camelCase). */
export interface OodParams {
  /** Neighbours for the feature score (default min(10, N − 1)). */
  k?: number | null;
  /** Transform temperature (default 1). */
  t?: number;
  /** Prediction score: `"entropy"` (default), `"least_confidence"` or `"gen"`. */
  method?: "entropy" | "least_confidence" | "gen";
  /** Shift pred_probs by per-class thresholds before scoring (default true). */
  adjustPredProbs?: boolean;
  /** Thresholds to use instead of fitting them. */
  confidentThresholds?: ArrayLike<number> | null;
  /** `gen`: number of largest probabilities kept (default 100). */
  M?: number;
  /** `gen`: exponent (default 0.1). */
  gamma?: number;
  /**
   * A neighbour index you fitted yourself (cleanlab `params["knn"]`, e.g. fitted on training features):
   * feature scores then query it — see {@link NeighborIndex}. No duplicate correction is applied, and a
   * point of the fitted set finds itself at distance 0.
   */
  knn?: NeighborIndex | null;
}

/**
 * A user-supplied neighbour index (the role of scikit-learn's `NearestNeighbors` in cleanlab's
 * `OutOfDistribution(params={"knn": ...})`). {@link createNeighborIndex} makes an exact one.
 */
export interface NeighborIndex {
  /** Neighbours returned per query (sklearn `n_neighbors`); also the default and the maximum `k`. */
  readonly nNeighbors: number;
  /** Distance name, used for the precision clean-up: `"euclidean"`, `"cosine"`, `"minkowski"` (with `p`) or any other. */
  readonly metric: string;
  /** Minkowski power when `metric` is `"minkowski"`. */
  readonly p?: number;
  /** Whether the index has been fitted; an unfitted index is fitted on the features passed to scoring. */
  readonly fitted: boolean;
  /** Fit the index on reference features. */
  fit(features: FeatureMatrix): void | Promise<void>;
  /** The `nNeighbors` nearest fitted rows of every query row, distances ascending, flat rows × nNeighbors. */
  kneighbors(queries: FeatureMatrix): { distances: ArrayLike<number>; indices: ArrayLike<number> } | Promise<{ distances: ArrayLike<number>; indices: ArrayLike<number> }>;
}

/** Options of {@link createNeighborIndex}. */
export interface NeighborIndexOptions {
  /** Neighbours per query (default 5, scikit-learn's default). */
  nNeighbors?: number;
  /** `"euclidean"` (default) or `"cosine"` (1 − cos of L2-normalised rows, clipped to [0, 2]). */
  metric?: GraphMetric;
}

/**
 * An exact neighbour index for {@link OutOfDistribution}'s `knn` parameter: fit it on training features,
 * then score new data against them. Distances are computed in float64 (candidates from @assay/math `knnQuery`,
 * re-ranked exactly; ties by index).
 */
export function createNeighborIndex(options: NeighborIndexOptions = {}): NeighborIndex {
  const nNeighbors = options.nNeighbors ?? 5;
  const metric: GraphMetric = options.metric ?? "euclidean";
  if (!Number.isInteger(nNeighbors) || nNeighbors < 1) throw invalidOption(`nNeighbors must be a positive integer (got ${nNeighbors})`);
  if (metric !== "euclidean" && metric !== "cosine") throw invalidOption(`metric must be "euclidean" or "cosine" (got ${String(metric)})`);
  let train: FeatureMatrix | undefined;
  return {
    nNeighbors,
    metric,
    get fitted() {
      return train !== undefined;
    },
    fit(features: FeatureMatrix) {
      const x = checkFeatures(features);
      if (x.rows < nNeighbors) throw invalidInput(`the index needs at least nNeighbors = ${nNeighbors} rows to fit (got ${x.rows})`);
      train = x;
    },
    async kneighbors(queries: FeatureMatrix) {
      if (!train) throw invalidInput("the neighbour index is not fitted; call fit(features) first");
      return exactNeighbors(train, checkFeatures(queries), nNeighbors, metric);
    },
  };
}

/** The `k` nearest rows of `train` for every row of `x` (float64 distances, ascending; ties by index). */
async function exactNeighbors(train: FeatureMatrix, x: FeatureMatrix, k: number, metric: GraphMetric): Promise<{ distances: Float64Array; indices: Int32Array }> {
  if (x.cols !== train.cols) throw invalidInput(`features have ${x.cols} columns but the fitted features have ${train.cols}`);
  const g = await knnQuery(toF32(train), toF32(x), { k: Math.min(k + 8, train.rows), metric });
  const cand = g.k;
  const d = x.cols;
  const distances = new Float64Array(x.rows * k);
  const indices = new Int32Array(x.rows * k);
  const buf: [number, number][] = [];
  for (let i = 0; i < x.rows; i++) {
    buf.length = 0;
    for (let j = 0; j < cand; j++) {
      const o = g.indices[i * cand + j]!;
      buf.push([pairDistance(x.data, i, train.data, o, d, metric), o]);
    }
    buf.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let j = 0; j < k; j++) {
      distances[i * k + j] = buf[j]![0];
      indices[i * k + j] = buf[j]![1];
    }
  }
  return { distances, indices };
}

const ALLOWED = ["k", "t", "method", "adjustPredProbs", "confidentThresholds", "M", "gamma", "knn"];

/** `sqrt(100 · 2^−52)`-style clean-up tolerances of OOD §2.2 step 4. */
export function cleanupTolerance(metric: string | undefined, p?: number): number | undefined {
  const eps52 = 2 ** -52;
  if (metric === "cosine") return 100 * 2 ** -53;
  if (metric === "euclidean") return Math.sqrt(100 * eps52);
  if (metric === "minkowski" && p) return (100 * eps52) ** (1 / p);
  return undefined;
}

/** `exp(−t · a / max(sf, 1e-6))` with the precision clean-up (a < tol → 1). */
export function distanceToScore(avg: ArrayLike<number>, sf: number, t: number, metric: string | undefined, p?: number): Float64Array {
  const tol = cleanupTolerance(metric, p);
  const out = new Float64Array(avg.length);
  const d = Math.max(sf, 1e-6);
  for (let i = 0; i < avg.length; i++) {
    const a = avg[i]!;
    out[i] = tol !== undefined && a < tol ? 1 : Math.exp((-t * a) / d);
  }
  return out;
}

/** Mean of each row's first `k` graph distances (all columns by default). */
export function meanNeighborDistance(graph: NeighborGraph, k = graph.k): Float64Array {
  const out = new Float64Array(graph.rows);
  for (let i = 0; i < graph.rows; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += graph.distances[i * graph.k + j]!;
    out[i] = s / k;
  }
  return out;
}

/**
 * Out-of-distribution scores in [0, 1], lower = more atypical (cleanlab `OutOfDistribution`): from
 * feature vectors (mean distance to the k nearest neighbours) or from predicted probabilities
 * (entropy / least confidence / GEN of threshold-adjusted probabilities).
 */
export class OutOfDistribution {
  readonly params: Required<Omit<OodParams, "k" | "confidentThresholds" | "knn">> & { k: number | null };
  /** Thresholds fitted on pred_probs (or given). */
  confidentThresholds: Float64Array | undefined;
  /** Scaling factor fixed by the first feature scoring. */
  scalingFactor: number | undefined;
  /** The neighbour graph of the fitted features. */
  graph: NeighborGraph | undefined;
  private trainFeatures: FeatureMatrix | undefined;
  /** The user-supplied neighbour index (`params.knn`). */
  readonly knn: NeighborIndex | undefined;
  private readonly warn: WarningSink;

  constructor(params: OodParams = {}, options: { onWarning?: WarningSink } = {}) {
    const bad = Object.keys(params).filter((key) => !ALLOWED.includes(key));
    if (bad.length > 0) {
      throw invalidOption(`unknown OutOfDistribution parameter(s) ${bad.join(", ")}; allowed: ${ALLOWED.join(", ")}`, { unknown: bad });
    }
    this.warn = options.onWarning ?? (() => {});
    this.params = {
      k: params.k ?? null,
      t: params.t ?? 1,
      method: params.method ?? "entropy",
      adjustPredProbs: params.adjustPredProbs ?? true,
      M: params.M ?? 100,
      gamma: params.gamma ?? 0.1,
    };
    if (!["entropy", "least_confidence", "gen"].includes(this.params.method)) {
      throw invalidOption(`unknown method "${this.params.method}"; expected entropy, least_confidence or gen`);
    }
    if (params.knn) {
      const idx = params.knn;
      if (typeof idx.kneighbors !== "function" || typeof idx.fit !== "function" || !Number.isInteger(idx.nNeighbors) || idx.nNeighbors < 1) {
        throw invalidOption("knn must be a neighbour index {nNeighbors, metric, fitted, fit(features), kneighbors(queries)}");
      }
      this.knn = idx;
    }
    if (params.confidentThresholds) this.confidentThresholds = Float64Array.from(params.confidentThresholds);
    if (this.params.method === "gen" && this.params.adjustPredProbs) {
      this.warn("CAUTION: gen method with adjust_pred_probs=true is not recommended");
    }
  }

  /** Fit on features or pred_probs (+ labels) and return the scores of the fitted data. */
  async fitScore(input: { features?: FeatureMatrix; predProbs?: ProbMatrix; labels?: LabelsInput }): Promise<Float64Array> {
    const which = exactlyOne(input);
    if (which === "features") {
      if (this.knn) {
        this.warn("A KNN estimator has previously already been fit (params.knn); not refitting, scoring the given features with it instead");
        return this.score({ features: input.features! });
      }
      if (this.graph) {
        this.warn("the OutOfDistribution object is already fit on features; not refitting, scoring the given data instead");
        return this.score({ features: input.features! });
      }
      return this.fitFeatures(input.features!);
    }
    if (this.confidentThresholds && this.params.adjustPredProbs) {
      this.warn("confident thresholds are already fit; not refitting, scoring the given pred_probs instead");
      return this.score({ predProbs: input.predProbs! });
    }
    return this.fitPredProbs(input.predProbs!, input.labels);
  }

  /** Fit without returning scores. */
  async fit(input: { features?: FeatureMatrix; predProbs?: ProbMatrix; labels?: LabelsInput }): Promise<void> {
    await this.fitScore(input);
  }

  /** Scores of new data against the fitted state. */
  async score(input: { features?: FeatureMatrix; predProbs?: ProbMatrix }): Promise<Float64Array> {
    const which = exactlyOne(input);
    if (which === "features" && this.knn) return this.scoreWithIndex(this.knn, checkFeatures(input.features!));
    if (which === "features") {
      if (!this.graph || !this.trainFeatures || this.scalingFactor === undefined) {
        throw invalidInput("OutOfDistribution needs to be fit on features first; call fit/fitScore with features");
      }
      const x = checkFeatures(input.features!);
      const k = this.graph.k;
      const metric = this.graph.metric;
      const { distances } = await exactNeighbors(this.trainFeatures, x, k, metric);
      const avg = new Float64Array(x.rows);
      for (let i = 0; i < x.rows; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += distances[i * k + j]!;
        avg[i] = s / k;
      }
      return distanceToScore(avg, this.scalingFactor, this.params.t, metric);
    }
    const P = input.predProbs!;
    checkProbMatrix(P);
    if (this.params.adjustPredProbs && !this.confidentThresholds) {
      throw invalidInput("OutOfDistribution needs to be fit on pred_probs (with labels) first to adjust pred_probs");
    }
    return this.predScores(P, this.params.adjustPredProbs ? this.confidentThresholds : undefined);
  }

  /** OOD §2.3/§2.4: score with the user's index (fitted on these features if it is not yet). */
  private async scoreWithIndex(index: NeighborIndex, x: FeatureMatrix): Promise<Float64Array> {
    const max = index.nNeighbors;
    let k = this.params.k || max;
    if (k > max) {
      this.warn(`Chosen k=${k} cannot be greater than n_neighbors=${max} of the knn index; k changed to ${max}`);
      k = max;
    }
    if (!index.fitted) await index.fit(x);
    const { distances } = await index.kneighbors(x);
    if (distances.length !== x.rows * max) {
      throw invalidInput(`knn.kneighbors returned ${distances.length} distances; expected rows × nNeighbors = ${x.rows * max}`);
    }
    const avg = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += distances[i * max + j]!;
      avg[i] = s / k;
    }
    if (this.scalingFactor === undefined) this.scalingFactor = Math.max(median(avg), 100 * 2 ** -52);
    return distanceToScore(avg, this.scalingFactor, this.params.t, index.metric, index.p);
  }

  private async fitFeatures(features: FeatureMatrix): Promise<Float64Array> {
    const x = checkFeatures(features);
    const n = x.rows;
    if (this.params.k && this.params.k >= n) {
      throw invalidInput(`k cannot exceed the number of examples: k = ${this.params.k}, N = ${n}`, { k: this.params.k, rows: n });
    }
    if (n < 2) throw invalidInput("feature-based OOD scores need at least 2 examples");
    const k = this.params.k || Math.min(10, n - 1);
    const metric: GraphMetric = defaultMetric(x.cols);
    this.graph = await buildKnnGraph(x, { k, metric });
    this.trainFeatures = x;
    const avg = meanNeighborDistance(this.graph);
    if (this.scalingFactor === undefined) this.scalingFactor = Math.max(median(avg), 100 * 2 ** -52);
    return distanceToScore(avg, this.scalingFactor, this.params.t, metric);
  }

  private fitPredProbs(P: ProbMatrix, labels: LabelsInput | undefined): Float64Array {
    if (this.params.adjustPredProbs) {
      if (labels === undefined) throw invalidInput("Cannot calculate adjust_pred_probs without labels");
      const c = checkInputs(labels, P);
      this.confidentThresholds = thresholdsOf(c);
      return this.predScores(P, this.confidentThresholds);
    }
    checkProbMatrix(P);
    if (labels !== undefined) this.warn("labels are not needed when adjust_pred_probs is false; they are ignored");
    const scores = this.predScores(P, undefined);
    this.warn("no fitting was needed: adjust_pred_probs is false, so no thresholds were stored");
    return scores;
  }

  private predScores(P: ProbMatrix, thresholds: Float64Array | undefined): Float64Array {
    const { rows: n, cols: K } = P;
    let Q: ArrayLike<number> = P.data;
    if (thresholds) {
      if (thresholds.length !== K) throw invalidInput(`the fitted thresholds have ${thresholds.length} classes but pred_probs has ${K} columns`);
      Q = adjustedProbs({ y: new Int32Array(n), P: P.data, n, K, f32: false, counts: new Float64Array(K) }, thresholds);
    }
    const out = new Float64Array(n);
    const method = this.params.method;
    if (method === "entropy") {
      const lnK = Math.log(K);
      for (let i = 0; i < n; i++) {
        let h = 0;
        for (let k = 0; k < K; k++) {
          const p = Q[i * K + k]!;
          if (!(p >= 0 && p <= 1)) throw invalidInput(`probability [${i}][${k}] = ${p} is outside [0, 1]; entropy needs valid probabilities`);
          if (p > 0) h -= p * Math.log(p);
        }
        out[i] = 1 - h / lnK;
      }
    } else if (method === "least_confidence") {
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, Q[i * K + k]!);
        out[i] = m;
      }
    } else {
      const { M, gamma } = this.params;
      if (K < M) this.warn(`GEN: M = ${M} is larger than the number of classes ${K}; using all ${K}`);
      const keep = Math.min(M, K);
      const z = new Float64Array(K);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          z[k] = Math.exp(Q[i * K + k]!);
          s += z[k]!;
        }
        for (let k = 0; k < K; k++) z[k]! /= s;
        z.sort();
        let acc = 0;
        for (let k = K - keep; k < K; k++) acc += z[k]! ** gamma * (1 - z[k]!) ** gamma;
        out[i] = 1 - acc / M;
      }
    }
    return out;
  }
}

function exactlyOne(input: { features?: unknown; predProbs?: unknown }): "features" | "predProbs" {
  const f = input.features !== undefined && input.features !== null;
  const p = input.predProbs !== undefined && input.predProbs !== null;
  if (f === p) throw invalidInput("give exactly one of features or pred_probs");
  return f ? "features" : "predProbs";
}

function checkFeatures(x: FeatureMatrix): FeatureMatrix {
  if (!x || typeof x !== "object" || !("data" in x) || !Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.cols < 1 || x.data.length !== x.rows * x.cols) {
    throw invalidInput("features must be a 2-D N×M matrix {rows, cols, data}");
  }
  return x;
}

function toF32(x: FeatureMatrix): { rows: number; cols: number; data: Float32Array } {
  return { rows: x.rows, cols: x.cols, data: x.data instanceof Float32Array ? x.data : Float32Array.from(x.data) };
}

function pairDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number, metric: GraphMetric): number {
  if (metric === "euclidean") {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = a[i * d + c]! - b[j * d + c]!;
      s += t * t;
    }
    return Math.sqrt(s);
  }
  let na = 0;
  let nb = 0;
  for (let c = 0; c < d; c++) {
    na += a[i * d + c]! ** 2;
    nb += b[j * d + c]! ** 2;
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  let dot = 0;
  for (let c = 0; c < d; c++) dot += (na === 0 ? 0 : a[i * d + c]! / na) * (nb === 0 ? 0 : b[j * d + c]! / nb);
  return Math.min(Math.max(1 - dot, 0), 2);
}
