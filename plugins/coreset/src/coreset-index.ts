import { ChunkTree, sortRows, type TreeCounters } from "./chunk-tree.js";
import { choleskyWithJitter, invertLower, lowerQuadNorm } from "@assay/math";
import { intOption, invalidInput, invalidOption, resolveBeta, type Preset } from "./options.js";
import { assertFiniteRows, augmentRows, fitPreprocessing, type Preprocessing } from "./preprocess.js";
import { accumulateGramLower, lowerQuadNorms, lowerQuadNormsParallel } from "@assay/math";

/** A dense feature matrix: row-major `data[r * cols + c]` (Float32Array, Float64Array or numbers), or rows. */
export type FeatureInput = { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> } | readonly (readonly number[])[];

/** Labels: class indices (0-based, into `classes`) or class names. */
export type LabelInput = ArrayLike<number> | readonly string[];

/** Options of {@link CoresetIndex.build}. */
export interface CoresetIndexOptions {
  /** Importance preset (default `"balanced"`, β = 0.5); see {@link PRESETS}. */
  preset?: Preset;
  /** Custom β ∈ [0, 1]; overrides `preset`. */
  beta?: number;
  /** Ridge ρ relative to the mean scatter diagonal of each class (default 0.01); the intercept is unpenalised. */
  ridge?: number;
  /** Project onto the top `maxDim` principal axes when the input has more columns (default 128; `Infinity` disables). */
  maxDim?: number;
  /** Classes with fewer live rows are "tiny": flagged, importance +∞, never suggested (default 3). */
  minClassSize?: number;
  /** Rows per leaf of the chunk tree (default 8192). */
  chunkSize?: number;
  /** Length of each node's per-class cleaning list (default 512). */
  candidatesPerClass?: number;
  /** The class universe (names). Labels given as names must be in it; relabels may target any of its classes. */
  classes?: readonly string[];
  /** Sample weights (> 0, default 1). */
  weights?: ArrayLike<number>;
  /**
   * Stable integer ids of the rows (unique, ≥ 0; default the row index). They seed the priority-sampling
   * hashes, so two indexes holding the same rows under the same ids draw the same coreset.
   */
  ids?: ArrayLike<number>;
  /**
   * What to do with a class that has at least `minClassSize` but fewer rows than features: `"error"`
   * (default) throws `INVALID_INPUT`; `"allow"` scores it through the ridge alone.
   */
  smallClass?: "error" | "allow";
  /** Reuse a frozen preprocessing (from another index) instead of fitting one. */
  preprocessing?: Preprocessing;
  /** Frozen ridge λ per class index (as reported by {@link CoresetIndex.lambdas}); NaN entries are computed. */
  lambdas?: ArrayLike<number>;
  /**
   * @internal Score the rows against these class statistics (Σ w·a·aᵀ lower triangles, W, counts — e.g.
   * the exact global statistics of a local-scope tree) instead of statistics of the rows themselves.
   * Such an index is for reading only: edits would mix the two.
   */
  statistics?: { G: readonly Float64Array[]; W: ArrayLike<number>; n: ArrayLike<number> };
  /** Rank-one changes per class per batch above which the class is refactored (default max(1, ⌊p/8⌋)). */
  patchLimit?: number;
  /**
   * Score each row against only this many "other" classes: the classes whose means (in z-space) are
   * nearest to the mean of the row's own class. Default: every class when K ≤ 32, else 8.
   */
  otherClasses?: number;
  /** Sherman–Morrison corrections kept per class before a refactor (default 64). */
  maxCorrections?: number;
}

/** Per-row score flags. */
export const FLAG_TINY_CLASS = 1;

/** The scores of one row. */
export interface RowScores {
  index: number;
  /** Class name. */
  label: string;
  /** `ln d_own − β·ln d_other`; higher = review first. +∞ for members of tiny classes. */
  importance: number;
  /** `ln d_own`. */
  outlierScore: number;
  /** `ln d_own − ln d_other` (> 0: fits another class better than its own). */
  labelScore: number;
  /** Within-class leverage h ∈ [0, 1) (1 for members of tiny classes). */
  leverage: number;
  /** Coreset sensitivity σ = 2w/W_c + h. */
  sensitivity: number;
  /** DataHeroes-style sensitivity 32·(2w + W_c·h). */
  dhSensitivity: number;
  /** The class the row fits best (its own unless another class is nearer). */
  suggestedLabel: string;
  /** Member of a class with fewer than `minClassSize` rows. */
  tinyClass: boolean;
}

/** Counters of the last applied batch. */
export interface BatchLog {
  /** Classes updated by Sherman–Morrison patches. */
  patched: number;
  /** Classes refactored (fresh λ, Cholesky, full column of scores). */
  refactored: number;
  /** Rank-one changes applied. */
  changes: number;
  leavesRebuilt: number;
  nodesMerged: number;
}

/** @internal The resolved scalar settings of an index (also what a saved index stores). */
export interface IndexSettings {
  beta: number;
  ridge: number;
  minClassSize: number;
  chunkSize: number;
  candidatesPerClass: number;
  smallClass: "error" | "allow";
  patchLimit: number | undefined;
  otherClasses?: number | undefined;
  maxCorrections: number;
}

/** @internal */
export interface ClassState {
  /** Σ w a aᵀ (p×p, float64, exact sums). */
  G: Float64Array;
  W: number;
  n: number;
  lambda: number;
  /** L⁻¹ of H₀ = G₀ + λ·diag(1…1,0) at the last refactor; null when the class is tiny/empty. */
  linv: Float64Array | null;
  /** Sherman–Morrison corrections since the last refactor: H⁻¹ = H₀⁻¹ + Σ coef_j u_j u_jᵀ. */
  corrU: Float64Array[];
  corrCoef: number[];
  /** Sherman–Morrison terms not yet applied to the cached column Q[·, c] (applied lazily by `sync`). */
  pendU: Float64Array[];
  pendCoef: number[];
  /** The cached column Q[·, c] must be recomputed from the factor (after a fresh-λ refactor). */
  colStale: boolean;
  /** Sherman–Morrison terms applied to the cached column since it was last computed from a factor. */
  drift: number;
}

/** A pending (deferred) edit. */
type Edit =
  | { kind: "remove"; rows: Int32Array }
  | { kind: "relabel"; rows: Int32Array; labels: Int32Array }
  | { kind: "weight"; rows: Int32Array; weights: Float64Array };

interface Change {
  row: number;
  cls: number;
  sign: 1 | -1;
  w: number;
}

const H_MAX = 1 - 1e-12;
const D_MIN = 1e-300;

/**
 * The class-conditional leverage (CCL) index: exact additive per-class statistics over augmented rows,
 * per-row importance, a chunk tree with mergeable per-class lists, and incremental edits.
 *
 * Build one with {@link CoresetIndex.build}; query with {@link importantSamples} and
 * {@link sampleCoreset}; edit with {@link CoresetIndex.relabel}, {@link CoresetIndex.remove},
 * {@link CoresetIndex.setWeights} and {@link CoresetIndex.add}. Every edit batch is validated first and
 * applied atomically: a rejected batch leaves the index unchanged.
 */
