/**
 * @assay/linter: image statistics (one decode per image: dimension, pixel and visual stats, exact and
 * perceptual hashes) and statistical outlier flags on them — DataEval's `compute_stats` + `Outliers`.
 * @module
 */
import { definePlugin } from "@assay/core";
import { imageStats } from "./extractor.js";
import { outliers } from "./outliers.js";

export {
  CHANNEL_STAT_NAMES,
  imageStatsArtifact,
  STAT_GROUPS,
  STAT_NAMES,
  type ChannelStatName,
  type ChannelStats,
  type ImageHashes,
  type ImageStats,
  type StatGroup,
  type StatName,
} from "./artifact.js";
export { analyseImage, boxToXyxy, computeImageStats, imageStats, imageStatsOptions, type ImageStatsOptions, type RowResult } from "./extractor.js";
export {
  canonicalGray,
  dhash,
  exactHash,
  hammingDistance,
  legacyPchash,
  perceptualHashes,
  phash,
  phashSize,
  resizeLanczos,
  xxhash64,
  type GrayImage,
  type PerceptualHashes,
} from "./hashes.js";
export type { ChwImage, XyxyBox } from "./image.js";
export { findStatOutliers, outliers, outliersOptions, type OutlierBounds, type OutlierRow, type OutliersResult } from "./outliers.js";
export {
  bitDepth,
  bitDepthOf,
  computeStats,
  sharpness,
  type BitDepth,
  type ComputeStatsOptions,
  type DatumStats,
  type DimensionStats,
  type PixelStats,
} from "./stats.js";
export { mapImage, mirror, rotate90, specImageQ, specImageS, toHwc } from "./test-images.js";
export {
  LEGACY_CHANNEL_STATS,
  LEGACY_IMAGE_STATS,
  legacyChannelStats,
  legacyImageStats,
  legacyLinter,
  type LegacyChannelStat,
  type LegacyChannelStats,
  type LegacyImageStat,
  type LegacyImageStats,
  type LegacyMatrix,
  type LegacyMethod,
} from "./legacy.js";
export { DEFAULT_MULTIPLIER, flagOutliers, isOutside, thresholdBounds, type Bounds, type ThresholdMethod, type ThresholdSpec } from "./thresholds.js";

/** The @assay/linter plugin: the `image-stats` extractor and the `outliers` detector. */
export const plugin = definePlugin({
  name: "@assay/linter",
  version: "0.1.0",
  description: "Image statistics and statistical outlier flags",
  extractors: [imageStats],
  detectors: [outliers],
});
