import { AssayError } from "@assay/core";
import { dropNaN, mean, median, quantile, std } from "@assay/math";

/** The threshold methods of image-stats-linter.md §5. */
export type ThresholdMethod = "zscore" | "modzscore" | "iqr" | "adaptive" | "constant";

/** Default multiplier per method. */
export const DEFAULT_MULTIPLIER: Record<Exclude<ThresholdMethod, "constant">, number> = {
  zscore: 3,
  modzscore: 3.5,
  iqr: 1.5,
  adaptive: 3.5,
};

/** How to derive outlier bounds from a set of values. */
export interface ThresholdSpec {
  method: ThresholdMethod;
  /** Sets both multipliers (default: the method's). */
  multiplier?: number;
  /** Lower-side multiplier; `null` removes the lower bound. */
  lowerMultiplier?: number | null;
  /** Upper-side multiplier; `null` removes the upper bound. */
  upperMultiplier?: number | null;
  /** `lower = max(lower, lowerLimit)`. */
  lowerLimit?: number;
  /** `upper = min(upper, upperLimit)`. */
  upperLimit?: number;
  /** Fixed bounds of the `constant` method. */
  lower?: number;
  upper?: number;
}

/** Bounds derived from one distribution; a value is flagged iff `< lower` or `> upper` (strict). */
export interface Bounds {
  lower: number | null;
  upper: number | null;
  /** Median of the values (NaN ignored), for reporting how far a flagged value is from typical. */
  median: number;
}

const EPS = 1e-12;

function invalid(message: string, option: string): AssayError {
  return new AssayError("INVALID_OPTION", message, { plugin: "@assay/linter", details: { option } });
}

function multipliers(spec: ThresholdSpec): [number | null, number | null] {
  if (spec.method === "constant") return [null, null];
  const base = spec.multiplier ?? DEFAULT_MULTIPLIER[spec.method];
  const lo = spec.lowerMultiplier === undefined ? base : spec.lowerMultiplier;
  const hi = spec.upperMultiplier === undefined ? base : spec.upperMultiplier;
  for (const [name, m] of [["lowerMultiplier", lo], ["upperMultiplier", hi]] as const) {
    if (m !== null && !(m >= 0)) throw invalid(`threshold ${name} must be ≥ 0, got ${m}`, name);
  }
  return [lo, hi];
}

function absDev(x: Float64Array, center: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]! - center);
  return out;
}

function tailFactor(mad: number, dev: Float64Array): number {
  if (mad <= EPS) return 1;
  const p90 = dev.length <= 1 ? 0 : quantile(dev, 0.9);
  const r = p90 / mad / 1.91;
  return 1 + Math.log(1 + Math.max(0, r - 1));
}

function mode(x: Float64Array): number {
  const s = x.slice().sort();
  let best = s[0]!;
  let bestCount = 0;
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j < s.length && s[j] === s[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = s[i]!;
    }
    i = j;
  }
  return best;
}

function adaptive(c: Float64Array, mL: number | null, mR: number | null): [number | null, number | null] {
  if (c.length < 3) return [null, null];
  const med = median(c);
  const left = c.filter((v) => v <= med);
  const right = c.filter((v) => v >= med);
  const devL = absDev(left, med);
  const devR = absDev(right, med);
  let madL = median(devL);
  let madR = median(devR);
  const tfL = tailFactor(madL, devL);
  const tfR = tailFactor(madR, devR);
  if (madL <= EPS || madR <= EPS) {
    const meanAD = mean(absDev(c, med));
    if (meanAD <= EPS) return [null, null];
    if (madL <= EPS && madR <= EPS) {
      const m0 = mode(c);
      const others = c.filter((v) => v !== m0);
      if (others.length > 10) {
        const devN = absDev(others, m0);
        let gap = Number.POSITIVE_INFINITY;
        for (const d of devN) if (d < gap) gap = d;
        if (gap / (meanAD / 0.6745) < 1) {
          const nm = median(devN);
          if (nm > EPS) {
            const spread = (nm / 0.6745) * tailFactor(nm, devN);
            return [mL === null ? null : med - mL * spread, mR === null ? null : med + mR * spread];
          }
        }
      }
    }
    if (madL <= EPS) madL = meanAD;
    if (madR <= EPS) madR = meanAD;
  }
  return [mL === null ? null : med - (mL * tfL * madL) / 0.6745, mR === null ? null : med + (mR * tfR * madR) / 0.6745];
}

/**
 * Outlier bounds of `values` (NaN ignored) by one of DataEval's threshold methods: `zscore` (mean ∓
 * m·std), `modzscore` (median ∓ m·MAD/0.6745), `iqr` (midpoint quartiles ∓ m·IQR), `adaptive`
 * (tail-weighted double MAD) or `constant`. Returns null bounds when the spread is ≤ 1e-12.
 */
export function thresholdBounds(values: ArrayLike<number>, spec: ThresholdSpec): Bounds {
  const x = dropNaN(values);
  const med = x.length > 0 ? median(x) : Number.NaN;
  const [mL, mR] = multipliers(spec);
  let lower: number | null = null;
  let upper: number | null = null;
  if (spec.method === "constant") {
    if (spec.lower === undefined || spec.upper === undefined || !(spec.lower < spec.upper)) {
      throw invalid(`constant threshold needs lower < upper, got (${spec.lower}, ${spec.upper})`, "threshold");
    }
    lower = spec.lower;
    upper = spec.upper;
  } else if (x.length > 0) {
    const side = (center: number, spread: number): [number | null, number | null] => [
      mL === null ? null : center - mL * spread,
      mR === null ? null : center + mR * spread,
    ];
    switch (spec.method) {
      case "zscore": {
        const s = std(x);
        if (s > EPS) [lower, upper] = side(mean(x), s);
        break;
      }
      case "modzscore": {
        let mad = median(absDev(x, med));
        if (mad <= EPS) mad = mean(absDev(x, med));
        if (mad > EPS) [lower, upper] = side(med, mad / 0.6745);
        break;
      }
      case "iqr": {
        const q1 = quantile(x, 0.25, "midpoint");
        const q3 = quantile(x, 0.75, "midpoint");
        const iqr = q3 - q1;
        if (iqr > EPS) {
          lower = mL === null ? null : q1 - mL * iqr;
          upper = mR === null ? null : q3 + mR * iqr;
        }
        break;
      }
      case "adaptive":
        [lower, upper] = adaptive(x, mL, mR);
        break;
      default:
        throw invalid(`unknown threshold method "${String(spec.method)}"; use zscore, modzscore, iqr, adaptive or constant`, "method");
    }
  }
  if (lower !== null && spec.lowerLimit !== undefined) lower = Math.max(lower, spec.lowerLimit);
  if (upper !== null && spec.upperLimit !== undefined) upper = Math.min(upper, spec.upperLimit);
  return { lower, upper, median: med };
}

/** Whether `value` lies outside `bounds` (strict; NaN never flags). */
export function isOutside(value: number, bounds: Bounds): boolean {
  return (bounds.lower !== null && value < bounds.lower) || (bounds.upper !== null && value > bounds.upper);
}

/** Indices of `values` outside the bounds derived from them. */
export function flagOutliers(values: ArrayLike<number>, spec: ThresholdSpec): number[] {
  const b = thresholdBounds(values, spec);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (isOutside(values[i]!, b)) out.push(i);
  return out;
}
