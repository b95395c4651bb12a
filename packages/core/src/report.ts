import type { TaskKind } from "./dataset.js";
import type { SerializedError } from "./errors.js";
import type { Finding, Severity } from "./findings.js";

/** Outcome of one node in a run. */
export type NodeStatus = "ok" | "error" | "skipped" | "cancelled";

/** One node's entry in a report. */
export interface NodeRecord {
  name: string;
  kind: "extractor" | "detector";
  plugin?: string;
  version: string;
  status: NodeStatus;
  /** True when an extractor's output came from the artifact cache. */
  cached?: boolean;
  /** Wall time in milliseconds (left out by `serializeReport(r, { timings: false })`). */
  durationMs?: number;
  /** Why a node was skipped or cancelled. */
  reason?: string;
  error?: SerializedError;
  warnings?: string[];
}

/** The dataset as a report describes it. */
export interface DatasetSummary {
  name: string;
  size: number;
  task: TaskKind;
  classes: string[];
  fingerprint: string;
  /** Split name → number of rows. */
  splits: Record<string, number>;
}

/** One detector's output in a report. */
export interface DetectorResult {
  summary?: Record<string, number | string | boolean | null>;
  result: unknown;
}

/**
 * What a run returns: plain data, JSON-serialisable, deterministic for the same input
 * (apart from timings, which {@link serializeReport} can leave out).
 */
export interface Report {
  schema: "assay.report/v1";
  /** `ok` when every node succeeded; `partial` when some failed or were skipped; `cancelled` when aborted. */
  status: "ok" | "partial" | "cancelled";
  dataset: DatasetSummary;
  /** Nodes in plan order. */
  nodes: NodeRecord[];
  /** Per-detector output, by detector name, in plan order. */
  results: Record<string, DetectorResult>;
  /** Every finding of every detector, in plan order, then as each detector listed them. */
  findings: Finding[];
  /** Finding counts by severity. */
  counts: Record<Severity, number>;
  durationMs?: number;
}

/** Options of {@link serializeReport}. */
export interface SerializeOptions {
  /** Keep `durationMs` fields (default true). Set false for byte-identical output across runs. */
  timings?: boolean;
  /** Indentation (default 2; 0 for one line). */
  space?: number;
}

/**
 * The report as JSON text. Typed arrays become arrays, `NaN`/`±Infinity` become `null`, and with
 * `timings: false` the same input always gives the same bytes.
 */
export function serializeReport(report: Report, options: SerializeOptions = {}): string {
  const keepTimings = options.timings ?? true;
  return JSON.stringify(
    report,
    (key, value: unknown) => {
      if (!keepTimings && key === "durationMs") return undefined;
      return toJsonValue(value);
    },
    options.space ?? 2,
  );
}

/** Convert values JSON cannot hold: typed arrays → arrays, non-finite numbers → null, Maps → objects. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
  }
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}
