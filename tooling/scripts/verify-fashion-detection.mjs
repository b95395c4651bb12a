#!/usr/bin/env node
/**
 * verify-fashion-detection.mjs — independent checks of examples/data/fashion-detection: decodes every PNG
 * with sharp (libvips, not the encoder that wrote them), loads the VOC and COCO annotations with
 * @assay/io, and checks each planted problem is what planted.json says.
 *
 * Usage (after `pnpm --filter @assay/io build`): node tooling/scripts/verify-fashion-detection.mjs [DIR]
 *
 * Checks: VOC and COCO give the same boxes for every image; every PNG is 128×128 gray; per-box duplicates
 * have pixel-identical crops; duplicate images are byte-identical with equal boxes; zero-area boxes have
 * width or height 0; outside boxes extend past the image; empty images are constant and unannotated; dark
 * images have mean < 20; mislabeled/swapped labels differ from the truth as stated; a missing box's region
 * shows an item and overlaps no annotation; a badly located box has the stated IoU with its true extent;
 * every box of a clean image lies inside the image, has positive area and tightly bounds visible content.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIR = resolve(process.argv[2] ?? join(ROOT, "examples/data/fashion-detection"));
const sharp = createRequire(join(ROOT, "packages/io/package.json"))("sharp");
const io = await import(join(ROOT, "packages/io/dist/index.js"));
const planted = JSON.parse(readFileSync(join(DIR, "planted.json"), "utf8"));
const { width: W, height: H, background: BG } = planted.canvas;
const failures = [];
const check = (ok, msg) => { if (!ok) failures.push(msg); };

const voc = await io.loadDataset(DIR, { format: "voc", classes: join(DIR, "classes.txt") });
const boxesOf = new Map(voc.ids.map((id, i) => [id, voc.sample(i).boxes]));
for (const split of ["train", "val"]) {
  const coco = await io.loadDataset(join(DIR, `coco/instances_${split}.json`));
  for (let i = 0; i < coco.size; i++) {
    const id = coco.ids[i].replace(/^\.\.\//, "");
    const same = JSON.stringify(coco.sample(i).boxes.map((b) => [b.x, b.y, b.width, b.height, b.label]))
      === JSON.stringify((boxesOf.get(id) ?? []).map((b) => [b.x, b.y, b.width, b.height, b.label]));
    check(same, `${id}: COCO boxes differ from VOC`);
    check(voc.splits?.[split] ? [...voc.splits[split]].some((r) => voc.ids[r] === id) : false, `${id}: not in VOC split ${split}`);
  }
}

const pixels = new Map();
for (const id of voc.ids) {
  const { data, info } = await sharp(join(DIR, id)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  check(info.width === W && info.height === H, `${id}: ${info.width}×${info.height}`);
  pixels.set(id, data);
}
const crop = (id, [x, y, w, h]) => {
  const p = pixels.get(id), out = [];
  for (let r = Math.max(0, y); r < Math.min(H, y + h); r++) for (let c = Math.max(0, x); c < Math.min(W, x + w); c++) out.push(p[r * W + c]);
  return out;
};
const bb = (b) => [b.x, b.y, b.width, b.height];
const iou = ([ax, ay, aw, ah], [bx, by, bw, bh]) => {
  const ix = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx)), iy = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  return (ix * iy) / (aw * ah + bw * bh - ix * iy);
};
const classes = planted.classes;

for (const d of planted.duplicate_boxes) {
  const a = crop(d.a.image, d.a.bbox), b = crop(d.b.image, d.b.bbox);
  check(a.length > 0 && JSON.stringify(a) === JSON.stringify(b), `duplicate box ${d.a.image} / ${d.b.image}: crops differ`);
  check(d.a.image !== d.b.image, "duplicate box within one image");
}
for (const d of planted.duplicate_images) {
  check(readFileSync(join(DIR, d.original)).equals(readFileSync(join(DIR, d.copy))), `${d.copy}: not byte-identical to ${d.original}`);
  check(JSON.stringify(boxesOf.get(d.original)) === JSON.stringify(boxesOf.get(d.copy)), `${d.copy}: boxes differ from ${d.original}`);
}
for (const z of planted.zero_area_boxes) {
  const b = boxesOf.get(z.image)[z.box];
  check(b && (b.width === 0 || b.height === 0), `${z.image}#${z.box}: not zero-area`);
}
for (const o of planted.boxes_outside) {
  const b = boxesOf.get(o.image)[o.box];
  check(b && (b.x < 0 || b.y < 0 || b.x + b.width > W || b.y + b.height > H), `${o.image}#${o.box}: inside the image`);
  check(b && (b.x + b.width > 0 && b.y + b.height > 0 && b.x < W && b.y < H), `${o.image}#${o.box}: entirely outside`);
}
for (const e of planted.empty_images) {
  check(boxesOf.get(e.image).length === 0, `${e.image}: has boxes`);
  check(pixels.get(e.image).every((v) => v === BG), `${e.image}: not a constant background`);
}
for (const d of planted.dark_images) {
  const p = pixels.get(d.image);
  check(p.reduce((s, v) => s + v, 0) / p.length < 20, `${d.image}: mean not < 20`);
  check(boxesOf.get(d.image).length === d.boxes, `${d.image}: box count`);
}
for (const m of planted.mislabeled_boxes) {
  const b = boxesOf.get(m.image)[m.box];
  check(classes[b.label] === m.given && m.given !== m.true, `${m.image}#${m.box}: label ${classes[b.label]} vs planted ${m.given}`);
}
for (const s of planted.swapped_labels) {
  const [a, b] = s.boxes.map((k) => boxesOf.get(s.image)[k]);
  check(classes[a.label] === s.given[0] && classes[b.label] === s.given[1] && s.given[0] === s.true[1] && s.given[1] === s.true[0] && s.given[0] !== s.given[1],
    `${s.image}: swapped labels not as planted`);
}
for (const m of planted.missing_boxes) {
  check(crop(m.image, m.bbox).some((v) => v !== BG), `${m.image}: missing-box region shows no item`);
  check(boxesOf.get(m.image).every((b) => iou(bb(b), m.bbox) === 0), `${m.image}: missing box overlaps an annotation`);
}
for (const b of planted.badly_located_boxes) {
  const box = boxesOf.get(b.image)[b.box];
  check(Math.abs(iou(bb(box), b.true_bbox) - b.iou_with_true) < 1e-3 && b.iou_with_true < 0.2, `${b.image}#${b.box}: IoU with the true box`);
}
let cleanBoxes = 0;
for (const id of planted.clean_images) {
  for (const b of boxesOf.get(id)) {
    cleanBoxes++;
    const inside = b.x >= 0 && b.y >= 0 && b.x + b.width <= W && b.y + b.height <= H && b.width > 0 && b.height > 0;
    check(inside, `${id}: clean box ${bb(b)} invalid`);
    if (!inside) continue;
    // Tight: every edge row/column of the box holds a non-background pixel.
    const p = pixels.get(id);
    const rowHas = (r) => { for (let c = b.x; c < b.x + b.width; c++) if (p[r * W + c] !== BG) return true; return false; };
    const colHas = (c) => { for (let r = b.y; r < b.y + b.height; r++) if (p[r * W + c] !== BG) return true; return false; };
    check(rowHas(b.y) && rowHas(b.y + b.height - 1) && colHas(b.x) && colHas(b.x + b.width - 1), `${id}: clean box ${bb(b)} not tight`);
  }
}

for (const f of failures) console.error(`FAIL ${f}`);
if (failures.length) process.exit(1);
console.log(`ok: ${voc.size} images, ${[...boxesOf.values()].reduce((s, b) => s + b.length, 0)} boxes; VOC = COCO; every planted problem as stated; ${cleanBoxes} boxes on ${planted.clean_images.length} clean images valid and tight`);
