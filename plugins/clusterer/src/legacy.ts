import { AssayError } from "@assay/core";
import { meanF32, stdF32, UnionFind } from "@assay/math";
import { checkEmbeddings } from "./hdbscan.js";

const PLUGIN = "@assay/clusterer";
const f32 = Math.fround;

/** Largest N legacy mode accepts by default (O(N²) distance work, O(N²) cluster records in the worst case). */
export const LEGACY_MAX_SAMPLES = 10_000;

/** Embeddings for {@link legacyCluster}: N × P, row-major, float32 or float64 values. */
export interface LegacyInput {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
}

/** Options of {@link legacyCluster}. */
export interface LegacyOptions {
  /** Refuse inputs with more rows than this (default {@link LEGACY_MAX_SAMPLES}). */
  maxSamples?: number;
  signal?: AbortSignal;
}

/** Output of {@link legacyCluster}: the seed `Clusterer.evaluate()` (clusterer.md §5.7) plus its internals. */
export interface LegacyClusterResult {
  /** Sorted sample indices. */
  outliers: number[];
  /** Sorted sample indices (may overlap `outliers`). */
  potentialOutliers: number[];
  /** Groups of points closer than thr / 100 (each sorted, groups by smallest member). */
  duplicates: number[][];
  /** Groups of points with thr / 100 < distance ≤ thr. */
  potentialDuplicates: number[][];
  /** min(max(2, ⌊0.05 N⌋), 100). */
  minNum: number;
  /** K: number of level-0 clusters (linkage rows of size 2). */
  levelZeroClusters: number;
  /** Last good merge level per cluster id, as [cid, level] in DataEval's dict insertion order. */
  lastGoodMergeLevels: [number, number][];
  /** The duplicate threshold thr (mean std of the well-formed clusters' merge distances; NaN if none). */
  threshold: number;
}

/**
 * The points of a cluster record. Records grow by appending, so each set remembers the set it extends
 * (`ids[0 .. baseLen)` equals `base.ids`); copies share their set. This lets the minimum distance between
 * two clusters at the next level be updated from the previous level's instead of recomputed.
 */
interface SampleSet {
  ids: Int32Array;
  base: SampleSet | null;
  baseLen: number;
  serial: number;
}

interface LegacyRecord {
  samples: Int32Array;
  set: SampleSet;
  /** float32 merge distances. */
  dists: Float32Array;
  avg: number;
  std: number;
  out1: boolean;
  out2: boolean;
  /** Cluster id merged into this one, −1 when none. */
  merged: number;
}

function makeRecord(set: SampleSet, dists: Float32Array, merged: number): LegacyRecord {
  const samples = set.ids;
  const avg = meanF32(dists);
  const std = dists.length > 1 ? stdF32(dists) : 1e-5;
  const last = dists[dists.length - 1]!;
  const o1 = avg + std;
  return { samples, set, dists, avg, std, out1: last > o1, out2: last > o1 + std, merged };
}

function copyRecord(r: LegacyRecord): LegacyRecord {
  return { samples: r.samples, set: r.set, dists: r.dists, avg: 0, std: 0, out1: false, out2: false, merged: -1 };
}

function concatI32(a: ArrayLike<number>, b: ArrayLike<number>): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function concatF32(...parts: ArrayLike<number>[]): Float32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function components(n: number, a: number[], b: number[]): number[][] {
  const uf = new UnionFind(n);
  const inPair = new Uint8Array(n);
  for (let e = 0; e < a.length; e++) {
    uf.union(a[e]!, b[e]!);
    inPair[a[e]!] = 1;
    inPair[b[e]!] = 1;
  }
  return uf
    .groups()
    .filter((g) => g.length >= 2 && inPair[g[0]!])
    .map((g) => Array.from(g));
}

/**
 * The seed-era DataEval `Clusterer(x).evaluate()` (clusterer.md §5, "legacy mode"): single-linkage merges
 * (scipy's Prim order), per-cluster records of merge distances with float32 statistics, last good merge
 * levels from the log-distance heuristics, then outliers / potential outliers from late bad merges and
 * duplicates / potential duplicates from the spread of the well-formed clusters. Reproduces DataEval's
 * output exactly, float32 rounding included. O(N²·P) time; refuses more than `maxSamples` rows.
 */
