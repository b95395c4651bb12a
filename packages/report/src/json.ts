import { type Report, type SerializeOptions, serializeReport } from "@assay/core";

/** Options of {@link renderJson}: those of core's `serializeReport`. */
export type JsonOptions = SerializeOptions;

/**
 * The report as JSON text (core's `serializeReport` plus a final newline): typed arrays become arrays,
 * non-finite numbers `null`; with `timings: false` the same input always gives the same bytes.
 */
export function renderJson(report: Report, options: JsonOptions = {}): string {
  return `${serializeReport(report, options)}\n`;
}
