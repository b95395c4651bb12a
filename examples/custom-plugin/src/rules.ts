import { z } from "@assay/core";
import type { MetaValue } from "./metadata-table.js";

/** One rule about one metadata column. Every condition given must hold. */
export const ruleSchema = z
  .object({
    column: z.string().min(1),
    /** The row must have a value. */
    required: z.boolean().default(false),
    /** Numeric bounds, inclusive. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** Allowed values. */
    oneOf: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    /** A regular expression string values must match (whole value). */
    pattern: z.string().optional(),
    severity: z.enum(["info", "warning", "error"]).default("warning"),
  })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: "min must not exceed max", path: ["min"] })
  .refine(
    (r) => {
      if (r.pattern === undefined) return true;
      try {
        new RegExp(r.pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: "pattern is not a valid regular expression", path: ["pattern"] },
  );

/** A validated rule. */
export type Rule = z.output<typeof ruleSchema>;

/** Why a value breaks a rule. */
export type ViolationKind = "missing_value" | "not_a_number" | "below_min" | "above_max" | "not_allowed" | "pattern_mismatch";

/** One broken rule on one value. */
export interface Violation {
  kind: ViolationKind;
  expected: string;
  /** How far outside the numeric bound the value is (for below_min / above_max). */
  excess?: number;
}

/** Check one value against one rule; returns every violation (empty when the value conforms). */
export function checkValue(rule: Rule, value: MetaValue): Violation[] {
  if (value === null) return rule.required ? [{ kind: "missing_value", expected: "a value" }] : [];
  const out: Violation[] = [];
  if (rule.min !== undefined || rule.max !== undefined) {
    if (typeof value !== "number") {
      out.push({ kind: "not_a_number", expected: "a number" });
    } else {
      if (rule.min !== undefined && value < rule.min) out.push({ kind: "below_min", expected: `≥ ${rule.min}`, excess: rule.min - value });
      if (rule.max !== undefined && value > rule.max) out.push({ kind: "above_max", expected: `≤ ${rule.max}`, excess: value - rule.max });
    }
  }
  if (rule.oneOf !== undefined && !rule.oneOf.includes(value)) {
    out.push({ kind: "not_allowed", expected: `one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(", ")}` });
  }
  if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(String(value))) {
    out.push({ kind: "pattern_mismatch", expected: `matching /${rule.pattern}/` });
  }
  return out;
}
