import { defineDetector, type FindingInput, z } from "@assay/core";
import { CHANNEL_STAT_NAMES, type ImageStats, imageStatsArtifact, STAT_GROUPS, STAT_NAMES, type StatName } from "./artifact.js";
import { type Bounds, isOutside, type ThresholdSpec, thresholdBounds } from "./thresholds.js";

const statName = z.enum(STAT_NAMES);

/** Options of {@link outliers}. */
export const outliersOptions = z.object({
  /** Threshold method (image-stats-linter.md §5); DataEval's current default is `adaptive`. */
  method: z.enum(["adaptive", "zscore", "modzscore", "iqr"]).default("adaptive"),
  /** Multiplier (default per method: adaptive 3.5, zscore 3, modzscore 3.5, iqr 1.5). */
  threshold: z.number().positive().optional(),
  /** Derive bounds per class (image rows: their label; box rows: the box label; −1 together). */
  classwise: z.boolean().default(false),
  /** Stat groups to check. */
  use: z.array(z.enum(["dimension", "pixel", "visual"])).min(1).default(["dimension", "pixel", "visual"]),
  /** Explicit statistics to check (overrides `use`). */
  stats: z.array(statName).min(1).optional(),
  /** Which rows: whole images, boxes, or both (each level thresholded separately). */
  level: z.enum(["images", "boxes", "both"]).default("images"),
  /** Use the per-channel rows (pooled per level) for the per-channel statistics, when the artifact has them. */
  perChannel: z.boolean().default(false),
  /** Also report unreadable images and invalid boxes recorded by the extractor. */
  reportInvalid: z.boolean().default(true),
});

/** One flagged (row, statistic). */
export interface OutlierRow {
  item: number;
  /** Box index, −1 for the whole image. */
  target: number;
  /** Channel, −1 for the all-channel value. */
  channel: number;
  metric: StatName;
  value: number;
  lower: number | null;
  upper: number | null;
  median: number;
}

/** Bounds used for one (level, class, metric). */
export interface OutlierBounds {
  level: "image" | "box";
  classId: number;
  metric: StatName;
  channelRows: boolean;
  lower: number | null;
  upper: number | null;
  median: number | null;
}

/** The detector's result. */
export interface OutliersResult {
  /** Flagged rows sorted by item, target (−1 first), metric name, channel. */
  rows: OutlierRow[];
  /** Item (or `item:target`) → flagged metric names, DataEval's `outliers` accessor. */
  outliers: Record<string, StatName[]>;
  /** Number of distinct flagged items per metric, most first. */
  byMetric: { metric: StatName; count: number }[];
  bounds: OutlierBounds[];
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4).replace(/\.?0+$/, ""));

/** Selected statistics in stable order. */
function selectedStats(options: z.output<typeof outliersOptions>): StatName[] {
  if (options.stats) return STAT_NAMES.filter((s) => options.stats!.includes(s));
  const set = new Set<StatName>(options.use.flatMap((g) => STAT_GROUPS[g]));
  return STAT_NAMES.filter((s) => set.has(s));
}

/**
 * Find statistical outliers in `images.stats` (DataEval's `Outliers`): for each selected statistic
 * and each level (and class with `classwise`), bounds from the values' distribution; each flagged
 * value becomes part of one finding per image/box that says which statistic is extreme, its value,
 * the violated bound and the group median.
 */
export function findStatOutliers(stats: ImageStats, options: z.output<typeof outliersOptions>): OutliersResult {
  const metrics = selectedStats(options);
  const spec: ThresholdSpec = options.threshold === undefined ? { method: options.method } : { method: options.method, multiplier: options.threshold };
  const levels: ("image" | "box")[] = options.level === "both" ? ["image", "box"] : options.level === "boxes" ? ["box"] : ["image"];
  const channelSet = new Set<string>(CHANNEL_STAT_NAMES);
  const ch = options.perChannel ? stats.channels : null;
  const rows: OutlierRow[] = [];
  const bounds: OutlierBounds[] = [];
  for (const level of levels) {
    const isLevel = (row: number) => (level === "image" ? stats.target[row] === -1 : stats.target[row]! >= 0) && stats.valid[row] === 1;
    for (const metric of metrics) {
      const useChannels = ch !== null && channelSet.has(metric);
      // the candidate rows: (stats row, channel, value)
      const cand: { row: number; channel: number; value: number }[] = [];
      if (useChannels) {
        const col = ch.stats[metric as (typeof CHANNEL_STAT_NAMES)[number]];
        for (let k = 0; k < ch.row.length; k++) if (isLevel(ch.row[k]!)) cand.push({ row: ch.row[k]!, channel: ch.channel[k]!, value: col[k]! });
      } else {
        const col = stats.stats[metric];
        for (let r = 0; r < stats.rows; r++) if (isLevel(r)) cand.push({ row: r, channel: -1, value: col[r]! });
      }
      const groups = new Map<number, typeof cand>();
      for (const c of cand) {
        const key = options.classwise ? stats.classId[c.row]! : 0;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = []));
        g.push(c);
      }
      for (const key of [...groups.keys()].sort((a, b) => a - b)) {
        const g = groups.get(key)!;
        const b: Bounds = thresholdBounds(
          g.map((c) => c.value),
          spec,
        );
        bounds.push({
          level,
          classId: options.classwise ? key : -1,
          metric,
          channelRows: useChannels,
          lower: b.lower,
          upper: b.upper,
          median: Number.isFinite(b.median) ? b.median : null,
        });
        for (const c of g) {
          if (!isOutside(c.value, b)) continue;
          rows.push({
            item: stats.item[c.row]!,
            target: stats.target[c.row]!,
            channel: c.channel,
            metric,
            value: c.value,
            lower: b.lower,
            upper: b.upper,
            median: b.median,
          });
        }
      }
    }
  }
  rows.sort((a, b) => a.item - b.item || a.target - b.target || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0) || a.channel - b.channel);
  const outliers: Record<string, StatName[]> = {};
  const perMetric = new Map<StatName, Set<number>>();
  for (const r of rows) {
    const key = r.target >= 0 ? `${r.item}:${r.target}` : String(r.item);
    const list = (outliers[key] ??= []);
    if (!list.includes(r.metric)) list.push(r.metric);
    let s = perMetric.get(r.metric);
    if (!s) perMetric.set(r.metric, (s = new Set()));
    s.add(r.item);
  }
  const byMetric = [...perMetric.entries()]
    .map(([metric, s]) => ({ metric, count: s.size }))
    .sort((a, b) => b.count - a.count || (a.metric < b.metric ? -1 : 1));
  return { rows, outliers, byMetric, bounds };
}

