// `assay fix --manifest … --out-manifest …` on the built CLI (dist/bin.js), and re-auditing the corrected
// manifest with the disk cache. Needs `pnpm --filter @assay/cli build` and `pnpm --filter @assay/insights build` first.
import { access, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isAssayError } from "@assay/core";
import { encodeNpy, readNpy } from "@assay/io";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyManifestCorrections } from "./fix.js";
import { binPath, type CliRun, runBuiltCli } from "./test-fixtures.js";

interface ReportJson {
  nodes: { name: string; status: string; cached?: boolean }[];
  results: Record<string, { result: { numFlagged?: number } }>;
}

let root: string;
const cliPackageDir = dirname(dirname(binPath));
const pluginsDir = resolve(cliPackageDir, "../../plugins");

function assay(args: string[]): Promise<CliRun> {
  // discovery is pinned to the temp project (which links @assay/insights, @assay/label-issues and @assay/math) and the CLI's own dependencies
  return runBuiltCli(root, args);
}

// dataset H of dataset-insights §11 (20 rows, 5 classes; flags 2, 3, 4, 11, 15, 19 → suggested 1, 1, 2, 4, 4, 3)
const NAMES = ["pole", "flagpole", "maypole", "green lizard", "anole"];
const labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
const P = [
  [0.8, 0.1, 0.05, 0.03, 0.02], [0.7, 0.2, 0.06, 0.02, 0.02], [0.08, 0.87, 0.03, 0.01, 0.01], [0.08, 0.88, 0.02, 0.01, 0.01],
  [0.12, 0.06, 0.8, 0.01, 0.01], [0.1, 0.86, 0.02, 0.01, 0.01], [0.15, 0.8, 0.03, 0.01, 0.01], [0.05, 0.92, 0.01, 0.01, 0.01],
  [0.1, 0.04, 0.82, 0.02, 0.02], [0.06, 0.04, 0.86, 0.02, 0.02], [0.2, 0.06, 0.7, 0.02, 0.02], [0.02, 0.02, 0.06, 0.05, 0.85],
  [0.01, 0.01, 0.02, 0.9, 0.06], [0.01, 0.01, 0.02, 0.8, 0.16], [0.01, 0.01, 0.02, 0.75, 0.21], [0.01, 0.01, 0.01, 0.12, 0.85],
  [0.01, 0.01, 0.02, 0.1, 0.86], [0.01, 0.01, 0.02, 0.15, 0.81], [0.01, 0.01, 0.02, 0.22, 0.74], [0.01, 0.01, 0.01, 0.87, 0.1],
];
// a manifest's classes are its label names sorted (no class list given): reorder the columns to match
const SORTED = [...NAMES].sort();
const manifestP = Float32Array.from(P.flatMap((row) => SORTED.map((name) => row[NAMES.indexOf(name)]!)));
const manifestLines = ["path,label,note", ...labels.map((l, i) => `img/${i}.png,${NAMES[l]},${i % 3 === 0 ? '"a, quoted"' : "plain"}`)];
const manifestText = `${manifestLines.join("\r\n")}\r\n`;

