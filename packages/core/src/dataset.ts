import { AssayError } from "./errors.js";
import { Hasher } from "./hash.js";

/** What kind of labels a dataset carries. */
export type TaskKind = "classification" | "multilabel" | "detection" | "unlabeled";

/** An axis-aligned box in pixel coordinates: top-left corner plus size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Class index into `dataset.classes`. */
  label: number;
  /** COCO's crowd flag. */
  iscrowd?: boolean;
  /** The annotation's own id, when the format has one. */
  id?: string | number;
}

/** A decoded image: interleaved channels, row-major (`data[(y * width + x) * channels + c]`). */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** What a dataset fingerprint covers: everything, or the data without its labels. */
export type FingerprintScope = "all" | "content";

/** One row of a dataset, as a plain object. */
export interface Sample {
  /** Row index in the dataset (0-based). */
  index: number;
  /** Stable identifier (file path relative to the dataset root, or a user id). */
  id: string;
  /** Class index for classification; `null` when the sample has no (single) label. */
  label: number | null;
  /** Class indices for multi-label datasets. */
  labels?: readonly number[];
  /** Boxes for detection datasets. */
  boxes?: readonly Box[];
  /** Name of the split this row belongs to, when the dataset has splits. */
  split?: string;
  /** Where the image comes from (a file path or URI), when it comes from a file. */
  source?: string;
  /** Free-form metadata columns. */
  meta: Readonly<Record<string, unknown>>;
}

/**
 * What assay audits. Columnar (labels in one Int32Array) so a million rows stay cheap; `sample(i)`
 * gives a row as an object. Images are read lazily, one at a time, through `image(i)`.
 */
export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** Class names; a class index is a position in this array. */
  readonly classes: readonly string[];
  readonly task: TaskKind;
  /** Stable row identifiers, `ids[i]` for row `i`. */
  readonly ids: readonly string[];
  /** Class index per row for classification (−1 where unlabeled); all −1 for other tasks. */
  readonly labels: Int32Array;
  /** Named splits: split name → ascending row indices. Empty when the dataset has no splits. */
  readonly splits: Readonly<Record<string, Int32Array>>;
  /** Whether `image(i)` can decode pixels for this dataset. */
  readonly hasImages: boolean;
  /** Row `index` as a plain object. */
  sample(index: number): Sample;
  /**
   * Decode row `index`'s image. Rejects with an {@link AssayError} (`IO_ERROR`, with the file and the
   * reason in `details`) when the image cannot be read; callers turn that into a finding.
   */
  image(index: number, options?: { signal?: AbortSignal }): Promise<RasterImage>;
  /** The raw encoded bytes of row `index`'s file, when images come from files. */
  imageBytes?(index: number): Promise<Uint8Array>;
  /**
   * A content hash that keys the disk cache. `"all"` (default) covers ids, sources, pixels (for
   * in-memory images), box geometry, splits, classes and every label; `"content"` leaves out classes
   * and labels, so outputs that do not read labels (embeddings, image statistics) survive a relabel.
   */
  fingerprint(scope?: FingerprintScope): string;
}

/** In-memory images: one flat uint8 array of N images of identical shape (N×H×W or N×H×W×C). */
export interface ImageTensor {
  data: Uint8Array;
  /** `[n, height, width]` or `[n, height, width, channels]`. */
  shape: readonly number[];
}

/** Arguments of {@link createDataset}. Every per-row array must have the dataset's length. */
export interface CreateDatasetOptions {
  name?: string;
  /** Class names. Defaults to `"0"…"K-1"` from the largest label seen. */
  classes?: readonly string[];
  /** Single labels (classification); −1 or null for unlabeled rows. */
  labels?: ArrayLike<number | null>;
  /** Multi-label rows (multilabel task). */
  multiLabels?: readonly (readonly number[])[];
  /** Boxes per row (detection task). */
  boxes?: readonly (readonly Box[])[];
  /** Row ids; default `"0"…"N-1"`. Must be unique. */
  ids?: readonly string[];
  /** Per-row metadata objects. */
  meta?: readonly Readonly<Record<string, unknown>>[];
  /** Per-row source paths. */
  sources?: readonly string[];
  /** Named splits, either split name → row indices, or a per-row split name array. */
  splits?: Readonly<Record<string, ArrayLike<number>>> | readonly (string | null | undefined)[];
  /** Images as one tensor, or a function that decodes row `i`. */
  images?: ImageTensor | ((index: number) => Promise<RasterImage>);
  /** Raw encoded bytes of row `i`, for loaders that read files. */
  imageBytes?: (index: number) => Promise<Uint8Array>;
  /** Number of rows, needed only when no per-row array gives it. */
  size?: number;
  /** Extra strings that must change the fingerprint (e.g. the loader's root and format). */
  fingerprintSalt?: string;
}

