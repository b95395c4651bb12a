import { createRng, hashUniform, largestRemainder } from "@assay/math";
import type { CoresetIndex } from "./coreset-index.js";
import { intOption, invalidOption } from "./options.js";

/** Options of {@link sampleCoreset}. */
export interface CoresetOptions {
  /** Total number of rows m to keep. */
  size: number;
  /**
   * `"priority"` (default): priority sampling, no duplicates, unbiased weights, exactly mergeable;
   * `"multinomial"`: draws with replacement ∝ σ (DataHeroes/Huggins style), unbiased;
   * `"top"`: the top rows by σ with their own weights (DataHeroes cleaning mode), biased.
   */
  method?: "priority" | "multinomial" | "top";
  /** Mix α of the uniform distribution into the sensitivities (default 0). */
  uniformMix?: number;
  /** Seed of the priorities / draws (default 0). */
  seed?: number;
  /** Rows guaranteed per non-empty class when size ≥ K·minPerClass (default 1). */
  minPerClass?: number;
}

/** A weighted coreset. */
export interface Coreset {
  /** Kept row indices, ascending. */
  indices: Int32Array;
  /** Weight of each kept row (same order). */
  weights: Float64Array;
  /** Rows kept per class name. */
  perClass: Record<string, number>;
  /** False for `"top"`, whose weights do not give unbiased sums. */
  unbiased: boolean;
}

/**
 * Per-row sampling sensitivity σ_i = 2·w_i/W_c + h_i (h = within-class leverage), optionally mixed
 * with uniform: σ ← (1−α)·σ/S_c + α·w/W_c. Removed rows get 0. Also returns the class totals W_c, S_c.
 */
export function sensitivities(index: CoresetIndex, uniformMix = 0): { sigma: Float64Array; W: Float64Array; S: Float64Array } {
  if (!(uniformMix >= 0 && uniformMix <= 1)) throw invalidOption("uniformMix", `must be in [0, 1], got ${String(uniformMix)}`);
  const K = index.classes.length;
  const W = Float64Array.from(index.stats, (s) => s.W);
  const sigma = new Float64Array(index.size);
  const S = new Float64Array(K);
  for (let i = 0; i < index.size; i++) {
    if (index.live[i] === 0) continue;
    const c = index.labels[i]!;
    const s = (2 * index.weights[i]!) / W[c]! + index.leverage[i]!;
    sigma[i] = s;
    S[c]! += s;
  }
  if (uniformMix > 0) {
    const S2 = new Float64Array(K);
    for (let i = 0; i < index.size; i++) {
      if (index.live[i] === 0) continue;
      const c = index.labels[i]!;
      const s = ((1 - uniformMix) * sigma[i]!) / S[c]! + (uniformMix * index.weights[i]!) / W[c]!;
      sigma[i] = s;
      S2[c]! += s;
    }
    S.set(S2);
  }
  return { sigma, W, S };
}

/**
 * Rows per class: largest-remainder rounding of m·T_c/ΣT with T_c = W_c·S_c, at least `minPerClass`
 * per non-empty class when m ≥ K·minPerClass (taken from the largest), and classes that would get
 * their whole membership kept whole with the surplus redistributed by the same rule.
 */
export function allocateCoreset(totals: ArrayLike<number>, counts: ArrayLike<number>, m: number, minPerClass: number): Int32Array {
  const K = totals.length;
  const alloc = new Int32Array(K);
  const full = new Uint8Array(K);
  let nonEmpty = 0;
  let available = 0;
  for (let c = 0; c < K; c++) {
    if (counts[c]! > 0) nonEmpty++;
    else full[c] = 1;
    available += counts[c]!;
  }
  let remaining = Math.min(m, available);
  let first = true;
  while (remaining > 0) {
    const open: number[] = [];
    for (let c = 0; c < K; c++) if (full[c] === 0) open.push(c);
    if (open.length === 0) break;
    const add = largestRemainder(
      open.map((c) => totals[c]!),
      remaining,
    );
    if (first && m >= nonEmpty * minPerClass) {
      for (let t = 0; t < open.length; t++) {
        while (add[t]! < minPerClass) {
          let donor = -1;
          for (let s = 0; s < open.length; s++) if (add[s]! > minPerClass && (donor < 0 || add[s]! > add[donor]!)) donor = s;
          if (donor < 0) break;
          add[donor]!--;
          add[t]!++;
        }
      }
    }
    first = false;
    let surplus = 0;
    for (let t = 0; t < open.length; t++) {
      const c = open[t]!;
      const want = alloc[c]! + add[t]!;
      if (want >= counts[c]!) {
        surplus += want - counts[c]!;
        alloc[c] = counts[c]!;
        full[c] = 1;
      } else alloc[c] = want;
    }
    remaining = surplus;
  }
  return alloc;
}

