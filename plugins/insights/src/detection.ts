import { invalidInput, invalidOption } from "./errors.js";

/** The given annotation of one image: boxes `[x1, y1, x2, y2]` and their class indices (dataset-insights §8). */
export interface DetectionLabel {
  bboxes: readonly (readonly number[])[] | ArrayLike<number>;
  labels: ArrayLike<number>;
}

/**
 * The predictions of one image: K arrays (one per class), each M_k rows of `[x1, y1, x2, y2, p]`, as rows
 * or as one flat array of length 5·M_k.
 */
export type DetectionPrediction = readonly (readonly (readonly number[])[] | ArrayLike<number>)[];

/** Constants of the scoring (cleanlab's defaults). */
export const DETECTION_DEFAULTS = Object.freeze({
  alpha: 0.9,
  distanceFactor: 0.1,
  lowProbability: 0.5,
  highProbability: 0.95,
  temperature: 0.1,
  overlapIou: 0.95,
  perBoxFactor: 0.8,
  apScale: 0.25,
});

/** Per-subtype weights of the image score; must be ≥ 0 and sum to 1. */
export interface SubtypeWeights {
  overlooked: number;
  swap: number;
  badloc: number;
}

interface Image {
  lb: Float64Array; // L×4
  lc: Int32Array;
  pb: Float64Array; // M×4
  pp: Float64Array;
  pc: Int32Array;
}

interface Prepared {
  images: Image[];
  K: number;
}

function rowsOf(value: readonly (readonly number[])[] | ArrayLike<number>, width: number, what: string): Float64Array {
  if (ArrayBuffer.isView(value)) {
    const flat = value as unknown as ArrayLike<number>;
    if (flat.length % width !== 0) throw invalidInput(`${what} has ${flat.length} values; expected rows of ${width}`);
    return Float64Array.from(flat);
  }
  const rows = value as readonly (readonly number[])[];
  if (!Array.isArray(rows)) throw invalidInput(`${what} must be a list of rows of ${width} numbers`);
  const out = new Float64Array(rows.length * width);
  rows.forEach((r, j) => {
    if (!Array.isArray(r) || r.length !== width) throw invalidInput(`${what} row ${j} has ${Array.isArray(r) ? r.length : 0} values; expected ${width}`, { row: j });
    for (let c = 0; c < width; c++) {
      const v = r[c]!;
      if (typeof v !== "number" || !Number.isFinite(v)) throw invalidInput(`${what} row ${j} has a non-finite value ${v}`, { row: j });
      out[j * width + c] = v;
    }
  });
  return out;
}

