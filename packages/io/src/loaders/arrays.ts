import { createDataset, type Dataset } from "@assay/core";
import { basename, dirname, join, resolve } from "node:path";
import { invalidInput } from "../errors.js";
import { kindOf, listDir, resolveClassList } from "../files.js";
import { parseIdx } from "../idx.js";
import { readBytes } from "../files.js";
import { type NpyArray, readNpy, toNumbers } from "../npy.js";
import { type CommonLoadOptions, salt } from "./common.js";

/** Options of {@link loadIdx}. */
export interface IdxOptions extends CommonLoadOptions {
  /** The labels file for a single images file (default: the name with `images` → `labels`, `idx3` → `idx1`). */
  labels?: string;
}

const IDX_IMAGES = /^(.*?)[-_.]?images[-_.]idx3[-_.]ubyte(\.gz)?$/i;

/** The labels file name that pairs with an IDX images file name. */
function labelsNameFor(name: string): string {
  return name.replace(/images/i, "labels").replace(/idx3/i, "idx1");
}

function splitNameOf(prefix: string): string {
  const p = prefix.toLowerCase();
  return p === "t10k" ? "test" : p || "data";
}

/**
 * Load IDX files (MNIST, Fashion-MNIST, KMNIST…), gzip-compressed or not. `path` is either one
 * `*-images-idx3-ubyte[.gz]` file (its `*-labels-idx1-ubyte[.gz]` partner is used when present) or a
 * folder of such pairs, each pair becoming a split (`train`, and `t10k` → `test`). Ids are
 * `<split>/<row within the file>`. Images stay in memory as one uint8 tensor.
 */
export async function loadIdx(path: string, options: IdxOptions = {}): Promise<Dataset> {
  const kind = await kindOf(path);
  let pairs: { split: string; images: string; labels: string | undefined }[] = [];
  if (kind === "dir") {
    const entries = await listDir(path);
    const names = new Set(entries.map((e) => e.text));
    for (const e of entries) {
      const m = e.kind === "file" ? IDX_IMAGES.exec(e.text) : null;
      if (!m) continue;
      const labelName = [labelsNameFor(e.text), labelsNameFor(e.text).replace(/\.gz$/i, ""), `${labelsNameFor(e.text).replace(/\.gz$/i, "")}.gz`].find((n) =>
        names.has(n),
      );
      pairs.push({ split: splitNameOf(m[1]!), images: join(path, e.text), labels: labelName ? join(path, labelName) : undefined });
    }
    if (pairs.length === 0) throw invalidInput(`${path} holds no *-images-idx3-ubyte[.gz] file`, { file: path });
  } else {
    const name = basename(path);
    let labels = options.labels;
    if (labels === undefined && IDX_IMAGES.test(name)) {
      for (const candidate of [labelsNameFor(name), labelsNameFor(name).replace(/\.gz$/i, ""), `${labelsNameFor(name).replace(/\.gz$/i, "")}.gz`]) {
        if ((await kindOf(join(dirname(path), candidate))) === "file") {
          labels = join(dirname(path), candidate);
          break;
        }
      }
    }
    pairs = [{ split: "", images: path, labels }];
  }

  const tensors: Uint8Array[] = [];
  const labelArrays: (Float64Array | undefined)[] = [];
  let imageShape: number[] | undefined;
  for (const pair of pairs) {
    const img = parseIdx(await readBytes(pair.images), pair.images);
    if (img.dtype !== "uint8" || (img.shape.length !== 3 && img.shape.length !== 4)) {
      throw invalidInput(`${pair.images} holds ${img.dtype} [${img.shape.join(", ")}]; expected uint8 images [n, h, w] or [n, h, w, c]`, { file: pair.images });
    }
    const shape = img.shape.slice(1);
    if (imageShape && imageShape.join() !== shape.join()) {
      throw invalidInput(`${pair.images} has images of shape [${shape.join(", ")}] but other files have [${imageShape.join(", ")}]`, { file: pair.images });
    }
    imageShape = shape;
    tensors.push(img.data as Uint8Array);
    if (pair.labels) {
      const lab = parseIdx(await readBytes(pair.labels), pair.labels);
      if (lab.shape.length !== 1) throw invalidInput(`${pair.labels} has shape [${lab.shape.join(", ")}]; expected one label per image`, { file: pair.labels });
      if (lab.shape[0] !== img.shape[0]) {
        throw invalidInput(`${pair.labels} has ${lab.shape[0]} labels but ${pair.images} has ${img.shape[0]} images`, {
          file: pair.labels,
          images: pair.images,
        });
      }
      labelArrays.push(Float64Array.from(lab.data));
    } else {
      labelArrays.push(undefined);
    }
  }
  const perImage = imageShape!.reduce((a, b) => a * b, 1);
  const counts = tensors.map((t) => t.length / perImage);
  const n = counts.reduce((a, b) => a + b, 0);
  const data = new Uint8Array(tensors.reduce((a, t) => a + t.length, 0));
  let offset = 0;
  for (const t of tensors) {
    data.set(t, offset);
    offset += t.length;
  }
  const anyLabels = labelArrays.some((l) => l !== undefined);
  const labels = new Int32Array(n).fill(-1);
  const ids: string[] = [];
  const splitOf: string[] = [];
  let row = 0;
  pairs.forEach((pair, p) => {
    const l = labelArrays[p];
    for (let i = 0; i < counts[p]!; i++, row++) {
      ids.push(pair.split ? `${pair.split}/${i}` : String(i));
      splitOf.push(pair.split);
      if (l) labels[row] = l[i]!;
    }
  });
  const classes = await resolveClassList(options.classes);
  return createDataset({
    name: options.name ?? basename(resolve(path)).replace(/\.gz$/i, ""),
    ids,
    ...(anyLabels ? { labels } : {}),
    ...(classes ? { classes } : {}),
    ...(pairs.length > 1 ? { splits: splitOf } : {}),
    images: { data, shape: [n, ...imageShape!] },
    fingerprintSalt: salt("idx", path),
  });
}

