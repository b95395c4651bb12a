/**
 * The iterative cleaning loop of the coreset spec (section 6.2): each round every arm picks `perClass`
 * unseen rows per (current) class, a simulated reviewer relabels the true errors among them, and a
 * multinomial logistic regression trained on the current labels is scored on the clean test set.
 *
 * Arms (same budget per round):
 * - `leverage-balanced` / `leverage-dataheroes`: `importantSamples(index, { classSize })` of a
 *   `CoresetIndex` (presets `balanced` and `dataheroes`); fixes go back through `index.relabel`
 *   (incremental rank-one updates, no rebuild);
 * - `random`: seeded uniform choice among the unseen rows of each class;
 * - `confident-learning`: lowest self-confidence p̂(current label) from 5-fold cross-validated
 *   probabilities on the current labels, refitted every round.
 */
import { AssayError, type Float32Matrix } from "@assay/core";
import { CoresetIndex, importantSamples, type Preset } from "@assay/coreset";
import { columnMeans, columnVariances, createRng, crossValPredictProba, fitLogisticRegression, macroRocAucOvr } from "@assay/math";
import type { CleaningData } from "./features.js";

/** The arms of the experiment. */
export type ArmName = "leverage-balanced" | "leverage-dataheroes" | "random" | "confident-learning";

/** Every arm, in table order. */
export const ALL_ARMS: readonly ArmName[] = ["leverage-balanced", "leverage-dataheroes", "confident-learning", "random"];

/** Options of {@link runCleaningLoop}. */
export interface CleaningOptions {
  /** Review rounds (default 5). */
  rounds?: number;
  /** Rows reviewed per class per round (default 20). */
  perClass?: number;
  /** Arms to run (default {@link ALL_ARMS}). */
  arms?: readonly ArmName[];
  /** Seed of the random arm and of the cross-validation folds (default 0). */
  seed?: number;
  /** Inverse L2 strength of every logistic regression (default 1). */
  C?: number;
  /** Folds of the confident-learning arm (default 5). */
  folds?: number;
  /**
   * Leverage arms: after each round compare the incrementally edited index with a fresh build on the
   * current labels (same frozen preprocessing and λ_c) and record the largest difference (default false).
   */
  verifyIncremental?: boolean;
  /** Skip the per-round test-set evaluation (only errors fixed are recorded; default false). */
  skipEvaluation?: boolean;
  /** Called after every round of every arm. */
  onRound?: (record: RoundRecord) => void;
}

/** One arm after one round (round 0 = before any review). */
export interface RoundRecord {
  arm: ArmName;
  round: number;
  /** Rows reviewed this round / so far. */
  reviewed: number;
  reviewedTotal: number;
  /** True errors fixed this round / so far. */
  fixed: number;
  fixedTotal: number;
  /** Label errors left in the training set. */
  remaining: number;
  /** Clean-test accuracy and macro one-vs-rest AUROC of the LR on the current labels (NaN when skipped). */
  accuracy: number;
  auroc: number;
  /** Milliseconds to choose the rows (CL: includes the cross-validated refit). */
  selectMs: number;
  /** Milliseconds to absorb the reviewer's edits (leverage arms: `index.relabel`). */
  updateMs: number;
  /**
   * With `verifyIncremental`, leverage arms: max over rows of |importance − fresh build's| / max(1, |fresh|);
   * otherwise NaN.
   */
  freshBuildDiff: number;
}

/** What {@link runCleaningLoop} returns. */
export interface CleaningResult {
  rows: number;
  testRows: number;
  dims: number;
  classes: string[];
  noise: string;
  initialErrors: number;
  rounds: number;
  perClass: number;
  seed: number;
  /** Milliseconds to build each leverage index. */
  buildMs: Partial<Record<ArmName, number>>;
  records: RoundRecord[];
}

/** Per-column train mean and 1/std, applied to train and test alike (the LR sees standardised features). */
function standardizer(train: Float32Matrix): (m: Float32Matrix) => Float32Matrix {
  const mean = columnMeans(train);
  const variance = columnVariances(train, 0);
  const d = train.cols;
  return (m) => {
    const data = new Float32Array(m.rows * d);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < d; j++) {
        const s = Math.sqrt(variance[j]!);
        data[i * d + j] = (m.data[i * d + j]! - mean[j]!) / (s > 0 ? s : 1);
      }
    }
    return { rows: m.rows, cols: d, data };
  };
}

