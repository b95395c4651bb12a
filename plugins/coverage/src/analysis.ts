import type { Float32Matrix, KnnGraph } from "@assay/core";
import { gram, type HnswOptions, knnQuery, type NnDescentOptions, median, pca, selectRows, singularValues, tallSkinnyR } from "@assay/math";
import {
  adaptiveFromRadii,
  checkEmbeddings,
  checkPercent,
  criticalValueRadii,
  GRAPH_BAND,
  invalidInput,
  invalidOption,
  naiveFromRadii,
  unitRescale,
  type CoverageResult,
  type Embeddings,
} from "./coverage.js";

/** Options of {@link coverageAnalysis} (DataEval `Coverage` defaults). */
export interface CoverageAnalysisOptions {
  /** Global sample-level pass: `adaptive` (default) or `naive`. */
  method?: "naive" | "adaptive";
  /** k of the critical value radius (default 20). */
  numObservations?: number;
  /** Adaptive only: share of samples flagged (default 0.01). */
  percent?: number;
  /** Class size needed for dispersion, isotropy and near-duplicates (default 20). */
  minClassSamples?: number;
  /** Extra floor for isotropy (default: embedding columns + 1). */
  isotropyMinSamples?: number | null;
  /** A pair is a near-duplicate below this × the class's median pair distance (default 0.5). */
  nearDuplicateFactor?: number;
  /** Project onto this many principal components (fit once on all rows) first (default: none). */
  pca?: number | null;
  /**
   * Neighbour search: `exact` (default) or `approximate` (NN-descent graph with exact final distances;
   * HNSW for the class-wise near-duplicate fallback; the result says `approximate: true`).
   */
  search?: "exact" | "approximate";
  /** NN-descent parameters for `search: "approximate"`. */
  nndescent?: NnDescentOptions;
  /** HNSW parameters for `search: "approximate"` (class-wise near-duplicate fallback). */
  hnsw?: HnswOptions;
  /** Class names by id (default: the decimal id). */
  classNames?: readonly string[] | ReadonlyMap<number, string>;
  /** A euclidean kNN graph over the same rows (ignored with `pca`): the global pass reuses it. */
  knnGraph?: KnnGraph;
  signal?: AbortSignal;
}

/** One class of the coverage table. Unassessable classes have null signals. */
export interface CoverageClassRow {
  class: string;
  id: number;
  count: number;
  /** The class's samples among the global uncovered samples. */
  uncovered: number;
  uncoveredFraction: number;
  /** Mean distance to the class centroid, divided by the median of that over assessable classes. */
  dispersion: number | null;
  /** Effective dimension of the covariance spectrum / numerical rank (1 = isotropic). */
  isotropy: number | null;
  /** Share of nearest-neighbour pairs closer than factor × the class's median pair distance. */
  nearDuplicateFraction: number | null;
  assessable: boolean;
  /** Dataset rows of the class. */
  indices: Int32Array;
  /** Rows in near-duplicate pairs (ascending). */
  nearDuplicateIndices: Int32Array;
}

/** Output of {@link coverageAnalysis}: the per-class table plus the global pass. */
export interface CoverageAnalysis extends CoverageResult {
  /** Rows: assessable by dispersion ascending, then unassessable; ties by class name. */
  rows: CoverageClassRow[];
  method: "naive" | "adaptive";
  numObservations: number;
  percent: number;
  /** Columns the analysis ran on (after PCA). */
  dims: number;
  pcaComponents: number | null;
  /** Whether the global pass min–max rescaled the data. */
  rescaled: boolean;
}

function checkInt(value: number, name: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw invalidOption(`${name} is ${value}; it must be an integer ≥ ${min}`, name);
  return value;
}

/**
 * DataEval's `Coverage` evaluator: one global coverage pass (forced min–max rescale, on a virtual
 * copy) plus per-class dispersion, isotropy and near-duplicate fraction on the un-rescaled embeddings.
 * `labels[i] < 0` rows take part in the global pass but belong to no class.
 * @throws AssayError `INVALID_INPUT` (shape, NaN, n ≤ k, labels/rows mismatch), `INVALID_OPTION`.
 */
