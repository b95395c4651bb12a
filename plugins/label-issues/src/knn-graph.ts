import { correctExactDuplicates, defaultKnnMetric, knn } from "@assay/math";
import { invalidInput } from "./errors.js";

/** Feature vectors, N rows × d columns, row-major. Float64 data keeps full precision. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** The two metrics cleanlab's default rule chooses between. */
export type GraphMetric = "euclidean" | "cosine";

/**
 * k nearest other examples of every row, nearest first: `indices[i*k + j]`, `distances[i*k + j]`.
 * Structurally compatible with core's `KnnGraph` (which stores float32 distances).
 */
export interface NeighborGraph {
  readonly rows: number;
  readonly k: number;
  readonly metric: GraphMetric;
  readonly indices: Int32Array;
  readonly distances: Float32Array | Float64Array;
  /** How the candidate search ran (exact brute force, or approximate NN-descent / HNSW). */
  readonly method?: "exact" | "nndescent" | "hnsw";
}

/** cleanlab's default metric rule: more than 3 feature columns → cosine, otherwise Euclidean (@assay/math `defaultKnnMetric`). */
export const defaultMetric: (cols: number) => GraphMetric = defaultKnnMetric;

/** Options of {@link buildKnnGraph}. */
export interface BuildKnnGraphOptions {
  /** Neighbours per row (must be < N). */
  k: number;
  /** Default: {@link defaultMetric}. */
  metric?: GraphMetric;
  /** Apply cleanlab's exact-duplicate correction (default true). */
  correctDuplicates?: boolean;
  /** Neighbour search method of @assay/math (`"auto"` by default). */
  method?: "exact" | "nndescent" | "hnsw" | "auto";
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const EXTRA_CANDIDATES = 8;

/**
 * The k-nearest-neighbour graph cleanlab's OutOfDistribution and Datalab build: self excluded, nearest
 * first with ties by index, distances recomputed in float64 from the features as given (Euclidean, or
 * 1 − cos as scikit-learn computes it), then the exact-duplicate correction (OOD §2.1 step 4, @assay/math
 * `correctExactDuplicates`). The candidate search runs on @assay/math's `knn`. Pipelines use the shared
 * `knn-graph` extractor of @assay/math instead (same construction on float32 embeddings).
 */
export async function buildKnnGraph(features: FeatureMatrix, options: BuildKnnGraphOptions): Promise<NeighborGraph> {
  const { rows: n, cols: d, data } = features;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1 || data.length !== n * d) {
    throw invalidInput(`features must be a 2-D N×M matrix (got ${n}×${d} with ${data?.length} values)`, { rows: n, cols: d });
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw invalidInput(`features[${Math.floor(i / d)}][${i % d}] is ${data[i]}; features must be finite`, { row: Math.floor(i / d), col: i % d });
    }
  }
  const k = options.k;
  if (!Number.isInteger(k) || k < 1) throw invalidInput(`k must be an integer ≥ 1 (got ${k})`, { k });
  if (k >= n) throw invalidInput(`k cannot exceed the number of examples: k = ${k} needs at least ${k + 1} rows, got ${n}`, { k, rows: n });
  const metric = options.metric ?? defaultMetric(d);
  const cand = Math.min(k + EXTRA_CANDIDATES, n - 1);
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  const g = await knn(
    { rows: n, cols: d, data: f32 },
    {
      k: cand,
      metric,
      method: options.method ?? "auto",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
  );
  const unit = metric === "cosine" ? unitRows(data, n, d) : undefined;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const cj = new Int32Array(cand);
  const cd = new Float64Array(cand);
  const order = Array.from({ length: cand }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cand; j++) {
      const o = g.indices[i * cand + j]!;
      cj[j] = o;
      cd[j] = unit ? cosineDistance(unit, i, o, d) : euclidean(data, i, o, d);
      order[j] = j;
    }
    order.sort((a, b) => cd[a]! - cd[b]! || cj[a]! - cj[b]!);
    for (let j = 0; j < k; j++) {
      indices[i * k + j] = cj[order[j]!]!;
      distances[i * k + j] = cd[order[j]!]!;
    }
  }
  const graph: NeighborGraph = { rows: n, k, metric, indices, distances, method: g.method };
  if (options.correctDuplicates ?? true) correctExactDuplicates(graph, features);
  return graph;
}

function euclidean(x: ArrayLike<number>, a: number, b: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = x[a * d + c]! - x[b * d + c]!;
    s += t * t;
  }
  return Math.sqrt(s);
}

function unitRows(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[i * d + c]! * x[i * d + c]!;
    const norm = Math.sqrt(s);
    for (let c = 0; c < d; c++) out[i * d + c] = norm === 0 ? 0 : x[i * d + c]! / norm;
  }
  return out;
}

function cosineDistance(u: Float64Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += u[a * d + c]! * u[b * d + c]!;
  const v = 1 - s;
  return v < 0 ? 0 : v > 2 ? 2 : v;
}
