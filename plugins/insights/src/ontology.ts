import { type Ontology, OntologyError, loadOntology } from "@assay/representation";
import type { HealthSummary } from "./class-health.js";
import { type ClassQualityRow, type OverlapRow, overlapsFromJoint, rankFromJoint } from "./class-health.js";
import { type CorrectionCell, type CorrectionTable, cellOrder } from "./corrections.js";
import { invalidInput, invalidOption } from "./errors.js";
import { flatSquare } from "./validate.js";

/**
 * A class ontology in the grammar of dataset-insights §6.1: nested branches whose leaves are class names
 * (or class indices). A branch key equal to a class name makes that class the branch's anchor.
 */
export type OntologyTree = { readonly [branch: string]: OntologyTree | readonly (string | number)[] };

/** Anything that can describe the class ontology: the §6.1 tree, an `Ontology` of @assay/representation. */
export type OntologySource = OntologyTree | Ontology;

/** Where each class sits: its path of branch keys and whether it anchors a branch. */
export interface ClassPaths {
  /** π(c): branch keys from the root down to the node holding c (for an anchor, ending with its own key). */
  paths: string[][];
  anchors: boolean[];
}

/** Relation of two classes in the ontology (dataset-insights §6.2). */
export type Relation = "is-a" | "sibling" | "related" | "cross-branch";

/** What a relation suggests: `ontology` (is-a, sibling), `ambiguous` (related) or `label-error` (cross-branch). */
export type Category = "ontology" | "ambiguous" | "label-error";

function isRepresentationOntology(value: unknown): value is Ontology {
  return typeof value === "object" && value !== null && typeof (value as Ontology).children === "function" && Array.isArray((value as Ontology).roots);
}

/** Read an ontology file (JSON or YAML) with @assay/representation's loader. */
export async function readOntology(path: string): Promise<Ontology> {
  return loadOntology(path);
}

/**
 * Resolve each class's path π(c) (dataset-insights §6.1). Errors (`OntologyError`, `INVALID_INPUT`) name
 * the item: an unknown class, a class listed twice, string leaves without class names, an empty key.
 */
export function classPaths(ontology: OntologySource, numClasses: number, classNames?: readonly string[]): ClassPaths {
  const paths: (string[] | undefined)[] = new Array(numClasses).fill(undefined);
  const anchors = new Array<boolean>(numClasses).fill(false);
  const indexOf = new Map<string, number>();
  classNames?.forEach((name, k) => indexOf.set(name, k));
  const resolveClass = (item: string | number, where: string): number => {
    if (typeof item === "number") {
      if (!Number.isInteger(item) || item < 0 || item >= numClasses) {
        throw new OntologyError(`ontology ${where}: class index ${item} is outside 0…${numClasses - 1} (unknown class)`, "UNKNOWN_CONCEPT", { item });
      }
      return item;
    }
    if (!classNames) throw new OntologyError(`ontology ${where}: leaf "${item}" is a class name but no class names are known; give classNames or use class indices`, "ONTOLOGY_INVALID", { item });
    const k = indexOf.get(item);
    if (k === undefined) throw new OntologyError(`ontology ${where}: "${item}" is not one of the dataset's classes (unknown class)`, "UNKNOWN_CONCEPT", { item });
    return k;
  };
  const place = (k: number, path: string[], anchor: boolean, where: string) => {
    if (paths[k] !== undefined) {
      const name = classNames?.[k] ?? String(k);
      throw new OntologyError(`ontology ${where}: class "${name}" is listed twice`, "ONTOLOGY_INVALID", { item: name });
    }
    paths[k] = path;
    anchors[k] = anchor;
  };

  if (isRepresentationOntology(ontology)) {
    const visit = (id: string, stack: string[]) => {
      const kids = ontology.children(id);
      const label = ontology.get(id).label;
      const isClass = classNames ? indexOf.has(id) || indexOf.has(label) : /^\d+$/.test(id);
      if (kids.length === 0) {
        const k = resolveClass(classNames ? (indexOf.has(id) ? id : label) : Number(id), `under "${stack.join("/") || "(root)"}"`);
        place(k, stack, false, `under "${stack.join("/") || "(root)"}"`);
        return;
      }
      const here = [...stack, id];
      if (isClass) place(resolveClass(classNames ? (indexOf.has(id) ? id : label) : Number(id), `key "${id}"`), here, true, `key "${id}"`);
      for (const child of kids) visit(child, here);
    };
    for (const root of ontology.roots) visit(root, []);
  } else {
    if (typeof ontology !== "object" || ontology === null || Array.isArray(ontology)) {
      throw new OntologyError("ontology must be an object of branches (dataset-insights §6.1)", "ONTOLOGY_INVALID");
    }
    const walk = (node: OntologyTree, stack: string[]) => {
      for (const [key, value] of Object.entries(node)) {
        if (key.trim() === "") throw new OntologyError(`ontology under "${stack.join("/") || "(root)"}": empty branch key`, "ONTOLOGY_INVALID", { item: key });
        const here = [...stack, key];
        if (classNames && indexOf.has(key)) place(indexOf.get(key)!, here, true, `key "${key}"`);
        if (Array.isArray(value)) {
          for (const item of value as readonly (string | number)[]) {
            if (typeof item !== "string" && typeof item !== "number") {
              throw new OntologyError(`ontology branch "${here.join("/")}": leaf ${JSON.stringify(item)} must be a class name or index`, "ONTOLOGY_INVALID", { item: String(item) });
            }
            place(resolveClass(item, `branch "${here.join("/")}"`), here, false, `branch "${here.join("/")}"`);
          }
        } else if (typeof value === "object" && value !== null) walk(value as OntologyTree, here);
        else throw new OntologyError(`ontology branch "${here.join("/")}" must hold a list of classes or nested branches`, "ONTOLOGY_INVALID", { item: key });
      }
    };
    walk(ontology as OntologyTree, []);
  }
  return { paths: paths.map((p) => p ?? []), anchors };
}

