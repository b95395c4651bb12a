#!/usr/bin/env node
/**
 * build-fashion-detection.mjs — builds examples/data/fashion-detection, a small object-detection dataset:
 * grey canvases with 1–4 Fashion-MNIST items pasted at random positions and scales, annotated with each
 * item's tight bounding box and class, in Pascal VOC layout and as COCO instances JSON (same images),
 * with planted box- and image-level problems listed in planted.json.
 *
 * Usage (from the repo root):
 *   apt-get install -y dataset-fashion-mnist        # provides /usr/share/datasets/fashion-mnist
 *   node tooling/scripts/build-fashion-detection.mjs [--idx DIR] [--out DIR] [--seed N] [--images N]
 *
 * Writes (deterministic; PNGs encoded by lib/fashion.mjs with Node's zlib):
 *   JPEGImages/<id>.png            8-bit gray canvases (VOC keeps the folder name whatever the format)
 *   Annotations/<id>.xml           VOC boxes, xmin/ymin/xmax/ymax with xmax = xmin + width (0-based, exclusive)
 *   ImageSets/Main/{train,val}.txt image ids per split
 *   coco/instances_{train,val}.json  COCO boxes [x, y, width, height], file_name "../JPEGImages/<id>.png"
 *   classes.txt                    the 10 classes in label order (VOC's loader sorts names unless given this)
 *   predictions.json               a simulated detector (true drawn extents ± 1 px, class scores of the
 *                                  committed encoder on each item's source image) for DI §8 label-issue scores
 *   planted.json, README.md
 *
 * Items come from Fashion-MNIST t10k (so the encoder's scores are out-of-sample); each is used once
 * except the planted per-box duplicates.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  CLASSES, DEFAULT_IDX_DIR, clip8, createRng, encodePng, loadEncoder, loadSplit, markdownTable, resizeGray,
} from "./lib/fashion.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    idx: { type: "string", default: DEFAULT_IDX_DIR },
    out: { type: "string", default: join(ROOT, "examples/data/fashion-detection") },
    seed: { type: "string", default: "20240605" },
    images: { type: "string", default: "200" },
  },
});
const SEED = Number(args.seed);
const OUT = resolve(args.out);
const N_IMAGES = Number(args.images);

// ---- Parameters (documented in the generated README) ----
const W = 128, H = 128;
const BACKGROUND = 96;
const SCALES = [1, 1, 1.5, 1.5, 2]; // item side 28, 42 or 56 px (drawn uniformly from this list)
const ALPHA_RAMP = 48; // an item pixel of value v covers the background with alpha min(1, v / 48)
const VAL_SHARE = 0.2;
const DARK = { background: 8, gain: 0.15 };
const CONFIDENT = 0.95; // planted label problems use items the encoder is this sure about (DI §8 thresholds)
const PRED_MIN_SCORE = 0.05; // the simulated detector reports class scores ≥ this
const PLAN = {
  duplicateBoxes: 5, // pairs of canvases sharing one item (same source, same scale); the first pair crosses splits
  duplicateImages: 2, // byte-identical canvas copies: one within train, one copied into val (leakage)
  zeroArea: 2, outside: 2, empty: 2, dark: 2, mislabeled: 3, missing: 3, badlyLocated: 3, swapped: 2,
};
const REGION = {
  "T-shirt_top": "upper_body", Shirt: "upper_body", Pullover: "upper_body", Coat: "upper_body",
  Trouser: "lower_body", Dress: "full_body", Sandal: "footwear", Sneaker: "footwear", Ankle_boot: "footwear", Bag: "accessories",
};

const rng = createRng(SEED);
const test = loadSplit(args.idx, "t10k");
const PIX = 784;
const itemOf = (i) => test.images.subarray(i * PIX, (i + 1) * PIX);
const encode = await loadEncoder(ROOT);
const { probs: allProbs } = await encode(test.images, test.count);
const probOf = (i, c) => allProbs[i * 10 + c];

// Seeded order of t10k items; `takeItem` hands each out once.
const itemPool = rng.shuffle([...Array(test.count).keys()]);
let poolAt = 0;
function takeItem(filter = () => true) {
  for (let k = poolAt; k < itemPool.length; k++) {
    const i = itemPool[k];
    if (i >= 0 && filter(i)) {
      itemPool[k] = -1;
      while (poolAt < itemPool.length && itemPool[poolAt] < 0) poolAt++;
      return i;
    }
  }
  throw new Error("item pool exhausted");
}
const confident = (i) => probOf(i, test.labels[i]) >= CONFIDENT;

/** A pasted item: source, scale, square position (may extend past the canvas when planted), tight box. */
function makeItem(source, scale) {
  const side = Math.round(28 * scale);
  const pixels = scale === 1 ? itemOf(source) : resizeGray(itemOf(source), 28, 28, side, side);
  let x0 = side, y0 = side, x1 = -1, y1 = -1;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    if (pixels[y * side + x] > 0) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  }
  return { source, scale, side, pixels, label: test.labels[source], inner: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }, px: 0, py: 0 };
}
const boxOf = (it) => ({ x: it.px + it.inner.x, y: it.py + it.inner.y, w: it.inner.w, h: it.inner.h });
const overlaps = (a, b, gap = 2) => a.px < b.px + b.side + gap && b.px < a.px + a.side + gap && a.py < b.py + b.side + gap && b.py < a.py + a.side + gap;

