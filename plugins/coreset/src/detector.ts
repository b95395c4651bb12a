import { artifacts, AssayError, defineDetector, z, type FindingInput } from "@assay/core";
import { CoresetIndex } from "./coreset-index.js";
import { PLUGIN } from "./options.js";
import { importantSamples, type ImportantSample } from "./query.js";

const VERSION = "0.1.0";

/** Options of the `coreset` detector (validated; unknown keys are rejected). */
export const coresetOptions = z.object({
  /** Importance preset: `dataheroes` (β 0), `balanced` (β 0.5, default) or `label` (β 1). */
  preset: z.enum(["dataheroes", "balanced", "label"]).default("balanced"),
  /** Custom β ∈ [0, 1]; overrides the preset. */
  beta: z.number().min(0).max(1).optional(),
  /** Per-class review requests `{ className: n }`. */
  classSize: z.record(z.string(), z.number().int().min(0)).optional(),
  /** Global top-k across classes (in addition to `classSize`; default 100 when `classSize` is absent). */
  topK: z.number().int().min(0).optional(),
  /** How `topK` is split: `global` top rows or `fair` (∝ √ class size). */
  allocation: z.enum(["global", "fair"]).default("global"),
  /** Ridge ρ relative to the mean scatter diagonal. */
  ridge: z.number().min(0).default(0.01),
  /** Project embeddings with more columns onto this many principal axes (0 = never project). */
  maxDim: z.number().int().min(0).default(128),
  /** Classes with fewer rows are tiny (flagged, ranked first). */
  minClassSize: z.number().int().min(1).default(3),
  /** Rows per chunk of the tree. */
  chunkSize: z.number().int().min(1).default(8192),
  /**
   * A class with fewer rows than features: `warn` (default: scored through the ridge, with a warning
   * naming the class, so one small class does not stop an audit), `allow` (silently) or `error`.
   */
  smallClass: z.enum(["warn", "error", "allow"]).default("warn"),
  /** `classMax`: report importance normalised per class (top item 1), as DataHeroes does. */
  normalize: z.enum(["none", "classMax"]).default("none"),
});

/** One ranked row in the detector result (dataset row index and id). */
export interface CoresetRankingRow {
  rank: number;
  index: number;
  id: string;
  class: string;
  /** null when +∞ (member of a tiny class). */
  importance: number | null;
  normalized: number | null;
  outlierScore: number | null;
  labelScore: number | null;
  leverage: number;
  suggestedLabel: string;
  tinyClass: boolean;
}

