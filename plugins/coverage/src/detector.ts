import { artifacts, defineArtifact, defineDetector, defineExtractor, z, type FindingInput } from "@assay/core";
import { median } from "@assay/math";
import { coverageAnalysis, type CoverageAnalysis } from "./analysis.js";
import { invalidInput } from "./coverage.js";

declare module "@assay/core" {
  interface ArtifactMap {
    /** The coverage lens's per-class table and global pass (@assay/coverage). */
    "coverage.analysis": CoverageAnalysis;
  }
}

/** Typed key of the `coverage.analysis` artifact. */
export const coverageAnalysisArtifact = defineArtifact("coverage.analysis");

const PLUGIN = "@assay/coverage";
const VERSION = "0.1.0";

/** Options of the `coverage.analysis` extractor (see {@link coverageAnalysis}). */
export const coverageAnalysisOptions = z.object({
  method: z.enum(["naive", "adaptive"]).default("adaptive"),
  numObservations: z.number().int().min(1).default(20),
  percent: z.number().min(0).max(1).default(0.01),
  minClassSamples: z.number().int().min(1).default(20),
  isotropyMinSamples: z.number().int().min(1).nullable().default(null),
  nearDuplicateFactor: z.number().positive().default(0.5),
  pca: z.number().int().min(1).nullable().default(null),
  search: z.enum(["exact", "approximate"]).default("exact"),
  hnsw: z
    .object({
      M: z.number().int().min(2).optional(),
      efConstruction: z.number().int().min(1).optional(),
      efSearch: z.number().int().min(1).optional(),
      seed: z.number().int().min(0).optional(),
    })
    .optional(),
  nndescent: z
    .object({
      neighbors: z.number().int().min(1).optional(),
      trees: z.number().int().min(0).max(1024).optional(),
      leafSize: z.number().int().min(2).max(4096).optional(),
      maxCandidates: z.number().int().min(1).max(4096).optional(),
      iterations: z.number().int().min(0).max(1000).optional(),
      delta: z.number().min(0).optional(),
      seed: z.number().int().min(0).optional(),
    })
    .optional(),
});

/**
 * Extractor `coverage.analysis`: runs {@link coverageAnalysis} on the `embeddings` artifact and the
 * dataset's classification labels. Reuses the shared `knn` graph when one is in the pipeline (and no
 * PCA is requested); otherwise searches itself. Its output feeds the `coverage` detector and the gap report.
 */
export const coverageAnalysisExtractor = defineExtractor({
  name: "coverage.analysis",
  version: VERSION,
  plugin: PLUGIN,
  description: "Embedding-space coverage: uncovered samples and per-class dispersion, isotropy, near-duplicates",
  options: coverageAnalysisOptions,
  needs: [artifacts.embeddings],
  wants: [artifacts.knn],
  provides: coverageAnalysisArtifact,
  run: async (ctx, inputs, options) => {
    const ds = ctx.dataset;
    if (ds.task !== "classification") {
      throw invalidInput(`coverage needs one embedding per labelled image; dataset "${ds.name}" is ${ds.task}`, { task: ds.task });
    }
    let graph = inputs.knn;
    if (graph && (options.pca !== null || graph.metric !== "euclidean" || graph.k - (graph.includesSelf ? 1 : 0) < options.numObservations || graph.rows !== ds.size)) {
      ctx.warn(`the shared knn graph (k ${graph.k}, ${graph.metric}${options.pca !== null ? ", before PCA" : ""}) does not fit; searching neighbours again`);
      graph = undefined;
    }
    const { hnsw, nndescent, ...rest } = options;
    return coverageAnalysis(inputs.embeddings, ds.labels, {
      ...rest,
      ...(hnsw ? { hnsw: stripUndefined(hnsw) } : {}),
      ...(nndescent ? { nndescent: stripUndefined(nndescent) } : {}),
      classNames: ds.classes,
      signal: ctx.signal,
      ...(graph ? { knnGraph: graph } : {}),
    });
  },
});

function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

