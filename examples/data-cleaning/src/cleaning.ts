/**
 * The seed cleaning workflow in one core pipeline — image statistics → outliers → duplicates (exact, near by
 * hash, near by embedding through the shared kNN graph, leakage across splits) → clusters — and the one
 * cleaning table that turns its findings into a per-sample recommendation: drop or review.
 */
import { createRegistry, pipeline, type Dataset, type Finding, type Report } from "@assay/core";
import { clusterer, plugin as clustererPlugin } from "@assay/clusterer";
import { duplicates, plugin as duplicatesPlugin } from "@assay/duplicates";
import { invalidBoxes, loadDataset, plugin as ioPlugin } from "@assay/io";
import { plugin as labelIssuesPlugin } from "@assay/label-issues";
import { knnGraph } from "@assay/math";
import { imageStats, outliers, plugin as linterPlugin, type StatName } from "@assay/linter";
import { fourierEmbedding } from "./spectrum.js";

/** What the example does with each finding type. */
export type Action = "drop" | "review";

/** Options of {@link runCleaning}; the defaults are the tuned values documented in the README. */
export interface CleaningOptions {
  /** Dataset format for `loadDataset` (auto-detected when omitted). */
  format?: "imagefolder" | "voc" | "coco" | "csv";
  /** Class names (VOC sorts names alphabetically unless given the list). */
  classes?: string[];
  /** Perceptual hashes used for near duplicates (default `["phash"]`: dHash of 28×28 images collides on clean pairs). */
  hashes?: ("phash" | "dhash")[];
  /**
   * Perceptual hashes used only to find leakage (default `["dhash"]`): their groups are computed too, but a
   * group found by these hashes alone makes a row only for its members outside the kept copy's split
   * (`leakage`, review); within one split it is counted, not flagged. Leakage is rare and costly, so a
   * hash too collision-prone for within-split near duplicates is still worth its few cross-split reviews.
   */
  leakageHashes?: ("phash" | "dhash")[];
  /** Euclidean distance between fourier embeddings below which two images are near duplicates (default 0.064). */
  embeddingDistance?: number;
  /** Neighbours in the shared kNN graph (default 10). */
  k?: number;
  /** z multiplier of the clusterer's distance-to-centre outliers (default 3.5 instead of 2.5). */
  clusterOutlierThreshold?: number;
  /** Statistics the linter thresholds (default: every statistic except skew and kurtosis). */
  stats?: StatName[];
  /** Outlier level on detection data (default `"both"`: images and boxes). */
  level?: "images" | "boxes" | "both";
  /**
   * Image-level near duplicates (hash and embedding). Default: on, except on detection datasets, whose
   * canvases share one background, so whole-image hashes and the shift-invariant embedding pair up
   * unrelated canvases; per-box exact duplicates and exact image duplicates are always on.
   */
  imageNearDuplicates?: boolean;
  /** Pipeline concurrency (default: the pipeline's). */
  concurrency?: number;
}

/** Statistics the linter uses by default here: all of the linter's, minus skew and kurtosis (see README). */
export const DEFAULT_STATS = [
  "width", "height", "channels", "size", "aspect_ratio", "depth", "distance_center", "distance_edge",
  "mean", "std", "var", "entropy", "missing", "zeros", "brightness", "darkness", "contrast", "sharpness",
] as const satisfies readonly StatName[];

/** One reason a sample is in the cleaning table. */
export interface Reason {
  /** Finding type: unreadable_image, exact_duplicate, leakage, near_duplicate, outlier, box_outlier, invalid_box, box_duplicate, cluster_outlier, cluster_duplicate. */
  type: string;
  /** The finding's score (group size for duplicates, largest excess for outliers, z for cluster outliers). */
  score: number | null;
  action: Action;
  /** Short human-readable detail (which statistic, which copy is kept, which box…). */
  detail: string;
}

/** One row of the cleaning table: one flagged sample. */
export interface CleaningRow {
  index: number;
  id: string;
  split: string;
  label: string;
  /** `drop` when any reason says drop, else `review`. */
  action: Action;
  reasons: Reason[];
}

/** Everything {@link runCleaning} returns. */
export interface CleaningResult {
  dataset: Dataset;
  report: Report;
  rows: CleaningRow[];
  /** Finding counts by type, including types that never make a row (potential_outlier). */
  counts: Record<string, number>;
  durationMs: number;
}

/** The registry of the workflow: io, linter, duplicates, clusterer and label-issues plugins. */
export function cleaningRegistry() {
  return createRegistry().use(ioPlugin).use(linterPlugin).use(duplicatesPlugin).use(clustererPlugin).use(labelIssuesPlugin);
}

