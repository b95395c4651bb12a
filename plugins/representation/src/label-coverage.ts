import type { Ontology } from "./ontology.js";

/** A `(covered, total)` pair. */
export type Fraction = readonly [covered: number, total: number];

/** Label counts projected onto an ontology (observation only; DataEval `label_coverage`). */
export interface LabelCoverage {
  /** Dataset name → the one concept it resolved to. */
  matched: Map<string, string>;
  /** Names that match no concept → their count. */
  unmatched: Map<string, number>;
  /** Names that match several concepts → those ids (their mass is attributed nowhere). */
  ambiguous: Map<string, string[]>;
  /** Mass placed directly on each concept (synonyms and case variants add up); every concept present. */
  direct: Map<string, number>;
  /** Direct mass of the concept plus that of every descendant (a shared descendant counts once). */
  subtree: Map<string, number>;
  /** Per concept: leaves with direct mass among the leaves in its subtree (itself included). */
  coveredLeaves: Map<string, Fraction>;
  /** Per concept: children with subtree mass, of all children. */
  coveredChildren: Map<string, Fraction>;
  /** depth → concepts at that depth with subtree mass, of all concepts at that depth (ascending depth). */
  coverageByDepth: Map<number, Fraction>;
  /** Leaves with direct mass / leaves (0 without leaves). */
  leafCoverage: number;
  /** Per leaf: its share of all leaf mass (all 0 when there is none). */
  leafDistribution: Map<string, number>;
}

/** Project label counts (class name → count) onto an ontology, resolving names with `ontology.find`. */
export function labelCoverage(counts: ReadonlyMap<string, number>, ontology: Ontology): LabelCoverage {
  const matched = new Map<string, string>();
  const unmatched = new Map<string, number>();
  const ambiguous = new Map<string, string[]>();
  const direct = new Map<string, number>(ontology.ids.map((id) => [id, 0]));
  for (const [name, count] of counts) {
    const ids = ontology.find(name);
    if (ids.length === 1) {
      matched.set(name, ids[0]!);
      direct.set(ids[0]!, direct.get(ids[0]!)! + count);
    } else if (ids.length === 0) {
      unmatched.set(name, (unmatched.get(name) ?? 0) + count);
    } else {
      ambiguous.set(name, ids);
    }
  }
  const subtree = new Map(direct);
  for (const id of ontology.ids) {
    const mass = direct.get(id)!;
    if (mass === 0) continue;
    for (const a of ontology.ancestors(id)) if (subtree.has(a)) subtree.set(a, subtree.get(a)! + mass);
  }
  const leaves = ontology.leaves;
  const leafSet = new Set(leaves);
  const coveredLeaves = new Map<string, Fraction>();
  const coveredChildren = new Map<string, Fraction>();
  const byDepth = new Map<number, [number, number]>();
  for (const id of ontology.ids) {
    const under = [id, ...ontology.descendants(id)].filter((x) => leafSet.has(x));
    coveredLeaves.set(id, [under.filter((x) => direct.get(x)! > 0).length, under.length]);
    const kids = ontology.children(id);
    coveredChildren.set(id, [kids.filter((k) => subtree.get(k)! > 0).length, kids.length]);
    const d = ontology.depth(id);
    const entry = byDepth.get(d) ?? [0, 0];
    if (subtree.get(id)! > 0) entry[0]++;
    entry[1]++;
    byDepth.set(d, entry);
  }
  const coverageByDepth = new Map<number, Fraction>([...byDepth.entries()].sort((a, b) => a[0] - b[0]));
  const leafMass = leaves.reduce((s, l) => s + direct.get(l)!, 0);
  const leafDistribution = new Map(leaves.map((l) => [l, leafMass === 0 ? 0 : direct.get(l)! / leafMass]));
  const leafCoverage = leaves.length === 0 ? 0 : leaves.filter((l) => direct.get(l)! > 0).length / leaves.length;
  return { matched, unmatched, ambiguous, direct, subtree, coveredLeaves, coveredChildren, coverageByDepth, leafCoverage, leafDistribution };
}