/** Options of {@link loadNpy}. */
export interface NpyLoadOptions extends CommonLoadOptions {
  /** Labels `.npy` (default: `labels.npy` beside the images file, when it exists). */
  labels?: string;
}

/**
 * Load images from `.npy`: `path` is an N×H×W[×C] uint8 array file, or a folder holding `images.npy`
 * (and optionally `labels.npy` and `classes.txt`). Labels are 1-D integers (−1 = unlabeled) for
 * classification, or N×K 0/1 for multi-label. Ids are row numbers.
 */
export async function loadNpy(path: string, options: NpyLoadOptions = {}): Promise<Dataset> {
  const dir = (await kindOf(path)) === "dir";
  const imagesFile = dir ? join(path, "images.npy") : path;
  const folder = dir ? path : dirname(path);
  const images = await readNpy(imagesFile);
  const shape = images.shape;
  if (images.dtype !== "uint8" || shape.length < 3 || shape.length > 4 || (shape.length === 4 && !(shape[3]! >= 1 && shape[3]! <= 4))) {
    throw invalidInput(`${imagesFile} holds ${images.dtype} [${shape.join(", ")}]; expected uint8 images [n, h, w] or [n, h, w, c] with c in 1…4`, {
      file: imagesFile,
    });
  }
  const n = shape[0]!;
  let labelsFile = options.labels;
  if (labelsFile === undefined && (await kindOf(join(folder, "labels.npy"))) === "file" && resolve(join(folder, "labels.npy")) !== resolve(imagesFile)) {
    labelsFile = join(folder, "labels.npy");
  }
  let classes = await resolveClassList(options.classes);
  if (!classes && dir && (await kindOf(join(path, "classes.txt"))) === "file") classes = await resolveClassList(join(path, "classes.txt"));
  const base = {
    name: options.name ?? basename(resolve(dir ? path : folder)),
    images: { data: images.data as Uint8Array, shape },
    fingerprintSalt: salt("npy", imagesFile),
    ...(classes ? { classes } : {}),
  };
  if (!labelsFile) return createDataset(base);
  const labels = await readNpy(labelsFile);
  if (labels.shape[0] !== n || labels.shape.length > 2) {
    throw invalidInput(`${labelsFile} has shape [${labels.shape.join(", ")}] but ${imagesFile} has ${n} images; expected [${n}] or [${n}, classes]`, {
      file: labelsFile,
      images: imagesFile,
      labels: labels.shape[0],
      expected: n,
    });
  }
  if (labels.shape.length === 1) return createDataset({ ...base, labels: integerLabels(labels, labelsFile) });
  const k = labels.shape[1]!;
  return createDataset({ classes: Array.from({ length: k }, (_, j) => String(j)), ...base, multiLabels: multiHot(labels) });
}

function integerLabels(arr: NpyArray, file: string): Int32Array {
  const values = toNumbers(arr.data);
  const out = new Int32Array(values.length);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < -1) throw invalidInput(`${file}[${i}] is ${v}; labels must be integers ≥ 0 (−1 = unlabeled)`, { file, row: i });
    out[i] = v;
  });
  return out;
}

function multiHot(arr: NpyArray): number[][] {
  const [n, k] = arr.shape as [number, number];
  const values = toNumbers(arr.data);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < k; j++) if (values[i * k + j]! !== 0) row.push(j);
    rows.push(row);
  }
  return rows;
}