/** How far beyond typical a flagged value is: (value − median)/(bound − median), > 1 when flagged. */
function excess(r: OutlierRow): number {
  const bound = r.upper !== null && r.value > r.upper ? r.upper : r.lower;
  if (bound === null) return 1;
  const span = bound - r.median;
  if (!(Math.abs(span) > 0)) return 1;
  const e = (r.value - r.median) / span;
  return Number.isFinite(e) ? e : 1;
}

function toFindings(stats: ImageStats, result: OutliersResult, reportInvalid: boolean): FindingInput[] {
  const findings: FindingInput[] = [];
  if (reportInvalid) {
    for (const u of stats.unreadable) {
      findings.push({
        type: "unreadable_image",
        indices: [u.index],
        severity: "error",
        message: `image ${u.index} could not be read: ${u.reason}`,
        data: { reason: u.reason },
      });
    }
    for (let r = 0; r < stats.rows; r++) {
      if (stats.target[r]! < 0 || stats.invalidBox[r] !== 1) continue;
      const item = stats.item[r]!;
      const target = stats.target[r]!;
      const w = stats.stats.width[r]!;
      const h = stats.stats.height[r]!;
      findings.push({
        type: "invalid_box",
        indices: [item],
        severity: "warning",
        message: `box ${target} of image ${item} is empty or outside the image (offset ${fmt(stats.stats.offset_x[r]!)}, ${fmt(stats.stats.offset_y[r]!)}; size ${fmt(w)}×${fmt(h)})`,
        data: { target, x: stats.stats.offset_x[r]!, y: stats.stats.offset_y[r]!, width: w, height: h },
      });
    }
  }
  let i = 0;
  const rows = result.rows;
  while (i < rows.length) {
    let j = i;
    while (j < rows.length && rows[j]!.item === rows[i]!.item && rows[j]!.target === rows[i]!.target) j++;
    const group = rows.slice(i, j);
    const { item, target } = group[0]!;
    const parts = group.map((r) => {
      const above = r.upper !== null && r.value > r.upper;
      const bound = above ? r.upper! : r.lower!;
      return `${r.metric}${r.channel >= 0 ? `[${r.channel}]` : ""} ${fmt(r.value)} ${above ? ">" : "<"} ${fmt(bound)} (median ${fmt(r.median)})`;
    });
    const score = Math.max(...group.map(excess));
    findings.push({
      type: target >= 0 ? "box_outlier" : "outlier",
      indices: [item],
      score,
      severity: "warning",
      message: `${target >= 0 ? `box ${target} of image ${item}` : `image ${item}`}: ${parts.join("; ")}`,
      data: {
        ...(target >= 0 ? { target } : {}),
        stats: group.map((r) => ({
          stat: r.metric,
          ...(r.channel >= 0 ? { channel: r.channel } : {}),
          value: r.value,
          side: r.upper !== null && r.value > r.upper ? "high" : "low",
          lower: r.lower,
          upper: r.upper,
          median: r.median,
          excess: excess(r),
        })),
      },
    });
    i = j;
  }
  return findings;
}

/**
 * Detector: statistical outliers among image (and box) statistics with zscore, modzscore, iqr or
 * the adaptive default; reports unreadable images and invalid boxes too. Needs `images.stats` from
 * `imageStats()`.
 */
export const outliers = defineDetector({
  name: "outliers",
  version: "1.0.0",
  plugin: "@assay/linter",
  description: "Images whose statistics (brightness, size, blur, entropy…) are extreme for the dataset",
  options: outliersOptions,
  needs: [imageStatsArtifact],
  async run(_ctx, inputs, options) {
    const stats = inputs["images.stats"];
    const result = findStatOutliers(stats, options);
    const findings = toFindings(stats, result, options.reportInvalid);
    const flaggedImages = new Set(result.rows.filter((r) => r.target < 0).map((r) => r.item)).size;
    const flaggedBoxes = new Set(result.rows.filter((r) => r.target >= 0).map((r) => `${r.item}:${r.target}`)).size;
    return {
      result,
      findings,
      summary: {
        method: options.method,
        outlier_images: flaggedImages,
        outlier_boxes: flaggedBoxes,
        flagged_values: result.rows.length,
        unreadable_images: stats.unreadable.length,
      },
    };
  },
});
