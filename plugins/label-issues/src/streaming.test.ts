import { AssayError } from "@assay/core";
import { describe, expect, it } from "vitest";
import { computeConfidentJoint, estimateJoint, findLabelIssues, numLabelIssues } from "./confident-learning.js";
import { getLabelQualityScores } from "./scores.js";
import { findLabelIssuesChunked, type PredProbsChunk } from "./streaming.js";
import { rankClassesByLabelQuality } from "./summary.js";
import { DATASET_E_FLAGS, datasetE, tiesDataset, where } from "./test-helpers.js";
import { getConfidentThresholds } from "./thresholds.js";
import { FILTER_BY_MODES, type ProbMatrix } from "./types.js";

/** Split a matrix into consecutive row blocks of `size` rows. */
function blocks(P: ProbMatrix, size: number): (pass: number) => PredProbsChunk[] {
  return () => {
    const out: PredProbsChunk[] = [];
    for (let r = 0; r < P.rows; r += size) {
      const rows = Math.min(size, P.rows - r);
      out.push({ rows, cols: P.cols, data: P.data.subarray(r * P.cols, (r + rows) * P.cols) });
    }
    return out;
  };
}

/** Seeded float32 softmax pred_probs with 10% flipped labels. */
function noisy(n: number, K: number, seed: number): { labels: Int32Array; P: ProbMatrix } {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const labels = new Int32Array(n);
  const data = new Float32Array(n * K);
  const w = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(rnd() * K);
    let tot = 0;
    for (let k = 0; k < K; k++) {
      w[k] = Math.exp(1.5 * (rnd() + rnd() + rnd() - 1.5) + (k === t ? 2.5 : 0));
      tot += w[k]!;
    }
    for (let k = 0; k < K; k++) data[i * K + k] = w[k]! / tot;
    labels[i] = rnd() < 0.1 ? Math.floor(rnd() * K) : t;
  }
  return { labels, P: { rows: n, cols: K, data } };
}

describe("findLabelIssuesChunked (low_memory) — LI-10 dataset E", () => {
  const { labels, P } = datasetE();
  for (const size of [1, 5, 48]) {
    it(`every filter_by mode gives the spec's sets (chunks of ${size} rows)`, async () => {
      for (const mode of FILTER_BY_MODES) {
        const r = await findLabelIssuesChunked(labels, blocks(P, size), { numClasses: 3, filterBy: mode });
        expect(where(r.mask), mode).toEqual(DATASET_E_FLAGS[mode]);
        expect(r.passes).toBe(mode.startsWith("prune") || mode === "both" ? 3 : 2);
      }
    });
  }
  it("thresholds, both confident joints, joint, off-diagonal indices and issue counts", async () => {
    const r = await findLabelIssuesChunked(labels, blocks(P, 7), { numClasses: 3 });
    expect(Array.from(r.thresholds).map((v) => +v.toFixed(12))).toEqual([0.435618677407, 0.446133629874, 0.52989629283]);
    expect(Array.from(r.confidentJointUncalibrated)).toEqual([7, 1, 0, 2, 10, 0, 1, 2, 11]);
    expect(Array.from(r.confidentJoint)).toEqual([11, 2, 0, 3, 13, 0, 1, 3, 15]);
    expect(Array.from(r.offDiagonalIndices)).toEqual([2, 12, 17, 27, 32, 42]);
    expect(r.numLabelIssues).toBe(6);
    expect(r.numLabelIssuesCalibrated).toBe(9);
    expect(Array.from(r.joint)).toEqual(Array.from(estimateJoint(labels, P)));
    expect(r.joint[0]).toBeCloseTo(0.229166666667, 11);
    expect(r.tieFallbacks).toBe(0);
    // class health from the streamed joint = the in-memory summary (spec: c, b, a with 0.789474, 0.8125, 0.846154)
    const health = rankClassesByLabelQuality({ joint: r.joint, numExamples: r.numExamples, classNames: ["a", "b", "c"] });
    expect(health.map((h) => h.className)).toEqual(["c", "b", "a"]);
    expect(health.map((h) => +h.labelQualityScore.toFixed(6))).toEqual([0.789474, 0.8125, 0.846154]);
    expect(1 - r.numLabelIssues / r.numExamples).toBe(0.875);
  });
  it("parameter variants and ranked output match the spec", async () => {
    const run = async (o: Parameters<typeof findLabelIssuesChunked>[2]) => findLabelIssuesChunked(labels, blocks(P, 10), o);
    expect(where((await run({ numClasses: 3, minExamplesPerClass: 17 })).mask)).toEqual([2, 32]);
    expect(where((await run({ numClasses: 3, minExamplesPerClass: 16, filterBy: "prune_by_class" })).mask)).toEqual([2, 27, 32]);
    expect(where((await run({ numClasses: 3, fracNoise: 0.5, filterBy: "both" })).mask)).toEqual([12, 17]);
    expect(where((await run({ numClasses: 3, numToRemovePerClass: [1, 2, 0], filterBy: "prune_by_class" })).mask)).toEqual([12, 17, 42]);
    expect(Array.from((await run({ numClasses: 3, returnIndicesRankedBy: "self_confidence" })).rankedIndices!)).toEqual([17, 12, 27, 42, 7, 0, 32, 2]);
    expect(Array.from((await run({ numClasses: 3, returnIndicesRankedBy: "normalized_margin" })).rankedIndices!)).toEqual([12, 27, 17, 42, 7, 2, 0, 32]);
    expect(
      Array.from((await run({ numClasses: 3, returnIndicesRankedBy: "confidence_weighted_entropy" })).rankedIndices!),
    ).toEqual([17, 12, 42, 7, 0, 27, 32, 2]);
    expect(
      Array.from((await run({ numClasses: 3, returnIndicesRankedBy: "self_confidence", rankByKwargs: { adjustPredProbs: true } })).rankedIndices!),
    ).toEqual([27, 17, 12, 42, 7, 0, 32, 2]);
    const withScores = await run({ numClasses: 3, labelQualityScores: "normalized_margin" });
    expect(withScores.labelQualityScores!.reduce((a, b) => a + b, 0)).toBeCloseTo(26.72785009177666, 9);
  });
});

