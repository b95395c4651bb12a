import { median } from "@assay/math";
import { invalidOption } from "./errors.js";
import { compareCodePoints, type Ontology } from "./ontology.js";
import type { RepresentationResult } from "./representation.js";

/** The per-class row of the coverage lens that the gap report reads (structural: no import of @assay/coverage). */
export interface CoverageRowLike {
  class: string;
  dispersion: number | null;
  isotropy: number | null;
  nearDuplicateFraction: number | null;
  assessable: boolean;
}

/** The recommended action of a leaf, as a finding type. */
export type GapAction = "acquire" | "collect_more" | "broaden" | "deduplicate" | "vary_axis" | "unassessed" | "ok";

/** The recommended action of a branch. */
export type BranchAction = "acquire" | "review" | "ok";

/** Per action: rank, label status and the text the seed prints. */
export const GAP_RULES: Readonly<Record<GapAction, { rank: number; labelStatus: "missing" | "under-collected" | "present"; text: string }>> = {
  acquire: { rank: 0, labelStatus: "missing", text: "acquire data (label gap)" },
  collect_more: { rank: 1, labelStatus: "under-collected", text: "collect more (label gap)" },
  broaden: { rank: 2, labelStatus: "present", text: "broaden (clustered)" },
  deduplicate: { rank: 3, labelStatus: "present", text: "deduplicate (repeated frames)" },
  vary_axis: { rank: 4, labelStatus: "present", text: "vary the axis (one-dimensional)" },
  unassessed: { rank: 5, labelStatus: "present", text: "unassessed (too few samples)" },
  ok: { rank: 6, labelStatus: "present", text: "ok" },
};

/** One leaf of the gap report. */
export interface GapRow {
  /** The leaf's label (the class name). */
  class: string;
  concept: string;
  /** Labels placed directly on the leaf. */
  count: number;
  labelStatus: "missing" | "under-collected" | "present";
  dispersion: number | null;
  isotropy: number | null;
  nearDup: number | null;
  action: GapAction;
  /** The seed's wording of the action, e.g. `"broaden (clustered)"`. */
  gap: string;
}

/** One internal concept of the gap report. */
export interface BranchGapRow {
  concept: string;
  label: string;
  depth: number;
  /** Labels in the whole subtree. */
  count: number;
  /** Leaves under the branch with labels, and all leaves under it. */
  coveredLeaves: readonly [number, number];
  /** Leaves under the branch whose action is not `ok`. */
  leavesNeedingAction: string[];
  /** `acquire`: a maximal dark branch (no labels anywhere below); `review`: some leaves need action. */
  action: BranchAction;
  gap: string;
}

/** Cut-offs of the gap rules (seed values). */
export interface GapReportOptions {
  /** A leaf is clustered when its dispersion < this × the median dispersion (default 0.5). */
  dispersionFactor?: number;
  /** One-dimensional when isotropy < this × the median isotropy (default 0.5). */
  isotropyFactor?: number;
  /** Repeated frames when the near-duplicate fraction > this (default 0.1). */
  nearDuplicateCutoff?: number;
}

/** The combined label-space and embedding-space gap report. */
export interface GapReport {
  /** Leaves, sorted by rule rank then class name. */
  rows: GapRow[];
  /** Internal concepts, in ontology order. */
  branches: BranchGapRow[];
  cutoffs: { dispersion: number | null; isotropy: number | null; nearDuplicate: number };
  totalDeficit: number;
  leafCoverage: number;
}

/** Arguments of {@link gapReport}. */
export interface GapReportInput {
  ontology: Ontology;
  representation: RepresentationResult;
  /** The coverage lens's per-class rows, or its whole result (anything with `rows`). */
  coverage: readonly CoverageRowLike[] | { readonly rows: readonly CoverageRowLike[] };
  options?: GapReportOptions;
}

/**
 * Merge representation (label gaps) and coverage (embedding gaps) into one recommended action per
 * leaf, first rule wins: acquire, collect more, broaden (dispersion < factor × median), deduplicate
 * (near-dup fraction > cutoff), vary the axis (isotropy < factor × median), unassessed, ok.
 * Coverage class names are resolved to leaves with `ontology.find`.
 */