/**
 * Draw a weighted coreset of `size` rows whose weighted loss tracks the full loss. Per class it keeps
 * `m_c` rows (see {@link allocateCoreset}). Priority sampling runs through the chunk tree (each leaf
 * keeps its top m_c+1 priorities per class, parents merge), which gives exactly the one-shot answer.
 */
export function sampleCoreset(index: CoresetIndex, options: CoresetOptions): Coreset {
  const m = intOption("size", options.size, 0);
  const method = options.method ?? "priority";
  if (method !== "priority" && method !== "multinomial" && method !== "top") throw invalidOption("method", `must be "priority", "multinomial" or "top", got ${JSON.stringify(method)}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw invalidOption("seed", `must be a finite number, got ${String(seed)}`);
  const minPerClass = intOption("minPerClass", options.minPerClass ?? 1, 0);
  const K = index.classes.length;
  const { sigma, W, S } = sensitivities(index, options.uniformMix ?? 0);
  const counts = index.classCounts();
  const totals = Float64Array.from(W, (w, c) => w * S[c]!);
  const mc = allocateCoreset(totals, counts, m, minPerClass);
  const kept = new Map<number, number>();
  const whole = (c: number) => mc[c]! >= counts[c]!;
  for (let i = 0; i < index.size; i++) if (index.live[i] === 1 && whole(index.labels[i]!)) kept.set(i, index.weights[i]!);

  if (method === "priority" || method === "top") {
    const key = new Float64Array(index.size);
    for (let i = 0; i < index.size; i++) {
      if (index.live[i] === 0) continue;
      key[i] = method === "top" ? sigma[i]! : sigma[i]! / hashUniform(seed, index.ids[i]!);
    }
    const kPer = Int32Array.from(mc, (k, c) => (whole(c) || k === 0 ? 0 : k + 1));
    const eligible = (r: number) => index.live[r] === 1;
    const lists = index.tree.topPerClass(K, index.labels, eligible, key, kPer);
    for (let c = 0; c < K; c++) {
      if (whole(c) || mc[c] === 0) continue;
      const list = lists[c]!;
      const k = mc[c]!;
      const tau = method === "priority" && list.length > k ? key[list[k]!]! : 0;
      for (let t = 0; t < Math.min(k, list.length); t++) {
        const r = list[t]!;
        const w = index.weights[r]!;
        kept.set(r, method === "priority" ? w * Math.max(1, tau / sigma[r]!) : w);
      }
    }
  } else {
    const rng = createRng(seed);
    const members: number[][] = Array.from({ length: K }, () => []);
    for (let i = 0; i < index.size; i++) if (index.live[i] === 1) members[index.labels[i]!]!.push(i);
    for (let c = 0; c < K; c++) {
      if (whole(c) || mc[c] === 0) continue;
      const rows = members[c]!;
      const cum = new Float64Array(rows.length);
      let acc = 0;
      for (let t = 0; t < rows.length; t++) cum[t] = acc += sigma[rows[t]!]!;
      const k = mc[c]!;
      for (let draw = 0; draw < k; draw++) {
        const u = rng.random() * acc;
        let lo = 0;
        let hi = rows.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cum[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        const r = rows[lo]!;
        const prob = sigma[r]! / acc;
        kept.set(r, (kept.get(r) ?? 0) + index.weights[r]! / (k * prob));
      }
    }
  }
  const indices = Int32Array.from([...kept.keys()].sort((a, b) => a - b));
  const weights = Float64Array.from(indices, (r) => kept.get(r)!);
  const perClass: Record<string, number> = {};
  for (const c of index.classes) perClass[c] = 0;
  for (const r of indices) perClass[index.classes[index.labels[r]!]!]!++;
  return { indices, weights, perClass, unbiased: method !== "top" };
}

/**
 * DataHeroes' default coreset size heuristic K·(19·(d+2)·ln K + ln n), clipped to [1%, 30%] of n
 * (K ≥ 2), for parity runs only: it is usually far too large when d is in the hundreds.
 */
export function suggestCoresetSize(n: number, d: number, K: number): number {
  const k = Math.max(2, K);
  const raw = k * (19 * (d + 2) * Math.log(k) + Math.log(Math.max(1, n)));
  return Math.round(Math.min(0.3 * n, Math.max(0.01 * n, raw)));
}
