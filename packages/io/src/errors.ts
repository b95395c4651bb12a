import { AssayError } from "@assay/core";

/** Name of this package, used as the `plugin` of every error and node. */
export const PLUGIN = "@assay/io";

/** An `INVALID_INPUT` error from a loader or reader, naming the file in `details.file`. */
export function invalidInput(message: string, details: Record<string, unknown> = {}, cause?: unknown): AssayError {
  return new AssayError("INVALID_INPUT", message, { plugin: PLUGIN, details, ...(cause === undefined ? {} : { cause }) });
}

/** An `IO_ERROR` naming the file in `details.file`. */
export function ioError(message: string, details: Record<string, unknown> = {}, cause?: unknown): AssayError {
  return new AssayError("IO_ERROR", message, { plugin: PLUGIN, details, ...(cause === undefined ? {} : { cause }) });
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turn a Node file-system error into an `IO_ERROR` (or `INVALID_INPUT` for a missing path). */
export function fsError(error: unknown, file: string, action: string): AssayError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return invalidInput(`${file} does not exist`, { file, errno: code }, error);
  if (code === "EACCES" || code === "EPERM") return ioError(`cannot ${action} ${file}: permission denied`, { file, errno: code }, error);
  if (code === "EISDIR") return invalidInput(`${file} is a directory, expected a file`, { file, errno: code }, error);
  if (code === "ENOTDIR") return invalidInput(`${file} is not a directory`, { file, errno: code }, error);
  return ioError(`cannot ${action} ${file}: ${messageOf(error)}`, { file, ...(code ? { errno: code } : {}) }, error);
}
