/**
 * @assay/backend-onnx: an ONNX Runtime inference backend for assay, plus the backend-agnostic image
 * model extractors (`modelEmbeddings`, `modelPredProbs`), the shared preprocessing/batching contract
 * and the backend conformance suite.
 * @module
 */
import { definePlugin } from "@assay/core";
import { modelEmbeddings, modelPredProbs } from "./extractors.js";
import { onnxBackend } from "./onnx-backend.js";

export { onnxBackend, type OnnxBackendOptions, type OrtModule, type OrtSession } from "./onnx-backend.js";
export { modelEmbeddings, modelPredProbs, type ModelEmbeddingsOptions, type ModelPredProbsOptions } from "./extractors.js";
export {
  batchDims,
  effectiveBatchSize,
  imageBatches,
  preprocessDefaults,
  preprocessInto,
  resampleTaps,
  sampleLength,
  validatePreprocess,
  type BatchOptions,
  type ImageBatch,
  type PreprocessSpec,
} from "./preprocess.js";
export { detectFormat, hintsFromInput, hintsFromMetadata, pickOutput, planModel, readSidecar, type ModelHints, type ModelPlan } from "./model-config.js";
export { checkFeeds, readModelFile, shapeText } from "./backend-kit.js";
export { scanOnnx, type OnnxScan } from "./onnx-metadata.js";
export { backendConformance, type ConformanceCheck, type ConformanceFixtures } from "./conformance.js";

/** The plugin: registers the `onnx` backend and the `model-embeddings` / `model-pred-probs` extractors. */
export const plugin = definePlugin({
  name: "@assay/backend-onnx",
  version: "0.1.0",
  description: "ONNX Runtime inference backend and image-model extractors",
  backends: [onnxBackend()],
  extractors: [modelEmbeddings, modelPredProbs],
});
