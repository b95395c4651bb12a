import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AssayError, shapeText, type LoadedModel, type TensorInfo } from "@assay/core";
import { PLUGIN } from "./errors.js";
import { preprocessDefaults, validatePreprocess, type PreprocessSpec } from "./preprocess.js";

/** What a model says about itself: preprocessing fields and which outputs hold what. */
export interface ModelHints {
  preprocess: Partial<PreprocessSpec>;
  input?: string;
  embeddingOutput?: string;
  predProbsOutput?: string;
  classes?: string[];
}

/**
 * Read preprocessing hints from model metadata (`metadata_props` in ONNX, `userDefinedMetadata` in
 * TFJS). Keys: `assay.input_width`, `assay.input_height`, `assay.channels`, `assay.channel_order`,
 * `assay.layout`, `assay.mean`, `assay.std` (a number, a comma list or a JSON array),
 * `assay.pixel_scale`, `assay.resize`, `assay.input_name`, `assay.embedding_output`,
 * `assay.pred_probs_output`, `assay.classes` (JSON array).
 */
export function hintsFromMetadata(metadata: Readonly<Record<string, string>>): ModelHints {
  const get = (k: string) => metadata[`assay.${k}`];
  const hints: ModelHints = { preprocess: {} };
  const p = hints.preprocess;
  const width = num(get("input_width"));
  if (width !== undefined) p.width = width;
  const height = num(get("input_height"));
  if (height !== undefined) p.height = height;
  const channels = num(get("channels"));
  if (channels !== undefined) p.channels = channels as 1 | 3;
  const order = get("channel_order");
  if (order !== undefined) p.channelOrder = order.toLowerCase() as PreprocessSpec["channelOrder"];
  const layout = get("layout");
  if (layout !== undefined) p.layout = layout.toUpperCase() as PreprocessSpec["layout"];
  const mean = numList(get("mean"));
  if (mean) p.mean = mean;
  const std = numList(get("std"));
  if (std) p.std = std;
  const scale = num(get("pixel_scale"));
  if (scale !== undefined) p.pixelScale = scale;
  const resize = get("resize");
  if (resize !== undefined) p.resize = resize.toLowerCase() as PreprocessSpec["resize"];
  const input = get("input_name");
  if (input) hints.input = input;
  const emb = get("embedding_output");
  if (emb) hints.embeddingOutput = emb;
  const probs = get("pred_probs_output");
  if (probs) hints.predProbsOutput = probs;
  const classes = get("classes");
  if (classes) {
    try {
      const parsed: unknown = JSON.parse(classes);
      if (Array.isArray(parsed)) hints.classes = parsed.map(String);
    } catch {
      // not JSON: leave the class names out
    }
  }
  return hints;
}

/**
 * Read the sidecar JSON next to a model (`encoder.onnx` → `encoder.json`), when there is one. Accepts
 * a `preprocessing` object (snake_case or camelCase keys), `outputs: [{ name, role }]` with roles
 * `embedding` / `pred_probs`, and `metadata_props`. Returns `undefined` when no sidecar exists; a
 * sidecar that is not valid JSON is `IO_ERROR` naming it.
 */
export async function readSidecar(modelPath: string): Promise<ModelHints | undefined> {
  const path = sidecarPath(modelPath);
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new AssayError("IO_ERROR", `model sidecar ${path} is not valid JSON`, { plugin: PLUGIN, stage: "load", details: { file: path }, cause: error });
  }
  const base = hintsFromMetadata(isRecord(json.metadata_props) ? (json.metadata_props as Record<string, string>) : {});
  const pre = isRecord(json.preprocessing) ? json.preprocessing : isRecord(json.preprocess) ? json.preprocess : {};
  const pick = (...keys: string[]) => keys.map((k) => pre[k]).find((v) => v !== undefined);
  const flat: Record<string, string> = {};
  const put = (key: string, v: unknown) => {
    if (v !== undefined) flat[`assay.${key}`] = Array.isArray(v) ? JSON.stringify(v) : String(v);
  };
  put("input_width", pick("width", "input_width"));
  put("input_height", pick("height", "input_height"));
  put("channels", pick("channels"));
  put("channel_order", pick("channel_order", "channelOrder"));
  put("layout", pick("layout"));
  put("mean", pick("mean"));
  put("std", pick("std"));
  put("pixel_scale", pick("pixel_scale", "pixelScale"));
  put("resize", pick("resize"));
  const fromPre = hintsFromMetadata(flat);
  const hints: ModelHints = { ...base, ...fromPre, preprocess: { ...base.preprocess, ...fromPre.preprocess } };
  if (Array.isArray(json.outputs)) {
    for (const o of json.outputs as unknown[]) {
      if (!isRecord(o) || typeof o.name !== "string") continue;
      if (o.role === "embedding") hints.embeddingOutput ??= o.name;
      if (o.role === "pred_probs") hints.predProbsOutput ??= o.name;
    }
  }
  if (Array.isArray(json.classes)) hints.classes = json.classes.map(String);
  return hints;
}