export class CoresetIndex {
  /** Class names (the universe; a class index is a position here). */
  readonly classes: readonly string[];
  /** β of the importance score. */
  readonly beta: number;
  /** Ridge ρ. */
  readonly ridge: number;
  readonly minClassSize: number;
  readonly candidatesPerClass: number;
  readonly smallClass: "error" | "allow";
  readonly patchLimit: number;
  /** Other classes each row is scored against (K − 1 = all). */
  readonly otherClasses: number;
  /** @internal Candidate other classes per own class (nearest means), or null when every class is a candidate. */
  candidates: Int32Array[] | null = null;
  readonly maxCorrections: number;
  /** The frozen feature map. */
  readonly preprocessing: Preprocessing;
  /** Augmented dimension p = r + 1. */
  readonly p: number;

  /** @internal */ n = 0;
  /** @internal */ cap = 0;
  /** @internal augmented rows, n×p float64. */ A: Float64Array = new Float64Array(0);
  /** @internal */ labels: Int32Array = new Int32Array(0);
  /** @internal */ weights: Float64Array = new Float64Array(0);
  /** @internal stable integer ids. */ ids: Float64Array = new Float64Array(0);
  /** @internal */ idSet = new Set<number>();
  /** @internal 1 = live. */ live: Uint8Array = new Uint8Array(0);
  /** @internal 1 = seen by a query. */ seen: Uint8Array = new Uint8Array(0);
  /** @internal q_k(a_i), n×K float64 (storage; may lag behind pending edits until {@link sync}). */ qData: Float64Array = new Float64Array(0);
  /** @internal */ impData: Float64Array = new Float64Array(0);
  /** @internal */ outData: Float64Array = new Float64Array(0);
  /** @internal */ lsData: Float64Array = new Float64Array(0);
  /** @internal */ levData: Float64Array = new Float64Array(0);
  /** @internal */ sugData: Int32Array = new Int32Array(0);
  /** @internal Rows [0, qRows) have Q rows as of the last sync; rows above are computed at the next sync. */ qRows = 0;
  /** @internal Whether scores and tree lists lag behind the statistics (edits absorbed, not yet rescored). */ dirty = false;

  /** @internal q_k(a_i), n×K (brought up to date first). */
  get Q(): Float64Array {
    this.sync();
    return this.qData;
  }
  /** @internal Importance per row (brought up to date first). */
  get importance(): Float64Array {
    this.sync();
    return this.impData;
  }
  /** @internal */
  get outlier(): Float64Array {
    this.sync();
    return this.outData;
  }
  /** @internal */
  get labelScore(): Float64Array {
    this.sync();
    return this.lsData;
  }
  /** @internal */
  get leverage(): Float64Array {
    this.sync();
    return this.levData;
  }
  /** @internal */
  get suggested(): Int32Array {
    this.sync();
    return this.sugData;
  }
  /** @internal */ stats: ClassState[];
  /** @internal */ tree: ChunkTree;
  private pendingEdits: Edit[] = [];
  private lastLog: BatchLog = { patched: 0, refactored: 0, changes: 0, leavesRebuilt: 0, nodesMerged: 0 };

  private constructor(
    classes: readonly string[],
    pre: Preprocessing,
    opts: IndexSettings,
  ) {
    this.classes = Object.freeze([...classes]);
    this.preprocessing = pre;
    this.p = pre.dim + 1;
    this.beta = opts.beta;
    this.ridge = opts.ridge;
    this.minClassSize = opts.minClassSize;
    this.candidatesPerClass = opts.candidatesPerClass;
    this.smallClass = opts.smallClass;
    this.patchLimit = opts.patchLimit ?? Math.max(1, Math.floor(this.p / 8));
    const K = classes.length;
    this.otherClasses = Math.min(Math.max(0, K - 1), opts.otherClasses ?? (K > 32 ? 8 : K));
    this.maxCorrections = opts.maxCorrections;
    this.stats = classes.map(() => ({ G: new Float64Array(this.p * this.p), W: 0, n: 0, lambda: Number.NaN, linv: null, corrU: [], corrCoef: [], pendU: [], pendCoef: [], colStale: false, drift: 0 }));
    this.tree = new ChunkTree(opts.chunkSize, 0);
  }

  /**
   * Build an index from features X (n×d) and labels. Validates everything first: NaN/∞ features,
   * non-positive weights, length mismatches, unknown class names, and (unless `smallClass: "allow"`)
   * classes with fewer rows than features — each an `AssayError` naming the row, class or option.
   */
  static build(x: FeatureInput, labels: LabelInput, options: CoresetIndexOptions = {}): CoresetIndex {
    const index = CoresetIndex.prepare(x, labels, options);
    index.accumulateBuild(index.n);
    index.factorAll(options);
    index.computeQRows(0, index.n);
    index.finishBuild();
    return index;
  }

  /**
   * {@link build} on worker threads (default `workers: 2`): the n·K·p²/2 quadratic forms that dominate a
   * build are split by rows over the workers, each value computed by the same float64 kernel as in
   * {@link build}, so the index is identical to the synchronous one whatever the worker count. Small
   * inputs (under 10⁹ multiply-adds), an `otherClasses` shortcut and external statistics run
   * synchronously. Copies the augmented rows once into shared memory (8·n·p bytes).
   */
  static async buildAsync(
    x: FeatureInput,
    labels: LabelInput,
    options: CoresetIndexOptions & { workers?: number } = {},
  ): Promise<CoresetIndex> {
    const index = CoresetIndex.prepare(x, labels, options);
    const n = index.n;
    const K = index.classes.length;
    const p = index.p;
    index.accumulateBuild(n);
    index.factorAll(options);
    const workers = options.workers ?? 2;
    if (workers !== undefined) intOption("workers", workers, 0, 64);
    if (n * K * p * p < 1e9 || options.statistics !== undefined || index.candidates !== null || workers <= 1) {
      index.computeQRows(0, n);
      index.finishBuild();
      return index;
    }
    const A = new Float64Array(new SharedArrayBuffer(n * p * 8));
    A.set(index.A.subarray(0, n * p));
    const Q = new Float64Array(new SharedArrayBuffer(n * K * 8));
    const lowers = index.stats.map((st) => st.linv);
    await lowerQuadNormsParallel(lowers, Array.from({ length: K }, (_, c) => c), p, A, n, Q, K, workers);
    for (let c = 0; c < K; c++) if (lowers[c] === null) for (let i = 0; i < n; i++) Q[i * K + c] = Number.NaN;
    index.qData.set(Q.subarray(0, n * K));
    index.finishBuild();
    return index;
  }

