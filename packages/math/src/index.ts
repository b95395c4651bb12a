/**
 * @assay/math — the shared numerics of assay: Float32 matrices, PCA, exact and HNSW kNN, descriptive
 * statistics, logistic regression, seeded RNGs (including numpy's MT19937 stream), union-find and
 * minimum spanning trees. Every lens uses these instead of re-implementing them. Also the shared
 * `knn-graph` extractor (artifact `knn`) and the `plugin` that registers it.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@assay/core";
import { knnGraph } from "./knn-graph.js";

export type { Float32Matrix, KnnGraph } from "@assay/core";
export { accumulateGramLower, lowerQuadNorms, lowerQuadNormsParallel } from "./quadratic.js";
export { kmeans, meanF32, pairwiseSumF32, stdF32, type KmeansOptions, type KmeansResult } from "./kmeans.js";
export {
  assertFinite,
  assertMatrix,
  columnMeans,
  columnVariances,
  fromRows,
  getRow,
  l2Normalize,
  matmul,
  matmulTransposeB,
  matrix,
  rowNorms,
  selectRows,
  standardize,
  transpose,
} from "./matrix.js";
export {
  argsortStable,
  dropNaN,
  entropy,
  histogram,
  iqrBounds,
  kurtosis,
  mad,
  mean,
  meanAbsoluteDeviation,
  median,
  modifiedZscore,
  normalCdf,
  percentile,
  quantile,
  quantiles,
  skew,
  std,
  sum,
  variance,
  zscore,
  type Histogram,
  type IqrBounds,
  type QuantileMethod,
  type ZeroMadRule,
} from "./stats.js";
export { createRng, Mt19937, numpyPermutation, type Rng } from "./rng.js";
export { minimumSpanningTree, UnionFind, type DenseDistances, type SpanningTree } from "./graph.js";
export { knn, knnQuery, radiusNeighbors, type KnnOptions, type Metric, type RadiusNeighbors, type RadiusOptions } from "./knn.js";
export type { HnswOptions } from "./hnsw.js";
export type { NnDescentOptions } from "./nndescent.js";
export { isKernelResident, KERNEL_SCRATCH_BYTES, kernelFloat32Array, kernelMatrix, leaseKernelMemory, type KernelLease } from "./kernel-memory.js";
export {
  correctExactDuplicates,
  defaultKnnMetric,
  exactDuplicateGroups,
  knnGraph,
  type FeatureRows,
  type MutableNeighbors,
} from "./knn-graph.js";
export { fitPca, pca, type Pca, type PcaOptions } from "./pca.js";
export { gram, gramParallel, project, projectParallel, type GemmParallelOptions, type GramOptions, type GramResult, type ProjectOptions } from "./gemm.js";
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult, type ObjectiveWithGradient } from "./lbfgs.js";
export {
  crossValPredictProba,
  crossValPredictProbaParallel,
  fitLogisticRegression,
  stratifiedKFold,
  type CrossValOptions,
  type Float64Matrix,
  type LogisticModel,
  type LogisticOptions,
  type ParallelCrossValOptions,
} from "./logistic.js";
export {
  backSolveTransposed,
  choleskyInPlace,
  choleskyWithJitter,
  dot,
  forwardSolve,
  invertLower,
  invertSquare,
  JACOBI_MAX_SWEEPS,
  lowerQuadNorm,
  orthogonalizeRows,
  singularValues,
  singularValuesOfRows,
  symmetricEigenvalues,
  tallSkinnyR,
} from "./linalg.js";
export { lnGammaHalfInteger } from "./special.js";
export { largestRemainder, roundHalfEven } from "./rounding.js";
export { markSmallestNumpy, markSmallestStable, numpyArgsort, selectKth } from "./selection.js";
export { firstNonProbabilityRow, softmaxRows } from "./probability.js";
export { hashUniform, splitmix64 } from "./hash.js";
export { macroRocAucOvr, rocAuc } from "./metrics.js";
export { dftTables, lowFrequencyCount, lowFrequencyMagnitudes, type DftTables } from "./fourier.js";
export { logFloat32, logFloat32Bits } from "./fast-log.js";
export { type KernelTaps, resampleKernelTaps, resampleRows, resampleRowsFunction, resampleRowsSimd, type ResampleTaps } from "./resample.js";
/** Low-level WebAssembly encoding helpers (LEB128, vectors, one-memory modules, lazily grown instances) for hand-assembled kernels. */
export { lazyKernel, lazyModule, leb, sleb, vec, wasmModule, wasmOp, type WasmFunction, type WasmKernel } from "./wasm-encoding.js";

/**
 * The plugin: the shared `knn-graph` extractor (provides `knn` from `embeddings`). Register it next to
 * any lens that reads `knn` (label-issues, duplicates, coverage, clusterer, insights):
 * `createRegistry().use(mathPlugin).use(lensPlugin)`.
 */
export const plugin = definePlugin({
  name: "@assay/math",
  version: "0.1.0",
  description: "Shared numerics; the shared kNN graph extractor",
  extractors: [knnGraph],
});
