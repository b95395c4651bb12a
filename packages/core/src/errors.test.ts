import { describe, expect, it } from "vitest";
import { AssayError, isAssayError, wrapNodeError } from "./errors.js";
import { Hasher, hashString, stableStringify } from "./hash.js";
import { serializeReport, type Report } from "./report.js";

describe("errors", () => {
  it("wraps foreign errors with node, plugin and cause", () => {
    const wrapped = wrapNodeError(new RangeError("bad"), { node: "n", plugin: "p" });
    expect(isAssayError(wrapped, "NODE_FAILED")).toBe(true);
    expect(wrapped.toJSON()).toEqual({ code: "NODE_FAILED", message: "n failed: bad", node: "n", plugin: "p", cause: "RangeError: bad" });
  });

  it("keeps an AssayError's code and fills in missing context", () => {
    const original = new AssayError("INVALID_INPUT", "row 3 has NaN", { details: { row: 3 } });
    const wrapped = wrapNodeError(original, { node: "n", plugin: "p" });
    expect(wrapped.toJSON()).toEqual({ code: "INVALID_INPUT", message: "row 3 has NaN", node: "n", plugin: "p", details: { row: 3 } });
  });
});

describe("hashing", () => {
  it("is stable and sensitive", () => {
    expect(hashString("assay")).toBe(hashString("assay"));
    expect(hashString("assay")).not.toBe(hashString("assaz"));
    expect(new Hasher().bytes(Float32Array.of(1, 2)).digest()).not.toBe(new Hasher().bytes(Float32Array.of(2, 1)).digest());
  });

  it("stringifies with sorted keys and portable numbers", () => {
    expect(stableStringify({ b: 1, a: [NaN, Float32Array.of(0.5)], c: undefined })).toBe('{"a":["NaN",[0.5]],"b":1}');
  });
});

describe("serializeReport", () => {
  it("turns typed arrays and non-finite numbers into plain JSON", () => {
    const report = {
      schema: "assay.report/v1",
      status: "ok",
      dataset: { name: "d", size: 0, task: "unlabeled", classes: [], fingerprint: "0", splits: {} },
      nodes: [],
      results: { x: { result: { scores: Float32Array.of(0.5, Infinity), mean: NaN } } },
      findings: [],
      counts: { info: 0, warning: 0, error: 0 },
      durationMs: 3,
    } satisfies Report;
    const text = serializeReport(report, { timings: false, space: 0 });
    expect(JSON.parse(text).results).toEqual({ x: { result: { scores: [0.5, null], mean: null } } });
    expect(text).not.toContain("durationMs");
  });
});
