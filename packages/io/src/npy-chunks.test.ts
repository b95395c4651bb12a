import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeNpy, readNpy, readNpyHeader } from "./npy.js";
import { npyRowChunks, type NpyRowChunk } from "./npy-chunks.js";
import { tempDir } from "./test-utils.js";

/** Seeded values in [0, 1). */
function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A float16 .npy: encode the bit patterns as '<u2' and relabel the dtype (same header length). */
function encodeHalfNpy(bits: Uint16Array, shape: [number, number]): Uint8Array {
  const bytes = encodeNpy(bits, shape);
  const at = Buffer.from(bytes).indexOf("'<u2'", 0, "latin1");
  bytes.set(Buffer.from("'<f2'", "latin1"), at);
  return bytes;
}

async function collect(source: (pass: number) => AsyncIterable<NpyRowChunk>, copy: boolean): Promise<NpyRowChunk[]> {
  const out: NpyRowChunk[] = [];
  for await (const c of source(0)) out.push(copy ? { rows: c.rows, cols: c.cols, data: c.data.slice() } : c);
  return out;
}

function concat(chunks: NpyRowChunk[]): number[] {
  return chunks.flatMap((c) => Array.from(c.data));
}

describe("npyRowChunks / readNpyHeader", () => {
  it("reads float32 and float64 files slice by slice, equal to readNpy, on every pass", async () => {
    const dir = await tempDir();
    const f32 = seeded(1500 * 5, 3);
    const p32 = join(dir, "p32.npy");
    writeFileSync(p32, encodeNpy(f32, [1500, 5]));
    expect(await readNpyHeader(p32)).toMatchObject({ dtype: "float32", shape: [1500, 5], fortranOrder: false, littleEndian: true, itemBytes: 4, dataOffset: 128 });
    const source = npyRowChunks(p32, { rowsPerChunk: 128, reuseBuffer: true });
    for (const pass of [0, 1]) {
      const chunks: NpyRowChunk[] = [];
      for await (const c of source(pass)) chunks.push({ rows: c.rows, cols: c.cols, data: c.data.slice() });
      expect(chunks.map((c) => c.rows)).toEqual([...new Array<number>(11).fill(128), 1500 - 11 * 128]);
      expect(chunks.every((c) => c.cols === 5 && c.data instanceof Float32Array && c.data.length === c.rows * 5)).toBe(true);
      expect(concat(chunks)).toEqual(Array.from(f32));
    }
    // reuseBuffer: every chunk views the same memory; without it every chunk has its own array
    const shared = await collect(source, false);
    expect(new Set(shared.map((c) => c.data.buffer)).size).toBe(1);
    const own = await collect(npyRowChunks(p32, { rowsPerChunk: 128 }), false);
    expect(new Set(own.map((c) => c.data.buffer)).size).toBe(own.length);
    expect(concat(own)).toEqual(Array.from(f32));

    const f64 = Float64Array.from(f32, (v) => v / 3);
    const p64 = join(dir, "p64.npy");
    writeFileSync(p64, encodeNpy(f64, [100, 75]));
    const c64 = await collect(npyRowChunks(p64, { rowsPerChunk: 33 }), true);
    expect(c64.map((c) => c.rows)).toEqual([33, 33, 33, 1]);
    expect(c64[0]!.data).toBeInstanceOf(Float64Array);
    expect(concat(c64)).toEqual(Array.from((await readNpy(p64)).data as Float64Array));
  });

  it("widens float16 exactly (normal, subnormal, ±0, ±Infinity), as readNpy does", async () => {
    const dir = await tempDir();
    const bits = Uint16Array.from({ length: 300 * 4 }, (_, i) => (i * 40503) & 0xffff);
    bits.set([0x3c00, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x3555, 0x7bff, 0x0400], 0);
    const p16 = join(dir, "p16.npy");
    writeFileSync(p16, encodeHalfNpy(bits, [300, 4]));
    const chunks = await collect(npyRowChunks(p16, { rowsPerChunk: 100, reuseBuffer: true }), true);
    const got = concat(chunks);
    expect(got.slice(0, 8)).toEqual([1, 2 ** -24, -0, Infinity, -Infinity, 0.333251953125, 65504, 2 ** -14]);
    const whole = (await readNpy(p16)).data as Float32Array;
    expect(whole).toBeInstanceOf(Float32Array);
    expect(got.map((v) => (Number.isNaN(v) ? "nan" : v))).toEqual(Array.from(whole, (v) => (Number.isNaN(v) ? "nan" : v)));
  });

  it("names the file in typed errors: missing, truncated, not 2-D, wrong dtype, bad option", async () => {
    const dir = await tempDir();
    const missing = join(dir, "missing.npy");
    await expect(collect(npyRowChunks(missing), false)).rejects.toMatchObject({ code: "IO_ERROR", details: { file: missing } });
    await expect(readNpyHeader(missing)).rejects.toMatchObject({ code: "IO_ERROR" });

    const cut = join(dir, "cut.npy");
    const full = encodeNpy(seeded(40, 1), [10, 4]);
    writeFileSync(cut, full.subarray(0, full.length - 20));
    await expect(collect(npyRowChunks(cut, { rowsPerChunk: 3 }), false)).rejects.toMatchObject({ code: "IO_ERROR", message: /truncated at row 9/ });

    const cube = join(dir, "cube.npy");
    writeFileSync(cube, encodeNpy(seeded(24, 2), [2, 3, 4]));
    await expect(collect(npyRowChunks(cube), false)).rejects.toMatchObject({ code: "INVALID_INPUT", message: /expected a 2-D array, got shape \(2, 3, 4\)/ });

    const ints = join(dir, "ints.npy");
    writeFileSync(ints, encodeNpy(Int32Array.of(1, 2, 3, 4), [2, 2]));
    await expect(collect(npyRowChunks(ints), false)).rejects.toMatchObject({ code: "INVALID_INPUT", message: /unsupported dtype <int32/ });

    const junk = join(dir, "junk.npy");
    writeFileSync(junk, "not a numpy file at all");
    await expect(readNpyHeader(junk)).rejects.toMatchObject({ code: "INVALID_INPUT", message: /magic/ });

    expect(() => npyRowChunks(cube, { rowsPerChunk: 0 })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
});
