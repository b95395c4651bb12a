import { AssayError, type Float32Matrix, type KnnGraph } from "@assay/core";
import { type HnswOptions, knn, lnGammaHalfInteger, type NnDescentOptions } from "@assay/math";

const PLUGIN = "@assay/coverage";

/** A dense row-major float64 matrix (same layout as {@link Float32Matrix}). */
export interface Float64Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Embeddings accepted by the coverage functions. */
export type Embeddings = Float32Matrix | Float64Matrix;

/** The sample-level coverage pass. */
export interface CoverageResult {
  /** Uncovered samples: naive → ascending; adaptive → by radius descending (ties: higher index first). */
  uncoveredIndices: Int32Array;
  /** Per sample, the distance to its k-th nearest other sample on the (rescaled) data, rounded to float32. */
  criticalValueRadii: Float32Array;
  /** The naive radius (float64), or the adaptive threshold (float32 value). */
  coverageRadius: number;
  /** True when the neighbours came from an approximate (HNSW) graph. */
  approximate: boolean;
}

/** Options shared by {@link coverageNaive} and {@link coverageAdaptive}. */
export interface CoverageOptions {
  /** Rescale data outside [0, 1] with one global min–max (default false: such data is an error). */
  forceUnitInterval?: boolean;
  /**
   * A kNN graph over these rows (euclidean, at least k neighbours besides self), e.g. the shared `knn`
   * artifact. Distances are recomputed exactly from it. Without one, an exact search runs.
   */
  knnGraph?: KnnGraph;
  /** Neighbour search when no graph is given: `exact` (default) or `approximate` (NN-descent graph). */
  search?: "exact" | "approximate";
  /** NN-descent parameters of the approximate graph (see `@assay/math` `NnDescentOptions`). */
  nndescent?: NnDescentOptions;
  /** HNSW parameters of approximate searches for new points (the class-wise near-duplicate fallback). */
  hnsw?: HnswOptions;
  signal?: AbortSignal;
}

/** Invalid input for the coverage lens. */
export function invalidInput(message: string, details: Record<string, unknown> = {}): AssayError {
  return new AssayError("INVALID_INPUT", message, { plugin: PLUGIN, details });
}

/** Invalid option for the coverage lens. */
export function invalidOption(message: string, option: string): AssayError {
  return new AssayError("INVALID_OPTION", message, { plugin: PLUGIN, details: { options: [option] } });
}

/** Check shape and finiteness of an embeddings matrix (naming the first bad row and column). */
export function checkEmbeddings(emb: Embeddings, name = "embeddings"): void {
  if (!emb || typeof emb !== "object" || !Number.isInteger(emb.rows) || !Number.isInteger(emb.cols) || !ArrayBuffer.isView(emb.data)) {
    throw invalidInput(`${name} must be a 2-D matrix { rows, cols, data }`);
  }
  if (emb.rows < 1 || emb.cols < 1) throw invalidInput(`${name} has shape ${emb.rows}×${emb.cols}; expected 2 dimensions, both ≥ 1`, { rows: emb.rows, cols: emb.cols });
  if (emb.data.length !== emb.rows * emb.cols) throw invalidInput(`${name}.data has ${emb.data.length} values; ${emb.rows}×${emb.cols} needs ${emb.rows * emb.cols}`);
  const { data, cols } = emb;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      const row = Math.floor(i / cols);
      throw invalidInput(`${name} row ${row}, column ${i - row * cols} is ${data[i]}; embeddings must be finite`, { row, col: i - row * cols });
    }
  }
}

/** The affine map `x ↦ (x − min) / scale` that brings data into [0, 1] (identity when already inside). */
export interface UnitRescale {
  readonly min: number;
  readonly scale: number;
  readonly rescaled: boolean;
}

/** Decide the unit-interval rescale: identity when every value is in [0, 1]; else one global min–max, or an error. */
export function unitRescale(emb: Embeddings, force: boolean): UnitRescale {
  let lo = Infinity;
  let hi = -Infinity;
  const data = emb.data;
  // An indexed loop: a typed array's iterator is ~3× slower in a one-off pass over a million rows.
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return { min: 0, scale: 1, rescaled: false };
  if (!force) throw invalidInput("Embeddings must be unit interval [0, 1].", { min: lo, max: hi });
  if (hi === lo) throw invalidInput(`embeddings are constant (${lo}) outside [0, 1]; they cannot be rescaled`, { value: lo });
  return { min: lo, scale: hi - lo, rescaled: true };
}

