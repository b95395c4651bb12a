import { type Report, type SerializeOptions, serializeReport } from "@assay/core";
import { renderCsv } from "@assay/report";
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

/**
 * Write a report's findings as CSV, one row per finding (parent folders are created): the text of
 * `renderCsv(report, { eol: "\r\n" })` from @assay/report, columns
 * `detector,type,severity,score,indices,ids,message,data`, RFC 4180 quoting and CRLF line ends.
 */
export async function writeFindingsCsv(path: string, report: Report): Promise<void> {
  await write(path, renderCsv(report, { eol: "\r\n" }));
}
