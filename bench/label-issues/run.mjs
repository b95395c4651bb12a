// One command for the whole side-by-side bench: `pnpm --filter @assay/bench-label-issues bench`
// (env: N, K (default 1,000,000 × 100), DATA_DIR (default /tmp/assay-bench-label-issues), CLEANLAB_SRC (a cleanlab
// source checkout; default /tmp/li-cleanlab, else extracted from the fetched mirror), PYTHON (default /usr/bin/python3),
// REUSE=1 to reuse existing .npy/ref files).
// 1) cleanlab_ref.py writes seeded P/labels .npy files and times cleanlab (n_jobs=1); 2) bench.mjs times ours on the same bytes.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const N = process.env.N ?? "1000000";
const K = process.env.K ?? "100";
const dir = process.env.DATA_DIR ?? "/tmp/assay-bench-label-issues";
const python = process.env.PYTHON ?? "/usr/bin/python3";
fs.mkdirSync(dir, { recursive: true });

let src = process.env.CLEANLAB_SRC ?? "/tmp/li-cleanlab";
if (!fs.existsSync(path.join(src, "cleanlab", "filter.py"))) {
  const mirror = fs.readdirSync("/work/.mirror").find((d) => d.startsWith("cleanlab+cleanlab"));
  if (!mirror) throw new Error("no cleanlab checkout: set CLEANLAB_SRC or fetch github:cleanlab/cleanlab");
  const gitDir = fs.existsSync(path.join("/work/.mirror", mirror, "repo")) ? path.join("/work/.mirror", mirror, "repo") : path.join("/work/.mirror", mirror);
  src = path.join(dir, "cleanlab-src");
  fs.mkdirSync(src, { recursive: true });
  execFileSync("sh", ["-c", `git --git-dir='${gitDir}' archive HEAD cleanlab | tar -x -C '${src}'`], { stdio: "inherit" });
}
const tag = `${N}_${K}`;
if (!(process.env.REUSE && fs.existsSync(path.join(dir, `ref_${tag}.json`)))) {
  console.error(`[bench] cleanlab reference (${python}, PYTHONPATH=${src}) → ${dir}`);
  const r = spawnSync(python, [path.join(here, "cleanlab_ref.py"), N, K], { cwd: dir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, PYTHONPATH: src } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
console.error("[bench] @assay/label-issues on the same bytes");
const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", path.join(here, "bench.mjs"), dir, N, K], { stdio: "inherit" });
process.exit(r.status ?? 1);