function prepare(labels: readonly DetectionLabel[], predictions: readonly DetectionPrediction[]): Prepared {
  if (!Array.isArray(labels) || !Array.isArray(predictions)) throw invalidInput("labels and predictions must be arrays with one entry per image");
  if (labels.length !== predictions.length) {
    throw invalidInput(`labels has ${labels.length} images but predictions has ${predictions.length}`, { labels: labels.length, predictions: predictions.length });
  }
  if (labels.length === 0) return { images: [], K: 0 };
  const first = labels[0];
  if (typeof first !== "object" || first === null || !("bboxes" in first) || !("labels" in first)) {
    throw invalidInput("labels[0] is not an annotation object { bboxes, labels }");
  }
  const K = predictions[0]!.length;
  const firstArr = predictions[0]![0];
  if (firstArr !== undefined && !ArrayBuffer.isView(firstArr) && Array.isArray(firstArr) && firstArr.length > 0 && (firstArr[0] as readonly number[]).length !== 5) {
    throw invalidInput(`predictions[0][0] has ${(firstArr[0] as readonly number[]).length} columns; each prediction row must be [x1, y1, x2, y2, p]`);
  }
  const images = labels.map((lab, i): Image => {
    if (typeof lab !== "object" || lab === null) throw invalidInput(`labels[${i}] is not an annotation object { bboxes, labels }`, { image: i });
    const lb = rowsOf(lab.bboxes, 4, `labels[${i}].bboxes`);
    const L = lb.length / 4;
    if (lab.labels.length !== L) throw invalidInput(`labels[${i}] has ${L} boxes but ${lab.labels.length} class labels`, { image: i });
    const lc = new Int32Array(L);
    for (let j = 0; j < L; j++) {
      const c = lab.labels[j]!;
      if (!Number.isInteger(c) || c < 0 || c >= K) throw invalidInput(`labels[${i}] box ${j} has class ${c}; expected 0…${K - 1}`, { image: i, box: j });
      lc[j] = c;
      const w = lb[4 * j + 2]! - lb[4 * j]!;
      const h = lb[4 * j + 3]! - lb[4 * j + 1]!;
      if (!(w > 0 && h > 0)) {
        throw invalidInput(`labels[${i}] box ${j} [${Array.from(lb.subarray(4 * j, 4 * j + 4)).join(", ")}] has zero area (x2 must exceed x1 and y2 exceed y1)`, { image: i, box: j });
      }
    }
    const pred = predictions[i]!;
    if (!Array.isArray(pred) || pred.length !== K) throw invalidInput(`predictions[${i}] has ${Array.isArray(pred) ? pred.length : 0} class arrays; expected ${K}`, { image: i });
    const parts = pred.map((arr, k) => rowsOf(arr as readonly (readonly number[])[], 5, `predictions[${i}][${k}]`));
    const M = parts.reduce((s, p) => s + p.length / 5, 0);
    const pb = new Float64Array(M * 4);
    const pp = new Float64Array(M);
    const pc = new Int32Array(M);
    let m = 0;
    parts.forEach((p, k) => {
      for (let r = 0; r < p.length / 5; r++, m++) {
        pb.set(p.subarray(5 * r, 5 * r + 4), 4 * m);
        pp[m] = p[5 * r + 4]!;
        pc[m] = k;
      }
    });
    return { lb, lc, pb, pp, pc };
  });
  return { images, K };
}

/** IoU of boxes `a[ia]` and `b[ib]` (flat `[x1, y1, x2, y2]` arrays). */
function iou(a: Float64Array, ia: number, b: Float64Array, ib: number): number {
  const ax1 = a[4 * ia]!, ay1 = a[4 * ia + 1]!, ax2 = a[4 * ia + 2]!, ay2 = a[4 * ia + 3]!;
  const bx1 = b[4 * ib]!, by1 = b[4 * ib + 1]!, bx2 = b[4 * ib + 2]!, by2 = b[4 * ib + 3]!;
  const xl = Math.max(ax1, bx1), yt = Math.max(ay1, by1), xr = Math.min(ax2, bx2), yb = Math.min(ay2, by2);
  const inter = xr < xl || yb < yt ? 0 : (xr - xl) * (yb - yt);
  const areaA = (ax2 - ax1) * (ay2 - ay1);
  const areaB = (bx2 - bx1) * (by2 - by1);
  return inter / Math.max(areaA + areaB - inter, 1e-6);
}

function similarity(a: Float64Array, ia: number, b: Float64Array, ib: number): number {
  const { alpha, distanceFactor } = DETECTION_DEFAULTS;
  const cax = (a[4 * ia]! + a[4 * ia + 2]!) / 2, cay = (a[4 * ia + 1]! + a[4 * ia + 3]!) / 2;
  const cbx = (b[4 * ib]! + b[4 * ib + 2]!) / 2, cby = (b[4 * ib + 1]! + b[4 * ib + 3]!) / 2;
  const d = Math.hypot(cax - cbx, cay - cby);
  return alpha * iou(a, ia, b, ib) + (1 - alpha) * Math.exp(-distanceFactor * d);
}

