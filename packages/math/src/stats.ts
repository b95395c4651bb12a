import { invalidInput, invalidOption } from "./errors.js";

/*
 * Descriptive statistics over plain number sequences, computed in float64 and matching numpy/scipy
 * defaults. NaN propagates (a NaN input gives a NaN result) exactly as in numpy; filter first with
 * `dropNaN` when NaN means "missing".
 */

/** The values of `x` that are not NaN, as a new Float64Array. */
export function dropNaN(x: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!)) n++;
  const out = new Float64Array(n);
  let o = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isNaN(v)) out[o++] = v;
  }
  return out;
}

/** Sum with pairwise summation (numpy's algorithm, blocks of 8), float64. */
export function sum(x: ArrayLike<number>): number {
  return pairwise(x, 0, x.length);
}

function pairwise(x: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let s = 0;
    for (let i = start; i < start + n; i++) s += x[i]!;
    return s;
  }
  if (n <= 128) {
    // numpy: eight interleaved accumulators, combined pairwise.
    let r0 = x[start]!, r1 = x[start + 1]!, r2 = x[start + 2]!, r3 = x[start + 3]!;
    let r4 = x[start + 4]!, r5 = x[start + 5]!, r6 = x[start + 6]!, r7 = x[start + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const o = start + i;
      r0 += x[o]!; r1 += x[o + 1]!; r2 += x[o + 2]!; r3 += x[o + 3]!;
      r4 += x[o + 4]!; r5 += x[o + 5]!; r6 += x[o + 6]!; r7 += x[o + 7]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += x[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(x, start, n2) + pairwise(x, start + n2, n - n2);
}

/** Arithmetic mean (NaN for an empty input, like numpy). */
export function mean(x: ArrayLike<number>): number {
  return x.length === 0 ? Number.NaN : sum(x) / x.length;
}

/** Variance `Σ(x − mean)² / (n − ddof)`; NaN when `n − ddof ≤ 0`. Default ddof 0 (numpy). */
export function variance(x: ArrayLike<number>, ddof = 0): number {
  const n = x.length;
  if (n - ddof <= 0) return Number.NaN;
  const mu = mean(x);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mu;
    sq[i] = d * d;
  }
  return sum(sq) / (n - ddof);
}

/** Standard deviation `sqrt(variance(x, ddof))`. Default ddof 0 (numpy). */
export function std(x: ArrayLike<number>, ddof = 0): number {
  return Math.sqrt(variance(x, ddof));
}

function allEqual(x: ArrayLike<number>): boolean {
  const first = x[0]!;
  for (let i = 1; i < x.length; i++) if (x[i] !== first) return false;
  return true;
}

function centralMoments(x: ArrayLike<number>): { m2: number; m3: number; m4: number } {
  const n = x.length;
  const mu = mean(x);
  const d2 = new Float64Array(n);
  const d3 = new Float64Array(n);
  const d4 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mu;
    const s = d * d;
    d2[i] = s;
    d3[i] = s * d;
    d4[i] = s * s;
  }
  return { m2: sum(d2) / n, m3: sum(d3) / n, m4: sum(d4) / n };
}

/**
 * Sample skewness `m3 / m2^1.5` from biased central moments (scipy.stats.skew defaults,
 * `bias=True`). Returns 0 when all values are equal (scipy returns NaN there) and NaN for an empty
 * input or any NaN.
 */
export function skew(x: ArrayLike<number>): number {
  if (x.length === 0) return Number.NaN;
  if (allEqual(x)) return 0;
  const { m2, m3 } = centralMoments(x);
  return m3 / Math.pow(m2, 1.5);
}

/**
 * Excess (Fisher) kurtosis `m4 / m2² − 3` from biased central moments (scipy.stats.kurtosis
 * defaults). Returns 0 when all values are equal (scipy returns NaN there) and NaN for an empty
 * input or any NaN.
 */
export function kurtosis(x: ArrayLike<number>): number {
  if (x.length === 0) return Number.NaN;
  if (allEqual(x)) return 0;
  const { m2, m4 } = centralMoments(x);
  return m4 / (m2 * m2) - 3;
}