/** Place `it` inside the canvas without touching `placed`; false if no room after many tries. */
function place(it, placed) {
  for (let t = 0; t < 300; t++) {
    it.px = rng.int(W - it.side + 1);
    it.py = rng.int(H - it.side + 1);
    if (!placed.some((p) => overlaps(p, it))) return true;
  }
  return false;
}

/** One canvas with `n` items (some forced by the caller). */
function newCanvas(n, forced = []) {
  const items = [];
  for (const it of forced) if (place(it, items)) items.push(it); else throw new Error("cannot place a forced item");
  while (items.length < n) {
    const it = makeItem(takeItem(), rng.pick(SCALES));
    if (!place(it, items)) { itemPool.push(it.source); break; } // give the item back; fewer items on this canvas
    items.push(it);
  }
  return { items, background: BACKGROUND, gain: 1, planted: [], hidden: new Set(), ann: null };
}

// ---- Build the canvases ----
const canvases = [];
for (let k = 0; k < N_IMAGES; k++) canvases.push(newCanvas(1 + rng.int(4)));
// Planted canvases are drawn from a shuffled list of canvas slots so they are spread over the ids.
const slots = rng.shuffle([...canvases.keys()]);
let slotAt = 0;
const slot = () => canvases[slots[slotAt++]];
const multiClass = (c) => new Set(c.items.map((it) => it.label)).size >= 2;

// Annotations default to the items' true boxes; planted problems edit them below.
for (const c of canvases) c.ann = c.items.map((it, j) => ({ item: j, label: it.label, ...boxOf(it) }));

const planted = {
  duplicate_boxes: [], duplicate_images: [], zero_area_boxes: [], boxes_outside: [], empty_images: [], dark_images: [],
  mislabeled_boxes: [], missing_boxes: [], badly_located_boxes: [], swapped_labels: [],
};

