import { createDataset } from "@assay/core";
import { computeImageStats } from "@assay/linter";
const run = async (n, h, w, c, hashes) => {
  const data = new Uint8Array(n * h * w * c);
  let s = 1; for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = (s >>> 16) & 255; }
  const ds = createDataset({ images: { data, shape: c === 1 ? [n, h, w] : [n, h, w, c] } });
  const t = performance.now();
  await computeImageStats({ dataset: ds, signal: new AbortController().signal, concurrency: 4, progress() {}, warn() {} }, { perChannel: false, perBox: true, normalize: true, hashes, histogram: false, fileHash: true, workers: 0 });
  const dt = (performance.now() - t) / 1000;
  console.log(`${n}×${h}×${w}×${c} hashes=${hashes}: ${dt.toFixed(2)} s, ${(n / dt).toFixed(0)} img/s`);
};
await run(10000, 28, 28, 1, "basic");
await run(10000, 28, 28, 1, "none");
await run(200, 375, 500, 3, "basic");
await run(200, 375, 500, 3, "all");
