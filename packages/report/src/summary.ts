import { type Finding, type Report, type Severity, toJsonValue } from "@assay/core";

/** Severities from most to least serious. */
export const severityOrder: readonly Severity[] = ["error", "warning", "info"];

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Findings of one detector and type, with their count per severity. */
export interface FindingGroup {
  detector: string;
  type: string;
  /** Count per severity. */
  counts: Record<Severity, number>;
  /** Total findings in the group. */
  total: number;
  /** The most serious severity in the group. */
  worst: Severity;
  /** Findings, most severe first; within one severity in the order the detector listed them. */
  findings: Finding[];
}

/**
 * Group a report's findings by detector and type, in the order groups first appear (plan order).
 * Within a group, findings are ordered by severity (error first) and then as the detector listed them,
 * which is the detector's own ranking: scores are not comparable across detectors.
 */
export function groupFindings(report: Report): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of report.findings) {
    const key = `${f.detector}\u0000${f.type}`;
    let g = groups.get(key);
    if (!g) {
      g = { detector: f.detector, type: f.type, counts: { info: 0, warning: 0, error: 0 }, total: 0, worst: "info", findings: [] };
      groups.set(key, g);
    }
    g.counts[f.severity]++;
    g.total++;
    if (severityRank[f.severity] < severityRank[g.worst]) g.worst = f.severity;
    g.findings.push(f);
  }
  for (const g of groups.values()) {
    // Array.prototype.sort is stable, so equal severities keep the detector's order.
    g.findings.sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
  }
  return [...groups.values()];
}

/** Format a duration in milliseconds for people: `850 ms`, `3.20 s`, `2 min 05 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes} min ${String(totalSeconds % 60).padStart(2, "0")} s`;
}

/** Format an integer with thousands separators (`12,345`), independent of the locale. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Format a score compactly: up to 4 significant digits, `—` when absent or not finite. */
export function formatScore(score: number | undefined): string {
  if (score === undefined || score === null || !Number.isFinite(score)) return "—";
  if (score === 0) return "0";
  const abs = Math.abs(score);
  if (abs >= 1e5 || abs < 1e-3) return score.toExponential(2);
  return String(Number(score.toPrecision(4)));
}

/** One line describing the dataset: name, size, classes, task and splits. */
export function describeDataset(report: Report): string {
  const d = report.dataset;
  const parts = [`dataset "${d.name}"`, `${formatCount(d.size)} samples`];
  if (d.classes.length > 0) parts.push(`${formatCount(d.classes.length)} classes`);
  parts.push(d.task);
  const splits = Object.entries(d.splits);
  if (splits.length > 0) parts.push(`splits ${splits.map(([s, n]) => `${s} ${formatCount(n)}`).join(" · ")}`);
  return parts.join(", ");
}

/** Deep copy with typed arrays as arrays and non-finite numbers as null, so the JSON is portable. */
export function jsonSafe(value: unknown): unknown {
  const v = toJsonValue(value);
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}
