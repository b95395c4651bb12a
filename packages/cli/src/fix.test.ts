// End-to-end: `assay audit -d insights` then `assay fix` on the built CLI (dist/bin.js) as child processes.
// Needs `pnpm --filter @assay/cli build` and `pnpm --filter @assay/insights build` first.
import { access, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { encodeNpy } from "@assay/io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, type CliRun, runBuiltCli } from "./test-fixtures.js";

let root: string;
const cliPackageDir = dirname(dirname(binPath));
const pluginsDir = resolve(cliPackageDir, "../../plugins");

function assay(args: string[]): Promise<CliRun> {
  // discovery is pinned to the temp project (which links @assay/insights, @assay/label-issues and @assay/math) and the CLI's own dependencies
  return runBuiltCli(root, args);
}

// dataset H of dataset-insights §11: 20 rows, 5 classes; the default flags are rows 2, 3, 4, 11, 15, 19
const labels = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
const P = Float32Array.from([
  0.8, 0.1, 0.05, 0.03, 0.02, 0.7, 0.2, 0.06, 0.02, 0.02, 0.08, 0.87, 0.03, 0.01, 0.01, 0.08, 0.88, 0.02, 0.01, 0.01,
  0.12, 0.06, 0.8, 0.01, 0.01, 0.1, 0.86, 0.02, 0.01, 0.01, 0.15, 0.8, 0.03, 0.01, 0.01, 0.05, 0.92, 0.01, 0.01, 0.01,
  0.1, 0.04, 0.82, 0.02, 0.02, 0.06, 0.04, 0.86, 0.02, 0.02, 0.2, 0.06, 0.7, 0.02, 0.02, 0.02, 0.02, 0.06, 0.05, 0.85,
  0.01, 0.01, 0.02, 0.9, 0.06, 0.01, 0.01, 0.02, 0.8, 0.16, 0.01, 0.01, 0.02, 0.75, 0.21, 0.01, 0.01, 0.01, 0.12, 0.85,
  0.01, 0.01, 0.02, 0.1, 0.86, 0.01, 0.01, 0.02, 0.15, 0.81, 0.01, 0.01, 0.02, 0.22, 0.74, 0.01, 0.01, 0.01, 0.87, 0.1,
]);

beforeAll(async () => {
  await access(binPath).catch(() => {
    throw new Error(`${binPath} is missing: run \`pnpm --filter @assay/cli build\` before these tests`);
  });
  root = await mkdtemp(join(tmpdir(), "assay-fix-"));
  await mkdir(join(root, "node_modules", "@assay"), { recursive: true });
  for (const name of ["insights", "label-issues"]) await symlink(join(pluginsDir, name), join(root, "node_modules", "@assay", name), "dir");
  // @assay/math provides the shared knn-graph extractor the conflicting-duplicates check reads.
  await symlink(join(pluginsDir, "..", "packages", "math"), join(root, "node_modules", "@assay", "math"), "dir");
  await writeFile(join(root, "labels.npy"), encodeNpy(labels));
  await writeFile(join(root, "pred_probs.npy"), encodeNpy(P, [20, 5]));
  await writeFile(join(root, "classes.txt"), "pole\nflagpole\nmaypole\ngreen lizard\nanole\n");
  // 2-D embeddings on a spiral; rows 2 and 5 (labels pole / flagpole) are near-identical
  const emb = new Float32Array(40);
  for (let i = 0; i < 20; i++) {
    emb[2 * i] = i * Math.cos(i);
    emb[2 * i + 1] = i * Math.sin(i);
  }
  emb[10] = emb[4]! + 0.001;
  emb[11] = emb[5]!;
  await writeFile(join(root, "embeddings.npy"), encodeNpy(emb, [20, 2]));
  const audit = await assay([
    "audit", "--labels", "labels.npy", "--pred-probs", "pred_probs.npy", "--embeddings", "embeddings.npy", "--classes", "classes.txt",
    "-d", "insights", "--out", "report.json", "-q",
  ]);
  if (audit.code !== 0) throw new Error(`assay audit failed (${audit.code}): ${audit.stderr}`);
}, 180_000);
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("assay fix", () => {
  it("writes the accepted suggestions as a corrections CSV", async () => {
    const r = await assay(["fix", "report.json", "--accept", "suggested", "--out", "corrections.csv"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("wrote corrections.csv: 6 corrections (6 relabel, 0 remove)\n");
    const lines = (await readFile(join(root, "corrections.csv"), "utf8")).trim().split("\n");
    expect(lines[0]).toBe("id,action,from,to,reason");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 4).join(","))).toEqual([
      "2,relabel,pole,flagpole",
      "3,relabel,pole,flagpole",
      "4,relabel,pole,maypole",
      "11,relabel,maypole,anole",
      "15,relabel,green lizard,anole",
      "19,relabel,anole,green lizard",
    ]);
  }, 60_000);

  it("accepts the conflicting duplicates found on the kNN graph", async () => {
    const r = await assay(["fix", "report.json", "--accept", "duplicates"]);
    expect(r.code).toBe(0);
    // rows 2 (pole) and 5 (flagpole) are duplicates; their mean probabilities say flagpole
    expect(r.stdout.split("\n")[1]).toBe("2,relabel,pole,flagpole,\"conflicting duplicates [2, 5]\"");
  }, 60_000);

  it("filters by class and proposes removals; prints to stdout without --out", async () => {
    const r = await assay(["fix", "report.json", "--given", "pole", "--suggested", "maypole", "--remove"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("id,action,from,to,reason\n4,remove,pole,,suggested-corrections: pole → maypole (1 example)\n");
    expect(r.stderr).toBe("1 correction (0 relabel, 1 remove)\n");
  }, 60_000);

  it("fails cleanly on a missing report, a non-report and conflicting options", async () => {
    const missing = await assay(["fix", "nope.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^assay: IO_ERROR: cannot read report nope.json/);
    await writeFile(join(root, "other.json"), "{\"hello\": 1}");
    const other = await assay(["fix", "other.json"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^assay: INVALID_INPUT: not an assay report/);
    const clash = await assay(["fix", "report.json", "--accept", "all", "--given", "pole"]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/INVALID_OPTION: --given, --suggested and --remove filter the suggested corrections/);
  }, 60_000);
});