function sortedCopy(x: ArrayLike<number>): Float64Array | null {
  const s = Float64Array.from(x as ArrayLike<number>);
  for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i]!)) return null;
  s.sort();
  return s;
}

/** How {@link quantile} picks a value between two order statistics (numpy's `method`). */
export type QuantileMethod = "linear" | "lower" | "higher" | "midpoint" | "nearest";

function quantileSorted(s: Float64Array, q: number, method: QuantileMethod): number {
  const n = s.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = s[lo]!;
  const b = s[hi]!;
  switch (method) {
    case "lower":
      return a;
    case "higher":
      return h === lo ? a : b;
    case "nearest": {
      // numpy rounds the virtual index half to even.
      const frac = h - lo;
      const up = frac > 0.5 || (frac === 0.5 && lo % 2 === 1);
      return up ? b : a;
    }
    case "midpoint":
    case "linear": {
      let t = h - lo;
      if (method === "midpoint") t = t === 0 ? 0 : 0.5;
      // numpy's _lerp: a + (b−a)·t, computed from the upper end when t ≥ 0.5.
      const diff = b - a;
      return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }
    default:
      throw invalidOption("quantile", "method", `must be linear, lower, higher, midpoint or nearest, got ${String(method)}`);
  }
}

function checkQ(fn: string, q: number): void {
  if (!(q >= 0 && q <= 1)) throw invalidInput(fn, `quantile ${q} must be in [0, 1]`);
}

/**
 * The q-th quantile (q in [0, 1]) like `numpy.quantile`, default `method: "linear"`: with the values
 * sorted, virtual index `h = (n−1)·q`, interpolate between `x[floor h]` and `x[floor h + 1]`.
 * NaN when any value is NaN or the input is empty.
 */
export function quantile(x: ArrayLike<number>, q: number, method: QuantileMethod = "linear"): number {
  checkQ("quantile", q);
  if (x.length === 0) return Number.NaN;
  const s = sortedCopy(x);
  return s === null ? Number.NaN : quantileSorted(s, q, method);
}

/** Several quantiles at once (one sort). Same semantics as {@link quantile}. */
export function quantiles(x: ArrayLike<number>, qs: ArrayLike<number>, method: QuantileMethod = "linear"): Float64Array {
  for (let i = 0; i < qs.length; i++) checkQ("quantiles", qs[i]!);
  const out = new Float64Array(qs.length);
  const s = x.length === 0 ? null : sortedCopy(x);
  for (let i = 0; i < qs.length; i++) out[i] = s === null ? Number.NaN : quantileSorted(s, qs[i]!, method);
  return out;
}

/** The p-th percentile (p in [0, 100]) like `numpy.percentile`: `quantile(x, p / 100)`. */
export function percentile(x: ArrayLike<number>, p: number, method: QuantileMethod = "linear"): number {
  return quantile(x, p / 100, method);
}

/** Median like numpy: the middle value, or the mean of the two middle values for an even count. */
export function median(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return Number.NaN;
  const s = sortedCopy(x);
  if (s === null) return Number.NaN;
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Median absolute deviation `median(|x − median(x)|)`, unscaled (multiply by 1.4826 for a normal σ). */
export function mad(x: ArrayLike<number>): number {
  const med = median(x);
  const dev = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dev[i] = Math.abs(x[i]! - med);
  return median(dev);
}

/** Mean absolute deviation from the median, `mean(|x − median(x)|)`. */
export function meanAbsoluteDeviation(x: ArrayLike<number>): number {
  const med = median(x);
  const dev = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dev[i] = Math.abs(x[i]! - med);
  return mean(dev);
}

/**
 * Standard scores `(x − mean) / std(x, ddof)` like `scipy.stats.zscore`. When the std is 0 every
 * score is NaN (0/0), as in scipy.
 */
export function zscore(x: ArrayLike<number>, ddof = 0): Float64Array {
  const mu = mean(x);
  const s = std(x, ddof);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - mu) / s;
  return out;
}

