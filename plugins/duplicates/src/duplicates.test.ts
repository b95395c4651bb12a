import { artifacts, createDataset, createRegistry, type KnnGraph, pipeline, type RasterImage } from "@assay/core";
import { plugin as mathPlugin } from "@assay/math";
import { type ChwImage, hammingDistance, imageStats, mapImage, mirror, rotate90, specImageQ, specImageS, toHwc } from "@assay/linter";
import { computeImageStats } from "@assay/linter";
import { describe, expect, it } from "vitest";
import { duplicateGroups, duplicateGroupsArtifact, duplicates, duplicatesOptions, findDuplicates, groupDuplicates, groupsMatch } from "./duplicates.js";
import { plugin } from "./index.js";


const raster = (img: ChwImage): RasterImage => ({
  width: img.width,
  height: img.height,
  channels: img.channels as 1 | 3,
  bitDepth: 8,
  data: toHwc(img),
});

function datasetOf(images: ChwImage[], extra: Parameters<typeof createDataset>[0] = {}) {
  const rasters = images.map(raster);
  return createDataset({ size: images.length, images: async (i) => rasters[i]!, ...extra });
}

const ctxOf = (dataset: ReturnType<typeof createDataset>) => ({ dataset, signal: new AbortController().signal, concurrency: 2, progress: () => {}, warn: () => {} });
const statsOptions = (hashes: "basic" | "all") => ({ perChannel: false, perBox: true, normalize: true, hashes, histogram: false, fileHash: true });

function d3Images(): ChwImage[] {
  const S = specImageS();
  const Q = specImageQ();
  const zeros = { channels: 1, height: 8, width: 8, data: new Uint8Array(64) };
  return [
    S,
    mapImage(S, (v) => v),
    mapImage(S, (v) => v + 20),
    rotate90(S),
    Q,
    mirror(Q),
    zeros,
    { ...zeros, data: new Uint8Array(64) },
    mapImage(S, (v, _c, y, x) => v + ((13 * y + 7 * x) % 5) - 2),
  ];
}

describe("duplicates (duplicates.md test cases)", () => {
  it("D3 — grouping with the basic hashes", async () => {
    const stats = await computeImageStats(ctxOf(datasetOf(d3Images())), statsOptions("basic"));
    const res = findDuplicates(stats, duplicatesOptions.parse({}));
    expect(res.exact).toEqual([
      [0, 1],
      [6, 7],
    ]);
    expect(res.near).toEqual([{ members: [0, 1, 2, 8], methods: ["dhash", "phash"] }]);
    expect(res.groups.map((g) => [g.id, g.level, g.type, g.items, g.methods, g.orientation])).toEqual([
      [0, "item", "exact", [0, 1], ["xxhash"], undefined],
      [1, "item", "exact", [6, 7], ["xxhash"], undefined],
      [2, "item", "near", [0, 1, 2, 8], ["dhash", "phash"], undefined],
    ]);
  });

  it("D4 — all hashes, D4 only, and no merging", async () => {
    const stats = await computeImageStats(ctxOf(datasetOf(d3Images())), statsOptions("all"));
    const all = findDuplicates(stats, duplicatesOptions.parse({ hashes: ["phash", "dhash", "phash_d4", "dhash_d4"] }));
    expect(all.exact).toEqual([
      [0, 1],
      [6, 7],
    ]);
    expect(all.groups.filter((g) => g.type === "near").map((g) => [g.items, g.methods, g.orientation])).toEqual([
      [[0, 1, 2, 3, 8], ["dhash", "dhash_d4", "phash", "phash_d4"], "same"],
      [[4, 5], ["dhash_d4", "phash_d4"], "rotated"],
    ]);
    const d4 = findDuplicates(stats, duplicatesOptions.parse({ hashes: ["phash_d4", "dhash_d4"] }));
    expect(d4.groups.filter((g) => g.type === "near").map((g) => [g.items, g.methods, g.orientation])).toEqual([
      [[0, 1, 2, 3, 8], ["dhash_d4", "phash_d4"], undefined],
      [[4, 5], ["dhash_d4", "phash_d4"], undefined],
    ]);
    const separate = findDuplicates(stats, duplicatesOptions.parse({ merge: false }));
    expect(separate.near).toEqual([
      { members: [0, 1, 2, 8], methods: ["phash"] },
      { members: [0, 1, 2, 8], methods: ["dhash"] },
    ]);
  });

  it("D5 — a hash bucket inside an exact group is not a near group", async () => {
    const S = specImageS();
    const stats = await computeImageStats(ctxOf(datasetOf([S, mapImage(S, (v) => v), specImageQ()])), statsOptions("basic"));
    const res = findDuplicates(stats, duplicatesOptions.parse({}));
    expect(res.exact).toEqual([[0, 1]]);
    expect(res.near).toEqual([]);
  });

  it("D7 — per-target duplicates", async () => {
    const S = specImageS();
    const shifted = mapImage(S, (_v, c, y, x) => S.data[c * 4096 + ((y + 56) % 64) * 64 + ((x + 56) % 64)] as number);
    const ds = datasetOf([S, shifted], {
      boxes: [
        [
          { x: 0, y: 0, width: 16, height: 16, label: 0 },
          { x: 40, y: 40, width: 16, height: 16, label: 0 },
          { x: 70, y: 70, width: 10, height: 10, label: 0 },
        ],
        [{ x: 8, y: 8, width: 16, height: 16, label: 0 }],
      ],
    });
    const stats = await computeImageStats(ctxOf(ds), statsOptions("basic"));
    const row = (item: number, target: number) => [...stats.item.keys()].find((r) => stats.item[r] === item && stats.target[r] === target)!;
    expect(stats.hashes.xxhash[row(0, 0)]).toBe("19f2b0530303aea7");
    // The 16×16 crop is symmetric (S[y][x] = S[x][y] there), so DCT coefficients F[3][5] and F[5][3]
    // are equal in exact arithmetic and are the two middle values: DataEval's bit for F[3][5] comes from
    // FFTPACK rounding noise (a258855d…), a direct-sum DCT gives the exact tie (both bits 0: a2588559…).
    expect(hammingDistance(stats.hashes.phash![row(0, 0)]!, "a258855d552b853f")).toBeLessThanOrEqual(1);
    expect(stats.hashes.phash![row(0, 0)]!.replace(/^(.{7})[59d]/, "$1?")).toBe("a258855?552b853f");
    expect(stats.hashes.phash![row(0, 1)]).toBe("aa6ad625ca32ed1a");
    expect(stats.hashes.phash![row(0, 2)]).toBe("0000000000000000");
    expect(stats.hashes.dhash![row(0, 2)]).toBe("0000000000000000");
    const res = findDuplicates(stats, duplicatesOptions.parse({}));
    expect(res.groups.filter((g) => g.level === "item")).toEqual([]);
    const exactBoxes = res.groups.filter((g) => g.level === "target" && g.type === "exact");
    expect(exactBoxes.map((g) => [g.items, g.targets])).toEqual([
      [
        [0, 1],
        [0, 0],
      ],
    ]);
  });
});

