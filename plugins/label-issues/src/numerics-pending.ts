/**
 * Generic numerics this package needs that @assay/math does not provide (yet). Candidates to move there.
 * @module
 */

/** numpy `round`: round half to even (0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → −0). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Mark the `count` smallest of `values` (ties → lower position first, i.e. the first `count` of a stable
 * ascending argsort). Calls `mark(position)` for each chosen position, in no particular order.
 * Expected O(n) via quickselect on a copy.
 */
export function markSmallestStable(values: ArrayLike<number>, count: number, mark: (position: number) => void): void {
  const n = values.length;
  if (count <= 0 || n === 0) return;
  if (count >= n) {
    for (let i = 0; i < n; i++) mark(i);
    return;
  }
  const work = Float64Array.from(values as ArrayLike<number>);
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

/** Positions of `values` sorted ascending, ties → lower position first (a stable argsort). */
export function argsortStableAsc(values: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  return Int32Array.from(idx);
}

/** Inverse of a small dense square matrix (row-major) by Gauss–Jordan elimination with partial pivoting. */
export function invertSquare(m: ArrayLike<number>, size: number): Float64Array {
  const a = Float64Array.from(m as ArrayLike<number>);
  const inv = new Float64Array(size * size);
  for (let i = 0; i < size; i++) inv[i * size + i] = 1;
  for (let c = 0; c < size; c++) {
    let p = c;
    for (let r = c + 1; r < size; r++) if (Math.abs(a[r * size + c]!) > Math.abs(a[p * size + c]!)) p = r;
    const pv = a[p * size + c]!;
    if (pv === 0) return inv.fill(Number.NaN);
    if (p !== c) {
      for (let j = 0; j < size; j++) {
        let t = a[c * size + j]!;
        a[c * size + j] = a[p * size + j]!;
        a[p * size + j] = t;
        t = inv[c * size + j]!;
        inv[c * size + j] = inv[p * size + j]!;
        inv[p * size + j] = t;
      }
    }
    for (let j = 0; j < size; j++) {
      a[c * size + j]! /= pv;
      inv[c * size + j]! /= pv;
    }
    for (let r = 0; r < size; r++) {
      if (r === c) continue;
      const f = a[r * size + c]!;
      if (f === 0) continue;
      for (let j = 0; j < size; j++) {
        a[r * size + j]! -= f * a[c * size + j]!;
        inv[r * size + j]! -= f * inv[c * size + j]!;
      }
    }
  }
  return inv;
}

/** Standard normal cumulative distribution function Φ(x) (erfc-based, ~1e-15 relative accuracy). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Complementary error function (W. J. Cody's rational approximations, double precision). */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.5) {
    const t = x * x;
    const top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return 1 - (x * top) / bot;
  }
  if (ax < 4) {
    const top =
      (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax +
        298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax +
      1230.33935479799725;
    const bot =
      (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax +
        3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    r = top / bot;
  } else {
    const z = 1 / (ax * ax);
    const top = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z +
      0.0160837851487422766) * z + 0.000658749161529837803;
    const bot = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z +
      0.00233520497626869185;
    r = (0.564189583547756287 - (z * top) / bot) / ax;
  }
  const xsq = Math.trunc(ax * 16) / 16;
  const del = (ax - xsq) * (ax + xsq);
  r *= Math.exp(-xsq * xsq) * Math.exp(-del);
  return x < 0 ? 2 - r : r;
}