  /** Validation, preprocessing and the row arrays of a build (no statistics yet). */
  private static prepare(x: FeatureInput, labels: LabelInput, options: CoresetIndexOptions): CoresetIndex {
    const { rows, cols, data } = toMatrix(x);
    if (rows === 0) throw invalidInput("X has no rows");
    if (cols === 0) throw invalidInput("X has no columns");
    assertFiniteRows(data, rows, cols);
    const { classes, y } = mapLabels(labels, rows, options.classes);
    const weights = readWeights(options.weights, rows);
    const ids = readIds(options.ids, rows, new Set(), 0);
    const beta = resolveBeta(options.preset, options.beta);
    const ridge = options.ridge ?? 0.01;
    if (!(ridge >= 0) || !Number.isFinite(ridge)) throw invalidOption("ridge", `must be a finite number ≥ 0, got ${String(ridge)}`);
    const maxDim = options.maxDim ?? 128;
    if (!(maxDim >= 1)) throw invalidOption("maxDim", `must be ≥ 1 or Infinity, got ${String(maxDim)}`);
    const minClassSize = intOption("minClassSize", options.minClassSize ?? 3, 1);
    const chunkSize = intOption("chunkSize", options.chunkSize ?? 8192, 1);
    const candidatesPerClass = intOption("candidatesPerClass", options.candidatesPerClass ?? 512, 1);
    const smallClass = options.smallClass ?? "error";
    if (smallClass !== "error" && smallClass !== "allow") throw invalidOption("smallClass", `must be "error" or "allow", got ${JSON.stringify(smallClass)}`);
    const patchLimit = options.patchLimit === undefined ? undefined : intOption("patchLimit", options.patchLimit, 0);
    const otherClasses = options.otherClasses === undefined ? undefined : intOption("otherClasses", options.otherClasses, 1);
    const maxCorrections = options.maxCorrections ?? 64;
    if (!(maxCorrections >= 0)) throw invalidOption("maxCorrections", `must be ≥ 0, got ${String(maxCorrections)}`);
    const pre = options.preprocessing ?? fitPreprocessing(data, rows, cols, weights, maxDim);
    if (pre.inputDim !== cols) throw invalidInput(`the preprocessing expects ${pre.inputDim} columns, X has ${cols}`);
    const index = new CoresetIndex(classes, pre, { beta, ridge, minClassSize, chunkSize, candidatesPerClass, smallClass, patchLimit, otherClasses, maxCorrections });
    const counts = new Int32Array(classes.length);
    for (let i = 0; i < rows; i++) counts[y[i]!]!++;
    index.checkClassSizes(counts);
    index.reserve(rows);
    augmentRows(pre, data, rows, index.A, 0);
    index.labels.set(y);
    index.weights.set(weights);
    index.ids.set(ids);
    index.idSet = new Set(ids);
    index.live.fill(1, 0, rows);
    index.n = rows;
    return index;
  }

  /** Apply external statistics / frozen λ options, factor every class and pick the candidate classes. */
  private factorAll(options: CoresetIndexOptions): void {
    const index = this;
    const classes = this.classes;
    if (options.statistics !== undefined) {
      const ext = options.statistics;
      for (let c = 0; c < classes.length; c++) {
        const st = index.stats[c]!;
        st.G = Float64Array.from(ext.G[c]!);
        st.W = ext.W[c]!;
        st.n = ext.n[c]!;
      }
    }
    if (options.lambdas !== undefined) {
      if (options.lambdas.length !== classes.length) throw invalidOption("lambdas", `must have one entry per class (${classes.length}), got ${options.lambdas.length}`);
      for (let c = 0; c < classes.length; c++) index.stats[c]!.lambda = options.lambdas[c]!;
    }
    for (let c = 0; c < classes.length; c++) index.factor(c, Number.isNaN(index.stats[c]!.lambda));
    index.tree.grow(index.n);
    index.updateCandidates();
  }

  /** Scores and tree lists once Q is filled. */
  private finishBuild(): void {
    this.qRows = this.n;
    this.rescore();
    this.refreshLists();
  }

  /** @internal Restore an index from saved parts (used by `loadIndex`). */
  static restore(
    classes: readonly string[],
    pre: Preprocessing,
    opts: IndexSettings,
    fill: (index: CoresetIndex) => void,
  ): CoresetIndex {
    const index = new CoresetIndex(classes, pre, opts);
    fill(index);
    index.updateCandidates();
    index.qRows = index.n;
    index.tree.grow(index.n);
    index.rescore();
    index.refreshLists();
    return index;
  }

  /** @internal The resolved scalar settings (what a saved index stores). */
  settings(): IndexSettings {
    return {
      beta: this.beta,
      ridge: this.ridge,
      minClassSize: this.minClassSize,
      chunkSize: this.tree.chunkSize,
      candidatesPerClass: this.candidatesPerClass,
      smallClass: this.smallClass,
      patchLimit: this.patchLimit,
      otherClasses: this.otherClasses,
      maxCorrections: this.maxCorrections,
    };
  }

  /** Number of rows ever added (live and removed); row indices run 0…size−1. */
  get size(): number {
    return this.n;
  }

  /** Number of live rows. */
  get liveCount(): number {
    let s = 0;
    for (let c = 0; c < this.stats.length; c++) s += this.stats[c]!.n;
    return s;
  }

  /** Feature dimension r after the projection. */
  get dim(): number {
    return this.preprocessing.dim;
  }

  /** Chunk size of the tree. */
  get chunkSize(): number {
    return this.tree.chunkSize;
  }

  /** The frozen ridge λ_c of every class (NaN for classes never factored). */
  lambdas(): Float64Array {
    return Float64Array.from(this.stats, (s) => s.lambda);
  }

  /** Live row count per class. */
  classCounts(): Int32Array {
    return Int32Array.from(this.stats, (s) => s.n);
  }

  /** Counters of the last applied batch (patched vs refactored classes, tree work). */
  get lastBatch(): Readonly<BatchLog> {
    return this.lastLog;
  }

  /** Number of deferred edits waiting for {@link applyPending}. */
  get pendingCount(): number {
    return this.pendingEdits.length;
  }

  /** Whether row `index` is live (not removed). */
  isLive(index: number): boolean {
    return index >= 0 && index < this.n && this.live[index] === 1;
  }

  /** Class index of row `index`. */
  labelOf(index: number): number {
    this.checkRow(index, "index");
    return this.labels[index]!;
  }

  /** Class index of a class name; throws `INVALID_OPTION` for an unknown class. */
  classIndex(name: string | number, option = "class"): number {
    if (typeof name === "number") {
      if (Number.isInteger(name) && name >= 0 && name < this.classes.length) return name;
      throw invalidOption(option, `names class index ${name}, but there are ${this.classes.length} classes`);
    }
    const c = this.classes.indexOf(name);
    if (c < 0) throw invalidOption(option, `names unknown class ${JSON.stringify(name)}; known classes: ${this.classes.slice(0, 20).join(", ")}`, { class: name });
    return c;
  }

  /** All scores of one live or removed row (removed rows keep their last scores). */
  scores(index: number): RowScores {
    this.checkRow(index, "index");
    this.sync();
    const c = this.labels[index]!;
    const st = this.stats[c]!;
    const h = this.levData[index]!;
    const w = this.weights[index]!;
    return {
      index,
      label: this.classes[c]!,
      importance: this.impData[index]!,
      outlierScore: this.outData[index]!,
      labelScore: this.lsData[index]!,
      leverage: h,
      sensitivity: st.W > 0 ? (2 * w) / st.W + h : 0,
      dhSensitivity: 32 * (2 * w + st.W * h),
      suggestedLabel: this.classes[this.sugData[index]!]!,
      tinyClass: this.isTiny(c),
    };
  }

  /** Importance of every row as a copy (removed rows: NaN). */
  importanceScores(): Float64Array {
    this.sync();
    const out = this.impData.slice(0, this.n);
    for (let i = 0; i < this.n; i++) if (this.live[i] === 0) out[i] = Number.NaN;
    return out;
  }

