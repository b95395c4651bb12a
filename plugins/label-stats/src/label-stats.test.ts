import { AssayError, createDataset, pipeline, type Dataset, type Sample } from "@assay/core";
import { describe, expect, it } from "vitest";
import { argmaxLabel, countsByName, idsFromNames, labelStats, type LabelStats } from "./label-stats.js";
import { labelStatsFromDataset } from "./from-dataset.js";
import { labelStatsDetector, labelStatsExtractor, plugin } from "./index.js";

const entries = <K, V>(m: Map<K, V>) => [...m.entries()];

function checkInvariants(s: LabelStats) {
  const sumClass = [...s.labelCountsPerClass.values()].reduce((a, b) => a + b, 0);
  const sumImage = Array.from(s.labelCountsPerImage).reduce((a, b) => a + b, 0);
  expect(sumClass).toBe(s.labelCount);
  expect(sumImage).toBe(s.labelCount);
  for (const [c, n] of s.imageCountsPerClass) expect(s.imageIndicesPerClass.get(c)!.length).toBe(n);
  const sumImgPerClass = [...s.imageCountsPerClass.values()].reduce((a, b) => a + b, 0);
  expect(sumImgPerClass).toBe(s.classesPerImage.reduce((a, b) => a + b.length, 0));
  expect(s.emptyImageCount + Array.from(s.labelCountsPerImage).filter((v) => v > 0).length).toBe(s.imageCount);
  expect(s.classCount).toBe(s.labelCountsPerClass.size);
  expect(s.classCount).toBe(s.index2label.size);
}

describe("LS-1 detection, image 2 empty", () => {
  const s = labelStats([0, 0, 1, 1, 2, 0, 1, 2, 3], {
    itemIndices: [0, 0, 0, 1, 1, 3, 3, 3, 3],
    index2label: { 0: "horse", 1: "cow", 2: "sheep", 3: "pig" },
    imageCount: 4,
  });
  it("matches DataEval", () => {
    expect(entries(s.labelCountsPerClass)).toEqual([[0, 3], [1, 3], [2, 2], [3, 1]]);
    expect(Array.from(s.labelCountsPerImage)).toEqual([3, 2, 0, 4]);
    expect(entries(s.imageCountsPerClass)).toEqual([[0, 2], [1, 3], [2, 2], [3, 1]]);
    expect(entries(s.imageIndicesPerClass)).toEqual([[0, [0, 3]], [1, [0, 1, 3]], [2, [1, 3]], [3, [3]]]);
    expect(s.classesPerImage).toEqual([[0, 1], [1, 2], [], [0, 1, 2, 3]]);
    expect([s.imageCount, s.classCount, s.labelCount]).toEqual([4, 4, 9]);
    expect(entries(s.index2label)).toEqual([[0, "horse"], [1, "cow"], [2, "sheep"], [3, "pig"]]);
    expect(s.emptyImageIndices).toEqual([2]);
    expect(s.emptyImageCount).toBe(1);
    expect(s.meanLabelsPerImage).toBe(2.25);
    checkInvariants(s);
  });
});

describe("LS-2 classification, first-occurrence order", () => {
  it("keeps first-occurrence key order and names unseen ids by their number", () => {
    const s = labelStats([2, 0, 2, 1, 5], { index2label: { 0: "a", 1: "b", 2: "c", 3: "d" } });
    expect(entries(s.labelCountsPerClass)).toEqual([[2, 2], [0, 1], [1, 1], [5, 1]]);
    expect(entries(s.imageCountsPerClass)).toEqual([[2, 2], [0, 1], [1, 1], [5, 1]]);
    expect(entries(s.imageIndicesPerClass)).toEqual([[2, [0, 2]], [0, [1]], [1, [3]], [5, [4]]]);
    expect(Array.from(s.labelCountsPerImage)).toEqual([1, 1, 1, 1, 1]);
    expect(s.classesPerImage).toEqual([[2], [0], [2], [1], [5]]);
    expect([s.imageCount, s.classCount, s.labelCount]).toEqual([5, 4, 5]);
    expect(entries(s.index2label)).toEqual([[0, "a"], [1, "b"], [2, "c"], [5, "5"]]);
    expect(s.emptyImageIndices).toEqual([]);
    checkInvariants(s);
  });
});