/**
 * An `appliesTo` check for nodes that decode images: `true` when the dataset has images, otherwise the
 * reason. Such a node is then skipped with that reason instead of failing, and is never pulled in just
 * to serve another node's `wants`.
 */
export function requiresImages(dataset: Dataset): true | string {
  return dataset.hasImages || `dataset "${dataset.name}" has no images`;
}

/**
 * Build a {@link Dataset} from in-memory arrays. Validates lengths, label ranges and ids, and throws
 * an `INVALID_INPUT` {@link AssayError} naming the field and the row on bad input.
 */
export function createDataset(options: CreateDatasetOptions): Dataset {
  const size = inferSize(options);
  const name = options.name ?? "dataset";
  const task: TaskKind = options.boxes
    ? "detection"
    : options.multiLabels
      ? "multilabel"
      : options.labels
        ? "classification"
        : "unlabeled";

  const labels = new Int32Array(size).fill(-1);
  let maxLabel = -1;
  if (options.labels) {
    for (let i = 0; i < size; i++) {
      const v = options.labels[i];
      if (v === null || v === undefined || v === -1) continue;
      if (!Number.isInteger(v) || v < 0) {
        throw invalid(`labels[${i}] is ${v}; labels must be integers ≥ 0 (or −1/null for unlabeled)`, { row: i });
      }
      labels[i] = v;
      if (v > maxLabel) maxLabel = v;
    }
  }
  options.multiLabels?.forEach((row, i) =>
    row.forEach((v) => {
      if (!Number.isInteger(v) || v < 0) throw invalid(`multiLabels[${i}] contains ${v}; labels must be integers ≥ 0`, { row: i });
      if (v > maxLabel) maxLabel = v;
    }),
  );
  options.boxes?.forEach((row, i) =>
    row.forEach((b, j) => {
      if (!Number.isInteger(b.label) || b.label < 0) throw invalid(`boxes[${i}][${j}].label is ${b.label}`, { row: i });
      for (const field of ["x", "y", "width", "height"] as const) {
        if (!Number.isFinite(b[field])) throw invalid(`boxes[${i}][${j}].${field} is ${b[field]}`, { row: i });
      }
      if (b.label > maxLabel) maxLabel = b.label;
    }),
  );

  const classes = options.classes ? [...options.classes] : Array.from({ length: maxLabel + 1 }, (_, k) => String(k));
  if (maxLabel >= classes.length) {
    throw invalid(`label ${maxLabel} is out of range: only ${classes.length} classes are named`, { label: maxLabel });
  }
  const seenClass = new Set<string>();
  for (const c of classes) {
    if (seenClass.has(c)) throw invalid(`class name "${c}" appears twice in classes`, { class: c });
    seenClass.add(c);
  }

  const ids = options.ids ? [...options.ids] : Array.from({ length: size }, (_, i) => String(i));
  const seenId = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seenId.get(id);
    if (first !== undefined) throw invalid(`ids[${i}] "${id}" repeats ids[${first}]; ids must be unique`, { row: i });
    seenId.set(id, i);
  });

  const splits = normaliseSplits(options.splits, size);
  const splitOf = new Array<string | undefined>(size);
  for (const [split, rows] of Object.entries(splits)) for (const r of rows) splitOf[r] = split;

  const tensor = options.images && typeof options.images !== "function" ? checkTensor(options.images, size) : undefined;
  const decode = typeof options.images === "function" ? options.images : undefined;

  const fingerprints: Partial<Record<FingerprintScope, string>> = {};
  const dataset: Dataset = {
    name,
    size,
    classes,
    task,
    ids,
    labels,
    splits,
    hasImages: tensor !== undefined || decode !== undefined,
    sample(index) {
      if (!Number.isInteger(index) || index < 0 || index >= size) {
        throw new AssayError("INVALID_INPUT", `sample index ${index} is out of range 0…${size - 1}`, { details: { index } });
      }
      const sample: Sample = {
        index,
        id: ids[index]!,
        label: labels[index]! >= 0 ? labels[index]! : null,
        meta: options.meta?.[index] ?? {},
      };
      const multi = options.multiLabels?.[index];
      if (multi) sample.labels = multi;
      const boxes = options.boxes?.[index];
      if (boxes) sample.boxes = boxes;
      const split = splitOf[index];
      if (split !== undefined) sample.split = split;
      const source = options.sources?.[index];
      if (source !== undefined) sample.source = source;
      return sample;
    },
    async image(index) {
      if (tensor) return sliceTensor(tensor, index);
      if (decode) return decode(index);
      throw new AssayError("INVALID_INPUT", `dataset "${name}" has no images`, { details: { index } });
    },
    fingerprint(scope = "all") {
      const cached = fingerprints[scope];
      if (cached !== undefined) return cached;
      const h = new Hasher().string(name).number(size).string(options.fingerprintSalt ?? "");
      for (const id of ids) h.string(id);
      options.boxes?.forEach((row) => row.forEach((b) => h.number(b.x).number(b.y).number(b.width).number(b.height)));
      options.sources?.forEach((s) => h.string(s));
      for (const [split, rows] of Object.entries(splits)) h.string(split).bytes(rows);
      if (tensor) h.bytes(tensor.data);
      if (scope === "all") {
        h.string(task);
        for (const c of classes) h.string(c);
        h.bytes(labels);
        options.multiLabels?.forEach((row) => h.string(row.join(",")));
        options.boxes?.forEach((row) => row.forEach((b) => h.number(b.label)));
      }
      return (fingerprints[scope] = h.digest());
    },
  };
  if (options.imageBytes) dataset.imageBytes = options.imageBytes;
  return dataset;
}

