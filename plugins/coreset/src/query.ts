import type { CoresetIndex, RowScores } from "./coreset-index.js";
import { ranksBefore } from "./chunk-tree.js";
import { largestRemainder } from "@assay/math";
import { intOption, invalidOption } from "./options.js";

/** Options of {@link importantSamples}. */
export interface ImportantOptions {
  /** Per-class requests `{ className: n }`: the top n eligible rows of each named class. */
  classSize?: Readonly<Record<string, number>>;
  /** Rows to return in addition, from classes not named in `classSize` (all classes when it is absent). */
  size?: number;
  /** How `size` is split: `"global"` (default) takes the top rows across classes; `"fair"` splits ∝ √(eligible count). */
  allocation?: "global" | "fair";
  /** Restrict everything to these classes. */
  classes?: readonly string[];
  /** Skip rows already returned by an earlier query (default true). */
  ignoreSeen?: boolean;
  /** Mark the returned rows as seen (default true). */
  markSeen?: boolean;
  /** Rows never to return. */
  exclude?: ArrayLike<number>;
  /** Only return rows from this set. */
  restrictTo?: ArrayLike<number>;
  /** Only return rows for which this returns true. */
  filter?: (index: number, label: string) => boolean;
  /** `"classMax"`: `normalized = exp(importance − max importance of the class in this result)`; default `"none"`. */
  normalize?: "none" | "classMax";
}

/** One returned row: its scores plus the normalised importance. */
export interface ImportantSample extends RowScores {
  /** `importance`, or its per-class normalisation when `normalize: "classMax"`. */
  normalized: number;
}

/** Iterates the eligible live rows of one class in importance order: cached tree list first, then an exact scan. */
class ClassCursor {
  private list: Int32Array;
  private pos = 0;
  private exact = false;

  constructor(
    private readonly index: CoresetIndex,
    private readonly cls: number,
    candidates: Int32Array,
    private readonly eligible: (row: number) => boolean,
  ) {
    this.list = candidates;
  }

  /** The next eligible row, or −1 when the class is exhausted. Does not advance. */
  peek(): number {
    for (;;) {
      while (this.pos < this.list.length) {
        const r = this.list[this.pos]!;
        if (this.eligible(r)) return r;
        this.pos++;
      }
      // The cached list holds the top `candidatesPerClass` live rows exactly; past it, scan the class.
      if (this.exact || this.list.length < this.index.candidatesPerClass) return -1;
      const full = this.index.exactClassOrder(this.cls);
      this.exact = true;
      this.list = full;
    }
  }

  /** Consume the row returned by {@link peek}. */
  advance(): void {
    this.pos++;
  }
}

/**
 * The most important rows to review, per class and/or overall, sorted by importance (descending, ties
 * by lower row index). Answers equal a brute-force scan of the current data whatever the chunk size.
 * Unknown class names and negative sizes throw `INVALID_OPTION` before anything changes.
 */