describe("LS-3 empty inputs", () => {
  it("no labels, no indices", () => {
    const s = labelStats([]);
    expect(s.labelCountsPerClass.size + s.imageCountsPerClass.size + s.imageIndicesPerClass.size + s.index2label.size).toBe(0);
    expect(Array.from(s.labelCountsPerImage)).toEqual([]);
    expect(s.classesPerImage).toEqual([]);
    expect([s.imageCount, s.classCount, s.labelCount, s.emptyImageCount, s.meanLabelsPerImage]).toEqual([0, 0, 0, 0, 0]);
    expect(s.emptyImageIndices).toEqual([]);
  });
  it("no labels, three images", () => {
    const s = labelStats([], { itemIndices: [], index2label: {}, imageCount: 3 });
    expect(Array.from(s.labelCountsPerImage)).toEqual([0, 0, 0]);
    expect(s.classesPerImage).toEqual([[], [], []]);
    expect(s.imageCount).toBe(3);
    expect(s.emptyImageIndices).toEqual([0, 1, 2]);
    expect(s.emptyImageCount).toBe(3);
    expect(s.labelCountsPerClass.size + s.index2label.size).toBe(0);
  });
});

describe("LS-4 inferred image count, unsorted item indices", () => {
  it("uses max + 1 and encounter order", () => {
    const s = labelStats([3, 3, 1, 3, 0], { itemIndices: [4, 4, 4, 1, 1] });
    expect(s.imageCount).toBe(5);
    expect(entries(s.labelCountsPerClass)).toEqual([[3, 3], [1, 1], [0, 1]]);
    expect(Array.from(s.labelCountsPerImage)).toEqual([0, 2, 0, 0, 3]);
    expect(entries(s.imageCountsPerClass)).toEqual([[3, 2], [1, 1], [0, 1]]);
    expect(entries(s.imageIndicesPerClass)).toEqual([[3, [4, 1]], [1, [4]], [0, [1]]]);
    expect(s.classesPerImage).toEqual([[], [3, 0], [], [], [3, 1]]);
    expect(entries(s.index2label)).toEqual([[0, "0"], [1, "1"], [3, "3"]]);
    expect(s.emptyImageIndices).toEqual([0, 2, 3]);
    checkInvariants(s);
  });
  it("DataEval test: gaps in item indices", () => {
    const s = labelStats([0, 1, 2], { itemIndices: [0, 2, 5] });
    expect(s.imageCount).toBe(6);
    expect(s.emptyImageIndices).toEqual([1, 3, 4]);
    expect(s.emptyImageCount).toBe(3);
  });
});

describe("LS-5 negative id, repeated class within an image", () => {
  it("treats −1 as an ordinary id", () => {
    const s = labelStats([-1, 0, 1, -1, -1], {
      itemIndices: [0, 0, 1, 2, 2],
      index2label: new Map([[-1, "background"], [0, "cat"], [1, "dog"]]),
      imageCount: 4,
    });
    expect(entries(s.labelCountsPerClass)).toEqual([[-1, 3], [0, 1], [1, 1]]);
    expect(Array.from(s.labelCountsPerImage)).toEqual([2, 1, 2, 0]);
    expect(entries(s.imageCountsPerClass)).toEqual([[-1, 2], [0, 1], [1, 1]]);
    expect(entries(s.imageIndicesPerClass)).toEqual([[-1, [0, 2]], [0, [0]], [1, [1]]]);
    expect(s.classesPerImage).toEqual([[-1, 0], [1], [-1], []]);
    expect(entries(s.index2label)).toEqual([[-1, "background"], [0, "cat"], [1, "dog"]]);
    expect(s.emptyImageIndices).toEqual([3]);
    expect([s.classCount, s.labelCount]).toEqual([3, 5]);
    checkInvariants(s);
  });
  it("orders classes within an image by first occurrence", () => {
    const s = labelStats([1, 1, 0, 1, 0], { itemIndices: [0, 0, 0, 1, 2] });
    expect(s.classesPerImage).toEqual([[1, 0], [1], [0]]);
    expect(entries(s.labelCountsPerClass)).toEqual([[1, 3], [0, 2]]);
    expect(entries(s.imageIndicesPerClass)).toEqual([[1, [0, 1]], [0, [0, 2]]]);
  });
  it("accepts a record with a negative key", () => {
    expect(labelStats([-1], { index2label: { "-1": "bg" } }).index2label.get(-1)).toBe("bg");
  });
});

