import { defineArtifact, defineDetector, z, type FindingInput, type NodeContext } from "@assay/core";
import { countsByName, labelStatsArtifact, labelStatsFromDataset, type LabelStats } from "@assay/label-stats";
import { gapReport, type CoverageRowLike, type GapAction } from "./gap-report.js";
import { loadOntology } from "./load.js";
import { Ontology } from "./ontology.js";
import { evaluateRepresentation, type RepresentationResult } from "./representation.js";

const PLUGIN = "@assay/representation";
const VERSION = "0.1.0";

/**
 * The coverage lens's per-class table, read through its artifact (provided by `@assay/coverage`'s
 * `coverage.analysis` extractor). Typed structurally here so this package does not depend on that one.
 */
export const coverageAnalysisArtifact = defineArtifact<"coverage.analysis", { readonly rows: readonly CoverageRowLike[] }>("coverage.analysis");

/** An ontology, a path to a `.json`/`.yaml` file, or a nested hierarchy object/list. */
const ontologyOption = z.union([z.custom<Ontology>((v) => v instanceof Ontology, "expected an Ontology"), z.string().min(1), z.array(z.unknown()), z.record(z.string(), z.unknown())]);
const floorsOption = z.record(z.string(), z.number().min(0).max(1)).optional();

async function resolveOntology(source: z.output<typeof ontologyOption>): Promise<Ontology> {
  if (source instanceof Ontology) return source;
  if (typeof source === "string") return loadOntology(source);
  return Ontology.fromHierarchy(source);
}

interface Evaluated {
  ontology: Ontology;
  stats: LabelStats;
  representation: RepresentationResult;
  /** Class name → ascending dataset rows carrying it. */
  rowsOf(name: string): number[];
  /** Rows carrying any name resolved to a concept. */
  rowsOfConcept(concept: string): number[];
}

async function evaluate(
  ctx: NodeContext,
  stats: LabelStats | undefined,
  options: { ontology: z.output<typeof ontologyOption>; expected?: Record<string, number> | undefined },
): Promise<Evaluated> {
  const ontology = await resolveOntology(options.ontology);
  const labelStats = stats ?? labelStatsFromDataset(ctx.dataset);
  const representation = evaluateRepresentation({ ontology, counts: countsByName(labelStats), ...(options.expected ? { expected: options.expected } : {}) });
  for (const name of representation.ignoredFloors) ctx.warn(`expected floor "${name}" names no single concept of the ontology; ignored`);
  const byName = new Map<string, number[]>();
  for (const [id, name] of labelStats.index2label) {
    const list = byName.get(name) ?? [];
    list.push(...(labelStats.imageIndicesPerClass.get(id) ?? []));
    byName.set(name, list);
  }
  const rowsOf = (name: string) => [...new Set(byName.get(name) ?? [])].sort((a, b) => a - b);
  const rowsOfConcept = (concept: string) => {
    const names = [...representation.coverage.matched].filter(([, id]) => id === concept).map(([n]) => n);
    return [...new Set(names.flatMap(rowsOf))].sort((a, b) => a - b);
  };
  return { ontology, stats: labelStats, representation, rowsOf, rowsOfConcept };
}

/** The representation lens's findings (see the README's table). */
export function representationFindings(e: Pick<Evaluated, "representation" | "rowsOf" | "rowsOfConcept">): FindingInput[] {
  const r = e.representation;
  const findings: FindingInput[] = [];
  if (r.total === 0) findings.push({ type: "no_labels", indices: [], severity: "warning", message: "the dataset has no labels, so every target is 0" });
  for (const row of r.worklist) {
    findings.push({
      type: row.action,
      indices: row.action === "acquire" ? [] : e.rowsOfConcept(row.concept),
      score: row.deficit / row.target,
      severity: row.action === "acquire" ? "error" : "warning",
      message:
        row.action === "acquire"
          ? `"${row.label}" has no labels; acquire ${row.deficit} to reach the target of ${row.target}`
          : `"${row.label}" has ${row.count} labels, ${row.deficit} under its target of ${row.target}`,
      data: { ...row, class: row.label },
    });
  }
  for (const d of r.darkBranches) {
    findings.push({ type: "dark_branch", indices: [], severity: "warning", message: `no labels anywhere under "${d.label}" (${d.leaves} leaves)`, data: { ...d } });
  }
  for (const v of r.violations) {
    findings.push({
      type: "representation_violation",
      indices: e.rowsOfConcept(v.concept),
      severity: "error",
      message: `"${v.label}" holds ${(v.actual * 100).toFixed(2)}% of the labels, under its floor of ${(v.floor * 100).toFixed(2)}%`,
      data: { ...v },
    });
  }
  for (const [name, count] of r.coverage.unmatched) {
    findings.push({ type: "unmatched_label", indices: e.rowsOf(name), severity: "warning", message: `class "${name}" (${count} labels) is not in the ontology`, data: { name, count } });
  }
  for (const [name, ids] of r.coverage.ambiguous) {
    findings.push({ type: "ambiguous_label", indices: e.rowsOf(name), severity: "warning", message: `class "${name}" matches several concepts: ${ids.join(", ")}`, data: { name, concepts: ids } });
  }
  return findings;
}