function isPrefix(p: readonly string[], q: readonly string[]): boolean {
  if (p.length > q.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
  return true;
}

function commonPrefix(p: readonly string[], q: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(p.length, q.length) && p[i] === q[i]; i++) out.push(p[i]!);
  return out;
}

/** The relation of classes a ≠ b, the general class of an is-a pair, and their common prefix λ (§6.2). */
export function relationOf(cp: ClassPaths, a: number, b: number): { relation: Relation; general?: number; lca: string[] } {
  const pa = cp.paths[a]!;
  const pb = cp.paths[b]!;
  const lca = commonPrefix(pa, pb);
  const aGen = cp.anchors[a]! && isPrefix(pa, pb);
  const bGen = cp.anchors[b]! && isPrefix(pb, pa);
  if (aGen || bGen) {
    const general = aGen && bGen ? (pa.length <= pb.length ? a : b) : aGen ? a : b;
    return { relation: "is-a", general, lca };
  }
  if (pa.length > 0 && pa.length === pb.length && isPrefix(pa, pb)) return { relation: "sibling", lca };
  if (lca.length >= 1) return { relation: "related", lca };
  return { relation: "cross-branch", lca };
}

/** The category of a relation (§6.2). */
export function categoryOf(relation: Relation): Category {
  return relation === "is-a" || relation === "sibling" ? "ontology" : relation === "related" ? "ambiguous" : "label-error";
}

/** One pair verdict of the roll-up (§6.3). */
export interface PairVerdict {
  a: number;
  b: number;
  nameA?: string;
  nameB?: string;
  relation: Relation;
  category: Category;
  /** Longest common prefix of the two paths. */
  lca: string[];
  numOverlapping: number;
  jointProbability: number;
  /** `J[a][b]`: given a, truly b. */
  forward: number;
  /** `J[b][a]`. */
  backward: number;
  /** `|forward − backward| / (forward + backward)`, 0 when both are 0. */
  asymmetry: number;
  dominant: "a→b" | "b→a" | "both";
  /** For is-a: the general class. */
  general?: number;
  /** For is-a: `J[general][specific] ≥ J[specific][general]`. */
  directionConsistent?: boolean;
  /** What to do about it. */
  advice: string;
}

