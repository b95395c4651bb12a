/**
 * Chunked (low-memory) confident learning: pred_probs arrive as row blocks from a callback or a
 * re-iterable (async) iterable, so an N×K matrix never has to be resident. Two or three sequential
 * passes over the rows (thresholds; confident joint + scores; pruning selections) give the same
 * results as the in-memory functions — see {@link findLabelIssuesChunked}.
 */
import { markSmallestNumpy, numpyArgsort, roundHalfEven } from "@assay/math";
import { type FindLabelIssuesOptions, calibrateOf, checkFilterOptions, eligibleClasses, lowerThresholdsOf, normalizeTotal, pruneCountMatrix } from "./confident-learning.js";
import { invalidInput, invalidOption } from "./errors.js";
import { type ConfidentRowsAcc, confidentRowsKernel, scanRange } from "./kernels.js";
import { PruneSelector } from "./prune.js";
import { scoresOf } from "./scores.js";
import { FILTER_BY_MODES, type FilterBy, type LabelQualityMethod, type LabelsInput, type ProbMatrix } from "./types.js";
import { type Checked, checkLabels } from "./validate.js";

/** One block of consecutive pred_probs rows: a `{rows, cols, data}` matrix or a bare row-major typed array. */
export type PredProbsChunk = ProbMatrix | Float32Array | Float64Array;

/**
 * Where the row blocks come from. Every pass reads all N rows again, in the same order:
 * - a function `(pass) => Iterable | AsyncIterable` is called once per pass (pass = 0, 1, 2);
 * - an (async) iterable must be re-iterable (each `[Symbol.iterator]()` / `[Symbol.asyncIterator]()` starts
 *   over, like an array of chunks); a one-shot generator object is rejected — wrap it in a function.
 */
export type PredProbsSource =
  | ((pass: number) => Iterable<PredProbsChunk> | AsyncIterable<PredProbsChunk>)
  | Iterable<PredProbsChunk>
  | AsyncIterable<PredProbsChunk>;

/**
 * Options of {@link findLabelIssuesChunked}: every option of `findLabelIssues` (same defaults: `filterBy`
 * `"prune_by_noise_rate"`, `fracNoise` 1, `minExamplesPerClass` 1, …) plus the chunked-only ones.
 */
export interface ChunkedLabelIssuesOptions extends FindLabelIssuesOptions {
  /** Number of classes K (columns of pred_probs). Required: every chunk must have `rows × K` values. */
  numClasses: number;
  /**
   * Per-example label quality scores to return (computed in the second pass), or `false` for none.
   * Default `false` unless ranking or a `low_*` mode needs them.
   */
  labelQualityScores?: LabelQualityMethod | false;
  /** Called after every chunk: pass index, rows done in this pass, N. */
  onProgress?: (pass: number, rowsDone: number, total: number) => void;
  /** Aborts between chunks. */
  signal?: AbortSignal;
}

/** Result of {@link findLabelIssuesChunked}: the issues plus everything class health / overlap summaries need. */
export interface ChunkedLabelIssuesResult {
  readonly numExamples: number;
  readonly numClasses: number;
  /** Length-N mask, 1 = likely label issue (what `findLabelIssues` returns without ranking). */
  readonly mask: Uint8Array;
  /** With `returnIndicesRankedBy`: flagged indices, most likely mislabelled first. */
  readonly rankedIndices?: Int32Array;
  /** Per-class confident thresholds (`getConfidentThresholds`). */
  readonly thresholds: Float64Array;
  /** Examples per given class. */
  readonly classCounts: Float64Array;
  /** Calibrated confident joint, K×K row-major (rows = given label) — `computeConfidentJoint(...).joint`. */
  readonly confidentJoint: Float64Array;
  /** Uncalibrated confident joint (diagonal ≥ 1) — `computeConfidentJoint(...).uncalibrated`. */
  readonly confidentJointUncalibrated: Float64Array;
  /** `estimateJoint`: the calibrated joint divided by its total (feed `rankClassesByLabelQuality({ joint, numExamples })`). */
  readonly joint: Float64Array;
  /** Ascending indices counted off the diagonal of the uncalibrated joint. */
  readonly offDiagonalIndices: Int32Array;
  /** `numLabelIssues` with `"off_diagonal"` (also `1 − this/N` = `overallLabelHealthScore`). */
  readonly numLabelIssues: number;
  /** `numLabelIssues` with `"off_diagonal_calibrated"`. */
  readonly numLabelIssuesCalibrated: number;
  /** Per-example scores when requested (or computed for ranking / low_* modes). */
  readonly labelQualityScores?: Float64Array;
  /** Method of `labelQualityScores`. */
  readonly labelQualityMethod?: LabelQualityMethod;
  /**
   * Pruning selections whose cut-off fell inside a run of exactly equal values in a class with more than
   * 16 members. There numpy's (unstable) sort order decides which tied examples cleanlab flags; this path
   * keeps the lower indices (the in-memory path reproduces numpy's order). 0 means the mask is identical.
   */
  readonly tieFallbacks: number;
  /** Number of passes made over the source. */
  readonly passes: number;
}

