/**
 * `scope: "local"` (spec 5.7, v2): a DataHeroes-style merge-and-reduce tree for data that does not fit
 * in memory. Rows stream in chunk by chunk; each leaf scores its chunk against the chunk's own class
 * statistics and keeps its top `nodeSize` rows per class; a parent scores the union of its children's
 * kept rows against the union's statistics and keeps the top `nodeSize·1.1^level` per class. Only the
 * kept rows (with their features) and the exact global class statistics (a sum over leaves, O(K·p²))
 * stay in memory. A query collects the kept rows of the heads, descends up to 4 levels while a
 * requested class has too few candidates, and rescores the candidates against the exact global
 * statistics. Selection is lossy per level (unlike the global-scope {@link CoresetIndex}, whose answers
 * are exact at any chunk size); the error grows with the depth of the tree.
 * @module
 */
import { CoresetIndex, mapLabels, toMatrix, type FeatureInput, type LabelInput } from "./coreset-index.js";
import { intOption, invalidInput, invalidOption, type Preset } from "./options.js";
import { accumulateGramLower } from "@assay/math";
import { assertFiniteRows, augmentRows, fitPreprocessing, type Preprocessing } from "./preprocess.js";
import { importantSamples, type ImportantOptions, type ImportantSample } from "./query.js";

/** Options of {@link LocalCoresetTree}. */
export interface LocalTreeOptions {
  /** Rows per leaf (default 8192). */
  chunkSize?: number;
  /** Rows kept per class by a leaf; a node at level L keeps round(nodeSize·1.1^L) (default 256). */
  nodeSize?: number;
  /** Importance preset / β, ridge ρ, minimum class size: as for {@link CoresetIndex.build}. */
  preset?: Preset;
  beta?: number;
  ridge?: number;
  minClassSize?: number;
  /** Project onto this many principal axes when the input is wider (default 128), fitted on the first batch. */
  maxDim?: number;
  /** The class universe (required when labels are indices that do not all occur in the first batch). */
  classes?: readonly string[];
  /** A frozen preprocessing to use instead of fitting one on the first batch. */
  preprocessing?: Preprocessing;
}

/** A node of the local tree: the rows it kept, with what is needed to rescore them. */
export interface LocalNode {
  readonly level: number;
  readonly children: readonly [LocalNode, LocalNode] | null;
  /** Global row indices of the kept rows. */
  readonly rows: Int32Array;
  /** Their input features (rows × inputDim, float64), labels and weights. */
  readonly x: Float64Array;
  readonly y: Int32Array;
  readonly w: Float64Array;
}

/** Options of {@link LocalCoresetTree.important}: those of {@link importantSamples} plus the descent limit. */
export interface LocalImportantOptions extends Omit<ImportantOptions, "restrictTo" | "filter"> {
  /** Levels below the heads a query may descend to find enough candidates (default 4). */
  maxDescend?: number;
}

/** The local-scope coreset tree. Build with {@link LocalCoresetTree.build} or stream with {@link LocalCoresetTree.append}. */
export class LocalCoresetTree {
  readonly chunkSize: number;
  readonly nodeSize: number;
  readonly classes: readonly string[];
  private readonly settings: { beta?: number; preset?: Preset; ridge?: number; minClassSize?: number };
  private pre: Preprocessing | null;
  private readonly maxDim: number;
  private headList: LocalNode[] = [];
  private buffer: { x: number[]; y: number[]; w: number[]; rows: number[] } = { x: [], y: [], w: [], rows: [] };
  private bufferNode: LocalNode | null = null;
  private total = 0;
  private readonly seen = new Set<number>();
  /** Exact global statistics: Σ w·a·aᵀ (lower triangle), W and n per class. */
  private G: Float64Array[] = [];
  private W: Float64Array;
  private N: Float64Array;

  private constructor(classes: readonly string[], options: LocalTreeOptions) {
    this.classes = classes;
    this.chunkSize = intOption("chunkSize", options.chunkSize ?? 8192, 1);
    this.nodeSize = intOption("nodeSize", options.nodeSize ?? 256, 1);
    this.maxDim = options.maxDim ?? 128;
    if (!(this.maxDim >= 1)) throw invalidOption("maxDim", `must be ≥ 1 or Infinity, got ${String(this.maxDim)}`);
    this.settings = { beta: options.beta, preset: options.preset, ridge: options.ridge, minClassSize: options.minClassSize };
    this.pre = options.preprocessing ?? null;
    this.W = new Float64Array(classes.length);
    this.N = new Float64Array(classes.length);
  }

