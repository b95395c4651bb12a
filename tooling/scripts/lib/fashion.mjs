/**
 * Shared helpers for the Fashion-MNIST tooling scripts (build-fashion-sample.mjs,
 * build-fashion-arrays.mjs): IDX reading, a seeded PRNG, label-noise planting, and minimal
 * writers for PNG and .npy (v1.0) so that the outputs depend on nothing but Node's zlib.
 */
import { readFileSync } from "node:fs";
import { gunzipSync, deflateSync } from "node:zlib";

/** Fashion-MNIST class names in label order (slashes replaced so they work as folder names). */
export const CLASSES = [
  "T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot",
];

/** Default location of Debian's dataset-fashion-mnist. */
export const DEFAULT_IDX_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Confusable classes used for "realistic" label flips (by class index):
 * Shirt<->T-shirt_top, Pullover<->Coat, Sneaker<->Sandal<->Ankle_boot.
 */
export const CONFUSABLE = {
  0: [6], 6: [0],
  2: [4], 4: [2],
  5: [7, 9], 7: [5, 9], 9: [5, 7],
};

/** Read an unsigned-byte IDX file (gzip or not). Returns {dims, data: Uint8Array}. */
export function readIdx(path) {
  let raw = readFileSync(path);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08) {
    throw new Error(`${path}: not an unsigned-byte IDX file`);
  }
  const ndim = raw[3];
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(raw.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * ndim;
  const count = dims.reduce((a, b) => a * b, 1);
  if (raw.length - offset !== count) throw new Error(`${path}: expected ${count} bytes of data, got ${raw.length - offset}`);
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + offset, count) };
}

/** Load one Fashion-MNIST split ("train" or "t10k"): {count, images: Uint8Array (N*784), labels}. */
export function loadSplit(dir, split) {
  const images = readIdx(`${dir}/${split}-images-idx3-ubyte.gz`);
  const labels = readIdx(`${dir}/${split}-labels-idx1-ubyte.gz`);
  if (images.dims[0] !== labels.dims[0] || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new Error(`${dir}/${split}: unexpected shapes ${images.dims} / ${labels.dims}`);
  }
  return { count: images.dims[0], images: images.data, labels: labels.data };
}

/** Seeded PRNG (mulberry32) with a few sampling helpers. Same seed, same sequence, on any platform. */
export function createRng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const shuffle = (arr) => {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [arr[i], arr[j]] = [arr[j], arr[i]];
    }
    return arr;
  };
  return { next, int, shuffle, pick: (arr) => arr[int(arr.length)] };
}

/**
 * Choose which of `labels` to flip and to what. Half of the flips (rounded up) go to a confusable
 * class (CONFUSABLE), the rest to a uniformly random other class from `allowedTargets`.
 * `candidates` = positions that may be flipped. Returns [{pos, from, to, kind}] sorted by pos.
 */
export function planFlips(rng, labels, candidates, count, allowedTargets) {
  const pool = rng.shuffle([...candidates]);
  const nConf = Math.ceil(count / 2);
  const used = new Set();
  const flips = [];
  for (const pos of pool) {
    if (flips.length >= nConf) break;
    const options = (CONFUSABLE[labels[pos]] ?? []).filter((c) => allowedTargets.includes(c));
    if (options.length === 0) continue;
    flips.push({ pos, from: labels[pos], to: rng.pick(options), kind: "confusable" });
    used.add(pos);
  }
  for (const pos of pool) {
    if (flips.length >= count) break;
    if (used.has(pos)) continue;
    const options = allowedTargets.filter((c) => c !== labels[pos]);
    flips.push({ pos, from: labels[pos], to: rng.pick(options), kind: "random" });
    used.add(pos);
  }
  if (flips.length < count) throw new Error(`only ${flips.length} of ${count} flips possible`);
  return flips.sort((a, b) => a.pos - b.pos);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, body) {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, "latin1");
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/**
 * Encode 8-bit pixels (HWC interleaved) as a PNG. channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
 * `filter` (0 None, 1 Sub, 2 Up) is applied to every row; `level` is the zlib level. Different
 * filter/level give different bytes for the same pixels (used for "re-encoded" duplicates).
 */
