import type { Report } from "@assay/core";
import type { DiscoveredPlugin } from "./discover.js";

/** The package whose Datalab-style text report the audit summary appends when it is installed. */
export const LABEL_ISSUES_PACKAGE = "@assay/label-issues";

type TextReport = (report: Report, options?: { numExamples?: number }) => string;

/**
 * The Datalab-style text report of `@assay/label-issues` (`datalabTextReport(report)`) for a report
 * in which one of that package's detectors ran, or `undefined` when none did or the package is not
 * installed. The function comes from the module plugin discovery already imported, so the CLI has no
 * dependency on the package and works the same without it.
 * @param numExamples examples listed per issue type (the CLI passes `--max-per-type`)
 */
export function datalabSection(report: Report, plugins: readonly DiscoveredPlugin[], numExamples?: number): string | undefined {
  const ran = report.nodes.some((n) => n.kind === "detector" && n.plugin === LABEL_ISSUES_PACKAGE && n.status === "ok");
  if (!ran) return undefined;
  const found = plugins.find((p) => p.plugin.name === LABEL_ISSUES_PACKAGE || p.packageName === LABEL_ISSUES_PACKAGE);
  const fn = found?.module?.datalabTextReport;
  if (typeof fn !== "function") return undefined;
  return (fn as TextReport)(report, numExamples === undefined ? {} : { numExamples });
}

/** The package whose gap table the audit summary appends when its `gaps` detector ran. */
export const REPRESENTATION_PACKAGE = "@assay/representation";

/**
 * The gap table of `@assay/representation` (`renderGapTable(result)`) when its `gaps` detector ran, or
 * `undefined` otherwise; like {@link datalabSection}, the renderer comes from the discovered module.
 */
export function gapSection(report: Report, plugins: readonly DiscoveredPlugin[]): string | undefined {
  const node = report.nodes.find((n) => n.kind === "detector" && n.name === "gaps" && n.plugin === REPRESENTATION_PACKAGE && n.status === "ok");
  const result = report.results.gaps?.result;
  if (!node || result === undefined) return undefined;
  const found = plugins.find((p) => p.plugin.name === REPRESENTATION_PACKAGE || p.packageName === REPRESENTATION_PACKAGE);
  const render = found?.module?.renderGapTable;
  return typeof render === "function" ? (render as (r: unknown) => string)(result) : undefined;
}