/** A unit of the branch roll-up: a branch at the chosen depth, or a class above that depth. */
export interface OntologyUnit {
  name: string;
  /** Member class indices, ascending. */
  members: number[];
}

/** A class-health row for a unit (§6.4). */
export type UnitQualityRow = Omit<ClassQualityRow, "className" | "classIndex"> & { unit: string; unitIndex: number };

/** A symmetric overlap row between units (§6.4). */
export interface UnitOverlapRow {
  unitA: string;
  unitB: string;
  unitIndexA: number;
  unitIndexB: number;
  numOverlapping: number;
  jointProbability: number;
}

/** The ontology-aware roll-up (dataset-insights §6). */
export interface OntologyReport {
  depth: number;
  classes: { classIndex: number; className?: string; path: string[]; anchor: boolean; unit: number }[];
  verdicts: PairVerdict[];
  units: OntologyUnit[];
  /** JB, the joint summed over units. */
  unitJoint: number[][];
  branches: UnitQualityRow[];
  branchOverlaps: UnitOverlapRow[];
  within: number;
  cross: number;
  /** `within / (within + cross)`: the share of confusion that stays inside a unit (ontological). */
  withinShare: number;
  /** The correction cells re-keyed by unit (given/suggested are unit indices). */
  corrections: CorrectionCell[];
}

/** Options of {@link ontologyRollup}. */
export interface OntologyRollupOptions {
  /** Branch depth of the units (integer ≥ 1, default 1). */
  depth?: number;
  /** Minimum `numOverlapping` of a pair to get a verdict (default 1). */
  minOverlapCount?: number;
  /** Class names (default: the summary's). */
  classNames?: readonly string[];
}

const ADVICE: Record<Relation, string> = {
  "is-a": "drop or split the general class and relabel its examples with the specific class",
  sibling: "merge the classes or sharpen their definitions",
  related: "review the class definitions",
  "cross-branch": "fix the examples one by one",
};

/**
 * Read the confusion of a health summary through an ontology (dataset-insights §6): a verdict per
 * overlapping pair (is-a / sibling / related / cross-branch), and the joint, class health, overlaps and
 * corrections rolled up to branches at `depth`.
 */