export function gapReport(input: GapReportInput): GapReport {
  const { ontology, representation } = input;
  const o = input.options ?? {};
  const dispersionFactor = positive(o.dispersionFactor ?? 0.5, "dispersionFactor");
  const isotropyFactor = positive(o.isotropyFactor ?? 0.5, "isotropyFactor");
  const nearDuplicateCutoff = o.nearDuplicateCutoff ?? 0.1;
  if (!Number.isFinite(nearDuplicateCutoff) || nearDuplicateCutoff < 0) throw invalidOption(`nearDuplicateCutoff is ${nearDuplicateCutoff}; it must be ≥ 0`, "nearDuplicateCutoff");
  const coverageRows = "rows" in input.coverage ? input.coverage.rows : input.coverage;

  const values = (pick: (r: CoverageRowLike) => number | null) =>
    coverageRows.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  const dispersions = values((r) => r.dispersion);
  const isotropies = values((r) => r.isotropy);
  const dispCut = dispersions.length === 0 ? null : dispersionFactor * median(dispersions);
  const isoCut = isotropies.length === 0 ? null : isotropyFactor * median(isotropies);

  const rowOf = new Map<string, CoverageRowLike>();
  for (const row of coverageRows) {
    const ids = ontology.find(row.class);
    if (ids.length === 1 && !rowOf.has(ids[0]!)) rowOf.set(ids[0]!, row);
  }
  const actionOf = new Map(representation.worklist.map((w) => [w.concept, w.action]));
  const fires = (v: number | null | undefined, test: (x: number) => boolean) => v !== null && v !== undefined && Number.isFinite(v) && test(v);

  const rows: GapRow[] = ontology.leaves.map((leaf) => {
    const cov = rowOf.get(leaf);
    const work = actionOf.get(leaf);
    let action: GapAction;
    if (work === "acquire") action = "acquire";
    else if (work === "augment") action = "collect_more";
    else if (dispCut !== null && fires(cov?.dispersion, (x) => x < dispCut)) action = "broaden";
    else if (fires(cov?.nearDuplicateFraction, (x) => x > nearDuplicateCutoff)) action = "deduplicate";
    else if (isoCut !== null && fires(cov?.isotropy, (x) => x < isoCut)) action = "vary_axis";
    else if (!cov || !cov.assessable) action = "unassessed";
    else action = "ok";
    return {
      class: ontology.get(leaf).label,
      concept: leaf,
      count: representation.coverage.direct.get(leaf) ?? 0,
      labelStatus: GAP_RULES[action].labelStatus,
      dispersion: cov?.dispersion ?? null,
      isotropy: cov?.isotropy ?? null,
      nearDup: cov?.nearDuplicateFraction ?? null,
      action,
      gap: GAP_RULES[action].text,
    };
  });
  rows.sort((a, b) => GAP_RULES[a.action].rank - GAP_RULES[b.action].rank || compareCodePoints(a.class, b.class));

  const leafAction = new Map(rows.map((r) => [r.concept, r.action]));
  const dark = new Set(representation.darkBranches.map((d) => d.concept));
  const branches: BranchGapRow[] = ontology.branches.map((id) => {
    const under = ontology.descendants(id).filter((x) => leafAction.has(x));
    const needing = under.filter((x) => leafAction.get(x) !== "ok");
    const action: BranchAction = dark.has(id) ? "acquire" : needing.length > 0 ? "review" : "ok";
    const gap =
      action === "acquire"
        ? "acquire data (dark branch)"
        : action === "review"
          ? `${needing.length} of ${under.length} leaves need action`
          : "ok";
    return {
      concept: id,
      label: ontology.get(id).label,
      depth: ontology.depth(id),
      count: representation.coverage.subtree.get(id) ?? 0,
      coveredLeaves: representation.coverage.coveredLeaves.get(id) ?? [0, 0],
      leavesNeedingAction: needing,
      action,
      gap,
    };
  });

  return {
    rows,
    branches,
    cutoffs: { dispersion: dispCut, isotropy: isoCut, nearDuplicate: nearDuplicateCutoff },
    totalDeficit: representation.totalDeficit,
    leafCoverage: representation.leafCoverage,
  };
}

function positive(v: number, name: string): number {
  if (!Number.isFinite(v) || v <= 0) throw invalidOption(`${name} is ${v}; it must be a positive number`, name);
  return v;
}

/** Render a gap report as a plain-text table (leaves, then branches), numbers to 2 decimals. */
export function renderGapTable(report: GapReport): string {
  const fmt = (v: number | null) => (v === null ? "-" : v.toFixed(2));
  const leafTable = table(
    ["class", "count", "label status", "dispersion", "isotropy", "near-dup", "gap"],
    report.rows.map((r) => [r.class, String(r.count), r.labelStatus, fmt(r.dispersion), fmt(r.isotropy), fmt(r.nearDup), r.gap]),
    [false, true, false, true, true, true, false],
  );
  const branchTable = table(
    ["branch", "depth", "count", "leaves covered", "action"],
    report.branches.map((b) => [b.label, String(b.depth), String(b.count), `${b.coveredLeaves[0]}/${b.coveredLeaves[1]}`, b.gap]),
    [false, true, true, true, false],
  );
  const head = `leaf coverage ${(report.leafCoverage * 100).toFixed(1)}%, total deficit ${report.totalDeficit}`;
  return `${leafTable}\n\n${branchTable}\n\n${head}\n`;
}

function table(header: string[], body: string[][], right: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
