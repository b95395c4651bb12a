import type { KnnGraph } from "@assay/core";
import { UnionFind } from "@assay/math";
import { invalidInput, invalidOption } from "./errors.js";
import { argmaxAt } from "./numerics-pending.js";
import { type ProbMatrix, checkMatrix } from "./validate.js";

/** A label key: a class index (single-label) or the sorted unique class list (multi-label). */
export type LabelKey = number | number[];

/** One duplicate set whose members do not all share a label (dataset-insights §5). */
export interface DuplicateConflict {
  /** Member row indices, ascending. */
  members: number[];
  /** Label key of each member, aligned with `members`. */
  labels: LabelKey[];
  /** `[key, count]` pairs, keys ascending (multi-label keys compare as their comma-joined text). */
  labelCounts: [LabelKey, number][];
  /** The key with a strictly largest count, else null. */
  majority: LabelKey | null;
  /** With predProbs: argmax of the members' mean probabilities (multi-label: classes whose mean > 0.5). */
  suggested?: LabelKey;
  /** Members whose key differs from `suggested` (or from `majority` without predProbs). */
  suspects: number[];
  /** `max count / size`. */
  agreement: number;
  /** Number of distinct keys. */
  distinct: number;
  /** With predProbs: the members' mean probability per class. */
  meanProbs?: number[];
}

/** Result of {@link conflictingDuplicates}. */
export interface DuplicateConflicts {
  conflicts: DuplicateConflict[];
  summary: { numGroups: number; numConflicting: number; numExamplesInConflicts: number; conflictRate: number };
}

/** Options of {@link conflictingDuplicates}. */
export interface ConflictingDuplicatesOptions {
  /** N×K probabilities; enables `suggested` and probability-based suspects. */
  predProbs?: ProbMatrix;
}

function keyText(k: LabelKey): string {
  return typeof k === "number" ? String(k) : k.join(",");
}

function compareKeys(a: LabelKey, b: LabelKey): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = typeof a === "number" ? [a] : a;
  const y = typeof b === "number" ? [b] : b;
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Union the given groups into connected components (members ascending, size-1 components dropped,
 * ordered by smallest member). Any index outside [0, n) or not an integer is an error.
 */
export function duplicateComponents(groups: readonly (ArrayLike<number>)[], n: number): number[][] {
  if (!Array.isArray(groups)) throw invalidInput("groups must be an array of index lists");
  const uf = new UnionFind(n);
  groups.forEach((g, gi) => {
    if (!g || typeof g.length !== "number") throw invalidInput(`groups[${gi}] is not a list of row indices`, { group: gi });
    for (let j = 0; j < g.length; j++) {
      const v = g[j]!;
      if (!Number.isInteger(v) || v < 0 || v >= n) {
        throw invalidInput(`groups[${gi}] names row ${v}, outside 0…${n - 1} (index out of range)`, { group: gi, index: v });
      }
      if (j > 0) uf.union(g[0]!, v);
    }
  });
  return uf
    .groups()
    .filter((c) => c.length > 1)
    .map((c) => Array.from(c));
}

/**
 * Duplicate sets whose labels disagree (dataset-insights §5). `groups` may mix exact and near groups
 * or per-example neighbour lists; they are merged into connected components first. `labels` are class
 * indices or (multi-label) class lists.
 */
export function conflictingDuplicates(
  groups: readonly (ArrayLike<number>)[],
  labels: ArrayLike<number> | readonly (readonly number[])[],
  options: ConflictingDuplicatesOptions = {},
): DuplicateConflicts {
  const n = labels.length;
  const multi = Array.isArray(labels) && labels.some((l) => Array.isArray(l));
  const keyOf = (i: number): LabelKey => {
    const v = (labels as ArrayLike<unknown>)[i];
    if (multi) {
      if (!Array.isArray(v)) throw invalidInput(`labels[${i}] is ${JSON.stringify(v)}; multi-label rows must be lists of classes`, { row: i });
      return [...new Set(v as number[])].sort((a, b) => a - b);
    }
    if (typeof v !== "number" || !Number.isInteger(v)) throw invalidInput(`labels[${i}] is ${JSON.stringify(v)}; expected a class index`, { row: i });
    return v;
  };
  const P = options.predProbs;
  let K = 0;
  if (P) {
    K = checkMatrix(P);
    if (P.rows !== n) throw invalidInput(`predProbs has ${P.rows} rows but labels has ${n}`, { rows: P.rows, labels: n });
  }
  const components = duplicateComponents(groups, n);
  const conflicts: DuplicateConflict[] = [];
  let inConflicts = 0;
  for (const members of components) {
    const keys = members.map(keyOf);
    const counts = new Map<string, [LabelKey, number]>();
    for (const k of keys) {
      const t = keyText(k);
      const e = counts.get(t);
      if (e) e[1]++;
      else counts.set(t, [k, 1]);
    }
    if (counts.size < 2) continue;
    const labelCounts = [...counts.values()].sort((a, b) => compareKeys(a[0], b[0]));
    let max = 0;
    for (const [, c] of labelCounts) max = Math.max(max, c);
    const top = labelCounts.filter(([, c]) => c === max);
    const majority = top.length === 1 ? top[0]![0] : null;
    const conflict: DuplicateConflict = {
      members,
      labels: keys,
      labelCounts,
      majority,
      suspects: [],
      agreement: max / members.length,
      distinct: labelCounts.length,
    };
    let reference: LabelKey | null = majority;
    if (P) {
      const mean = new Float64Array(K);
      for (const i of members) for (let k = 0; k < K; k++) mean[k] = mean[k]! + P.data[i * K + k]!;
      for (let k = 0; k < K; k++) mean[k] = mean[k]! / members.length;
      reference = multi ? Array.from(mean.keys()).filter((k) => mean[k]! > 0.5) : argmaxAt(mean, 0, K);
      conflict.suggested = reference;
      conflict.meanProbs = Array.from(mean);
    }
    if (reference !== null) {
      const ref = keyText(reference);
      conflict.suspects = members.filter((_, j) => keyText(keys[j]!) !== ref);
    }
    conflicts.push(conflict);
    inConflicts += members.length;
  }
  conflicts.sort((a, b) => b.distinct - a.distinct || b.members.length - a.members.length || a.members[0]! - b.members[0]!);
  const numGroups = components.length;
  return {
    conflicts,
    summary: {
      numGroups,
      numConflicting: conflicts.length,
      numExamplesInConflicts: inConflicts,
      conflictRate: numGroups === 0 ? 0 : conflicts.length / numGroups,
    },
  };
}

/**
 * Near-duplicate pairs from a kNN graph: every neighbour closer than `maxDistance` (in the graph's
 * metric) becomes a two-member group. Feed the result to {@link conflictingDuplicates}.
 */
export function groupsFromKnn(knn: KnnGraph, maxDistance: number): number[][] {
  if (!(Number.isFinite(maxDistance) && maxDistance >= 0)) throw invalidOption(`maxDistance must be a number ≥ 0 (got ${maxDistance})`, { option: "maxDistance" });
  const out: number[][] = [];
  for (let i = 0; i < knn.rows; i++) {
    for (let j = 0; j < knn.k; j++) {
      const nb = knn.indices[i * knn.k + j]!;
      if (nb < 0 || nb === i) continue;
      if (knn.distances[i * knn.k + j]! <= maxDistance) out.push([i, nb]);
    }
  }
  return out;
}
