import { defineArtifact, defineDetector, defineExtractor, z, type Dataset, type FindingInput } from "@assay/core";
import { labelStatsFromDataset } from "./from-dataset.js";
import type { LabelStats } from "./label-stats.js";

declare module "@assay/core" {
  interface ArtifactMap {
    /** Per-class and per-image label counts of the dataset (@assay/label-stats). */
    "label.stats": LabelStats;
  }
}

/** Typed key of the `label.stats` artifact. */
export const labelStatsArtifact = defineArtifact("label.stats");

const PLUGIN = "@assay/label-stats";
const VERSION = "0.1.0";

/** Extractor providing the `label.stats` artifact, for lenses that consume label counts. */
export const labelStatsExtractor = defineExtractor({
  name: "label.stats",
  version: VERSION,
  plugin: PLUGIN,
  description: "Per-class and per-image label counts",
  options: z.object({}),
  needs: [],
  provides: labelStatsArtifact,
  run: async (ctx) => labelStatsFromDataset(ctx.dataset),
});

/** Findings of the label-stats lens: one `empty_image` listing every empty image, one `undefined_class` per unnamed id. */
export function labelStatsFindings(stats: LabelStats, dataset: Dataset): FindingInput[] {
  const findings: FindingInput[] = [];
  if (stats.emptyImageCount > 0) {
    findings.push({
      type: "empty_image",
      indices: stats.emptyImageIndices,
      severity: "info",
      message: `${stats.emptyImageCount} of ${stats.imageCount} images carry no label`,
      data: { count: stats.emptyImageCount },
    });
  }
  for (const [c, name] of stats.index2label) {
    if (c >= 0 && c < dataset.classes.length) continue;
    findings.push({
      type: "undefined_class",
      indices: stats.imageIndicesPerClass.get(c) ?? [],
      severity: "warning",
      message: `class id ${c} is used by ${stats.labelCountsPerClass.get(c)} labels but the dataset does not name it`,
      data: { id: c, name },
    });
  }
  return findings;
}

/**
 * Detector `labelStats()`: label counts per class and per image. Reuses the `label.stats` artifact
 * when a provider is in the pipeline, otherwise counts the dataset itself. No options.
 */
export const labelStatsDetector = defineDetector({
  name: "label-stats",
  version: VERSION,
  plugin: PLUGIN,
  description: "Label counts per class and per image; empty images and unnamed classes",
  options: z.object({}),
  needs: [],
  wants: [labelStatsArtifact],
  run: async (ctx, inputs) => {
    const stats = inputs["label.stats"] ?? labelStatsFromDataset(ctx.dataset);
    return {
      result: stats,
      findings: labelStatsFindings(stats, ctx.dataset),
      summary: {
        labels: stats.labelCount,
        images: stats.imageCount,
        classes: stats.classCount,
        empty_images: stats.emptyImageCount,
        mean_labels_per_image: stats.meanLabelsPerImage,
      },
    };
  },
});
