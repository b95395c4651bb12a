import { defineDetector, type FindingInput, z } from "@assay/core";
import { metadataTableKey } from "./metadata-table.js";
import { checkValue, ruleSchema, type ViolationKind } from "./rules.js";

/** Per-rule counts of violating rows. */
export interface MetadataRulesResult {
  rules: { column: string; violations: number; byKind: Partial<Record<ViolationKind, number>> }[];
  rowsWithViolations: number;
}

/**
 * Flags every sample whose metadata breaks a rule: one finding per row, rule and kind of violation
 * (`missing_value`, `not_a_number`, `below_min`, `above_max`, `not_allowed`, `pattern_mismatch`).
 * For numeric bounds the finding's score is how far outside the bound the value lies; otherwise 1.
 */
export const metadataRules = defineDetector({
  name: "metadata-rules",
  version: "1",
  plugin: "assay-plugin-metadata-rules",
  description: "Flag samples whose metadata breaks user rules",
  options: z.object({ rules: z.array(ruleSchema).default([]) }),
  needs: [metadataTableKey],
  async run(ctx, inputs, options) {
    const table = inputs["metadata.table"];
    const findings: FindingInput[] = [];
    const flaggedRows = new Set<number>();
    const summaries: MetadataRulesResult["rules"] = [];
    for (const rule of options.rules) {
      const column = table.columns[rule.column];
      if (!column) ctx.warn(`no sample has metadata column "${rule.column}"`);
      const byKind: Partial<Record<ViolationKind, number>> = {};
      let violations = 0;
      for (let i = 0; i < ctx.dataset.size; i++) {
        const value = column?.[i] ?? null;
        for (const v of checkValue(rule, value)) {
          violations++;
          byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
          flaggedRows.add(i);
          findings.push({
            type: v.kind,
            indices: [i],
            score: v.excess ?? 1,
            severity: rule.severity,
            message: `${ctx.dataset.ids[i]}: ${rule.column} is ${value === null ? "missing" : JSON.stringify(value)}, expected ${v.expected}`,
            data: { column: rule.column, actual: value, expected: v.expected },
          });
        }
      }
      summaries.push({ column: rule.column, violations, byKind });
    }
    return {
      result: { rules: summaries, rowsWithViolations: flaggedRows.size },
      findings,
      summary: { rules: options.rules.length, rows_with_violations: flaggedRows.size },
    };
  },
});
