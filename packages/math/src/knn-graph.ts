/*
 * The shared `knn` artifact: an extractor over `artifacts.embeddings` that every lens (label issues,
 * duplicates, coverage, clusterer, insights) can read, plus cleanlab's exact-duplicate correction.
 */
import { AssayError, artifacts, defineExtractor, type KnnGraph, z } from "@assay/core";
import { PLUGIN } from "./errors.js";
import type { HnswOptions } from "./hnsw.js";
import type { NnDescentOptions } from "./nndescent.js";
import { knn } from "./knn.js";

/** Rows of features, row-major (float32 or float64). */
export interface FeatureRows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** A self-excluded neighbour list whose arrays may be rewritten in place. */
export interface MutableNeighbors {
  readonly k: number;
  readonly indices: Int32Array;
  readonly distances: Float32Array | Float64Array;
}

/**
 * cleanlab's default metric rule (Datalab / OutOfDistribution): cosine for more than 3 feature
 * columns, Euclidean otherwise.
 */
export function defaultKnnMetric(cols: number): "euclidean" | "cosine" {
  return cols > 3 ? "cosine" : "euclidean";
}

/**
 * Groups of exactly equal rows (size ≥ 2; −0 equals 0), members ascending, groups ordered by first
 * member. One hashing pass plus row comparisons within hash buckets.
 */
export function exactDuplicateGroups(features: FeatureRows): number[][] {
  const { rows: n, cols: d, data } = features;
  const buckets = new Map<number, number[][]>();
  const groups: number[][] = [];
  const scratch = new Float64Array(1);
  const words = new Uint32Array(scratch.buffer);
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5;
    for (let c = 0; c < d; c++) {
      scratch[0] = data[i * d + c]! + 0; // −0 hashes like 0
      h = Math.imul(h ^ words[0]!, 16777619);
      h = Math.imul(h ^ words[1]!, 16777619);
    }
    h >>>= 0;
    let list = buckets.get(h);
    if (!list) buckets.set(h, (list = []));
    let placed = false;
    for (const grp of list) {
      const r = grp[0]!;
      let eq = true;
      for (let c = 0; c < d && eq; c++) eq = data[r * d + c] === data[i * d + c];
      if (eq) {
        grp.push(i);
        placed = true;
        break;
      }
    }
    if (!placed) {
      const grp = [i];
      list.push(grp);
      groups.push(grp);
    }
  }
  return groups.filter((g) => g.length >= 2);
}

/**
 * cleanlab's exact-duplicate correction of a self-excluded kNN graph, in place (its
 * `correct_knn_graph`): within a group G of exactly equal rows, every member lists the other members
 * first at distance 0 (lowest index first) and keeps its nearest non-members after them; when
 * |G| > k, members among the first k + 1 list the others of those k + 1, the rest list the first k.
 * This makes duplicate groups consistent whatever the search returned for the tied distance-0 rows.
 */
export function correctExactDuplicates(graph: MutableNeighbors, features: FeatureRows): void {
  const { k, indices, distances } = graph;
  for (const G of exactDuplicateGroups(features)) {
    const g = G.length;
    if (g >= k + 1) {
      const head = G.slice(0, k + 1);
      for (const member of G) {
        const nbrs = head.includes(member) ? head.filter((x) => x !== member) : G.slice(0, k);
        for (let j = 0; j < k; j++) {
          indices[member * k + j] = nbrs[j]!;
          distances[member * k + j] = 0;
        }
      }
    } else {
      const inG = new Set(G);
      const m = g - 1;
      for (const member of G) {
        const others = G.filter((x) => x !== member);
        const rest: [number, number][] = [];
        for (let j = 0; j < k && rest.length < k - m; j++) {
          const o = indices[member * k + j]!;
          if (!inG.has(o)) rest.push([o, distances[member * k + j]!]);
        }
        for (let j = 0; j < m; j++) {
          indices[member * k + j] = others[j]!;
          distances[member * k + j] = 0;
        }
        for (let j = 0; j < rest.length; j++) {
          indices[member * k + m + j] = rest[j]![0];
          distances[member * k + m + j] = rest[j]![1];
        }
      }
    }
  }
}

