// Test-only helpers: fake plugin packages in a temp folder. Not exported from index.ts.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/core, linked into temp node_modules so fake plugins can import @assay/core. */
export const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../core");
/** The built CLI. */
export const binPath = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

/** Exit code and output of one run of the built CLI. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI in `cwd` as a child process, with plugin discovery pinned to `cwd` and the CLI's own
 * dependencies (`ASSAY_PLUGIN_PATH`), no colours, and a 2-minute timeout.
 */
export function runBuiltCli(cwd: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    const env = { PATH: process.env.PATH ?? "", CI: "true", NO_COLOR: "1", ASSAY_PLUGIN_PATH: [cwd, dirname(dirname(binPath))].join(delimiter) };
    execFile(process.execPath, [binPath, ...args], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const testPluginSource = `
import { defineArtifact, defineDetector, defineExtractor, definePlugin, artifacts, z } from "@assay/core";

const counts = defineArtifact("test.counts");

export const classCounts = defineExtractor({
  name: "class-counts", version: "1", plugin: "assay-plugin-test",
  description: "number of rows per class",
  options: z.object({}), needs: [], provides: counts,
  async run(ctx) {
    const k = ctx.dataset.classes.length;
    const out = new Int32Array(k);
    for (let i = 0; i < ctx.dataset.size; i++) {
      const l = ctx.dataset.labels[i];
      if (l >= 0) out[l]++;
      ctx.progress(i + 1, ctx.dataset.size);
    }
    return out;
  },
});

export const rareClass = defineDetector({
  name: "rare-class", version: "1", plugin: "assay-plugin-test",
  description: "classes with fewer than min rows",
  options: z.object({
    min: z.number().int().min(0).default(2).describe("smallest healthy class size"),
    severity: z.enum(["warning", "error"]).default("error"),
  }),
  needs: [counts],
  async run(ctx, inputs, options) {
    const c = inputs["test.counts"];
    const findings = [];
    for (let k = 0; k < c.length; k++) {
      if (c[k] < options.min) {
        const rows = [];
        for (let i = 0; i < ctx.dataset.size; i++) if (ctx.dataset.labels[i] === k) rows.push(i);
        findings.push({ type: "rare_class", indices: rows, score: c[k], severity: options.severity,
          message: 'class "' + ctx.dataset.classes[k] + '" has ' + c[k] + " rows, fewer than " + options.min,
          data: { class: ctx.dataset.classes[k], count: c[k], expected: options.min } });
      }
    }
    return { result: { counts: Array.from(c) }, findings, summary: { rare_classes: findings.length } };
  },
});

export const unlabeled = defineDetector({
  name: "unlabeled", version: "1", plugin: "assay-plugin-test",
  options: z.object({}), needs: [],
  async run(ctx) {
    const findings = [];
    for (let i = 0; i < ctx.dataset.size; i++) {
      if (ctx.dataset.labels[i] < 0) findings.push({ type: "unlabeled", indices: [i], severity: "info", message: "row has no label" });
    }
    return { result: null, findings };
  },
});

export const mismatch = defineDetector({
  name: "label-mismatch", version: "1", plugin: "assay-plugin-test",
  description: "rows whose most probable class is not their label",
  options: z.object({}), needs: [artifacts.predProbs],
  async run(ctx, inputs) {
    const p = inputs.pred_probs;
    const findings = [];
    for (let i = 0; i < p.rows; i++) {
      let best = 0;
      for (let j = 1; j < p.cols; j++) if (p.data[i * p.cols + j] > p.data[i * p.cols + best]) best = j;
      const l = ctx.dataset.labels[i];
      if (l >= 0 && best !== l) findings.push({ type: "label_mismatch", indices: [i], score: p.data[i * p.cols + l], severity: "warning",
        message: "labelled " + ctx.dataset.classes[l] + ", predicted " + ctx.dataset.classes[best] });
    }
    return { result: null, findings, summary: { mismatches: findings.length } };
  },
});

export const picky = defineDetector({
  name: "picky", version: "1", plugin: "assay-plugin-test",
  options: z.object({ threshold: z.number() }), needs: [],
  async run() { return { result: null, findings: [] }; },
});

export const plugin = definePlugin({
  name: "assay-plugin-test", version: "1.2.3", description: "test lenses",
  extractors: [classCounts], detectors: [rareClass, unlabeled, mismatch, picky],
  presets: { basic: ["rare-class", "unlabeled"] },
});
`;

async function writePackage(root: string, name: string, files: Record<string, string>, manifest: Record<string, unknown> = {}): Promise<void> {
  const dir = join(root, "node_modules", name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ name, version: "1.2.3", type: "module", main: "index.js", ...manifest }));
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
}

/**
 * A temp project folder whose node_modules holds: @assay/core (a link to the real one), the good
 * plugin `assay-plugin-test`, a plugin that throws on import, a package without a plugin export, and
 * a scoped plugin with a default export and an `exports` map.
 */
export async function makeProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "assay-cli-"));
  await mkdir(join(root, "node_modules", "@assay"), { recursive: true });
  await symlink(coreDir, join(root, "node_modules", "@assay", "core"), "dir");
  await writePackage(root, "assay-plugin-test", { "index.js": testPluginSource });
  await writePackage(root, "assay-plugin-broken", { "index.js": 'throw new Error("boom at import");\n' });
  await writePackage(root, "assay-plugin-empty", { "index.js": "export const nothing = 1;\n" });
  await writePackage(
    root,
    "@acme/assay-plugin-extra",
    {
      "lib.mjs": `import { defineDetector, z } from "@assay/core";
export default { name: "@acme/assay-plugin-extra", version: "0.1.0", detectors: [defineDetector({ name: "always", version: "1", options: z.object({}), needs: [],
  async run() { return { result: null, findings: [{ type: "always", indices: [0], severity: "info", message: "first row" }] }; } })] };
`,
    },
    { exports: { ".": { types: "./lib.d.ts", import: "./lib.mjs", require: "./lib.cjs" } } },
  );
  await writePackage(root, "unrelated-package", { "index.js": "export const plugin = { name: 'x', version: '1' };\n" });
  return root;
}