function checkK(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw invalidOption(`numObservations (k) is ${k}; it must be an integer ≥ 1`, "numObservations");
  if (n <= k) {
    throw invalidInput(`Length of embeddings (${n}) is less than or equal to the specified number of observations (${k}).`, { rows: n, k });
  }
}

/** The matrix as float32 (no copy when it already is). */
export function asFloat32(emb: Embeddings): Float32Matrix {
  return emb.data instanceof Float32Array ? (emb as Float32Matrix) : { rows: emb.rows, cols: emb.cols, data: Float32Array.from(emb.data) };
}

/**
 * Euclidean distance between rows a and b after the rescale, in float64: the raw distance divided by
 * the scale (equal to the distance of the rescaled rows up to one rounding; the result is rounded to
 * float32 anyway).
 */
function rescaledDistance(emb: Embeddings, t: UnitRescale, a: number, b: number): number {
  const { cols, data } = emb;
  let s = 0;
  const oa = a * cols;
  const ob = b * cols;
  for (let j = 0; j < cols; j++) {
    const diff = data[oa + j]! - data[ob + j]!;
    s += diff * diff;
  }
  return t.rescaled ? Math.sqrt(s) / t.scale : Math.sqrt(s);
}

/**
 * Critical value radius of every sample: the k-th smallest exact distance to the other samples on the
 * rescaled data, rounded to float32. Neighbour candidates come from `graph` (or an exact search).
 */