  /** Build a local tree over X (streamed through it chunk by chunk). */
  static build(x: FeatureInput, labels: LabelInput, options: LocalTreeOptions & { weights?: ArrayLike<number> } = {}): LocalCoresetTree {
    const m = toMatrix(x);
    const { classes } = mapLabels(labels, m.rows, options.classes);
    const tree = new LocalCoresetTree(classes, options);
    tree.append(m, labels, options.weights);
    return tree;
  }

  /** Rows streamed in so far. */
  get size(): number {
    return this.total;
  }

  /** The heads (unpaired roots), left to right, excluding the open buffer leaf. */
  get heads(): readonly LocalNode[] {
    return this.headList;
  }

  /** Height of the tallest head. */
  get depth(): number {
    return this.headList.reduce((d, h) => Math.max(d, h.level), 0);
  }

  /** Live row count per class (exact, from the global statistics). */
  classCounts(): Int32Array {
    return Int32Array.from(this.N);
  }

  /**
   * Stream rows in (features in the input space, labels from the class universe). Full chunks become
   * leaves at once and merge up the binary counter; the remainder waits in the buffer leaf. The
   * preprocessing is fitted on the first batch unless one was given.
   */
  append(x: FeatureInput, labels: LabelInput, weights?: ArrayLike<number>): void {
    const { rows, cols, data } = toMatrix(x);
    if (rows === 0) return;
    assertFiniteRows(data, rows, cols);
    const { y } = mapLabels(labels, rows, this.classes, true);
    const w = new Float64Array(rows).fill(1);
    if (weights !== undefined) {
      if (weights.length !== rows) throw invalidInput(`got ${rows} rows but ${weights.length} weights`);
      for (let i = 0; i < rows; i++) {
        const v = weights[i]!;
        if (!(v > 0) || !Number.isFinite(v)) throw invalidInput(`weight of row ${i} must be a finite number > 0, got ${String(v)}`, { row: i });
        w[i] = v;
      }
    }
    if (this.pre === null) this.pre = fitPreprocessing(data, rows, cols, w, this.maxDim);
    if (cols !== this.pre.inputDim) throw invalidInput(`rows have ${cols} columns, the tree was started with ${this.pre.inputDim}`);
    this.accumulate(data, rows, y, w);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) this.buffer.x.push(data[i * cols + j]!);
      this.buffer.y.push(y[i]!);
      this.buffer.w.push(w[i]!);
      this.buffer.rows.push(this.total++);
      if (this.buffer.y.length === this.chunkSize) this.sealBuffer();
    }
    this.bufferNode = null;
  }

  /** The most important rows (global row indices) by the rescoring described in the module notes. */
  important(options: LocalImportantOptions = {}): ImportantSample[] {
    const maxDescend = intOption("maxDescend", options.maxDescend ?? 4, 0);
    const K = this.classes.length;
    const need = new Float64Array(K);
    for (const [name, n] of Object.entries(options.classSize ?? {})) {
      const c = this.classes.indexOf(name);
      if (c < 0) throw invalidOption("classSize", `names unknown class ${JSON.stringify(name)}; known classes: ${this.classes.slice(0, 20).join(", ")}`, { class: name });
      need[c] = intOption(`classSize.${name}`, n, 0);
    }
    const extra = options.size ?? 0;
    const ignoreSeen = options.ignoreSeen ?? true;
    let frontier: LocalNode[] = [...this.headList];
    const buffered = this.bufferLeaf();
    if (buffered !== null) frontier.push(buffered);
    const picked = new Map<number, { x: Float64Array; y: number; w: number }>();
    const have = new Float64Array(K);
    const add = (node: LocalNode) => {
      const d = this.pre!.inputDim;
      for (let t = 0; t < node.rows.length; t++) {
        const r = node.rows[t]!;
        if (picked.has(r) || (ignoreSeen && this.seen.has(r))) continue;
        picked.set(r, { x: node.x.subarray(t * d, (t + 1) * d), y: node.y[t]!, w: node.w[t]! });
        have[node.y[t]!]!++;
      }
    };
    for (const node of frontier) add(node);
    const enough = () => {
      let short = 0;
      for (let c = 0; c < K; c++) if (have[c]! < need[c]! && have[c]! < this.N[c]!) short++;
      return short === 0 && picked.size >= extra;
    };
    for (let level = 0; level < maxDescend && !enough(); level++) {
      const next: LocalNode[] = [];
      for (const node of frontier) if (node.children !== null) next.push(...node.children);
      if (next.length === 0) break;
      for (const node of next) add(node);
      frontier = next;
    }
    const ids = [...picked.keys()].sort((a, b) => a - b);
    if (ids.length === 0) return [];
    const d = this.pre!.inputDim;
    const x = new Float64Array(ids.length * d);
    ids.forEach((r, t) => x.set(picked.get(r)!.x, t * d));
    const index = CoresetIndex.build({ rows: ids.length, cols: d, data: x }, Int32Array.from(ids, (r) => picked.get(r)!.y), {
      ...this.common(),
      weights: Float64Array.from(ids, (r) => picked.get(r)!.w),
      statistics: { G: this.G, W: this.W, n: this.N },
    });
    const { maxDescend: _unused, ...query } = options;
    const out = importantSamples(index, { ...query, ignoreSeen: false, markSeen: false });
    const mapped = out.map((s) => ({ ...s, index: ids[s.index]! }));
    if (options.markSeen ?? true) for (const s of mapped) this.seen.add(s.index);
    return mapped;
  }

  /** Forget every seen mark. */
  resetSeen(): void {
    this.seen.clear();
  }

  private common() {
    return {
      ...this.settings,
      classes: this.classes,
      preprocessing: this.pre!,
      smallClass: "allow" as const,
      chunkSize: Number.MAX_SAFE_INTEGER,
      maxDim: this.maxDim,
    };
  }

  /** Score rows against their own statistics and keep the top `keep` per class. */
  private reduce(x: Float64Array, y: Int32Array, w: Float64Array, rows: Int32Array, level: number, children: readonly [LocalNode, LocalNode] | null): LocalNode {
    const d = this.pre!.inputDim;
    const index = CoresetIndex.build({ rows: rows.length, cols: d, data: x }, y, { ...this.common(), weights: w });
    const keep = Math.round(this.nodeSize * 1.1 ** level);
    const kept: number[] = [];
    for (let c = 0; c < this.classes.length; c++) kept.push(...index.exactClassOrder(c).subarray(0, keep));
    kept.sort((a, b) => a - b);
    const kx = new Float64Array(kept.length * d);
    kept.forEach((t, u) => kx.set(x.subarray(t * d, (t + 1) * d), u * d));
    return {
      level,
      children,
      rows: Int32Array.from(kept, (t) => rows[t]!),
      x: kx,
      y: Int32Array.from(kept, (t) => y[t]!),
      w: Float64Array.from(kept, (t) => w[t]!),
    };
  }

  private sealBuffer(): void {
    const b = this.buffer;
    let node = this.reduce(Float64Array.from(b.x), Int32Array.from(b.y), Float64Array.from(b.w), Int32Array.from(b.rows), 0, null);
    this.buffer = { x: [], y: [], w: [], rows: [] };
    for (;;) {
      const top = this.headList[this.headList.length - 1];
      if (top === undefined || top.level !== node.level) break;
      this.headList.pop();
      const d = this.pre!.inputDim;
      const x = new Float64Array((top.rows.length + node.rows.length) * d);
      x.set(top.x);
      x.set(node.x, top.x.length);
      node = this.reduce(x, concat(top.y, node.y), concatF(top.w, node.w), concat(top.rows, node.rows), node.level + 1, [top, node]);
    }
    this.headList.push(node);
  }

  /** The open buffer leaf, scored on demand and cached until the next append. */
  private bufferLeaf(): LocalNode | null {
    const b = this.buffer;
    if (b.y.length === 0) return null;
    if (this.bufferNode === null) this.bufferNode = this.reduce(Float64Array.from(b.x), Int32Array.from(b.y), Float64Array.from(b.w), Int32Array.from(b.rows), 0, null);
    return this.bufferNode;
  }

  /** Add the rows to the exact global class statistics. */
  private accumulate(data: ArrayLike<number>, rows: number, y: Int32Array, w: Float64Array): void {
    const pre = this.pre!;
    const p = pre.dim + 1;
    const aug = new Float64Array(rows * p);
    augmentRows(pre, data, rows, aug, 0);
    const K = this.classes.length;
    if (this.G.length === 0) this.G = Array.from({ length: K }, () => new Float64Array(p * p));
    const members: number[][] = Array.from({ length: K }, () => []);
    for (let i = 0; i < rows; i++) members[y[i]!]!.push(i);
    for (let c = 0; c < K; c++) {
      const list = members[c]!;
      if (list.length === 0) continue;
      accumulateGramLower(this.G[c]!, p, aug, list, w);
      for (const i of list) this.W[c]! += w[i]!;
      this.N[c]! += list.length;
    }
  }
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function concatF(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
