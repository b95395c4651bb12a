import { AssayError } from "@assay/core";
import { mean, median, quantile, std } from "@assay/math";

/** Outlier methods of DataEval's seed-era `Linter`. */
export type LegacyMethod = "zscore" | "modzscore" | "iqr";

const LEGACY_DEFAULT: Record<LegacyMethod, number> = { zscore: 3, modzscore: 3.5, iqr: 1.5 };

/**
 * DataEval's seed-era `Linter` (image-stats-linter.md §9): for every statistic given as a typed array
 * whose population std is not 0 (plain JS arrays stand for Python lists and are skipped), flag values by
 * `zscore` (|x − mean|/std > t), `modzscore` (0.6745·|x − med|/MAD > t, MAD 0 → 1, the default method)
 * or `iqr` (outside midpoint Q1 − t·IQR … Q3 + t·IQR). A falsy threshold (absent or 0) uses the
 * method's default. Output: `{ index: { stat: value rounded to 2 decimals } }`, indices ascending,
 * stats in input order.
 */
export function legacyLinter(
  stats: Readonly<Record<string, ArrayLike<number>>>,
  options: { method?: LegacyMethod; threshold?: number } = {},
): Record<number, Record<string, number>> {
  const method = options.method ?? "modzscore";
  if (!(method in LEGACY_DEFAULT)) {
    throw new AssayError("INVALID_OPTION", "Outlier method must be 'zscore' 'modzscore' or 'iqr'.", { plugin: "@assay/linter", details: { option: "method" } });
  }
  const t = options.threshold || LEGACY_DEFAULT[method];
  const out: Record<number, Record<string, number>> = {};
  for (const [name, values] of Object.entries(stats)) {
    if (!ArrayBuffer.isView(values)) continue;
    const x = Float64Array.from(values);
    if (x.length === 0 || std(x) === 0) continue;
    let flag: (v: number) => boolean;
    if (method === "zscore") {
      const m = mean(x);
      const s = std(x);
      flag = (v) => Math.abs(v - m) / s > t;
    } else if (method === "modzscore") {
      const med = median(x);
      let mad = median(x.map((v) => Math.abs(v - med)));
      if (mad === 0) mad = 1;
      flag = (v) => (0.6745 * Math.abs(v - med)) / mad > t;
    } else {
      const q1 = quantile(x, 0.25, "midpoint");
      const q3 = quantile(x, 0.75, "midpoint");
      const iqr = q3 - q1;
      flag = (v) => v < q1 - t * iqr || v > q3 + t * iqr;
    }
    x.forEach((v, i) => {
      if (flag(v)) (out[i] ??= {})[name] = Math.round(v * 100) / 100;
    });
  }
  return out;
}