/** σ: the smallest non-zero label × prediction similarity over all images (1 when there is none). */
function minSimilarity(images: readonly Image[]): number {
  let s = Infinity;
  for (const im of images) {
    const L = im.lc.length;
    const M = im.pc.length;
    for (let l = 0; l < L; l++) {
      for (let q = 0; q < M; q++) {
        const v = similarity(im.lb, l, im.pb, q);
        if (v > 0 && v < s) s = v;
      }
    }
  }
  return Number.isFinite(s) ? s : 1;
}

/** Per-box subtype scores of one image (NaN where a score does not apply). */
export interface BoxScores {
  /** Per predicted box (flattened in class order). */
  overlooked: number[];
  /** Per label box. */
  badloc: number[];
  /** Per label box. */
  swap: number[];
}

/** Options of the detection scoring functions. */
export interface DetectionScoreOptions {
  /** Score a label box that another label box of a different class covers (IoU ≥ 0.95) as swapped (default true). */
  overlappingLabelCheck?: boolean;
  /** Subtype weights of the image score (default 1/3 each). */
  weights?: SubtypeWeights;
}

function boxScoresOf(im: Image, sigma: number, overlapCheck: boolean): BoxScores {
  const { highProbability: hi, lowProbability: lo, overlapIou } = DETECTION_DEFAULTS;
  const L = im.lc.length;
  const M = im.pc.length;
  const overlooked: number[] = [];
  for (let q = 0; q < M; q++) {
    const p = im.pp[q]!;
    let touches = false;
    for (let l = 0; l < L && !touches; l++) if (iou(im.pb, q, im.lb, l) > 0) touches = true;
    if (p < hi || touches) {
      overlooked.push(Number.NaN);
      continue;
    }
    let best = -Infinity;
    for (let l = 0; l < L; l++) if (im.lc[l] === im.pc[q]) best = Math.max(best, similarity(im.lb, l, im.pb, q));
    overlooked.push(best === -Infinity ? sigma * (1 - p) : best);
  }
  const badloc: number[] = [];
  const swap: number[] = [];
  for (let l = 0; l < L; l++) {
    const k = im.lc[l]!;
    let anyConfident = false;
    let best = -Infinity;
    for (let q = 0; q < M; q++) {
      if (im.pc[q] !== k || !(im.pp[q]! > lo)) continue;
      anyConfident = true;
      if (iou(im.lb, l, im.pb, q) > 0) best = Math.max(best, similarity(im.lb, l, im.pb, q));
    }
    badloc.push(!anyConfident || best === -Infinity ? 1 : best);

    let covered = false;
    if (overlapCheck) {
      for (let o = 0; o < L && !covered; o++) if (o !== l && im.lc[o] !== k && iou(im.lb, l, im.lb, o) >= overlapIou) covered = true;
    }
    if (covered) {
      swap.push(sigma);
      continue;
    }
    let bestOther = -Infinity;
    for (let q = 0; q < M; q++) {
      if (im.pc[q] === k || !(im.pp[q]! > hi)) continue;
      bestOther = Math.max(bestOther, similarity(im.lb, l, im.pb, q));
    }
    swap.push(bestOther === -Infinity ? 1 : Math.max(sigma, 1 - bestOther));
  }
  return { overlooked, badloc, swap };
}

/** Softmin pooling of one subtype's box scores (NaN dropped; nothing left → 1). */
export function softminPool(scores: readonly number[], temperature = DETECTION_DEFAULTS.temperature): number {
  const s = scores.filter((v) => !Number.isNaN(v));
  if (s.length === 0) return 1;
  let max = -Infinity;
  for (const v of s) max = Math.max(max, -v / temperature);
  let z = 0;
  const w = s.map((v) => {
    const e = Math.exp(-v / temperature - max);
    z += e;
    return e;
  });
  let out = 0;
  for (let i = 0; i < s.length; i++) out += (s[i]! * w[i]!) / z;
  return out;
}