export function legacyCluster(x: LegacyInput, options: LegacyOptions = {}): LegacyClusterResult {
  checkEmbeddings(x);
  const N = x.rows;
  const P = x.cols;
  const limit = options.maxSamples ?? LEGACY_MAX_SAMPLES;
  if (N > limit) {
    throw new AssayError(
      "INVALID_INPUT",
      `legacy clusterer: ${N} samples exceed the legacy mode's limit of ${limit} (it needs all O(N²) pairwise distances and per-level cluster distance blocks); use the default "hdbscan" mode, or sample/reduce the data`,
      { plugin: PLUGIN, node: "clusterer", stage: "legacy", details: { samples: N, limit } },
    );
  }
  const data = Float64Array.from(x.data as ArrayLike<number>);
  const cancelled = () => {
    if (options.signal?.aborted) throw new AssayError("CANCELLED", "legacy clustering was cancelled", { plugin: PLUGIN, node: "clusterer" });
  };
  const D = (i: number, j: number): number => {
    let s = 0;
    for (let t = 0; t < P; t++) {
      const d = data[i * P + t]! - data[j * P + t]!;
      s += d * d;
    }
    return Math.sqrt(s);
  };

  // §5.1 Prim order (scipy's mst_single_linkage), then a stable sort by distance and relabelling.
  const E = N - 1;
  const px = new Int32Array(E);
  const py = new Int32Array(E);
  const pd = new Float64Array(E);
  {
    const merged = new Uint8Array(N);
    const best = new Float64Array(N).fill(Number.POSITIVE_INFINITY);
    let cur = 0;
    for (let k = 0; k < E; k++) {
      if ((k & 255) === 0) cancelled();
      merged[cur] = 1;
      let y = -1;
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i < N; i++) {
        if (merged[i]) continue;
        const d = D(cur, i);
        if (best[i]! > d) best[i] = d;
        if (best[i]! < min) {
          min = best[i]!;
          y = i;
        }
      }
      px[k] = cur;
      py[k] = y;
      pd[k] = best[y]!;
      cur = y;
    }
  }
  const order = Array.from({ length: E }, (_, i) => i).sort((p, q) => pd[p]! - pd[q]! || p - q);
  const rowA = new Int32Array(E);
  const rowB = new Int32Array(E);
  const rowD = new Float64Array(E);
  const rowSize = new Int32Array(E);
  {
    const parent = new Int32Array(2 * N - 1);
    const size = new Int32Array(2 * N - 1).fill(1);
    for (let i = 0; i < parent.length; i++) parent[i] = i;
    const find = (v: number) => {
      let r = v;
      while (parent[r] !== r) r = parent[r]!;
      while (parent[v] !== r) {
        const n = parent[v]!;
        parent[v] = r;
        v = n;
      }
      return r;
    };
    for (let t = 0; t < E; t++) {
      const o = order[t]!;
      const ra = find(px[o]!);
      const rb = find(py[o]!);
      rowA[t] = Math.min(ra, rb);
      rowB[t] = Math.max(ra, rb);
      rowD[t] = pd[o]!;
      const node = N + t;
      parent[ra] = node;
      parent[rb] = node;
      size[node] = size[ra]! + size[rb]!;
      rowSize[t] = size[node]!;
    }
  }
  let K = 0;
  for (let t = 0; t < E; t++) if (rowSize[t] === 2) K++;
  const minNum = Math.min(Math.max(2, Math.floor(N * 0.05)), 100);

  // §5.2 cluster records per level
  const levels: Map<number, LegacyRecord>[] = [];
  const at = new Map<number, { level: number; cid: number }>();
  let maxLevel = 1;
  let nextCid = 0;
  const levelMap = (l: number) => (levels[l] ??= new Map());
  let serial = 0;
  const extend = (base: SampleSet | null, ids: Int32Array): SampleSet => ({ ids, base, baseLen: base ? base.ids.length : 0, serial: serial++ });
  for (let t = 0; t < E; t++) {
    const a = rowA[t]!;
    const b = rowB[t]!;
    const d = new Float32Array([rowD[t]!]);
    const pa = at.get(a);
    const pb = at.get(b);
    let rec: LegacyRecord;
    let level: number;
    let cid: number;
    if (pa && pb) {
      const A = levels[pa.level]!.get(pa.cid)!;
      const B = levels[pb.level]!.get(pb.cid)!;
      const first = A.samples.length >= B.samples.length ? A : B;
      const set = extend(first.set, concatI32(first.samples, first === A ? B.samples : A.samples));
      const dists = concatF32(B.dists, A.dists, d);
      level = Math.max(pa.level, pb.level) + 1;
      cid = Math.min(pa.cid, pb.cid);
      maxLevel = Math.max(maxLevel, pa.level, pb.level);
      if (pa.level !== pb.level) {
        const low = pa.level < pb.level ? pa : pb;
        const high = pa.level < pb.level ? pb.level : pa.level;
        const copy = copyRecord(levels[low.level]!.get(low.cid)!);
        for (let l = high; l > low.level; l--) {
          const m = levelMap(l);
          if (!m.has(low.cid)) m.set(low.cid, copy);
        }
      }
      rec = makeRecord(set, dists, Math.max(pa.cid, pb.cid));
    } else if (pa || pb) {
      const child = (pa ?? pb)!;
      const other = pa ? b : a;
      const C = levels[child.level]!.get(child.cid)!;
      rec = makeRecord(extend(C.set, concatI32(C.samples, [other])), concatF32(C.dists, d), -1);
      level = child.level + 1;
      cid = child.cid;
    } else {
      rec = makeRecord(extend(null, Int32Array.of(a, b)), d, -1);
      level = 0;
      cid = nextCid++;
    }
    levelMap(level).set(cid, rec);
    at.set(N + t, { level, cid });
  }

  // §5.4 last good merge levels
  const lml = new Map<number, number>();
  if (K <= 1) {
    lml.set(0, Math.floor(N * 0.1));
  } else {
    // Minimum distance between two sample sets, memoised per pair of sets. The larger set X is walked back
    // along the sets it extends until a memoised (base, Y) pair; only the appended points are compared.
    const blockMemo = new Map<number, number>();
    const minBetween = (a: Int32Array, a0: number, a1: number, b: Int32Array, b0: number, b1: number): number => {
      let v = Number.POSITIVE_INFINITY;
      for (let p = a0; p < a1; p++) {
        const i = a[p]!;
        for (let q = b0; q < b1; q++) {
          const dd = D(i, b[q]!);
          if (dd < v) v = dd;
        }
      }
      return v;
    };
    const pairKey = (p: SampleSet, q: SampleSet) => (p.serial < q.serial ? p.serial * N + q.serial : q.serial * N + p.serial);
    const blockMin = (s1: SampleSet, s2: SampleSet): number => {
      const swap = s1.ids.length < s2.ids.length || (s1.ids.length === s2.ids.length && s1.serial < s2.serial);
      const X = swap ? s2 : s1;
      const Y = swap ? s1 : s2;
      const known = blockMemo.get(pairKey(X, Y));
      if (known !== undefined) return known;
      // both sets extend sets whose distance is known (typically: both grew since the previous level)
      if (X.base && Y.base) {
        const prev = blockMemo.get(pairKey(X.base, Y.base));
        if (prev !== undefined) {
          let v = prev;
          v = Math.min(v, minBetween(X.ids, X.baseLen, X.ids.length, Y.ids, 0, Y.ids.length));
          v = Math.min(v, minBetween(X.ids, 0, X.baseLen, Y.ids, Y.baseLen, Y.ids.length));
          blockMemo.set(pairKey(X, Y), v);
          return v;
        }
      }
      if (Y.base) {
        const prev = blockMemo.get(pairKey(X, Y.base));
        if (prev !== undefined) {
          const v = Math.min(prev, minBetween(X.ids, 0, X.ids.length, Y.ids, Y.baseLen, Y.ids.length));
          blockMemo.set(pairKey(X, Y), v);
          return v;
        }
      }
      const chain: SampleSet[] = [];
      let v = Number.POSITIVE_INFINITY;
      for (let cur: SampleSet | null = X; cur; cur = cur.base) {
        const hit = blockMemo.get(pairKey(cur, Y));
        if (hit !== undefined) {
          v = hit;
          break;
        }
        chain.push(cur);
      }
      for (let k = chain.length - 1; k >= 0; k--) {
        const s = chain[k]!;
        v = Math.min(v, minBetween(s.ids, s.base ? s.baseLen : 0, s.ids.length, Y.ids, 0, Y.ids.length));
        blockMemo.set(pairKey(s, Y), v);
      }
      return v;
    };
    const M = (l: number, c: number, c2: number): number => {
      const m = levels[l];
      if (!m) return -1;
      if (c === c2) {
        const r = m.get(c);
        return r ? f32(r.avg) : -1;
      }
      const ra = m.get(c);
      const rb = m.get(c2);
      if (!ra || !rb) return -1;
      return f32(blockMin(ra.set, rb.set));
    };
    interface Entry {
      level: number;
      outer: number;
      inner: number;
      mergeable: boolean;
    }
    const entries: Entry[] = [];
    const values: number[] = [];
    const intraMax: number[] = [];
    for (let level = 0; level < levels.length; level++) {
      const m = levels[level];
      if (!m) continue;
      for (const [cid, rec] of m) {
        if (rec.merged < 0) continue;
        cancelled();
        const useMean = rec.out2 || (rec.out1 && rec.samples.length >= minNum);
        const L = Math.min(level, maxLevel);
        const vals = new Float32Array(L);
        for (let l = 0; l < L; l++) vals[l] = M(l, cid, rec.merged);
        let value = Number.NEGATIVE_INFINITY;
        if (useMean) value = meanF32(vals);
        else for (const v of vals) if (v > value) value = v;
        let im = Number.NEGATIVE_INFINITY;
        for (let l = 0; l < maxLevel; l++) {
          const v = M(l, cid, cid);
          if (v >= 0 && v > im) im = v;
        }
        entries.push({ level, outer: cid, inner: rec.merged, mergeable: false });
        values.push(value);
        intraMax.push(im);
      }
    }
    const unique = Float32Array.from(new Set(intraMax)).sort();
    const logs = unique.map((v) => f32(Math.log(v)));
    const T = f32(meanF32(logs) + f32(2 * stdF32(logs)));
    const mv = values.map((v) => f32(Math.log(v)));
    const rel = mv.map((v) => f32(Math.abs(f32(f32(v - T) / T))));
    const kept: number[] = [];
    for (let e = 0; e < mv.length; e++) if (!(mv[e]! < T) && rel[e]! < 1) kept.push(rel[e]!);
    const keptF = Float32Array.from(kept);
    const O = f32(meanF32(keptF) + stdF32(keptF));
    for (let e = 0; e < entries.length; e++) entries[e]!.mergeable = mv[e]! < T || rel[e]! < O;
    const sorted = entries.map((e, i) => [e, i] as const).sort((p, q) => q[0].level - p[0].level || p[1] - q[1]);
    for (const [entry] of sorted) {
      if (!entry.mergeable) {
        if (!lml.has(entry.outer)) lml.set(entry.outer, 0);
        if (!lml.has(entry.inner)) lml.set(entry.inner, 0);
        if (lml.get(entry.outer)! > entry.level) lml.set(entry.outer, entry.level - 1);
      } else if (lml.has(entry.outer)) {
        lml.set(entry.outer, Math.max(lml.get(entry.outer)!, entry.level));
      }
    }
  }

  // §5.5 outliers and potential outliers
  const lastLevel = new Map<number, number>();
  levels.forEach((m, level) => {
    for (const cid of m.keys()) if (lml.has(cid)) lastLevel.set(cid, level);
  });
  const outliers = new Set<number>();
  const potential = new Set<number>();
  const seen = new Set<number>();
  levels.forEach((m, level) => {
    for (const [cid, rec] of m) {
      if (rec.merged >= 0 || !lml.has(cid) || !(level > lml.get(cid)!)) continue;
      const n = rec.samples.length;
      const last = rec.samples[n - 1]!;
      if (seen.has(cid) && !outliers.has(last)) outliers.add(last);
      else if (rec.out2) {
        if (n < minNum) for (const s of rec.samples) outliers.add(s);
        else if (!outliers.has(last)) outliers.add(last);
        seen.add(cid);
      } else if (rec.out1 && n >= minNum) potential.add(last);
      else if (level === lastLevel.get(cid) && n < minNum) for (const s of rec.samples) outliers.add(s);
    }
  });

  // §5.6 duplicates and potential duplicates
  const stds: number[] = [];
  for (const [cid, level] of lml) {
    const rec = levels[level]?.get(cid);
    if (rec && rec.samples.length >= minNum) stds.push(rec.std);
  }
  const threshold = stds.length > 0 ? stds.reduce((s, v) => s + v, 0) / stds.length : Number.NaN;
  const ea: number[] = [];
  const eb: number[] = [];
  const pa: number[] = [];
  const pb: number[] = [];
  if (Number.isFinite(threshold)) {
    const exactThr = threshold / 100;
    for (let i = 0; i < N; i++) {
      if ((i & 255) === 0) cancelled();
      for (let j = i + 1; j < N; j++) {
        const d = D(i, j);
        if (d <= exactThr) {
          ea.push(i);
          eb.push(j);
        } else if (d <= threshold) {
          pa.push(i);
          pb.push(j);
        }
      }
    }
  }
  const byIndex = (a: number, b: number) => a - b;
  return {
    outliers: [...outliers].sort(byIndex),
    potentialOutliers: [...potential].sort(byIndex),
    duplicates: components(N, ea, eb),
    potentialDuplicates: components(N, pa, pb),
    minNum,
    levelZeroClusters: K,
    lastGoodMergeLevels: [...lml.entries()],
    threshold,
  };
}
