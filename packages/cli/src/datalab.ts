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
