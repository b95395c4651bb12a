// Runs the BUILT package (dist/index.js and dist/index.cjs) in fresh Node processes, so the worker
// pool is exercised exactly as consumers load it. Needs `pnpm --filter @assay/math build` first
// (turbo's test task depends on build).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));

const body = (load: string) => `
${load}
const n = 600, d = 12;
const rng = new m.Mt19937(3);
const data = new Float32Array(n * d);
for (let i = 0; i < data.length; i++) data[i] = rng.random();
const X = { rows: n, cols: d, data };
(async () => {
  const a = await m.knn(X, { k: 7, method: "exact", workers: 2 });
  const b = await m.knn(X, { k: 7, method: "exact", workers: 0 });
  const same = a.indices.every((v, i) => v === b.indices[i]) && a.distances.every((v, i) => v === b.distances[i]);
  const h = await m.knn(X, { k: 7, method: "hnsw", hnsw: { efConstruction: 64 } });
  const nd2 = await m.knn(X, { k: 7, method: "nndescent", workers: 2 });
  const nd0 = await m.knn(X, { k: 7, method: "nndescent", workers: 0 });
  const ndSame = nd2.indices.every((v, i) => v === nd0.indices[i]) && nd2.distances.every((v, i) => v === nd0.distances[i]);
  let hit = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < 7; c++) if (a.indices.subarray(i * 7, i * 7 + 7).includes(nd2.indices[i * 7 + c])) hit++;
  const y = Int32Array.from({ length: n }, (_, i) => (data[i * d] > 0.5 ? 1 : 0) + (data[i * d + 1] > 0.5 ? 1 : 0));
  const cvA = await m.crossValPredictProbaParallel(X, y, { workers: 2 });
  const cvB = m.crossValPredictProba(X, y);
  const cvSame = cvA.data.every((v, i) => v === cvB.data[i]);
  console.log(JSON.stringify({ same, cvSame, first: Array.from(a.indices.subarray(0, 7)), hnsw: h.method, ndSame, ndRecall: hit / (n * 7) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function run(args: string[]): { same: boolean; cvSame: boolean; first: number[]; hnsw: string; ndSame: boolean; ndRecall: number } {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: dist, encoding: "utf8", timeout: 60_000 }));
}

describe("built package", () => {
  it("dist exists", () => {
    expect(existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`)).toBe(true);
  });
  it("ESM and CJS builds run the worker pools (kNN, NN-descent, CV) and agree with the main thread", () => {
    const esm = run(["--input-type=module", "-e", body(`import * as m from ${JSON.stringify(`${dist}index.js`)};`)]);
    const cjs = run(["-e", body(`const m = require(${JSON.stringify(`${dist}index.cjs`)});`)]);
    expect(esm.same).toBe(true);
    expect(cjs.same).toBe(true);
    expect(esm.cvSame).toBe(true);
    expect(cjs.cvSame).toBe(true);
    expect(esm.first).toEqual(cjs.first);
    expect(esm.first).toHaveLength(7);
    expect(esm.hnsw).toBe("hnsw");
    expect(cjs.hnsw).toBe("hnsw");
    for (const r of [esm, cjs]) {
      expect(r.ndSame).toBe(true);
      expect(r.ndRecall).toBeGreaterThan(0.97);
    }
  });
});
