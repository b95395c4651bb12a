import { createDataset, createRegistry, pipeline } from "@assay/core";
import { checkDetector } from "@assay/core/testing";
import { describe, expect, it } from "vitest";
import { metadataRules, metadataTable, plugin } from "./index.js";
import { checkValue, ruleSchema } from "./rules.js";

const dataset = createDataset({
  labels: [0, 1, 0, 1],
  ids: ["a", "b", "c", "d"],
  meta: [{ iso: 100, camera: "A7" }, { iso: 9000, camera: "A7" }, { camera: "phone" }, { iso: "auto", camera: "X100", extra: { nested: true } }],
});

describe("checkValue", () => {
  const rule = (r: object) => ruleSchema.parse(r);
  it("checks bounds, allowed values, patterns and presence", () => {
    expect(checkValue(rule({ column: "iso", min: 50, max: 6400 }), 9000)).toEqual([{ kind: "above_max", expected: "≤ 6400", excess: 2600 }]);
    expect(checkValue(rule({ column: "iso", min: 50 }), 10)).toEqual([{ kind: "below_min", expected: "≥ 50", excess: 40 }]);
    expect(checkValue(rule({ column: "iso", min: 50 }), "auto")).toEqual([{ kind: "not_a_number", expected: "a number" }]);
    expect(checkValue(rule({ column: "cam", oneOf: ["A7"] }), "X100")).toEqual([{ kind: "not_allowed", expected: 'one of "A7"' }]);
    expect(checkValue(rule({ column: "site", pattern: "S-\\d{2}" }), "S-123")).toEqual([{ kind: "pattern_mismatch", expected: "matching /S-\\d{2}/" }]);
    expect(checkValue(rule({ column: "site", pattern: "S-\\d{2}" }), "S-12")).toEqual([]);
    expect(checkValue(rule({ column: "x", required: true }), null)).toEqual([{ kind: "missing_value", expected: "a value" }]);
    expect(checkValue(rule({ column: "x" }), null)).toEqual([]);
  });
});

describe("metadataRules in a pipeline", () => {
  it("finds the table extractor through the registry and flags each broken rule", async () => {
    const registry = createRegistry().use(plugin);
    const report = await pipeline(dataset, { registry })
      .use(metadataRules({ rules: [{ column: "iso", required: true, min: 50, max: 6400, severity: "error" }, { column: "camera", oneOf: ["A7", "X100"] }] }))
      .run();
    expect(report.status).toBe("ok");
    expect(report.nodes.map((n) => n.name)).toEqual(["metadata-table", "metadata-rules"]);
    expect(report.findings.map((f) => [f.type, f.ids[0], f.severity, f.score])).toEqual([
      ["above_max", "b", "error", 2600],
      ["missing_value", "c", "error", 1],
      ["not_a_number", "d", "error", 1],
      ["not_allowed", "c", "warning", 1],
    ]);
    expect(report.findings[0]!.message).toBe("b: iso is 9000, expected ≤ 6400");
    expect(report.results["metadata-rules"]!.result).toEqual({
      rules: [
        { column: "iso", violations: 3, byKind: { above_max: 1, missing_value: 1, not_a_number: 1 } },
        { column: "camera", violations: 1, byKind: { not_allowed: 1 } },
      ],
      rowsWithViolations: 3,
    });
  });

  it("stores nested metadata as JSON text and warns about absent columns", async () => {
    const report = await pipeline(dataset).use(metadataTable(), metadataRules({ rules: [{ column: "lens", required: true }] })).run();
    expect(report.findings).toHaveLength(4);
    expect(report.nodes[1]!.warnings).toEqual(['no sample has metadata column "lens"']);
  });

  it("rejects a bad rule naming the detector and the option", () => {
    expect(() => metadataRules({ rules: [{ column: "iso", min: 10, max: 1 }] })).toThrowError(
      expect.objectContaining({ code: "INVALID_OPTION", message: 'metadata-rules: option "rules.0.min": min must not exceed max' }),
    );
    expect(() => metadataRules({ rules: [{ column: "iso", maximum: 1 } as never] })).toThrowError(/unknown option|Unrecognized key/);
  });

  it("conforms to the detector contract", async () => {
    expect(await checkDetector(metadataRules, { dataset, options: { rules: [{ column: "iso", max: 1000 }] }, use: [metadataTable()] })).toEqual([]);
  });
});
