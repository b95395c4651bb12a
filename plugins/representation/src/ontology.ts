import { casefold } from "./casefold.js";
import { OntologyCycleError, OntologyError } from "./errors.js";

/** One concept of an ontology. `parents` are ids of direct superclasses; an id that is not a concept is an external reference. */
export interface Concept {
  readonly id: string;
  readonly label: string;
  readonly synonyms: readonly string[];
  readonly parents: readonly string[];
  readonly definition?: string;
}

/** A concept as given to {@link Ontology.fromConcepts}; `label` defaults to the id. */
export interface ConceptInput {
  id: string;
  label?: string;
  synonyms?: readonly string[];
  parents?: readonly string[];
  definition?: string;
}

/**
 * A nested class hierarchy: a string is a concept; a mapping's keys are concepts whose values
 * (null, a string, a list or a mapping) are their children; a list is a group of siblings.
 */
export type Hierarchy = string | null | undefined | readonly Hierarchy[] | { readonly [name: string]: Hierarchy } | ReadonlyMap<string, Hierarchy>;

/**
 * An immutable is-a hierarchy (a DAG: a concept may have several parents). Build it with
 * {@link Ontology.fromHierarchy} or {@link Ontology.fromConcepts}; both reject duplicate ids and cycles.
 * Names are matched case-insensitively ({@link casefold}) over labels and synonyms.
 */
export class Ontology {
  private readonly byId = new Map<string, Concept>();
  private readonly order: string[] = [];
  private readonly childMap = new Map<string, string[]>();
  private readonly nameIndex = new Map<string, string[]>();
  private readonly depthMemo = new Map<string, number>();

  private constructor(concepts: readonly ConceptInput[]) {
    for (const input of concepts) {
      if (typeof input.id !== "string" || input.id === "") throw new OntologyError(`Concept id must be a non-empty string, got ${JSON.stringify(input.id)}`);
      if (this.byId.has(input.id)) throw new OntologyError(`Duplicate concept id: '${input.id}'`, "ONTOLOGY_INVALID", { concept: input.id });
      const concept: Concept = Object.freeze({
        id: input.id,
        label: input.label ?? input.id,
        synonyms: Object.freeze([...(input.synonyms ?? [])]),
        parents: Object.freeze([...new Set(input.parents ?? [])]),
        ...(input.definition === undefined ? {} : { definition: input.definition }),
      });
      this.byId.set(concept.id, concept);
      this.order.push(concept.id);
    }
    for (const id of this.order) {
      const concept = this.byId.get(id)!;
      for (const p of concept.parents) {
        let kids = this.childMap.get(p);
        if (!kids) this.childMap.set(p, (kids = []));
        kids.push(id);
      }
      for (const name of [concept.label, ...concept.synonyms]) {
        const key = casefold(name);
        let ids = this.nameIndex.get(key);
        if (!ids) this.nameIndex.set(key, (ids = []));
        if (!ids.includes(id)) ids.push(id);
      }
    }
    this.rejectCycles();
  }

  /** Build from explicit concepts (ids unique; parents may be external ids). */
  static fromConcepts(concepts: readonly ConceptInput[]): Ontology {
    return new Ontology(concepts);
  }

  /**
   * Build from a nested hierarchy, walked depth-first in input order. A name seen again under another
   * parent gains that parent (a DAG), never a duplicate. Numbers, booleans, sets, byte arrays and
   * non-string mapping keys are rejected with an {@link OntologyError}; loops with an {@link OntologyCycleError}.
   */
  static fromHierarchy(data: unknown): Ontology {
    const parentsOf = new Map<string, string[]>();
    const visitName = (name: string, parent: string | null) => {
      let parents = parentsOf.get(name);
      if (!parents) parentsOf.set(name, (parents = []));
      if (parent !== null && !parents.includes(parent)) parents.push(parent);
    };
    const walk = (node: unknown, parent: string | null): void => {
      if (node === null || node === undefined) return;
      if (typeof node === "string") return visitName(node, parent);
      if (Array.isArray(node)) {
        for (const item of node) walk(item, parent);
        return;
      }
      if (node instanceof Map) {
        for (const [key, value] of node) {
          if (typeof key !== "string") throw unexpectedNode(key);
          visitName(key, parent);
          walk(value, key);
        }
        return;
      }
      if (isPlainObject(node)) {
        for (const [key, value] of Object.entries(node)) {
          visitName(key, parent);
          walk(value, key);
        }
        return;
      }
      throw unexpectedNode(node);
    };
    walk(data, null);
    return new Ontology([...parentsOf].map(([id, parents]) => ({ id, parents })));
  }

  /** Concept ids in insertion order. */
  get ids(): readonly string[] {
    return this.order;
  }

  /** Number of concepts. */
  get size(): number {
    return this.order.length;
  }

