#!/usr/bin/env node
/**
 * verify-fashion-sample.mjs — independent checks of examples/data/fashion-sample with sharp (libvips),
 * i.e. with a decoder other than the encoder that wrote the files.
 *
 * Usage: node tooling/scripts/verify-fashion-sample.mjs [DIR]
 *
 * Checks: manifest.csv lists exactly the files on disk and agrees with the folder labels; every
 * non-broken file decodes with the size/channels planted.json (or 28×28×1) says; every broken file
 * fails to decode; byte-identical duplicates and leaks have equal bytes; re-encoded ones have
 * different bytes and equal pixels; near duplicates differ from their original in pixels but by a
 * mean absolute difference ≤ 32 (brightness +30 moves every pixel); the mislabeled list equals the manifest rows with label ≠ true_label;
 * the missing and tiny class counts hold. Exits 1 on the first group of failures.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIR = resolve(process.argv[2] ?? join(ROOT, "examples/data/fashion-sample"));
const sharp = createRequire(join(ROOT, "packages/io/package.json"))("sharp");

const failures = [];
const check = (ok, msg) => { if (!ok) failures.push(msg); };

const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
const onDisk = ["train", "test"].flatMap((s) => walk(join(DIR, s))).map((p) => relative(DIR, p).split("\\").join("/")).sort();
const [head, ...lines] = readFileSync(join(DIR, "manifest.csv"), "utf8").trim().split("\n");
const cols = head.split(",");
const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])));
const planted = JSON.parse(readFileSync(join(DIR, "planted.json"), "utf8"));

check(JSON.stringify(rows.map((r) => r.path)) === JSON.stringify(onDisk), "manifest paths != files on disk");
for (const r of rows) {
  const [split, cls] = r.path.split("/");
  check(r.split === split && r.label === cls, `${r.path}: manifest split/label disagree with folders`);
  check(planted.classes.includes(cls), `${r.path}: unknown class ${cls}`);
}

const bytes = (p) => readFileSync(join(DIR, p));
const decode = async (p) => sharp(bytes(p)).raw().toBuffer({ resolveWithObject: true });
const broken = new Set(planted.broken.map((b) => b.path));
const extreme = new Map(planted.extreme.map((e) => [e.path, e]));
let decoded = 0;
for (const r of rows) {
  if (broken.has(r.path)) {
    let failed = false;
    try { await decode(r.path); } catch { failed = true; }
    check(failed, `${r.path}: planted as broken but decodes`);
    continue;
  }
  const info = await sharp(bytes(r.path)).metadata(); // the file's own size and channel count
  await decode(r.path); // and its pixels decode
  const want = extreme.get(r.path) ?? { width: 28, height: 28, channels: 1 };
  check(info.width === want.width && info.height === want.height && info.channels === want.channels,
    `${r.path}: decoded ${info.width}×${info.height}×${info.channels}, expected ${want.width}×${want.height}×${want.channels}`);
  decoded++;
}

const pixelsEqual = async (a, b) => (await decode(a)).data.equals((await decode(b)).data);
const meanAbsDiff = async (a, b) => {
  const [x, y] = [(await decode(a)).data, (await decode(b)).data];
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i] - y[i]);
  return s / x.length;
};
const pairs = [
  ...planted.exact_duplicates.map((e) => [e.original, e.copy, e.variant]),
  ...planted.leakage.map((e) => [e.train, e.test, e.variant]),
  ...planted.near_duplicates.map((e) => [e.original, e.copy, "near"]),
];
const nearDiffs = [];
for (const [a, b, variant] of pairs) {
  if (variant === "byte_identical") check(bytes(a).equals(bytes(b)), `${a} / ${b}: bytes differ`);
  else if (variant === "reencoded") {
    check(!bytes(a).equals(bytes(b)), `${a} / ${b}: re-encoded copy has identical bytes`);
    check(await pixelsEqual(a, b), `${a} / ${b}: re-encoded copy has different pixels`);
  } else {
    const d = await meanAbsDiff(a, b);
    nearDiffs.push(d);
    check(d > 0 && d <= 32, `${a} / ${b}: near duplicate mean |diff| ${d.toFixed(2)} outside (0, 32]`);
  }
}
for (const e of [...planted.leakage]) check(e.train.startsWith("train/") && e.test.startsWith("test/"), `leak ${e.test}: wrong splits`);

const flipped = rows.filter((r) => r.true_label && r.label !== r.true_label).map((r) => r.path).sort();
check(JSON.stringify(flipped) === JSON.stringify(planted.mislabeled.map((m) => m.path).sort()), "mislabeled list != manifest label/true_label mismatches");
const trainCount = (c) => rows.filter((r) => r.split === "train" && r.label === c).length;
for (const m of planted.missing_classes) check(trainCount(m.class) === 0, `missing class ${m.class} has train files`);
for (const t of planted.tiny_classes) check(trainCount(t.class) === t.train_count, `tiny class ${t.class} count`);
const tags = new Set(rows.map((r) => r.planted));
check([...tags].every((t) => ["", "source", "exact_duplicate", "near_duplicate", "leakage", "broken", "extreme", "mislabeled"].includes(t)), `unexpected planted tags ${[...tags]}`);

console.log(`${rows.length} manifest rows, ${decoded} decoded with sharp ${sharp.versions.sharp}, ${broken.size} broken rejected`);
console.log(`near-duplicate mean |diff| per pixel: min ${Math.min(...nearDiffs).toFixed(2)}, max ${Math.max(...nearDiffs).toFixed(2)}`);
if (failures.length) {
  console.error(`FAILED (${failures.length}):\n  ${failures.slice(0, 20).join("\n  ")}`);
  process.exit(1);
}
console.log("all checks passed");
