import { defineArtifact } from "@assay/core";

/** Scalar statistics stored per row of {@link ImageStats} (image-stats-linter.md §1, §6). */
export const STAT_NAMES = [
  "offset_x",
  "offset_y",
  "width",
  "height",
  "channels",
  "size",
  "aspect_ratio",
  "depth",
  "distance_center",
  "distance_edge",
  "mean",
  "std",
  "var",
  "skew",
  "kurtosis",
  "entropy",
  "missing",
  "zeros",
  "brightness",
  "darkness",
  "contrast",
  "sharpness",
] as const;

/** One scalar statistic's name. */
export type StatName = (typeof STAT_NAMES)[number];

/** Statistics computed per channel in per-channel mode (§2). */
export const CHANNEL_STAT_NAMES = [
  "mean",
  "std",
  "var",
  "skew",
  "kurtosis",
  "entropy",
  "missing",
  "zeros",
  "brightness",
  "darkness",
  "contrast",
  "sharpness",
] as const;

/** One per-channel statistic's name. */
export type ChannelStatName = (typeof CHANNEL_STAT_NAMES)[number];

/** The linter's stat groups (DataEval's flag groups, scalar members only). */
export const STAT_GROUPS = {
  dimension: ["offset_x", "offset_y", "width", "height", "channels", "size", "aspect_ratio", "depth", "distance_center", "distance_edge"],
  pixel: ["mean", "std", "var", "skew", "kurtosis", "entropy", "missing", "zeros"],
  visual: ["brightness", "contrast", "darkness", "sharpness"],
} as const satisfies Record<string, readonly StatName[]>;

/** A stat group name. */
export type StatGroup = keyof typeof STAT_GROUPS;

/** Hashes of every row (image or box), aligned with the rows of {@link ImageStats}. */
export interface ImageHashes {
  /** XXH3-64 of the float64 CHW region bytes (16 hex digits; `""` for unreadable images). */
  xxhash: string[];
  /** pHash / dHash (16 hex digits, `""` when the smaller side is < 9 px); null when not computed. */
  phash: string[] | null;
  dhash: string[] | null;
  /** Rotation/flip-invariant variants; null unless the extractor ran with `hashes: "all"`. */
  phash_d4: string[] | null;
  dhash_d4: string[] | null;
  /** Region shape per row: channels, height, width (3 ints per row); exact groups key on it too. */
  shape: Int32Array;
  /** XXH3-64 of each image's encoded file bytes (one per image; `""` when unavailable); null without `dataset.imageBytes`. */
  file: string[] | null;
}

/** Per-channel statistics: one row per (stats row, channel). */
export interface ChannelStats {
  /** The {@link ImageStats} row each channel row belongs to. */
  row: Int32Array;
  channel: Int32Array;
  stats: Record<ChannelStatName, Float32Array>;
  /** 5 per channel row. */
  percentiles: Float32Array;
}

/**
 * The `images.stats` artifact: every statistic and hash of every image (and box), from one decode of
 * each image. Rows: per image its full-image row, then one row per box (detection datasets with
 * `perBox`). Columns are flat typed arrays aligned with the rows; a statistic that does not apply
 * is NaN (e.g. the pixel stats of an unreadable image, sharpness of a box that leaves the image).
 */
export interface ImageStats {
  /** Number of images in the dataset. */
  images: number;
  /** Number of rows (images + boxes). */
  rows: number;
  /** Image index per row. */
  item: Int32Array;
  /** Box index per row, −1 for full-image rows. */
  target: Int32Array;
  /** Class per row: box rows their box label, image rows their label (detection: the label shared by all boxes), else −1. */
  classId: Int32Array;
  /** 1 when the row's stats were computed, 0 for rows of unreadable images. */
  valid: Uint8Array;
  stats: Record<StatName, Float32Array>;
  /** 1 for an empty box or one entirely outside its image. */
  invalidBox: Uint8Array;
  /** Box centre (x, y) per row. */
  center: Float32Array;
  /** P0, P25, P50, P75, P100 per row (5 per row). */
  percentiles: Float32Array;
  /** 256 bins per row, when the extractor ran with `histogram: true`. */
  histogram: Float32Array | null;
  /** Per-channel stats when the extractor ran with `perChannel: true`. */
  channels: ChannelStats | null;
  hashes: ImageHashes;
  /** Images that could not be decoded, with the reason; their rows are NaN and `valid` 0. */
  unreadable: { index: number; reason: string }[];
  /** The options the stats were computed with. */
  options: { normalize: boolean; perChannel: boolean; perBox: boolean; hashes: "none" | "basic" | "all"; workers: number };
}

declare module "@assay/core" {
  interface ArtifactMap {
    /** Image statistics and hashes from `imageStats()` (@assay/linter). */
    "images.stats": ImageStats;
  }
}

/** The typed key of the `images.stats` artifact. */
export const imageStatsArtifact = defineArtifact("images.stats");
