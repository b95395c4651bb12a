import { createRng } from "@assay/math";
import { cluster } from "@assay/clusterer";
const n = Number(process.argv[2]), P = 16, rng = createRng(1);
const data = new Float32Array(n * P);
for (let i = 0; i < n; i++) { const c = i % 10; for (let j = 0; j < P; j++) data[i * P + j] = (j === c ? 20 : 0) + rng.normal(); }
const t = performance.now();
const r = await cluster({ rows: n, cols: P, data });
console.log(n, "points:", ((performance.now() - t) / 1000).toFixed(1), "s; clusters", r.clusters, "noise", r.labels.filter((l) => l < 0).length, "exactMst", r.exactMst);
