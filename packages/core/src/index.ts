/**
 * @assay/core: the contracts every assay package shares and the DAG runner. Browser-safe; the
 * Node-only disk cache lives in `@assay/core/node`.
 * @module
 */
export { z } from "zod";
export {
  artifacts,
  defineArtifact,
  type ArtifactKey,
  type ArtifactMap,
  type ArtifactName,
  type ArtifactValue,
  type Float32Matrix,
  type InputsOf,
  type KnnGraph,
  type ValueOf,
} from "./artifacts.js";
export {
  checkFeeds,
  shapeText,
  type BackendQuery,
  type Device,
  type Float32Tensor,
  type InferenceBackend,
  type LoadedModel,
  type LoadModelOptions,
  type TensorInfo,
} from "./backend.js";
export { memoryCache, type ArtifactCache } from "./cache.js";
export {
  createDataset,
  type Box,
  type CreateDatasetOptions,
  type Dataset,
  type FingerprintScope,
  type ImageTensor,
  type RasterImage,
  type Sample,
  type TaskKind,
  requiresImages,
} from "./dataset.js";
export {
  AssayError,
  isAssayError,
  wrapNodeError,
  type AssayErrorCode,
  type AssayErrorContext,
  type SerializedError,
} from "./errors.js";
export type { Finding, FindingInput, Severity } from "./findings.js";
export { Hasher, hashString, stableStringify } from "./hash.js";
export {
  defineDetector,
  defineExtractor,
  type AnyNode,
  type AnyNodeFactory,
  type Detector,
  type DetectorFactory,
  type DetectorOutput,
  type Extractor,
  type ExtractorFactory,
  type Keys,
  type NodeBase,
  type NodeContext,
  type NodeFactoryInfo,
  type NodeInputs,
} from "./nodes.js";
export { optionsJsonSchema, parseOptions } from "./options.js";
export {
  pipeline,
  Pipeline,
  type PipelineOptions,
  type Plan,
  type PlannedNode,
  type ProgressEvent,
  type RunOptions,
  type Usable,
} from "./pipeline.js";
export { definePlugin, type Plugin } from "./plugin.js";
export { createRegistry, Registry } from "./registry.js";
export {
  serializeReport,
  toJsonValue,
  type DatasetSummary,
  type DetectorResult,
  type NodeRecord,
  type NodeStatus,
  type Report,
  type SerializeOptions,
} from "./report.js";