  /** Leverage of every row as a copy (removed rows: NaN). */
  leverageScores(): Float64Array {
    this.sync();
    const out = this.levData.slice(0, this.n);
    for (let i = 0; i < this.n; i++) if (this.live[i] === 0) out[i] = Number.NaN;
    return out;
  }

  /** `ln d_own` of every row as a copy (removed rows: NaN). */
  outlierScores(): Float64Array {
    this.sync();
    const out = this.outData.slice(0, this.n);
    for (let i = 0; i < this.n; i++) if (this.live[i] === 0) out[i] = Number.NaN;
    return out;
  }

  /** `ln d_own − ln d_other` of every row as a copy (removed rows: NaN). */
  labelScores(): Float64Array {
    this.sync();
    const out = this.lsData.slice(0, this.n);
    for (let i = 0; i < this.n; i++) if (this.live[i] === 0) out[i] = Number.NaN;
    return out;
  }

  /** Mark rows as seen (or not) for queries with `ignoreSeen`. */
  setSeen(indices: ArrayLike<number>, flag = true): void {
    const rows = this.checkRows(indices, "indices", false);
    for (const i of rows) this.seen[i] = flag ? 1 : 0;
  }

  /** Forget every seen mark. */
  resetSeen(): void {
    this.seen.fill(0);
  }

