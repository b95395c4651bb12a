import { createRequire } from "node:module";
import type { Float32Matrix } from "@assay/core";
import { AssayError } from "@assay/core";
import { cancelled, checkInt, PLUGIN } from "./errors.js";
import { rowNorms } from "./matrix.js";

/** Parameters of the approximate HNSW index (hnswlib). */
export interface HnswOptions {
  /** Graph degree (hnswlib `M`). Default 16. */
  M?: number;
  /** Candidate list size while building. Default 100. */
  efConstruction?: number;
  /** Candidate list size while searching (raised to at least the number of candidates requested). Default 64. */
  efSearch?: number;
  /** Seed of the level generator (hnswlib `random_seed`). Default 100. */
  seed?: number;
}

interface HnswIndex {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
  addPoint(point: number[], label: number): void;
  searchKnn(query: number[], k: number): { distances: number[]; neighbors: number[] };
  setEf(ef: number): void;
}

interface HnswModule {
  HierarchicalNSW: new (space: "l2" | "ip" | "cosine", dim: number) => HnswIndex;
}

let hnswModule: HnswModule | undefined;

function loadHnsw(): HnswModule {
  if (hnswModule !== undefined) return hnswModule;
  try {
    const require = createRequire(import.meta.url);
    hnswModule = require("hnswlib-node") as HnswModule;
    return hnswModule;
  } catch (cause) {
    throw new AssayError("BACKEND_UNAVAILABLE", "knn: method \"hnsw\" needs the native package hnswlib-node, which failed to load", { plugin: PLUGIN, stage: "knn", cause });
  }
}

/** @internal */
export interface HnswSearchOptions {
  k: number;
  metric: "euclidean" | "cosine";
  excludeSelf: boolean;
  rerank: boolean;
  hnsw: HnswOptions;
  signal: AbortSignal | undefined;
  onProgress: ((done: number, total: number) => void) | undefined;
}

function rowArray(data: Float32Array, i: number, d: number, scale: number): number[] {
  const out = new Array<number>(d);
  const o = i * d;
  for (let j = 0; j < d; j++) out[j] = data[o + j]! * scale;
  return out;
}

function exact(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number, cosine: boolean, na: number, nb: number): number {
  if (cosine) {
    if (na === 0 || nb === 0) return 1;
    let dot = 0;
    for (let p = 0; p < d; p++) dot += a[ao + p]! * b[bo + p]!;
    const c = 1 - dot / (na * nb);
    return c < 0 ? 0 : c > 2 ? 2 : c;
  }
  let s = 0;
  for (let p = 0; p < d; p++) {
    const t = a[ao + p]! - b[bo + p]!;
    s += t * t;
  }
  return Math.sqrt(s);
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Approximate kNN with hnswlib-node. Cosine uses an inner-product index over unit rows (an all-zero
 * row stays zero: distance 1 to everything). With `rerank`, 2k candidates (at least k + 10) are
 * re-scored with exact float64 distances and sorted by (distance, index).
 * @internal
 */
export async function hnswSearch(reference: Float32Matrix, queries: Float32Matrix, o: HnswSearchOptions): Promise<{ indices: Int32Array; distances: Float32Array }> {
  const M = o.hnsw.M ?? 16;
  const efConstruction = o.hnsw.efConstruction ?? 100;
  const efSearch = o.hnsw.efSearch ?? 64;
  const seed = o.hnsw.seed ?? 100;
  checkInt("knn", "hnsw.M", M, 2, 512);
  checkInt("knn", "hnsw.efConstruction", efConstruction, 1);
  checkInt("knn", "hnsw.efSearch", efSearch, 1);
  checkInt("knn", "hnsw.seed", seed, 0, 0x7fffffff);
  const lib = loadHnsw();
  const { rows: nR, cols: d } = reference;
  const nQ = queries.rows;
  const cosine = o.metric === "cosine";
  const rNorm = rowNorms(reference);
  const qNorm = reference === queries ? rNorm : rowNorms(queries);
  const index = new lib.HierarchicalNSW(cosine ? "ip" : "l2", d);
  index.initIndex(nR, M, efConstruction, seed);
  const signal = o.signal;
  const total = nR + nQ;
  const step = 2000;
  for (let i = 0; i < nR; i++) {
    const nrm = rNorm[i]!;
    index.addPoint(rowArray(reference.data, i, d, cosine ? (nrm > 0 ? 1 / nrm : 0) : 1), i);
    if ((i + 1) % step === 0) {
      o.onProgress?.(i + 1, total);
      await yieldToLoop();
      if (signal?.aborted) throw cancelled("knn", signal.reason);
    }
  }
  o.onProgress?.(nR, total);
  const k = o.k;
  const self = o.excludeSelf ? 1 : 0;
  const want = Math.min(nR, (o.rerank ? Math.max(2 * k, k + 10) : k) + self);
  index.setEf(Math.max(efSearch, want));
  const indices = new Int32Array(nQ * k).fill(-1);
  const distances = new Float32Array(nQ * k).fill(Number.POSITIVE_INFINITY);
  const candI: number[] = [];
  const candD: number[] = [];
  for (let q = 0; q < nQ; q++) {
    const nrm = qNorm[q]!;
    const res = index.searchKnn(rowArray(queries.data, q, d, cosine ? (nrm > 0 ? 1 / nrm : 0) : 1), want);
    candI.length = 0;
    candD.length = 0;
    for (let t = 0; t < res.neighbors.length; t++) {
      const j = res.neighbors[t]!;
      if (o.excludeSelf && j === q) continue;
      candI.push(j);
      if (o.rerank) candD.push(exact(queries.data, q * d, reference.data, j * d, d, cosine, nrm, rNorm[j]!));
      else {
        const raw = res.distances[t]!;
        candD.push(cosine ? Math.min(2, Math.max(0, raw)) : Math.sqrt(Math.max(0, raw)));
      }
    }
    const order = candI.map((_, t) => t).sort((a, b) => candD[a]! - candD[b]! || candI[a]! - candI[b]!);
    const take = Math.min(k, order.length);
    for (let c = 0; c < take; c++) {
      indices[q * k + c] = candI[order[c]!]!;
      distances[q * k + c] = candD[order[c]!]!;
    }
    if ((q + 1) % step === 0) {
      o.onProgress?.(nR + q + 1, total);
      await yieldToLoop();
      if (signal?.aborted) throw cancelled("knn", signal.reason);
    }
  }
  o.onProgress?.(total, total);
  return { indices, distances };
}