// Empty canvases: no items, no boxes.
for (let k = 0; k < PLAN.empty; k++) {
  const c = slot();
  for (const it of c.items) itemPool.push(it.source);
  c.items = []; c.ann = [];
  c.planted.push("empty_image");
  planted.empty_images.push({ c });
}
// Dark canvases.
for (let k = 0; k < PLAN.dark; k++) {
  const c = slot();
  c.background = DARK.background; c.gain = DARK.gain;
  c.planted.push("dark_image");
  planted.dark_images.push({ c });
}
// Per-box duplicates: the same source at the same scale in two canvases (re-laid out around it).
for (let k = 0; k < PLAN.duplicateBoxes; k++) {
  const source = takeItem();
  const scale = rng.pick(SCALES);
  const pair = [slot(), slot()].map((c) => {
    for (const it of c.items) itemPool.push(it.source);
    const fresh = newCanvas(1 + rng.int(4), [makeItem(source, scale)]);
    Object.assign(c, { items: fresh.items, ann: fresh.items.map((it, j) => ({ item: j, label: it.label, ...boxOf(it) })) });
    c.planted.push("duplicate_box");
    return c;
  });
  planted.duplicate_boxes.push({ source, scale, a: pair[0], b: pair[1], box: 0, crossSplit: k === 0 });
}
// Zero-area boxes: an extra annotation with zero width (first) or zero width and height.
for (let k = 0; k < PLAN.zeroArea; k++) {
  const c = slot();
  const x = rng.int(W - 10), y = rng.int(H - 10);
  const box = { item: null, label: rng.int(10), x, y, w: 0, h: k === 0 ? 8 + rng.int(20) : 0 };
  c.ann.push(box);
  c.planted.push("zero_area_box");
  planted.zero_area_boxes.push({ c, box });
}
// Boxes partly outside the image: an item drawn past the right (first) or top edge, clipped in the
// image, annotated with its full extent.
for (let k = 0; k < PLAN.outside; k++) {
  const c = slot();
  const it = makeItem(takeItem(), 2);
  const others = c.items;
  let ok = false;
  for (let t = 0; t < 300 && !ok; t++) {
    if (k === 0) { it.px = W - it.side + Math.floor(it.side / 3) + rng.int(6); it.py = rng.int(H - it.side + 1); }
    else { it.px = rng.int(W - it.side + 1); it.py = -Math.floor(it.side / 3) - rng.int(6); }
    ok = !others.some((p) => overlaps(p, it));
  }
  if (!ok) { c.items = []; c.ann = []; it.px = k === 0 ? W - it.side + 20 : 30; it.py = k === 0 ? 30 : -20; }
  c.items.push(it);
  const box = { item: c.items.length - 1, label: it.label, ...boxOf(it) };
  c.ann.push(box);
  c.planted.push("box_outside");
  planted.boxes_outside.push({ c, box, side: k === 0 ? "right" : "top" });
}
// Label problems use fresh canvases whose planted item the encoder recognises with p ≥ CONFIDENT.
function confidentCanvas(nItems, nConfident, distinctClasses = false) {
  const c = slot();
  for (const it of c.items) itemPool.push(it.source);
  const forced = [];
  while (forced.length < nConfident) {
    const used = new Set(forced.map((f) => f.label));
    forced.push(makeItem(takeItem((i) => confident(i) && (!distinctClasses || !used.has(test.labels[i]))), rng.pick(SCALES)));
  }
  const fresh = newCanvas(Math.max(nItems, nConfident), forced);
  c.items = fresh.items;
  c.ann = c.items.map((it, j) => ({ item: j, label: it.label, ...boxOf(it) }));
  return c;
}
const otherRegionClass = (label) => {
  const opts = CLASSES.map((_, k) => k).filter((k) => REGION[CLASSES[k]] !== REGION[CLASSES[label]]);
  return rng.pick(opts);
};
for (let k = 0; k < PLAN.mislabeled; k++) {
  const c = confidentCanvas(1 + rng.int(3), 1);
  const box = c.ann[0];
  const trueLabel = box.label;
  box.label = otherRegionClass(trueLabel);
  c.planted.push("mislabeled_box");
  planted.mislabeled_boxes.push({ c, box, trueLabel });
}
for (let k = 0; k < PLAN.missing; k++) {
  const c = confidentCanvas(2 + rng.int(2), 1);
  const [hidden] = c.ann.splice(0, 1);
  c.planted.push("missing_box");
  planted.missing_boxes.push({ c, hidden, item: c.items[hidden.item] });
}
for (let k = 0; k < PLAN.badlyLocated; k++) {
  const c = confidentCanvas(1 + rng.int(3), 1);
  const box = c.ann[0];
  const trueBox = { x: box.x, y: box.y, w: box.w, h: box.h };
  // Shift by half the box's size, right/down unless that leaves the image, then left/up.
  const dx = Math.round(box.w / 2) * (box.x + box.w + Math.round(box.w / 2) <= W ? 1 : -1);
  const dy = Math.round(box.h / 2) * (box.y + box.h + Math.round(box.h / 2) <= H ? 1 : -1);
  box.x += dx; box.y += dy;
  c.planted.push("badly_located_box");
  planted.badly_located_boxes.push({ c, box, trueBox, shift: [dx, dy] });
}
for (let k = 0; k < PLAN.swapped; k++) {
  const c = confidentCanvas(2 + rng.int(2), 2, true);
  const [a, b] = [c.ann[0], c.ann[1]];
  [a.label, b.label] = [b.label, a.label];
  c.planted.push("swapped_labels");
  planted.swapped_labels.push({ c, a, b });
}