describe("findLabelIssuesChunked equals the in-memory path", () => {
  it("float32 N = 4000, K = 12, every mode, chunk sizes 333 and 4000, async source", async () => {
    const { labels, P } = noisy(4000, 12, 7);
    for (const mode of FILTER_BY_MODES) {
      const mem = findLabelIssues(labels, P, { filterBy: mode, minExamplesPerClass: 10 });
      for (const size of [333, 4000]) {
        const make = blocks(P, size);
        const source = async function* (pass: number) {
          for (const c of make(pass)) yield c;
        };
        const r = await findLabelIssuesChunked(labels, source, { numClasses: 12, filterBy: mode, minExamplesPerClass: 10 });
        expect(r.tieFallbacks).toBe(0);
        expect(where(r.mask), `${mode} ${size}`).toEqual(where(mem));
      }
    }
    const r = await findLabelIssuesChunked(labels, blocks(P, 500), { numClasses: 12, labelQualityScores: "confidence_weighted_entropy" });
    expect(Array.from(r.labelQualityScores!)).toEqual(Array.from(getLabelQualityScores(labels, P, { method: "confidence_weighted_entropy" })));
    expect(Array.from(r.thresholds)).toEqual(Array.from(getConfidentThresholds(labels, P)));
    const cj = computeConfidentJoint(labels, P);
    expect(Array.from(r.confidentJoint)).toEqual(Array.from(cj.joint));
    expect(Array.from(r.offDiagonalIndices)).toEqual(Array.from(cj.offDiagonalIndices));
    expect(r.numLabelIssues).toBe(numLabelIssues(labels, P));
    expect(r.numLabelIssuesCalibrated).toBe(numLabelIssues(labels, P, { estimationMethod: "off_diagonal_calibrated" }));
  });
  it("float32 data with exact ties (cleanlab parity fixture): same sets unless a tie straddles a cut-off, which is counted", async () => {
    const { labels, P } = tiesDataset();
    for (const mode of ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "low_self_confidence"] as const) {
      const mem = where(findLabelIssues(labels, P, { filterBy: mode }));
      const r = await findLabelIssuesChunked(labels, blocks(P, 1000), { numClasses: 20, filterBy: mode });
      const got = where(r.mask);
      if (r.tieFallbacks === 0) expect(got, mode).toEqual(mem);
      else {
        // only the choice among tied examples can differ: same count per class
        expect(got.length, mode).toBe(mem.length);
        expect(mode.startsWith("prune") || mode === "both").toBe(true);
      }
    }
  });
});

