// End-to-end tests: the built CLI (dist/bin.js; run `pnpm --filter @assay/cli build` first) as a child process.
import { execFile } from "node:child_process";
import { access, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { encodeNpy } from "@assay/io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, makeProject } from "./test-fixtures.js";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let root: string;
const cliPackageDir = dirname(dirname(binPath));

function assay(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [binPath, ...args],
      // Discovery is pinned to the temp project and the CLI's own dependencies, so the lenses the
      // monorepo root links do not leak into these tests.
      { cwd: root, env: { PATH: process.env.PATH ?? "", CI: "true", NO_COLOR: "1", ASSAY_PLUGIN_PATH: [root, cliPackageDir].join(delimiter), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

const labels = Int32Array.from([0, 0, 0, 1, 1, 2, -1]);
// pred_probs: row 1 looks like a dog (label cat) → one label_mismatch
const probs = Float32Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.9, 0.05, 0.05, 0.1, 0.8, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4]);

beforeAll(async () => {
  await access(binPath).catch(() => {
    throw new Error(`${binPath} is missing: run \`pnpm --filter @assay/cli build\` before these tests`);
  });
  root = await makeProject();
  await writeFile(join(root, "labels.npy"), encodeNpy(labels));
  await writeFile(join(root, "pred_probs.npy"), encodeNpy(probs, [7, 3]));
  await writeFile(join(root, "pred_probs_short.npy"), encodeNpy(probs.subarray(0, 18), [6, 3]));
  await writeFile(join(root, "classes.txt"), "cat\ndog\nbird\n");
  const images = new Uint8Array(7 * 4 * 4);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
  await mkdir(join(root, "npyset"));
  await writeFile(join(root, "npyset", "images.npy"), encodeNpy(images, [7, 4, 4]));
  await writeFile(join(root, "npyset", "labels.npy"), encodeNpy(labels));
  await writeFile(join(root, "npyset", "classes.txt"), "cat\ndog\nbird\n");
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const noStack = (r: Result) => expect(r.stderr).not.toMatch(/\n\s+at /);

describe("assay --help", () => {
  it("lists the commands", async () => {
    const r = await assay(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: assay [options] [command]");
    expect(r.stdout).toMatch(/audit \[options\] \[path\]\s+load a dataset, run the lenses/);
    expect(r.stdout).toMatch(/list \[options\]\s+show installed plugins/);
    expect(r.stdout).toMatch(/init \[options\] \[file\]\s+write a commented starter config/);
  });
  it("documents audit's options with examples", async () => {
    const r = await assay(["audit", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--images <file>", "--pred-probs <file>", "--detectors <names>", "--config <file>", "--cache <dir>", "--concurrency <n>", "--fail-on <severity>", "--quiet", "--ontology <file>", "--class-size <list>"]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('(choices: "warning", "error")');
    expect(r.stdout).toContain("Examples:\n  $ assay audit ./images");
    expect(r.stdout).toContain("and on Node 20 when esbuild is installed");
  });
  it("prints the version", async () => {
    const r = await assay(["--version"]);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
  it("rejects an unknown command with exit code 2", async () => {
    const r = await assay(["bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'bogus'");
  });
});

describe("assay list", () => {
  it("shows discovered plugins, nodes and options, and warns about broken ones", async () => {
    const r = await assay(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("assay-plugin-test 1.2.3 — test lenses\n  detector rare-class v1 — classes with fewer than min rows\n    needs test.counts\n    min: integer ≥0 = 2  smallest healthy class size\n    severity: \"warning\" | \"error\" = \"error\"\n");
    expect(r.stdout).toContain("  extractor class-counts v1 — number of rows per class\n    provides test.counts\n");
    expect(r.stdout).toContain("  preset basic: rare-class, unlabeled\n");
    expect(r.stdout).toContain("@acme/assay-plugin-extra 0.1.0");
    expect(r.stderr).toContain("assay: warning: plugin package assay-plugin-broken could not be loaded and was left out: boom at import");
    expect(r.stderr).toContain("assay: warning: plugin package assay-plugin-empty exports no plugin");
  });
  it("prints JSON with --json", async () => {
    const r = await assay(["list", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { plugins: { name: string; detectors: { name: string; schema: { properties: Record<string, { default?: unknown }> } }[] }[]; warnings: string[] };
    const test = json.plugins.find((p) => p.name === "assay-plugin-test")!;
    expect(test.detectors.map((d) => d.name)).toEqual(["rare-class", "unlabeled", "label-mismatch", "picky"]);
    expect(test.detectors[0]!.schema.properties.min!.default).toBe(2);
    expect(json.warnings).toHaveLength(2);
  });
});

describe("assay audit", () => {
  it("runs the chosen lenses on arrays, prints the summary and writes JSON, CSV and HTML", async () => {
    const r = await assay([
      "audit", "--labels", "labels.npy", "--classes", "classes.txt", "--detectors", "basic",
      "--out", "out/report.json", "--csv", "out/findings.csv", "--html", "out/report.html",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('assay report — dataset "labels", 7 samples, 3 classes, classification');
    expect(r.stdout).toMatch(/\n {2}class-counts\s+extractor\s+assay-plugin-test\s+ok/);
    expect(r.stdout).toContain("Findings: 2 (error 1 · info 1)");
    expect(r.stdout).toMatch(/\n {2}error\s+1\s+5 \[5\]\s+class "bird" has 1 rows, fewer than 2\n/);
    const report = JSON.parse(await readFile(join(root, "out/report.json"), "utf8"));
    expect(report.schema).toBe("assay.report/v1");
    expect(report.status).toBe("ok");
    expect(report.findings.map((f: { type: string; indices: number[] }) => `${f.type}:${f.indices.join(",")}`)).toEqual(["unlabeled:6", "rare_class:5"]);
    const csv = await readFile(join(root, "out/findings.csv"), "utf8");
    expect(csv).toBe(
      'detector,type,severity,score,indices,ids,message,data\nunlabeled,unlabeled,info,,6,6,row has no label,\nrare-class,rare_class,error,1,5,5,"class ""bird"" has 1 rows, fewer than 2","{""class"":""bird"",""count"":1,""expected"":2}"\n',
    );
    const html = await readFile(join(root, "out/report.html"), "utf8");
    expect(html).toContain("<title>assay report — labels</title>");
    expect(html).toContain("<title>rare-class / rare_class: 1 error</title>");
  });

  it("--fail-on error exits 1 when an error finding exists, 0 when the config removes it", async () => {
    const fail = await assay(["audit", "--labels", "labels.npy", "--detectors", "rare-class", "--fail-on", "error", "--quiet"]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toBe("");
    // plugin warnings still reach stderr under --quiet; the verdict is the last line
    expect(fail.stderr.split("\n").filter((l) => !l.startsWith("assay: warning: plugin package assay-plugin-"))).toEqual(['assay: --fail-on error: 1 finding at or above "error"', ""]);
    await writeFile(join(root, "lenient.json"), JSON.stringify({ detectors: { "rare-class": { min: 1 } } }));
    const pass = await assay(["audit", "--labels", "labels.npy", "--detectors", "rare-class", "--fail-on", "error", "--config", "lenient.json", "--quiet"]);
    expect(pass.code).toBe(0);
    expect(pass.stderr).not.toContain("--fail-on");
  });

  it("--fail-on warning counts warnings (pred_probs supplied as a file)", async () => {
    const r = await assay(["audit", "--labels", "labels.npy", "--classes", "classes.txt", "--pred-probs", "pred_probs.npy", "--detectors", "label-mismatch", "--fail-on", "warning", "--no-progress"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\n {2}warning\s+0\.2\s+1 \[1\]\s+labelled cat, predicted dog\n/);
    expect(r.stderr.endsWith('\nassay: --fail-on warning: 1 finding at or above "warning"\n')).toBe(true);
    const info = await assay(["audit", "--labels", "labels.npy", "--detectors", "unlabeled", "--fail-on", "warning", "--quiet"]);
    expect(info.code).toBe(0);
  });

  it("runs every installed lens, leaving out those whose inputs are missing", async () => {
    const r = await assay(["audit", "npyset", "--out", "all.json", "--html", "all.html"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('assay: note: label-mismatch left out: it needs "pred_probs", which nothing provides; pass --pred-probs p.npy');
    expect(r.stderr).toContain('assay: note: picky left out: it has no usable default options (picky: option "threshold": ');
    expect(r.stderr).toContain("assay: rare-class (detector) started");
    expect(r.stderr).toMatch(/assay: class-counts ok in \d/);
    const report = JSON.parse(await readFile(join(root, "all.json"), "utf8"));
    const names = report.nodes.map((n: { name: string }) => n.name);
    expect(names).toEqual(expect.arrayContaining(["class-counts", "rare-class", "unlabeled", "always", "unreadable-images", "image-scan"]));
    expect(names).not.toContain("label-mismatch");
    expect(report.dataset).toMatchObject({ name: "npyset", size: 7, classes: ["cat", "dog", "bird"] });
    expect(report.nodes.find((n: { name: string }) => n.name === "unreadable-images").status).toBe("ok");
    const html = await readFile(join(root, "all.html"), "utf8");
    // one thumbnail per distinct first sample of a finding: rows 0 (always), 5 (rare_class), 6 (unlabeled)
    expect(html.match(/<img class="thumb" alt="" src="data:image\/png;base64,/g)).toHaveLength(3);
  });

  it("reuses extractor outputs from --cache", async () => {
    const args = ["audit", "--labels", "labels.npy", "--detectors", "rare-class", "--cache", "cache", "--out", "cached.json", "--quiet"];
    expect((await assay(args)).code).toBe(0);
    const first = JSON.parse(await readFile(join(root, "cached.json"), "utf8"));
    expect(first.nodes[0]).toMatchObject({ name: "class-counts", status: "ok" });
    expect(first.nodes[0].cached).toBeUndefined();
    expect((await assay(args)).code).toBe(0);
    const second = JSON.parse(await readFile(join(root, "cached.json"), "utf8"));
    expect(second.nodes[0]).toMatchObject({ name: "class-counts", status: "ok", cached: true });
    expect(second.findings).toEqual(first.findings);
  });

  it("reports an unknown detector as one line with exit code 2", async () => {
    const r = await assay(["audit", "--labels", "labels.npy", "--detectors", "rare-class,nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/assay: INVALID_OPTION: unknown detector "nope"; installed detectors: .*rare-class.*; presets: basic\n$/);
    noStack(r);
  });

  it("reports a bad config option naming the node and the option", async () => {
    await writeFile(join(root, "bad.json"), JSON.stringify({ detectors: { "rare-class": { min: "two" } } }));
    const r = await assay(["audit", "--labels", "labels.npy", "--config", "bad.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/assay: INVALID_OPTION: rare-class: option "min": .*number.*\n$/);
    noStack(r);
    await writeFile(join(root, "typo.mjs"), 'export default { detectors: { "rare-class": { mni: 1 } } };\n');
    const typo = await assay(["audit", "--labels", "labels.npy", "--config", "typo.mjs"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/assay: INVALID_OPTION: rare-class: unknown option "mni"\n$/);
  });

  it("turns bad input into one clear line, and a stack trace only with --debug", async () => {
    const missing = await assay(["audit", "no-such-folder"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/assay: [A-Z_]+: .*no-such-folder/);
    noStack(missing);
    const short = await assay(["audit", "--labels", "labels.npy", "--pred-probs", "pred_probs_short.npy", "--detectors", "label-mismatch"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/assay: INVALID_INPUT: --pred-probs pred_probs_short\.npy has 6 rows but the dataset has 7 samples\n$/);
    const none = await assay(["audit"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^(assay: warning: .*\n)*assay: INVALID_INPUT: no dataset given/);
    const debug = await assay(["audit", "--labels", "labels.npy", "--detectors", "nope", "--debug"]);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("explains which package --ontology and --class-size need", async () => {
    const r = await assay(["audit", "--labels", "labels.npy", "--ontology", "onto.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('assay: INVALID_OPTION: --ontology needs the "representation" detector; install @assay/representation\n');
    const c = await assay(["audit", "--labels", "labels.npy", "--class-size", "cat=2"]);
    expect(c.stderr).toContain('assay: INVALID_OPTION: --class-size needs the "coreset" detector; install @assay/coreset\n');
  });
});

describe("assay init", () => {
  it("writes a commented config that audit accepts, and refuses to overwrite it", async () => {
    const r = await assay(["init"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*assay\.config\.mjs \(\d+ nodes from \d+ plugins\)\n/);
    const text = await readFile(join(root, "assay.config.mjs"), "utf8");
    expect(text).toContain("    // rare-class (assay-plugin-test 1.2.3): classes with fewer than min rows\n    \"rare-class\": {\n      // min: 2, // integer ≥0 — smallest healthy class size\n");
    const run = await assay(["audit", "--labels", "labels.npy", "--detectors", "basic", "--config", "assay.config.mjs", "--quiet"]);
    expect(run.code).toBe(0);
    const again = await assay(["init"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/assay: IO_ERROR: .*assay\.config\.mjs already exists; pass --force to overwrite it\n$/);
    const json = await assay(["init", "--json"]);
    expect(json.code).toBe(0);
    const cfg = JSON.parse(await readFile(join(root, "assay.config.json"), "utf8"));
    expect(cfg.detectors["rare-class"]).toEqual({ min: 2, severity: "error" });
    expect(cfg.detectors.picky).toBeUndefined();
    expect(text).toContain('    // needs "threshold" before it can run: uncomment the block and fill it in\n    // picky: {\n    //   threshold: undefined, // number — required\n    // },\n');
    expect(json.stdout).toContain("JSON has no comments");
  });
});