export function ontologyRollup(
  ontology: OntologySource,
  summary: HealthSummary,
  corrections: CorrectionTable | undefined,
  options: OntologyRollupOptions = {},
): OntologyReport {
  const depth = options.depth ?? 1;
  const minOverlap = options.minOverlapCount ?? 1;
  if (!Number.isInteger(depth) || depth < 1) throw invalidOption(`depth must be a whole number ≥ 1 (got ${depth})`, { option: "depth" });
  if (!Number.isFinite(minOverlap) || minOverlap < 0) throw invalidOption(`minOverlapCount must be ≥ 0 (got ${minOverlap})`, { option: "minOverlapCount" });
  const { data: J, K } = flatSquare(summary.joint, "summary.joint");
  const N = summary.numExamples;
  const names = options.classNames ?? summary.classNames;
  if (names && names.length !== K) throw invalidInput(`classNames has ${names.length} entries but there are ${K} classes`, { K });
  const cp = classPaths(ontology, K, names);

  const verdicts: PairVerdict[] = [];
  for (const row of overlapsFromJoint(J, N, false)) {
    if (row.numOverlapping < minOverlap) continue;
    const a = row.classIndexA;
    const b = row.classIndexB;
    const rel = relationOf(cp, a, b);
    const forward = J[a * K + b]!;
    const backward = J[b * K + a]!;
    const v: PairVerdict = {
      a,
      b,
      ...(names ? { nameA: names[a]!, nameB: names[b]! } : {}),
      relation: rel.relation,
      category: categoryOf(rel.relation),
      lca: rel.lca,
      numOverlapping: row.numOverlapping,
      jointProbability: row.jointProbability,
      forward,
      backward,
      asymmetry: forward + backward === 0 ? 0 : Math.abs(forward - backward) / (forward + backward),
      dominant: forward > backward ? "a→b" : backward > forward ? "b→a" : "both",
      advice: ADVICE[rel.relation],
    };
    if (rel.general !== undefined) {
      const g = rel.general;
      const s = g === a ? b : a;
      v.general = g;
      v.directionConsistent = J[g * K + s]! >= J[s * K + g]!;
    }
    verdicts.push(v);
  }

  // units at `depth`, ordered by smallest member class index
  const unitKey = (c: number) => {
    const p = cp.paths[c]!;
    return p.length >= depth ? `b:${p[depth - 1]}` : `c:${c}`;
  };
  const unitIndex = new Map<string, number>();
  const units: OntologyUnit[] = [];
  const unitOf = new Int32Array(K);
  for (let c = 0; c < K; c++) {
    const key = unitKey(c);
    let u = unitIndex.get(key);
    if (u === undefined) {
      u = units.length;
      unitIndex.set(key, u);
      units.push({ name: key.startsWith("b:") ? key.slice(2) : (names?.[c] ?? String(c)), members: [] });
    }
    units[u]!.members.push(c);
    unitOf[c] = u;
  }
  const U = units.length;
  const JB = new Float64Array(U * U);
  let within = 0;
  let cross = 0;
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      const v = J[a * K + b]!;
      JB[unitOf[a]! * U + unitOf[b]!] += v;
      if (a === b) continue;
      if (unitOf[a] === unitOf[b]) within += v;
      else cross += v;
    }
  }
  const unitNames = units.map((u) => u.name);
  const branches: UnitQualityRow[] = rankFromJoint(JB, N).map(({ classIndex, className: _n, ...rest }) => ({ unit: unitNames[classIndex]!, unitIndex: classIndex, ...rest }));
  const branchOverlaps: UnitOverlapRow[] = overlapsFromJoint(JB, N, false).map((r: OverlapRow) => ({
    unitA: unitNames[r.classIndexA]!,
    unitB: unitNames[r.classIndexB]!,
    unitIndexA: r.classIndexA,
    unitIndexB: r.classIndexB,
    numOverlapping: r.numOverlapping,
    jointProbability: r.jointProbability,
  }));

  const rolled: CorrectionCell[] = [];
  if (corrections) {
    const merged = new Map<number, { examples: number[]; sc: number[] }>();
    for (const cell of corrections.cells) {
      const key = unitOf[cell.given]! * U + unitOf[cell.suggested]!;
      let m = merged.get(key);
      if (!m) merged.set(key, (m = { examples: [], sc: [] }));
      m.examples.push(...cell.examples);
      m.sc.push(...cell.selfConfidence);
    }
    const unitGiven = new Array<number>(U).fill(0);
    corrections.givenCounts.forEach((n, k) => {
      if (k < K) unitGiven[unitOf[k]!] += n;
    });
    for (const [key, m] of merged) {
      const given = Math.floor(key / U);
      const suggested = key - given * U;
      const order = m.examples.map((_, j) => j).sort((x, y) => m.sc[x]! - m.sc[y]! || m.examples[x]! - m.examples[y]!);
      rolled.push({
        given,
        suggested,
        givenName: unitNames[given]!,
        suggestedName: unitNames[suggested]!,
        count: m.examples.length,
        shareOfIssues: m.examples.length / corrections.numFlagged,
        shareOfGivenClass: m.examples.length / unitGiven[given]!,
        mutual: given !== suggested && merged.has(suggested * U + given),
        examples: order.map((j) => m.examples[j]!),
        selfConfidence: order.map((j) => m.sc[j]!),
      });
    }
    rolled.sort(cellOrder);
  }

  return {
    depth,
    classes: Array.from({ length: K }, (_, c) => ({
      classIndex: c,
      ...(names ? { className: names[c]! } : {}),
      path: cp.paths[c]!,
      anchor: cp.anchors[c]!,
      unit: unitOf[c]!,
    })),
    verdicts,
    units,
    unitJoint: Array.from({ length: U }, (_, i) => Array.from(JB.subarray(i * U, (i + 1) * U))),
    branches,
    branchOverlaps,
    within,
    cross,
    withinShare: within + cross === 0 ? 0 : within / (within + cross),
    corrections: rolled,
  };
}
