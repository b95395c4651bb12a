import type { Ontology } from "./ontology.js";

/** Structural facts about an ontology, without verdicts (DataEval `ontology_validation`). */
export interface OntologyFacts {
  roots: string[];
  leaves: string[];
  /** Concepts that are both root and leaf. */
  isolated: string[];
  /** Concept → external ids among its ancestors (only concepts that have some). */
  externalAncestors: Map<string, string[]>;
  /** `[child, parent]` edges where the parent is also reachable through another parent. */
  redundantEdges: [child: string, parent: string][];
  /** `[concept, sibling]` where the sibling (same parent) is also one of the concept's ancestors. */
  ancestorSiblings: [concept: string, sibling: string][];
  /** Concepts with exactly one child. */
  unaryParents: string[];
  /** Case-folded names shared by several concepts. */
  labelCollisions: Map<string, string[]>;
  /** Concepts whose label does not fully match `labelPattern` (empty without a pattern). */
  labelMismatches: string[];
  /** Per concept: depth, number of children, number of parents. */
  concepts: Map<string, { depth: number; fanOut: number; parentCount: number }>;
}

/** Report the structural facts of an ontology; `labelPattern` must match each label in full. */
export function ontologyFacts(ontology: Ontology, options: { labelPattern?: RegExp | string } = {}): OntologyFacts {
  const ids = ontology.ids;
  const roots = ontology.roots;
  const leaves = ontology.leaves;
  const leafSet = new Set(leaves);
  const externalAncestors = new Map<string, string[]>();
  const redundantEdges: [string, string][] = [];
  const ancestorSiblings: [string, string][] = [];
  const concepts = new Map<string, { depth: number; fanOut: number; parentCount: number }>();
  for (const id of ids) {
    const ancestors = ontology.ancestors(id);
    const external = ancestors.filter((a) => !ontology.has(a));
    if (external.length > 0) externalAncestors.set(id, external);
    const parents = ontology.get(id).parents;
    for (const p of parents) {
      const viaOther = parents.some((q) => q !== p && ontology.has(q) && ontology.ancestors(q).includes(p));
      if (viaOther) redundantEdges.push([id, p]);
    }
    const ancestorSet = new Set(ancestors);
    const siblings = new Set(parents.filter((p) => ontology.has(p)).flatMap((p) => ontology.children(p)));
    for (const s of siblings) if (s !== id && ancestorSet.has(s)) ancestorSiblings.push([id, s]);
    concepts.set(id, { depth: ontology.depth(id), fanOut: ontology.children(id).length, parentCount: parents.length });
  }
  const pattern = options.labelPattern === undefined ? undefined : new RegExp(`^(?:${typeof options.labelPattern === "string" ? options.labelPattern : options.labelPattern.source})$`, "u");
  return {
    roots,
    leaves,
    isolated: roots.filter((r) => leafSet.has(r)),
    externalAncestors,
    redundantEdges,
    ancestorSiblings,
    unaryParents: ids.filter((id) => ontology.children(id).length === 1),
    labelCollisions: ontology.labelCollisions,
    labelMismatches: pattern ? ids.filter((id) => !pattern.test(ontology.get(id).label)) : [],
    concepts,
  };
}