/** Load a dataset and run the whole workflow on it; returns the report and the cleaning table. */
export async function runCleaning(path: string, options: CleaningOptions = {}): Promise<CleaningResult> {
  const started = performance.now();
  const dataset = await loadDataset(path, {
    ...(options.format ? { format: options.format } : {}),
    ...(options.classes ? { classes: options.classes } : {}),
  });
  const detection = dataset.task === "detection";
  const near = options.imageNearDuplicates ?? !detection;
  const leakageHashes = options.leakageHashes ?? ["dhash"];
  // Near-duplicate hashes and leakage-only hashes, grouped per method (merge: false) so that a group found
  // only by a leakage-only hash stays recognisable in the cleaning table.
  const hashes = new Set([...(options.hashes ?? ["phash"]), ...leakageHashes]);
  const flow = pipeline(dataset, { registry: cleaningRegistry() });
  if (detection) flow.use(invalidBoxes());
  const report = await flow
    .use(
      imageStats(),
      outliers({ stats: [...(options.stats ?? DEFAULT_STATS)], level: options.level ?? "both" }),
      fourierEmbedding(),
      knnGraph({ k: options.k ?? 10, metric: "euclidean" }),
      duplicates(near ? { hashes: [...hashes], merge: false, embeddingDistance: options.embeddingDistance ?? 0.064 } : { hashes: [] }),
      clusterer({ outlierThreshold: options.clusterOutlierThreshold ?? 3.5 }),
    )
    .run(options.concurrency === undefined ? {} : { concurrency: options.concurrency });
  const rows = cleaningTable(dataset, report, { leakageHashes });
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  return { dataset, report, rows, counts, durationMs: performance.now() - started };
}

/** Split of every row ("" when the dataset has none). */
function splitNames(dataset: Dataset): string[] {
  const out = new Array<string>(dataset.size).fill("");
  for (const [name, rows] of Object.entries(dataset.splits)) for (const r of rows) out[r] = name;
  return out;
}

