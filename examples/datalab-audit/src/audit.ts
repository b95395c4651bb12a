/**
 * The Datalab-style audit of an image folder, as one assay pipeline: a Registry with the @assay/io
 * plugin (dataset loading, the model-free `pixel-embedding`), the @assay/label-issues plugin (shared
 * `knn-graph`, `cross-val-pred-probs`, the Datalab checks and their `datalab` preset) and, for the
 * encoder variant, the @assay/backend-onnx backend under io's `model-embeddings` extractor.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AssayError, createRegistry, type Dataset, pipeline, type Report } from "@assay/core";
import { diskCache } from "@assay/core/node";
import { plugin as onnxPlugin } from "@assay/backend-onnx";
import { loadDataset, modelEmbeddings, plugin as ioPlugin } from "@assay/io";
import { plugin as mathPlugin } from "@assay/math";
import { datalabTextReport, plugin as labelIssuesPlugin } from "@assay/label-issues";

const HERE = dirname(fileURLToPath(import.meta.url));

/** The example's folder (`examples/datalab-audit`); the same from `src/` and from `dist/`. */
export const EXAMPLE_ROOT = resolve(HERE, "..");

/** The bundled sample: `examples/data/fashion-sample` (2,267 PNGs, 113 planted label flips). */
export const DEFAULT_DATA_DIR = resolve(EXAMPLE_ROOT, "../data/fashion-sample");

/** The trained encoder: `examples/data/models/fashion-encoder.onnx` (64-d `embedding` output). */
export const DEFAULT_MODEL = resolve(EXAMPLE_ROOT, "../data/models/fashion-encoder.onnx");

/** Where extractor outputs (embeddings, pred_probs, kNN graph) are kept between runs (git-ignored). */
export const DEFAULT_CACHE_DIR = resolve(EXAMPLE_ROOT, ".assay-cache");

/** Which embedding the audit builds on. */
export type EmbeddingSource = "pixels" | "encoder";

/** Options of {@link runDatalabAudit}. */
export interface DatalabAuditOptions {
  /** Image folder (default {@link DEFAULT_DATA_DIR}). */
  dataDir?: string;
  /**
   * `"pixels"` (default): io's model-free `pixel-embedding` (16×16 thumbnail + colour statistics).
   * `"encoder"`: the 64-d embedding of the trained Fashion-MNIST encoder (its own class
   * probabilities are not used: pred_probs are still cross-validated on top of the embedding).
   */
  embeddings?: EmbeddingSource;
  /** ONNX encoder for `embeddings: "encoder"` (default {@link DEFAULT_MODEL}). */
  model?: string;
  /** Disk cache folder for extractor outputs; `false` for none (default {@link DEFAULT_CACHE_DIR}). */
  cache?: string | false;
  /** Nodes at once (default 2). */
  concurrency?: number;
}

/** What {@link runDatalabAudit} returns. */
export interface DatalabAuditResult {
  dataset: Dataset;
  report: Report;
  /** The Datalab-style text report (`datalabTextReport(report)`). */
  text: string;
  embeddings: EmbeddingSource;
  /** Wall time of the pipeline run in milliseconds. */
  ms: number;
  /** Extractors whose output came from the cache. */
  cached: string[];
}

/**
 * Load the image folder and run every default Datalab check (the `datalab` preset: null, label,
 * outlier, near_duplicate, non_iid, class_imbalance, underperforming_group) through one pipeline:
 * embedding → shared kNN graph, embedding → 5-fold cross-validated logistic-regression pred_probs.
 *
 * @throws AssayError `INVALID_OPTION` for an unknown embedding source; the loader's `IO_ERROR` /
 *   `INVALID_INPUT`; `NODE_FAILED` naming the node when a node of the pipeline does not finish.
 */
export async function runDatalabAudit(options: DatalabAuditOptions = {}): Promise<DatalabAuditResult> {
  const source = options.embeddings ?? "pixels";
  if (source !== "pixels" && source !== "encoder") {
    throw new AssayError("INVALID_OPTION", `embeddings must be "pixels" or "encoder", not ${JSON.stringify(source)}`, { details: { option: "embeddings" } });
  }
  const dataset = await loadDataset(resolve(options.dataDir ?? DEFAULT_DATA_DIR));
  const registry = createRegistry().use(ioPlugin).use(mathPlugin).use(labelIssuesPlugin).use(onnxPlugin);
  const preset = registry.presets().datalab;
  if (!preset) throw new AssayError("MISSING_PROVIDER", "the @assay/label-issues plugin has no datalab preset");
  const p = pipeline(dataset, { registry }).use(preset.map((name) => registry.factory(name)!));
  // pixels: nothing to add, the registry's default embeddings provider is io's pixel-embedding
  if (source === "encoder") p.use(modelEmbeddings({ model: resolve(options.model ?? DEFAULT_MODEL), batchSize: 256 }));

  const cacheDir = options.cache === undefined ? DEFAULT_CACHE_DIR : options.cache;
  const started = performance.now();
  const report = await p.run({
    concurrency: options.concurrency ?? 2,
    ...(cacheDir === false ? {} : { cache: diskCache(resolve(cacheDir)) }),
  });
  const ms = performance.now() - started;
  const failed = report.nodes.find((n) => n.status !== "ok");
  if (failed) {
    throw new AssayError("NODE_FAILED", `node "${failed.name}" ${failed.status}: ${failed.error?.message ?? failed.reason ?? "no reason given"}`, {
      node: failed.name,
      details: { status: failed.status, error: failed.error },
    });
  }
  const cached = report.nodes.filter((n) => n.cached).map((n) => n.name);
  return { dataset, report, text: datalabTextReport(report), embeddings: source, ms, cached };
}
