import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isKernelResident } from "@assay/math";
import { encodeNpy, matrixStorage, parseNpy, readNpy, writeNpy } from "./npy.js";
import { caught, tempDir } from "./test-utils.js";

// Bytes written by numpy 1.x `np.save` (hex), used to check the reader and writer against the reference.
const NUMPY_F4_2x3 =
  "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000803f0000004000004040000080400000a040";
const NUMPY_BE_I2_FORTRAN_2x3 =
  "934e554d5059010076007b276465736372273a20273e6932272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000030001000400020005";
const NUMPY_I8_3 =
  "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0300000000000000ffffffffffffffff0700000000000000";

describe("npy", () => {
  it("reads numpy's float32, big-endian Fortran-order int16 and int64 files", () => {
    const f = parseNpy(Buffer.from(NUMPY_F4_2x3, "hex"));
    expect(f).toMatchObject({ shape: [2, 3], dtype: "float32" });
    expect(Array.from(f.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);

    const be = parseNpy(Buffer.from(NUMPY_BE_I2_FORTRAN_2x3, "hex"));
    expect(be).toMatchObject({ shape: [2, 3], dtype: "int16" });
    expect(Array.from(be.data as Int16Array)).toEqual([0, 1, 2, 3, 4, 5]);

    const big = parseNpy(Buffer.from(NUMPY_I8_3, "hex"));
    expect(big.dtype).toBe("int64");
    expect(Array.from(big.data as BigInt64Array)).toEqual([3n, -1n, 7n]);
  });

  it("reads numpy's files from disk as from bytes (big-endian Fortran order too)", async () => {
    const dir = await tempDir();
    for (const [name, hex] of [["f4.npy", NUMPY_F4_2x3], ["be-fortran.npy", NUMPY_BE_I2_FORTRAN_2x3], ["i8.npy", NUMPY_I8_3]] as const) {
      await writeFile(join(dir, name), Buffer.from(hex, "hex"));
      const fromFile = await readNpy(join(dir, name));
      const fromBytes = parseNpy(Buffer.from(hex, "hex"));
      expect(fromFile.shape).toEqual(fromBytes.shape);
      expect(fromFile.dtype).toBe(fromBytes.dtype);
      expect(Array.from(fromFile.data as ArrayLike<number | bigint>)).toEqual(Array.from(fromBytes.data as ArrayLike<number | bigint>));
    }
  });

  it("writes byte-identical files to numpy", () => {
    expect(Buffer.from(encodeNpy(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3])).toString("hex")).toBe(NUMPY_F4_2x3);
    expect(Buffer.from(encodeNpy(BigInt64Array.from([3n, -1n, 7n]))).toString("hex")).toBe(NUMPY_I8_3);
  });

  it("round-trips every writable dtype through a file", async () => {
    const dir = await tempDir();
    for (const data of [Uint8Array.from([1, 2]), Int32Array.from([-5, 9]), Float64Array.from([0.5, -1e300]), Uint16Array.from([65535, 0])]) {
      const file = join(dir, `${data.constructor.name}.npy`);
      await writeNpy(file, data, [2, 1]);
      const back = await readNpy(file);
      expect(back.shape).toEqual([2, 1]);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(data));
    }
  });

  it("matrix storage is kernel-resident from 1 MiB (2^18 values) up, zero-filled", () => {
    const small = matrixStorage((1 << 18) - 1);
    const large = matrixStorage(1 << 18);
    expect([small.length, large.length]).toEqual([(1 << 18) - 1, 1 << 18]);
    expect(isKernelResident(small)).toBe(false);
    expect(isKernelResident(large)).toBe(true);
    expect(large.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(large.every((v) => v === 0)).toBe(true);
  });

  it("reads large float32 arrays into kernel-resident memory (WebAssembly kernels read them in place)", async () => {
    const big = new Float32Array(300 * 1000).map((_, i) => (i % 97) / 97);
    const back = parseNpy(encodeNpy(big, [300, 1000]));
    expect(back.shape).toEqual([300, 1000]);
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(isKernelResident(back.data)).toBe(true);
    expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(big.buffer))).toBe(true);
    // the same from a file, read straight into the array's storage
    const dir = await tempDir();
    await writeNpy(join(dir, "big.npy"), big, [300, 1000]);
    const fromFile = await readNpy(join(dir, "big.npy"));
    expect(fromFile.shape).toEqual([300, 1000]);
    expect(isKernelResident(fromFile.data)).toBe(true);
    expect(Buffer.from(fromFile.data.buffer, fromFile.data.byteOffset, fromFile.data.byteLength).equals(Buffer.from(big.buffer))).toBe(true);
    // small arrays, other dtypes and Fortran order stay plain
    expect(isKernelResident(parseNpy(Buffer.from(NUMPY_F4_2x3, "hex")).data)).toBe(false);
    expect(isKernelResident(parseNpy(encodeNpy(Float64Array.from(big), [300, 1000])).data)).toBe(false);
  });

  it("names the file in errors", async () => {
    const dir = await tempDir();
    const bad = await caught(() => parseNpy(Buffer.from("not numpy at all"), "x.npy"));
    expect(bad.code).toBe("INVALID_INPUT");
    expect(bad.details).toEqual({ file: "x.npy" });
    const short = await caught(() => parseNpy(Buffer.from(NUMPY_F4_2x3, "hex").subarray(0, 140), "short.npy"));
    expect(short.message).toContain("needs 24 data bytes but the file has 12");
    await writeFile(join(dir, "short.npy"), Buffer.from(NUMPY_F4_2x3, "hex").subarray(0, 140));
    const shortFile = await caught(() => readNpy(join(dir, "short.npy")));
    expect(shortFile.code).toBe("INVALID_INPUT");
    expect(shortFile.message).toContain("short.npy is not a valid .npy file: shape (2, 3) needs 24 data bytes but the file has 12");
    await writeFile(join(dir, "text.npy"), "hello");
    expect((await caught(() => readNpy(join(dir, "text.npy")))).message).toContain("missing the \\x93NUMPY magic");
    const missing = await caught(() => readNpy(join(dir, "nope.npy")));
    expect(missing.code).toBe("INVALID_INPUT");
    expect(missing.details?.file).toBe(join(dir, "nope.npy"));
    const shape = await caught(() => encodeNpy(Float32Array.from([1, 2, 3]), [2, 2]));
    expect(shape.code).toBe("INVALID_INPUT");
  });
});