/**
 * Find label issues with pred_probs streamed in row blocks (the low-memory counterpart of
 * {@link findLabelIssues}; cleanlab's `find_label_issues_batched` / `CleanLearning(low_memory=True)` solve
 * the same problem approximately). Memory: labels, O(K²) counts, O(N) masks/scores, and one bounded heap
 * entry per estimated issue — never the N×K matrix.
 *
 * Results are identical to the in-memory functions on the same rows: mask, ranking, thresholds, both
 * confident joints, `numLabelIssues` and scores — except `tieFallbacks` selections (see there).
 * Pass 1 computes the thresholds and validates; pass 2 the confident joint, reduce mask and scores; pass 3
 * (pruning modes only) the per-class selections.
 */
export async function findLabelIssuesChunked(
  labels: LabelsInput,
  source: PredProbsSource,
  options: ChunkedLabelIssuesOptions,
): Promise<ChunkedLabelIssuesResult> {
  const K = options.numClasses;
  if (!Number.isInteger(K) || K < 1) throw invalidOption(`numClasses must be a positive integer (got ${K})`, { numClasses: K });
  const filterBy = options.filterBy ?? "prune_by_noise_rate";
  if (!FILTER_BY_MODES.includes(filterBy)) {
    throw invalidOption(`unknown filter_by "${filterBy}"; expected one of ${FILTER_BY_MODES.join(", ")}`, { filterBy });
  }
  const warn = options.onWarning ?? (() => {});
  checkFilterOptions(filterBy, options, K, warn);
  const frac = options.fracNoise ?? 1;
  const minEx = options.minExamplesPerClass ?? 1;
  const n = (labels as ArrayLike<number>)?.length;
  if (typeof n !== "number" || n < 1) throw invalidInput("labels must be a non-empty array of class indices");
  const y = checkLabels(labels, n, K);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[y[i]!]!++;
  let distinct = 0;
  for (let k = 0; k < K; k++) if (counts[k]! > 0) distinct++;
  if (distinct < 2 && counts[0] !== n) {
    throw invalidInput(`Labels must contain at least 2 classes (found ${distinct} distinct class${distinct === 1 ? "" : "es"})`, { distinct });
  }

  const lowMode = filterBy === "low_self_confidence" || filterBy === "low_normalized_margin";
  const rankBy = options.returnIndicesRankedBy;
  const adjustRank = options.rankByKwargs?.adjustPredProbs ?? false;
  // score vectors computed in pass 2
  const wanted: { method: LabelQualityMethod; adjust: boolean; out: Float64Array }[] = [];
  const want = (method: LabelQualityMethod, adjust: boolean): Float64Array => {
    const found = wanted.find((w) => w.method === method && w.adjust === adjust);
    if (found) return found.out;
    const out = new Float64Array(n);
    wanted.push({ method, adjust, out });
    return out;
  };
  const lowScores = lowMode ? want(filterBy === "low_self_confidence" ? "self_confidence" : "normalized_margin", false) : undefined;
  const rankScores = rankBy !== undefined ? want(rankBy, adjustRank) : undefined;
  const userMethod = options.labelQualityScores || undefined;
  const userScores = userMethod !== undefined ? want(userMethod, false) : undefined;

  const passes = new Passes(source, n, K, y, options);
  // ---- pass 1: thresholds (float64 sums in row order, exactly as the in-memory path) + validation
  const sums = new Float64Array(K);
  await passes.run((P, start, rows) => {
    scanRange(P, K, start);
    for (let r = 0; r < rows; r++) {
      const yi = y[start + r]!;
      sums[yi]! += P[r * K + yi]!;
    }
  });
  const thresholds = new Float64Array(K);
  for (let k = 0; k < K; k++) thresholds[k] = Math.max(counts[k]! > 0 ? sums[k]! / counts[k]! : 2, 2e-6);
  const f32 = passes.f32;
  const lower = lowerThresholdsOf(thresholds, counts, f32, false);

  // ---- pass 2: confident joint, reduce mask, argmax, scores
  const acc: ConfidentRowsAcc = {
    C: new Float64Array(K * K),
    off: new Int32Array(n),
    offCount: 0,
    reduce: new Uint8Array(n),
    ...(filterBy === "predicted_neq_given" ? { argmax: new Int32Array(n) } : {}),
  };
  await passes.run((P, start, rows) => {
    confidentRowsKernel(P, y, start, rows, K, lower, acc);
    if (wanted.length > 0) {
      const chunk: Checked = { y: y.subarray(start, start + rows), P, n: rows, K, f32, counts };
      for (const w of wanted) w.out.set(scoresOf(chunk, w.method, w.adjust, false, thresholds), start);
    }
  });
  const Cu = acc.C;
  for (let k = 0; k < K; k++) if (Cu[k * K + k]! < 1) Cu[k * K + k] = 1;
  const Ccal = calibrateOf(Cu, counts, K);
  const joint = normalizeTotal(Ccal);
  const reduce = acc.reduce!;
  const off = acc.off.subarray(0, acc.offCount);
  let numIssues = 0;
  for (const i of off) if (!reduce[i]) numIssues++;
  let trace = 0;
  for (let k = 0; k < K; k++) trace += joint[k * K + k]!;
  const numIssuesCal = roundHalfEven((1 - trace) * n);

  // ---- flagging
  const mask = new Uint8Array(n);
  let tieFallbacks = 0;
  if (lowMode) {
    markSmallestNumpy(lowScores!, numIssues, (i: number) => {
      mask[i] = 1;
    });
  } else {
    if (filterBy === "predicted_neq_given") {
      const am = acc.argmax!;
      for (let i = 0; i < n; i++) if (am[i] !== y[i]) mask[i] = 1;
    } else if (filterBy === "confident_learning") {
      for (const i of off) mask[i] = 1;
    } else {
      // ---- pass 3: bounded-heap selections per (given class, other class)
      const C = options.confidentJoint !== undefined ? Float64Array.from(options.confidentJoint) : Ccal;
      const M = pruneCountMatrix(C, K, minEx, frac, options.numToRemovePerClass, counts);
      const byC = filterBy === "prune_by_class" || filterBy === "both";
      const byN = filterBy === "prune_by_noise_rate" || filterBy === "both";
      const sel = new PruneSelector(K, y, counts, M, eligibleClasses(counts, minEx, warn), byN, byC, f32);
      await passes.run((P, start, rows) => sel.add({ P, start, rows }));
      const { byNoise, byClass } = sel.finish(n);
      tieFallbacks = sel.tieFallbacks;
      for (let i = 0; i < n; i++) mask[i] = byC && byN ? byClass[i]! & byNoise[i]! : byC ? byClass[i]! : byNoise[i]!;
    }
    for (let i = 0; i < n; i++) if (reduce[i]) mask[i] = 0;
  }
  let rankedIndices: Int32Array | undefined;
  if (rankScores) {
    const flagged: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i]) flagged.push(i);
    const order = numpyArgsort(Float64Array.from(flagged, (i) => rankScores[i]!));
    rankedIndices = Int32Array.from(order, (j: number) => flagged[j]!);
  }
  return {
    numExamples: n,
    numClasses: K,
    mask,
    ...(rankedIndices ? { rankedIndices } : {}),
    thresholds,
    classCounts: counts,
    confidentJoint: Ccal,
    confidentJointUncalibrated: Cu,
    joint,
    offDiagonalIndices: off,
    numLabelIssues: numIssues,
    numLabelIssuesCalibrated: numIssuesCal,
    ...(userScores ? { labelQualityScores: userScores, labelQualityMethod: userMethod } : {}),
    tieFallbacks,
    passes: passes.count,
  };
}