// ---- Render ----
function render(c) {
  const img = new Uint8Array(W * H).fill(c.background);
  for (const it of c.items) {
    for (let y = 0; y < it.side; y++) {
      const cy = it.py + y;
      if (cy < 0 || cy >= H) continue;
      for (let x = 0; x < it.side; x++) {
        const cx = it.px + x;
        if (cx < 0 || cx >= W) continue;
        const v = it.pixels[y * it.side + x];
        if (v === 0) continue;
        const a = Math.min(1, v / ALPHA_RAMP);
        img[cy * W + cx] = clip8(a * v * c.gain + (1 - a) * c.background);
      }
    }
  }
  return img;
}

// ---- Ids, splits, exact duplicate canvases ----
const ids = rng.shuffle([...Array(N_IMAGES + PLAN.duplicateImages).keys()]).map((n) => String(100000 + n * 7 + rng.int(7)).slice(1));
canvases.forEach((c, k) => { c.id = ids[k]; });
const nVal = Math.round(VAL_SHARE * N_IMAGES);
const valSet = new Set(rng.shuffle([...canvases.keys()]).slice(0, nVal));
canvases.forEach((c, k) => { c.split = valSet.has(k) ? "val" : "train"; });
// The cross-split duplicate-box pair: one canvas in each split.
{
  const d = planted.duplicate_boxes[0];
  d.a.split = "train"; d.b.split = "val";
}
for (const d of planted.duplicate_boxes.slice(1)) d.b.split = d.a.split;
for (const c of canvases) c.png = encodePng(render(c), W, H, 1);
// Exact duplicate canvases: a byte-identical copy of a clean train canvas (with the same annotation),
// the first kept in train, the second placed in val.
for (let k = 0; k < PLAN.duplicateImages; k++) {
  const src = canvases.find((c) => c.split === "train" && c.planted.length === 0 && c.items.length >= 2 && !c.isDupSource);
  src.isDupSource = true;
  src.planted.push("duplicate_image_source");
  const copy = { ...src, id: ids[N_IMAGES + k], split: k === 0 ? "train" : "val", planted: ["duplicate_image"], ann: src.ann.map((b) => ({ ...b })), isDupSource: false };
  canvases.push(copy);
  planted.duplicate_images.push({ original: src, copy });
}

