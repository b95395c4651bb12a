import { AssayError } from "@assay/core";

/** The package name, used as the `plugin` of every error and node. */
export const PLUGIN_NAME = "@assay/insights";

/** An `INVALID_INPUT` error owned by this package. */
export function invalidInput(message: string, details: Record<string, unknown> = {}, stage?: string): AssayError {
  return new AssayError("INVALID_INPUT", message, { plugin: PLUGIN_NAME, details, ...(stage ? { stage } : {}) });
}

/** An `INVALID_OPTION` error owned by this package. */
export function invalidOption(message: string, details: Record<string, unknown> = {}, stage?: string): AssayError {
  return new AssayError("INVALID_OPTION", message, { plugin: PLUGIN_NAME, details, ...(stage ? { stage } : {}) });
}

/** An `IO_ERROR` owned by this package (a file that cannot be read or written). */
export function ioError(message: string, file: string, cause?: unknown): AssayError {
  return new AssayError("IO_ERROR", message, { plugin: PLUGIN_NAME, details: { file }, ...(cause === undefined ? {} : { cause }) });
}
