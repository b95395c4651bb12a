// End-to-end: the built CLI with @assay/representation and @assay/coverage installed in the workspace,
// on the committed fashion-gaps arrays and their clothing ontology (--ontology).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { gapSection } from "./report-sections.js";
import { binPath } from "./test-fixtures.js";

const data = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples/data/fashion-gaps");

function assay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [binPath, ...args], { env: { PATH: process.env.PATH ?? "", CI: "true", NO_COLOR: "1" }, timeout: 90_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("assay audit --ontology", () => {
  it("configures representation and gaps from one flag and prints the gap table", async () => {
    const planted = JSON.parse(await readFile(join(data, "planted.json"), "utf8")) as { gaps: { class: string; expected: { gap_action: string } }[] };
    const r = await assay([
      "audit",
      data,
      "--embeddings",
      join(data, "embeddings.npy"),
      "--ontology",
      join(data, "hierarchy.json"),
      "-d",
      "representation,gaps,coverage,label-stats",
    ]);
    expect(r.code).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf("Gap report (@assay/representation)"));
    expect(table).toContain("leaf coverage 83.3%, total deficit 670");
    const phrase: Record<string, string> = {
      acquire: "acquire data",
      collect_more: "collect more",
      broaden: "broaden",
      deduplicate: "deduplicate",
      vary_axis: "vary the axis",
    };
    for (const gap of planted.gaps) {
      const row = table.split("\n").find((line) => line.startsWith(`${gap.class} `));
      expect(row, gap.class).toContain(phrase[gap.expected.gap_action]);
    }
  }, 120_000);

  it("prints nothing for a report without a gaps result", () => {
    const report = { nodes: [], results: {} } as never;
    expect(gapSection(report, [])).toBeUndefined();
  });
});
