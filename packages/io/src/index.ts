/**
 * @assay/io: load datasets (image folders, CSV/JSONL manifests, COCO, Pascal VOC, IDX, .npy, Arrow),
 * decode images with sharp (streaming, bounded concurrency, pixel limit), one image
 * resize/preprocessing implementation, a model-free pixel embedding, backend-agnostic image-model
 * extractors (`modelEmbeddings`, `modelPredProbs`), and writers for reports, findings CSV and .npy.
 * @module
 */
export { detectFormat, loadDataset, type DatasetFormat, type LoadOptions } from "./load.js";
export { loadImageFolder, type ImageFolderOptions } from "./loaders/imagefolder.js";
export { loadManifest, type ManifestOptions } from "./loaders/manifest.js";
export { loadCoco, type CocoOptions } from "./loaders/coco.js";
export { loadVoc, type VocOptions } from "./loaders/voc.js";
export { loadIdx, loadNpy, type IdxOptions, type NpyLoadOptions } from "./loaders/arrays.js";
export { loadArrow, readArrowTable, type ArrowOptions } from "./loaders/arrow.js";
export { IMAGE_EXTENSIONS, type CommonLoadOptions } from "./loaders/common.js";
export {
  encodeNpy,
  parseNpy,
  parseNpyHeader,
  readNpy,
  readNpyHeader,
  toNumbers,
  writeNpy,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  type NpyHeader,
  type NpyWritable,
} from "./npy.js";
export { npyRowChunks, type NpyRowChunk, type NpyRowChunksOptions } from "./npy-chunks.js";
export { parseIdx, readIdx, type IdxArray } from "./idx.js";
export { colourStats, decodeImage, DEFAULT_MAX_PIXELS, type DecodeOptions } from "./image.js";
export {
  batchDims,
  effectiveBatchSize,
  imageBatches,
  preprocessDefaults,
  preprocessInto,
  resampleTaps,
  resizeGray,
  resizeRgb,
  sampleLength,
  validatePreprocess,
  type BatchOptions,
  type ImageBatch,
  type PreprocessSpec,
} from "./preprocess.js";
export {
  detectModelFormat,
  hintsFromInput,
  hintsFromMetadata,
  modelFiles,
  pickOutput,
  planModel,
  readSidecar,
  sidecarPath,
  type ModelHints,
  type ModelPlan,
} from "./model-config.js";
export { modelEmbeddings, modelPredProbs, type ModelEmbeddingsOptions, type ModelPredProbsOptions } from "./model-extractors.js";
export { mapImages, type ImageFailure, type MapImagesOptions, type MapImagesResult } from "./map-images.js";
export { readEmbeddings, writeEmbeddingsNpy, type ReadEmbeddingsOptions } from "./embeddings.js";
export { writeFindingsCsv, writeReport } from "./writers.js";
export { imageScan, imagesScan, invalidBoxes, pixelEmbedding, pixelEmbeddingDims, unreadableImages, type ImageScan } from "./nodes.js";
export { plugin } from "./plugin.js";
