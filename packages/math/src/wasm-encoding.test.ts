import { describe, expect, it } from "vitest";
import { lazyKernel, leb, sleb, vec, wasmModule } from "./wasm-encoding.js";

describe("WebAssembly encoding helpers", () => {
  it("encode LEB128 integers and vectors as the spec's examples", () => {
    expect(leb(0)).toEqual([0]);
    expect(leb(127)).toEqual([0x7f]);
    expect(leb(128)).toEqual([0x80, 0x01]);
    expect(leb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(leb(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(vec([9, 8, 7])).toEqual([3, 9, 8, 7]);
  });

  it("assemble a module whose functions run on the imported memory", () => {
    // "s"(p, v): i32.store(p, v); "a"(p, q, r): i32.store(r, i32.load(p) + i32.load(q))
    const store = { name: "s", params: 2, body: [0, 0x20, 0, 0x20, 1, 0x36, 2, 0, 0x0b] };
    const add = { name: "a", params: 3, body: [0, 0x20, 2, 0x20, 0, 0x28, 2, 0, 0x20, 1, 0x28, 2, 0, 0x6a, 0x36, 2, 0, 0x0b] };
    let compiled = 0;
    const get = lazyKernel(() => {
      compiled++;
      return wasmModule([store, add]);
    });
    const k = get(64)!;
    expect(k).not.toBeNull();
    k.fns.s!(0, 40);
    k.fns.s!(4, -2);
    k.fns.a!(0, 4, 8);
    expect(new Int32Array(k.memory.buffer, 0, 3)).toEqual(Int32Array.of(40, -2, 38));
    expect(get(100)).toBe(k); // fits: same instance
    const big = get(3 * 65536)!;
    expect(big).not.toBe(k);
    expect(big.bytes).toBeGreaterThanOrEqual(3 * 65536);
    expect(compiled).toBe(1);
  });

  it("give null for bytes that are not a valid module", () => {
    expect(lazyKernel(() => Uint8Array.of(0, 1, 2, 3))(16)).toBeNull();
  });
});