  /** Whether row `index` has been returned by a query (or marked seen). */
  isSeen(index: number): boolean {
    this.checkRow(index, "index");
    return this.seen[index] === 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Edits

  /**
   * Remove rows. Removing a row that is already removed (or listed twice) is an `INVALID_INPUT` error
   * and leaves the index unchanged. With `defer: true` the edit is only queued.
   */
  remove(indices: ArrayLike<number>, options: { defer?: boolean } = {}): void {
    const rows = this.checkRows(indices, "indices", true);
    this.checkNotPendingRemoved(rows);
    this.submit({ kind: "remove", rows }, options.defer === true);
  }

  /**
   * Change the labels of rows (class names or indices of the class universe). A label outside the
   * universe is an `INVALID_INPUT` error; so is a removed row or a row listed twice.
   */
  relabel(indices: ArrayLike<number>, labels: LabelInput, options: { defer?: boolean } = {}): void {
    const rows = this.checkRows(indices, "indices", true);
    if (labels.length !== rows.length) throw invalidInput(`relabel got ${rows.length} indices but ${labels.length} labels`);
    const y = new Int32Array(rows.length);
    for (let t = 0; t < rows.length; t++) {
      const l = labels[t]!;
      const c = typeof l === "string" ? this.classes.indexOf(l) : Number.isInteger(l) && l >= 0 && l < this.classes.length ? l : -1;
      if (c < 0) {
        throw invalidInput(`relabel: row ${rows[t]} cannot move to ${JSON.stringify(l)}, which is not a class of this index (${this.classes.slice(0, 20).join(", ")})`, {
          row: rows[t],
          label: l,
        });
      }
      y[t] = c;
    }
    this.checkNotPendingRemoved(rows);
    this.submit({ kind: "relabel", rows, labels: y }, options.defer === true);
  }

  /** Change sample weights (> 0): a removal plus a re-addition in the statistics. */
  setWeights(indices: ArrayLike<number>, weights: ArrayLike<number>, options: { defer?: boolean } = {}): void {
    const rows = this.checkRows(indices, "indices", true);
    if (weights.length !== rows.length) throw invalidInput(`setWeights got ${rows.length} indices but ${weights.length} weights`);
    const w = readWeights(weights, rows.length);
    this.checkNotPendingRemoved(rows);
    this.submit({ kind: "weight", rows, weights: w }, options.defer === true);
  }

  /** Apply every deferred edit as one batch. */
  applyPending(): void {
    if (this.pendingEdits.length === 0) return;
    const edits = this.pendingEdits;
    this.applyEdits(edits, null);
    this.pendingEdits = [];
  }

  /**
   * Append rows (features in the original input space, labels from the class universe). They get
   * the next row indices, which are returned. Pending deferred edits are applied first.
   */
  add(x: FeatureInput, labels: LabelInput, options: { weights?: ArrayLike<number>; ids?: ArrayLike<number> } = {}): Int32Array {
    const { rows, cols, data } = toMatrix(x);
    if (cols !== this.preprocessing.inputDim && rows > 0) throw invalidInput(`add: rows have ${cols} columns, the index was built on ${this.preprocessing.inputDim}`);
    assertFiniteRows(data, rows, cols, "added row");
    const { y } = mapLabels(labels, rows, this.classes, true);
    const w = readWeights(options.weights, rows);
    let next = 0;
    for (const id of this.idSet) next = Math.max(next, id + 1);
    const ids = readIds(options.ids, rows, this.idSet, next);
    this.applyPending();
    const aug = new Float64Array(rows * this.p);
    augmentRows(this.preprocessing, data, rows, aug, 0);
    this.applyEdits([], { aug, y, w, rows, ids });
    return Int32Array.from({ length: rows }, (_, t) => this.n - rows + t);
  }

  /**
   * Refactor classes. `full: true` refactors every class with a freshly computed λ_c and recomputes all
   * scores, so the result equals a fresh build on the current data with the same frozen preprocessing.
   * Without `full`, only classes carrying Sherman–Morrison corrections are refactored (λ_c kept).
   */
  refresh(options: { full?: boolean } = {}): void {
    this.applyPending();
    this.sync();
    let refactored = 0;
    for (let c = 0; c < this.stats.length; c++) {
      const st = this.stats[c]!;
      if (options.full === true) {
        this.factor(c, true);
        refactored++;
      } else if (st.corrU.length > 0 || st.drift > 0) {
        this.factor(c, false);
        st.colStale = true;
        refactored++;
      }
      st.pendU = [];
      st.pendCoef = [];
    }
    if (options.full === true) {
      for (const st of this.stats) {
        st.colStale = false;
        st.drift = 0;
      }
      this.qRows = 0;
    }
    this.dirty = true;
    this.sync();
    const { leavesRebuilt, nodesMerged } = this.lastLog;
    this.lastLog = { patched: 0, refactored, changes: 0, leavesRebuilt, nodesMerged };
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  /** @internal Whether class c has too few rows to be scored. */
  isTiny(c: number): boolean {
    return this.stats[c]!.n < this.minClassSize;
  }

  /** @internal Whether class c has a factor (can be used as an "other" class). */
  scoreable(c: number): boolean {
    return this.stats[c]!.linv !== null;
  }

  private submit(edit: Edit, defer: boolean): void {
    if (defer) {
      this.checkBatchClassSizes([...this.pendingEdits, edit]);
      this.pendingEdits.push(edit);
      return;
    }
    this.applyEdits([...this.pendingEdits, edit], null);
    this.pendingEdits = [];
  }

  private checkNotPendingRemoved(rows: Int32Array): void {
    for (const edit of this.pendingEdits) {
      if (edit.kind !== "remove") continue;
      const gone = new Set(edit.rows);
      for (const r of rows) if (gone.has(r)) throw invalidInput(`row ${r} is already queued for removal`, { row: r });
    }
  }

  /** Net class counts after a list of edits, checked against the small-class rule. */
  private checkBatchClassSizes(edits: readonly Edit[], added?: { y: Int32Array }): void {
    const counts = this.classCounts();
    const label = new Map<number, number>();
    const cur = (r: number) => label.get(r) ?? this.labels[r]!;
    for (const e of edits) {
      if (e.kind === "remove") for (const r of e.rows) counts[cur(r)]!--;
      else if (e.kind === "relabel") {
        for (let t = 0; t < e.rows.length; t++) {
          const r = e.rows[t]!;
          counts[cur(r)]!--;
          counts[e.labels[t]!]!++;
          label.set(r, e.labels[t]!);
        }
      }
    }
    if (added) for (const c of added.y) counts[c]!++;
    this.checkClassSizes(counts);
  }

  private checkClassSizes(counts: Int32Array): void {
    if (this.smallClass === "allow") return;
    for (let c = 0; c < counts.length; c++) {
      const n = counts[c]!;
      if (n >= this.minClassSize && n < this.dim) {
        throw invalidInput(
          `class ${JSON.stringify(this.classes[c])} would have ${n} rows but the features have ${this.dim} dimensions; its leverage is not identifiable. ` +
            `Pass smallClass: "allow" to score it through the ridge, lower maxDim, or remove/merge the class`,
          { class: this.classes[c], rows: n, features: this.dim },
        );
      }
    }
  }

  private applyEdits(edits: readonly Edit[], added: { aug: Float64Array; y: Int32Array; w: Float64Array; rows: number; ids: Float64Array } | null): void {
    // Validate the whole batch before touching any state (atomic batches).
    this.checkBatchClassSizes(edits, added ?? undefined);
    const changes: Change[] = [];
    const newLabel = new Map<number, number>();
    const newWeight = new Map<number, number>();
    const removed = new Set<number>();
    const curLabel = (r: number) => newLabel.get(r) ?? this.labels[r]!;
    const curWeight = (r: number) => newWeight.get(r) ?? this.weights[r]!;
    for (const e of edits) {
      for (let t = 0; t < e.rows.length; t++) {
        const r = e.rows[t]!;
        if (removed.has(r)) throw invalidInput(`row ${r} is removed earlier in this batch`, { row: r });
      }
      for (let t = 0; t < e.rows.length; t++) {
        const r = e.rows[t]!;
        const c = curLabel(r);
        const w = curWeight(r);
        if (e.kind === "remove") {
          changes.push({ row: r, cls: c, sign: -1, w });
          removed.add(r);
        } else if (e.kind === "relabel") {
          const to = e.labels[t]!;
          if (to === c) continue;
          changes.push({ row: r, cls: c, sign: -1, w }, { row: r, cls: to, sign: 1, w });
          newLabel.set(r, to);
        } else {
          const nw = e.weights[t]!;
          if (nw === w) continue;
          changes.push({ row: r, cls: c, sign: -1, w }, { row: r, cls: c, sign: 1, w: nw });
          newWeight.set(r, nw);
        }
      }
    }
    // Commit.
    const oldN = this.n;
    if (added !== null) {
      this.reserve(oldN + added.rows);
      this.A.set(added.aug, oldN * this.p);
      this.labels.set(added.y, oldN);
      this.weights.set(added.w, oldN);
      this.ids.set(added.ids, oldN);
      for (const id of added.ids) this.idSet.add(id);
      this.live.fill(1, oldN, oldN + added.rows);
      this.seen.fill(0, oldN, oldN + added.rows);
      this.n = oldN + added.rows;
      for (let t = 0; t < added.rows; t++) changes.push({ row: oldN + t, cls: added.y[t]!, sign: 1, w: added.w[t]! });
    }
    for (const [r, c] of newLabel) this.labels[r] = c;
    for (const [r, w] of newWeight) this.weights[r] = w;
    for (const r of removed) this.live[r] = 0;
    const byClass = new Map<number, Change[]>();
    for (const ch of changes) {
      this.accumulate(ch.row, ch.cls, ch.sign, ch.w);
      let list = byClass.get(ch.cls);
      if (list === undefined) byClass.set(ch.cls, (list = []));
      list.push(ch);
    }
    let patched = 0;
    let refactored = 0;
    for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
      const list = byClass.get(c)!;
      const st = this.stats[c]!;
      if (this.isTiny(c) || st.W <= 0) {
        st.linv = null;
        st.corrU = [];
        st.corrCoef = [];
        st.pendU = [];
        st.pendCoef = [];
        st.colStale = false;
        continue;
      }
      if (st.linv !== null && list.length <= this.patchLimit && list.length <= this.maxCorrections) {
        // The inverse representation holds at most maxCorrections rank-one terms: fold them into a new
        // factor of the same H (λ_c frozen). Q is unaffected, so no column needs recomputing.
        if (st.corrU.length + list.length > this.maxCorrections) {
          this.factor(c, false);
          refactored++;
        }
        if (this.patch(c, list)) {
          patched++;
          continue;
        }
      }
      this.factor(c, true);
      st.colStale = true;
      st.pendU = [];
      st.pendCoef = [];
      refactored++;
    }
    this.tree.grow(this.n);
    this.dirty = true;
    this.lastLog = { patched, refactored, changes: changes.length, leavesRebuilt: 0, nodesMerged: 0 };
  }

  /**
   * Sherman–Morrison patches of class c for each change: O(p²) each (two triangular products plus the
   * stored corrections). The correction vectors extend the inverse representation and are queued for the
   * lazy rescoring in {@link sync}. Returns false (and changes nothing) when a denominator is unsafe.
   */
  private patch(c: number, list: readonly Change[]): boolean {
    const st = this.stats[c]!;
    const p = this.p;
    const v = new Float64Array(p);
    const savedU = st.corrU.length;
    const updates: { u: Float64Array; coef: number }[] = [];
    for (const ch of list) {
      const o = ch.row * p;
      for (let j = 0; j < p; j++) v[j] = this.A[o + j]!;
      const u = this.applyInverse(c, v);
      let vu = 0;
      for (let j = 0; j < p; j++) vu += v[j]! * u[j]!;
      const denom = 1 + ch.sign * ch.w * vu;
      if (!(denom > 1e-8)) {
        st.corrU.length = savedU;
        st.corrCoef.length = savedU;
        return false;
      }
      const coef = (-ch.sign * ch.w) / denom;
      st.corrU.push(u);
      st.corrCoef.push(coef);
      updates.push({ u, coef });
    }
    if (!st.colStale) {
      st.drift += updates.length;
      for (const { u, coef } of updates) {
        st.pendU.push(u);
        st.pendCoef.push(coef);
      }
    }
    return true;
  }

  /**
   * Bring Q, the scores and the tree lists up to date with the statistics. Edits only update the class
   * statistics and the inverse representations (O(p²) per change); the O(n·p) work per queued rank-one
   * correction, the column recomputations of refactored classes and the rescoring happen here, once,
   * for everything queued since the last sync (one pass over the rows for all queued corrections).
   * Every reader (scores, queries, sampling, saving) calls this first, so answers are always current.
   */
  sync(): void {
    if (!this.dirty) return;
    const K = this.classes.length;
    const p = this.p;
    const old = this.qRows;
    this.updateCandidates();
    // 1. Queued Sherman–Morrison corrections, all classes in one pass over the rows.
    let m = 0;
    for (const st of this.stats) if (!st.colStale) m += st.pendU.length;
    if (m > 0 && old > 0) {
      const U = new Float64Array(m * p);
      const coef = new Float64Array(m);
      const cls = new Int32Array(m);
      let t = 0;
      this.stats.forEach((st, c) => {
        if (st.colStale) return;
        for (let k = 0; k < st.pendU.length; k++, t++) {
          U.set(st.pendU[k]!, t * p);
          coef[t] = st.pendCoef[k]!;
          cls[t] = c;
        }
      });
      applyCorrections(this.A, this.live, old, p, U, coef, cls, m, this.qData, K);
    }
    for (const st of this.stats) {
      st.pendU = [];
      st.pendCoef = [];
    }
    // 2. Refactored classes: the whole column, against the new factor.
    for (let c = 0; c < K; c++) {
      const st = this.stats[c]!;
      if (!st.colStale) continue;
      st.colStale = false;
      st.drift = 0;
      if (st.linv !== null) this.computeQColumn(c, old);
    }
    // 3. Rows added since the last sync: every column against the current inverses.
    if (this.n > old) this.computeQRows(old, this.n);
    // 4. Candidate mode: entries that became needed (relabelled rows, changed nearest classes).
    if (this.candidates !== null) this.fillMissing(0, old);
    this.qRows = this.n;
    this.dirty = false;
    this.rescore();
    const tree = this.refreshLists();
    this.lastLog = { ...this.lastLog, ...tree };
  }

  /** u = H_c⁻¹ v with the current (corrected) inverse. */
  private applyInverse(c: number, v: Float64Array): Float64Array {
    const st = this.stats[c]!;
    const p = this.p;
    const linv = st.linv!;
    const t = new Float64Array(p);
    for (let r = 0; r < p; r++) {
      let s = 0;
      const rr = r * p;
      for (let j = 0; j <= r; j++) s += linv[rr + j]! * v[j]!;
      t[r] = s;
    }
    const u = new Float64Array(p);
    for (let r = 0; r < p; r++) {
      const tr = t[r]!;
      if (tr === 0) continue;
      const rr = r * p;
      for (let j = 0; j <= r; j++) u[j]! += linv[rr + j]! * tr;
    }
    for (let k = 0; k < st.corrU.length; k++) {
      const uk = st.corrU[k]!;
      let s = 0;
      for (let j = 0; j < p; j++) s += uk[j]! * v[j]!;
      const f = st.corrCoef[k]! * s;
      for (let j = 0; j < p; j++) u[j]! += f * uk[j]!;
    }
    return u;
  }

  /** Class statistics of rows [0, rows) at build: blocked Gram accumulation per class. */
  private accumulateBuild(rows: number): void {
    const K = this.classes.length;
    const members = classMembers(this.labels, rows, K);
    for (let c = 0; c < K; c++) {
      const st = this.stats[c]!;
      const idx = members[c]!;
      accumulateGramLower(st.G, this.p, this.A, idx, this.weights);
      let W = 0;
      for (const r of idx) W += this.weights[r]!;
      st.W += W;
      st.n += idx.length;
    }
  }

  /** Add sign·w·a aᵀ of row `row` to class `cls`. */
  private accumulate(row: number, cls: number, sign: 1 | -1, w: number): void {
    const st = this.stats[cls]!;
    const p = this.p;
    const o = row * p;
    const A = this.A;
    const G = st.G;
    const sw = sign * w;
    for (let r = 0; r < p; r++) {
      const ar = sw * A[o + r]!;
      const gr = r * p;
      for (let j = 0; j <= r; j++) G[gr + j]! += ar * A[o + j]!;
    }
    st.W += sw;
    st.n += sign;
    if (st.n === 0) {
      // An emptied class restarts from exact zeros (no round-off residue).
      G.fill(0);
      st.W = 0;
    }
  }

  /** Form H_c, factor it and store L⁻¹; computes a fresh λ_c when `freshLambda`. Clears corrections. */
  private factor(c: number, freshLambda: boolean): void {
    const st = this.stats[c]!;
    st.corrU = [];
    st.corrCoef = [];
    if (st.n < this.minClassSize || st.W <= 0) {
      st.linv = null;
      return;
    }
    const p = this.p;
    const r = p - 1;
    const G = st.G;
    if (freshLambda || Number.isNaN(st.lambda)) {
      let trace = 0;
      for (let j = 0; j < r; j++) {
        const s = G[(p - 1) * p + j]!;
        trace += G[j * p + j]! - (s * s) / st.W;
      }
      st.lambda = trace > 0 ? (this.ridge * trace) / r : this.ridge;
    }
    const H = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        H[i * p + j] = G[i * p + j]!;
        H[j * p + i] = G[i * p + j]!;
      }
    }
    for (let j = 0; j < r; j++) H[j * p + j]! += st.lambda;
    const L = choleskyWithJitter(H, p);
    if (L === null) {
      throw invalidInput(`class ${JSON.stringify(this.classes[c])} has a singular scatter matrix even with jitter (ridge ${this.ridge}); use ridge > 0`, {
        class: this.classes[c],
      });
    }
    st.linv = invertLower(L, p);
  }

  /** @internal Score of row i against class c with the current inverse: aᵀH_c⁻¹a. */
  qOf(c: number, a: Float64Array): number {
    const st = this.stats[c]!;
    let q = lowerQuadNorm(st.linv!, this.p, a);
    for (let k = 0; k < st.corrU.length; k++) {
      const uk = st.corrU[k]!;
      let s = 0;
      for (let j = 0; j < this.p; j++) s += uk[j]! * a[j]!;
      q += st.corrCoef[k]! * s * s;
    }
    return q;
  }

  /** @internal Recompute Q for rows [from, to) against every scoreable class (only the needed entries in candidate mode). */
  computeQRows(from: number, to: number): void {
    const K = this.classes.length;
    if (this.candidates === null) {
      const rows = Int32Array.from({ length: to - from }, (_, t) => from + t);
      for (let c = 0; c < K; c++) this.fillColumn(c, rows);
      return;
    }
    this.qData.fill(Number.NaN, from * K, to * K);
    this.fillMissing(from, to);
  }

  /** Recompute column c of Q for rows below `limit` (removed rows too; their scores are not read). */
  private computeQColumn(c: number, limit = this.n): void {
    if (this.candidates !== null) {
      // Candidate mode: invalidate; the needed entries are recomputed by fillMissing.
      const K = this.classes.length;
      for (let i = 0; i < limit; i++) this.qData[i * K + c] = Number.NaN;
      return;
    }
    this.fillColumn(c, Int32Array.from({ length: limit }, (_, t) => t));
  }

  /** Candidate mode: compute every needed Q entry (own class and candidate classes) that is NaN, for live rows in [from, to). */
  private fillMissing(from: number, to: number): void {
    const K = this.classes.length;
    const cand = this.candidates!;
    const need: number[][] = Array.from({ length: K }, () => []);
    for (let i = from; i < to; i++) {
      if (this.live[i] === 0) continue;
      const c = this.labels[i]!;
      if (this.stats[c]!.linv !== null && Number.isNaN(this.qData[i * K + c]!)) need[c]!.push(i);
      for (const k of cand[c]!) if (Number.isNaN(this.qData[i * K + k]!)) need[k]!.push(i);
    }
    for (let k = 0; k < K; k++) if (need[k]!.length > 0) this.fillColumn(k, Int32Array.from(need[k]!));
  }

  /**
   * Recompute the candidate other classes of every class from the current class means: the
   * `otherClasses` scoreable classes nearest (Euclidean, z-space) to the class's own mean, ties by
   * lower class index. Null when every class is a candidate.
   */
  private updateCandidates(): void {
    const K = this.classes.length;
    if (this.otherClasses >= K - 1) {
      this.candidates = null;
      return;
    }
    const p = this.p;
    const r = p - 1;
    const means = new Float64Array(K * r);
    for (let c = 0; c < K; c++) {
      const st = this.stats[c]!;
      if (st.W > 0) for (let j = 0; j < r; j++) means[c * r + j] = st.G[r * p + j]! / st.W;
    }
    const out: Int32Array[] = [];
    const dist = new Float64Array(K);
    for (let c = 0; c < K; c++) {
      const pool: number[] = [];
      for (let k = 0; k < K; k++) {
        if (k === c || this.stats[k]!.linv === null) continue;
        let s = 0;
        for (let j = 0; j < r; j++) {
          const v = means[c * r + j]! - means[k * r + j]!;
          s += v * v;
        }
        dist[k] = s;
        pool.push(k);
      }
      pool.sort((a, b) => dist[a]! - dist[b]! || a - b);
      out.push(Int32Array.from(pool.slice(0, this.otherClasses)));
    }
    this.candidates = out;
  }

  /** Q[i, c] = aᵢᵀH_c⁻¹aᵢ for the listed rows with the current inverse (factor plus corrections); NaN when c has none. */
  private fillColumn(c: number, rows: Int32Array): void {
    const K = this.classes.length;
    const st = this.stats[c]!;
    if (st.linv === null) {
      for (const i of rows) this.qData[i * K + c] = Number.NaN;
      return;
    }
    lowerQuadNorms(st.linv, this.p, this.A, rows, this.qData, K, c);
    const m = st.corrU.length;
    if (m === 0) return;
    const U = new Float64Array(m * this.p);
    st.corrU.forEach((u, k) => U.set(u, k * this.p));
    applyCorrections(this.A, null, rows, this.p, U, Float64Array.from(st.corrCoef), new Int32Array(m).fill(c), m, this.qData, K);
  }

  /** Recompute importance and the derived scores of every live row from Q and the class totals. */
  private rescore(): void {
    const K = this.classes.length;
    const beta = this.beta;
    const W = Float64Array.from(this.stats, (s) => s.W);
    const ok = Uint8Array.from(this.stats, (s) => (s.linv !== null ? 1 : 0));
    for (let i = 0; i < this.n; i++) {
      if (this.live[i] === 0) continue;
      const c = this.labels[i]!;
      const qi = i * K;
      let dOwn: number;
      let h: number;
      if (ok[c] === 1) {
        const q = this.qData[qi + c]!;
        h = Math.min(Math.max(this.weights[i]! * q, 0), H_MAX);
        dOwn = Math.max((W[c]! * q) / (1 - h), D_MIN);
      } else {
        h = 1;
        dOwn = Number.POSITIVE_INFINITY;
      }
      let dOther = Number.POSITIVE_INFINITY;
      let best = -1;
      const cand = this.candidates === null ? null : this.candidates[c]!;
      const nk = cand === null ? K : cand.length;
      for (let t = 0; t < nk; t++) {
        const k = cand === null ? t : cand[t]!;
        if (k === c || ok[k] === 0) continue;
        const d = Math.max(W[k]! * this.qData[qi + k]!, D_MIN);
        if (d < dOther) {
          dOther = d;
          best = k;
        }
      }
      const lnOwn = Math.log(dOwn);
      this.levData[i] = h;
      this.outData[i] = lnOwn;
      if (best < 0) {
        this.lsData[i] = 0;
        this.impData[i] = lnOwn;
        this.sugData[i] = c;
      } else {
        const lnOther = Math.log(dOther);
        this.lsData[i] = ok[c] === 1 ? lnOwn - lnOther : Number.POSITIVE_INFINITY;
        this.impData[i] = ok[c] === 1 ? lnOwn - beta * lnOther : Number.POSITIVE_INFINITY;
        this.sugData[i] = ok[c] === 1 && dOwn <= dOther ? c : best;
      }
    }
  }

  private eligibleLive = (row: number): boolean => this.live[row] === 1;

  private refreshLists(): TreeCounters {
    return this.tree.refreshLists(this.classes.length, this.labels, this.eligibleLive, this.impData, this.candidatesPerClass);
  }

  /** @internal Candidate rows of class c, best first: the cached top list, or null when a full scan is needed. */
  candidateLists(): Int32Array[] {
    this.sync();
    return this.tree.cachedTop(this.classes.length, this.impData, this.candidatesPerClass);
  }

  /** @internal Every live row of class c sorted by importance (exact scan). */
  exactClassOrder(c: number): Int32Array {
    this.sync();
    const rows: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.live[i] === 1 && this.labels[i] === c) rows.push(i);
    return sortRows(Int32Array.from(rows), this.impData);
  }

  private reserve(rows: number): void {
    if (rows <= this.cap) return;
    const cap = Math.max(rows, Math.ceil(this.cap * 1.5));
    const K = this.classes.length;
    const grow = <T extends Float32Array | Float64Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(cap * width);
      next.set(old.subarray(0, this.n * width));
      return next;
    };
    this.A = grow(this.A, (n) => new Float64Array(n), this.p);
    this.labels = grow(this.labels, (n) => new Int32Array(n));
    this.weights = grow(this.weights, (n) => new Float64Array(n));
    this.ids = grow(this.ids, (n) => new Float64Array(n));
    this.live = grow(this.live, (n) => new Uint8Array(n));
    this.seen = grow(this.seen, (n) => new Uint8Array(n));
    this.qData = grow(this.qData, (n) => new Float64Array(n), K);
    this.impData = grow(this.impData, (n) => new Float64Array(n));
    this.outData = grow(this.outData, (n) => new Float64Array(n));
    this.lsData = grow(this.lsData, (n) => new Float64Array(n));
    this.levData = grow(this.levData, (n) => new Float64Array(n));
    this.sugData = grow(this.sugData, (n) => new Int32Array(n));
    this.cap = cap;
  }

  private checkRow(index: number, option: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.n) {
      throw invalidInput(`${option}: row ${String(index)} does not exist (the index has rows 0…${this.n - 1})`, { row: index });
    }
  }

  /** Validate a list of row indices: in range, no duplicates, and (when `mustBeLive`) not removed. */
  private checkRows(indices: ArrayLike<number>, option: string, mustBeLive: boolean): Int32Array {
    const rows = new Int32Array(indices.length);
    const seen = new Set<number>();
    for (let t = 0; t < indices.length; t++) {
      const r = indices[t]!;
      this.checkRow(r, option);
      if (seen.has(r)) throw invalidInput(`${option}: row ${r} is listed twice`, { row: r });
      if (mustBeLive && this.live[r] === 0) throw invalidInput(`${option}: row ${r} was already removed`, { row: r });
      seen.add(r);
      rows[t] = r;
    }
    return rows;
  }
}