/** What {@link modifiedZscore} divides by when the MAD is 0. */
export type ZeroMadRule = "one" | "meanAbsoluteDeviation" | "nan";

/**
 * Modified z-scores `0.6745 · (x − median) / MAD` (Iglewicz & Hoaglin), signed.
 *
 * When MAD = 0 (more than half the values equal the median) the divisor follows `zeroMad`:
 * - `"one"` (default): divide by 1, as DataEval's outlier linter does;
 * - `"meanAbsoluteDeviation"`: divide by `mean(|x − median|)` instead;
 * - `"nan"`: every score is NaN.
 * If the chosen divisor is still 0 all values equal the median and every score is 0.
 */
export function modifiedZscore(x: ArrayLike<number>, zeroMad: ZeroMadRule = "one"): Float64Array {
  const med = median(x);
  let scale = mad(x);
  const out = new Float64Array(x.length);
  if (scale === 0) {
    if (zeroMad === "nan") return out.fill(Number.NaN);
    if (zeroMad === "one") scale = 1;
    else if (zeroMad === "meanAbsoluteDeviation") scale = meanAbsoluteDeviation(x);
    else throw invalidOption("modifiedZscore", "zeroMad", `must be "one", "meanAbsoluteDeviation" or "nan", got ${String(zeroMad)}`);
    if (scale === 0) return out;
  }
  for (let i = 0; i < x.length; i++) out[i] = (0.6745 * (x[i]! - med)) / scale;
  return out;
}

/** Tukey fences from {@link iqrBounds}. */
export interface IqrBounds {
  q1: number;
  q3: number;
  iqr: number;
  /** `q1 − k·iqr` */
  lower: number;
  /** `q3 + k·iqr` */
  upper: number;
}

/**
 * Tukey fences: quartiles Q1, Q3 (numpy quantile `method`, default linear), IQR = Q3 − Q1, and the
 * bounds `Q1 − k·IQR`, `Q3 + k·IQR` (default k = 1.5). Pass `method: "midpoint"` for DataEval's
 * linter rule.
 */
export function iqrBounds(x: ArrayLike<number>, k = 1.5, method: QuantileMethod = "linear"): IqrBounds {
  const [q1, q3] = quantiles(x, [0.25, 0.75], method) as unknown as [number, number];
  const iqr = q3 - q1;
  return { q1, q3, iqr, lower: q1 - k * iqr, upper: q3 + k * iqr };
}

/**
 * Shannon entropy of a distribution like `scipy.stats.entropy(p, base=base)`: `p` is normalised to
 * sum 1 first, zero entries contribute 0, natural log unless `base` is given. NaN when `p` sums to 0.
 *
 * @throws AssayError `INVALID_INPUT` on a negative or NaN entry.
 */
export function entropy(p: ArrayLike<number>, base?: number): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0)) throw invalidInput("entropy", `probability ${v} at index ${i} is negative or NaN`, { index: i });
    total += v;
  }
  if (total === 0) return Number.NaN;
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const q = p[i]! / total;
    if (q > 0) h -= q * Math.log(q);
  }
  if (base !== undefined) h /= Math.log(base);
  return h;
}

/** Counts and edges from {@link histogram}. */
export interface Histogram {
  /** `counts[i]` = values in `[edges[i], edges[i+1])`; the last bin also holds values equal to its right edge. */
  counts: Int32Array;
  /** Bin edges, length `bins + 1`. */
  edges: Float64Array;
}

/**
 * `numpy.histogram`: `bins` equal-width bins over `range` (default `[min, max]` of `x`, widened by
 * ±0.5 when min = max), or explicit monotonic `edges`. Bins are half-open except the last, which
 * includes its right edge; values outside the range and NaN (with an explicit range) are dropped.
 * Computed in float64 (numpy computes float32 input in float32, which can move values that sit
 * exactly on an edge).
 *
 * @throws AssayError `INVALID_INPUT` for NaN/Inf without an explicit range, `INVALID_OPTION` for a bad
 * bin count or range.
 */
