/**
 * Stable error codes. Branch on `error.code`, never on the message.
 *
 * - `INVALID_OPTION`: a node's options failed its schema (unknown key or wrong type).
 * - `INVALID_INPUT`: data handed to assay is malformed (shape, NaN, length mismatch…).
 * - `MISSING_PROVIDER`: a node needs an artifact nothing provides.
 * - `AMBIGUOUS_PROVIDER`: more than one node provides the same artifact.
 * - `CYCLE`: the node graph has a cycle.
 * - `DUPLICATE_NODE`: two nodes share a name in one pipeline or registry.
 * - `PIPELINE_FROZEN`: the pipeline was changed after it was planned or run.
 * - `NODE_FAILED`: a node threw; the original error is the `cause`.
 * - `CANCELLED`: the run was aborted through its AbortSignal.
 * - `BACKEND_NOT_FOUND`: no registered inference backend matches the request.
 * - `BACKEND_UNAVAILABLE`: a backend exists but its runtime package is not installed.
 * - `MODEL_ERROR`: a model could not be loaded or run.
 * - `IO_ERROR`: a file could not be read or written.
 * - `CACHE_ERROR`: the artifact cache could not be read or written.
 */
export type AssayErrorCode =
  | "INVALID_OPTION"
  | "INVALID_INPUT"
  | "MISSING_PROVIDER"
  | "AMBIGUOUS_PROVIDER"
  | "CYCLE"
  | "DUPLICATE_NODE"
  | "PIPELINE_FROZEN"
  | "NODE_FAILED"
  | "CANCELLED"
  | "BACKEND_NOT_FOUND"
  | "BACKEND_UNAVAILABLE"
  | "MODEL_ERROR"
  | "IO_ERROR"
  | "CACHE_ERROR";

const brand = Symbol.for("@assay/core/AssayError");

/** Where an error happened: the plugin, the node, and optionally the stage inside the node. */
export interface AssayErrorContext {
  /** Name of the plugin (package) that owns the failing code, e.g. `"@assay/duplicates"`. */
  plugin?: string;
  /** Name of the node (extractor or detector) that was running. */
  node?: string;
  /** Free-form stage inside the node, e.g. `"decode"` or `"plan"`. */
  stage?: string;
  /** Extra structured details (file, sample index, option name…). */
  details?: Record<string, unknown>;
}

/**
 * The one error class assay throws. It carries a stable {@link AssayErrorCode}, the plugin/node/stage
 * it came from, and the original `cause` when it wraps another error.
 */
export class AssayError extends Error {
  /**
   * `instanceof AssayError` holds for errors from any copy of @assay/core (ESM and CJS builds, or
   * two installed versions), because it checks a global brand rather than the class identity.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  override readonly name = "AssayError";
  readonly code: AssayErrorCode;
  readonly plugin: string | undefined;
  readonly node: string | undefined;
  readonly stage: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AssayErrorCode, message: string, context: AssayErrorContext & { cause?: unknown } = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    Object.defineProperty(this, brand, { value: true });
    this.code = code;
    this.plugin = context.plugin;
    this.node = context.node;
    this.stage = context.stage;
    this.details = context.details;
  }

  /** A plain, JSON-serialisable view of the error (used in reports). */
  toJSON(): SerializedError {
    const out: SerializedError = { code: this.code, message: this.message };
    if (this.plugin !== undefined) out.plugin = this.plugin;
    if (this.node !== undefined) out.node = this.node;
    if (this.stage !== undefined) out.stage = this.stage;
    if (this.details !== undefined) out.details = this.details;
    if (this.cause !== undefined) out.cause = describeCause(this.cause);
    return out;
  }
}

/** JSON form of an {@link AssayError}, as it appears in a report. */
export interface SerializedError {
  code: AssayErrorCode;
  message: string;
  plugin?: string;
  node?: string;
  stage?: string;
  details?: Record<string, unknown>;
  cause?: string;
}

/** True when `value` is an {@link AssayError}, optionally with the given code. */
export function isAssayError(value: unknown, code?: AssayErrorCode): value is AssayError {
  return value instanceof AssayError && (code === undefined || value.code === code);
}

/**
 * Wrap any thrown value as an AssayError that names the node and plugin. An AssayError keeps its own
 * code and gains the missing context; anything else becomes `NODE_FAILED` with the original as `cause`.
 */
export function wrapNodeError(error: unknown, context: { plugin?: string; node: string }): AssayError {
  if (error instanceof AssayError) {
    if (error.node !== undefined && error.plugin !== undefined) return error;
    const wrapped = new AssayError(error.code, error.message, {
      plugin: error.plugin ?? context.plugin,
      node: error.node ?? context.node,
      stage: error.stage,
      details: error.details,
      cause: error.cause,
    });
    wrapped.stack = error.stack;
    return wrapped;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AssayError("NODE_FAILED", `${context.node} failed: ${message}`, { ...context, cause: error });
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