/** @internal Normalise a feature input to a flat matrix view. */
export function toMatrix(x: FeatureInput): { rows: number; cols: number; data: ArrayLike<number> } {
  if (Array.isArray(x)) {
    const rowsArr = x as readonly (readonly number[])[];
    const rows = rowsArr.length;
    const cols = rows === 0 ? 0 : rowsArr[0]!.length;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = rowsArr[i]!;
      if (r.length !== cols) throw invalidInput(`X row ${i} has ${r.length} values, row 0 has ${cols}`, { row: i });
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j]!;
    }
    return { rows, cols, data };
  }
  const m = x as { rows: number; cols: number; data: ArrayLike<number> };
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) throw invalidInput(`X has an invalid shape ${m.rows}×${m.cols}`);
  if (m.data.length !== m.rows * m.cols) throw invalidInput(`X data has ${m.data.length} values, expected rows×cols = ${m.rows * m.cols}`);
  return m;
}

/** @internal Map labels to class indices, building the class universe when not given. */
export function mapLabels(labels: LabelInput, rows: number, classes: readonly string[] | undefined, fixed = false): { classes: readonly string[]; y: Int32Array } {
  if (labels.length !== rows) throw invalidInput(`got ${rows} feature rows but ${labels.length} labels`);
  const y = new Int32Array(rows);
  if (classes !== undefined && new Set(classes).size !== classes.length) throw invalidOption("classes", "contains a duplicate class name");
  const names = classes === undefined ? [] : [...classes];
  const lookup = new Map(names.map((n, i) => [n, i] as const));
  let maxInt = -1;
  for (let i = 0; i < rows; i++) {
    const l = labels[i];
    if (typeof l === "string") {
      let c = lookup.get(l);
      if (c === undefined) {
        if (classes !== undefined || fixed) throw invalidInput(`label ${JSON.stringify(l)} of row ${i} is not one of the classes`, { row: i, label: l });
        c = names.length;
        names.push(l);
        lookup.set(l, c);
      }
      y[i] = c;
    } else {
      if (typeof l !== "number" || !Number.isInteger(l) || l < 0) throw invalidInput(`label of row ${i} must be a class name or an index ≥ 0, got ${String(l)}`, { row: i });
      if (classes !== undefined && l >= classes.length) throw invalidInput(`label ${l} of row ${i} is outside the ${classes.length} classes`, { row: i, label: l });
      y[i] = l;
      maxInt = Math.max(maxInt, l);
    }
  }
  if (classes === undefined && names.length === 0) for (let c = 0; c <= maxInt; c++) names.push(String(c));
  return { classes: names, y };
}

