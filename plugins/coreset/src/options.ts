import { AssayError } from "@assay/core";

/** Name of this package, used in every error it throws. */
export const PLUGIN = "@assay/coreset";

/** Importance presets: the weight β of the other-class term in `importance = ln d_own − β·ln d_other`. */
export const PRESETS = {
  /** β = 0: the within-class leverage order of DataHeroes' cleaning mode. */
  dataheroes: 0,
  /** β = 0.5 (default): finds label errors and keeps most of the out-of-distribution recall. */
  balanced: 0.5,
  /** β = 1: a pure "fits another class better than its own" ratio; best on label errors, weak on OOD. */
  label: 1,
} as const;

/** One of the named importance presets. */
export type Preset = keyof typeof PRESETS;

/** An `INVALID_OPTION` error of this package naming the option. */
export function invalidOption(option: string, message: string, details: Record<string, unknown> = {}): AssayError {
  return new AssayError("INVALID_OPTION", `coreset: option "${option}" ${message}`, { plugin: PLUGIN, details: { option, ...details } });
}

/** An `INVALID_INPUT` error of this package. */
export function invalidInput(message: string, details: Record<string, unknown> = {}): AssayError {
  return new AssayError("INVALID_INPUT", `coreset: ${message}`, { plugin: PLUGIN, details });
}

/** Resolve `preset`/`beta` to β ∈ [0, 1]. An explicit `beta` wins over the preset. */
export function resolveBeta(preset: string | undefined, beta: number | undefined): number {
  if (beta !== undefined) {
    if (!(beta >= 0 && beta <= 1)) throw invalidOption("beta", `must be a number in [0, 1], got ${String(beta)}`);
    return beta;
  }
  const name = preset ?? "balanced";
  if (!Object.hasOwn(PRESETS, name)) throw invalidOption("preset", `must be "dataheroes", "balanced" or "label", got ${JSON.stringify(name)}`);
  return PRESETS[name as Preset];
}

/** Check that `value` is an integer in [min, max]; returns it. */
export function intOption(option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, `must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? "∞" : max}], got ${String(value)}`);
  }
  return value;
}
