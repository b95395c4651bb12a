import { createRegistry, pipeline } from "@assay/core";
import { tableFromArrays, tableToIPC, Table, vectorFromArray, makeVector, FixedSizeList, Float32, Field, Binary } from "apache-arrow";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEmbeddings, writeEmbeddingsNpy } from "./embeddings.js";
import { detectFormat, loadDataset } from "./load.js";
import { invalidBoxes } from "./nodes.js";
import { writeNpy } from "./npy.js";
import { plugin } from "./plugin.js";
import { caught, put, solidImage, tempDir } from "./test-utils.js";

describe(".npy datasets", () => {
  it("loads images.npy + labels.npy + classes.txt from a folder", async () => {
    const dir = await tempDir();
    const images = Uint8Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => i);
    await writeNpy(join(dir, "images.npy"), images, [3, 2, 2, 3]);
    await writeNpy(join(dir, "labels.npy"), BigInt64Array.from([1n, 0n, -1n]));
    await put(join(dir, "classes.txt"), "ant\nbee\n");
    expect(await detectFormat(dir)).toBe("npy");
    const ds = await loadDataset(dir);
    expect(ds.classes).toEqual(["ant", "bee"]);
    expect(Array.from(ds.labels)).toEqual([1, 0, -1]);
    const im = await ds.image(2);
    expect(im).toMatchObject({ width: 2, height: 2, channels: 3 });
    expect(Array.from(im.data)).toEqual(Array.from({ length: 12 }, (_, i) => 24 + i));
  });

  it("reads N×K multi-hot labels as multi-label", async () => {
    const dir = await tempDir();
    await writeNpy(join(dir, "images.npy"), new Uint8Array(2 * 4), [2, 2, 2]);
    await writeNpy(join(dir, "labels.npy"), Float32Array.from([1, 0, 1, 0, 0, 0]), [2, 3]);
    const ds = await loadDataset(dir);
    expect(ds.task).toBe("multilabel");
    expect(ds.classes).toEqual(["0", "1", "2"]);
    expect(ds.sample(0).labels).toEqual([0, 2]);
    expect(ds.sample(1).labels).toEqual([]);
  });

  it("bad input: labels.npy length ≠ images", async () => {
    const dir = await tempDir();
    await writeNpy(join(dir, "images.npy"), new Uint8Array(3 * 4), [3, 2, 2]);
    await writeNpy(join(dir, "labels.npy"), Int32Array.from([0, 1]));
    const e = await caught(() => loadDataset(dir));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("labels.npy has shape [2] but");
    expect(e.details).toMatchObject({ file: join(dir, "labels.npy"), labels: 2, expected: 3 });
    await writeNpy(join(dir, "images.npy"), new Float32Array(3 * 4), [3, 2, 2]);
    expect((await caught(() => loadDataset(dir))).message).toContain("holds float32 [3, 2, 2]; expected uint8 images");
  });
});

