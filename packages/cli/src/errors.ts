import type { AssayErrorCode } from "@assay/core";

/** Exit codes of the `assay` command. */
export const exitCodes = {
  /** The run finished and no finding reached the `--fail-on` level. */
  ok: 0,
  /** `--fail-on` was given and a finding reached that level. */
  findings: 1,
  /** assay could not do what was asked: bad input, option, config or file, or a detector named with `--detectors` failed. */
  error: 2,
} as const;

/** An AssayError from any copy of @assay/core (plugins may bring their own copy, so no `instanceof`). */
export interface AssayErrorLike {
  name: "AssayError";
  code: AssayErrorCode;
  message: string;
  node?: string;
  plugin?: string;
}

/** True for an AssayError from this or another copy of @assay/core. */
export function isAssayErrorLike(error: unknown): error is AssayErrorLike {
  return (
    error instanceof Error && error.name === "AssayError" && typeof (error as { code?: unknown }).code === "string"
  );
}

/**
 * The one line the CLI prints for an error: `assay: <code>: <message>`. Anything that is not an
 * AssayError is an internal error, reported the same way with code `INTERNAL`.
 */
export function formatError(error: unknown): string {
  if (isAssayErrorLike(error)) return `assay: ${error.code}: ${oneLine(error.message)}`;
  const message = error instanceof Error ? error.message : String(error);
  return `assay: INTERNAL: ${oneLine(message)} (run again with --debug for details)`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
