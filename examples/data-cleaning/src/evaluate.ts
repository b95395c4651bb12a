/**
 * Scoring the cleaning table against the planted problems of the bundled datasets (planted.json,
 * manifest.csv). A planted pair counts as found when one finding of the right kind holds both files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding, Report } from "@assay/core";
import type { CleaningRow } from "./cleaning.js";

/** Recall of one planted problem kind: `found` of `total`, with the missed items named. */
export interface Recall {
  found: number;
  total: number;
  missed: string[];
}

/** Measured numbers on the classification sample. */
export interface SampleScore {
  exact: Recall;
  near: Recall;
  /** Near duplicates whose transform is not a shift (the ones a perceptual hash can see). */
  nearNoShift: Recall;
  nearShift: Recall;
  extreme: Recall;
  broken: Recall;
  leakage: Recall;
  /** Clean rows (empty `planted` column) that got a drop or review row. */
  falsePositives: { flagged: number; clean: number; rate: number; ids: string[] };
}

/** Measured numbers on the detection set. */
export interface DetectionScore {
  duplicateBoxes: Recall;
  duplicateImages: Recall;
  imageLeakage: Recall;
  invalidBoxes: Recall;
  darkImages: Recall;
  emptyImages: Recall;
  falsePositives: { flagged: number; clean: number; rate: number; ids: string[] };
}

function recall<T>(items: readonly T[], isFound: (item: T) => boolean, name: (item: T) => string): Recall {
  const missed = items.filter((i) => !isFound(i)).map(name);
  return { found: items.length - missed.length, total: items.length, missed };
}

function indexOf(ids: readonly string[]): (id: string) => number {
  const map = new Map(ids.map((id, i) => [id, i]));
  return (id) => {
    const i = map.get(id);
    if (i === undefined) throw new Error(`planted file ${id} is not in the dataset`);
    return i;
  };
}

const holds = (findings: readonly Finding[], types: readonly string[], a: number, b: number) =>
  findings.some((f) => types.includes(f.type) && f.indices.includes(a) && f.indices.includes(b));

/** Score a run on examples/data/fashion-sample against its planted.json and manifest.csv. */
export function scoreSample(root: string, ids: readonly string[], report: Report, rows: readonly CleaningRow[]): SampleScore {
  const planted = JSON.parse(readFileSync(join(root, "planted.json"), "utf8"));
  const at = indexOf(ids);
  const F = report.findings;
  const flagged = new Set(rows.map((r) => r.index));
  const nearTypes = ["near_duplicate", "exact_duplicate", "cluster_duplicate"];
  type Near = { original: string; copy: string; transform: string; params: unknown };
  const near: Near[] = planted.near_duplicates;
  const nearFound = (n: Near) => holds(F, nearTypes, at(n.original), at(n.copy));
  const nearName = (n: Near) => `${n.copy} (${n.transform} ${JSON.stringify(n.params)})`;
  const manifest = readFileSync(join(root, "manifest.csv"), "utf8").trim().split(/\r?\n/).slice(1);
  const clean = manifest.map((line) => line.split(",")).filter((c) => c[4] === "").map((c) => at(c[0]!));
  const fp = clean.filter((i) => flagged.has(i));
  return {
    exact: recall(planted.exact_duplicates as { original: string; copy: string }[], (e) => holds(F, ["exact_duplicate"], at(e.original), at(e.copy)), (e) => e.copy),
    near: recall(near, nearFound, nearName),
    nearNoShift: recall(near.filter((n) => n.transform !== "shift"), nearFound, nearName),
    nearShift: recall(near.filter((n) => n.transform === "shift"), nearFound, nearName),
    extreme: recall(planted.extreme as { path: string; kind: string }[], (e) => flagged.has(at(e.path)), (e) => `${e.path} (${e.kind})`),
    broken: recall(planted.broken as { path: string; kind: string }[], (b) => F.some((f) => f.type === "unreadable_image" && f.indices[0] === at(b.path)), (b) => `${b.path} (${b.kind})`),
    leakage: recall(planted.leakage as { train: string; test: string; variant: string }[], (l) => holds(F, ["leakage"], at(l.train), at(l.test)), (l) => `${l.test} (${l.variant})`),
    falsePositives: { flagged: fp.length, clean: clean.length, rate: fp.length / clean.length, ids: fp.map((i) => ids[i]!) },
  };
}

/** Score a run on examples/data/fashion-detection (VOC) against its planted.json. */
export function scoreDetection(root: string, ids: readonly string[], report: Report, rows: readonly CleaningRow[]): DetectionScore {
  const planted = JSON.parse(readFileSync(join(root, "planted.json"), "utf8"));
  const at = indexOf(ids);
  const F = report.findings;
  const flagged = new Set(rows.map((r) => r.index));
  type Side = { image: string; box: number };
  const boxDup = (a: Side, b: Side) =>
    F.some((f) => {
      if (f.type !== "box_duplicate") return false;
      return f.indices.includes(at(a.image)) && f.indices.includes(at(b.image));
    });
  const clean = (planted.clean_images as string[]).map(at);
  const fp = clean.filter((i) => flagged.has(i));
  const invalid = [...planted.zero_area_boxes, ...planted.boxes_outside] as { image: string; box: number }[];
  return {
    duplicateBoxes: recall(planted.duplicate_boxes as { a: Side; b: Side }[], (d) => boxDup(d.a, d.b), (d) => `${d.a.image}#${d.a.box} ~ ${d.b.image}#${d.b.box}`),
    duplicateImages: recall(planted.duplicate_images as { original: string; copy: string }[], (d) => holds(F, ["exact_duplicate"], at(d.original), at(d.copy)), (d) => d.copy),
    imageLeakage: recall(
      (planted.duplicate_images as { original: string; copy: string; original_split: string; copy_split: string }[]).filter((d) => d.original_split !== d.copy_split),
      (d) => holds(F, ["leakage"], at(d.original), at(d.copy)),
      (d) => d.copy,
    ),
    invalidBoxes: recall(invalid, (b) =>
      F.some(
        (f) =>
          f.indices[0] === at(b.image) &&
          ((f.type === "invalid_box" && f.data?.target === b.box) || (["degenerate_box", "box_out_of_bounds"].includes(f.type) && f.data?.boxIndex === b.box)),
      ), (b) => `${b.image}#${b.box}`),
    darkImages: recall(planted.dark_images as { image: string }[], (d) => flagged.has(at(d.image)), (d) => d.image),
    emptyImages: recall(planted.empty_images as { image: string }[], (d) => flagged.has(at(d.image)), (d) => d.image),
    falsePositives: { flagged: fp.length, clean: clean.length, rate: fp.length / clean.length, ids: fp.map((i) => ids[i]!) },
  };
}