// ---- Write ----
rmSync(OUT, { recursive: true, force: true });
for (const d of ["JPEGImages", "Annotations", "ImageSets/Main", "coco"]) mkdirSync(join(OUT, d), { recursive: true });
const sorted = [...canvases].sort((a, b) => (a.id < b.id ? -1 : 1));
const fileOf = (c) => `JPEGImages/${c.id}.png`;
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
for (const c of sorted) {
  writeFileSync(join(OUT, fileOf(c)), c.png);
  const objects = c.ann.map((b) => {
    const it = b.item === null ? null : c.items[b.item];
    const truncated = it && (it.px < 0 || it.py < 0 || it.px + it.side > W || it.py + it.side > H) ? 1 : 0;
    return `  <object>
    <name>${esc(CLASSES[b.label])}</name>
    <pose>Unspecified</pose>
    <truncated>${truncated}</truncated>
    <difficult>0</difficult>
    <bndbox>
      <xmin>${b.x}</xmin>
      <ymin>${b.y}</ymin>
      <xmax>${b.x + b.w}</xmax>
      <ymax>${b.y + b.h}</ymax>
    </bndbox>
  </object>
`;
  }).join("");
  writeFileSync(join(OUT, `Annotations/${c.id}.xml`), `<annotation>
  <folder>JPEGImages</folder>
  <filename>${c.id}.png</filename>
  <source>
    <database>assay fashion-detection (Fashion-MNIST t10k items)</database>
  </source>
  <size>
    <width>${W}</width>
    <height>${H}</height>
    <depth>1</depth>
  </size>
  <segmented>0</segmented>
${objects}</annotation>
`);
}
for (const split of ["train", "val"]) {
  writeFileSync(join(OUT, `ImageSets/Main/${split}.txt`), sorted.filter((c) => c.split === split).map((c) => c.id).join("\n") + "\n");
}
const categories = CLASSES.map((name, k) => ({ id: k + 1, name, supercategory: REGION[name] }));
let annId = 1;
for (const split of ["train", "val"]) {
  const list = sorted.filter((c) => c.split === split);
  const images = list.map((c, k) => ({ id: k + 1, file_name: `../${fileOf(c)}`, width: W, height: H }));
  const annotations = [];
  list.forEach((c, k) => c.ann.forEach((b) => annotations.push({
    id: annId++, image_id: k + 1, category_id: b.label + 1, bbox: [b.x, b.y, b.w, b.h], area: b.w * b.h, iscrowd: 0,
  })));
  writeFileSync(join(OUT, `coco/instances_${split}.json`), JSON.stringify({
    info: { description: "assay fashion-detection: Fashion-MNIST t10k items pasted on grey canvases", version: "1", year: 2024 },
    licenses: [{ id: 1, name: "MIT (Fashion-MNIST, Zalando Research)" }],
    images, annotations, categories,
  }) + "\n");
}
writeFileSync(join(OUT, "classes.txt"), CLASSES.join("\n") + "\n");

// Simulated detector: every drawn item (annotated or not) at its true extent clipped to the image,
// corners jittered by ±1 px, one entry per class whose encoder probability is ≥ PRED_MIN_SCORE.
const predictions = sorted.map((c) => {
  const perClass = CLASSES.map(() => []);
  for (const it of c.items) {
    const b = boxOf(it);
    const j = () => rng.int(3) - 1;
    const x1 = Math.max(0, b.x + j()), y1 = Math.max(0, b.y + j());
    const x2 = Math.min(W, b.x + b.w + j()), y2 = Math.min(H, b.y + b.h + j());
    for (let k = 0; k < 10; k++) {
      const p = probOf(it.source, k);
      if (p >= PRED_MIN_SCORE) perClass[k].push([x1, y1, x2, y2, Number(p.toFixed(6))]);
    }
  }
  return { image: fileOf(c), predictions: perClass };
});
writeFileSync(join(OUT, "predictions.json"), JSON.stringify({
  format: "per image, one array per class (label order) of [x1, y1, x2, y2, score] (dataset-insights.md §8)",
  simulated: "true drawn item extents ±1 px; scores = fashion-encoder.onnx probabilities on each item's 28×28 t10k source image",
  classes: CLASSES, images: predictions,
}) + "\n");

