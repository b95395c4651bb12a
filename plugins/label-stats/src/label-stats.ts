import { AssayError } from "@assay/core";

/** Class-id → name mapping as accepted by {@link labelStats}: a `Map`, or a record with integer-like keys. */
export type Index2Label = ReadonlyMap<number, string> | Readonly<Record<string, string>>;

/** Options of {@link labelStats}. */
export interface LabelStatsOptions {
  /** Image of each label (same length as the labels). Omitted → label i belongs to image i. */
  itemIndices?: ArrayLike<number>;
  /** Class names. Observed ids without a name are named by their decimal string. */
  index2label?: Index2Label;
  /** Total number of images, so trailing images without labels are reported as empty. */
  imageCount?: number;
}

/**
 * Per-class and per-image label counts (DataEval's `label_stats`). The three per-class maps iterate
 * in order of first occurrence of the class id in the labels; `index2label` is sorted by id.
 */
export interface LabelStats {
  /** How many labels carry each id (every box counts). */
  labelCountsPerClass: Map<number, number>;
  /** How many labels point at each image. */
  labelCountsPerImage: Int32Array;
  /** Number of distinct images holding at least one label of each id. */
  imageCountsPerClass: Map<number, number>;
  /** Those images, each once, in the order the first label of the class in each image was met. */
  imageIndicesPerClass: Map<number, number[]>;
  /** Distinct ids present in each image, in order first met; `[]` for an empty image. */
  classesPerImage: number[][];
  /** Number of images M. */
  imageCount: number;
  /** Number of distinct observed ids. */
  classCount: number;
  /** Number of labels N. */
  labelCount: number;
  /** One name per observed id, ids ascending. */
  index2label: Map<number, string>;
  /** Images with no label, ascending. */
  emptyImageIndices: number[];
  /** `emptyImageIndices.length`. */
  emptyImageCount: number;
  /** `labelCount / imageCount` (0 when there are no images). */
  meanLabelsPerImage: number;
}

function invalid(message: string, details: Record<string, unknown> = {}): AssayError {
  return new AssayError("INVALID_INPUT", message, { plugin: "@assay/label-stats", stage: "labelStats", details });
}

/** Normalise a user-supplied id → name mapping to a `Map` with integer keys; rejects non-integer keys. */
export function toIndex2Label(mapping: Index2Label | undefined): Map<number, string> {
  const out = new Map<number, string>();
  if (mapping === undefined) return out;
  if (mapping instanceof Map) {
    for (const [k, v] of mapping) {
      if (!Number.isInteger(k)) throw invalid(`index2label key ${String(k)} is not an integer class id`, { key: k });
      out.set(k, v);
    }
    return out;
  }
  for (const [k, v] of Object.entries(mapping as Record<string, string>)) {
    if (!/^-?\d+$/.test(k)) throw invalid(`index2label key "${k}" is not an integer class id`, { key: k });
    out.set(Number(k), v);
  }
  return out;
}

/**
 * Count labels per class and per image in one pass.
 *
 * @param classLabels one integer class id per label (classification: per image; detection: per box;
 *   multi-label: per positive class). Any sign is allowed (−1 is an ordinary id here).
 * @throws AssayError `INVALID_INPUT` for non-integer ids, a length mismatch ("item_indices length"),
 *   an item index outside `0…imageCount−1`, or a non-integer `index2label` key.
 */