function inferSize(options: CreateDatasetOptions): number {
  const lengths: [string, number][] = [];
  const add = (field: string, value: { length: number } | undefined) => {
    if (value) lengths.push([field, value.length]);
  };
  add("labels", options.labels);
  add("multiLabels", options.multiLabels);
  add("boxes", options.boxes);
  add("ids", options.ids);
  add("meta", options.meta);
  add("sources", options.sources);
  if (Array.isArray(options.splits)) add("splits", options.splits as readonly unknown[]);
  if (options.images && typeof options.images !== "function") lengths.push(["images", options.images.shape[0] ?? 0]);
  if (options.size !== undefined) lengths.push(["size", options.size]);
  if (lengths.length === 0) throw invalid("createDataset needs at least one per-row array or `size`", {});
  const [firstField, n] = lengths[0]!;
  for (const [field, len] of lengths) {
    if (len !== n) throw invalid(`${field} has ${len} rows but ${firstField} has ${n}`, { field });
  }
  return n;
}

function normaliseSplits(
  splits: CreateDatasetOptions["splits"],
  size: number,
): Record<string, Int32Array> {
  if (!splits) return {};
  const out: Record<string, Int32Array> = {};
  if (Array.isArray(splits)) {
    const groups = new Map<string, number[]>();
    (splits as readonly (string | null | undefined)[]).forEach((s, i) => {
      if (s === null || s === undefined || s === "") return;
      let rows = groups.get(s);
      if (!rows) groups.set(s, (rows = []));
      rows.push(i);
    });
    for (const name of [...groups.keys()].sort()) out[name] = Int32Array.from(groups.get(name)!);
    return out;
  }
  const owner = new Map<number, string>();
  for (const name of Object.keys(splits).sort()) {
    const rows = Int32Array.from((splits as Readonly<Record<string, ArrayLike<number>>>)[name]!).sort();
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= size) throw invalid(`split "${name}" names row ${r}, outside 0…${size - 1}`, { split: name });
      const prev = owner.get(r);
      if (prev !== undefined) throw invalid(`row ${r} is in both split "${prev}" and split "${name}"`, { row: r });
      owner.set(r, name);
    }
    out[name] = rows;
  }
  return out;
}

function checkTensor(tensor: ImageTensor, size: number): ImageTensor {
  const [n, h, w, c = 1] = tensor.shape;
  if (tensor.shape.length < 3 || tensor.shape.length > 4 || n !== size || !h || !w || ![1, 2, 3, 4].includes(c)) {
    throw invalid(`images.shape ${JSON.stringify(tensor.shape)} must be [n, h, w] or [n, h, w, c] with n=${size} and c in 1…4`, {});
  }
  if (tensor.data.length !== n * h * w * c) {
    throw invalid(`images.data has ${tensor.data.length} values; shape ${JSON.stringify(tensor.shape)} needs ${n * h * w * c}`, {});
  }
  return tensor;
}

function sliceTensor(tensor: ImageTensor, index: number): RasterImage {
  const [n, height, width, channels = 1] = tensor.shape as [number, number, number, number?];
  if (index < 0 || index >= n) throw invalid(`image index ${index} is out of range 0…${n - 1}`, { index });
  const stride = height * width * channels;
  return {
    width,
    height,
    channels: channels as RasterImage["channels"],
    bitDepth: 8,
    data: tensor.data.subarray(index * stride, (index + 1) * stride),
  };
}

function invalid(message: string, details: Record<string, unknown>): AssayError {
  return new AssayError("INVALID_INPUT", message, { stage: "createDataset", details });
}