/** Where the sidecar JSON of a model would be (`encoder.onnx` → `encoder.json`); `undefined` for other formats. */
export function sidecarPath(modelPath: string): string | undefined {
  return /\.onnx$/i.test(modelPath) ? modelPath.replace(/\.onnx$/i, ".json") : undefined;
}

/**
 * Every file a model's output depends on: the model file, its sidecar JSON (ONNX), and the weight
 * shards a TFJS `model.json` lists. A `model.json` that cannot be read or parsed contributes only
 * itself (loading it reports the problem).
 */
export async function modelFiles(modelPath: string): Promise<string[]> {
  const sidecar = sidecarPath(modelPath);
  if (sidecar !== undefined) return [modelPath, sidecar];
  if (!/\.json$/i.test(modelPath)) return [modelPath];
  try {
    const json = JSON.parse(await readFile(modelPath, "utf8")) as { weightsManifest?: { paths?: unknown }[] };
    const shards = (json.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === "string") : []));
    return [modelPath, ...shards.map((p) => join(dirname(modelPath), p))];
  } catch {
    return [modelPath];
  }
}

/** Guess preprocessing fields from a model's image input shape (rank 4, layout from where the 1 or 3 channel axis sits). */
export function hintsFromInput(input: TensorInfo, layout?: PreprocessSpec["layout"]): Partial<PreprocessSpec> {
  if (input.shape.length !== 4) return {};
  const [, a, b, c] = input.shape as [number, number, number, number];
  const chosen = layout ?? (a === 1 || a === 3 ? "NCHW" : c === 1 || c === 3 ? "NHWC" : undefined);
  if (!chosen) return {};
  const [ch, h, w] = chosen === "NCHW" ? [a, b, c] : [c, a, b];
  const out: Partial<PreprocessSpec> = { layout: chosen };
  if (ch === 1 || ch === 3) out.channels = ch;
  if (h > 0) out.height = h;
  if (w > 0) out.width = w;
  return out;
}

/** The resolved plan for running a model over images. */
export interface ModelPlan {
  input: TensorInfo;
  spec: PreprocessSpec;
  hints: ModelHints;
}

/**
 * Merge preprocessing from (highest first) the user's options, the model's metadata, the sidecar
 * JSON and the model's input shape, then defaults. Throws `INVALID_OPTION` when the size is still
 * unknown, and `MODEL_ERROR` when the result does not fit the model's input shape (naming both).
 */
export function planModel(
  model: LoadedModel,
  label: string,
  user: { input?: string | undefined; preprocess?: Partial<PreprocessSpec> | undefined },
  sidecar: ModelHints | undefined,
): ModelPlan {
  const meta = hintsFromMetadata(model.metadata);
  const hints: ModelHints = {
    ...sidecar,
    ...definedOnly(meta),
    preprocess: { ...sidecar?.preprocess, ...meta.preprocess },
  };
  const inputName = user.input ?? hints.input;
  const input = inputName === undefined ? model.inputs[0] : model.inputs.find((i) => i.name === inputName);
  if (!input) {
    throw new AssayError("MODEL_ERROR", `${label} has ${inputName === undefined ? "no inputs" : `no input named "${inputName}"`}; its inputs are ${model.inputs.map((i) => `"${i.name}"`).join(", ") || "none"}`, {
      plugin: PLUGIN,
      stage: "plan",
    });
  }
  if (model.inputs.length > 1) {
    throw new AssayError("MODEL_ERROR", `${label} has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(", ")}); assay feeds one image input`, {
      plugin: PLUGIN,
      stage: "plan",
    });
  }
  const declared = { ...hints.preprocess, ...definedOnly(user.preprocess ?? {}) };
  const fromShape = hintsFromInput(input, declared.layout);
  const merged = { ...preprocessDefaults, ...fromShape, ...declared } as Partial<PreprocessSpec>;
  merged.channels ??= 3;
  merged.channelOrder ??= merged.channels === 1 ? "gray" : "rgb";
  if (merged.width === undefined || merged.height === undefined) {
    throw new AssayError(
      "INVALID_OPTION",
      `cannot tell the input size of ${label} (input "${input.name}" ${shapeText(input.shape)}): pass preprocess: { width, height }, or store assay.input_width/assay.input_height in the model metadata`,
      { plugin: PLUGIN, stage: "plan", details: { field: "preprocess" } },
    );
  }
  const spec = validatePreprocess(merged as PreprocessSpec);
  const expected = spec.layout === "NCHW" ? [-1, spec.channels, spec.height, spec.width] : [-1, spec.height, spec.width, spec.channels];
  const fits = input.shape.length === 0 || (input.shape.length === 4 && input.shape.every((d, k) => d < 0 || expected[k]! < 0 || d === expected[k]));
  if (!fits) {
    throw new AssayError(
      "MODEL_ERROR",
      `${label}: input "${input.name}" expects shape ${shapeText(input.shape)} but the preprocessing gives ${shapeText(expected)} (${spec.layout}, ${spec.width}×${spec.height}×${spec.channels})`,
      { plugin: PLUGIN, stage: "plan", details: { input: input.name, expected: [...input.shape], got: expected } },
    );
  }
  return { input, spec, hints };
}

