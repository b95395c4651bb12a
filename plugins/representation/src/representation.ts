import { invalidOption } from "./errors.js";
import { labelCoverage, type LabelCoverage } from "./label-coverage.js";
import { roundHalfEven } from "@assay/math";
import { compareCodePoints, type Ontology } from "./ontology.js";

/** What to do about a leaf: never collected (`acquire`) or under its target (`augment`). Leaves at or over target get no row ("ok"). */
export type RepresentationAction = "acquire" | "augment";

/** One row of the collection worklist. */
export interface WorklistRow {
  concept: string;
  label: string;
  /** Labels of the leaf's parents joined with ", " ("" for a root leaf). */
  parent: string;
  action: RepresentationAction;
  count: number;
  target: number;
  deficit: number;
}

/** A named class whose direct share of the dataset is under its floor. */
export interface FloorViolation {
  concept: string;
  label: string;
  floor: number;
  actual: number;
  /** `roundHalfEven(floor × total) − direct count` (may be 0 when the share is just under the floor). */
  shortfall: number;
}

/** A maximal subtree with no labels at all. */
export interface DarkBranch {
  concept: string;
  label: string;
  /** Leaves under it. */
  leaves: number;
}

/** Output of {@link evaluateRepresentation}. */
export interface RepresentationResult {
  /** Worklist rows, deficit descending then concept id. */
  worklist: WorklistRow[];
  totalDeficit: number;
  leafCoverage: number;
  violations: FloorViolation[];
  darkBranches: DarkBranch[];
  /** Every label counted, unmatched and ambiguous names included. */
  total: number;
  /** Target of every leaf (also those with no row), in leaf order. */
  targets: Map<string, number>;
  /** Floors naming no concept, or several (ignored). */
  ignoredFloors: string[];
  /** The observation-only projection of the counts. */
  coverage: LabelCoverage;
}

/** Arguments of {@link evaluateRepresentation}. */
export interface RepresentationInput {
  ontology: Ontology;
  /** Label count per class name (first-occurrence order); unmatched names still raise the targets. */
  counts: ReadonlyMap<string, number>;
  /** Minimum share of the whole dataset (0…1) for named classes; other leaves get 1 / #leaves. */
  expected?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

/**
 * The collection worklist of DataEval's `Representation`: per leaf a target (`share × total`, rounded
 * half to even), `acquire` rows for leaves with no labels, `augment` for leaves under target, floor
 * violations and dark branches.
 * @throws AssayError `INVALID_OPTION` for a floor outside [0, 1], or floors on an ontology without leaves.
 */
export function evaluateRepresentation(input: RepresentationInput): RepresentationResult {
  const { ontology, counts } = input;
  const expected = input.expected === undefined ? new Map<string, number>() : input.expected instanceof Map ? input.expected : new Map(Object.entries(input.expected));
  for (const [name, floor] of expected) {
    if (!Number.isFinite(floor) || floor < 0 || floor > 1) throw invalidOption(`expected["${name}"] is ${floor}; a floor is a share between 0 and 1`, `expected.${name}`);
  }
  const leaves = ontology.leaves;
  if (expected.size > 0 && leaves.length === 0) throw invalidOption("expected floors were given but the ontology has no leaves", "expected");

  let total = 0;
  for (const c of counts.values()) total += c;
  const coverage = labelCoverage(counts, ontology);
  const { direct, subtree } = coverage;

  const floors = new Map<string, number>();
  const ignoredFloors: string[] = [];
  for (const [name, floor] of expected) {
    const ids = ontology.find(name);
    if (ids.length === 1) floors.set(ids[0]!, floor);
    else ignoredFloors.push(name);
  }

  const targets = new Map<string, number>();
  const worklist: WorklistRow[] = [];
  for (const leaf of leaves) {
    const share = floors.get(leaf) ?? 1 / leaves.length;
    const target = roundHalfEven(share * total);
    targets.set(leaf, target);
    const count = direct.get(leaf)!;
    const deficit = target - count;
    if (deficit <= 0) continue;
    worklist.push({
      concept: leaf,
      label: ontology.get(leaf).label,
      parent: ontology.parentLabels(leaf),
      action: count === 0 ? "acquire" : "augment",
      count,
      target,
      deficit,
    });
  }
  worklist.sort((a, b) => b.deficit - a.deficit || compareCodePoints(a.concept, b.concept));

  const violations: FloorViolation[] = [];
  for (const [concept, floor] of floors) {
    const mass = direct.get(concept)!;
    const actual = total === 0 ? 0 : mass / total;
    if (actual < floor) violations.push({ concept, label: ontology.get(concept).label, floor, actual, shortfall: roundHalfEven(floor * total) - mass });
  }

  const darkBranches: DarkBranch[] = [];
  for (const id of ontology.branches) {
    if (subtree.get(id)! > 0) continue;
    const darkParent = ontology.get(id).parents.some((p) => ontology.has(p) && subtree.get(p) === 0);
    if (darkParent) continue;
    darkBranches.push({ concept: id, label: ontology.get(id).label, leaves: coverage.coveredLeaves.get(id)![1] });
  }
  darkBranches.sort((a, b) => b.leaves - a.leaves || compareCodePoints(a.concept, b.concept));

  return {
    worklist,
    totalDeficit: worklist.reduce((s, r) => s + r.deficit, 0),
    leafCoverage: coverage.leafCoverage,
    violations,
    darkBranches,
    total,
    targets,
    ignoredFloors,
    coverage,
  };
}