describe("COCO", () => {
  async function cocoFixture(mutate?: (j: Record<string, unknown[]>) => void) {
    const dir = await tempDir();
    await put(join(dir, "images", "a.png"), await solidImage(10, 8, [1, 1, 1]));
    await put(join(dir, "images", "b.png"), await solidImage(10, 8, [2, 2, 2]));
    const json: Record<string, unknown[]> = {
      images: [
        { id: 2, file_name: "b.png", width: 10, height: 8 },
        { id: 1, file_name: "a.png", width: 10, height: 8 },
      ],
      annotations: [
        { id: 10, image_id: 1, category_id: 3, bbox: [1, 1, 4, 4], iscrowd: 0 },
        { id: 11, image_id: 1, category_id: 1, bbox: [0, 0, 10, 8], iscrowd: 1 },
        { id: 12, image_id: 2, category_id: 3, bbox: [6, 2, 9, 3], iscrowd: 0 },
      ],
      categories: [
        { id: 3, name: "zebra" },
        { id: 1, name: "person" },
      ],
    };
    mutate?.(json);
    const file = await put(join(dir, "instances_val.json"), JSON.stringify(json));
    return { dir, file };
  }

  it("loads images, boxes, categories (sorted by id) and iscrowd", async () => {
    const { dir, file } = await cocoFixture();
    expect(await detectFormat(file)).toBe("coco");
    const ds = await loadDataset(file);
    expect(ds.task).toBe("detection");
    expect(ds.classes).toEqual(["person", "zebra"]);
    expect(ds.ids).toEqual(["b.png", "a.png"]);
    expect(ds.sample(1).boxes).toEqual([
      { x: 1, y: 1, width: 4, height: 4, label: 1, iscrowd: false, id: 10 },
      { x: 0, y: 0, width: 10, height: 8, label: 0, iscrowd: true, id: 11 },
    ]);
    expect(ds.sample(0).source).toBe(join(dir, "images", "b.png"));
    expect(ds.sample(0).meta).toEqual({ coco_id: 2, width: 10, height: 8 });
    expect(await ds.image(1)).toMatchObject({ width: 10, height: 8 });
  });

  it("bad input: a box outside its image is a box_out_of_bounds finding (the load succeeds)", async () => {
    const { file } = await cocoFixture();
    const ds = await loadDataset(file);
    const report = await pipeline(ds, { registry: createRegistry().use(plugin) }).use(invalidBoxes()).run();
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(f).toMatchObject({ type: "box_out_of_bounds", ids: ["b.png"], severity: "warning", score: 5 });
    expect(f.data).toMatchObject({ boxIndex: 0, overflow: 5, image: { width: 10, height: 8 } });
  });

  it("bad input: malformed COCO JSON names the field", async () => {
    const bbox = await cocoFixture((j) => {
      (j.annotations![1] as { bbox: unknown }).bbox = [0, 0, "wide", 8];
    });
    const e = await caught(() => loadDataset(bbox.file));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.details?.field).toBe("annotations[1].bbox[2]");
    expect(e.message).toContain('COCO field "annotations[1].bbox[2]" is invalid');

    const cat = await cocoFixture((j) => {
      (j.annotations![2] as { category_id: number }).category_id = 99;
    });
    expect((await caught(() => loadDataset(cat.file))).details?.field).toBe("annotations[2].category_id");

    const noImages = await cocoFixture((j) => {
      delete (j as Record<string, unknown>).images;
    });
    expect((await caught(() => loadDataset(noImages.file))).details?.field).toBe("images");

    const dir = await tempDir();
    const broken = await put(join(dir, "x.json"), '{"images": [');
    expect((await caught(() => loadDataset(broken))).message).toContain("is not valid JSON");
  });
});