/** Runs passes over a source, checking chunk shapes, the row total, dtype and that every pass sees the same rows. */
class Passes {
  count = 0;
  f32 = false;
  private dtype: string | undefined;
  private fingerprint: Float64Array | undefined;

  constructor(
    private readonly source: PredProbsSource,
    private readonly n: number,
    private readonly K: number,
    private readonly y: Int32Array,
    private readonly options: Pick<ChunkedLabelIssuesOptions, "onProgress" | "signal">,
  ) {
    if (typeof source !== "function") {
      const s = source as Partial<Iterable<unknown> & AsyncIterable<unknown>> & { next?: unknown };
      const hasIt = typeof s?.[Symbol.iterator] === "function" || typeof s?.[Symbol.asyncIterator] === "function";
      if (!hasIt) throw invalidInput("pred_probs source must be a function returning an (async) iterable of chunks, or a re-iterable (async) iterable");
      if (typeof s.next === "function") {
        throw invalidInput(
          "pred_probs source is a one-shot iterator/generator, but chunked label issues read the rows 2–3 times; pass a function (pass) => iterable that starts over on every call",
        );
      }
    }
  }

  async run(visit: (P: Float32Array | Float64Array, start: number, rows: number) => void): Promise<void> {
    const { n, K, y } = this;
    const pass = this.count++;
    const src = this.source;
    const iterable = typeof src === "function" ? src(pass) : src;
    // a cheap fingerprint (per-class sums of P[i][y_i]) checks every pass reads the same rows
    const fp = new Float64Array(K);
    let start = 0;
    const onChunk = (chunk: PredProbsChunk): void => {
      this.options.signal?.throwIfAborted();
      const data = ArrayBuffer.isView(chunk) ? chunk : (chunk as ProbMatrix)?.data;
      if (!(data instanceof Float32Array || data instanceof Float64Array)) {
        throw invalidInput(`pred_probs chunk at row ${start} (pass ${pass + 1}) must be a Float32Array/Float64Array or {rows, cols, data}`, { row: start, pass });
      }
      if (!ArrayBuffer.isView(chunk)) {
        const m = chunk as ProbMatrix;
        if (m.cols !== K) throw invalidInput(`pred_probs chunk at row ${start} has ${m.cols} columns; expected numClasses = ${K}`, { row: start, cols: m.cols });
        if (m.rows * m.cols !== data.length) throw invalidInput(`pred_probs chunk at row ${start} has ${data.length} values for shape ${m.rows}×${m.cols}`, { row: start });
      }
      if (data.length % K !== 0) throw invalidInput(`pred_probs chunk at row ${start} has ${data.length} values, not a multiple of numClasses = ${K}`, { row: start });
      const rows = data.length / K;
      if (start + rows > n) throw invalidInput(`pred_probs source yields more than the ${n} rows of labels (pass ${pass + 1})`, { rows: start + rows, labels: n });
      const dtype = data instanceof Float32Array ? "float32" : "float64";
      if (this.dtype === undefined) {
        this.dtype = dtype;
        this.f32 = dtype === "float32";
      } else if (this.dtype !== dtype) {
        throw invalidInput(`pred_probs chunk at row ${start} is ${dtype} but earlier chunks were ${this.dtype}; use one dtype`, { row: start });
      }
      visit(data, start, rows);
      for (let r = 0; r < rows; r++) {
        const yi = y[start + r]!;
        fp[yi]! += data[r * K + yi]!;
      }
      start += rows;
      this.options.onProgress?.(pass, start, n);
    };
    if (Symbol.asyncIterator in (iterable as object)) {
      for await (const chunk of iterable as AsyncIterable<PredProbsChunk>) onChunk(chunk);
    } else {
      for (const chunk of iterable as Iterable<PredProbsChunk>) onChunk(chunk);
    }
    if (start !== n) throw invalidInput(`pred_probs source yielded ${start} rows in pass ${pass + 1} but labels has ${n}`, { rows: start, labels: n, pass });
    if (this.fingerprint === undefined) this.fingerprint = fp;
    else {
      for (let k = 0; k < K; k++) {
        if (fp[k] !== this.fingerprint[k]) {
          throw invalidInput(`pred_probs source yielded different rows in pass ${pass + 1} than in pass 1 (class ${k}); the source must replay the same rows in the same order on every pass`, { pass, class: k });
        }
      }
    }
  }
}