export async function coverageAnalysis(embeddings: Embeddings, labels: ArrayLike<number>, options: CoverageAnalysisOptions = {}): Promise<CoverageAnalysis> {
  const method = options.method ?? "adaptive";
  if (method !== "naive" && method !== "adaptive") throw invalidOption(`method is "${String(method)}"; it must be "naive" or "adaptive"`, "method");
  const k = checkInt(options.numObservations ?? 20, "numObservations");
  const percent = options.percent ?? 0.01;
  checkPercent(percent);
  const minClassSamples = checkInt(options.minClassSamples ?? 20, "minClassSamples");
  const isoMin = options.isotropyMinSamples ?? null;
  if (isoMin !== null) checkInt(isoMin, "isotropyMinSamples");
  const factor = options.nearDuplicateFactor ?? 0.5;
  if (!Number.isFinite(factor) || factor <= 0) throw invalidOption(`nearDuplicateFactor is ${factor}; it must be > 0`, "nearDuplicateFactor");
  checkEmbeddings(embeddings);
  if (labels.length !== embeddings.rows) {
    throw invalidInput(`Got ${embeddings.rows} embeddings for ${labels.length} labels; coverage needs one embedding row per label`, { embeddings: embeddings.rows, labels: labels.length });
  }
  if (embeddings.rows <= k) {
    throw invalidInput(`Length of embeddings (${embeddings.rows}) is less than or equal to the specified number of observations (${k}).`, { rows: embeddings.rows, k });
  }

  let emb: Embeddings = embeddings;
  let pcaComponents: number | null = null;
  if (options.pca !== undefined && options.pca !== null) {
    pcaComponents = checkInt(options.pca, "pca");
    const f32 = embeddings.data instanceof Float32Array ? (embeddings as Float32Matrix) : { rows: embeddings.rows, cols: embeddings.cols, data: Float32Array.from(embeddings.data) };
    emb = pca(f32, { components: pcaComponents }).projected;
  }
  const n = emb.rows;
  const d = emb.cols;

  const t = unitRescale(emb, true);
  const graph = pcaComponents === null ? options.knnGraph : undefined;
  const { radii, approximate, graph: globalGraph } = await criticalValueRadii(emb, k, t, {
    ...(graph ? { knnGraph: graph } : {}),
    search: options.search ?? "exact",
    ...(options.nndescent ? { nndescent: options.nndescent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const global = method === "naive" ? naiveFromRadii(radii, d, k, approximate) : adaptiveFromRadii(radii, percent, approximate);

  // Group rows by class id (ascending ids).
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c)) throw invalidInput(`label ${c} at row ${i} is not an integer`, { row: i });
    if (c < 0) continue;
    let list = members.get(c);
    if (!list) members.set(c, (list = []));
    list.push(i);
  }
  const isUncovered = new Uint8Array(n);
  for (const i of global.uncoveredIndices) isUncovered[i] = 1;
  const nameOf = (c: number) => {
    const names = options.classNames;
    const name = names === undefined ? undefined : names instanceof Map ? names.get(c) : (names as readonly string[])[c];
    return name ?? String(c);
  };

  const isoFloor = Math.max(minClassSamples, isoMin ?? d + 1);
  const scratch = new Int32Array(n);
  const spreads = new Map<number, number>();
  const rows: CoverageClassRow[] = [];
  for (const c of [...members.keys()].sort((a, b) => a - b)) {
    options.signal?.throwIfAborted();
    const idx = Int32Array.from(members.get(c)!);
    const count = idx.length;
    let uncovered = 0;
    for (const i of idx) uncovered += isUncovered[i]!;
    const assessable = count >= minClassSamples;
    let isotropy: number | null = null;
    let nearDuplicateFraction: number | null = null;
    let nearDuplicateIndices: Int32Array = new Int32Array(0);
    if (assessable) {
      spreads.set(c, classSpread(emb, idx));
      if (count >= isoFloor) isotropy = classIsotropy(emb, idx);
      if (count >= 2) {
        const nd = await nearDuplicates(emb, idx, factor, options.search ?? "exact", { graph: globalGraph, labels, scratch });
        nearDuplicateFraction = nd.fraction;
        nearDuplicateIndices = nd.indices;
      }
    }
    rows.push({ class: nameOf(c), id: c, count, uncovered, uncoveredFraction: uncovered / count, dispersion: null, isotropy, nearDuplicateFraction, assessable, indices: idx, nearDuplicateIndices });
  }
  let ref = spreads.size === 0 ? 1 : median([...spreads.values()]);
  if (!(ref > 0)) ref = 1;
  for (const row of rows) if (row.assessable) row.dispersion = spreads.get(row.id)! / ref;
  rows.sort((a, b) => Number(!a.assessable) - Number(!b.assessable) || (a.dispersion ?? 0) - (b.dispersion ?? 0) || compareNames(a.class, b.class));

  return { ...global, rows, method, numObservations: k, percent, dims: d, pcaComponents, rescaled: t.rescaled };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Column means of the selected rows (float64). */
function classMean(emb: Embeddings, idx: Int32Array): Float64Array {
  const { cols, data } = emb;
  const mu = new Float64Array(cols);
  for (const i of idx) for (let j = 0; j < cols; j++) mu[j]! += data[i * cols + j]!;
  for (let j = 0; j < cols; j++) mu[j]! /= idx.length;
  return mu;
}

/** Mean euclidean distance of the class's rows to their centroid. */
function classSpread(emb: Embeddings, idx: Int32Array): number {
  const { cols, data } = emb;
  const mu = classMean(emb, idx);
  let total = 0;
  for (const i of idx) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const diff = data[i * cols + j]! - mu[j]!;
      s += diff * diff;
    }
    total += Math.sqrt(s);
  }
  return total / idx.length;
}

