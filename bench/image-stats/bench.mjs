// Image statistics + hashes (@assay/linter analyseImage) vs a sharp decode-only pass over the same files.
// Sets: Fashion-MNIST written as PNG files (all 70,000 by default), synthetic 640×480 and 1920×1080 JPEGs.
// Decode-only and decode+stats+hashes run side by side: alternating batches of the same files, so load
// changes on a shared machine hit both; wall and CPU time (process.cpuUsage: main + libuv threads) are kept.
// Usage: node bench.mjs [--data /usr/share/datasets/fashion-mnist] [--fashion 70000] [--jpegs 300] [--hd 100]
//                       [--batch 50] [--no-extractor] [--no-append]
import { mkdirSync, readFileSync, existsSync, appendFileSync, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import sharp from "sharp";
import { analyseImage, computeImageStats, xxhash64 } from "@assay/linter";
import { createDataset } from "@assay/core";

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const dataDir = arg("data", "/usr/share/datasets/fashion-mnist");
const nFashion = Number(arg("fashion", "70000"));
const nJpeg = Number(arg("jpegs", "300"));
const nHd = Number(arg("hd", "100"));
const batch = Number(arg("batch", "50"));
const runExtractor = !args.includes("--no-extractor");
const append = !args.includes("--no-append");
const work = join(tmpdir(), "assay-bench-image-stats");
sharp.concurrency(1);

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await fn(next++); }));
}

async function prepareFashion() {
  const dir = join(work, `fashion-png-${nFashion}`);
  if (existsSync(dir) && readdirSync(dir).length === nFashion) return dir;
  mkdirSync(dir, { recursive: true });
  const idx = (f) => gunzipSync(readFileSync(join(dataDir, f))).subarray(16);
  const all = Buffer.concat([idx("train-images-idx3-ubyte.gz"), idx("t10k-images-idx3-ubyte.gz")]);
  await pool(nFashion, 4, async (i) => {
    const png = await sharp(all.subarray(i * 784, (i + 1) * 784), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
    await writeFile(join(dir, `${String(i).padStart(5, "0")}.png`), png);
  });
  return dir;
}

async function prepareJpegs(W, H, count) {
  const dir = join(work, `jpeg-${W}x${H}-${count}`);
  if (existsSync(dir) && readdirSync(dir).length === count) return dir;
  mkdirSync(dir, { recursive: true });
  await pool(count, 2, async (i) => {
    const px = Buffer.alloc(W * H * 3);
    let s = i * 7919 + 1;
    const r2 = (W * H) / 34;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 24) % 24;
      const o = (y * W + x) * 3;
      const inBox = (x - (W / 8) * (i % 7)) ** 2 + (y - (H / 8) * (i % 5)) ** 2 < r2;
      px[o] = (x * 255 / W + n + (inBox ? 90 : 0)) & 255;
      px[o + 1] = (y * 255 / H + n) & 255;
      px[o + 2] = ((x + y + i * 13) % 256 + n) & 255;
    }
    await writeFile(join(dir, `${String(i).padStart(4, "0")}.jpg`), await sharp(px, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 85 }).toBuffer());
  });
  return dir;
}

