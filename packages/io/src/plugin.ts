import { definePlugin } from "@assay/core";
import { PLUGIN } from "./errors.js";
import { imageScan, invalidBoxes, pixelEmbedding, unreadableImages } from "./nodes.js";

/**
 * The `@assay/io` plugin: extractors `image-scan` (→ `images.scan`) and `pixel-embedding`
 * (→ `embeddings`), detectors `unreadable-images` and `invalid-boxes`.
 */
export const plugin = definePlugin({
  name: PLUGIN,
  version: "0.1.0",
  description: "Dataset loaders, streaming image decoding, a model-free pixel embedding, and unreadable-image / bad-box checks",
  extractors: [imageScan, pixelEmbedding],
  detectors: [unreadableImages, invalidBoxes],
});
