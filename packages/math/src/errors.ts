import { AssayError } from "@assay/core";

/** Package name carried by every error this package throws. */
export const PLUGIN = "@assay/math";

/** An `INVALID_INPUT` error tagged with this package and the function that rejected the input. */
export function invalidInput(fn: string, message: string, details?: Record<string, unknown>): AssayError {
  return new AssayError("INVALID_INPUT", `${fn}: ${message}`, details === undefined ? { plugin: PLUGIN, stage: fn } : { plugin: PLUGIN, stage: fn, details });
}

/** An `INVALID_OPTION` error tagged with this package, naming the function and the option. */
export function invalidOption(fn: string, option: string, message: string): AssayError {
  return new AssayError("INVALID_OPTION", `${fn}: option "${option}" ${message}`, { plugin: PLUGIN, stage: fn, details: { option } });
}

/** A `CANCELLED` error for an aborted computation. */
export function cancelled(fn: string, cause?: unknown): AssayError {
  return new AssayError("CANCELLED", `${fn}: aborted`, cause === undefined ? { plugin: PLUGIN, stage: fn } : { plugin: PLUGIN, stage: fn, cause });
}

/** Throw `INVALID_OPTION` unless `value` is an integer in `[min, max]`. */
export function checkInt(fn: string, option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw invalidOption(fn, option, `must be an integer ${range}, got ${String(value)}`);
  }
}

/** Throw `INVALID_OPTION` unless `value` is a finite number greater than `min` (or ≥ when `inclusive`). */
export function checkPositive(fn: string, option: string, value: number, min = 0, inclusive = false): void {
  const ok = typeof value === "number" && Number.isFinite(value) && (inclusive ? value >= min : value > min);
  if (!ok) throw invalidOption(fn, option, `must be a finite number ${inclusive ? "≥" : ">"} ${min}, got ${String(value)}`);
}