/**
 * Detector `representation({ ontology, expected? })`: the collection worklist against an ontology.
 * Findings `acquire` / `augment` per leaf (with `data.class` = the leaf's class name), `dark_branch`,
 * `representation_violation`, `unmatched_label`, `ambiguous_label`, `no_labels`. Reuses `label.stats` when provided.
 */
export const representationDetector = defineDetector({
  name: "representation",
  version: VERSION,
  plugin: PLUGIN,
  description: "Label counts against an ontology: leaves to acquire or augment, dark branches, floors",
  options: z.object({ ontology: ontologyOption, expected: floorsOption }),
  needs: [],
  wants: [labelStatsArtifact],
  run: async (ctx, inputs, options) => {
    const e = await evaluate(ctx, inputs["label.stats"], options);
    const r = e.representation;
    return {
      result: { ontology: e.ontology.toJSON(), ...r },
      findings: representationFindings(e),
      summary: {
        leaves: e.ontology.leaves.length,
        leaf_coverage: r.leafCoverage,
        acquire: r.worklist.filter((w) => w.action === "acquire").length,
        augment: r.worklist.filter((w) => w.action === "augment").length,
        total_deficit: r.totalDeficit,
        dark_branches: r.darkBranches.length,
        unmatched_labels: [...r.coverage.unmatched.values()].reduce((s, c) => s + c, 0),
      },
    };
  },
});

const SEVERITY: Record<Exclude<GapAction, "ok">, FindingInput["severity"]> = {
  acquire: "error",
  collect_more: "warning",
  broaden: "warning",
  deduplicate: "warning",
  vary_axis: "warning",
  unassessed: "info",
};

/**
 * Detector `gaps({ ontology, expected?, dispersionFactor?, isotropyFactor?, nearDuplicateCutoff? })`:
 * the combined gap report. Needs the `coverage.analysis` artifact (from `@assay/coverage`); computes
 * representation itself with the same pure functions as the `representation` detector. One finding per
 * leaf whose action is not `ok`, its `type` the action (`acquire`, `collect_more`, `broaden`,
 * `deduplicate`, `vary_axis`, `unassessed`), `data.class` the leaf's class name.
 */
export const gapsDetector = defineDetector({
  name: "gaps",
  version: VERSION,
  plugin: PLUGIN,
  description: "One recommended action per leaf and branch from representation and embedding coverage",
  options: z.object({
    ontology: ontologyOption,
    expected: floorsOption,
    dispersionFactor: z.number().positive().default(0.5),
    isotropyFactor: z.number().positive().default(0.5),
    nearDuplicateCutoff: z.number().min(0).default(0.1),
  }),
  needs: [coverageAnalysisArtifact],
  wants: [labelStatsArtifact],
  run: async (ctx, inputs, options) => {
    const e = await evaluate(ctx, inputs["label.stats"], options);
    const report = gapReport({
      ontology: e.ontology,
      representation: e.representation,
      coverage: inputs["coverage.analysis"],
      options: { dispersionFactor: options.dispersionFactor, isotropyFactor: options.isotropyFactor, nearDuplicateCutoff: options.nearDuplicateCutoff },
    });
    const findings: FindingInput[] = [];
    for (const row of report.rows) {
      if (row.action === "ok") continue;
      findings.push({
        type: row.action,
        indices: row.action === "acquire" ? [] : e.rowsOfConcept(row.concept),
        severity: SEVERITY[row.action],
        message: `${row.class}: ${row.gap}`,
        data: { ...row },
      });
    }
    const counts: Record<string, number> = {};
    for (const row of report.rows) counts[row.action] = (counts[row.action] ?? 0) + 1;
    return {
      result: report,
      findings,
      summary: { leaves: report.rows.length, leaf_coverage: report.leafCoverage, total_deficit: report.totalDeficit, ...counts },
    };
  },
});