export function histogram(x: ArrayLike<number>, bins: number | ArrayLike<number> = 10, range?: readonly [number, number]): Histogram {
  if (typeof bins !== "number") return histogramEdges(x, Float64Array.from(bins));
  if (!Number.isInteger(bins) || bins < 1) throw invalidOption("histogram", "bins", `must be a positive integer, got ${bins}`);
  let first: number;
  let last: number;
  if (range !== undefined) {
    [first, last] = range;
    if (!(Number.isFinite(first) && Number.isFinite(last) && first <= last)) {
      throw invalidOption("histogram", "range", `must be finite with min ≤ max, got [${first}, ${last}]`);
    }
  } else if (x.length === 0) {
    first = 0;
    last = 1;
  } else {
    first = Infinity;
    last = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) throw invalidInput("histogram", `autodetected range is not finite: value ${v} at index ${i}`, { index: i });
      if (v < first) first = v;
      if (v > last) last = v;
    }
  }
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  // numpy.linspace(first, last, bins + 1): i·step + first, last edge set exactly.
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  const counts = new Int32Array(bins);
  const denom = last - first;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= first && v <= last)) continue;
    let b = Math.trunc(((v - first) / denom) * bins);
    if (b === bins) b--;
    if (v < edges[b]!) b--;
    else if (b !== bins - 1 && v >= edges[b + 1]!) b++;
    counts[b]!++;
  }
  return { counts, edges };
}

function histogramEdges(x: ArrayLike<number>, edges: Float64Array): Histogram {
  if (edges.length < 2) throw invalidOption("histogram", "bins", "needs at least two edges");
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i]! >= edges[i - 1]!)) throw invalidOption("histogram", "bins", "edges must increase monotonically");
  }
  const nb = edges.length - 1;
  const counts = new Int32Array(nb);
  const lo = edges[0]!;
  const hi = edges[nb]!;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= lo && v <= hi)) continue;
    if (v === hi) {
      counts[nb - 1]!++;
      continue;
    }
    // last edge index e with edges[e] ≤ v (searchsorted right − 1)
    let a = 0;
    let b = nb;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (edges[mid]! <= v) a = mid;
      else b = mid - 1;
    }
    counts[a]!++;
  }
  return { counts, edges };
}

/**
 * Indices that sort `x`, stable: equal values keep their original order (lower index first), in
 * both directions. NaN sorts last in both directions (numpy puts NaN last ascending).
 */
export function argsortStable(x: ArrayLike<number>, descending = false): Int32Array {
  const n = x.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const sign = descending ? -1 : 1;
  idx.sort((a, b) => {
    const va = x[a]!;
    const vb = x[b]!;
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb);
    if (na || nb) return na && nb ? a - b : na ? 1 : -1;
    if (va !== vb) return va < vb ? -sign : sign;
    return a - b;
  });
  return idx;
}

/**
 * The standard normal CDF Φ(x) (scipy.stats.norm.cdf), accurate to ~1e-15 relative: a positive-term
 * series for erf near 0 and a continued fraction for erfc in the tails.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = x / Math.SQRT2;
  if (z < -1) return 0.5 * erfcPositive(-z);
  if (z > 1) return 1 - 0.5 * erfcPositive(z);
  return 0.5 + 0.5 * erfSeries(z);
}

/** erf(z) = 2/√π · e^{−z²} Σ 2ⁿ z^{2n+1} / (1·3·…·(2n+1)): all terms positive, no cancellation. */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let total = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z2) / (2 * n + 1);
    total += term;
    if (Math.abs(term) < 1e-17 * Math.abs(total)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-z2) * total;
}

/** erfc(z) for z ≥ 1 by the continued fraction e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), modified Lentz. */
function erfcPositive(z: number): number {
  if (z > 27) return 0;
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let i = 1; i < 500; i++) {
    const a = i / 2;
    d = z + a * d;
    d = d === 0 ? tiny : d;
    c = z + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}