describe("assay extensions", () => {
  it("cross-split duplicates are reported as leakage", async () => {
    const S = specImageS();
    const ds = datasetOf([S, specImageQ(), mapImage(S, (v) => v), mapImage(S, (v) => v + 20)], { splits: ["train", "train", "test", "train"] });
    const report = await pipeline(ds).use(imageStats()).use(duplicates()).run();
    expect(report.status).toBe("ok");
    const leak = report.findings.filter((f) => f.type === "leakage");
    expect(leak.map((f) => f.indices)).toEqual([
      [0, 2],
      [0, 2, 3],
    ]);
    expect(leak[0]!.data!.splits).toEqual({ train: [0], test: [2] });
    expect(leak[0]!.severity).toBe("error");
    expect(report.findings.filter((f) => f.type === "exact_duplicate").map((f) => f.indices)).toEqual([[0, 2]]);
    expect(report.results.duplicates!.summary).toMatchObject({ exact_groups: 1, near_groups: 1, leakage_groups: 2 });
  });

  it("embedding near duplicates come from the shared knn graph with a distance threshold", async () => {
    const imgs = [specImageS(), specImageQ(), rotate90(specImageQ()), mirror(specImageS())];
    const ds = datasetOf(imgs);
    const knn: KnnGraph = {
      rows: 4,
      k: 1,
      metric: "euclidean",
      indices: Int32Array.from([3, 2, 1, 0]),
      distances: Float32Array.from([0.05, 0.5, 0.5, 0.05]),
      includesSelf: false,
      method: "exact",
    };
    const report = await pipeline(ds).use(imageStats()).use(duplicates({ embeddingDistance: 0.1 })).provide(artifacts.knn, knn).run();
    const near = report.findings.filter((f) => f.type === "near_duplicate");
    expect(near.map((f) => [f.indices, f.data!.methods])).toEqual([[[0, 3], ["embedding"]]]);
    const without = await pipeline(ds).use(imageStats()).use(duplicates({ embeddingDistance: 0.1 })).run();
    expect(without.findings.filter((f) => f.type === "near_duplicate")).toEqual([]);
    expect(without.nodes.find((n) => n.name === "duplicates")!.warnings![0]).toMatch(/no knn artifact/);
  });

  it("with @assay/math's plugin registered, the knn graph is built from embeddings (no label-issues needed)", async () => {
    const imgs = [specImageS(), specImageQ(), rotate90(specImageQ()), mirror(specImageS())];
    const ds = datasetOf(imgs);
    const registry = createRegistry().use(mathPlugin).use(plugin);
    // rows 0 and 3 are 0.05 apart, every other pair ≥ 1
    const embeddings = { rows: 4, cols: 2, data: Float32Array.from([0, 0, 5, 0, 0, 5, 0.05, 0]) };
    const report = await pipeline(ds, { registry })
      .use(imageStats())
      .use(duplicates({ embeddingDistance: 0.1 }))
      .provide(artifacts.embeddings, embeddings)
      .run();
    expect(report.nodes.find((n) => n.name === "knn-graph")!.plugin).toBe("@assay/math");
    const near = report.findings.filter((f) => f.type === "near_duplicate" && (f.data!.methods as string[]).includes("embedding"));
    expect(near.map((f) => f.indices)).toEqual([[0, 3]]);
  });

  it("identical file bytes group images even when decoding fails", async () => {
    const good = raster(specImageQ());
    const ds = createDataset({
      size: 4,
      images: async (i) => {
        if (i >= 2) throw new Error("corrupt JPEG");
        return good;
      },
      imageBytes: async (i) => Uint8Array.from([9, 9, i >= 2 ? 1 : 0]),
    });
    const stats = await computeImageStats(ctxOf(ds), statsOptions("basic"));
    expect(stats.unreadable.map((u) => u.index)).toEqual([2, 3]);
    const res = findDuplicates(stats, duplicatesOptions.parse({}));
    expect(res.groups.map((g) => [g.items, g.methods])).toEqual([
      [[0, 1], ["xxhash"]],
      [[2, 3], ["file"]],
    ]);
  });

  it("asking for D4 hashes that were not computed is a clear error", async () => {
    const stats = await computeImageStats(ctxOf(datasetOf([specImageS(), specImageQ()])), statsOptions("basic"));
    expect(() => findDuplicates(stats, duplicatesOptions.parse({ hashes: ["phash_d4"] }))).toThrow(/hashes: "all"/);
  });

  it("exports the plugin", () => {
    expect(plugin.detectors.map((d) => d.nodeName)).toEqual(["duplicates"]);
    expect(plugin.extractors!.map((e) => [e.nodeName, e.provides!.name])).toEqual([["duplicate-groups", "duplicates.groups"]]);
  });
});

