/**
 * @assay/report: turn an assay `Report` into console text, JSON, CSV or a self-contained HTML page.
 * @module
 */
export { renderConsole, type ConsoleOptions } from "./console.js";
export { csvColumns, csvField, renderCsv, type CsvOptions } from "./csv.js";
export { escapeHtml, renderHtml, type HtmlOptions } from "./html.js";
export { renderJson, type JsonOptions } from "./json.js";
export {
  describeDataset,
  formatCount,
  formatDuration,
  formatScore,
  groupFindings,
  severityOrder,
  type FindingGroup,
} from "./summary.js";
