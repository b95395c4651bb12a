import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AssayError } from "@assay/core";
import { readModelFile } from "@assay/core/node";
import { PLUGIN } from "./runtime.js";

/** One weight tensor's entry in a TFJS weights manifest. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool" | "string" | "complex64";
  /** Quantisation parameters, when the weights are stored quantised. */
  quantization?: unknown;
  group?: string;
}

/** The subset of TensorFlow.js `ModelArtifacts` this handler reads and writes. */
export interface ModelArtifacts {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  trainingConfig?: unknown;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

/**
 * Structurally a TensorFlow.js `io.IOHandler` (pass it to `tf.loadLayersModel`, `tf.loadGraphModel`
 * or `model.save`). Typed loosely at this boundary so the package needs no tfjs types.
 */
export interface FileIOHandler {
  // biome-ignore lint: tfjs's ModelArtifacts type lives in an optional peer dependency
  load(): Promise<any>;
  // biome-ignore lint: see above
  save(artifacts: any): Promise<any>;
}

/** The parsed `model.json`. */
export interface ModelJson {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  trainingConfig?: unknown;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

/** Read and check a `model.json`: missing → `IO_ERROR`, not a TFJS model → `MODEL_ERROR`, both naming the file. */
export async function readModelJson(path: string): Promise<ModelJson> {
  const text = new TextDecoder().decode(await readModelFile(path, PLUGIN));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AssayError("MODEL_ERROR", `${path} is not a TFJS model.json (not valid JSON)`, { plugin: PLUGIN, stage: "load", details: { file: path }, cause: error });
  }
  if (typeof json !== "object" || json === null || typeof (json as ModelJson).modelTopology !== "object" || (json as ModelJson).modelTopology === null) {
    throw new AssayError("MODEL_ERROR", `${path} is not a TFJS model.json (no modelTopology)`, { plugin: PLUGIN, stage: "load", details: { file: path } });
  }
  return json as ModelJson;
}

/** `graph` when the topology is a GraphDef (has `node`), else `layers`. */
export function modelKind(json: ModelJson): "graph" | "layers" {
  if (json.format === "graph-model") return "graph";
  if (json.format === "layers-model") return "layers";
  return "node" in (json.modelTopology as object) ? "graph" : "layers";
}

/**
 * A TensorFlow.js IO handler for the local file system, for builds without tfjs-node's `file://`
 * scheme (the wasm path). `load()` reads `model.json` and its weight shards (paths relative to the
 * JSON); `save()` writes `model.json` and one `<name>.weights.bin` shard.
 */
export function fileIOHandler(modelJsonPath: string): FileIOHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const json = await readModelJson(modelJsonPath);
      const specs: WeightSpec[] = [];
      const shards: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const rel of group.paths) {
          const file = join(dirname(modelJsonPath), rel);
          try {
            shards.push(new Uint8Array(await readFile(file)));
          } catch (error) {
            throw new AssayError("IO_ERROR", `weights file ${file} of ${modelJsonPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
              plugin: PLUGIN,
              stage: "load",
              details: { file },
              cause: error,
            });
          }
        }
      }
      const artifacts: ModelArtifacts = { modelTopology: json.modelTopology, weightSpecs: specs, weightData: concat(shards) };
      for (const key of ["format", "generatedBy", "convertedBy", "trainingConfig", "signature", "userDefinedMetadata", "modelInitializer"] as const) {
        if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
      }
      return artifacts;
    },
    async save(artifacts: ModelArtifacts) {
      const dir = dirname(modelJsonPath);
      const shard = `${basename(modelJsonPath).replace(/\.json$/i, "")}.weights.bin`;
      const data = Array.isArray(artifacts.weightData)
        ? new Uint8Array(concat(artifacts.weightData.map((b) => new Uint8Array(b))))
        : new Uint8Array(artifacts.weightData ?? new ArrayBuffer(0));
      if (typeof artifacts.modelTopology !== "object" || artifacts.modelTopology === null || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new AssayError("MODEL_ERROR", `cannot save to ${modelJsonPath}: the model has no JSON topology`, { plugin: PLUGIN, stage: "save" });
      }
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? "assay",
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [shard], weights: artifacts.weightSpecs ?? [] }],
      };
      for (const key of ["trainingConfig", "signature", "userDefinedMetadata", "modelInitializer"] as const) {
        if (artifacts[key] !== undefined) (json as unknown as Record<string, unknown>)[key] = artifacts[key];
      }
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, shard), data);
      await writeFile(modelJsonPath, JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" as const, weightDataBytes: data.byteLength } };
    },
  };
}

function concat(parts: readonly Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}