/**
 * Pick the output to read. Explicit name, then the hinted one, then the only float output. Throws
 * `MODEL_ERROR` for an unknown name, a non-float output, a model without float outputs, or an
 * ambiguous choice (listing the outputs).
 */
export function pickOutput(model: LoadedModel, label: string, explicit: string | undefined, hinted: string | undefined, role: string): TensorInfo {
  const list = model.outputs.map((o) => `"${o.name}" (${o.type} ${shapeText(o.shape)})`).join(", ");
  const isFloat = (o: TensorInfo) => /^float/.test(o.type);
  const name = explicit ?? hinted;
  if (name !== undefined) {
    const found = model.outputs.find((o) => o.name === name);
    if (!found) throw new AssayError("MODEL_ERROR", `${label} has no output named "${name}"; its outputs are ${list}`, { plugin: PLUGIN, stage: "plan", details: { output: name } });
    if (!isFloat(found)) throw new AssayError("MODEL_ERROR", `${label}: output "${name}" is ${found.type}, not a float tensor usable as ${role}`, { plugin: PLUGIN, stage: "plan", details: { output: name } });
    return found;
  }
  const floats = model.outputs.filter(isFloat);
  if (floats.length === 0) throw new AssayError("MODEL_ERROR", `${label} has no float output to use as ${role}; its outputs are ${list}`, { plugin: PLUGIN, stage: "plan" });
  if (floats.length > 1) {
    throw new AssayError("MODEL_ERROR", `${label} has several float outputs (${list}); say which one holds the ${role} with the \`output\` option`, { plugin: PLUGIN, stage: "plan" });
  }
  return floats[0]!;
}

/** Model format from its path: `.onnx` → `onnx`; a TFJS `model.json` → `tfjs-layers` or `tfjs-graph`. */
export async function detectModelFormat(path: string): Promise<string> {
  if (/\.onnx$/i.test(path)) return "onnx";
  if (/\.json$/i.test(path)) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code) throw new AssayError("IO_ERROR", `model file ${path} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`, { plugin: PLUGIN, stage: "load", details: { file: path }, cause: error });
      throw new AssayError("MODEL_ERROR", `${path} is not a TFJS model.json (not valid JSON)`, { plugin: PLUGIN, stage: "load", details: { file: path }, cause: error });
    }
    if (json.format === "graph-model" || (isRecord(json.modelTopology) && "node" in json.modelTopology)) return "tfjs-graph";
    if (json.format === "layers-model" || isRecord(json.modelTopology)) return "tfjs-layers";
    throw new AssayError("MODEL_ERROR", `${path} is JSON but not a TFJS model (no modelTopology)`, { plugin: PLUGIN, stage: "load", details: { file: path } });
  }
  throw new AssayError("INVALID_OPTION", `cannot tell the format of model ${path} from its name; pass \`format\` ("onnx", "tfjs-layers", "tfjs-graph", …)`, {
    plugin: PLUGIN,
    stage: "load",
    details: { field: "format" },
  });
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function numList(v: string | undefined): number[] | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const text = v.trim().replace(/^\[|\]$/g, "");
  const parts = text.split(/[,\s]+/).filter(Boolean).map(Number);
  return parts.length > 0 && parts.every(Number.isFinite) ? parts : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
