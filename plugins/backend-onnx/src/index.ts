/**
 * @assay/backend-onnx: an ONNX Runtime inference backend for assay. Register its `plugin` and run
 * image models with `modelEmbeddings` / `modelPredProbs` from @assay/io, which work on any
 * registered backend.
 * @module
 */
import { definePlugin } from "@assay/core";
import { onnxBackend } from "./onnx-backend.js";

export { onnxBackend, type OnnxBackendOptions, type OrtModule, type OrtSession } from "./onnx-backend.js";
export { scanOnnx, type OnnxScan } from "./onnx-metadata.js";

/** The plugin: registers the `onnx` backend (format `onnx`). */
export const plugin = definePlugin({
  name: "@assay/backend-onnx",
  version: "0.1.0",
  description: "ONNX Runtime inference backend",
  backends: [onnxBackend()],
});
