import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleaningTable, runCleaning, tableCsv, type CleaningResult } from "./cleaning.js";
import { scoreDetection, scoreSample, type DetectionScore, type SampleScore } from "./evaluate.js";

const DATA = join(import.meta.dirname, "../../data");
const SAMPLE = join(DATA, "fashion-sample");
const DETECTION = join(DATA, "fashion-detection");

describe("cleaning workflow on the bundled Fashion-MNIST sample", () => {
  let run: CleaningResult;
  let score: SampleScore;
  beforeAll(async () => {
    run = await runCleaning(SAMPLE);
    score = scoreSample(SAMPLE, run.dataset.ids, run.report, run.rows);
  }, 120_000);

  it("finds every planted exact duplicate and recommends dropping the copies", () => {
    expect(score.exact.missed).toEqual([]);
    expect(score.exact.total).toBe(15);
    const planted = JSON.parse(readFileSync(join(SAMPLE, "planted.json"), "utf8")) as { exact_duplicates: { original: string; copy: string }[] };
    const droppedExact = run.rows.filter((r) => r.reasons.some((x) => x.type === "exact_duplicate" && x.action === "drop"));
    const dropped = new Set(droppedExact.map((r) => r.id));
    // Of every planted pair at least one file is dropped, and every exact group keeps exactly one member.
    for (const e of planted.exact_duplicates) expect(dropped.has(e.original) || dropped.has(e.copy)).toBe(true);
    for (const f of run.report.findings.filter((x) => x.type === "exact_duplicate")) {
      expect(f.ids.filter((id) => !dropped.has(id))).toHaveLength(1);
    }
    expect(droppedExact.length).toBe(15 + 7); // 15 train copies + the test sides of the 7 exact train/test leaks
  });

  it("finds ≥ 90 % of the planted near duplicates (hash-visible and 1-px shifts)", () => {
    expect(score.near.found / score.near.total).toBeGreaterThanOrEqual(0.9);
    expect(score.nearNoShift.missed).toEqual([]);
    expect(score.nearShift.total).toBe(2);
  });

  it("finds ≥ 90 % of the extreme images and reports every broken file as unreadable", () => {
    expect(score.extreme.found / score.extreme.total).toBeGreaterThanOrEqual(0.9);
    expect(score.broken.missed).toEqual([]);
    for (const r of run.rows.filter((x) => x.reasons.some((y) => y.type === "unreadable_image"))) expect(r.action).toBe("drop");
  });

  it("reports every planted train/test pair as leakage, the contrast copy through the leakage-only dHash", () => {
    expect(score.leakage.missed).toEqual([]);
    expect(score.leakage.total).toBe(10);
    // The contrast ×1.15 test copy of train/Shirt/00047.png is neither pHash-equal nor within the embedding
    // threshold (README, "Measured"); only its dHash matches, and dHash groups count only across splits.
    const planted = JSON.parse(readFileSync(join(SAMPLE, "planted.json"), "utf8")) as { leakage: { train: string; test: string; transform?: string }[] };
    const contrast = planted.leakage.find((l) => l.transform === "contrast")!;
    const finding = run.report.findings.find((f) => f.type === "leakage" && f.ids.includes(contrast.test) && f.ids.includes(contrast.train));
    expect(finding?.data?.methods).toEqual(["dhash"]);
    const leakRows = run.rows.filter((r) => r.reasons.some((x) => x.type === "leakage"));
    expect(leakRows.every((r) => r.split === "test")).toBe(true);
    // a dHash-only group inside one split is not a row
    const dhashOnly = run.report.findings.filter((f) => f.type === "near_duplicate" && (f.data?.methods as string[]).join() === "dhash");
    expect(dhashOnly.length).toBeGreaterThan(0);
    const nearRows = new Set(run.rows.filter((r) => r.reasons.some((x) => x.type === "near_duplicate")).map((r) => r.index));
    const onlyThere = dhashOnly.flatMap((f) => f.indices).filter((i) => !run.report.findings.some((g) => g.indices.includes(i) && !dhashOnly.includes(g) && g.type !== "potential_outlier"));
    expect(onlyThere.length).toBeGreaterThan(0);
    for (const i of onlyThere) expect(nearRows.has(i)).toBe(false);
  });

  it("flags ≤ 1 % of the clean images (drop or review rows)", () => {
    expect(score.falsePositives.clean).toBe(2056);
    expect(score.falsePositives.rate).toBeLessThanOrEqual(0.01);
  });

  it("builds a deterministic table and CSV from the report", () => {
    const again = cleaningTable(run.dataset, run.report);
    expect(again).toEqual(run.rows);
    const csv = tableCsv(run.rows).trim().split("\n");
    expect(csv[0]).toBe("index,id,split,label,action,reasons,scores,details");
    expect(csv.length).toBe(run.rows.length + 1);
    expect(run.rows.findIndex((r) => r.action === "review")).toBe(run.rows.filter((r) => r.action === "drop").length);
  });
});

describe("cleaning workflow on the VOC detection set", () => {
  let run: CleaningResult;
  let score: DetectionScore;
  beforeAll(async () => {
    const classes = readFileSync(join(DETECTION, "classes.txt"), "utf8").trim().split(/\r?\n/);
    run = await runCleaning(DETECTION, { format: "voc", classes });
    score = scoreDetection(DETECTION, run.dataset.ids, run.report, run.rows);
  }, 120_000);

  it("finds every per-box duplicate and exact image duplicate, and the image leak across train/val", () => {
    expect(score.duplicateBoxes.missed).toEqual([]);
    expect(score.duplicateImages.missed).toEqual([]);
    expect(score.imageLeakage.missed).toEqual([]);
    // per-box statistics are thresholded: the outside boxes are box outliers (their crop is partly missing)
    expect((run.report.results.outliers!.summary as { outlier_boxes: number }).outlier_boxes).toBeGreaterThan(0);
    expect(run.rows.find((r) => r.id === "JPEGImages/00080.png")?.action).toBe("drop"); // the val copy of a train canvas
  });

  it("reports every zero-area and outside box, the dark and the empty images", () => {
    expect(score.invalidBoxes.missed).toEqual([]);
    expect(score.darkImages.missed).toEqual([]);
    expect(score.emptyImages.missed).toEqual([]);
  });

  it("flags ≤ 1 % of the clean canvases", () => {
    expect(score.falsePositives.clean).toBe(169);
    expect(score.falsePositives.rate).toBeLessThanOrEqual(0.01);
  });
});