export function importantSamples(index: CoresetIndex, options: ImportantOptions = {}): ImportantSample[] {
  const K = index.classes.length;
  const requested = new Map<number, number>();
  for (const [name, n] of Object.entries(options.classSize ?? {})) {
    const c = index.classIndex(name, "classSize");
    requested.set(c, intOption(`classSize.${name}`, n, 0));
  }
  const size = options.size === undefined ? 0 : intOption("size", options.size, 0);
  const allocation = options.allocation ?? "global";
  if (allocation !== "global" && allocation !== "fair") throw invalidOption("allocation", `must be "global" or "fair", got ${JSON.stringify(allocation)}`);
  const normalize = options.normalize ?? "none";
  if (normalize !== "none" && normalize !== "classMax") throw invalidOption("normalize", `must be "none" or "classMax", got ${JSON.stringify(normalize)}`);
  let allowed: Set<number> | null = null;
  if (options.classes !== undefined) allowed = new Set(options.classes.map((n) => index.classIndex(n, "classes")));
  if (allowed !== null) for (const c of requested.keys()) if (!allowed.has(c)) throw invalidOption("classSize", `names class ${JSON.stringify(index.classes[c])}, which is not in "classes"`);

  const ignoreSeen = options.ignoreSeen ?? true;
  const exclude = options.exclude === undefined ? null : new Set(Array.from(options.exclude));
  const restrict = options.restrictTo === undefined ? null : new Set(Array.from(options.restrictTo));
  const filter = options.filter;
  const taken = new Set<number>();
  const eligible = (r: number): boolean =>
    index.live[r] === 1 &&
    !taken.has(r) &&
    !(ignoreSeen && index.seen[r] === 1) &&
    !(exclude !== null && exclude.has(r)) &&
    !(restrict !== null && !restrict.has(r)) &&
    !(filter !== undefined && !filter(r, index.classes[index.labels[r]!]!));

  const lists = index.candidateLists();
  const cursors = new Map<number, ClassCursor>();
  const cursor = (c: number) => {
    let cur = cursors.get(c);
    if (cur === undefined) cursors.set(c, (cur = new ClassCursor(index, c, lists[c]!, eligible)));
    return cur;
  };
  const picked: number[] = [];
  const take = (c: number, n: number) => {
    const cur = cursor(c);
    for (let t = 0; t < n; t++) {
      const r = cur.peek();
      if (r < 0) break;
      cur.advance();
      taken.add(r);
      picked.push(r);
    }
  };
  for (const c of [...requested.keys()].sort((a, b) => a - b)) take(c, requested.get(c)!);

  if (size > 0) {
    const pool: number[] = [];
    for (let c = 0; c < K; c++) if (!requested.has(c) && (allowed === null || allowed.has(c))) pool.push(c);
    if (allocation === "global") {
      for (let t = 0; t < size; t++) {
        let best = -1;
        let bestClass = -1;
        for (const c of pool) {
          const r = cursor(c).peek();
          if (r >= 0 && (best < 0 || ranksBefore(index.importance, r, best))) {
            best = r;
            bestClass = c;
          }
        }
        if (best < 0) break;
        cursor(bestClass).advance();
        taken.add(best);
        picked.push(best);
      }
    } else {
      const counts = new Float64Array(pool.length);
      for (let r = 0; r < index.size; r++) {
        const k = pool.indexOf(index.labels[r]!);
        if (k >= 0 && eligible(r)) counts[k]!++;
      }
      const alloc = fairAllocation(counts, size);
      for (let k = 0; k < pool.length; k++) take(pool[k]!, alloc[k]!);
    }
  }

  picked.sort((a, b) => (ranksBefore(index.importance, a, b) ? -1 : ranksBefore(index.importance, b, a) ? 1 : 0));
  const classMax = new Map<number, number>();
  for (const r of picked) {
    const c = index.labels[r]!;
    const m = classMax.get(c);
    if (m === undefined || index.importance[r]! > m) classMax.set(c, index.importance[r]!);
  }
  const out: ImportantSample[] = picked.map((r) => {
    const s = index.scores(r);
    let normalized = s.importance;
    if (normalize === "classMax") {
      const m = classMax.get(index.labels[r]!)!;
      normalized = m === Number.POSITIVE_INFINITY ? (s.importance === m ? 1 : 0) : Math.exp(s.importance - m);
    }
    return { ...s, normalized };
  });
  if (options.markSeen ?? true) for (const r of picked) index.seen[r] = 1;
  return out;
}

/**
 * Split `size` over classes ∝ √(eligible count) by largest remainder: at least 1 per class with
 * eligible rows (when `size` allows), capped at each class's count, the excess redistributed.
 */
export function fairAllocation(counts: ArrayLike<number>, size: number): Int32Array {
  const k = counts.length;
  const alloc = new Int32Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) total += counts[i]!;
  let remaining = Math.min(size, total);
  while (remaining > 0) {
    const open: number[] = [];
    for (let i = 0; i < k; i++) if (alloc[i]! < counts[i]!) open.push(i);
    const shares = open.map((i) => Math.sqrt(counts[i]!));
    const add = largestRemainder(shares, remaining);
    // At least one per open class when the budget allows: take from the largest allocation.
    if (remaining >= open.length) {
      for (let t = 0; t < open.length; t++) {
        if (add[t]! > 0 || alloc[open[t]!]! > 0) continue;
        let donor = -1;
        for (let s = 0; s < open.length; s++) if (add[s]! > 1 && (donor < 0 || add[s]! > add[donor]!)) donor = s;
        if (donor < 0) break;
        add[donor]!--;
        add[t]!++;
      }
    }
    let given = 0;
    for (let t = 0; t < open.length; t++) {
      const i = open[t]!;
      const g = Math.min(add[t]!, counts[i]! - alloc[i]!);
      alloc[i]! += g;
      given += g;
    }
    remaining -= given;
    if (given === 0) break;
  }
  return alloc;
}