/**
 * exp(entropy of the normalised covariance spectrum) / numerical rank of the uncentred rows.
 * Zero eigenvalues are skipped (0·ln 0 = 0); null when every row is identical or the rank is 0.
 * Classes of ≥ {@link SCATTER_MIN_ROWS} rows use the float64 scatter matrix when their rank is
 * unambiguous ({@link scatterIsotropy}), else (and for smaller classes) {@link qrIsotropy}.
 */
export function classIsotropy(emb: Embeddings, idx: Int32Array): number | null {
  const { cols: d, data } = emb;
  const n = idx.length;
  if (n >= SCATTER_MIN_ROWS && n > d) {
    const fast = scatterIsotropy(emb, idx);
    if (fast !== undefined) return fast;
  }
  return qrIsotropy(emb, idx);
}

/** {@link classIsotropy} by the Householder QR of `[1 | X]` and SVDs of its R blocks (exact path, any size). */
export function qrIsotropy(emb: Embeddings, idx: Int32Array): number | null {
  const { cols: d, data } = emb;
  const n = idx.length;
  // One tall-skinny QR of [1 | X]: R = [[r11, r12], [0, R22]]. R22 is the R factor of the centred rows
  // (the part of X orthogonal to the ones column), and R[:, 1:] has the singular values of X itself.
  const { r, rows } = tallSkinnyR(n, d + 1, (i, out) => {
    const o = idx[i]! * d;
    out[0] = 1;
    for (let j = 0; j < d; j++) out[j + 1] = data[o + j]!;
  });
  const p = d + 1;
  const rawPart = new Float64Array(rows * d);
  for (let x = 0; x < rows; x++) for (let c = 0; c < d; c++) rawPart[x * d + c] = r[x * p + c + 1]!;
  const centredRows = Math.max(0, rows - 1);
  const centredPart = new Float64Array(centredRows * d);
  for (let x = 0; x < centredRows; x++) for (let c = 0; c < d; c++) centredPart[x * d + c] = r[(x + 1) * p + c + 1]!;
  const raw = singularValues(rawPart, rows, d);
  const centred = singularValues(centredPart, centredRows, d);
  let total = 0;
  for (const s of centred) total += (s * s) / (n - 1);
  if (!(total > 0)) return null;
  let h = 0;
  for (const s of centred) {
    const q = (s * s) / (n - 1) / total;
    if (q > 0) h -= q * Math.log(q);
  }
  const tol = (raw[0] ?? 0) * Math.max(n, d) * 2.220446049250313e-16;
  let rank = 0;
  for (const s of raw) if (s > tol) rank++;
  if (rank === 0) return null;
  return Math.exp(h) / rank;
}

/** Classes at least this large try the float64 scatter-matrix path of {@link classIsotropy} first. */
export const SCATTER_MIN_ROWS = 4096;
/** λ_min/λ_max of XᵀX above which the scatter path declares full column rank (see {@link scatterIsotropy}). */
const FULL_RANK_RATIO = 1e-8;

/**
 * Isotropy of a large class from the float64 centred scatter matrix C = Σ(x − μ)(x − μ)ᵀ (one pass of
 * n·d²/2 multiply-adds instead of a Householder QR's 2·n·d²): D_eff from the eigenvalues of C (the
 * spec allows covariance eigenvalues for D_eff, negative round-off clamped to 0) and the rank from
 * XᵀX = C + n·μμᵀ — but only when that rank is unambiguous: λ_min(XᵀX) > 10⁻⁸·λ_max means
 * σ_min/σ_max > 10⁻⁴, far above both the rank tolerance max(n, d)·ε and the scatter's rounding
 * (≈ d·ε·λ_max), so the SVD of X would count all d columns too. Otherwise returns undefined and the
 * caller takes the exact QR path.
 */
export function scatterIsotropy(emb: Embeddings, idx: Int32Array): number | null | undefined {
  const d = emb.cols;
  const n = idx.length;
  const sample = gram(emb, { rows: idx, center: true });
  const mean = sample.center!;
  const scatter = sample.data;
  const raw = new Float64Array(scatter);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) raw[a * d + b]! += n * mean[a]! * mean[b]!;
  // Singular values of a symmetric PSD matrix = its eigenvalues.
  const lamRaw = singularValues(raw, d, d);
  let lo = Infinity;
  let hi = 0;
  for (const v of lamRaw) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > 0) || lamRaw.length < d || !(lo > FULL_RANK_RATIO * hi)) return undefined;
  const lam = singularValues(scatter, d, d);
  let total = 0;
  for (const v of lam) total += Math.max(0, v) / (n - 1);
  if (!(total > 0)) return null;
  let h = 0;
  for (const v of lam) {
    const q = Math.max(0, v) / (n - 1) / total;
    if (q > 0) h -= q * Math.log(q);
  }
  return Math.exp(h) / d;
}

