import { createRegistry, pipeline } from "@assay/core";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { detectFormat, loadDataset } from "./load.js";
import { mapImages } from "./map-images.js";
import { unreadableImages } from "./nodes.js";
import { plugin } from "./plugin.js";
import { caught, pngHeaderOnly, put, solidImage, tempDir } from "./test-utils.js";

describe("imagefolder", () => {
  it("reads class folders recursively, sorted, with unlabeled root images", async () => {
    const root = await tempDir();
    await put(join(root, "dog", "b.png"), await solidImage(4, 4, [0, 0, 255]));
    await put(join(root, "cat", "a.jpg"), await solidImage(4, 4, [255, 0, 0], "jpeg"));
    await put(join(root, "cat", "deep", "c.png"), await solidImage(3, 2, [0, 255, 0]));
    await put(join(root, "cat", "readme.txt"), "not an image");
    await put(join(root, "loose.png"), await solidImage(2, 2, [9, 9, 9]));
    await mkdir(join(root, "empty-class"));
    expect(await detectFormat(root)).toBe("imagefolder");
    const ds = await loadDataset(root);
    expect(ds.ids).toEqual(["cat/a.jpg", "cat/deep/c.png", "dog/b.png", "loose.png"]);
    expect(ds.classes).toEqual(["cat", "dog", "empty-class"]);
    expect(Array.from(ds.labels)).toEqual([0, 0, 1, -1]);
    expect(ds.task).toBe("classification");
    expect(ds.sample(1).source).toBe(join(root, "cat", "deep", "c.png"));
    expect(await ds.image(1)).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(ds.fingerprint()).toMatch(/^[0-9a-f]{16}$/);
  });

  it("turns top-level train/ test/ val/ folders into splits", async () => {
    const root = await tempDir();
    for (const [split, cls, name] of [
      ["train", "a", "1.png"],
      ["train", "b", "2.png"],
      ["val", "a", "3.png"],
      ["test", "b", "4.png"],
    ] as const) {
      await put(join(root, split, cls, name), await solidImage(2, 2, [1, 1, 1]));
    }
    const ds = await loadDataset(root);
    expect(ds.classes).toEqual(["a", "b"]);
    expect(ds.ids).toEqual(["test/b/4.png", "train/a/1.png", "train/b/2.png", "val/a/3.png"]);
    expect(Array.from(ds.labels)).toEqual([1, 0, 1, 0]);
    expect(Object.fromEntries(Object.entries(ds.splits).map(([k, v]) => [k, Array.from(v)]))).toEqual({ test: [0], train: [1, 2], val: [3] });
    expect(ds.sample(3).split).toBe("val");
  });

  it("bad input: a nonexistent path", async () => {
    const e = await caught(() => loadDataset("/definitely/not/here"));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.details?.file).toBe("/definitely/not/here");
    expect(e.message).toContain("does not exist");
  });

  it("bad input: an empty folder", async () => {
    const root = await tempDir();
    const e = await caught(() => loadDataset(root));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("empty folder");
    expect(e.details?.file).toBe(root);
  });

  it("bad input: a folder with no images", async () => {
    const root = await tempDir();
    await put(join(root, "a", "notes.txt"), "hello");
    await put(join(root, "b", "data.bin"), Buffer.from([1, 2, 3]));
    const e = await caught(() => loadDataset(root));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("holds no images (2 other files)");
  });

  it("bad input: a single file that is not a dataset", async () => {
    const root = await tempDir();
    const file = await put(join(root, "notes.txt"), "hello");
    const e = await caught(() => loadDataset(file));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("cannot tell the dataset format");
  });

  it("bad input: a non-image, a 0-byte PNG, a truncated JPEG and a 100000×100000 PNG become unreadable_image findings; no other sample is lost", async () => {
    const root = await tempDir();
    const good = await solidImage(8, 8, [50, 60, 70]);
    const jpg = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#446688" } }).jpeg().toBuffer();
    await put(join(root, "ok", "good1.png"), good);
    await put(join(root, "ok", "good2.png"), good);
    await put(join(root, "bad", "bomb.png"), pngHeaderOnly(100000, 100000));
    await put(join(root, "bad", "empty.png"), new Uint8Array(0));
    await put(join(root, "bad", "text.png"), "this is text, not a PNG");
    await put(join(root, "bad", "truncated.jpg"), jpg.subarray(0, jpg.length >> 1));
    const ds = await loadDataset(root);
    const report = await pipeline(ds, { registry: createRegistry().use(plugin) }).use(unreadableImages()).run();
    expect(report.status).toBe("ok");
    const found = report.findings.map((f) => [f.type, f.ids[0], f.severity, String(f.data?.reason)]);
    expect(found.map((f) => f[1])).toEqual(["bad/bomb.png", "bad/empty.png", "bad/text.png", "bad/truncated.jpg"]);
    expect(found.every((f) => f[0] === "unreadable_image" && f[2] === "error")).toBe(true);
    expect(found[0]![3]).toContain("100000×100000");
    expect(found[1]![3]).toBe("the file is empty (0 bytes)");
    expect(found[2]![3]).toBe("not a supported image format");
    expect(report.results["unreadable-images"]?.summary).toEqual({ unreadable: 4, checked: 6 });
    expect(report.findings[0]!.data?.source).toBe(join(root, "bad", "bomb.png"));
  });

  it("bad input: non-UTF-8 file names load losslessly and decode", async () => {
    const root = await tempDir();
    const png = await solidImage(2, 2, [1, 2, 3]);
    await mkdir(join(root, "cls"));
    const dirBytes = Buffer.from(join(root, "cls"));
    // "caf\xE9.png" (Latin-1 é) and "x%41\xFF.png" — neither is valid UTF-8.
    await writeFile(Buffer.concat([dirBytes, Buffer.from("/caf"), Buffer.from([0xe9]), Buffer.from(".png")]), png);
    await writeFile(Buffer.concat([dirBytes, Buffer.from("/x%41"), Buffer.from([0xff]), Buffer.from(".png")]), png);
    await writeFile(join(root, "cls", "ok.png"), png);
    const ds = await loadDataset(root);
    expect(ds.ids).toEqual(["cls/caf%E9.png", "cls/ok.png", "cls/x%2541%FF.png"]);
    const { failures, results } = await mapImages(ds, (img) => img.width);
    expect(failures).toEqual([]);
    expect(results).toEqual([2, 2, 2]);
  });

  it("walks a symlink loop once", async () => {
    const root = await tempDir();
    await put(join(root, "a", "x.png"), await solidImage(2, 2, [1, 1, 1]));
    await symlink(join(root, "a"), join(root, "a", "loop"));
    const ds = await loadDataset(root);
    expect(ds.ids).toEqual(["a/x.png"]);
  });
});