function checkWeights(w: SubtypeWeights | undefined): SubtypeWeights {
  if (w === undefined) return { overlooked: 1 / 3, swap: 1 / 3, badloc: 1 / 3 };
  const vals = [w.overlooked, w.swap, w.badloc];
  if (vals.some((v) => !(typeof v === "number" && v >= 0))) throw invalidOption("detection weights must be numbers ≥ 0", { option: "weights" });
  const sum = vals[0]! + vals[1]! + vals[2]!;
  if (Math.abs(sum - 1) > 1e-8 + 1e-5) throw invalidOption(`detection weights must sum to 1 (got ${sum})`, { option: "weights" });
  return w;
}

/** Everything the scoring computes per image. */
export interface DetectionScores {
  /** σ over the whole set. */
  sigma: number;
  boxes: BoxScores[];
  /** Pooled subtype scores per image. */
  pooled: { overlooked: number[]; badloc: number[]; swap: number[] };
  /** Image label quality in [0, 1]; lower = more likely a label issue. */
  imageScores: Float64Array;
}

/**
 * Score every image's annotation (dataset-insights §8, cleanlab `object_detection.rank`): per box the
 * overlooked / badly located / swapped scores, pooled per image by softmin, and the weighted geometric
 * mean as the image score.
 */
export function detectionScores(labels: readonly DetectionLabel[], predictions: readonly DetectionPrediction[], options: DetectionScoreOptions = {}): DetectionScores {
  const { images } = prepare(labels, predictions);
  const w = checkWeights(options.weights);
  const sigma = minSimilarity(images);
  const overlapCheck = options.overlappingLabelCheck ?? true;
  const boxes = images.map((im) => boxScoresOf(im, sigma, overlapCheck));
  const pooled = {
    overlooked: boxes.map((b) => softminPool(b.overlooked)),
    badloc: boxes.map((b) => softminPool(b.badloc)),
    swap: boxes.map((b) => softminPool(b.swap)),
  };
  const imageScores = Float64Array.from(images, (_, i) =>
    Math.exp(
      w.overlooked * Math.log(1e-100 + pooled.overlooked[i]!) + w.swap * Math.log(1e-100 + pooled.swap[i]!) + w.badloc * Math.log(1e-100 + pooled.badloc[i]!),
    ),
  );
  return { sigma, boxes, pooled, imageScores };
}

/** Image indices with score ≤ threshold (default 0.1), lowest score first; threshold > 1 is an error. */
export function detectionIssuesFromScores(scores: ArrayLike<number>, threshold = 0.1): number[] {
  if (!(threshold <= 1)) throw invalidOption(`threshold must be ≤ 1 (got ${threshold})`, { option: "threshold" });
  const out: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! <= threshold) out.push(i);
  return out.sort((a, b) => scores[a]! - scores[b]! || a - b);
}

/**
 * Per-class average precision averaged over IoU thresholds 0.50…0.95 (float32, as cleanlab stores it).
 * Used for the per-class cut-offs of {@link detectionFindLabelIssues}.
 */
export function detectionClassAp(labels: readonly DetectionLabel[], predictions: readonly DetectionPrediction[]): Float64Array {
  const { images, K } = prepare(labels, predictions);
  return meanApOf(images, K);
}