/** The `coreset` detector's result. */
export interface CoresetResult {
  preset: string;
  beta: number;
  ridge: number;
  /** Feature dimension after projection. */
  dim: number;
  /** Labelled rows scored (unlabelled rows are skipped). */
  scored: number;
  classes: { name: string; rows: number; tiny: boolean }[];
  /** The requested rows, most important first. */
  ranking: CoresetRankingRow[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Detector `coreset()`: class-conditional leverage importance (DataHeroes-style coreset importance for
 * data cleaning). Needs `embeddings`; labels come from the dataset. Emits one `important_sample`
 * finding per requested row (score = importance; `warning` when the row fits another class better).
 */
export const coreset = defineDetector({
  name: "coreset",
  version: VERSION,
  plugin: PLUGIN,
  description: "Coreset importance per class: which samples to review first (label errors, outliers)",
  options: coresetOptions,
  needs: [artifacts.embeddings],
  run: async (ctx, inputs, options) => {
    const { dataset } = ctx;
    const emb = inputs.embeddings;
    if (emb.rows !== dataset.size) {
      throw new AssayError("INVALID_INPUT", `coreset: embeddings have ${emb.rows} rows but the dataset has ${dataset.size}`, { plugin: PLUGIN });
    }
    const rows: number[] = [];
    for (let i = 0; i < dataset.size; i++) if (dataset.labels[i]! >= 0) rows.push(i);
    if (rows.length === 0) throw new AssayError("INVALID_INPUT", "coreset: the dataset has no labelled rows", { plugin: PLUGIN });
    const d = emb.cols;
    const x = new Float32Array(rows.length * d);
    const y = new Int32Array(rows.length);
    rows.forEach((r, t) => {
      x.set(emb.data.subarray(r * d, (r + 1) * d), t * d);
      y[t] = dataset.labels[r]!;
    });
    ctx.progress(0, 2);
    // Large inputs score on worker threads (identical result to the synchronous build).
    const index = await CoresetIndex.buildAsync({ rows: rows.length, cols: d, data: x }, y, {
      workers: Math.max(1, Math.min(2, ctx.concurrency)),
      classes: dataset.classes,
      preset: options.preset,
      ...(options.beta === undefined ? {} : { beta: options.beta }),
      ridge: options.ridge,
      maxDim: options.maxDim === 0 ? Number.POSITIVE_INFINITY : options.maxDim,
      minClassSize: options.minClassSize,
      chunkSize: options.chunkSize,
      smallClass: options.smallClass === "error" ? "error" : "allow",
    });
    if (options.smallClass === "warn") {
      const counts = index.classCounts();
      counts.forEach((n, c) => {
        if (n >= options.minClassSize && n < index.dim) {
          ctx.warn(`class "${dataset.classes[c]}" has ${n} rows but the features have ${index.dim} dimensions; its leverage is scored through the ridge and is less reliable`);
        }
      });
    }
    ctx.progress(1, 2);
    const topK = options.topK ?? (options.classSize === undefined ? Math.min(100, rows.length) : 0);
    const picked = importantSamples(index, {
      ...(options.classSize === undefined ? {} : { classSize: options.classSize }),
      size: topK,
      allocation: options.allocation,
      normalize: options.normalize,
      markSeen: false,
    });
    ctx.progress(2, 2);
    const ranking = picked.map((s, rank) => toRankingRow(s, rank + 1, rows, dataset.ids));
    const findings: FindingInput[] = picked.map((s, k) => toFinding(s, ranking[k]!));
    const counts = index.classCounts();
    const result: CoresetResult = {
      preset: options.beta === undefined ? options.preset : "custom",
      beta: index.beta,
      ridge: index.ridge,
      dim: index.dim,
      scored: rows.length,
      classes: index.classes.map((name, c) => ({ name, rows: counts[c]!, tiny: counts[c]! > 0 && index.isTiny(c) })),
      ranking,
    };
    return {
      result,
      findings,
      summary: {
        scored: rows.length,
        ranked: ranking.length,
        suggested_relabels: ranking.filter((r) => r.suggestedLabel !== r.class).length,
        tiny_classes: result.classes.filter((c) => c.tiny).length,
      },
    };
  },
});

function toRankingRow(s: ImportantSample, rank: number, rows: readonly number[], ids: readonly string[]): CoresetRankingRow {
  const index = rows[s.index]!;
  return {
    rank,
    index,
    id: ids[index]!,
    class: s.label,
    importance: finite(s.importance),
    normalized: finite(s.normalized),
    outlierScore: finite(s.outlierScore),
    labelScore: finite(s.labelScore),
    leverage: s.leverage,
    suggestedLabel: s.suggestedLabel,
    tinyClass: s.tinyClass,
  };
}

function toFinding(s: ImportantSample, row: CoresetRankingRow): FindingInput {
  const moved = s.suggestedLabel !== s.label;
  const what = s.tinyClass
    ? `class "${s.label}" has fewer than the minimum rows to be scored`
    : moved
      ? `fits class "${s.suggestedLabel}" better than its label "${s.label}"`
      : `is far from the rest of class "${s.label}"`;
  const finding: FindingInput = {
    type: "important_sample",
    indices: [row.index],
    severity: moved || s.tinyClass ? "warning" : "info",
    message: `review #${row.rank}: sample ${what}`,
    data: {
      class: s.label,
      rank: row.rank,
      importance: row.importance,
      normalized: row.normalized,
      outlierScore: row.outlierScore,
      labelScore: row.labelScore,
      leverage: s.leverage,
      suggestedLabel: s.suggestedLabel,
      tinyClass: s.tinyClass,
    },
  };
  if (Number.isFinite(s.importance)) finding.score = s.importance;
  return finding;
}