/** Where each class's rows are found in a global kNN graph (lets {@link nearDuplicates} reuse it). */
export interface GraphContext {
  graph: KnnGraph;
  /** Class id of every row (as passed to {@link coverageAnalysis}). */
  labels: ArrayLike<number>;
  /** Scratch of one int32 per embedding row, reused across classes (allocated per call when absent). */
  scratch?: Int32Array;
}

/**
 * Near-duplicate fraction of one class: each row's nearest other row of the class (ties → lowest
 * index) gives an unordered pair (kept once); the fraction of pairs closer than `factor` × the median
 * pair distance (exactly 0 when that median is 0). With `context`, candidates come from the global
 * graph (exact when the graph is exact: a row's nearest class-mate is in its global list whenever any
 * class-mate is); rows with no class-mate in their list, or no context, are searched within the class.
 */
export async function nearDuplicates(
  emb: Embeddings,
  idx: Int32Array,
  factor: number,
  search: "exact" | "approximate" = "exact",
  context?: GraphContext,
): Promise<{ fraction: number; indices: Int32Array }> {
  const n = idx.length;
  const { cols, data } = emb;
  const exact = (a: number, b: number) => {
    let s = 0;
    const oa = idx[a]! * cols;
    const ob = idx[b]! * cols;
    for (let j = 0; j < cols; j++) {
      const diff = data[oa + j]! - data[ob + j]!;
      s += diff * diff;
    }
    return Math.sqrt(s);
  };
  const nearest = new Int32Array(n).fill(-1);
  const nearestD = new Float64Array(n).fill(Infinity);
  const offer = (i: number, j: number) => {
    if (j === i || j < 0) return;
    const dj = exact(i, j);
    if (dj < nearestD[i]! || (dj === nearestD[i]! && j < nearest[i]!)) {
      nearest[i] = j;
      nearestD[i] = dj;
    }
  };
  if (context) {
    const { graph, labels } = context;
    const c = labels[idx[0]!]!;
    const local = context.scratch ?? new Int32Array(emb.rows);
    idx.forEach((g, l) => (local[g] = l));
    for (let i = 0; i < n; i++) {
      const row = idx[i]!;
      // Only class-mates listed within GRAPH_BAND of the nearest listed class-mate can be the nearest.
      let best = Infinity;
      for (let q = 0; q < graph.k; q++) {
        const g = graph.indices[row * graph.k + q]!;
        if (g >= 0 && g !== row && labels[g] === c && graph.distances[row * graph.k + q]! < best) best = graph.distances[row * graph.k + q]!;
      }
      const hi = best * (1 + GRAPH_BAND);
      for (let q = 0; q < graph.k; q++) {
        const g = graph.indices[row * graph.k + q]!;
        if (g >= 0 && labels[g] === c && graph.distances[row * graph.k + q]! <= hi) offer(i, local[g]!);
      }
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (nearest[i]! < 0) missing.push(i);
  if (missing.length > 0) {
    const f32 = data instanceof Float32Array ? (emb as Float32Matrix) : { rows: emb.rows, cols, data: Float32Array.from(data) };
    const sub = selectRows(f32, idx);
    const kk = Math.min(n, 5);
    const graph = await knnQuery(sub, selectRows(sub, missing), { k: kk, method: search === "approximate" ? "hnsw" : "exact" });
    missing.forEach((i, m) => {
      for (let q = 0; q < kk; q++) offer(i, graph.indices[m * kk + q]!);
    });
  }
  // Each row's pair {i, nearest[i]}, once: a pair comes up twice only when the two rows are each
  // other's nearest, and then it is kept at the lower row.
  const pairA: number[] = [];
  const pairB: number[] = [];
  const dist: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = nearest[i]!;
    if (j < i && nearest[j] === i) continue;
    pairA.push(Math.min(i, j));
    pairB.push(Math.max(i, j));
    dist.push(nearestD[i]!);
  }
  const med = median(dist);
  const flagged = new Set<number>();
  let hits = 0;
  for (let p = 0; p < dist.length; p++) {
    if (med === 0 ? dist[p] === 0 : dist[p]! < factor * med) {
      hits++;
      flagged.add(idx[pairA[p]!]!);
      flagged.add(idx[pairB[p]!]!);
    }
  }
  return { fraction: hits / dist.length, indices: Int32Array.from([...flagged].sort((x, y) => x - y)) };
}