/** A detection dataset whose labels may exceed its class list (createDataset rejects that). */
function detectionDataset(classes: string[], boxes: number[][]): Dataset {
  const ids = boxes.map((_, i) => `img${i}`);
  return {
    name: "det",
    size: boxes.length,
    classes,
    task: "detection",
    ids,
    labels: new Int32Array(boxes.length).fill(-1),
    splits: {},
    hasImages: false,
    sample: (i): Sample => ({
      index: i,
      id: ids[i]!,
      label: null,
      boxes: boxes[i]!.map((label) => ({ x: 0, y: 0, width: 1, height: 1, label })),
      meta: {},
    }),
    image: () => Promise.reject(new Error("no images")),
    fingerprint: () => "det",
  };
}

describe("LS-6 dataset-derived detection input", () => {
  const ds = detectionDataset(["car", "person", "bike", "boat"], [[0, 0, 1], [], [2], [7]]);
  it("flattens boxes and names undefined classes", () => {
    const s = labelStatsFromDataset(ds);
    expect(entries(s.labelCountsPerClass)).toEqual([[0, 2], [1, 1], [2, 1], [7, 1]]);
    expect(Array.from(s.labelCountsPerImage)).toEqual([3, 0, 1, 1]);
    expect(entries(s.imageCountsPerClass)).toEqual([[0, 1], [1, 1], [2, 1], [7, 1]]);
    expect(s.classesPerImage).toEqual([[0, 1], [], [2], [7]]);
    expect([s.classCount, s.labelCount, s.imageCount]).toEqual([4, 5, 4]);
    expect(entries(s.index2label)).toEqual([[0, "car"], [1, "person"], [2, "bike"], [7, "UNDEFINED_CLASS_7"]]);
    expect(s.emptyImageIndices).toEqual([1]);
  });
  it("core function with only the four names falls back to the number", () => {
    const s = labelStats([0, 0, 1, 2, 7], { itemIndices: [0, 0, 0, 2, 3], imageCount: 4, index2label: { 0: "car", 1: "person", 2: "bike", 3: "boat" } });
    expect(s.index2label.get(7)).toBe("7");
  });
  it("detector: one empty_image and one undefined_class finding", async () => {
    const report = await pipeline(ds).use(labelStatsDetector()).run();
    expect(report.status).toBe("ok");
    const f = report.findings;
    expect(f.map((x) => [x.type, x.indices, x.severity])).toEqual([
      ["empty_image", [1], "info"],
      ["undefined_class", [3], "warning"],
    ]);
    expect(f[0]!.data).toEqual({ count: 1 });
    expect(f[1]!.data).toEqual({ id: 7, name: "UNDEFINED_CLASS_7" });
    expect(report.results["label-stats"]!.summary).toMatchObject({ labels: 5, images: 4, classes: 4, empty_images: 1 });
  });
  it("classification variant: score vectors → argmax, first on ties, empty → none", () => {
    const targets = [[0, 1, 0], [0.5, 0.5, 0], []].map(argmaxLabel);
    expect(targets).toEqual([1, 0, null]);
    const classLabels: number[] = [];
    const itemIndices: number[] = [];
    targets.forEach((t, i) => {
      if (t !== null) {
        classLabels.push(t);
        itemIndices.push(i);
      }
    });
    const s = labelStats(classLabels, { itemIndices, imageCount: 3 });
    expect(classLabels).toEqual([1, 0]);
    expect(itemIndices).toEqual([0, 1]);
    expect(s.emptyImageIndices).toEqual([2]);
  });
  it("multi-label dataset: a repeated id counts twice per class, once per image", () => {
    const mds = createDataset({ multiLabels: [[0, 2, 0], [], [1]], classes: ["a", "b", "c"] });
    const s = labelStatsFromDataset(mds);
    expect(entries(s.labelCountsPerClass)).toEqual([[0, 2], [2, 1], [1, 1]]);
    expect(s.classesPerImage).toEqual([[0, 2], [], [1]]);
    expect(s.emptyImageIndices).toEqual([1]);
  });
  it("classification dataset: unlabeled rows are empty images", () => {
    const cds = createDataset({ labels: [1, null, 0, 1], classes: ["x", "y"] });
    const s = labelStatsFromDataset(cds);
    expect(entries(s.labelCountsPerClass)).toEqual([[1, 2], [0, 1]]);
    expect(s.emptyImageIndices).toEqual([1]);
    expect(entries(s.index2label)).toEqual([[0, "x"], [1, "y"]]);
  });
});

