import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseIdx } from "./idx.js";
import { loadDataset } from "./load.js";
import { caught, idxBytes, put, tempDir } from "./test-utils.js";

describe("IDX", () => {
  it("parses plain and gzipped files, and big-endian int32", () => {
    const raw = idxBytes([2, 2, 3], Uint8Array.from({ length: 12 }, (_, i) => i));
    for (const bytes of [raw, gzipSync(raw)]) {
      const a = parseIdx(bytes);
      expect(a.shape).toEqual([2, 2, 3]);
      expect(Array.from(a.data)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    }
    const i32 = Buffer.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]);
    expect(Array.from(parseIdx(i32).data)).toEqual([-2, 256]);
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4]), "bad.idx")).toThrow(/bad\.idx is not a valid IDX file/);
  });

  it("loads a folder of train/t10k pairs as splits with an in-memory tensor", async () => {
    const dir = await tempDir();
    const img = (n: number, base: number) => idxBytes([n, 2, 2], Uint8Array.from({ length: n * 4 }, (_, i) => base + i));
    await put(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(img(3, 0)));
    await put(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 1])));
    await put(join(dir, "t10k-images-idx3-ubyte"), img(2, 100));
    await put(join(dir, "t10k-labels-idx1-ubyte"), Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 1, 1]));
    const ds = await loadDataset(dir, { classes: ["a", "b", "c"] });
    expect(ds.size).toBe(5);
    expect(ds.ids).toEqual(["test/0", "test/1", "train/0", "train/1", "train/2"]);
    expect(Array.from(ds.labels)).toEqual([1, 1, 2, 0, 1]);
    expect(Object.fromEntries(Object.entries(ds.splits).map(([k, v]) => [k, Array.from(v)]))).toEqual({ test: [0, 1], train: [2, 3, 4] });
    const im = await ds.image(1);
    expect(im).toMatchObject({ width: 2, height: 2, channels: 1 });
    expect(Array.from(im.data)).toEqual([104, 105, 106, 107]);
  });

  it("loads one images file with its labels partner, and rejects a length mismatch", async () => {
    const dir = await tempDir();
    await put(join(dir, "x-images-idx3-ubyte"), idxBytes([2, 1, 1], Uint8Array.from([5, 6])));
    await put(join(dir, "x-labels-idx1-ubyte"), Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 1]));
    const e = await caught(() => loadDataset(join(dir, "x-images-idx3-ubyte")));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("has 3 labels but");
    expect(e.details?.file).toBe(join(dir, "x-labels-idx1-ubyte"));
  });
});
