/**
 * The dataset-insights example: Fashion-MNIST (examples/data/fashion-insights) with planted sibling-class
 * label noise, planted conflicting duplicates, a multi-label variant and a clothing ontology, audited by
 * the insights preset of @assay/insights on the encoder's out-of-sample pred_probs and embeddings.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { artifacts, createDataset, createRegistry, pipeline, type Report } from "@assay/core";
import {
  type ConflictResult,
  type CorrectionTable,
  type HealthSummary,
  type MultiLabelHealthSummary,
  type OntologyReport,
  type OntologyTree,
  INSIGHTS_PRESET,
  multilabelHealthSummary,
  plugin as insights,
} from "@assay/insights";
import { duplicateGroups, duplicates, type DuplicatesResult } from "@assay/duplicates";
import { readNpy, toNumbers } from "@assay/io";
import { imageStats } from "@assay/linter";
import { knnGraph } from "@assay/math";

const HERE = dirname(fileURLToPath(import.meta.url));
/** This example's folder. */
export const EXAMPLE_ROOT = resolve(HERE, "..");
/** The bundled data. */
export const DEFAULT_DATA_DIR = resolve(EXAMPLE_ROOT, "../data/fashion-insights");

/** Everything the example computes. */
export interface StudioInsights {
  report: Report;
  classes: string[];
  health: HealthSummary;
  ontology: OntologyReport;
  corrections: CorrectionTable;
  duplicates: ConflictResult;
  multilabel: MultiLabelHealthSummary;
  tags: string[];
  ms: number;
}

async function matrix(path: string): Promise<{ rows: number; cols: number; data: Float32Array }> {
  const a = await readNpy(path);
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(toNumbers(a.data));
  return { rows: a.shape[0]!, cols: a.shape[1]!, data };
}

/** Run the insights preset (plus label-issues' kNN graph for the duplicates) on the bundled data. */
export async function runStudioInsights(dataDir = DEFAULT_DATA_DIR): Promise<StudioInsights> {
  const t0 = performance.now();
  const classes = (await readFile(join(dataDir, "classes.txt"), "utf8")).split("\n").map((s) => s.trim()).filter(Boolean);
  const labels = Int32Array.from(toNumbers((await readNpy(join(dataDir, "labels.npy"))).data));
  const predProbs = await matrix(join(dataDir, "pred_probs.npy"));
  const embeddings = await matrix(join(dataDir, "embeddings.npy"));
  const ontology = JSON.parse(await readFile(join(dataDir, "ontology.json"), "utf8")) as OntologyTree;

  const dataset = createDataset({ name: "fashion-insights", labels, classes, ids: Array.from(labels, (_, i) => `row${i}`) });
  const registry = createRegistry().use(insights);
  const options: Record<string, Record<string, unknown>> = {
    "overlapping-classes": { ontology, minOverlapCount: 5 },
    "ontology-rollup": { ontology, minOverlapCount: 5 },
    "suggested-corrections": { maxRows: 10 },
  };
  const report = await pipeline(dataset, { registry })
    .use(INSIGHTS_PRESET.map((name) => registry.factory(name)!(options[name] ?? {})))
    .use(knnGraph({ k: 10 }))
    .provide(artifacts.predProbs, predProbs)
    .provide(artifacts.embeddings, embeddings)
    .run();
  const result = <T>(name: string) => report.results[name]!.result as T;

  const multi = JSON.parse(await readFile(join(dataDir, "labels_multi.json"), "utf8")) as { tags: string[]; labels: number[][] };
  const multiProbs = await matrix(join(dataDir, "pred_probs_multi.npy"));
  const multilabel = multilabelHealthSummary(multi.labels, multiProbs, { classNames: multi.tags });

  return {
    report,
    classes,
    health: result<HealthSummary>("class-health"),
    ontology: result<OntologyReport>("ontology-rollup"),
    corrections: result<CorrectionTable>("suggested-corrections"),
    duplicates: result<ConflictResult>("conflicting-duplicates"),
    multilabel,
    tags: multi.tags,
    ms: performance.now() - t0,
  };
}

/** What {@link runWithDuplicatesLens} computes. */
export interface DuplicatesLensInsights {
  report: Report;
  /** The conflicting-duplicates result, read from the duplicates lens' `duplicates.groups`. */
  conflicts: ConflictResult;
  /** The duplicates detector's result (the same groups, plus leakage). */
  duplicates: DuplicatesResult;
}

/**
 * The conflicting duplicate sets again, this time from the duplicates lens: @assay/duplicates'
 * `duplicate-groups` extractor groups the 28×28 images once (exact pixels, equal pHash, and embedding
 * neighbours closer than `embeddingDistance` on the kNN graph) into the `duplicates.groups` artifact, which
 * both its `duplicates` detector and insights' `conflicting-duplicates` read.
 */
