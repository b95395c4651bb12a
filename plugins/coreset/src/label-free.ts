import type { CoresetIndex } from "./coreset-index.js";
import { choleskyWithJitter, invertLower, lowerQuadNorm } from "@assay/math";

/**
 * Label-free sampling scores over the index's live rows (removed rows get NaN). They ignore labels
 * entirely, so they can surface feature outliers and serve as sampling distributions, but they
 * **cannot find label errors**.
 *
 * - `"lightweight"` (Bachem et al. 2018): q = ½·1/n + ½·‖z − μ‖²/Σ‖z' − μ‖².
 * - `"rootLeverage"` (Munteanu et al. 2018): √(global leverage of a) + 1/n, with a tiny ridge.
 */
export function labelFreeScores(index: CoresetIndex, kind: "lightweight" | "rootLeverage"): Float64Array {
  const p = index.p;
  const r = p - 1;
  const n = index.size;
  const out = new Float64Array(n).fill(Number.NaN);
  let live = 0;
  for (let i = 0; i < n; i++) if (index.live[i] === 1) live++;
  if (live === 0) return out;
  if (kind === "lightweight") {
    const mean = new Float64Array(r);
    for (let i = 0; i < n; i++) if (index.live[i] === 1) for (let j = 0; j < r; j++) mean[j]! += index.A[i * p + j]!;
    for (let j = 0; j < r; j++) mean[j]! /= live;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (index.live[i] === 0) continue;
      let s = 0;
      for (let j = 0; j < r; j++) {
        const v = index.A[i * p + j]! - mean[j]!;
        s += v * v;
      }
      out[i] = s;
      total += s;
    }
    for (let i = 0; i < n; i++) if (index.live[i] === 1) out[i] = 0.5 / live + (total > 0 ? (0.5 * out[i]!) / total : 0.5 / live);
    return out;
  }
  const G = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    if (index.live[i] === 0) continue;
    const o = i * p;
    for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++) G[a * p + b]! += index.A[o + a]! * index.A[o + b]!;
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) G[b * p + a] = G[a * p + b]!;
  let trace = 0;
  for (let a = 0; a < r; a++) trace += G[a * p + a]!;
  for (let a = 0; a < r; a++) G[a * p + a]! += (1e-9 * trace) / Math.max(1, r);
  const L = choleskyWithJitter(G, p)!;
  const linv = invertLower(L, p);
  const a = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    if (index.live[i] === 0) continue;
    for (let j = 0; j < p; j++) a[j] = index.A[i * p + j]!;
    out[i] = Math.sqrt(Math.max(0, lowerQuadNorm(linv, p, a))) + 1 / live;
  }
  return out;
}