/**
 * Extractor `knn-graph` (plugin `@assay/math`): the shared k-nearest-neighbour graph
 * (`artifacts.knn`) over `artifacts.embeddings`, self excluded, nearest first with ties by index
 * (exact search re-scores distances in float64 and stores them as float32; HNSW results are re-ranked
 * exactly). Defaults follow cleanlab's Datalab construction so one graph serves every lens:
 * k = 10, `metric: "auto"` (cosine above 3 columns, else Euclidean — pass `metric: "euclidean"` for
 * lenses that need L2, e.g. coverage), and the exact-duplicate correction ({@link correctExactDuplicates}).
 */
export const knnGraph = defineExtractor({
  name: "knn-graph",
  version: "0.1.0",
  plugin: PLUGIN,
  description: "Shared k-nearest-neighbour graph over the embeddings (self excluded; Datalab defaults)",
  options: z.object({
    /** Neighbours per row, self excluded (default 10, Datalab's default; lowered to rows − 1 with a warning on smaller datasets). */
    k: z.number().int().min(1).default(10),
    /** `"auto"` (default): cosine for more than 3 embedding columns, Euclidean otherwise (cleanlab's rule). */
    metric: z.enum(["euclidean", "cosine", "auto"]).default("auto"),
    /**
     * Search: exact, approximate NN-descent or HNSW, or auto (exact while n²·d ≤ 5·10¹⁰, about 28k×64;
     * NN-descent with exact final distances beyond — see `knn`).
     */
    method: z.enum(["exact", "nndescent", "hnsw", "auto"]).default("auto"),
    /**
     * HNSW parameters for `method: "hnsw"` (see `HnswOptions`): graph degree,
     * build/search beams, seed, shard count (worker threads), PCA candidate space, candidates per shard
     * and the neighbour-of-neighbour refinement. Candidates are always re-ranked with exact distances.
     */
    hnsw: z
      .object({
        M: z.number().int().min(2).max(512),
        efConstruction: z.number().int().min(1),
        efSearch: z.number().int().min(1),
        seed: z.number().int().min(0),
        shards: z.number().int().min(1).max(256),
        searchDims: z.union([z.number().int().min(1), z.literal("auto")]),
        searchVariance: z.number().gt(0).max(1),
        candidates: z.number().int().min(1),
        refine: z.number().int().min(0),
      })
      .partial()
      .strict()
      .optional(),
    /** NN-descent parameters for `method: "nndescent"` / large `"auto"` runs (see `NnDescentOptions`). */
    nndescent: z
      .object({
        neighbors: z.number().int().min(1),
        trees: z.number().int().min(0).max(1024),
        leafSize: z.number().int().min(2).max(4096),
        maxCandidates: z.number().int().min(1).max(4096),
        iterations: z.number().int().min(0).max(1000),
        delta: z.number().min(0),
        seed: z.number().int().min(0),
      })
      .partial()
      .strict()
      .optional(),
    /** Apply cleanlab's exact-duplicate correction (default true). */
    correctDuplicates: z.boolean().default(true),
  }),
  needs: [artifacts.embeddings],
  provides: artifacts.knn,
  // The graph depends on the embeddings (part of the cache key) and the options, never on labels.
  readsLabels: false,
  async run(ctx, inputs, options): Promise<KnnGraph> {
    const emb = inputs.embeddings;
    if (emb.rows !== ctx.dataset.size) {
      throw new AssayError("INVALID_INPUT", `embeddings has ${emb.rows} rows but dataset "${ctx.dataset.name}" has ${ctx.dataset.size} samples`, {
        plugin: PLUGIN,
        node: "knn-graph",
        details: { rows: emb.rows, size: ctx.dataset.size },
      });
    }
    if (emb.rows < 2) {
      throw new AssayError("INVALID_INPUT", `knn-graph needs at least 2 rows of embeddings, got ${emb.rows}`, { plugin: PLUGIN, node: "knn-graph", details: { rows: emb.rows } });
    }
    let k = options.k;
    if (k >= emb.rows) {
      k = emb.rows - 1;
      ctx.warn(`k = ${options.k} needs at least ${options.k + 1} rows; the ${emb.rows} embeddings get k = ${k}`);
    }
    const metric = options.metric === "auto" ? defaultKnnMetric(emb.cols) : options.metric;
    const graph = await knn(emb, {
      k,
      metric,
      method: options.method,
      ...(options.hnsw ? { hnsw: options.hnsw as HnswOptions } : {}),
      ...(options.nndescent ? { nndescent: options.nndescent as NnDescentOptions } : {}),
      signal: ctx.signal,
      onProgress: (d, t) => ctx.progress(d, t),
    });
    if (options.correctDuplicates) correctExactDuplicates(graph, emb);
    return graph;
  },
});