export async function runWithDuplicatesLens(embeddingDistance: number, dataDir = DEFAULT_DATA_DIR): Promise<DuplicatesLensInsights> {
  const classes = (await readFile(join(dataDir, "classes.txt"), "utf8")).split("\n").map((s) => s.trim()).filter(Boolean);
  const labels = Int32Array.from(toNumbers((await readNpy(join(dataDir, "labels.npy"))).data));
  const images = await readNpy(join(dataDir, "images.npy"));
  if (!(images.data instanceof Uint8Array)) throw new Error(`${join(dataDir, "images.npy")} must hold uint8 pixels`);
  const dataset = createDataset({ name: "fashion-insights", labels, classes, images: { data: images.data, shape: images.shape } });
  const registry = createRegistry().use(insights);
  const report = await pipeline(dataset, { registry })
    .use(imageStats(), knnGraph({ k: 10 }), duplicateGroups({ hashes: ["phash"], embeddingDistance }), duplicates(), registry.factory("conflicting-duplicates")!())
    .provide(artifacts.predProbs, await matrix(join(dataDir, "pred_probs.npy")))
    .provide(artifacts.embeddings, await matrix(join(dataDir, "embeddings.npy")))
    .run();
  return {
    report,
    conflicts: report.results["conflicting-duplicates"]!.result as ConflictResult,
    duplicates: report.results.duplicates!.result as DuplicatesResult,
  };
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const width = header.map((_, j) => Math.max(...cells.map((r) => r[j]!.length)));
  const line = (r: readonly string[]) => r.map((c, j) => (j === 0 ? c.padEnd(width[j]!) : c.padStart(width[j]!))).join("  ").trimEnd();
  return [line(cells[0]!), width.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

const f3 = (x: number) => x.toFixed(3);

/** The four tables the example prints (and a multi-label line). */
export function renderStudioInsights(r: StudioInsights): string {
  const out: string[] = [];
  const h = r.health;
  out.push(`overall label health ${f3(h.overallLabelHealthScore)} (${h.numIssues} of ${h.numExamples} examples look mislabelled)\n`);
  out.push("class health (worst first)");
  out.push(
    table(
      ["class", "quality", "label issues", "inverse issues", "noise", "inverse noise"],
      h.classesByLabelQuality.map((c) => [c.className!, f3(c.labelQuality), c.labelIssues, c.inverseLabelIssues, f3(c.labelNoise), f3(c.inverseLabelNoise)]),
    ),
  );
  out.push("\noverlapping classes with their ontology verdicts");
  out.push(
    table(
      ["pair", "overlap", "joint p", "relation", "category", "dominant"],
      r.ontology.verdicts.map((v) => [
        `${v.nameA} / ${v.nameB}`,
        v.numOverlapping,
        f3(v.jointProbability),
        v.relation,
        v.category,
        v.dominant === "a→b" ? `${v.nameA}→${v.nameB}` : v.dominant === "b→a" ? `${v.nameB}→${v.nameA}` : "both",
      ]),
    ),
  );
  out.push(`confusion inside a top-level branch: ${(100 * r.ontology.withinShare).toFixed(1)}%`);
  const c = r.corrections;
  out.push(`\nsuggested corrections (${c.numFlagged} flagged, ${c.totalRows} cells; top ${c.rows.length})`);
  out.push(
    table(
      ["given → suggested", "count", "share", "of given", "mutual", "examples"],
      c.rows.map((x) => [`${x.givenName} → ${x.suggestedName}`, x.count, f3(x.shareOfIssues), f3(x.shareOfGivenClass), x.mutual ? "yes" : "", x.examples.slice(0, 4).join(" ") + (x.count > 4 ? " …" : "")]),
    ),
  );
  const d = r.duplicates;
  out.push(`\nconflicting duplicate sets (${d.summary.numConflicting} of ${d.summary.numGroups} groups from ${d.source}, distance ≤ ${d.maxDistance?.toFixed(4) ?? "-"})`);
  const name = (k: number | number[]) => (typeof k === "number" ? r.classes[k]! : k.map((x) => r.classes[x]).join("+"));
  out.push(
    table(
      ["members", "labels", "suggested", "suspects", "agreement"],
      d.conflicts.map((x) => [x.members.join(" "), x.labels.map(name).join(" / "), x.suggested === undefined ? "-" : name(x.suggested), x.suspects.join(" "), f3(x.agreement)]),
    ),
  );
  const m = r.multilabel;
  const worst = m.classesByMultilabelQuality.slice(0, 3).map((w) => `${w.className} ${f3(w.labelQuality)}`);
  out.push(`\nmulti-label variant: health ${f3(m.overallMultilabelHealthScore)}; worst tags ${worst.join(", ")}`);
  return out.join("\n");
}