function readIds(ids: ArrayLike<number> | undefined, rows: number, taken: Set<number>, first: number): Float64Array {
  if (ids === undefined) return Float64Array.from({ length: rows }, (_, i) => first + i);
  if (ids.length !== rows) throw invalidInput(`got ${rows} rows but ${ids.length} ids`);
  const out = new Float64Array(rows);
  const seen = new Set<number>();
  for (let i = 0; i < rows; i++) {
    const id = ids[i]!;
    if (!Number.isSafeInteger(id) || id < 0) throw invalidInput(`id of row ${i} must be an integer ≥ 0, got ${String(id)}`, { row: i });
    if (seen.has(id) || taken.has(id)) throw invalidInput(`id ${id} of row ${i} is not unique`, { row: i, id });
    seen.add(id);
    out[i] = id;
  }
  return out;
}

function readWeights(weights: ArrayLike<number> | undefined, rows: number): Float64Array {
  if (weights === undefined) return new Float64Array(rows).fill(1);
  if (weights.length !== rows) throw invalidInput(`got ${rows} rows but ${weights.length} weights`);
  const w = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = weights[i]!;
    if (!(v > 0) || !Number.isFinite(v)) throw invalidInput(`weight of row ${i} must be a finite number > 0, got ${String(v)}`, { row: i });
    w[i] = v;
  }
  return w;
}

