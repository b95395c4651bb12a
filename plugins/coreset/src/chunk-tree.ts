/**
 * The merge-and-reduce tree over chunks of rows (a binary counter over full leaves, like Bentley–Saxe):
 * leaves are consecutive chunks of `chunkSize` rows in insertion order, the last partial chunk is an
 * open buffer leaf, and a parent is formed as soon as two full siblings of the same level exist.
 * Unpaired nodes are the heads; together they cover every row.
 *
 * In global scope every row's score is defined against the global class statistics, so a node's
 * "top k per class" list is exactly the top k of the union of its children's lists. That makes the
 * result of any top-k query independent of the chunk size (the invariant the tests check).
 * @module
 */

/** One tree node: a row range, its level (0 = leaf), its children, and cached per-class lists. */
export interface TreeNode {
  readonly start: number;
  readonly end: number;
  readonly level: number;
  readonly children: readonly [TreeNode, TreeNode] | null;
  /** Cached per-class cleaning lists (row indices, best first), filled by {@link ChunkTree.refreshLists}. */
  lists: Int32Array[] | null;
}

/** Ranking key: larger is better; ties go to the lower row index. */
export type KeyArray = ArrayLike<number>;

/** Counters of the last list refresh. */
export interface TreeCounters {
  leavesRebuilt: number;
  nodesMerged: number;
}

/** The chunk tree. The row data itself lives in the index's flat arrays; nodes reference row ranges. */
export class ChunkTree {
  readonly chunkSize: number;
  private nodes: TreeNode[] = [];
  private headList: TreeNode[] = [];
  private rowCount = 0;

  constructor(chunkSize: number, rows: number) {
    this.chunkSize = chunkSize;
    this.grow(rows);
  }

  /** Number of rows covered. */
  get rows(): number {
    return this.rowCount;
  }

  /** The heads (unpaired roots), left to right. */
  get heads(): readonly TreeNode[] {
    return this.headList;
  }

  /** Number of nodes (leaves and internal). */
  get size(): number {
    return this.nodes.length;
  }

  /** Height of the tallest head (0 when every head is a leaf). */
  get depth(): number {
    let d = 0;
    for (const h of this.headList) d = Math.max(d, h.level);
    return d;
  }

  /** Extend the tree to cover `rows` rows (rows are only ever appended). */
  grow(rows: number): void {
    if (rows < this.rowCount) throw new RangeError("the chunk tree only grows");
    // Drop the open buffer leaf (if any) and rebuild from the first row it covered.
    let from = this.rowCount;
    const last = this.headList[this.headList.length - 1];
    if (last !== undefined && last.level === 0 && last.end - last.start < this.chunkSize) {
      this.headList.pop();
      this.nodes.splice(this.nodes.indexOf(last), 1);
      from = last.start;
    }
    for (let start = from; start < rows; start += this.chunkSize) {
      const end = Math.min(rows, start + this.chunkSize);
      let node: TreeNode = { start, end, level: 0, children: null, lists: null };
      this.nodes.push(node);
      if (end - start < this.chunkSize) {
        this.headList.push(node);
        break;
      }
      for (;;) {
        const top = this.headList[this.headList.length - 1];
        if (top === undefined || top.level !== node.level) break;
        this.headList.pop();
        node = { start: top.start, end: node.end, level: node.level + 1, children: [top, node], lists: null };
        this.nodes.push(node);
      }
      this.headList.push(node);
    }
    this.rowCount = rows;
  }

  /**
   * Recompute the cached per-class lists bottom-up: each leaf ranks its eligible rows per class by
   * `key`, each parent merges its children's lists. Returns the work counters.
   */
  refreshLists(classes: number, classOf: Int32Array, eligible: (row: number) => boolean, key: KeyArray, k: number): TreeCounters {
    const counters: TreeCounters = { leavesRebuilt: 0, nodesMerged: 0 };
    const kPer = new Int32Array(classes).fill(k);
    for (const head of this.headList) this.collect(head, classes, classOf, eligible, key, kPer, true, counters);
    return counters;
  }

  /** Merge the heads' cached lists into one top-k list per class. */
  cachedTop(classes: number, key: KeyArray, k: number): Int32Array[] {
    let acc: Int32Array[] | null = null;
    for (const head of this.headList) {
      const lists = head.lists;
      if (lists === null) throw new Error("chunk tree lists are not built");
      acc = acc === null ? lists : mergeLists(acc, lists, key, new Int32Array(classes).fill(k));
    }
    return acc ?? Array.from({ length: classes }, () => new Int32Array(0));
  }

