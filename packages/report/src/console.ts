import type { Finding, NodeRecord, Report, Severity } from "@assay/core";
import { describeDataset, formatCount, formatDuration, formatScore, groupFindings, severityOrder } from "./summary.js";

/** Options of {@link renderConsole}. */
export interface ConsoleOptions {
  /** Colour the output with ANSI escapes (default false). */
  color?: boolean;
  /** How many example findings to show per detector/type (default 5; 0 hides the examples). */
  maxPerType?: number;
  /** Longest sample-id list shown per example before it is shortened (default 4). */
  maxIdsPerFinding?: number;
  /** Wrap nothing, but cut messages longer than this many characters (default 160). */
  maxMessageLength?: number;
}

type Paint = (code: string, text: string) => string;

const ansi: Record<string, string> = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  blue: "34",
  cyan: "36",
};

const severityColor: Record<Severity, string> = { error: "red", warning: "yellow", info: "blue" };

/**
 * A readable text summary of a report for a terminal: the dataset line, a table of nodes with status,
 * timing and cache use, finding counts per detector/type/severity, each detector's headline numbers,
 * and the top examples of every finding type.
 */
export function renderConsole(report: Report, options: ConsoleOptions = {}): string {
  const color = options.color ?? false;
  const maxPerType = Math.max(0, Math.floor(options.maxPerType ?? 5));
  const maxIds = Math.max(1, Math.floor(options.maxIdsPerFinding ?? 4));
  const maxMessage = Math.max(20, Math.floor(options.maxMessageLength ?? 160));
  const paint: Paint = color ? (code, text) => `\u001b[${ansi[code] ?? code}m${text}\u001b[0m` : (_code, text) => text;
  const out: string[] = [];

  out.push(`${paint("bold", "assay report")} — ${describeDataset(report)}`);
  const statusColor = report.status === "ok" ? "green" : report.status === "partial" ? "yellow" : "red";
  const failed = report.nodes.filter((n) => n.status === "error").length;
  const statusLine = [
    `status ${paint(statusColor, report.status)}`,
    `${report.nodes.length} node${report.nodes.length === 1 ? "" : "s"}`,
    ...(failed > 0 ? [paint("red", `${failed} failed`)] : []),
    ...(report.durationMs === undefined ? [] : [formatDuration(report.durationMs)]),
  ];
  out.push(statusLine.join(" · "));
  out.push("");

  if (report.nodes.length > 0) {
    out.push(paint("bold", "Nodes"));
    const rows = report.nodes.map((n) => [n.name, n.kind, n.plugin ?? "", n.status, formatDuration(n.durationMs), n.cached ? "cached" : ""]);
    out.push(
      ...table(["node", "kind", "plugin", "status", "time", "cache"], rows, (r, c, text) =>
        c === 3 ? paint(nodeStatusColor(report.nodes[r]!), text) : c === 5 && text ? paint("cyan", text) : text,
      ),
    );
    for (const n of report.nodes) {
      if (n.status === "error" && n.error) out.push(`  ${paint("red", "✖")} ${n.name}: ${n.error.code}: ${truncate(n.error.message, maxMessage * 2)}`);
      else if (n.reason) out.push(`  ${paint("dim", "–")} ${n.name} ${n.status}: ${n.reason}`);
      for (const w of n.warnings ?? []) out.push(`  ${paint("yellow", "!")} ${n.name}: ${truncate(w, maxMessage * 2)}`);
    }
    out.push("");
  }

  const summaries = Object.entries(report.results).filter(([, r]) => r.summary && Object.keys(r.summary).length > 0);
  if (summaries.length > 0) {
    out.push(paint("bold", "Summary"));
    for (const [name, r] of summaries) {
      const parts = Object.entries(r.summary!).map(([k, v]) => `${k}=${typeof v === "number" ? formatScore(v) : String(v)}`);
      out.push(`  ${name}: ${parts.join(" ")}`);
    }
    out.push("");
  }

  const total = report.findings.length;
  const bySeverity = severityOrder
    .filter((s) => report.counts[s] > 0)
    .map((s) => paint(severityColor[s], `${s} ${formatCount(report.counts[s])}`));
  out.push(`${paint("bold", "Findings")}: ${formatCount(total)}${bySeverity.length ? ` (${bySeverity.join(" · ")})` : ""}`);
  if (total === 0) {
    out.push("  no issues found by the lenses that ran");
    return `${out.join("\n")}\n`;
  }
  const groups = groupFindings(report);
  const rows = groups.map((g) => [
    g.detector,
    g.type,
    g.worst,
    formatCount(g.total),
    severityOrder.filter((s) => g.counts[s] > 0).map((s) => `${s} ${formatCount(g.counts[s])}`).join(", "),
  ]);
  out.push(
    ...table(["detector", "type", "worst", "count", "by severity"], rows, (r, c, text) =>
      c === 2 ? paint(severityColor[groups[r]!.worst], text) : text,
    ),
  );

  if (maxPerType > 0) {
    for (const g of groups) {
      out.push("");
      out.push(paint("bold", `── ${g.detector} / ${g.type} (${formatCount(g.total)}) ──`));
      const shown = g.findings.slice(0, maxPerType);
      const exampleRows = shown.map((f) => [f.severity, formatScore(f.score), describeSamples(f, maxIds), truncate(f.message, maxMessage)]);
      out.push(
        ...table(["severity", "score", "samples", "message"], exampleRows, (r, c, text) =>
          c === 0 ? paint(severityColor[shown[r]!.severity], text) : text,
        ),
      );
      if (g.total > shown.length) out.push(paint("dim", `  … and ${formatCount(g.total - shown.length)} more`));
    }
  }
  return `${out.join("\n")}\n`;
}

function nodeStatusColor(n: NodeRecord): string {
  return n.status === "ok" ? "green" : n.status === "error" ? "red" : "yellow";
}

function describeSamples(f: Finding, maxIds: number): string {
  if (f.ids.length === 0) return "(dataset)";
  const shown = f.ids.slice(0, maxIds).map((id, i) => `${id} [${f.indices[i]}]`);
  return f.ids.length > maxIds ? `${shown.join(", ")} +${f.ids.length - maxIds}` : shown.join(", ");
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Left-aligned columns, two-space indent; `decorate` colours a cell after padding so widths stay right. */
function table(head: string[], rows: string[][], decorate: (row: number, col: number, padded: string) => string): string[] {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const last = head.length - 1;
  const line = (cells: string[], deco?: (c: number, t: string) => string) =>
    `  ${cells.map((cell, c) => {
      const padded = c === last ? cell : cell.padEnd(widths[c]!);
      return deco ? deco(c, padded) : padded;
    }).join("  ")}`.trimEnd();
  return [line(head), ...rows.map((r, i) => line(r, (c, t) => decorate(i, c, t)))];
}