function countErrors(labels: Int32Array, truth: Int32Array): number {
  let errors = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== truth[i]) errors++;
  return errors;
}

/** Chooses this round's rows for one arm. */
type Selector = (labels: Int32Array, seen: Uint8Array) => Int32Array;

/** Rows of each class (by current label) among the unseen ones, ordered by `key` ascending (ties: lower row). */
function lowestPerClass(labels: Int32Array, seen: Uint8Array, k: number, perClass: number, key: (row: number) => number): Int32Array {
  const picked: number[] = [];
  for (let c = 0; c < k; c++) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c && !seen[i]) rows.push(i);
    rows.sort((a, b) => key(a) - key(b) || a - b);
    picked.push(...rows.slice(0, perClass));
  }
  return Int32Array.from(picked);
}

/**
 * Run the cleaning loop on one data set for every requested arm. Deterministic for a fixed seed.
 * @throws AssayError `INVALID_OPTION` for non-positive rounds/perClass or an unknown arm; `INVALID_INPUT`
 *   when the data's shapes disagree
 */
export function runCleaningLoop(data: CleaningData, options: CleaningOptions = {}): CleaningResult {
  const rounds = options.rounds ?? 5;
  const perClass = options.perClass ?? 20;
  const seed = options.seed ?? 0;
  const C = options.C ?? 1;
  const folds = options.folds ?? 5;
  const arms = options.arms ?? ALL_ARMS;
  for (const [name, value] of [["rounds", rounds], ["perClass", perClass]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new AssayError("INVALID_OPTION", `${name} must be a positive integer, got ${value}`, { details: { option: name } });
  }
  for (const arm of arms) {
    if (!ALL_ARMS.includes(arm)) throw new AssayError("INVALID_OPTION", `unknown arm ${JSON.stringify(arm)}; expected one of ${ALL_ARMS.join(", ")}`, { details: { option: "arms" } });
  }
  const { train, test, truth, noisy, testLabels, classes } = data;
  const n = train.rows;
  const k = classes.length;
  if (noisy.length !== n || truth.length !== n || testLabels.length !== test.rows || test.cols !== train.cols) {
    throw new AssayError("INVALID_INPUT", `shapes disagree: train ${n}×${train.cols}, ${noisy.length} labels, ${truth.length} true labels, test ${test.rows}×${test.cols}, ${testLabels.length} test labels`);
  }
  const scale = standardizer(train);
  const trainZ = scale(train);
  const testZ = scale(test);

  const evaluate = (labels: Int32Array): { accuracy: number; auroc: number } => {
    if (options.skipEvaluation) return { accuracy: Number.NaN, auroc: Number.NaN };
    const model = fitLogisticRegression(trainZ, labels, { C, classes: k });
    const probs = model.predictProba(testZ);
    let correct = 0;
    for (let i = 0; i < probs.rows; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs.data[i * k + c]! > probs.data[i * k + best]!) best = c;
      if (best === testLabels[i]) correct++;
    }
    return { accuracy: correct / probs.rows, auroc: macroRocAucOvr(probs, testLabels) };
  };

  const initialErrors = countErrors(noisy, truth);
  const baseline = evaluate(noisy);
  const records: RoundRecord[] = [];
  const buildMs: Partial<Record<ArmName, number>> = {};
  const emit = (record: RoundRecord): void => {
    records.push(record);
    options.onRound?.(record);
  };

  for (const arm of arms) {
    const labels = Int32Array.from(noisy);
    const seen = new Uint8Array(n);
    let select: Selector;
    let apply: (rows: Int32Array, targets: Int32Array) => void = (rows, targets) => {
      for (let j = 0; j < rows.length; j++) labels[rows[j]!] = targets[j]!;
    };
    let verify: () => number = () => Number.NaN;
    if (arm === "leverage-balanced" || arm === "leverage-dataheroes") {
      const preset: Preset = arm === "leverage-balanced" ? "balanced" : "dataheroes";
      const started = performance.now();
      const index = CoresetIndex.build(train, noisy, { preset, classes });
      buildMs[arm] = performance.now() - started;
      const request = Object.fromEntries(classes.map((name) => [name, perClass]));
      select = () => Int32Array.from(importantSamples(index, { classSize: request }), (s) => s.index);
      const plain = apply;
      apply = (rows, targets) => {
        if (rows.length > 0) index.relabel(rows, targets);
        plain(rows, targets);
      };
      if (options.verifyIncremental) {
        verify = () => {
          const fresh = CoresetIndex.build(train, labels, { preset, classes, preprocessing: index.preprocessing, lambdas: index.lambdas() });
          const a = index.importanceScores();
          const b = fresh.importanceScores();
          let worst = 0;
          for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
          return worst;
        };
      }
    } else if (arm === "random") {
      const rng = createRng(seed);
      select = (current, unseen) => {
        const r = new Float64Array(n);
        for (let i = 0; i < n; i++) r[i] = rng.random();
        return lowestPerClass(current, unseen, k, perClass, (i) => r[i]!);
      };
    } else {
      select = (current, unseen) => {
        const probs = crossValPredictProba(trainZ, current, { folds, seed, C, numClasses: k });
        return lowestPerClass(current, unseen, k, perClass, (i) => probs.data[i * k + current[i]!]!);
      };
    }
    emit({ arm, round: 0, reviewed: 0, reviewedTotal: 0, fixed: 0, fixedTotal: 0, remaining: initialErrors, ...baseline, selectMs: 0, updateMs: 0, freshBuildDiff: Number.NaN });

    let reviewedTotal = 0;
    let fixedTotal = 0;
    for (let round = 1; round <= rounds; round++) {
      const t0 = performance.now();
      const rows = select(labels, seen);
      const selectMs = performance.now() - t0;
      const wrong: number[] = [];
      for (const row of rows) {
        if (seen[row]) throw new AssayError("INVALID_INPUT", `arm ${arm} returned row ${row} twice`);
        seen[row] = 1;
        if (labels[row] !== truth[row]) wrong.push(row);
      }
      const fixRows = Int32Array.from(wrong);
      const targets = Int32Array.from(wrong, (row) => truth[row]!);
      const t1 = performance.now();
      apply(fixRows, targets);
      const updateMs = performance.now() - t1;
      reviewedTotal += rows.length;
      fixedTotal += wrong.length;
      emit({
        arm,
        round,
        reviewed: rows.length,
        reviewedTotal,
        fixed: wrong.length,
        fixedTotal,
        remaining: countErrors(labels, truth),
        ...evaluate(labels),
        selectMs,
        updateMs,
        freshBuildDiff: verify(),
      });
    }
  }
  return { rows: n, testRows: test.rows, dims: train.cols, classes, noise: data.noise, initialErrors, rounds, perClass, seed, buildMs, records };
}

/** Format a result as one fixed-width table: a row per round per arm (plus "vs fresh" when verified). */
export function renderTable(result: CleaningResult): string {
  const verified = result.records.some((r) => !Number.isNaN(r.freshBuildDiff));
  const header = ["arm", "round", "reviewed", "fixed", "left", "precision", "test acc", "macro AUROC", "select ms", "update ms", ...(verified ? ["vs fresh"] : [])];
  const lines = result.records.map((r) => [
    r.arm,
    String(r.round),
    String(r.reviewedTotal),
    String(r.fixedTotal),
    String(r.remaining),
    r.reviewedTotal === 0 ? "-" : (r.fixedTotal / r.reviewedTotal).toFixed(3),
    Number.isNaN(r.accuracy) ? "-" : r.accuracy.toFixed(4),
    Number.isNaN(r.auroc) ? "-" : r.auroc.toFixed(4),
    r.selectMs.toFixed(0),
    r.updateMs.toFixed(1),
    ...(verified ? [Number.isNaN(r.freshBuildDiff) ? "-" : r.freshBuildDiff.toExponential(1)] : []),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ");
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n");
}
