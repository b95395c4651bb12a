import { describe, expect, it } from "vitest";
import { createDataset } from "./dataset.js";

describe("createDataset", () => {
  it("builds a classification dataset with splits, ids and lazy images", async () => {
    const images = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i);
    const ds = createDataset({
      name: "tiny",
      classes: ["cat", "dog"],
      labels: [0, 1, null],
      ids: ["a.png", "b.png", "c.png"],
      splits: ["train", "test", "train"],
      images: { data: images, shape: [3, 2, 2] },
      meta: [{ camera: "x" }, {}, {}],
    });
    expect(ds.size).toBe(3);
    expect(ds.task).toBe("classification");
    expect(Array.from(ds.labels)).toEqual([0, 1, -1]);
    expect(Object.fromEntries(Object.entries(ds.splits).map(([k, v]) => [k, Array.from(v)]))).toEqual({ test: [1], train: [0, 2] });
    expect(ds.sample(0)).toEqual({ index: 0, id: "a.png", label: 0, meta: { camera: "x" }, split: "train" });
    expect(ds.sample(2).label).toBeNull();
    const img = await ds.image(1);
    expect(img).toMatchObject({ width: 2, height: 2, channels: 1, bitDepth: 8 });
    expect(Array.from(img.data)).toEqual([4, 5, 6, 7]);
  });

  it("infers multilabel and detection tasks and class names", () => {
    expect(createDataset({ multiLabels: [[0, 2], []] }).task).toBe("multilabel");
    const det = createDataset({ boxes: [[{ x: 1, y: 2, width: 3, height: 4, label: 1 }], []] });
    expect(det.task).toBe("detection");
    expect(det.classes).toEqual(["0", "1"]);
    expect(det.sample(0).boxes).toEqual([{ x: 1, y: 2, width: 3, height: 4, label: 1 }]);
    expect(createDataset({ size: 4 }).task).toBe("unlabeled");
  });

  it("gives the same fingerprint for the same content and a different one otherwise", () => {
    const a = createDataset({ labels: [0, 1], classes: ["x", "y"] });
    const b = createDataset({ labels: [0, 1], classes: ["x", "y"] });
    const c = createDataset({ labels: [1, 0], classes: ["x", "y"] });
    expect(a.fingerprint()).toMatch(/^[0-9a-f]{16}$/);
    expect(a.fingerprint()).toBe(b.fingerprint());
    expect(a.fingerprint()).not.toBe(c.fingerprint());
  });

  it.each([
    [{ labels: [0, 1], ids: ["a"] }, "ids has 1 rows but labels has 2"],
    [{ labels: [0, 2], classes: ["x", "y"] }, "label 2 is out of range: only 2 classes are named"],
    [{ labels: [0, 1.5] }, "labels[1] is 1.5; labels must be integers ≥ 0 (or −1/null for unlabeled)"],
    [{ labels: [0, 0], ids: ["a", "a"] }, 'ids[1] "a" repeats ids[0]; ids must be unique'],
    [{ labels: [0], classes: ["x", "x"] }, 'class name "x" appears twice in classes'],
    [{ labels: [0, 0], splits: { train: [0, 1], test: [1] } }, 'row 1 is in both split "test" and split "train"'],
    [{ labels: [0, 0], splits: { train: [2] } }, 'split "train" names row 2, outside 0…1'],
    [{ labels: [0, 0], images: { data: new Uint8Array(7), shape: [2, 2, 2] } }, "images.data has 7 values; shape [2,2,2] needs 8"],
    [{}, "createDataset needs at least one per-row array or `size`"],
  ])("rejects bad input %#", (options, message) => {
    expect(() => createDataset(options as never)).toThrowError(expect.objectContaining({ code: "INVALID_INPUT", message }));
  });

  it("rejects out-of-range sample indices and image reads without images", async () => {
    const ds = createDataset({ labels: [0] });
    expect(() => ds.sample(1)).toThrowError(expect.objectContaining({ code: "INVALID_INPUT" }));
    await expect(ds.image(0)).rejects.toMatchObject({ code: "INVALID_INPUT", message: 'dataset "dataset" has no images' });
  });
});