/**
 * Apply m queued Sherman–Morrison terms to the cached score matrix in one pass over the rows:
 * Q[i, cls_t] += coef_t·(u_tᵀa_i)² for every listed row i (`rows` = a list, or a count meaning 0…count−1;
 * live rows only when `live` is given).
 * `U` is m×p row-major.
 */
function applyCorrections(
  A: Float64Array,
  live: Uint8Array | null,
  rows: Int32Array | number,
  p: number,
  U: Float64Array,
  coef: Float64Array,
  cls: Int32Array,
  m: number,
  Q: Float64Array,
  K: number,
): void {
  const count = typeof rows === "number" ? rows : rows.length;
  const at = (t0: number) => (typeof rows === "number" ? t0 : rows[t0]!);
  // Live rows, gathered so the kernel can take them four at a time (each U entry then feeds 4 rows).
  const list = new Int32Array(count);
  let k = 0;
  for (let t0 = 0; t0 < count; t0++) {
    const i = at(t0);
    if (live === null || live[i] === 1) list[k++] = i;
  }
  correctionKernel(A, list, k, p, U, coef, cls, m, Q, K);
}

/** The kernel of {@link applyCorrections} over the first `k` rows of `list` (monomorphic typed-array arguments). */
function correctionKernel(A: Float64Array, list: Int32Array, k: number, p: number, U: Float64Array, coef: Float64Array, cls: Int32Array, m: number, Q: Float64Array, K: number): void {
  let b = 0;
  for (; b + 3 < k; b += 4) {
    const i0 = list[b]!;
    const i1 = list[b + 1]!;
    const i2 = list[b + 2]!;
    const i3 = list[b + 3]!;
    const o0 = i0 * p;
    const o1 = i1 * p;
    const o2 = i2 * p;
    const o3 = i3 * p;
    for (let t = 0; t < m; t++) {
      const uo = t * p;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < p; j++) {
        const u = U[uo + j]!;
        s0 += A[o0 + j]! * u;
        s1 += A[o1 + j]! * u;
        s2 += A[o2 + j]! * u;
        s3 += A[o3 + j]! * u;
      }
      const c = cls[t]!;
      const f = coef[t]!;
      Q[i0 * K + c]! += f * s0 * s0;
      Q[i1 * K + c]! += f * s1 * s1;
      Q[i2 * K + c]! += f * s2 * s2;
      Q[i3 * K + c]! += f * s3 * s3;
    }
  }
  for (; b < k; b++) {
    const i = list[b]!;
    const o = i * p;
    for (let t = 0; t < m; t++) {
      const uo = t * p;
      let s = 0;
      for (let j = 0; j < p; j++) s += A[o + j]! * U[uo + j]!;
      Q[i * K + cls[t]!]! += coef[t]! * s * s;
    }
  }
}

/** Row indices of each class among rows [0, rows), ascending. */
function classMembers(labels: Int32Array, rows: number, K: number): Int32Array[] {
  const counts = new Int32Array(K);
  for (let i = 0; i < rows; i++) counts[labels[i]!]!++;
  const out = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(K);
  for (let i = 0; i < rows; i++) {
    const c = labels[i]!;
    out[c]![fill[c]!++] = i;
  }
  return out;
}
