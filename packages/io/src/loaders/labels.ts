import { invalidInput } from "../errors.js";

/** A raw label value as it appears in a table: a class name, a class index, or nothing. */
export type RawLabel = string | number | bigint | null | undefined;

/**
 * Map raw labels (names or indices) to class indices. Empty values, null and −1 mean unlabeled.
 *
 * With `classes` given, a value is first looked up by name, then (if it is an integer in range) used
 * as an index; anything else is an `INVALID_INPUT` error naming `file`, the row and the value.
 * Without `classes`: if every value is a non-negative integer they are indices and classes are
 * `"0"…"max"`; otherwise classes are the distinct values as text, sorted.
 */
export function resolveLabels(
  rows: readonly (readonly RawLabel[])[],
  classes: readonly string[] | undefined,
  file: string,
  rowName: (row: number) => string,
): { classes: string[]; indices: number[][] } {
  const isEmpty = (v: RawLabel) => v === null || v === undefined || String(v).trim() === "" || String(v).trim() === "-1";
  if (!classes) {
    const values = rows.flat().filter((v) => !isEmpty(v));
    const isIndex = (v: RawLabel) => /^\d+$/.test(String(v).trim());
    const allInts = values.every(isIndex);
    if (allInts && values.length > 0) {
      const max = values.reduce<number>((m, v) => Math.max(m, Number(v)), -1);
      classes = Array.from({ length: max + 1 }, (_, k) => String(k));
    } else {
      classes = [...new Set(values.map((v) => String(v).trim()))].sort();
    }
  }
  const byName = new Map(classes.map((c, i) => [c, i]));
  const indices = rows.map((row, r) =>
    row.filter((v) => !isEmpty(v)).map((v) => {
      const text = String(v).trim();
      const named = byName.get(text);
      if (named !== undefined) return named;
      const n = Number(text);
      if (typeof v !== "string" && Number.isInteger(n) && n >= 0 && n < classes.length) return n;
      if (typeof v === "string" && /^\d+$/.test(text) && n < classes.length) return n;
      const shown = classes.length > 12 ? `${classes.slice(0, 12).join(", ")}, …` : classes.join(", ");
      throw invalidInput(`${file}: ${rowName(r)} has unknown class "${text}"; known classes: ${shown}`, {
        file,
        row: r,
        value: text,
      });
    }),
  );
  return { classes: [...classes], indices };
}