/** The member kept in a duplicate group: the first in the train split, else the first. */
function keeper(members: readonly number[], split: readonly string[]): number {
  return members.find((m) => split[m] === "train") ?? members[0]!;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

/**
 * Turn a report into the cleaning table, one row per flagged sample, sorted drop first, then by index.
 * Rules: unreadable → drop; exact duplicates → drop every copy but the kept one (the first in train);
 * leakage → the copies outside the kept one's split: drop for exact, review for near and for boxes (`box_leakage`); near duplicates,
 * cluster duplicates and box duplicates → review every member but the kept one, except near groups found
 * only by a leakage-only hash (`options.leakageHashes`, default `["dhash"]`), which make rows only through
 * their `leakage` finding; outliers, box outliers, invalid boxes and cluster outliers → review.
 * `potential_outlier` (HDBSCAN noise) never makes a row.
 * An unreadable image is left out of duplicate groups other than file-byte ones (it has no pixels).
 */
export function cleaningTable(dataset: Dataset, report: Report, options: { leakageHashes?: readonly string[] } = {}): CleaningRow[] {
  const split = splitNames(dataset);
  const leakageOnly = new Set(options.leakageHashes ?? ["dhash"]);
  const onlyLeakageHashes = (f: Finding) => {
    const methods = (f.data?.methods as string[] | undefined) ?? [];
    return methods.length > 0 && methods.every((m) => leakageOnly.has(m));
  };
  const unreadable = new Set(report.findings.filter((f) => f.type === "unreadable_image").map((f) => f.indices[0]!));
  const rows = new Map<number, CleaningRow>();
  const add = (index: number, reason: Reason) => {
    let row = rows.get(index);
    if (!row) {
      const label = dataset.labels[index]!;
      row = { index, id: dataset.ids[index]!, split: split[index]!, label: label >= 0 ? (dataset.classes[label] ?? String(label)) : "", action: "review", reasons: [] };
      rows.set(index, row);
    }
    if (row.reasons.some((r) => r.type === reason.type && r.detail === reason.detail)) return;
    row.reasons.push(reason);
    if (reason.action === "drop") row.action = "drop";
  };
  const score = (f: Finding) => (f.score === undefined ? null : f.score);
  const id = (i: number) => dataset.ids[i]!;
  const pixels = (f: Finding) => {
    const methods = (f.data?.methods as string[] | undefined) ?? [];
    return methods.includes("file") ? f.indices : f.indices.filter((i) => !unreadable.has(i));
  };

  for (const f of report.findings) {
    switch (f.type) {
      case "unreadable_image":
        add(f.indices[0]!, { type: f.type, score: null, action: "drop", detail: String(f.data?.reason ?? "cannot be decoded").replace(/^cannot decode image .+?\.[a-z]{3,4}: /i, "") });
        break;
      case "exact_duplicate":
      case "near_duplicate":
      case "cluster_duplicate": {
        if (f.type === "near_duplicate" && onlyLeakageHashes(f)) break; // within-split group of a leakage-only hash
        const members = pixels(f);
        if (members.length < 2) break;
        const kept = keeper(members, split);
        const methods = (f.data?.methods as string[] | undefined)?.join("+");
        for (const m of members) {
          if (m === kept) continue;
          add(m, { type: f.type, score: score(f), action: f.type === "exact_duplicate" ? "drop" : "review", detail: `copy of ${id(kept)}${methods ? ` (${methods})` : ""}` });
        }
        break;
      }
      case "leakage": {
        const box = f.data?.level === "target";
        const members = box ? f.indices : pixels(f);
        if (members.length < 2) break;
        const kept = keeper(members, split);
        const exact = f.data?.dupType === "exact";
        for (const m of members) {
          if (split[m] === split[kept]) continue;
          if (box) add(m, { type: "box_leakage", score: score(f), action: "review", detail: `a box also in ${split[kept]} ${id(kept)}` });
          else {
            const how = exact ? "exact" : `near${onlyLeakageHashes(f) ? `, ${(f.data?.methods as string[]).join("+")} only` : ""}`;
            add(m, { type: f.type, score: score(f), action: exact ? "drop" : "review", detail: `${split[m]} copy of ${id(kept)} in ${split[kept]} (${how})` });
          }
        }
        break;
      }
      case "box_duplicate": {
        const targets = (f.data?.targets as number[] | undefined) ?? [];
        const kept = f.indices.includes(keeper(f.indices, split)) ? keeper(f.indices, split) : f.indices[0]!;
        // f.indices are unique items; data.targets is aligned with the group's (item, box) members.
        const detail = targets.length > 0 ? `${targets.length} identical boxes (${f.data?.dupType})` : "duplicate box";
        for (const m of f.indices) if (m !== kept) add(m, { type: f.type, score: score(f), action: "review", detail: `${detail}, kept in ${id(kept)}` });
        break;
      }
      case "outlier":
      case "box_outlier": {
        const stats = (f.data?.stats as { stat: string; side: string; value: number }[] | undefined) ?? [];
        const box = f.type === "box_outlier" ? `box ${f.data?.target}: ` : "";
        add(f.indices[0]!, { type: f.type, score: score(f), action: "review", detail: box + stats.map((s) => `${s.stat} ${s.side} (${fmt(s.value)})`).join(", ") });
        break;
      }
      case "degenerate_box":
      case "box_out_of_bounds":
        add(f.indices[0]!, { type: f.type, score: score(f), action: "review", detail: `box ${f.data?.boxIndex} ${f.type === "degenerate_box" ? "has no area" : `extends ${fmt(f.score ?? 0)} px outside the image`}` });
        break;
      case "invalid_box":
        add(f.indices[0]!, { type: f.type, score: null, action: "review", detail: `box ${f.data?.target} is empty or outside the image` });
        break;
      case "cluster_outlier":
        add(f.indices[0]!, { type: f.type, score: score(f), action: "review", detail: `far from its cluster's centre (z ${fmt(f.score ?? 0)})` });
        break;
      default:
        break; // potential_outlier and anything else: counted, not a row
    }
  }
  return [...rows.values()].sort((a, b) => (a.action === b.action ? a.index - b.index : a.action === "drop" ? -1 : 1));
}

/** The cleaning table as CSV (RFC 4180 quoting): index,id,split,label,action,reasons,scores,details. */
export function tableCsv(rows: readonly CleaningRow[]): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ["index,id,split,label,action,reasons,scores,details"];
  for (const r of rows) {
    lines.push(
      [
        String(r.index), q(r.id), q(r.split), q(r.label), r.action,
        q(r.reasons.map((x) => x.type).join(";")),
        q(r.reasons.map((x) => (x.score === null ? "" : fmt(x.score))).join(";")),
        q(r.reasons.map((x) => x.detail).join(" | ")),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A fixed-width text rendering of the table (the first `limit` rows). */
export function renderTable(rows: readonly CleaningRow[], limit = rows.length): string {
  const out: string[] = [];
  const idWidth = Math.max(2, ...rows.slice(0, limit).map((r) => r.id.length));
  out.push(`${"action".padEnd(7)}${"id".padEnd(idWidth + 2)}${"split".padEnd(7)}reasons (score)`);
  for (const r of rows.slice(0, limit)) {
    const reasons = r.reasons.map((x) => `${x.type}${x.score === null ? "" : ` (${fmt(x.score)})`}: ${x.detail}`).join("; ");
    out.push(`${r.action.padEnd(7)}${r.id.padEnd(idWidth + 2)}${r.split.padEnd(7)}${reasons}`);
  }
  if (rows.length > limit) out.push(`… ${rows.length - limit} more rows`);
  return out.join("\n");
}
