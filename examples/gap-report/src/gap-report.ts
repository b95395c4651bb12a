/**
 * The gap-report workflow as one function: load the Fashion-MNIST arrays with planted gaps, embed them,
 * and run label-stats + representation + coverage + gaps in one core pipeline. `run.ts` prints its table;
 * the test checks its actions against the data's `planted.json`.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AssayError, artifacts, createRegistry, pipeline, type Report } from "@assay/core";
import { plugin as onnxPlugin } from "@assay/backend-onnx";
import { plugin as coveragePlugin, type CoverageAnalysis } from "@assay/coverage";
import { loadNpy, modelEmbeddings, readEmbeddings } from "@assay/io";
import { plugin as labelStatsPlugin } from "@assay/label-stats";
import { gapsDetector, loadOntology, renderGapTable, representationDetector, type GapReport } from "@assay/representation";

const HERE = dirname(fileURLToPath(import.meta.url));

/** The example's folder (`examples/gap-report`); the same from `src/` and from `dist/`. */
export const EXAMPLE_ROOT = resolve(HERE, "..");

/** The default data: `examples/data/fashion-gaps` (images.npy, labels.npy, classes.txt, hierarchy.json, planted.json). */
export const DEFAULT_DATA_DIR = resolve(EXAMPLE_ROOT, "../data/fashion-gaps");

/** The default encoder: `examples/data/models/fashion-encoder.onnx` (64-d `embedding` output). */
export const DEFAULT_MODEL = resolve(EXAMPLE_ROOT, "../data/models/fashion-encoder.onnx");

/** Where each sample's embedding comes from. */
export type EmbeddingSource = "encoder" | "file";

/** Options of {@link runGapReport}. */
export interface GapReportExampleOptions {
  /** Folder with `images.npy`, `labels.npy`, `classes.txt` and `hierarchy.json` (default {@link DEFAULT_DATA_DIR}). */
  dataDir?: string;
  /** Ontology file (default `<dataDir>/hierarchy.json`). */
  ontology?: string;
  /**
   * `"encoder"` (default): the trained Fashion-MNIST encoder, run on the images by the ONNX backend;
   * `"file"`: the same encoder's output stored beside the images (`<dataDir>/embeddings.npy`), supplied
   * to the pipeline with `provide` (no model run).
   */
  embeddings?: EmbeddingSource;
  /** The ONNX encoder for `embeddings: "encoder"` (default {@link DEFAULT_MODEL}). */
  model?: string;
  /** Images decoded / embedded at once (default: the pipeline's default). */
  concurrency?: number;
}

/** What {@link runGapReport} returns. */
export interface GapReportExampleResult {
  /** The whole assay report (label-stats, representation, coverage and gaps results and findings). */
  report: Report;
  /** The `gaps` detector's result: one row per leaf, one per branch. */
  gaps: GapReport;
  /** The plain-text gap table (`renderGapTable`). */
  table: string;
  /** Embedding width seen by the coverage lens. */
  dims: number;
  /** Wall time of the pipeline run in milliseconds. */
  ms: number;
}

/**
 * Run the gap report on the Fashion-MNIST arrays: one pipeline with the label-stats plugin, the
 * coverage plugin (its `coverage.analysis` extractor feeds both the `coverage` and `gaps` detectors),
 * the `representation` and `gaps` detectors with the clothing ontology, and an embeddings extractor.
 *
 * @throws AssayError `INVALID_OPTION` for an unknown embedding source; the loaders' `INVALID_INPUT` /
 *   `IO_ERROR` for missing or malformed data; `NODE_FAILED` naming the node (and carrying its error) when a
 *   node of the pipeline fails.
 */
export async function runGapReport(options: GapReportExampleOptions = {}): Promise<GapReportExampleResult> {
  const source = options.embeddings ?? "encoder";
  if (source !== "encoder" && source !== "file") {
    throw new AssayError("INVALID_OPTION", `embeddings must be "encoder" or "file", not ${JSON.stringify(source)}`, {
      details: { option: "embeddings" },
    });
  }
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const ontology = await loadOntology(resolve(options.ontology ?? join(dataDir, "hierarchy.json")));
  const dataset = await loadNpy(dataDir, { name: "fashion-gaps" });

  const started = performance.now();
  const audit = pipeline(dataset, { registry: createRegistry().use(onnxPlugin) }).use(
    labelStatsPlugin,
    coveragePlugin,
    representationDetector({ ontology }),
    gapsDetector({ ontology }),
  );
  if (source === "encoder") audit.use(modelEmbeddings({ model: resolve(options.model ?? DEFAULT_MODEL), batchSize: 256 }));
  else audit.provide(artifacts.embeddings, await readEmbeddings(join(dataDir, "embeddings.npy")));
  const report = await audit.run(options.concurrency === undefined ? {} : { concurrency: options.concurrency });
  const ms = performance.now() - started;

  const failed = report.nodes.find((n) => n.status !== "ok");
  if (failed) {
    throw new AssayError("NODE_FAILED", `node "${failed.name}" ${failed.status}: ${failed.error?.message ?? failed.reason ?? "no reason given"}`, {
      node: failed.name,
      details: { status: failed.status, error: failed.error },
    });
  }
  const gaps = report.results.gaps!.result as GapReport;
  const coverage = report.results.coverage!.result as CoverageAnalysis;
  return { report, gaps, table: renderGapTable(gaps), dims: coverage.dims, ms };
}
