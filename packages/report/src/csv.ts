import { type Report, stableStringify } from "@assay/core";
import { jsonSafe } from "./summary.js";

/** Options of {@link renderCsv}. */
export interface CsvOptions {
  /** Line ending (default `"\n"`; use `"\r\n"` for strict RFC 4180 consumers). */
  eol?: "\n" | "\r\n";
}

/** The CSV header {@link renderCsv} writes. */
export const csvColumns = ["detector", "type", "severity", "score", "indices", "ids", "message", "data"] as const;

/**
 * One CSV row per finding: `detector,type,severity,score,indices,ids,message,data`. `indices` and `ids`
 * are `;`-joined lists in the finding's (ascending-index) order, `score` is empty when a finding has
 * none, and `data` is the finding's details as JSON with sorted keys. Fields are quoted per RFC 4180
 * when they hold a comma, quote, CR or LF, or start/end with a space.
 */
export function renderCsv(report: Report, options: CsvOptions = {}): string {
  const eol = options.eol ?? "\n";
  const lines = [csvColumns.join(",")];
  for (const f of report.findings) {
    const score = f.score === undefined || !Number.isFinite(f.score) ? "" : String(f.score);
    const data = f.data === undefined ? "" : stableStringify(jsonSafe(f.data));
    lines.push(
      [f.detector, f.type, f.severity, score, f.indices.join(";"), f.ids.join(";"), f.message, data].map(csvField).join(","),
    );
  }
  return lines.join(eol) + eol;
}

/** Quote one CSV field when needed (RFC 4180: double any quote inside). */
export function csvField(value: string): string {
  if (/[",\r\n]/.test(value) || /^\s|\s$/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