  /**
   * One-off top-k per class through the tree (nothing cached): leaves rank, parents merge, heads merge.
   * `kPerClass[c]` rows are kept for class c.
   */
  topPerClass(classes: number, classOf: Int32Array, eligible: (row: number) => boolean, key: KeyArray, kPerClass: Int32Array): Int32Array[] {
    const counters: TreeCounters = { leavesRebuilt: 0, nodesMerged: 0 };
    let acc: Int32Array[] | null = null;
    for (const head of this.headList) {
      const lists = this.collect(head, classes, classOf, eligible, key, kPerClass, false, counters);
      acc = acc === null ? lists : mergeLists(acc, lists, key, kPerClass);
    }
    return acc ?? Array.from({ length: classes }, () => new Int32Array(0));
  }

  private collect(
    node: TreeNode,
    classes: number,
    classOf: Int32Array,
    eligible: (row: number) => boolean,
    key: KeyArray,
    kPer: Int32Array,
    store: boolean,
    counters: TreeCounters,
  ): Int32Array[] {
    let lists: Int32Array[];
    if (node.children === null) {
      lists = leafTop(node.start, node.end, classes, classOf, eligible, key, kPer);
      counters.leavesRebuilt++;
    } else {
      const left = this.collect(node.children[0], classes, classOf, eligible, key, kPer, store, counters);
      const right = this.collect(node.children[1], classes, classOf, eligible, key, kPer, store, counters);
      lists = mergeLists(left, right, key, kPer);
      counters.nodesMerged++;
    }
    if (store) node.lists = lists;
    return lists;
  }
}

/** True when row a ranks before row b: larger key first, then lower row index. */
export function ranksBefore(key: KeyArray, a: number, b: number): boolean {
  const ka = key[a]!;
  const kb = key[b]!;
  return ka > kb || (ka === kb && a < b);
}

/** Sort row indices best first by `key` (larger first, ties by lower index). */
export function sortRows(rows: Int32Array, key: KeyArray): Int32Array {
  return rows.sort((a, b) => {
    const ka = key[a]!;
    const kb = key[b]!;
    if (ka > kb) return -1;
    if (ka < kb) return 1;
    return a - b;
  });
}

/** Top `kPer[c]` eligible rows of [start, end) for each class c, best first, via bounded heaps. */
function leafTop(start: number, end: number, classes: number, classOf: Int32Array, eligible: (row: number) => boolean, key: KeyArray, kPer: Int32Array): Int32Array[] {
  const heaps: Int32Array[] = [];
  const sizes = new Int32Array(classes);
  for (let c = 0; c < classes; c++) heaps.push(new Int32Array(Math.max(0, Math.min(kPer[c]!, end - start))));
  for (let i = start; i < end; i++) {
    const c = classOf[i]!;
    if (c < 0 || !eligible(i)) continue;
    const cap = heaps[c]!.length;
    if (cap === 0) continue;
    const heap = heaps[c]!;
    const n = sizes[c]!;
    if (n < cap) {
      heap[n] = i;
      siftUp(heap, n, key);
      sizes[c] = n + 1;
    } else if (ranksBefore(key, i, heap[0]!)) {
      heap[0] = i;
      siftDown(heap, cap, 0, key);
    }
  }
  const out: Int32Array[] = [];
  for (let c = 0; c < classes; c++) out.push(sortRows(heaps[c]!.slice(0, sizes[c]!), key));
  return out;
}

// A min-heap whose root is the *worst* kept row (the one every other row ranks before).
function worse(key: KeyArray, a: number, b: number): boolean {
  return ranksBefore(key, b, a);
}

function siftUp(heap: Int32Array, pos: number, key: KeyArray): void {
  const item = heap[pos]!;
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    if (!worse(key, item, heap[parent]!)) break;
    heap[pos] = heap[parent]!;
    pos = parent;
  }
  heap[pos] = item;
}

function siftDown(heap: Int32Array, n: number, pos: number, key: KeyArray): void {
  const item = heap[pos]!;
  for (;;) {
    let child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && worse(key, heap[child + 1]!, heap[child]!)) child++;
    if (!worse(key, heap[child]!, item)) break;
    heap[pos] = heap[child]!;
    pos = child;
  }
  heap[pos] = item;
}

/** Merge two per-class best-first lists, keeping `kPer[c]` per class. */
export function mergeLists(a: Int32Array[], b: Int32Array[], key: KeyArray, kPer: Int32Array): Int32Array[] {
  const out: Int32Array[] = [];
  for (let c = 0; c < a.length; c++) {
    const la = a[c]!;
    const lb = b[c]!;
    const k = Math.min(kPer[c]!, la.length + lb.length);
    const m = new Int32Array(k);
    let i = 0;
    let j = 0;
    for (let t = 0; t < k; t++) {
      if (j >= lb.length || (i < la.length && ranksBefore(key, la[i]!, lb[j]!))) m[t] = la[i++]!;
      else m[t] = lb[j++]!;
    }
    out.push(m);
  }
  return out;
}