export async function criticalValueRadii(
  emb: Embeddings,
  k: number,
  t: UnitRescale,
  o: Pick<CoverageOptions, "knnGraph" | "search" | "nndescent" | "signal"> = {},
): Promise<{ radii: Float32Array; approximate: boolean; graph: KnnGraph }> {
  const n = emb.rows;
  let graph = o.knnGraph;
  if (graph) {
    const usable = graph.rows === n && graph.metric === "euclidean" && graph.k - (graph.includesSelf ? 1 : 0) >= k;
    if (!usable) throw invalidInput(`the kNN graph (rows ${graph.rows}, k ${graph.k}, ${graph.metric}) cannot serve k = ${k} on ${n} euclidean rows`, { k });
  } else {
    graph = await knn(asFloat32(emb), {
      k,
      method: o.search === "approximate" ? "nndescent" : "exact",
      ...(o.nndescent ? { nndescent: o.nndescent } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }
  const radii = new Float32Array(n);
  const K = graph.k;
  const listed = new Float64Array(K);
  const ids = new Int32Array(K);
  const band = new Float64Array(K);
  const order = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let q = 0; q < K; q++) {
      const j = graph.indices[i * K + q]!;
      if (j === i || j < 0) continue;
      ids[m] = j;
      listed[m++] = graph.distances[i * K + q]!;
    }
    if (m < k) throw invalidInput(`the kNN graph lists only ${m} neighbours for row ${i}; ${k} are needed`, { row: i });
    // Only rows listed within GRAPH_BAND of the k-th listed distance can be the k-th nearest: those are
    // measured exactly; every row listed below that band is nearer than all of them.
    order.set(listed.subarray(0, m));
    const kth = order.subarray(0, m).sort()[k - 1]!;
    const lo = kth * (1 - GRAPH_BAND);
    const hi = kth * (1 + GRAPH_BAND);
    let below = 0;
    let b = 0;
    for (let c = 0; c < m; c++) {
      const v = listed[c]!;
      if (v < lo) below++;
      else if (v <= hi) band[b++] = rescaledDistance(emb, t, i, ids[c]!);
    }
    radii[i] = Math.fround(band.subarray(0, b).sort()[k - 1 - below]!);
  }
  return { radii, approximate: graph.method !== "exact", graph };
}

/**
 * Relative half-width of the band of listed graph distances that are re-measured exactly. A listed
 * distance must be within 10⁻⁵ (relative) of the exact one: every @assay/math graph lists exact float64
 * distances rounded to float32 (≤ 2⁻²⁴ ≈ 6·10⁻⁸), and hnswlib's own float32 sums without the re-rank
 * stay within d·2⁻²⁴ (≤ 10⁻⁵ up to 160 columns; typically far less). Then a row listed below
 * kth·(1 − 10⁻⁴) is nearer than every row listed in the band, and one listed above kth·(1 + 10⁻⁴) is
 * farther, so only the order inside the band is uncertain, and the band is measured exactly.
 */
export const GRAPH_BAND = 1e-4;

/**
 * Radius of a d-ball holding k of n points spread uniformly over the unit cube:
 * `(1/√π)·(2k·Γ(d/2 + 1)/n)^(1/d)`, computed in log space (finite for any d).
 */
export function naiveRadius(n: number, d: number, k: number): number {
  if (d === 1) return k / n;
  if (d === 2) return Math.sqrt((2 * k) / (n * Math.PI));
  return Math.exp((Math.log(2 * k) + lnGammaHalfInteger(d / 2 + 1) - Math.log(n)) / d) / Math.sqrt(Math.PI);
}

/**
 * Naive coverage (Ting et al. 2021; DataEval `coverage_naive`): a sample is uncovered when fewer than
 * k other samples lie within the naive radius, i.e. `fround(ρ_i) > fround(r)`.
 * @throws AssayError `INVALID_INPUT` for a bad shape, NaN, data outside [0, 1] without `forceUnitInterval`, or n ≤ k.
 */
export async function coverageNaive(emb: Embeddings, k: number, o: CoverageOptions = {}): Promise<CoverageResult> {
  checkEmbeddings(emb);
  checkK(emb.rows, k);
  const t = unitRescale(emb, o.forceUnitInterval ?? false);
  const { radii, approximate } = await criticalValueRadii(emb, k, t, o);
  return naiveFromRadii(radii, emb.cols, k, approximate);
}

/** The naive decision on precomputed radii. */
export function naiveFromRadii(radii: Float32Array, d: number, k: number, approximate = false): CoverageResult {
  const r = naiveRadius(radii.length, d, k);
  const r32 = Math.fround(r);
  const out: number[] = [];
  for (let i = 0; i < radii.length; i++) if (radii[i]! > r32) out.push(i);
  return { uncoveredIndices: Int32Array.from(out), criticalValueRadii: radii, coverageRadius: r, approximate };
}

/**
 * Adaptive coverage (DataEval `coverage_adaptive`): the `trunc(max(n·percent, 1))` samples with the
 * largest radii, by radius descending (ties: higher index first); the radius is the float32 mean of
 * the s-th and (s+1)-th largest radii (the smallest radius when s = n).
 * @throws AssayError as {@link coverageNaive}, and `INVALID_OPTION` for percent outside [0, 1].
 */
export async function coverageAdaptive(emb: Embeddings, k: number, percent: number, o: CoverageOptions = {}): Promise<CoverageResult> {
  checkPercent(percent);
  checkEmbeddings(emb);
  checkK(emb.rows, k);
  const t = unitRescale(emb, o.forceUnitInterval ?? false);
  const { radii, approximate } = await criticalValueRadii(emb, k, t, o);
  return adaptiveFromRadii(radii, percent, approximate);
}

/** Check the adaptive `percent` option. */
export function checkPercent(percent: number): void {
  if (!Number.isFinite(percent) || percent < 0 || percent > 1) throw invalidOption(`percent is ${percent}; it must lie in [0, 1]`, "percent");
}

/** The adaptive decision on precomputed radii. */
export function adaptiveFromRadii(radii: Float32Array, percent: number, approximate = false): CoverageResult {
  const n = radii.length;
  const s = Math.trunc(Math.max(n * percent, 1));
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => radii[b]! - radii[a]! || b - a);
  const uncoveredIndices = order.slice(0, s);
  const coverageRadius = s >= n ? radii[order[n - 1]!]! : Math.fround(Math.fround(radii[order[s - 1]!]! + radii[order[s]!]!) / 2);
  return { uncoveredIndices, criticalValueRadii: radii, coverageRadius, approximate };
}
