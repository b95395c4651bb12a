/*
 * Selection and ordering of float arrays: the `count` smallest positions (stable, or in numpy's
 * `argsort` order), quickselect, and numpy 1.24's default (introsort) argsort reproduced exactly.
 */

/**
 * Mark the `count` smallest of `values` (ties → lower position first, i.e. the first `count` of a stable
 * ascending argsort). Calls `mark(position)` for each chosen position, in no particular order.
 * Expected O(n) via quickselect on a copy — in `scratch` when given (at least `values.length` long; a caller
 * that selects many times can pass one buffer instead of allocating a copy per call).
 */
export function markSmallestStable(values: ArrayLike<number>, count: number, mark: (position: number) => void, scratch?: Float64Array): void {
  const n = values.length;
  if (count <= 0 || n === 0) return;
  if (count >= n) {
    for (let i = 0; i < n; i++) mark(i);
    return;
  }
  if (count * 16 <= n) {
    markSmallestHeap(values, count, mark);
    return;
  }
  let work: Float64Array;
  if (scratch !== undefined && scratch.length >= n) {
    work = scratch.subarray(0, n);
    for (let i = 0; i < n; i++) work[i] = values[i] as number;
  } else work = Float64Array.from(values as ArrayLike<number>);
  const pivot = selectKth(work, count - 1);
  let below = 0;
  for (let i = 0; i < n; i++) if ((values[i] as number) < pivot) below++;
  let ties = count - below;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v < pivot) mark(i);
    else if (v === pivot && ties > 0) {
      mark(i);
      ties--;
    }
  }
}

/** The value that would sit at position `k` (0-based) of `a` sorted ascending. Reorders `a`. */
export function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Bounded max-heap variant of {@link markSmallestStable} for small `count` (one pass, O(n log count)). */
function markSmallestHeap(values: ArrayLike<number>, count: number, mark: (position: number) => void): void {
  const hv = new Float64Array(count);
  const hp = new Int32Array(count);
  let size = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (size < count) {
      // sift up; positions only grow, so (v, i) ties rank after existing entries
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (hv[parent]! > v || (hv[parent] === v && hp[parent]! > i)) break;
        hv[c] = hv[parent]!;
        hp[c] = hp[parent]!;
        c = parent;
      }
      hv[c] = v;
      hp[c] = i;
    } else if (v < hv[0]!) {
      // replace the top and sift down
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= count) break;
        const r = l + 1;
        let big = l;
        if (r < count && (hv[r]! > hv[l]! || (hv[r] === hv[l] && hp[r]! > hp[l]!))) big = r;
        if (hv[big]! < v || (hv[big] === v && hp[big]! < i)) break;
        hv[c] = hv[big]!;
        hp[c] = hp[big]!;
        c = big;
      }
      hv[c] = v;
      hp[c] = i;
    }
  }
  for (let j = 0; j < size; j++) mark(hp[j]!);
}

/**
 * numpy's default `argsort` (kind="quicksort") as numpy 1.24 implements it for floats: introsort with
 * median-of-3 pivots, insertion sort below 17 elements and a heapsort fallback. Not stable, but
 * deterministic — reproducing it makes tie order identical to numpy's.
 */
export function numpyArgsort(values: ArrayLike<number>): Int32Array {
  const n = values.length;
  const t = new Int32Array(n);
  for (let i = 0; i < n; i++) t[i] = i;
  if (n < 2) return t;
  const v = values;
  const less = (a: number, b: number) => a < b || (b !== b && a === a);
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = n - 1;
  let cdepth = 2 * (31 - Math.clz32(n));
  for (;;) {
    if (cdepth < 0) {
      heapsortRange(v, t, pl, pr - pl + 1, less);
    } else {
      while (pr - pl > 15) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[t[pm]!] as number, v[t[pl]!] as number)) swap(t, pm, pl);
        if (less(v[t[pr]!] as number, v[t[pm]!] as number)) swap(t, pr, pm);
        if (less(v[t[pm]!] as number, v[t[pl]!] as number)) swap(t, pm, pl);
        const vp = v[t[pm]!] as number;
        let pi = pl;
        let pj = pr - 1;
        swap(t, pm, pj);
        for (;;) {
          do ++pi;
          while (less(v[t[pi]!] as number, vp));
          do --pj;
          while (less(vp, v[t[pj]!] as number));
          if (pi >= pj) break;
          swap(t, pi, pj);
        }
        swap(t, pi, pr - 1);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = t[pi]!;
        const vp = v[vi] as number;
        let pj = pi;
        while (pj > pl && less(vp, v[t[pj - 1]!] as number)) {
          t[pj] = t[pj - 1]!;
          pj--;
        }
        t[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depths.pop()!;
  }
  return t;
}

function swap(t: Int32Array, a: number, b: number): void {
  const x = t[a]!;
  t[a] = t[b]!;
  t[b] = x;
}

function heapsortRange(v: ArrayLike<number>, t: Int32Array, start: number, n: number, less: (a: number, b: number) => boolean): void {
  // 1-based heap over t[start .. start+n-1]
  const a = (i: number) => t[start + i - 1]!;
  const set = (i: number, x: number) => {
    t[start + i - 1] = x;
  };
  for (let l = n >> 1; l > 0; --l) {
    const tmp = a(l);
    let i = l;
    for (let j = l << 1; j <= n; ) {
      if (j < n && less(v[a(j)] as number, v[a(j + 1)] as number)) j += 1;
      if (less(v[tmp] as number, v[a(j)] as number)) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
  for (let m = n; m > 1; ) {
    const tmp = a(m);
    set(m, a(1));
    m -= 1;
    let i = 1;
    for (let j = 2; j <= m; ) {
      if (j < m && less(v[a(j)] as number, v[a(j + 1)] as number)) j++;
      if (less(v[tmp] as number, v[a(j)] as number)) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
}

/**
 * Mark the first `count` positions of numpy's `argsort(values)` (see {@link numpyArgsort}) without sorting
 * in the common case: when no tie straddles the cut-off the set is unambiguous and found by selection;
 * only then is the numpy order reproduced with a full emulated argsort.
 */
export function markSmallestNumpy(values: ArrayLike<number>, count: number, mark: (position: number) => void): void {
  const n = values.length;
  if (count <= 0 || n === 0) return;
  if (count >= n) {
    for (let i = 0; i < n; i++) mark(i);
    return;
  }
  const chosen: number[] = [];
  markSmallestStable(values, count, (i) => chosen.push(i));
  let pivot = -Infinity;
  for (const i of chosen) if ((values[i] as number) > pivot) pivot = values[i] as number;
  let below = 0;
  let equal = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    if (x < pivot) below++;
    else if (x === pivot) equal++;
  }
  if (n <= 16 || below + equal === count) {
    for (const i of chosen) mark(i);
    return;
  }
  const order = numpyArgsort(values);
  for (let r = 0; r < count; r++) mark(order[r]!);
}
