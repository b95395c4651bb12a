import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectFormat, loadDataset } from "./load.js";
import { caught, put, solidImage, tempDir } from "./test-utils.js";

async function imagesIn(root: string, names: string[]) {
  const png = await solidImage(3, 3, [7, 8, 9]);
  for (const n of names) await put(join(root, n), png);
}

describe("CSV and JSONL manifests", () => {
  it("reads a CSV with quoted fields, splits and metadata columns", async () => {
    const root = await tempDir();
    await imagesIn(root, ["img/a.png", "img/b, c.png", "img/d.png"]);
    const csv = await put(
      join(root, "manifest.csv"),
      '\uFEFFpath,label,split,note\nimg/a.png,cat,train,"said ""hi"""\n"img/b, c.png",dog,test,\nimg/d.png,,train,x\n',
    );
    expect(await detectFormat(csv)).toBe("csv");
    const ds = await loadDataset(csv);
    expect(ds.ids).toEqual(["img/a.png", "img/b, c.png", "img/d.png"]);
    expect(ds.classes).toEqual(["cat", "dog"]);
    expect(Array.from(ds.labels)).toEqual([0, 1, -1]);
    expect(Array.from(ds.splits.train!)).toEqual([0, 2]);
    expect(ds.sample(0).meta).toEqual({ note: 'said "hi"' });
    expect(ds.sample(1).source).toBe(join(root, "img", "b, c.png"));
    expect(await ds.image(1)).toMatchObject({ width: 3, height: 3 });
  });

  it("maps names through a given class list and takes integer labels as indices", async () => {
    const root = await tempDir();
    const csv = await put(join(root, "m.csv"), "file,class\na.png,dog\nb.png,1\nc.png,cat\n");
    const ds = await loadDataset(csv, { classes: ["cat", "dog"] });
    expect(Array.from(ds.labels)).toEqual([1, 1, 0]);
    const ints = await put(join(root, "n.csv"), "image,target\na.png,2\nb.png,0\n");
    const di = await loadDataset(ints);
    expect(di.classes).toEqual(["0", "1", "2"]);
    expect(Array.from(di.labels)).toEqual([2, 0]);
  });

  it("reads JSONL multi-label rows (arrays or separated strings) with metadata", async () => {
    const root = await tempDir();
    const jsonl = await put(
      join(root, "data.jsonl"),
      [JSON.stringify({ path: "a.png", labels: ["sky", "tree"], score: 0.5 }), "", JSON.stringify({ path: "b.png", labels: "tree|car" }), JSON.stringify({ path: "c.png", labels: [] })].join("\n"),
    );
    const ds = await loadDataset(jsonl);
    expect(ds.task).toBe("multilabel");
    expect(ds.classes).toEqual(["car", "sky", "tree"]);
    expect(ds.sample(0).labels).toEqual([1, 2]);
    expect(ds.sample(1).labels).toEqual([0, 2]);
    expect(ds.sample(2).labels).toEqual([]);
    expect(ds.sample(0).meta).toEqual({ score: 0.5 });
  });

  it("bad input: an unknown class name names the file, the row and the value", async () => {
    const root = await tempDir();
    const csv = await put(join(root, "m.csv"), "path,label\na.png,cat\nb.png,zebra\n");
    const e = await caught(() => loadDataset(csv, { classes: ["cat", "dog"] }));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toBe(`${csv}: row 2 (line 3) has unknown class "zebra"; known classes: cat, dog`);
    expect(e.details).toMatchObject({ file: csv, row: 1, value: "zebra" });
  });

  it("bad input: broken CSV, bad JSON lines and a missing path column", async () => {
    const root = await tempDir();
    const csv = await put(join(root, "bad.csv"), 'path,label\n"a.png,cat\n');
    expect((await caught(() => loadDataset(csv))).message).toContain("is not valid CSV");
    const jsonl = await put(join(root, "bad.jsonl"), '{"path": "a.png"}\n{oops}\n');
    const j = await caught(() => loadDataset(jsonl));
    expect(j.message).toContain("line 2 is not valid JSON");
    expect(j.details).toMatchObject({ file: jsonl, line: 2 });
    const nopath = await put(join(root, "np.csv"), "name,label\na.png,1\n");
    expect((await caught(() => loadDataset(nopath))).message).toContain("has no path column");
  });

  it("a row whose file is missing is an unreadable image, not a load error", async () => {
    const root = await tempDir();
    const csv = await put(join(root, "m.csv"), "path\nmissing.png\n");
    const ds = await loadDataset(csv);
    const e = await caught(() => ds.image(0));
    expect(e.code).toBe("IO_ERROR");
    expect(e.details).toMatchObject({ reason: "file not found", index: 0 });
  });
});

describe("manifest labels", () => {
  it("treats empty and -1 labels as unlabeled", async () => {
    const root = await tempDir();
    const csv = await put(join(root, "m.csv"), "path,label\na.png,-1\nb.png,1\nc.png,\n");
    const ds = await loadDataset(csv);
    expect(ds.classes).toEqual(["0", "1"]);
    expect(Array.from(ds.labels)).toEqual([-1, 1, -1]);
  });
});