describe("legacy mode", () => {
  it("D5/D6 — seed-era pchash values and grouping", async () => {
    const { legacyPchash, xxhash64 } = await import("@assay/linter");
    const { legacyDuplicates } = await import("./duplicates.js");
    const imgs = d3Images().filter((_, i) => i !== 6 && i !== 7);
    const pchash = imgs.map((img) => legacyPchash(img));
    expect(pchash).toEqual([
      "8e163169969e4e9d",
      "8e163169969e4e9d",
      "8e163169979e4e8d",
      "8ded309393344ece",
      "cc44ff44ff00ff00",
      "9955005500550055",
      "8e163169969e4e9d",
    ]);
    const xxhash = imgs.map((img) => xxhash64(img.data as Uint8Array));
    expect(legacyDuplicates({ xxhash, pchash })).toEqual({ exact: [[0, 1]], near: [[0, 1, 6]] });
    const d5 = [0, 1, 4].map((i) => imgs[i]!);
    expect(legacyDuplicates({ xxhash: d5.map((img) => xxhash64(img.data as Uint8Array)), pchash: d5.map((img) => legacyPchash(img)) })).toEqual({ exact: [[0, 1]], near: [] });
    expect(() => legacyPchash({ channels: 1, height: 8, width: 8, data: new Uint8Array(64) })).toThrow("Image must be larger than 8x8 for fuzzy hashing.");
  });
});