async function decode(file) {
  const bytes = await readFile(file);
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { bytes, image: { width: info.width, height: info.height, channels: info.channels, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) } };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(dir) {
  const files = readdirSync(dir).sort().map((f) => join(dir, f));
  const n = files.length;
  // warm-up (JIT, sharp, wasm) on the first files, not timed
  for (const f of files.slice(0, Math.min(20, n))) {
    const { image } = await decode(f);
    analyseImage(image, [], { normalize: true, perChannel: false, hashes: "basic" });
  }
  let decodeWall = 0, decodeCpu = 0, statsWall = 0, statsCpu = 0;
  for (let start = 0; start < n; start += batch) {
    const part = files.slice(start, start + batch);
    // decode only, one image at a time (per-core figure)
    let t = performance.now();
    let c = cpuMs();
    for (const f of part) await decode(f);
    decodeWall += performance.now() - t;
    decodeCpu += cpuMs() - c;
    // decode + every statistic + xxhash/pHash/dHash + file hash, main thread, one at a time
    t = performance.now();
    c = cpuMs();
    for (const f of part) {
      const { bytes, image } = await decode(f);
      analyseImage(image, [], { normalize: true, perChannel: false, hashes: "basic" });
      xxhash64(bytes);
    }
    statsWall += performance.now() - t;
    statsCpu += cpuMs() - c;
  }
  let extractorS = Number.NaN;
  let workers = 0;
  if (runExtractor) {
    // the extractor as a pipeline runs it: decodes in flight on the main thread, statistics in workers
    const ds = createDataset({ size: n, images: async (i) => (await decode(files[i])).image, imageBytes: (i) => readFile(files[i]) });
    const t = performance.now();
    const out = await computeImageStats(
      { dataset: ds, signal: new AbortController().signal, concurrency: 2, progress() {}, warn() {} },
      { perChannel: false, perBox: true, normalize: true, hashes: "basic", histogram: false, fileHash: true },
    );
    extractorS = (performance.now() - t) / 1000;
    workers = out.options.workers;
  }
  return { n, decodeS: decodeWall / 1000, statsS: statsWall / 1000, decodeCpuS: decodeCpu / 1000, statsCpuS: statsCpu / 1000, extractorS, workers };
}

const rows = [];
const sets = [
  ["Fashion-MNIST PNG 28×28 gray", nFashion, prepareFashion],
  ["synthetic JPEG 640×480 RGB", nJpeg, () => prepareJpegs(640, 480, nJpeg)],
  ["synthetic JPEG 1920×1080 RGB", nHd, () => prepareJpegs(1920, 1080, nHd)],
].filter(([, count]) => count > 0);
const load0 = loadavg()[0];
for (const [name, , prep] of sets) {
  const dir = await prep();
  const r = await measure(dir);
  const row = {
    set: name,
    images: r.n,
    decodeIps: r.n / r.decodeS,
    statsIps: r.n / r.statsS,
    ratio: r.statsS / r.decodeS,
    cpuRatio: r.statsCpuS / r.decodeCpuS,
    statsCpuIps: r.n / r.statsCpuS,
    extractorIps: r.n / r.extractorS,
    workers: r.workers,
  };
  rows.push(row);
  console.log(row);
}
const load1 = loadavg()[0];
const dataEvalPerProcess = 50000 / 19.9 / 16;
const table = [
  "",
  `## Image statistics + hashes (@assay/bench-image-stats) — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `Machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end. Per image: sharp decode, every`,
  "dimension/pixel/visual statistic, XXH3 of the pixels and of the file, pHash and dHash (`analyseImage`, main",
  "thread, one image at a time) vs the same sharp decode alone, in alternating batches of the same files.",
  "`ratio` = (decode + stats + hashes) / decode, wall and CPU time (target ≤ 1.5×). `extractor` = `computeImageStats`",
  "wall clock (decodes on the main thread, statistics in worker threads, file bytes hashed). DataEval's published",
  `figure (CIFAR-10, 50k images, all stats, 19.9 s on 16 processes) is ${dataEvalPerProcess.toFixed(0)} images/s per process.`,
  "",
  "| set | images | decode only (img/s, 1 core) | decode + stats + hashes (img/s, 1 core) | ratio (wall) | ratio (CPU) | per core vs DataEval 157/s | extractor (img/s, wall) | workers |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.set} | ${r.images} | ${r.decodeIps.toFixed(0)} | ${r.statsIps.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${r.cpuRatio.toFixed(2)}× | ${(r.statsIps / dataEvalPerProcess).toFixed(2)}× | ${r.extractorIps.toFixed(0)} | ${r.workers} |`,
  ),
  "",
].join("\n");
console.log(table);
if (append) appendFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "RESULTS.md"), table);
