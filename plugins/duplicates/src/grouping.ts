import { UnionFind } from "@assay/math";

/** A hash-based or embedding-based method that can put items in one near-duplicate group. */
export type NearMethod = "phash" | "dhash" | "phash_d4" | "dhash_d4" | "embedding";

/** The order near methods are processed and listed in (DataEval's, then assay's embedding method). */
export const NEAR_METHOD_ORDER: readonly NearMethod[] = ["phash", "dhash", "phash_d4", "dhash_d4", "embedding"];

/** A group before merging: sorted member ids and the method that found it. */
export interface RawGroup {
  members: number[];
  method: string;
}

/** A group after merging: sorted members, sorted method names. */
export interface MergedGroup {
  members: number[];
  methods: string[];
}

/**
 * Bucket ids by key; every bucket with ≥ 2 members is a group (members ascending, groups sorted by
 * member list). Empty keys are skipped.
 */
export function bucketGroups(ids: ArrayLike<number>, keyOf: (id: number) => string): number[][] {
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const key = keyOf(id);
    if (key === "") continue;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = []));
    b.push(id);
  }
  const groups = [...buckets.values()].filter((b) => b.length >= 2).map((b) => b.sort((a, c) => a - c));
  return groups.sort(compareLists);
}

/** Lexicographic comparison of ascending member lists. */
export function compareLists(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Merge (group, method) pairs whose member sets overlap — connected components of the overlap
 * relation — unioning members and methods. With `merge` false every pair stays separate. Groups are
 * sorted by member list, stably (ties keep the method order).
 */
export function mergeGroups(groups: readonly RawGroup[], merge: boolean): MergedGroup[] {
  if (!merge) {
    return groups
      .map((g) => ({ members: [...g.members], methods: [g.method] }))
      .map((g, i) => ({ g, i }))
      .sort((a, b) => compareLists(a.g.members, b.g.members) || a.i - b.i)
      .map((x) => x.g);
  }
  const ids = [...new Set(groups.flatMap((g) => g.members))].sort((a, b) => a - b);
  const slot = new Map(ids.map((id, k) => [id, k]));
  const uf = new UnionFind(ids.length);
  for (const g of groups) for (const m of g.members) uf.union(slot.get(g.members[0]!)!, slot.get(m)!);
  const byRoot = new Map<number, { members: Set<number>; methods: Set<string> }>();
  for (const g of groups) {
    const root = uf.find(slot.get(g.members[0]!)!);
    let e = byRoot.get(root);
    if (!e) byRoot.set(root, (e = { members: new Set(), methods: new Set() }));
    for (const m of g.members) e.members.add(m);
    e.methods.add(g.method);
  }
  return [...byRoot.values()]
    .map((e) => ({ members: [...e.members].sort((a, b) => a - b), methods: [...e.methods].sort() }))
    .sort((a, b) => compareLists(a.members, b.members));
}

/** Connected components (≥ 2 members) of the pairs `(a[i], b[i])` over ids `0…n−1`, sorted. */
export function pairComponents(n: number, a: ArrayLike<number>, b: ArrayLike<number>): number[][] {
  const uf = new UnionFind(n);
  for (let i = 0; i < a.length; i++) uf.union(a[i]!, b[i]!);
  // groups() lists components by smallest member, which for disjoint sets is the lexicographic order
  return uf
    .groups()
    .filter((c) => c.length >= 2)
    .map((c) => Array.from(c));
}
