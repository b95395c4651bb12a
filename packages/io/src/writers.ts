import { type Report, type SerializeOptions, serializeReport, toJsonValue } from "@assay/core";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fsError } from "./errors.js";

async function write(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, "utf8");
  } catch (error) {
    throw fsError(error, path, "write");
  }
}

/** Write a report as JSON (core's `serializeReport`; pass `{ timings: false }` for byte-identical output). */
export async function writeReport(path: string, report: Report, options: SerializeOptions = {}): Promise<void> {
  await write(path, `${serializeReport(report, options)}\n`);
}

/** The header of {@link findingsToCsv}. */
export const FINDINGS_CSV_COLUMNS = ["detector", "type", "severity", "score", "indices", "ids", "message", "data"] as const;

/**
 * Quote one CSV field (RFC 4180): fields containing a comma, quote, CR/LF or leading/trailing space
 * are wrapped in double quotes with inner quotes doubled.
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The findings of a report as CSV text, one row per finding, columns {@link FINDINGS_CSV_COLUMNS}:
 * `indices` and `ids` are joined with `;`, `score` is empty when absent, `data` is JSON. Lines end
 * with `\r\n` as RFC 4180 says.
 */
export function findingsToCsv(report: Report): string {
  const lines = [FINDINGS_CSV_COLUMNS.join(",")];
  for (const f of report.findings) {
    const score = f.score === undefined || !Number.isFinite(f.score) ? "" : String(f.score);
    const data = f.data === undefined ? "" : JSON.stringify(f.data, (_k, v: unknown) => toJsonValue(v));
    lines.push([f.detector, f.type, f.severity, score, f.indices.join(";"), f.ids.join(";"), f.message, data].map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Write {@link findingsToCsv} to a file (parent folders are created). */
export async function writeFindingsCsv(path: string, report: Report): Promise<void> {
  await write(path, findingsToCsv(report));
}