function meanApOf(images: readonly Image[], K: number): Float64Array {
  const eps = 2 ** -23;
  const out = new Float64Array(K);
  const taus = Array.from({ length: 10 }, (_, t) => 0.5 + 0.05 * t);
  for (let k = 0; k < K; k++) {
    let G = 0;
    for (const im of images) for (const c of im.lc) if (c === k) G++;
    let total = 0;
    for (const tau of taus) {
      const pooled: { p: number; tp: number }[] = [];
      for (const im of images) {
        const mine: number[] = [];
        for (let q = 0; q < im.pc.length; q++) if (im.pc[q] === k) mine.push(q);
        mine.sort((a, b) => im.pp[b]! - im.pp[a]! || a - b);
        const boxes: number[] = [];
        for (let l = 0; l < im.lc.length; l++) if (im.lc[l] === k) boxes.push(l);
        const taken = new Uint8Array(boxes.length);
        for (const q of mine) {
          let best = -1;
          let bestIou = -Infinity;
          boxes.forEach((l, j) => {
            const v = iou(im.pb, q, im.lb, l);
            if (v > bestIou) {
              bestIou = v;
              best = j;
            }
          });
          let tp = 0;
          if (best >= 0 && bestIou >= tau && !taken[best]) {
            taken[best] = 1;
            tp = 1;
          }
          pooled.push({ p: im.pp[q]!, tp });
        }
      }
      const order = pooled.map((_, j) => j).sort((a, b) => pooled[b]!.p - pooled[a]!.p || a - b);
      const recall = [0];
      const precision = [0];
      let ctp = 0;
      let cfp = 0;
      for (const j of order) {
        if (pooled[j]!.tp) ctp++;
        else cfp++;
        recall.push(ctp / Math.max(G, eps));
        precision.push(ctp / Math.max(ctp + cfp, eps));
      }
      recall.push(1);
      precision.push(0);
      for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
      let ap = 0;
      for (let i = 0; i + 1 < recall.length; i++) if (recall[i + 1] !== recall[i]) ap += (recall[i + 1]! - recall[i]!) * precision[i + 1]!;
      total += Math.fround(ap);
    }
    out[k] = Math.fround(total / taus.length);
  }
  return out;
}

/** Options of {@link detectionFindLabelIssues}. */
export interface DetectionIssueOptions extends DetectionScoreOptions {
  /** Return flagged image indices by image score ascending instead of a mask (default false). */
  rankByScore?: boolean;
}

/** Result of {@link detectionFindLabelIssues} with its intermediate numbers. */
export interface DetectionIssues {
  /** Per image: 1 when any box of any subtype is at or below its class cut-off. */
  mask: Uint8Array;
  /** Flagged images by image score ascending. */
  ranked: number[];
  /** Per class `θ_k = 0.25 · mean AP_k`. */
  thresholds: number[];
  /** Per image, which subtypes fired. */
  subtypes: { overlooked: boolean; badloc: boolean; swap: boolean }[];
  scores: DetectionScores;
}

/**
 * Object-detection label issues (dataset-insights §8, cleanlab `object_detection.filter.find_label_issues`):
 * a box is an issue when its subtype score is ≤ `0.8 · θ_k` (`θ_k` = 0.25 × class k's mean AP); an image
 * is flagged when any of its boxes is.
 */
export function detectionFindLabelIssues(labels: readonly DetectionLabel[], predictions: readonly DetectionPrediction[], options: DetectionIssueOptions = {}): DetectionIssues {
  const { images, K } = prepare(labels, predictions);
  const scores = detectionScores(labels, predictions, options);
  const ap = meanApOf(images, K);
  const theta = Array.from(ap, (v) => DETECTION_DEFAULTS.apScale * v);
  const cut = (k: number) => DETECTION_DEFAULTS.perBoxFactor * theta[k]!;
  const val = (v: number) => (Number.isNaN(v) ? 1 : v);
  const mask = new Uint8Array(images.length);
  const subtypes = images.map((im, i) => {
    const b = scores.boxes[i]!;
    const overlooked = b.overlooked.some((v, q) => val(v) <= cut(im.pc[q]!));
    const badloc = b.badloc.some((v, l) => val(v) <= cut(im.lc[l]!));
    const swap = b.swap.some((v, l) => val(v) <= cut(im.lc[l]!));
    if (overlooked || badloc || swap) mask[i] = 1;
    return { overlooked, badloc, swap };
  });
  const ranked: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) ranked.push(i);
  ranked.sort((a, b) => scores.imageScores[a]! - scores.imageScores[b]! || a - b);
  return { mask, ranked, thresholds: theta, subtypes, scores };
}
