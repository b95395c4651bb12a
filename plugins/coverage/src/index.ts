/**
 * @assay/coverage: embedding-space coverage (Ting et al. 2021; DataEval `coverage_naive`,
 * `coverage_adaptive`, `Coverage`) with per-class dispersion, isotropy and near-duplicate fraction.
 * @module
 */
import { definePlugin } from "@assay/core";
import { coverageAnalysisExtractor, coverageDetector } from "./detector.js";

export {
  adaptiveFromRadii,
  checkEmbeddings,
  coverageAdaptive,
  coverageNaive,
  criticalValueRadii,
  naiveFromRadii,
  naiveRadius,
  unitRescale,
  type CoverageOptions,
  type CoverageResult,
  type Embeddings,
  type Float64Matrix,
  type UnitRescale,
} from "./coverage.js";
export { classIsotropy, coverageAnalysis, nearDuplicates, qrIsotropy, SCATTER_MIN_ROWS, scatterIsotropy, type CoverageAnalysis, type CoverageAnalysisOptions, type CoverageClassRow } from "./analysis.js";
export { coverageAnalysisArtifact, coverageAnalysisExtractor, coverageAnalysisOptions, coverageDetector, coverageFindings, coverageSummary } from "./detector.js";

/** The coverage plugin: the `coverage` detector and the `coverage.analysis` extractor it needs. */
export const plugin = definePlugin({
  name: "@assay/coverage",
  version: "0.1.0",
  description: "Embedding-space coverage and per-class variety",
  extractors: [coverageAnalysisExtractor],
  detectors: [coverageDetector],
});