beforeAll(async () => {
  await access(binPath).catch(() => {
    throw new Error(`${binPath} is missing: run \`pnpm --filter @assay/cli build\` before these tests`);
  });
  root = await mkdtemp(join(tmpdir(), "assay-fix-manifest-"));
  await mkdir(join(root, "node_modules", "@assay"), { recursive: true });
  for (const name of ["insights", "label-issues"]) await symlink(join(pluginsDir, name), join(root, "node_modules", "@assay", name), "dir");
  await symlink(join(pluginsDir, "..", "packages", "math"), join(root, "node_modules", "@assay", "math"), "dir");
  await mkdir(join(root, "img"));
  for (let i = 0; i < 20; i++) {
    const px = Buffer.alloc(16 * 16 * 3);
    for (let j = 0; j < px.length; j++) px[j] = (j * (i + 3) * 37 + i * 101) % 256;
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(root, "img", `${i}.png`));
  }
  await writeFile(join(root, "manifest.csv"), manifestText);
  await writeFile(join(root, "p.npy"), encodeNpy(manifestP, [20, 5]));
  await writeFile(join(root, "labels.npy"), encodeNpy(Int32Array.from(labels)));
  await writeFile(join(root, "classes.txt"), `${NAMES.join("\n")}\n`);
  await writeFile(join(root, "p_h.npy"), encodeNpy(Float32Array.from(P.flat()), [20, 5]));
}, 60_000);
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("assay fix --manifest", () => {
  it("corrects a CSV manifest in place; re-auditing with the cache reuses the embeddings and finds no issues left", async () => {
    const audit = (out: string) => assay(["audit", "manifest.csv", "--pred-probs", "p.npy", "-d", "insights", "--cache", "cache", "--out", out, "-q"]);
    const first = await audit("r1.json");
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(await readFile(join(root, "r1.json"), "utf8")) as ReportJson;
    const node = (r: ReportJson, name: string) => r.nodes.find((n) => n.name === name)!;
    expect(node(r1, "pixel-embedding").status).toBe("ok");
    expect(node(r1, "pixel-embedding").cached).toBeUndefined();
    expect(r1.results["suggested-corrections"]!.result.numFlagged).toBe(6);

    const fix = await assay(["fix", "r1.json", "--out", "corrections.csv", "--manifest", "manifest.csv", "--out-manifest", "manifest.csv"]);
    expect(fix.stderr).toBe("");
    expect(fix.code).toBe(0);
    expect(fix.stdout).toBe("wrote corrections.csv: 6 corrections (6 relabel, 0 remove)\nwrote manifest.csv: 6 relabelled, 0 removed, 14 untouched\n");
    const fixed = (await readFile(join(root, "manifest.csv"), "utf8")).split("\r\n");
    const expected = [...manifestLines];
    const to = { 2: "flagpole", 3: "flagpole", 4: "maypole", 11: "anole", 15: "anole", 19: "green lizard" } as Record<number, string>;
    for (const [i, name] of Object.entries(to)) expected[Number(i) + 1] = `img/${i}.png,${name},${Number(i) % 3 === 0 ? '"a, quoted"' : "plain"}`;
    expect(fixed).toEqual([...expected, ""]);
    // untouched lines are byte-identical, quotes included
    expect(fixed[1]).toBe('img/0.png,pole,"a, quoted"');

    const second = await audit("r2.json");
    expect(second.code, second.stderr).toBe(0);
    const r2 = JSON.parse(await readFile(join(root, "r2.json"), "utf8")) as ReportJson;
    // label-independent artifacts come from the cache; what reads labels is recomputed
    expect(node(r2, "pixel-embedding").cached).toBe(true);
    expect(node(r2, "insights-basis").cached).toBeUndefined();
    expect(r2.results["suggested-corrections"]!.result.numFlagged).toBe(0);
  }, 120_000);

  it("relabels a labels .npy (removals become −1 so rows stay aligned)", async () => {
    const audit = await assay(["audit", "--labels", "labels.npy", "--pred-probs", "p_h.npy", "--classes", "classes.txt", "-d", "suggested-corrections", "--out", "rh.json", "-q"]);
    expect(audit.code, audit.stderr).toBe(0);
    const r = await assay(["fix", "rh.json", "--manifest", "labels.npy", "--out-manifest", "fixed.npy"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("wrote fixed.npy: 6 relabelled, 0 marked unlabeled (-1), 14 untouched\n");
    const fixed = await readNpy(join(root, "fixed.npy"));
    expect(Array.from(fixed.data as Int32Array)).toEqual([0, 0, 1, 1, 2, 1, 1, 1, 2, 2, 2, 4, 3, 3, 3, 4, 4, 4, 4, 3]);
    const rm = await assay(["fix", "rh.json", "--given", "pole", "--remove", "--manifest", "labels.npy", "--out-manifest", "removed.npy"]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(Array.from((await readNpy(join(root, "removed.npy"))).data as Int32Array).slice(0, 6)).toEqual([0, 0, -1, -1, -1, 1]);
  }, 120_000);

  it("a manifest that lacks the report's samples is a clear error, and nothing is written", async () => {
    await writeFile(join(root, "short.npy"), encodeNpy(Int32Array.from(labels.slice(0, 10))));
    const r = await assay(["fix", "rh.json", "--manifest", "short.npy", "--out-manifest", "short-fixed.npy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^assay: INVALID_INPUT: the corrections name 3 samples not in short.npy \(10 rows, ids 0…9\): "11", "15", "19"/);
    await expect(access(join(root, "short-fixed.npy"))).rejects.toThrow();
    const lone = await assay(["fix", "rh.json", "--manifest", "labels.npy"]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/INVALID_OPTION: --manifest and --out-manifest go together/);
    const folder = await assay(["fix", "rh.json", "--manifest", "img", "--out-manifest", "x"]);
    expect(folder.stderr).toMatch(/INVALID_INPUT: cannot apply corrections to img: only CSV\/JSONL manifests and labels .npy files/);
  }, 60_000);

  it("API: applyManifestCorrections with a corrections CSV naming unknown samples throws a typed error", async () => {
    await writeFile(join(root, "m2.jsonl"), '{"path":"img/0.png","label":"pole"}\n{"path":"img/1.png","label":"pole"}\n');
    await writeFile(join(root, "bad.csv"), "id,action,from,to,reason\nimg/1.png,relabel,pole,flagpole,x\nimg/99.png,remove,,,x\n");
    let err: unknown;
    try {
      await applyManifestCorrections({ manifest: join(root, "m2.jsonl"), out: join(root, "m2-fixed.jsonl"), corrections: join(root, "bad.csv") });
    } catch (e) {
      err = e;
    }
    expect(isAssayError(err, "INVALID_INPUT")).toBe(true);
    expect((err as Error).message).toBe('the corrections name 1 sample not in the manifest (by "id"): "img/99.png"');
    const ok = await applyManifestCorrections({
      manifest: join(root, "m2.jsonl"),
      out: join(root, "m2-fixed.jsonl"),
      corrections: [{ id: "img/1.png", action: "relabel", from: "pole", to: "flagpole", reason: "" }],
    });
    expect(ok).toEqual({ format: "jsonl", relabeled: ["img/1.png"], removed: [], untouched: 1 });
    expect(await readFile(join(root, "m2-fixed.jsonl"), "utf8")).toBe('{"path":"img/0.png","label":"pole"}\n{"path":"img/1.png","label":"flagpole"}\n');
  }, 60_000);
});