export function encodePng(pixels, width, height, channels, { filter = 0, level = 9 } = {}) {
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  if (colorType === undefined) throw new Error(`unsupported channel count ${channels}`);
  const stride = width * channels;
  const rows = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    rows[o] = filter;
    for (let x = 0; x < stride; x++) {
      const v = pixels[y * stride + x];
      let pred = 0;
      if (filter === 1) pred = x >= channels ? pixels[y * stride + x - channels] : 0;
      else if (filter === 2) pred = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      rows[o + 1 + x] = (v - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * Serialise a typed array as a .npy file (format v1.0, C order, little endian).
 * Supported: Uint8Array ('|u1'), BigInt64Array ('<i8'), Int32Array ('<i4'), Float32Array ('<f4').
 */
export function encodeNpy(array, shape) {
  const descr =
    array instanceof Uint8Array ? "|u1" :
    array instanceof BigInt64Array ? "<i8" :
    array instanceof Int32Array ? "<i4" :
    array instanceof Float32Array ? "<f4" : null;
  if (!descr) throw new Error("unsupported array type for .npy");
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.length) throw new Error(`shape ${shape} does not match length ${array.length}`);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("big-endian host not supported");
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1; // magic(6) + version(2) + len(2) + header + '\n'
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, "latin1"), Buffer.from(array.buffer, array.byteOffset, array.byteLength)]);
}

// ---- Helpers shared by build-fashion-detection / -gaps / -insights ----

/** A standard normal deviate from a `createRng` stream (Box–Muller; consumes two draws). */
export function gaussian(rng) {
  const u = 1 - rng.next(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Clip and round to the 0…255 range of an 8-bit pixel. */
export const clip8 = (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Plain numbers → BigInt64Array (for int64 .npy files). */
export const toInt64 = (values) => BigInt64Array.from(values, (v) => BigInt(v));

/**
 * Bilinear resize of one 8-bit gray image (pixel centres aligned, edges clamped) to newW×newH.
 * Used to paste Fashion-MNIST items at other scales.
 */
export function resizeGray(src, width, height, newW, newH) {
  const out = new Uint8Array(newW * newH);
  const sx = width / newW, sy = height / newH;
  for (let y = 0; y < newH; y++) {
    const fy = Math.min(height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < newW; x++) {
      const fx = Math.min(width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(width - 1, x0 + 1), wx = fx - x0;
      const top = src[y0 * width + x0] * (1 - wx) + src[y0 * width + x1] * wx;
      const bot = src[y1 * width + x0] * (1 - wx) + src[y1 * width + x1] * wx;
      out[y * newW + x] = clip8(top * (1 - wy) + bot * wy);
    }
  }
  return out;
}

/** Markdown table from a header row and data rows. */
export function markdownTable(head, rows) {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/**
 * Load the committed Fashion-MNIST encoder (examples/data/models/fashion-encoder.onnx) with the
 * onnxruntime-node that plugins/backend-onnx installs, single-threaded so results are reproducible.
 * Returns `encode(images, n)` → `{ embedding: Float32Array (n×64), probs: Float32Array (n×10) }` for
 * n 28×28 uint8 images (raw Fashion-MNIST pixels, item light on black), preprocessed as the model's
 * sidecar says: (pixel/255 − 0.286) / 0.353.
 */
export async function loadEncoder(root) {
  const { createRequire } = await import("node:module");
  const ort = createRequire(`${root}/plugins/backend-onnx/package.json`)("onnxruntime-node");
  const session = await ort.InferenceSession.create(`${root}/examples/data/models/fashion-encoder.onnx`, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  const PIX = 784, BATCH = 256;
  return async function encode(images, n) {
    const embedding = new Float32Array(n * 64);
    const probs = new Float32Array(n * 10);
    for (let start = 0; start < n; start += BATCH) {
      const m = Math.min(BATCH, n - start);
      const x = new Float32Array(m * PIX);
      for (let i = 0; i < m * PIX; i++) x[i] = (images[start * PIX + i] / 255 - 0.286) / 0.353;
      const out = await session.run({ input: new ort.Tensor("float32", x, [m, 1, 28, 28]) });
      embedding.set(out.embedding.data, start * 64);
      probs.set(out.probs.data, start * 10);
    }
    return { embedding, probs };
  };
}

/**
 * A slightly noised copy of a 28×28 Fashion-MNIST image: one brightness offset uniform in ±`brightness`
 * for the whole item plus Gaussian pixel noise of standard deviation `sigma`, applied to the item's
 * pixels only (background pixels, value 0, stay 0).
 */
export function noisyCopy(src, rng, sigma, brightness) {
  const shift = (rng.next() * 2 - 1) * brightness;
  return Uint8Array.from(src, (v) => (v === 0 ? 0 : clip8(v + shift + sigma * gaussian(rng))));
}