describe("the duplicates.groups artifact", () => {
  // S, a copy of S, S brightened (hash-near), Q, a mirrored Q (embedding-near only), zeros ×2 (exact)
  const imgs = () => {
    const S = specImageS();
    return [S, mapImage(S, (v) => v), mapImage(S, (v) => v + 20), specImageQ(), mirror(specImageQ())];
  };
  // rows 3 and 4 are 0.05 apart in the kNN graph, everything else far
  const knn: KnnGraph = {
    rows: 5,
    k: 1,
    metric: "euclidean",
    indices: Int32Array.from([1, 0, 0, 4, 3]),
    distances: Float32Array.from([0, 0, 0.9, 0.05, 0.05]),
    includesSelf: false,
    method: "exact",
  };

  it("groups exact, hash-near and embedding duplicates once, with the kind of each group", async () => {
    const ds = datasetOf(imgs(), { splits: ["train", "test", "train", "train", "train"] });
    let runs = 0;
    const counted = { ...duplicateGroups({ embeddingDistance: 0.1 }) };
    const inner = counted.run;
    counted.run = (ctx, inputs) => {
      runs++;
      return inner(ctx, inputs);
    };
    const report = await pipeline(ds).use(imageStats(), counted, duplicates()).provide(artifacts.knn, knn).run();
    expect(report.status).toBe("ok");
    expect(runs).toBe(1);
    const res = report.results.duplicates!.result as ReturnType<typeof findDuplicates>;
    expect(res.source).toBe("duplicates.groups");
    expect(res.groups.map((g) => [g.kind, g.items, g.methods])).toEqual([
      ["exact", [0, 1], ["xxhash"]],
      ["near", [0, 1, 2], ["dhash", "phash"]],
      ["embedding", [3, 4], ["embedding"]],
    ]);
    // split information and leakage are the detector's, added to copies of the shared groups
    expect(res.leakage).toEqual([0, 1]);
    expect(report.findings.filter((f) => f.type === "near_duplicate").map((f) => f.indices)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it("is deterministic and equals the detector's own grouping", async () => {
    const ctx = { ...ctxOf(datasetOf(imgs())), backend: () => Promise.reject(new Error("no backends here")) };
    const stats = await computeImageStats(ctx, statsOptions("basic"));
    const node = duplicateGroups({ embeddingDistance: 0.1 });
    const a = await node.run(ctx, { "images.stats": stats, knn });
    const b = await node.run(ctx, { "images.stats": stats, knn });
    expect(b).toEqual(a);
    expect(a.size).toBe(5);
    expect(a.options).toEqual({ hashes: ["phash", "dhash"], exact: true, fileBytes: true, merge: true, perBox: true, embeddingDistance: 0.1 });
    expect(a.groups.every((g) => g.splits === undefined)).toBe(true);
    const direct = findDuplicates(stats, duplicatesOptions.parse({ embeddingDistance: 0.1 }), { knn });
    expect(a.groups).toEqual(direct.groups);
    expect(groupDuplicates(stats, a.options, knn)).toEqual(a.groups);
  });

  it("the detector regroups when its own grouping options disagree with the artifact's", async () => {
    const ds = datasetOf(imgs());
    const report = await pipeline(ds).use(imageStats(), duplicateGroups(), duplicates({ embeddingDistance: 0.1 })).provide(artifacts.knn, knn).run();
    const res = report.results.duplicates!.result as ReturnType<typeof findDuplicates>;
    expect(res.source).toBe("regrouped");
    expect(res.groups.map((g) => g.kind)).toEqual(["exact", "near", "embedding"]);
    const stats = { hashes: ["phash", "dhash"], exact: true, fileBytes: true, merge: true, perBox: true } as const;
    const value = { size: 5, options: { ...stats, hashes: [...stats.hashes] }, groups: [] };
    expect(groupsMatch(value, {}, 5)).toBe(true);
    expect(groupsMatch(value, { hashes: ["phash", "dhash"], merge: true }, 5)).toBe(true);
    expect(groupsMatch(value, { hashes: ["phash"] }, 5)).toBe(false);
    expect(groupsMatch(value, { embeddingDistance: 0.1 }, 5)).toBe(false);
    expect(groupsMatch(value, {}, 6)).toBe(false);
  });

  it("registered as a plugin, the extractor is found for the detector (one grouping) and without images.stats hashes it skips them", async () => {
    const registry = createRegistry().use(plugin);
    const ds = datasetOf(imgs());
    const report = await pipeline(ds, { registry }).use(imageStats(), duplicates()).run();
    expect(report.nodes.map((n) => n.name)).toEqual(["image-stats", "duplicate-groups", "duplicates"]);
    expect((report.results.duplicates!.result as { source: string }).source).toBe("duplicates.groups");
    const none = await pipeline(ds, { registry }).use(imageStats({ hashes: "none" }), duplicates()).run();
    expect(none.status).toBe("ok");
    expect(none.nodes.find((n) => n.name === "duplicate-groups")!.warnings).toEqual(["images.stats has no phash, dhash hash; near duplicates by those hashes skipped"]);
    expect(none.findings.map((f) => f.type)).toEqual(["exact_duplicate"]);
  });

  it("has a typed key", () => {
    expect(duplicateGroupsArtifact.name).toBe("duplicates.groups");
  });
});