// ---- planted.json ----
const img = (c) => fileOf(c);
const bbox = (b) => [b.x, b.y, b.w, b.h];
const boxIndex = (c, b) => c.ann.indexOf(b);
const iou = (a, b) => {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return (ix * iy) / (a.w * a.h + b.w * b.h - ix * iy);
};
const boxes = canvases.reduce((s, c) => s + c.ann.length, 0);
const out = {
  version: 1,
  generator: "tooling/scripts/build-fashion-detection.mjs",
  seed: SEED,
  source: "Fashion-MNIST t10k (Debian dataset-fashion-mnist); source_index = t10k row",
  classes: CLASSES,
  box_format: "bbox = [x, y, width, height] in pixels, 0-based (VOC xmax = x + width); box = index in the image's annotation list (same order in VOC and COCO)",
  canvas: { width: W, height: H, channels: 1, background: BACKGROUND, item_scales: [...new Set(SCALES)] },
  counts: {
    images: canvases.length, train: canvases.filter((c) => c.split === "train").length, val: canvases.filter((c) => c.split === "val").length,
    boxes, drawn_items: canvases.reduce((s, c) => s + c.items.length, 0),
  },
  duplicate_boxes: planted.duplicate_boxes.map((d) => ({
    source_index: d.source, scale: d.scale, label: CLASSES[test.labels[d.source]],
    a: { image: img(d.a), box: boxIndex(d.a, d.a.ann[0]), bbox: bbox(d.a.ann[0]), split: d.a.split },
    b: { image: img(d.b), box: boxIndex(d.b, d.b.ann[0]), bbox: bbox(d.b.ann[0]), split: d.b.split },
    cross_split: d.a.split !== d.b.split,
  })),
  duplicate_images: planted.duplicate_images.map((d) => ({
    original: img(d.original), copy: img(d.copy), variant: "byte_identical", original_split: d.original.split, copy_split: d.copy.split,
  })),
  zero_area_boxes: planted.zero_area_boxes.map((z) => ({ image: img(z.c), box: boxIndex(z.c, z.box), bbox: bbox(z.box), label: CLASSES[z.box.label] })),
  boxes_outside: planted.boxes_outside.map((o) => ({ image: img(o.c), box: boxIndex(o.c, o.box), bbox: bbox(o.box), side: o.side, label: CLASSES[o.box.label] })),
  empty_images: planted.empty_images.map((e) => ({ image: img(e.c) })),
  dark_images: planted.dark_images.map((d) => ({ image: img(d.c), background: DARK.background, gain: DARK.gain, boxes: d.c.ann.length })),
  mislabeled_boxes: planted.mislabeled_boxes.map((m) => ({
    image: img(m.c), box: boxIndex(m.c, m.box), bbox: bbox(m.box), given: CLASSES[m.box.label], true: CLASSES[m.trueLabel],
    encoder_p_true: Number(probOf(m.c.items[m.box.item].source, m.trueLabel).toFixed(4)),
  })),
  missing_boxes: planted.missing_boxes.map((m) => ({
    image: img(m.c), bbox: bbox(m.hidden), true: CLASSES[m.hidden.label], source_index: m.item.source,
    encoder_p_true: Number(probOf(m.item.source, m.hidden.label).toFixed(4)),
  })),
  badly_located_boxes: planted.badly_located_boxes.map((b) => ({
    image: img(b.c), box: boxIndex(b.c, b.box), bbox: bbox(b.box), true_bbox: bbox(b.trueBox), shift: b.shift,
    iou_with_true: Number(iou(b.box, b.trueBox).toFixed(4)), label: CLASSES[b.box.label],
  })),
  swapped_labels: planted.swapped_labels.map((s) => ({
    image: img(s.c), boxes: [boxIndex(s.c, s.a), boxIndex(s.c, s.b)], given: [CLASSES[s.a.label], CLASSES[s.b.label]], true: [CLASSES[s.b.label], CLASSES[s.a.label]],
  })),
  clean_images: sorted.filter((c) => c.planted.length === 0).map(img),
};
writeFileSync(join(OUT, "planted.json"), JSON.stringify(out, null, 1) + "\n");