describe("LS-7 the seed's subset", () => {
  it("first-occurrence order gives the seed's printed order", () => {
    const names = ["airplane", "cat", "dog", "deer", "automobile", "truck", "bird", "ship"];
    const blocks: [number, number][] = [[0, 300], [1, 300], [2, 300], [3, 300], [6, 30], [7, 300], [5, 300], [4, 300]];
    const labels = blocks.flatMap(([c, n]) => Array<number>(n).fill(c));
    const s = labelStats(labels, { index2label: new Map(names.map((n, i) => [i, n])) });
    expect(entries(s.labelCountsPerClass)).toEqual(blocks);
    expect([s.classCount, s.imageCount, s.labelCount, s.emptyImageCount]).toEqual([8, 2130, 2130, 0]);
    expect(Array.from(s.labelCountsPerImage).every((v) => v === 1)).toBe(true);
    const sorted = [...countsByName(s).entries()].sort((a, b) => b[1] - a[1]).map(([n]) => n);
    expect(sorted).toEqual(["airplane", "cat", "dog", "deer", "ship", "truck", "automobile", "bird"]);
  });
});

describe("LS-8 errors", () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(AssayError);
      return [(e as AssayError).code, (e as AssayError).message];
    }
    throw new Error("expected an error");
  };
  it("length mismatch", () => {
    const [c, m] = code(() => labelStats([0, 1, 2], { itemIndices: [0, 0] }));
    expect(c).toBe("INVALID_INPUT");
    expect(m).toContain("item_indices length");
  });
  it("index out of range, negative index, fractional id, bad key", () => {
    expect(code(() => labelStats([0, 1], { itemIndices: [0, 5], imageCount: 3 }))[1]).toContain("out of range");
    expect(code(() => labelStats([0, 1], { itemIndices: [0, -1], imageCount: 3 }))[0]).toBe("INVALID_INPUT");
    expect(code(() => labelStats([0, 1.5]))[1]).toContain("1.5");
    expect(code(() => labelStats([0], { index2label: { x: "cat" } }))[1]).toContain('"x"');
  });
  it("idsFromNames rejects unknown and doubly defined names", () => {
    expect(Array.from(idsFromNames(["b", "a"], ["a", "b"]))).toEqual([1, 0]);
    expect(code(() => idsFromNames(["z"], ["a", "b"]))[1]).toContain('"z"');
    expect(code(() => idsFromNames(["a"], ["a", "a"]))[1]).toContain("more than one");
  });
});

describe("LS-9 properties", () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  it("invariants hold on random inputs; permuting within an image keeps counts; an extra empty image", () => {
    for (let trial = 0; trial < 50; trial++) {
      const n = rand(40);
      const m = 1 + rand(10);
      const labels = Array.from({ length: n }, () => rand(6) - 1);
      const items = Array.from({ length: n }, () => rand(m)).sort((a, b) => a - b);
      const s = labelStats(labels, { itemIndices: items, imageCount: m });
      checkInvariants(s);
      // reverse the labels inside each image
      const permuted = [...labels];
      for (let start = 0; start < n; ) {
        let end = start;
        while (end < n && items[end] === items[start]) end++;
        const block = labels.slice(start, end).reverse();
        permuted.splice(start, block.length, ...block);
        start = end;
      }
      const p = labelStats(permuted, { itemIndices: items, imageCount: m });
      expect(new Map([...p.labelCountsPerClass].sort())).toEqual(new Map([...s.labelCountsPerClass].sort()));
      expect(p.labelCountsPerImage).toEqual(s.labelCountsPerImage);
      expect(p.classesPerImage.map((c) => [...c].sort())).toEqual(s.classesPerImage.map((c) => [...c].sort()));
      const e = labelStats(labels, { itemIndices: items, imageCount: m + 1 });
      expect(e.emptyImageIndices).toEqual([...s.emptyImageIndices, m]);
      expect(e.labelCountsPerClass).toEqual(s.labelCountsPerClass);
      expect(e.index2label).toEqual(s.index2label);
    }
  });
});

describe("plugin", () => {
  it("exports the detector and extractor; the detector reuses the artifact", async () => {
    expect(plugin.detectors.map((d) => d.nodeName)).toEqual(["label-stats"]);
    const ds = createDataset({ labels: [0, 1, 1], classes: ["a", "b"] });
    const report = await pipeline(ds).use(labelStatsDetector(), labelStatsExtractor()).run();
    expect(report.nodes.map((n) => [n.name, n.status])).toEqual([["label.stats", "ok"], ["label-stats", "ok"]]);
    const result = report.results["label-stats"]!.result as LabelStats;
    expect(entries(result.labelCountsPerClass)).toEqual([[0, 1], [1, 2]]);
  });
});