describe("Pascal VOC", () => {
  const xml = (file: string, objects: string) =>
    `<annotation><folder>VOC</folder><filename>${file}</filename><size><width>20</width><height>10</height><depth>3</depth></size>${objects}</annotation>`;
  const obj = (name: string, b: [number, number, number, number], difficult = 0) =>
    `<object><name>${name}</name><difficult>${difficult}</difficult><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;

  it("loads Annotations + JPEGImages with ImageSets splits", async () => {
    const root = await tempDir();
    await put(join(root, "Annotations", "000001.xml"), xml("000001.jpg", obj("dog", [1, 2, 11, 8]) + obj("cat", [0, 0, 5, 5], 1)));
    await put(join(root, "Annotations", "000002.xml"), xml("000002.jpg", obj("cat", [2, 2, 30, 9])));
    await put(join(root, "JPEGImages", "000001.jpg"), await solidImage(20, 10, [5, 5, 5], "jpeg"));
    await put(join(root, "JPEGImages", "000002.jpg"), await solidImage(20, 10, [6, 6, 6], "jpeg"));
    await put(join(root, "ImageSets", "Main", "train.txt"), "000001\n");
    await put(join(root, "ImageSets", "Main", "val.txt"), "000002\n");
    expect(await detectFormat(root)).toBe("voc");
    const ds = await loadDataset(root);
    expect(ds.classes).toEqual(["cat", "dog"]);
    expect(ds.ids).toEqual(["JPEGImages/000001.jpg", "JPEGImages/000002.jpg"]);
    expect(ds.sample(0).boxes).toEqual([
      { x: 1, y: 2, width: 10, height: 6, label: 1 },
      { x: 0, y: 0, width: 5, height: 5, label: 0 },
    ]);
    expect(ds.sample(0).meta).toEqual({ width: 20, height: 10, difficult: [false, true], truncated: [false, false] });
    expect(ds.sample(1).split).toBe("val");
    expect(await ds.image(0)).toMatchObject({ width: 20, height: 10, channels: 3 });
    const report = await pipeline(ds).use(invalidBoxes()).run();
    expect(report.findings.map((f) => [f.type, f.ids[0], f.score])).toEqual([["box_out_of_bounds", "JPEGImages/000002.jpg", 10]]);
  });

  it("bad input: a missing coordinate names the file and field", async () => {
    const root = await tempDir();
    const file = await put(join(root, "Annotations", "a.xml"), xml("a.jpg", "<object><name>x</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>3</xmax></bndbox></object>"));
    await put(join(root, "JPEGImages", "a.jpg"), "");
    const e = await caught(() => loadDataset(root));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.details).toEqual({ file, field: "object[0].bndbox.ymax" });
  });
});

describe("Arrow", () => {
  it("loads embedded image bytes with dictionary-free string labels and metadata", async () => {
    const dir = await tempDir();
    const a = await solidImage(2, 2, [255, 0, 0]);
    const b = await solidImage(3, 3, [0, 0, 255]);
    const table = new Table({
      image: vectorFromArray([new Uint8Array(a), new Uint8Array(b)], new Binary()),
      label: vectorFromArray(["red", "blue"]),
      split: vectorFromArray(["train", "test"]),
      weight: vectorFromArray([0.5, 2]),
    });
    const file = await put(join(dir, "data.arrow"), tableToIPC(table, "file"));
    expect(await detectFormat(file)).toBe("arrow");
    const ds = await loadDataset(file);
    expect(ds.classes).toEqual(["blue", "red"]);
    expect(Array.from(ds.labels)).toEqual([1, 0]);
    expect(ds.ids).toEqual(["0", "1"]);
    expect(ds.sample(1)).toMatchObject({ split: "test", meta: { weight: 2 } });
    expect(await ds.image(1)).toMatchObject({ width: 3, height: 3, channels: 3 });
    expect(Array.from((await ds.image(0)).data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it("loads a path column with integer labels", async () => {
    const dir = await tempDir();
    await put(join(dir, "imgs", "x.png"), await solidImage(2, 2, [1, 1, 1]));
    const file = await put(join(dir, "t.feather"), tableToIPC(tableFromArrays({ path: ["imgs/x.png", "imgs/gone.png"], label: Int32Array.from([2, 0]) }), "file"));
    const ds = await loadDataset(file);
    expect(ds.classes).toEqual(["0", "1", "2"]);
    expect(ds.ids).toEqual(["imgs/x.png", "imgs/gone.png"]);
    expect(await ds.image(0)).toMatchObject({ width: 2 });
    expect((await caught(() => ds.image(1))).details?.reason).toBe("file not found");
  });
});

describe("embeddings files", () => {
  it("round-trips .npy and reads float64 and Arrow fixed-size lists or numeric columns", async () => {
    const dir = await tempDir();
    const m = { rows: 2, cols: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    await writeEmbeddingsNpy(join(dir, "e.npy"), m);
    expect(await readEmbeddings(join(dir, "e.npy"))).toEqual(m);
    await writeNpy(join(dir, "d.npy"), Float64Array.from([0.25, 0.5]), [1, 2]);
    expect(await readEmbeddings(join(dir, "d.npy"))).toEqual({ rows: 1, cols: 2, data: Float32Array.from([0.25, 0.5]) });

    const listType = new FixedSizeList(3, new Field("v", new Float32()));
    const vec = makeVector({ type: listType, length: 2, nullCount: 0, child: makeVector(m.data) } as never);
    const fsl = await put(join(dir, "e.arrow"), tableToIPC(new Table({ id: vectorFromArray(["a", "b"]), emb: vec }), "file"));
    expect(await readEmbeddings(fsl)).toEqual(m);
    const cols = await put(join(dir, "c.arrow"), tableToIPC(tableFromArrays({ x: Float32Array.from([1, 4]), y: Float64Array.from([2, 5]), z: Int32Array.from([3, 6]) }), "file"));
    expect(await readEmbeddings(cols)).toEqual(m);
  });

  it("rejects non-finite values naming row and column", async () => {
    const dir = await tempDir();
    await writeNpy(join(dir, "nan.npy"), Float32Array.from([1, Number.NaN]), [1, 2]);
    const e = await caught(() => readEmbeddings(join(dir, "nan.npy")));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.details).toMatchObject({ row: 0, col: 1 });
  });
});