// ---- README ----
const bytes = sorted.reduce((s, c) => s + c.png.length, 0);
const perClass = CLASSES.map((name, k) => [name, canvases.reduce((s, c) => s + c.ann.filter((b) => b.label === k).length, 0)]);
const readme = `# fashion-detection — a small detection dataset with planted box problems

${canvases.length} grey ${W}×${H} canvases (${out.counts.train} train, ${out.counts.val} val) with ${out.counts.drawn_items} Fashion-MNIST items pasted at random
positions and scales and ${boxes} annotated boxes, in **Pascal VOC** layout and as **COCO** instances JSON pointing at
the same PNGs, with seeded planted problems (planted.json). For per-box statistics and duplicates (linter,
duplicates lenses), label statistics for detection, and detection label issues (dataset-insights.md §8).

**Generated — do not edit by hand.** Rebuild with (from the repo root):

\`\`\`sh
apt-get install -y dataset-fashion-mnist              # /usr/share/datasets/fashion-mnist/*.gz
node tooling/scripts/build-fashion-detection.mjs      # --seed ${SEED} --images ${N_IMAGES} --idx DIR --out DIR
node tooling/scripts/verify-fashion-detection.mjs     # independent checks (sharp decode, io's VOC + COCO loaders)
\`\`\`

Seed **${SEED}**; the same seed and IDX files give byte-identical files. PNGs total ${(bytes / 1024).toFixed(0)} KiB.

## Layout

- \`JPEGImages/<id>.png\` — 8-bit grayscale PNG, ${W}×${H}, background ${BACKGROUND}. (VOC's folder name is kept; the files
  are PNG and each XML's \`<filename>\` says so.) Ids are 5-digit numbers in a seeded order: a name does not reveal
  whether an image was planted.
- \`Annotations/<id>.xml\` — VOC: \`<size>\` ${W}×${H}×1, one \`<object>\` per box with \`<name>\` (class), \`<truncated>\` (1 only for
  the items drawn past an edge), \`<difficult>0\`, \`<bndbox>\` xmin/ymin/xmax/ymax. Coordinates are **0-based with
  exclusive max** (xmax = x + width), so io's \`loadVoc\` (width = xmax − xmin) and \`loadCoco\` give identical boxes.
- \`ImageSets/Main/train.txt\`, \`val.txt\` — ids per split.
- \`coco/instances_train.json\`, \`coco/instances_val.json\` — COCO instances: \`images\` (\`file_name\` =
  \`../JPEGImages/<id>.png\`, relative to the JSON's folder, which io's \`loadCoco\` finds without options),
  \`annotations\` (\`bbox\` [x, y, w, h], \`area\` = w·h, \`iscrowd\` 0; same boxes in the same order as the XML),
  \`categories\` ids 1–10 in label order with a \`supercategory\` (upper_body, lower_body, full_body, footwear, accessories).
- \`classes.txt\` — label order. VOC loaders sort class names alphabetically unless given this list.
- \`predictions.json\` — a **simulated** detector for DI §8 (\`{ classes, images: [{ image, predictions: K arrays of
  [x1, y1, x2, y2, score] }] }\`): every drawn item (annotated or not) at its true extent clipped to the image with each
  corner jittered by ±1 px, one entry per class whose score ≥ ${PRED_MIN_SCORE}; scores are the committed encoder's
  probabilities on the item's 28×28 t10k source image (out-of-sample). It is not a trained detector.
- \`planted.json\` — the planted problems (schema below).

Items: Fashion-MNIST t10k images, bilinear-scaled to 28, 42 or 56 px, composited with alpha min(1, v/${ALPHA_RAMP}) (v = item
pixel), so the black item background disappears. A box is the item's tight extent (pixels with v > 0 after
scaling). Items never overlap (2 px gap). Each source image is used once, except the planted per-box duplicates.

## Counts

${markdownTable(["class", "boxes"], perClass)}

## Planted problems

Each planted problem sits on its own canvas (the byte-identical copies' original is a clean train canvas, and both
carry the same annotation). Label problems use items the encoder recognises with p ≥ ${CONFIDENT}, so the simulated
predictions can expose them.

${markdownTable(["problem", "count", "what"], [
  ["per-box duplicate", out.duplicate_boxes.length, "the same item (same source image, same scale) pasted in two canvases: identical box crops; the first pair spans train and val"],
  ["exact duplicate image", out.duplicate_images.length, "byte-identical copy of a canvas with the same boxes; the first copy is in train, the second in val (leakage)"],
  ["zero-area box", out.zero_area_boxes.length, "an extra annotation with width 0 (and, for the second, height 0)"],
  ["box partly outside", out.boxes_outside.length, "an item at scale 2 drawn past the right / top edge (clipped in the image), box = its full extent"],
  ["empty image", out.empty_images.length, "background only, no boxes"],
  ["very dark image", out.dark_images.length, `background ${DARK.background}, items at ${DARK.gain * 100} % brightness (annotated normally)`],
  ["mislabeled box", out.mislabeled_boxes.length, "label replaced by a class of another body region"],
  ["missing box", out.missing_boxes.length, "an item drawn but not annotated"],
  ["badly located box", out.badly_located_boxes.length, "box shifted by half its width and height (IoU with the true box ≈ 0.14)"],
  ["swapped labels", out.swapped_labels.length, "two boxes of different classes in one image exchange labels"],
])}

${out.clean_images.length} images carry no planted problem (\`clean_images\`), for false-positive rates.

With predictions.json, the detection label-issue scores of dataset-insights.md §8 separate the label problems:
a re-implementation of §8 run on the default-seed build gives the ${out.mislabeled_boxes.length + out.missing_boxes.length + out.badly_located_boxes.length + out.swapped_labels.length} images with a mislabeled,
missing, badly located or swapped box the lowest image scores of all (missing → overlooked ≈ 0; mislabeled and
swapped → swap ≈ 0.05–0.11; badly located → badloc ≈ 0.12–0.14), every clean image scoring above 0.9.

## planted.json schema

\`\`\`ts
type Img = string;                       // "JPEGImages/<id>.png" (= io's VOC row id)
type BBox = [x: number, y: number, width: number, height: number];
{
  version: 1, generator: string, seed: number, source: string, classes: string[], box_format: string,
  canvas: { width, height, channels, background: number, item_scales: number[] },
  counts: { images, train, val, boxes, drawn_items: number },
  duplicate_boxes: { source_index: number, scale: number, label: string,
                     a: { image: Img, box: number, bbox: BBox, split: string }, b: {…same}, cross_split: boolean }[],
  duplicate_images: { original: Img, copy: Img, variant: "byte_identical", original_split: string, copy_split: string }[],
  zero_area_boxes: { image: Img, box: number, bbox: BBox, label: string }[],
  boxes_outside: { image: Img, box: number, bbox: BBox, side: "right" | "top", label: string }[],
  empty_images: { image: Img }[],
  dark_images: { image: Img, background: number, gain: number, boxes: number }[],
  mislabeled_boxes: { image: Img, box: number, bbox: BBox, given: string, true: string, encoder_p_true: number }[],
  missing_boxes: { image: Img, bbox: BBox, true: string, source_index: number, encoder_p_true: number }[],   // no box index: not annotated
  badly_located_boxes: { image: Img, box: number, bbox: BBox, true_bbox: BBox, shift: [dx, dy], iou_with_true: number, label: string }[],
  swapped_labels: { image: Img, boxes: [number, number], given: [string, string], true: [string, string] }[],
  clean_images: Img[],
}
\`\`\`
`;
writeFileSync(join(OUT, "README.md"), readme);
console.log(`wrote ${OUT}: ${canvases.length} images (${out.counts.train} train, ${out.counts.val} val), ${boxes} boxes, ${out.counts.drawn_items} items; PNGs ${(bytes / 1024).toFixed(0)} KiB`);
