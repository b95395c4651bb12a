import { definePlugin } from "@assay/core";
import { PLUGIN } from "./errors.js";
import { modelEmbeddings, modelPredProbs } from "./model-extractors.js";
import { imageScan, invalidBoxes, pixelEmbedding, unreadableImages } from "./nodes.js";

/**
 * The `@assay/io` plugin: extractors `image-scan` (→ `images.scan`), `pixel-embedding`
 * (→ `embeddings`), `model-embeddings` (→ `embeddings`) and `model-pred-probs` (→ `pred_probs`),
 * detectors `unreadable-images` and `invalid-boxes`. The model extractors need a `model` option, so
 * they are never picked implicitly: `pixel-embedding` stays the default embeddings provider.
 */
export const plugin = definePlugin({
  name: PLUGIN,
  version: "0.1.0",
  description: "Dataset loaders, streaming image decoding, a model-free pixel embedding, image-model extractors, and unreadable-image / bad-box checks",
  extractors: [imageScan, pixelEmbedding, modelEmbeddings, modelPredProbs],
  detectors: [unreadableImages, invalidBoxes],
});
