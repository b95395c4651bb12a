import type { Report } from "@assay/core";
import { parse } from "csv-parse/sync";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCsv } from "@assay/report";
import { caught, tempDir } from "./test-utils.js";
import { writeFindingsCsv, writeReport } from "./writers.js";

const report: Report = {
  schema: "assay.report/v1",
  status: "ok",
  dataset: { name: "d", size: 3, task: "classification", classes: ["a"], fingerprint: "0123456789abcdef", splits: {} },
  nodes: [{ name: "x", kind: "detector", version: "1", status: "ok", durationMs: 12 }],
  results: { x: { result: { scores: Float32Array.from([0.5, Number.NaN]) } } },
  findings: [
    { detector: "x", type: "dup", indices: [0, 2], ids: ["a,1.png", 'say "b".png'], score: 0.25, severity: "warning", message: "two\nlines, with comma", data: { d: 1 } },
    { detector: "x", type: "gap", indices: [], ids: [], severity: "info", message: " padded " },
  ],
  counts: { info: 1, warning: 1, error: 0 },
  durationMs: 20,
};

describe("writers", () => {
  it("writes findings CSV that a CSV parser reads back exactly", async () => {
    const dir = await tempDir();
    const file = join(dir, "out", "findings.csv");
    await writeFindingsCsv(file, report);
    const text = await readFile(file, "utf8");
    expect(text).toBe(renderCsv(report, { eol: "\r\n" }));
    expect(text.split("\r\n")[0]).toBe("detector,type,severity,score,indices,ids,message,data");
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { detector: "x", type: "dup", severity: "warning", score: "0.25", indices: "0;2", ids: 'a,1.png;say "b".png', message: "two\nlines, with comma", data: '{"d":1}' },
      { detector: "x", type: "gap", severity: "info", score: "", indices: "", ids: "", message: " padded ", data: "" },
    ]);
  });

  it("writes report JSON via serializeReport, optionally without timings", async () => {
    const dir = await tempDir();
    const file = join(dir, "r.json");
    await writeReport(file, report, { timings: false });
    const back = JSON.parse(await readFile(file, "utf8"));
    expect(back.durationMs).toBeUndefined();
    expect(back.nodes[0].durationMs).toBeUndefined();
    expect(back.results.x.result.scores).toEqual([0.5, null]);
    expect(back.findings).toHaveLength(2);
  });

  it("reports an unwritable path as IO_ERROR / INVALID_INPUT naming the file", async () => {
    const dir = await tempDir();
    await writeReport(join(dir, "f"), report);
    const e = await caught(() => writeReport(join(dir, "f", "under-a-file.json"), report));
    expect(["IO_ERROR", "INVALID_INPUT"]).toContain(e.code);
    expect(String(e.details?.file)).toContain("under-a-file.json");
  });
});