describe("findLabelIssuesChunked input errors", () => {
  const { labels, P } = datasetE();
  it("rejects one-shot generators, wrong row totals, changing rows, bad chunk shapes and out-of-range values", async () => {
    function* once() {
      yield P;
    }
    await expect(findLabelIssuesChunked(labels, once(), { numClasses: 3 })).rejects.toMatchObject({ code: "INVALID_INPUT", message: /one-shot/ });
    await expect(findLabelIssuesChunked(labels.subarray(0, 40), [P], { numClasses: 3 })).rejects.toMatchObject({ message: /more than the 40 rows/ });
    await expect(findLabelIssuesChunked(labels, [P.data.subarray(0, 30)], { numClasses: 3 })).rejects.toMatchObject({ message: /yielded 10 rows in pass 1 but labels has 48/ });
    await expect(findLabelIssuesChunked(labels, [P.data.subarray(0, 31)], { numClasses: 3 })).rejects.toMatchObject({ message: /not a multiple of numClasses = 3/ });
    let calls = 0;
    const drifting = () => {
      calls++;
      const d = Float64Array.from(P.data);
      if (calls > 1) [d[0], d[1]] = [d[1]!, d[0]!];
      return [d];
    };
    await expect(findLabelIssuesChunked(labels, drifting, { numClasses: 3 })).rejects.toMatchObject({ message: /different rows in pass 2/ });
    const bad = Float64Array.from(P.data);
    bad[20 * 3 + 1] = Number.NaN;
    await expect(findLabelIssuesChunked(labels, blocks({ rows: 48, cols: 3, data: bad }, 16), { numClasses: 3 })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: /pred_probs\[20\]\[1\] is NaN/,
    });
    await expect(findLabelIssuesChunked(labels, [P], { numClasses: 2 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(findLabelIssuesChunked(labels, [P], { numClasses: 3, filterBy: "nope" as never })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(findLabelIssuesChunked(labels, [P], { numClasses: 3, filterBy: "confident_learning", numToRemovePerClass: 2 })).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
  });
});

/**
 * An async chunk source like a row-slice file reader with a reused buffer: every pass copies `per` rows
 * at a time into one shared array, so a chunk's data is overwritten by the next one.
 */
function reusedSlices(data: Float32Array, cols: number, per: number): (pass: number) => AsyncIterable<PredProbsChunk> {
  const rows = data.length / cols;
  return () => ({
    async *[Symbol.asyncIterator]() {
      const shared = new Float32Array(per * cols);
      for (let r0 = 0; r0 < rows; r0 += per) {
        const r = Math.min(per, rows - r0);
        const view = shared.subarray(0, r * cols);
        view.set(data.subarray(r0 * cols, (r0 + r) * cols));
        await Promise.resolve();
        yield { rows: r, cols, data: view };
      }
    },
  });
}

describe("row-slice sources (the shape of @assay/io's npyRowChunks)", () => {
  it("async slices in one reused buffer, and float16-widened values, give the in-memory result", async () => {
    const { labels, P } = noisy(1500, 5, 3);
    const f32 = P.data as Float32Array;
    const r32 = await findLabelIssuesChunked(labels, reusedSlices(f32, 5, 128), { numClasses: 5 });
    expect(where(r32.mask)).toEqual(where(findLabelIssues(labels, P)));
    // float16: quantise, write, and compare with the in-memory result on the widened values
    const half = new Uint16Array(f32.length);
    const widened = new Float32Array(f32.length);
    for (let i = 0; i < f32.length; i++) {
      // round-to-nearest float16 for values in [0, 1] (normal or subnormal)
      const v = f32[i]!;
      let h: number;
      if (v < 2 ** -14) h = Math.round(v / 2 ** -24);
      else {
        const e = Math.floor(Math.log2(v));
        const m = Math.round((v / 2 ** e - 1) * 1024);
        h = m === 1024 ? ((e + 16) << 10) : ((e + 15) << 10) | m;
      }
      half[i] = h;
      const ex = (h >> 10) & 0x1f;
      const fr = h & 0x3ff;
      widened[i] = ex === 0 ? fr * 2 ** -24 : (1 + fr / 1024) * 2 ** (ex - 15);
    }
    const r16 = await findLabelIssuesChunked(labels, reusedSlices(widened, 5, 100), { numClasses: 5, filterBy: "both" });
    const memP = { rows: 1500, cols: 5, data: widened };
    expect(where(r16.mask)).toEqual(where(findLabelIssues(labels, memP, { filterBy: "both" })));
    expect(Array.from(r16.confidentJoint)).toEqual(Array.from(computeConfidentJoint(labels, memP).joint));
    // a source that fails mid-pass (an unreadable file) rejects with its own error
    const failing = () => ({
      async *[Symbol.asyncIterator]() {
        yield { rows: 1, cols: 5, data: f32.subarray(0, 5) };
        throw new AssayError("IO_ERROR", "p.npy: file is truncated at row 1");
      },
    });
    await expect(findLabelIssuesChunked(labels, failing, { numClasses: 5 })).rejects.toMatchObject({ code: "IO_ERROR" });
  });
});
