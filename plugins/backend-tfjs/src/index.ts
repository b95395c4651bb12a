/**
 * @assay/backend-tfjs: a TensorFlow.js inference backend for assay. Picks tfjs-node-gpu, tfjs-node or
 * tfjs + wasm (whichever is installed, in that order) and loads TFJS layers and graph models from disk.
 * Run image models with `modelEmbeddings` / `modelPredProbs` from @assay/io, which work on any
 * registered backend.
 * @module
 */
import { definePlugin } from "@assay/core";
import { tfjsBackend } from "./tfjs-backend.js";

export { tfjsBackend, type TfjsBackend, type TfjsBackendOptions } from "./tfjs-backend.js";
export {
  DEFAULT_FLAVOURS,
  FLAVOUR_PACKAGES,
  loadTfjsRuntime,
  type ModuleLoader,
  type TfjsFlavour,
  type TfjsRuntime,
  type TfModule,
  type TfTensor,
} from "./runtime.js";
export { fileIOHandler, modelKind, readModelJson, type FileIOHandler, type ModelArtifacts, type ModelJson, type WeightSpec } from "./file-io.js";

/** The plugin: registers the `tfjs` backend (formats `tfjs-layers`, `tfjs-graph`). */
export const plugin = definePlugin({
  name: "@assay/backend-tfjs",
  version: "0.1.0",
  description: "TensorFlow.js inference backend (tfjs-node-gpu, tfjs-node or tfjs + wasm)",
  backends: [tfjsBackend()],
});