/**
 * Detector `coverage`: findings from the `coverage.analysis` artifact — `uncovered_sample` (info) per
 * globally uncovered sample (score = critical radius), per class `clustered`, `one_dimensional`,
 * `near_duplicates` (warning) and `unassessed_class` (info). Cut-offs as in the gap report.
 */
export const coverageDetector = defineDetector({
  name: "coverage",
  version: VERSION,
  plugin: PLUGIN,
  description: "Uncovered samples and clustered, one-dimensional or duplicated classes in embedding space",
  options: z.object({
    dispersionFactor: z.number().positive().default(0.5),
    isotropyFactor: z.number().positive().default(0.5),
    nearDuplicateCutoff: z.number().min(0).default(0.1),
  }),
  needs: [coverageAnalysisArtifact],
  run: async (_ctx, inputs, options) => {
    const a = inputs["coverage.analysis"];
    return { result: a, findings: coverageFindings(a, options), summary: coverageSummary(a) };
  },
});

/** Headline numbers of a coverage analysis. */
export function coverageSummary(a: CoverageAnalysis): Record<string, number | string | boolean> {
  return {
    method: a.method,
    uncovered: a.uncoveredIndices.length,
    coverage_radius: a.coverageRadius,
    classes: a.rows.length,
    assessable: a.rows.filter((r) => r.assessable).length,
    approximate: a.approximate,
  };
}

/** The coverage lens's findings for an analysis and cut-offs. */
export function coverageFindings(
  a: CoverageAnalysis,
  o: { dispersionFactor: number; isotropyFactor: number; nearDuplicateCutoff: number },
): FindingInput[] {
  const findings: FindingInput[] = [];
  for (const i of a.uncoveredIndices) {
    findings.push({
      type: "uncovered_sample",
      indices: [i],
      score: a.criticalValueRadii[i]!,
      severity: "info",
      message: `sample ${i} has fewer than ${a.numObservations} neighbours within the coverage radius ${a.coverageRadius.toPrecision(4)}`,
      data: { radius: a.criticalValueRadii[i]!, coverageRadius: a.coverageRadius },
    });
  }
  const values = (pick: (r: (typeof a.rows)[number]) => number | null) => a.rows.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  const disp = values((r) => r.dispersion);
  const iso = values((r) => r.isotropy);
  const dispCut = disp.length ? o.dispersionFactor * median(disp) : null;
  const isoCut = iso.length ? o.isotropyFactor * median(iso) : null;
  for (const row of a.rows) {
    const data = { class: row.class, id: row.id, count: row.count, dispersion: row.dispersion, isotropy: row.isotropy, nearDuplicateFraction: row.nearDuplicateFraction };
    if (!row.assessable) {
      findings.push({ type: "unassessed_class", indices: [], severity: "info", message: `class "${row.class}" has ${row.count} samples, too few to assess`, data });
      continue;
    }
    if (dispCut !== null && row.dispersion !== null && row.dispersion < dispCut) {
      findings.push({ type: "clustered", indices: row.indices, score: row.dispersion, severity: "warning", message: `class "${row.class}" is clustered (dispersion ${row.dispersion.toFixed(3)} < ${dispCut.toFixed(3)})`, data });
    }
    if (isoCut !== null && row.isotropy !== null && row.isotropy < isoCut) {
      findings.push({ type: "one_dimensional", indices: row.indices, score: row.isotropy, severity: "warning", message: `class "${row.class}" varies along few directions (isotropy ${row.isotropy.toFixed(3)} < ${isoCut.toFixed(3)})`, data });
    }
    if (row.nearDuplicateFraction !== null && row.nearDuplicateFraction > o.nearDuplicateCutoff) {
      findings.push({
        type: "near_duplicates",
        indices: row.nearDuplicateIndices,
        score: row.nearDuplicateFraction,
        severity: "warning",
        message: `${(row.nearDuplicateFraction * 100).toFixed(1)}% of class "${row.class}"'s neighbour pairs are near-duplicates`,
        data,
      });
    }
  }
  return findings;
}