  /** Every concept, in insertion order. */
  get concepts(): readonly Concept[] {
    return this.order.map((id) => this.byId.get(id)!);
  }

  /** Concepts with no declared parents (a concept whose only parent is external is not a root). */
  get roots(): string[] {
    return this.order.filter((id) => this.byId.get(id)!.parents.length === 0);
  }

  /** Concepts that are nobody's child, in insertion order. */
  get leaves(): string[] {
    return this.order.filter((id) => !this.childMap.has(id));
  }

  /** Concepts with at least one child. */
  get branches(): string[] {
    return this.order.filter((id) => this.childMap.has(id));
  }

  /** Parent ids that are not concepts, sorted ascending. */
  get externalIds(): string[] {
    return [...this.childMap.keys()].filter((p) => !this.byId.has(p)).sort(compareCodePoints);
  }

  /** Whether `id` is a concept. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The concept `id`. Throws `UNKNOWN_CONCEPT` when there is none. */
  get(id: string): Concept {
    const concept = this.byId.get(id);
    if (!concept) throw new OntologyError(`Unknown concept: '${id}'`, "UNKNOWN_CONCEPT", { concept: id });
    return concept;
  }

  /** Direct children of `id`, in insertion order. */
  children(id: string): readonly string[] {
    this.get(id);
    return this.childMap.get(id) ?? [];
  }

  /** Ancestors of `id`, breadth-first over parents, nearest first, each once (external ids included). */
  ancestors(id: string): string[] {
    this.get(id);
    return bfs(this.byId.get(id)!.parents, (x) => this.byId.get(x)?.parents ?? []);
  }

  /** Descendants of `id`, breadth-first over children, each once. */
  descendants(id: string): string[] {
    this.get(id);
    return bfs(this.childMap.get(id) ?? [], (x) => this.childMap.get(x) ?? []);
  }

  /** Length of the longest path from a root: 0 without parents; external parents count as depth 0. */
  depth(id: string): number {
    this.get(id);
    const memo = this.depthMemo.get(id);
    if (memo !== undefined) return memo;
    const parents = this.byId.get(id)!.parents;
    let d = 0;
    for (const p of parents) d = Math.max(d, 1 + (this.byId.has(p) ? this.depth(p) : 0));
    this.depthMemo.set(id, d);
    return d;
  }

  /**
   * Ids whose label or synonym case-folds equal to `name`, plus `name` itself when it is exactly an id.
   * Empty = unmatched; more than one = ambiguous.
   */
  find(name: string): string[] {
    const out = [...(this.nameIndex.get(casefold(name)) ?? [])];
    if (this.byId.has(name) && !out.includes(name)) out.push(name);
    return out;
  }

  /** Case-folded names shared by two or more concepts. */
  get labelCollisions(): Map<string, string[]> {
    return new Map([...this.nameIndex].filter(([, ids]) => ids.length >= 2).map(([k, ids]) => [k, [...ids]]));
  }

  /** The concept's parents as printed in reports: labels joined with ", " (external ids as-is). */
  parentLabels(id: string): string {
    return this.get(id)
      .parents.map((p) => this.byId.get(p)?.label ?? p)
      .join(", ");
  }

  /** The hierarchy as plain data (one entry per concept), for JSON reports. */
  toJSON(): { concepts: Concept[] } {
    return { concepts: [...this.concepts] };
  }

  toString(): string {
    return `Ontology(${this.size} concepts, ${this.roots.length} roots, ${this.leaves.length} leaves, ${this.externalIds.length} external)`;
  }

  private rejectCycles(): void {
    const remaining = new Map<string, number>();
    for (const id of this.order) remaining.set(id, this.byId.get(id)!.parents.filter((p) => this.byId.has(p)).length);
    const queue = this.order.filter((id) => remaining.get(id) === 0);
    let removed = 0;
    while (queue.length > 0) {
      const id = queue.shift()!;
      removed++;
      for (const child of this.childMap.get(id) ?? []) {
        const left = remaining.get(child)! - 1;
        remaining.set(child, left);
        if (left === 0) queue.push(child);
      }
    }
    if (removed < this.order.length) throw new OntologyCycleError(this.order.find((id) => remaining.get(id)! > 0)!);
  }
}

function bfs(start: readonly string[], next: (id: string) => readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...start];
  const out: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    queue.push(...next(id));
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function unexpectedNode(node: unknown): OntologyError {
  const type = node instanceof Uint8Array ? "bytes" : node instanceof Set ? "set" : node instanceof Map ? "map" : typeof node;
  const repr = node instanceof Set ? `{${[...node].map(String).join(", ")}}` : node instanceof Uint8Array ? `bytes(${node.length})` : String(node);
  return new OntologyError(`Unexpected hierarchy node ${repr} (${type}); expected mapping, list, string, or null.`, "ONTOLOGY_INVALID", { node: repr });
}

/** Code-point order comparison (the order of Python's string sort). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}