export function labelStats(classLabels: ArrayLike<number>, options: LabelStatsOptions = {}): LabelStats {
  const n = classLabels.length;
  const items = options.itemIndices;
  if (items !== undefined && items.length !== n) {
    throw invalid(`item_indices length (${items.length}) must match class_labels length (${n})`, {
      itemIndices: items.length,
      classLabels: n,
    });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(classLabels[i])) throw invalid(`class label ${classLabels[i]} at position ${i} is not an integer`, { position: i });
  }
  let m: number;
  if (options.imageCount !== undefined) {
    if (!Number.isInteger(options.imageCount) || options.imageCount < 0) {
      throw invalid(`imageCount ${options.imageCount} must be an integer ≥ 0`, { imageCount: options.imageCount });
    }
    m = options.imageCount;
  } else if (items !== undefined) {
    let max = -1;
    for (let i = 0; i < n; i++) if (items[i]! > max) max = items[i]!;
    m = max + 1;
  } else {
    m = n;
  }
  if (items !== undefined) {
    for (let i = 0; i < n; i++) {
      const idx = items[i]!;
      if (!Number.isInteger(idx) || idx < 0 || idx >= m) {
        throw invalid(`item index ${idx} at position ${i} is out of range 0…${m - 1}`, { position: i, itemIndex: idx, imageCount: m });
      }
    }
  }
  const names = toIndex2Label(options.index2label);

  const labelCountsPerClass = new Map<number, number>();
  const imageIndicesPerClass = new Map<number, number[]>();
  const labelCountsPerImage = new Int32Array(m);
  const classesPerImage: number[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < n; i++) {
    const c = classLabels[i]!;
    const img = items === undefined ? i : items[i]!;
    labelCountsPerClass.set(c, (labelCountsPerClass.get(c) ?? 0) + 1);
    labelCountsPerImage[img]!++;
    const present = classesPerImage[img]!;
    if (!present.includes(c)) {
      present.push(c);
      let images = imageIndicesPerClass.get(c);
      if (!images) imageIndicesPerClass.set(c, (images = []));
      images.push(img);
    }
  }
  const imageCountsPerClass = new Map<number, number>();
  for (const [c, images] of imageIndicesPerClass) imageCountsPerClass.set(c, images.length);

  const index2label = new Map<number, string>();
  for (const c of [...labelCountsPerClass.keys()].sort((a, b) => a - b)) index2label.set(c, names.get(c) ?? String(c));

  const emptyImageIndices: number[] = [];
  for (let j = 0; j < m; j++) if (labelCountsPerImage[j] === 0) emptyImageIndices.push(j);

  return {
    labelCountsPerClass,
    labelCountsPerImage,
    imageCountsPerClass,
    imageIndicesPerClass,
    classesPerImage,
    imageCount: m,
    classCount: labelCountsPerClass.size,
    labelCount: n,
    index2label,
    emptyImageIndices,
    emptyImageCount: emptyImageIndices.length,
    meanLabelsPerImage: m === 0 ? 0 : n / m,
  };
}

/**
 * Label counts keyed by class **name** (via `stats.index2label`), in first-occurrence order. Two ids
 * sharing a name are summed (DataEval overwrites; see the representation spec §5.1).
 */
export function countsByName(stats: LabelStats): Map<string, number> {
  const out = new Map<string, number>();
  for (const [c, count] of stats.labelCountsPerClass) {
    const name = stats.index2label.get(c) ?? String(c);
    out.set(name, (out.get(name) ?? 0) + count);
  }
  return out;
}

/**
 * Map class names to ids using `classes` (id → name): each name must equal exactly one class name.
 * @throws AssayError `INVALID_INPUT` for an unknown name or a name defined twice.
 */
export function idsFromNames(names: readonly string[], classes: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  const doubled = new Set<string>();
  classes.forEach((name, id) => {
    if (index.has(name)) doubled.add(name);
    else index.set(name, id);
  });
  const out = new Int32Array(names.length);
  names.forEach((name, i) => {
    if (doubled.has(name)) throw invalid(`class name "${name}" (label ${i}) is defined by more than one class id`, { position: i, name });
    const id = index.get(name);
    if (id === undefined) throw invalid(`class name "${name}" (label ${i}) is not one of the dataset's classes`, { position: i, name });
    out[i] = id;
  });
  return out;
}

/**
 * The class of a score or one-hot vector: the index of the largest value (the first on ties), or
 * `null` for an empty vector.
 */
export function argmaxLabel(scores: ArrayLike<number>): number | null {
  if (scores.length === 0) return null;
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
