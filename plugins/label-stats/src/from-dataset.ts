import type { Dataset } from "@assay/core";
import { labelStats, type LabelStats } from "./label-stats.js";

/** The flat label arrays of a dataset, as DataEval's metadata flattens its targets. */
export interface FlatLabels {
  /** One class id per label: per labelled image (classification), per box (detection), per positive class (multi-label). */
  classLabels: Int32Array;
  /** The image (dataset row) of each label, ascending. */
  itemIndices: Int32Array;
  /** The dataset size. */
  imageCount: number;
  /** Every class the dataset declares, plus `UNDEFINED_CLASS_<id>` for observed ids it lacks. */
  index2label: Map<number, string>;
}

/**
 * Flatten a dataset's targets: classification rows with label −1 contribute nothing (empty image);
 * detection rows contribute one label per box; multi-label rows one per listed class (a repeat counts twice).
 */
export function flattenLabels(dataset: Dataset): FlatLabels {
  const classLabels: number[] = [];
  const itemIndices: number[] = [];
  if (dataset.task === "classification") {
    for (let i = 0; i < dataset.size; i++) {
      const c = dataset.labels[i]!;
      if (c < 0) continue;
      classLabels.push(c);
      itemIndices.push(i);
    }
  } else if (dataset.task === "detection" || dataset.task === "multilabel") {
    for (let i = 0; i < dataset.size; i++) {
      const sample = dataset.sample(i);
      const ids = dataset.task === "detection" ? (sample.boxes ?? []).map((b) => b.label) : (sample.labels ?? []);
      for (const c of ids) {
        classLabels.push(c);
        itemIndices.push(i);
      }
    }
  }
  const index2label = new Map<number, string>();
  dataset.classes.forEach((name, id) => index2label.set(id, name));
  for (const c of classLabels) if (!index2label.has(c)) index2label.set(c, `UNDEFINED_CLASS_${c}`);
  return {
    classLabels: Int32Array.from(classLabels),
    itemIndices: Int32Array.from(itemIndices),
    imageCount: dataset.size,
    index2label,
  };
}

/** {@link labelStats} of a dataset's labels, with item indices and `imageCount = dataset.size`. */
export function labelStatsFromDataset(dataset: Dataset): LabelStats {
  const flat = flattenLabels(dataset);
  return labelStats(flat.classLabels, { itemIndices: flat.itemIndices, imageCount: flat.imageCount, index2label: flat.index2label });
}
